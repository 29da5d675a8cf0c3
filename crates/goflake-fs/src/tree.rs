//! Removing trees goflake made, through directory descriptors: a symlink is removed, never
//! followed, and no mode is changed on anything the current user does not own.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags};

/// Whether `path` is a directory goflake may treat as its own scratch space: a real
/// directory (not a symlink), owned by the current user, open to nobody else (as `mkdtemp`
/// makes it). A directory another user planted under a name goflake uses is none of these.
pub fn is_private_dir(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).is_ok_and(|meta| {
        meta.file_type().is_dir()
            && meta.uid() == rustix::process::geteuid().as_raw()
            && meta.mode() & 0o077 == 0
    })
}

/// A new scratch directory in `$TMPDIR` named `prefix` and random characters, open to
/// nobody else (0700; `mkdir` fails rather than reuse an existing entry), removed when
/// dropped. Scratch directories hold copies of the user's source.
pub fn private_tempdir(prefix: &str) -> io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(prefix)
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
}

/// Removes `path` and everything below it. A symlink (at `path` or inside) is unlinked,
/// never followed; a directory is entered only through a descriptor opened with
/// `O_NOFOLLOW`, and made writable (Go's module cache is read-only) only when the current
/// user owns it. A directory of another user's inside the tree is an error, left as it is.
pub fn remove_tree(path: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.file_type().is_dir() {
        return std::fs::remove_file(path);
    }
    let dir = rustix::fs::open(path, directory_flags(), Mode::empty())?;
    empty(&dir, path)?;
    std::fs::remove_dir(path)
}

fn directory_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// Removes every entry of the open directory `dir` (named `path`, for errors).
fn empty(dir: &OwnedFd, path: &Path) -> io::Result<()> {
    let stat = rustix::fs::fstat(dir)?;
    if stat.st_uid != rustix::process::geteuid().as_raw() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} belongs to another user; goflake leaves it as it is",
                path.display()
            ),
        ));
    }
    let mode = stat.st_mode & 0o7777;
    if mode & 0o700 != 0o700 {
        rustix::fs::fchmod(dir, Mode::from_raw_mode(mode | 0o700))?;
    }
    let mut entries: Vec<(CString, FileType)> = Vec::new();
    for entry in Dir::read_from(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_bytes() == b"." || name.to_bytes() == b".." {
            continue;
        }
        entries.push((name.to_owned(), entry.file_type()));
    }
    for (name, kind) in entries {
        let kind = match kind {
            FileType::Unknown => FileType::from_raw_mode(
                rustix::fs::statat(dir, &name, AtFlags::SYMLINK_NOFOLLOW)?.st_mode,
            ),
            known => known,
        };
        if kind == FileType::Directory {
            let child = rustix::fs::openat(dir.as_fd(), &name, directory_flags(), Mode::empty())?;
            empty(&child, &path.join(name.to_string_lossy().as_ref()))?;
            rustix::fs::unlinkat(dir, &name, AtFlags::REMOVEDIR)?;
        } else {
            rustix::fs::unlinkat(dir, &name, AtFlags::empty())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_tree_with_read_only_directories_is_removed() {
        let temp = tempfile::tempdir().unwrap();
        let tree = temp.path().join("tree");
        std::fs::create_dir_all(tree.join("a/b")).unwrap();
        std::fs::write(tree.join("a/b/f"), "x").unwrap();
        std::fs::set_permissions(tree.join("a/b"), std::fs::Permissions::from_mode(0o555)).unwrap();
        std::fs::set_permissions(tree.join("a"), std::fs::Permissions::from_mode(0o555)).unwrap();
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
    }

    #[test]
    fn links_inside_or_at_the_top_are_removed_not_followed() {
        let temp = tempfile::tempdir().unwrap();
        let victim = temp.path().join("victim");
        std::fs::create_dir_all(victim.join("inner")).unwrap();
        std::fs::write(victim.join("inner/data"), "keep").unwrap();
        std::fs::set_permissions(victim.join("inner"), std::fs::Permissions::from_mode(0o500))
            .unwrap();
        let tree = temp.path().join("tree");
        std::fs::create_dir_all(&tree).unwrap();
        std::os::unix::fs::symlink(&victim, tree.join("link")).unwrap();
        remove_tree(&tree).unwrap();
        let top = temp.path().join("top-link");
        std::os::unix::fs::symlink(&victim, &top).unwrap();
        remove_tree(&top).unwrap();
        assert!(!tree.exists() && !top.exists());
        assert_eq!(
            std::fs::read_to_string(victim.join("inner/data")).unwrap(),
            "keep"
        );
        let mode = std::fs::metadata(victim.join("inner"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o500, "no mode changed through a link");
    }

    #[test]
    fn only_a_private_directory_of_this_user_is_scratch() {
        let temp = tempfile::tempdir().unwrap();
        // tempfile makes directories with the umask's mode (0755 here): not private.
        assert!(!is_private_dir(temp.path()));
        let scratch = private_tempdir("goflake-test.").unwrap();
        assert!(is_private_dir(scratch.path()));
        let open = temp.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(!is_private_dir(&open));
        let link = temp.path().join("link");
        std::os::unix::fs::symlink(temp.path(), &link).unwrap();
        assert!(!is_private_dir(&link));
    }
}
