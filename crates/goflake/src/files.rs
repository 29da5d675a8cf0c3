//! Reading Nix files and writing them back atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use goflake_syntax::SourceFile;

use crate::config::WriteMode;
use crate::failure::Failure;

/// Reads and parses a Nix file; a file with parse errors is refused with exit code 2 and
/// its diagnostics.
pub fn read_nix(path: &Path) -> Result<SourceFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file = SourceFile::parse(path.display().to_string(), text);
    if file.has_errors() {
        return Err(Failure::bad_input(format!(
            "{}error: {} does not parse\n",
            file.render_diagnostics(),
            path.display()
        )));
    }
    Ok(file)
}

/// Applies the outcome of an edit as `mode` asks: print a diff, check, or write atomically.
/// Returns whether the file changed (or would change).
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
        print!(
            "{}",
            diff.unified_diff().context_radius(3).header(&old, &new)
        );
    }
    if mode.check {
        if changed {
            return Err(Failure::problem(format!(
                "{} would change\n",
                path.display()
            )));
        }
        return Ok(false);
    }
    if changed && !mode.diff {
        write_atomically(path, after.as_bytes())?;
    }
    Ok(changed)
}

/// Writes through a temporary file in the same directory and renames it over `path`, keeping
/// the file's permissions; a symlink is followed so the link itself stays.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let target: PathBuf = if path.is_symlink() {
        path.canonicalize()
            .with_context(|| format!("cannot resolve the symlink {}", path.display()))?
    } else {
        path.to_path_buf()
    };
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".goflake-")
        .tempfile_in(&dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    temp.write_all(contents)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write a temporary file in {}", dir.display()))?;
    // Keep an existing file's permissions; a new file gets the usual rw-r--r--.
    let permissions = match std::fs::metadata(&target) {
        Ok(metadata) => metadata.permissions(),
        Err(_) => std::os::unix::fs::PermissionsExt::from_mode(0o644),
    };
    std::fs::set_permissions(temp.path(), permissions)
        .with_context(|| format!("cannot set the permissions of {}", target.display()))?;
    temp.persist(&target)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    Ok(())
}
