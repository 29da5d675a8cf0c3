//! Reading the files of a user's tree: only regular files, never more than a cap. A clone
//! decides what `go.mod` is; as a symlink to `/dev/zero` it would fill the memory, as a FIFO
//! it would block forever, so neither is read.

use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The most goflake reads of one input file (go.mod, go.sum, GoReleaser YAML, a Nix file, a
/// Go source file): far above any real one, far below what would hurt.
pub const MAX_INPUT: u64 = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{} is not a regular file ({kind}); goflake reads only regular files", .path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error(
        "{} is larger than the {} MiB goflake reads of one file; it is not read",
        .path.display(), .limit >> 20
    )]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{} is not UTF-8 text", .path.display())]
    NotText { path: PathBuf },
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl ReadError {
    /// The file does not exist (callers often treat that as "none").
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }
}

/// Opens `path` for reading if it is a regular file of at most `limit` bytes (a symlink to
/// one is followed).
fn open_input(path: &Path, limit: u64) -> Result<(std::fs::File, u64), ReadError> {
    let io = |source| ReadError::Io {
        path: path.into(),
        source,
    };
    // O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked next.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular {
            path: path.into(),
            kind: crate::write::file_kind(&metadata),
        });
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            path: path.into(),
            limit,
        });
    }
    Ok((file, metadata.len()))
}

/// Whether `path` exists as an input goflake and the tools it runs may read: `Ok(false)`
/// when it does not exist, an error when it is no regular file or too large (a `go.sum`
/// linked to `/dev/zero` that `go` would read forever).
pub fn check_input(path: &Path) -> Result<bool, ReadError> {
    match open_input(path, MAX_INPUT) {
        Ok(_) => Ok(true),
        Err(err) if err.is_not_found() => Ok(false),
        Err(err) => Err(err),
    }
}

/// The bytes of the regular file `path` (a symlink to one is followed), at most `limit`.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: path.into(),
        source,
    };
    let (file, len) = open_input(path, limit)?;
    let mut bytes = Vec::with_capacity(len as usize);
    // One byte past the cap tells a file that grew since fstat.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: path.into(),
            limit,
        });
    }
    Ok(bytes)
}

/// [`read_capped`] with [`MAX_INPUT`], as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    String::from_utf8(read_capped(path, MAX_INPUT)?)
        .map_err(|_| ReadError::NotText { path: path.into() })
}

/// [`read_capped`] with [`MAX_INPUT`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_capped(path, MAX_INPUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_cap_are_read() {
        let temp = tempfile::tempdir().unwrap();
        let zero = temp.path().join("go.mod");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(
            read_text(&zero),
            Err(ReadError::NotRegular {
                kind: "a device",
                ..
            })
        ));
        let fifo = temp.path().join("go.sum");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        assert!(matches!(
            read_bytes(&fifo),
            Err(ReadError::NotRegular { kind: "a FIFO", .. })
        ));
        let big = temp.path().join("big");
        std::fs::write(&big, vec![b'a'; 2048]).unwrap();
        let err = read_capped(&big, 1024).unwrap_err();
        assert!(
            matches!(err, ReadError::TooLarge { limit: 1024, .. }),
            "{err}"
        );
        assert_eq!(read_capped(&big, 2048).unwrap().len(), 2048);
        assert!(
            read_text(&temp.path().join("missing"))
                .unwrap_err()
                .is_not_found()
        );
        std::fs::write(&big, [0xff, 0xfe]).unwrap();
        assert!(matches!(read_text(&big), Err(ReadError::NotText { .. })));
    }
}
