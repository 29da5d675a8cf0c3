//! Reading Nix files and writing them back atomically.

use std::path::Path;

use anyhow::{Context, Result};
use goflake_syntax::SourceFile;

use crate::config::WriteMode;
use crate::failure::Failure;

/// Reads and parses a Nix file; a file with parse errors, a file that is not UTF-8, one
/// larger than goflake reads and anything that is not a regular file (a FIFO would block
/// forever, `/dev/zero` never end) are refused with exit code 2.
pub fn read_nix(path: &Path) -> Result<SourceFile> {
    use goflake_fs::ReadError;
    let text = goflake_fs::read_text(path).map_err(|err| match err {
        ReadError::NotText { .. } => Failure::bad_input(format!(
            "{} is not UTF-8 text, so it is not a Nix file goflake can edit",
            path.display()
        )),
        ReadError::NotRegular { .. } | ReadError::TooLarge { .. } => {
            Failure::bad_input(err.to_string())
        }
        ReadError::Io { .. } => anyhow::Error::new(err),
    })?;
    let file = SourceFile::parse(path.display().to_string(), text);
    if file.has_errors() {
        return Err(Failure::bad_input_after(
            file.render_diagnostics(),
            format!("{} does not parse", path.display()),
        ));
    }
    Ok(file)
}

/// An advisory lock (flock) on a file for a read-modify-write: two goflake runs editing the
/// same file take turns, so neither loses the other's change. Released when dropped.
pub struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    pub fn acquire(path: &Path) -> Result<FileLock> {
        use std::os::unix::fs::MetadataExt;
        loop {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
                .with_context(|| format!("cannot lock {}", path.display()))?;
            // The file may have been replaced (renamed over) while we waited: then the lock
            // is on the old inode, and the new file is the one to lock.
            let locked = file.metadata()?.ino();
            if std::fs::metadata(path).is_ok_and(|m| m.ino() == locked) {
                return Ok(FileLock { _file: file });
            }
        }
    }
}

/// [`read_nix`] under a [`FileLock`] held until the returned lock is dropped.
pub fn read_nix_locked(path: &Path) -> Result<(SourceFile, FileLock)> {
    // Refuse what read_nix refuses before opening (a FIFO would block the lock's open).
    if let Ok(metadata) = std::fs::metadata(path)
        && !metadata.is_file()
    {
        read_nix(path)?;
    }
    let lock = FileLock::acquire(path)?;
    Ok((read_nix(path)?, lock))
}

/// Applies the outcome of an edit as `mode` asks: print a diff, check, or write atomically.
/// Returns whether the file changed (or would change). Refuses to write when the file no
/// longer holds `before` (another program changed it meanwhile): nothing is lost.
pub fn commit_change(path: &Path, before: &str, after: &str, mode: WriteMode) -> Result<bool> {
    let changed = before != after;
    if mode.diff && changed {
        let name = path.display().to_string();
        let (old, new) = if path.is_absolute() {
            (name.clone(), name)
        } else {
            (format!("a/{name}"), format!("b/{name}"))
        };
        let diff = similar::TextDiff::from_lines(before, after);
        out!(
            "{}",
            diff.unified_diff().context_radius(3).header(&old, &new)
        )?;
    }
    if mode.check {
        if changed {
            return Err(Failure::after(
                format!("{} would change\n", path.display()),
                "",
            ));
        }
        return Ok(false);
    }
    if changed && !mode.diff {
        if goflake_fs::read_text(path).is_ok_and(|now| now != before) {
            return Err(Failure::problem(format!(
                "{} changed while goflake was working on it; nothing was written (run the command again)",
                path.display()
            )));
        }
        write_file(path, after.as_bytes(), mode.force)?;
    }
    Ok(changed)
}

/// [`write_file`] for files goflake creates or owns outright (no `--force` needed).
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    write_file(path, contents, false)
}

/// Writes `path` atomically through [`goflake_fs::write_file`] (a temporary file beside it,
/// `.goflake-tmp.<name>.XXXXXX`, renamed over it with its permissions, owner, group and
/// extended attributes; a symlink followed only while it stays in the file's directory).
/// A file that cannot be replaced as it is (a special file, read-only or hard-linked
/// without `force`, a symlink out of the project) is refused with nothing written.
pub fn write_file(path: &Path, contents: &[u8], force: bool) -> Result<()> {
    goflake_fs::write_file(path, contents, force).map_err(|err| match err {
        // Exit 2, as reading it would be: the input is unusable.
        goflake_fs::WriteError::NotRegular { .. } => Failure::bad_input(err.to_string()),
        err => anyhow::Error::new(err),
    })
}
