//! Paths resolved beneath a root: a symlink inside the project is followed while it stays
//! inside, a symlink that leads out of it or nowhere (dangling) is refused, and `..` never
//! climbs above the root. A cloned repository decides what its symlinks point at, so every
//! path goflake writes goes through [`resolve`] (or [`create_dirs`]) first.

use std::collections::VecDeque;
use std::io;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BeneathError {
    #[error(
        "{} is a symlink to {}, outside {}: goflake writes only inside the project (edit the file it points to directly if that is what you want)",
        .link.display(), .target.display(), .root.display()
    )]
    Outside {
        link: PathBuf,
        target: PathBuf,
        root: PathBuf,
    },
    #[error(
        "{} is a symlink to {}, which does not exist: goflake never writes through a dangling link",
        .link.display(), .target.display()
    )]
    Dangling { link: PathBuf, target: PathBuf },
    #[error("{} leads above {}: goflake writes only inside the project", .path.display(), .root.display())]
    Above { path: PathBuf, root: PathBuf },
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Symlinks followed in one resolution at most (as Linux's 40).
const MAX_LINKS: usize = 40;

/// `relative` inside `root`, with every symlink on the way resolved: the canonical path of
/// what exists, then the components that do not exist yet. Refused when a symlink points
/// outside `root` or to nothing, or a `..` climbs above it.
pub fn resolve(root: &Path, relative: &Path) -> Result<PathBuf, BeneathError> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BeneathError::Io { path, source }
    };
    let root = root.canonicalize().map_err(io_error(root))?;
    let mut current = root.clone();
    let mut pending: VecDeque<Component<'_>> = relative.components().collect();
    let mut links = 0;
    while let Some(component) = pending.pop_front() {
        match component {
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => {
                return Err(BeneathError::Above {
                    path: relative.to_path_buf(),
                    root,
                });
            }
            Component::ParentDir => {
                if current == root {
                    return Err(BeneathError::Above {
                        path: relative.to_path_buf(),
                        root,
                    });
                }
                current.pop();
            }
            Component::Normal(name) => {
                let next = current.join(name);
                match std::fs::symlink_metadata(&next) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        links += 1;
                        let target = std::fs::read_link(&next).map_err(io_error(&next))?;
                        let resolved = match next.canonicalize() {
                            Ok(resolved) => resolved,
                            Err(err)
                                if err.kind() == io::ErrorKind::NotFound || links > MAX_LINKS =>
                            {
                                return Err(BeneathError::Dangling { link: next, target });
                            }
                            Err(err) => return Err(io_error(&next)(err)),
                        };
                        if !resolved.starts_with(&root) {
                            return Err(BeneathError::Outside {
                                link: next,
                                target: resolved,
                                root,
                            });
                        }
                        current = resolved;
                    }
                    Ok(_) => current = next,
                    Err(err) if err.kind() == io::ErrorKind::NotFound => {
                        // Nothing below a missing entry exists either: the rest is plain.
                        current = next;
                        for rest in pending.drain(..) {
                            match rest {
                                Component::Normal(name) => current.push(name),
                                Component::CurDir => {}
                                _ => {
                                    return Err(BeneathError::Above {
                                        path: relative.to_path_buf(),
                                        root,
                                    });
                                }
                            }
                        }
                    }
                    Err(err) => return Err(io_error(&next)(err)),
                }
            }
        }
    }
    Ok(current)
}

/// The directory `relative` inside `root`, created where missing (as `mkdir -p`), after the
/// same checks as [`resolve`]: a symlinked directory that leads out of the project is
/// refused before anything is created.
pub fn create_dirs(root: &Path, relative: &Path) -> Result<PathBuf, BeneathError> {
    let dir = resolve(root, relative)?;
    std::fs::create_dir_all(&dir).map_err(|source| BeneathError::Io {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_that_stay_inside_are_followed() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("proj");
        std::fs::create_dir_all(root.join("nix")).unwrap();
        std::fs::write(root.join("nix/flake.nix"), "{ }").unwrap();
        symlink("nix/flake.nix", root.join("flake.nix")).unwrap();
        symlink("nix", root.join("n")).unwrap();
        let canonical = root.canonicalize().unwrap();
        assert_eq!(
            resolve(&root, Path::new("flake.nix")).unwrap(),
            canonical.join("nix/flake.nix")
        );
        assert_eq!(
            resolve(&root, Path::new("n/new/file")).unwrap(),
            canonical.join("nix/new/file")
        );
        assert_eq!(
            resolve(&root, Path::new("./a/b")).unwrap(),
            canonical.join("a/b")
        );
    }

    #[test]
    fn links_out_of_the_root_or_to_nothing_are_refused() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("proj");
        let victim = temp.path().join("victim");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&victim).unwrap();
        symlink(&victim, root.join(".github")).unwrap();
        symlink("../victim/bin/git", root.join("flake.nix.orig")).unwrap();
        symlink("/etc/passwd", root.join("abs")).unwrap();
        assert!(matches!(
            resolve(&root, Path::new(".github/workflows/check.yml")),
            Err(BeneathError::Outside { .. })
        ));
        assert!(matches!(
            resolve(&root, Path::new("flake.nix.orig")),
            Err(BeneathError::Dangling { .. })
        ));
        assert!(matches!(
            resolve(&root, Path::new("abs")),
            Err(BeneathError::Outside { .. })
        ));
        assert!(matches!(
            resolve(&root, Path::new("../victim/x")),
            Err(BeneathError::Above { .. })
        ));
        assert!(matches!(
            create_dirs(&root, Path::new(".github/workflows")),
            Err(BeneathError::Outside { .. })
        ));
        assert!(
            !victim.join("workflows").exists(),
            "nothing was created outside"
        );
    }

    #[test]
    fn a_link_loop_is_refused() {
        let temp = tempfile::tempdir().unwrap();
        symlink("b", temp.path().join("a")).unwrap();
        symlink("a", temp.path().join("b")).unwrap();
        assert!(resolve(temp.path(), Path::new("a")).is_err());
    }
}
