//! Atomic writes: a complete, fsynced temporary file beside the target, with the target's
//! permissions, owner, group and extended attributes (ACLs, SELinux labels), renamed over
//! it. An interrupted or failed write (a full disk, SIGKILL) leaves the old file whole.

use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::beneath::{BeneathError, resolve};
use crate::cleanup;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Beneath(#[from] BeneathError),
    #[error("{} is not a regular file ({kind})", .path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error(
        "{} is read-only (mode {mode:o}); nothing was written (use --force to replace it anyway)",
        .path.display()
    )]
    ReadOnly { path: PathBuf, mode: u32 },
    #[error(
        "{} has {links} hard links; goflake writes a file by renaming a complete new one over it (so an interrupted write never leaves half a file), which would leave the other links with the old text. Nothing was written; use --force to write it anyway (only this name then sees the change)",
        .path.display()
    )]
    HardLinked { path: PathBuf, links: u64 },
    #[error(
        "cannot keep the owner and group of {} ({uid}:{gid}); nothing was written",
        .path.display()
    )]
    Owner {
        path: PathBuf,
        uid: u32,
        gid: u32,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot keep the extended attribute {name} of {}; nothing was written",
        .path.display()
    )]
    Xattr {
        path: PathBuf,
        name: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "{} already exists; move it away first, so that no old file is lost",
        .path.display()
    )]
    OrigExists { path: PathBuf },
    #[error("cannot write {}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// What a special file is, for errors.
pub fn file_kind(metadata: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else if kind.is_symlink() {
        "a symlink"
    } else {
        "not a regular file"
    }
}

/// Writes `contents` to `path` atomically (see the module docs). `path` is resolved beneath
/// its own directory: a symlink there is followed only while it stays inside, and the link
/// itself is kept. A read-only file, or one with several hard links, is refused unless
/// `force`.
pub fn write_file(path: &Path, contents: &[u8], force: bool) -> Result<(), WriteError> {
    let (dir, name) = split(path);
    let target = resolve(dir, Path::new(name))?;
    let existing = match std::fs::symlink_metadata(&target) {
        Ok(metadata) => Some(metadata),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(WriteError::Io {
                path: path.into(),
                source,
            });
        }
    };
    if let Some(metadata) = &existing {
        check_replaceable(path, metadata, force)?;
    }
    let target_dir = target.parent().unwrap_or(Path::new("/"));
    let file_name = target
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let io = |source| WriteError::Io {
        path: path.into(),
        source,
    };
    let mut temp = tempfile::Builder::new()
        .prefix(&format!("{}{file_name}.", cleanup::TEMP_PREFIX))
        .tempfile_in(target_dir)
        .map_err(io)?;
    cleanup::register(temp.path());
    if let Some(ms) = std::env::var("GOFLAKE_TEST_WRITE_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        // Tests interrupt goflake here, with the temporary file half-way.
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    let prepared = (|| {
        temp.write_all(contents)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(io)?;
        keep_metadata(path, &target, existing.as_ref(), temp.as_file())
    })();
    let temp_path = temp.path().to_path_buf();
    let outcome = prepared.and_then(|()| {
        temp.persist(&target).map_err(|err| io(err.error))?;
        // The rename itself is durable once the directory is.
        std::fs::File::open(target_dir)
            .and_then(|d| d.sync_all())
            .map_err(io)
    });
    cleanup::forget(&temp_path);
    outcome
}

/// Keeps a copy of `path` as `path.orig` before `--force` replaces it, and returns its
/// name. The copy is a new file (`O_EXCL`): an existing `.orig` of any kind, a dangling
/// symlink included, is refused and never written through.
pub fn keep_original(path: &Path) -> Result<PathBuf, WriteError> {
    let (dir, name) = split(path);
    let source = resolve(dir, Path::new(name))?;
    let mut orig_name = name.to_os_string();
    orig_name.push(".orig");
    let orig = path.with_file_name(&orig_name);
    let io = |source| WriteError::Io {
        path: orig.clone(),
        source,
    };
    let contents = std::fs::read(&source).map_err(io)?;
    let mode = std::fs::metadata(&source).map_err(io)?.permissions();
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dir.join(&orig_name))
    {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            return Err(WriteError::OrigExists { path: orig });
        }
        Err(err) => return Err(io(err)),
    };
    file.write_all(&contents)
        .and_then(|()| file.set_permissions(mode))
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    Ok(orig)
}

/// The directory a path names its file in, and the file's name.
fn split(path: &Path) -> (&Path, &std::ffi::OsStr) {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    (dir, path.file_name().unwrap_or(path.as_os_str()))
}

fn check_replaceable(
    path: &Path,
    metadata: &std::fs::Metadata,
    force: bool,
) -> Result<(), WriteError> {
    if !metadata.is_file() {
        return Err(WriteError::NotRegular {
            path: path.into(),
            kind: file_kind(metadata),
        });
    }
    if metadata.permissions().readonly() && !force {
        return Err(WriteError::ReadOnly {
            path: path.into(),
            mode: metadata.mode() & 0o7777,
        });
    }
    if metadata.nlink() > 1 && !force {
        return Err(WriteError::HardLinked {
            path: path.into(),
            links: metadata.nlink(),
        });
    }
    Ok(())
}

/// Gives the temporary file the existing file's permissions, owner, group and extended
/// attributes (a new file gets rw-r--r--).
fn keep_metadata(
    path: &Path,
    target: &Path,
    existing: Option<&std::fs::Metadata>,
    temp: &std::fs::File,
) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.into(),
        source,
    };
    let Some(metadata) = existing else {
        return temp
            .set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .map_err(io);
    };
    let owner = temp.metadata().map_err(io)?;
    if (owner.uid(), owner.gid()) != (metadata.uid(), metadata.gid()) {
        rustix::fs::fchown(
            temp,
            Some(rustix::fs::Uid::from_raw(metadata.uid())),
            Some(rustix::fs::Gid::from_raw(metadata.gid())),
        )
        .map_err(|err| WriteError::Owner {
            path: path.into(),
            uid: metadata.uid(),
            gid: metadata.gid(),
            source: err.into(),
        })?;
    }
    // After fchown, which clears set-id bits.
    temp.set_permissions(metadata.permissions()).map_err(io)?;
    copy_xattrs(path, target, temp)
}

/// Every extended attribute of `target` onto `temp` (ACLs are `system.posix_acl_*`, SELinux
/// labels `security.selinux`). A file system without them has nothing to copy.
fn copy_xattrs(path: &Path, target: &Path, temp: &std::fs::File) -> Result<(), WriteError> {
    let unsupported = |err: &rustix::io::Errno| *err == rustix::io::Errno::NOTSUP;
    let io = |err: rustix::io::Errno| WriteError::Io {
        path: path.into(),
        source: err.into(),
    };
    let size = match rustix::fs::listxattr_query(target) {
        Ok(size) => size,
        Err(err) if unsupported(&err) => return Ok(()),
        Err(err) => return Err(io(err)),
    };
    if size == 0 {
        return Ok(());
    }
    let mut list = vec![0u8; size];
    let len = rustix::fs::listxattr(target, &mut list[..]).map_err(io)?;
    for name in list[..len].split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name: &std::ffi::OsStr = std::os::unix::ffi::OsStrExt::from_bytes(name);
        let value = read_xattr(|buf| rustix::fs::getxattr(target, name, buf)).map_err(io)?;
        // A label the new file already has (inherited from the directory) needs no right.
        if read_xattr(|buf| rustix::fs::fgetxattr(temp.as_fd(), name, buf))
            .ok()
            .as_ref()
            == Some(&value)
        {
            continue;
        }
        rustix::fs::fsetxattr(temp, name, &value, rustix::fs::XattrFlags::empty()).map_err(
            |err| WriteError::Xattr {
                path: path.into(),
                name: name.to_string_lossy().into_owned(),
                source: err.into(),
            },
        )?;
    }
    Ok(())
}

/// An attribute's value, however long (grown until it fits).
fn read_xattr(
    mut get: impl FnMut(&mut [u8]) -> rustix::io::Result<usize>,
) -> rustix::io::Result<Vec<u8>> {
    let mut buf = vec![0u8; 256];
    loop {
        match get(&mut buf) {
            Ok(len) => {
                buf.truncate(len);
                return Ok(buf);
            }
            Err(rustix::io::Errno::RANGE) if buf.len() < 1 << 20 => {
                let doubled = buf.len() * 2;
                buf.resize(doubled, 0);
            }
            Err(err) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_write_keeps_the_mode_and_the_link() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::create_dir(temp.path().join("nix")).unwrap();
        let real = temp.path().join("nix/flake.nix");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = temp.path().join("flake.nix");
        std::os::unix::fs::symlink("nix/flake.nix", &link).unwrap();
        write_file(&link, b"new", false).unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(std::fs::metadata(&real).unwrap().mode() & 0o777, 0o600);
    }

    #[test]
    fn hard_links_are_refused_unless_forced_then_replaced_whole() {
        let temp = tempfile::tempdir().unwrap();
        let file = temp.path().join("a.nix");
        let other = temp.path().join("b.nix");
        std::fs::write(&file, "old").unwrap();
        std::fs::hard_link(&file, &other).unwrap();
        assert!(matches!(
            write_file(&file, b"new", false),
            Err(WriteError::HardLinked { links: 2, .. })
        ));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "old");
        write_file(&file, b"new", true).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "old");
    }

    #[test]
    fn the_original_is_kept_once_and_never_through_a_link() {
        let temp = tempfile::tempdir().unwrap();
        let file = temp.path().join("flake.nix");
        std::fs::write(&file, "old").unwrap();
        assert_eq!(
            keep_original(&file).unwrap(),
            temp.path().join("flake.nix.orig")
        );
        assert_eq!(
            std::fs::read_to_string(temp.path().join("flake.nix.orig")).unwrap(),
            "old"
        );
        assert!(matches!(
            keep_original(&file),
            Err(WriteError::OrigExists { .. })
        ));

        let other = tempfile::tempdir().unwrap();
        let file = other.path().join("flake.nix");
        std::fs::write(&file, "old").unwrap();
        let victim = temp.path().join("victim");
        std::os::unix::fs::symlink(&victim, other.path().join("flake.nix.orig")).unwrap();
        assert!(matches!(
            keep_original(&file),
            Err(WriteError::OrigExists { .. })
        ));
        assert!(
            !victim.exists(),
            "nothing written through the dangling link"
        );
    }

    #[test]
    fn extended_attributes_are_kept() {
        let temp = tempfile::tempdir().unwrap();
        let file = temp.path().join("flake.nix");
        std::fs::write(&file, "old").unwrap();
        match rustix::fs::setxattr(
            &file,
            "user.goflake-test",
            b"kept",
            rustix::fs::XattrFlags::empty(),
        ) {
            Ok(()) => {}
            // tmpfs before Linux 6.6 and some overlays have no user attributes.
            Err(rustix::io::Errno::NOTSUP | rustix::io::Errno::PERM) => {
                return goflake_testkit::skip(
                    "write::extended_attributes_are_kept",
                    "the temporary directory's file system has no user extended attributes",
                );
            }
            Err(err) => panic!("{err}"),
        }
        write_file(&file, b"new", false).unwrap();
        let value =
            read_xattr(|buf| rustix::fs::getxattr(&file, "user.goflake-test", buf)).unwrap();
        assert_eq!(value, b"kept");
    }
}
