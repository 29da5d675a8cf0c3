//! Reading Nix files and writing them back atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use goflake_syntax::SourceFile;

use crate::config::WriteMode;
use crate::failure::Failure;

/// Reads and parses a Nix file; a file with parse errors, a file that is not UTF-8 and
/// anything that is not a regular file (a FIFO would block forever) are refused with exit
/// code 2.
pub fn read_nix(path: &Path) -> Result<SourceFile> {
    match std::fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => {
            return Err(Failure::bad_input(format!(
                "{} is not a regular file ({})",
                path.display(),
                file_kind(&metadata)
            )));
        }
        Ok(_) => {}
        Err(err) => {
            return Err(anyhow::Error::new(err).context(format!("cannot read {}", path.display())));
        }
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::InvalidData => {
            return Err(Failure::bad_input(format!(
                "{} is not UTF-8 text, so it is not a Nix file goflake can edit",
                path.display()
            )));
        }
        Err(err) => {
            return Err(anyhow::Error::new(err).context(format!("cannot read {}", path.display())));
        }
    };
    let file = SourceFile::parse(path.display().to_string(), text);
    if file.has_errors() {
        return Err(Failure::bad_input_after(
            file.render_diagnostics(),
            format!("{} does not parse", path.display()),
        ));
    }
    Ok(file)
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
    } else {
        "not a regular file"
    }
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
        if std::fs::read_to_string(path).is_ok_and(|now| now != before) {
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

/// Writes through a temporary file in the same directory (`.goflake-tmp.<name>.XXXXXX`,
/// removed if goflake is interrupted) and renames it over `path`, keeping the file's
/// permissions, owner and group; a symlink is followed so the link itself stays. A read-only
/// file is refused unless `force`; a file with several hard links is written in place, so
/// every link keeps seeing it.
pub fn write_file(path: &Path, contents: &[u8], force: bool) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let target: PathBuf = if path.is_symlink() {
        path.canonicalize()
            .with_context(|| format!("cannot resolve the symlink {}", path.display()))?
    } else {
        path.to_path_buf()
    };
    let existing = std::fs::metadata(&target).ok();
    if let Some(metadata) = &existing {
        if !metadata.is_file() {
            return Err(Failure::bad_input(format!(
                "{} is not a regular file ({})",
                path.display(),
                file_kind(metadata)
            )));
        }
        if metadata.permissions().readonly() && !force {
            return Err(Failure::problem(format!(
                "{} is read-only (mode {:o}); nothing was written (use --force to replace it anyway)",
                path.display(),
                metadata.mode() & 0o7777
            )));
        }
        if metadata.nlink() > 1 {
            eprintln!(
                "note: {} has {} hard links: written in place so they all see the change",
                path.display(),
                metadata.nlink()
            );
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(&target)
                .with_context(|| format!("cannot write {}", path.display()))?;
            file.write_all(contents)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            return Ok(());
        }
    }
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let mut temp = tempfile::Builder::new()
        .prefix(&format!("{}{name}.", goflake_runner::cleanup::TEMP_PREFIX))
        .tempfile_in(&dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    goflake_runner::cleanup::register(temp.path());
    if let Some(ms) = std::env::var("GOFLAKE_TEST_WRITE_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        // Tests interrupt goflake here, with the temporary file half-way.
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    let result = (|| -> Result<()> {
        temp.write_all(contents)
            .and_then(|()| temp.as_file().sync_all())
            .with_context(|| format!("cannot write a temporary file in {}", dir.display()))?;
        // Keep an existing file's permissions, owner and group; a new file gets rw-r--r--.
        let permissions = match &existing {
            Some(metadata) => metadata.permissions(),
            None => std::os::unix::fs::PermissionsExt::from_mode(0o644),
        };
        std::fs::set_permissions(temp.path(), permissions)
            .with_context(|| format!("cannot set the permissions of {}", target.display()))?;
        if let Some(metadata) = &existing {
            let owner = temp.as_file().metadata()?;
            if (owner.uid(), owner.gid()) != (metadata.uid(), metadata.gid()) {
                rustix::fs::fchown(
                    temp.as_file(),
                    Some(rustix::fs::Uid::from_raw(metadata.uid())),
                    Some(rustix::fs::Gid::from_raw(metadata.gid())),
                )
                .with_context(|| {
                    format!(
                        "cannot keep the owner and group of {} ({}:{}); nothing was written",
                        target.display(),
                        metadata.uid(),
                        metadata.gid()
                    )
                })?;
            }
        }
        Ok(())
    })();
    let temp_path = temp.path().to_path_buf();
    let outcome = result.and_then(|()| {
        temp.persist(&target)
            .map(|_| ())
            .with_context(|| format!("cannot replace {}", target.display()))
    });
    goflake_runner::cleanup::forget(&temp_path);
    outcome
}
