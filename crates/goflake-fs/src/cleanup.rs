//! Temporary files and directories to remove if goflake is interrupted (SIGINT, SIGTERM):
//! every writer registers what it creates and unregisters it once it is renamed or removed.
//! The binary installs the signal handler that calls [`remove_all`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;

static REGISTERED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Held while a staged result is checked and swapped into place: an interrupt waits for it,
/// so it never removes a staging directory that is about to become the user's.
static CRITICAL: Mutex<()> = Mutex::new(());

/// Blocks [`remove_all`] until the guard is dropped.
pub fn critical_section() -> std::sync::MutexGuard<'static, ()> {
    CRITICAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The prefix of every temporary name goflake makes beside a user's files
/// (`.goflake-tmp.flake.nix.Ab12Cd`, `.goflake-tmp.dist`): easy to recognise and ignore.
pub const TEMP_PREFIX: &str = ".goflake-tmp.";

/// Removes `path` (file or directory) if goflake is interrupted before [`forget`].
pub fn register(path: &Path) {
    if let Ok(mut paths) = REGISTERED.lock() {
        paths.push(path.to_path_buf());
    }
}

/// `path` was renamed into place or removed: nothing to clean up any more.
pub fn forget(path: &Path) {
    if let Ok(mut paths) = REGISTERED.lock() {
        paths.retain(|p| p != path);
    }
}

/// Removes everything registered (read-only trees included, as Go's module cache is), never
/// following a link ([`crate::remove_tree`]).
pub fn remove_all() {
    let _critical = critical_section();
    let paths = match REGISTERED.lock() {
        Ok(mut paths) => std::mem::take(&mut *paths),
        Err(_) => return,
    };
    for path in paths {
        let _ = crate::remove_tree(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_paths_are_removed_and_forgotten_ones_kept() {
        let temp = tempfile::tempdir().unwrap();
        let file = temp.path().join(".goflake-tmp.x");
        let dir = temp.path().join(".goflake-tmp.d");
        let kept = temp.path().join("kept");
        std::fs::write(&file, "x").unwrap();
        std::fs::create_dir_all(dir.join("ro")).unwrap();
        std::fs::write(dir.join("ro/f"), "x").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("ro"), std::fs::Permissions::from_mode(0o555)).unwrap();
        std::fs::write(&kept, "x").unwrap();
        register(&file);
        register(&dir);
        register(&kept);
        forget(&kept);
        remove_all();
        assert!(!file.exists() && !dir.exists());
        assert!(kept.exists());
    }
}
