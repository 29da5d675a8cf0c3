//! Running `go` and `nix`: the only crate that spawns them. Callers get typed results and
//! errors that carry the tool's own message.

pub mod compile;
pub mod go;
pub mod nix;
pub mod process;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Finds a program on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Copies a source tree (files, directories, symlinks as symlinks) as the generated flake's
/// source filter sees it: without the top-level `.git` and `result*` links, and without
/// release directories goflake wrote (they hold `.goflake-dist`); a nested package named
/// `result` or `dist` stays. With `tracked` (paths relative to `from`, as [`tracked_files`]
/// lists them), only those files: a git flake's source. A FIFO, socket or device is an
/// error naming it (as `nix hash path` refuses them), never a hang.
pub fn copy_source(
    from: &Path,
    to: &Path,
    tracked: Option<&BTreeSet<PathBuf>>,
) -> std::io::Result<()> {
    copy_source_below(from, to, Path::new(""), tracked)
}

fn copy_source_below(
    from: &Path,
    to: &Path,
    relative: &Path,
    tracked: Option<&BTreeSet<PathBuf>>,
) -> std::io::Result<()> {
    let named = |path: &Path, err: std::io::Error| {
        std::io::Error::new(err.kind(), format!("{}: {err}", path.display()))
    };
    std::fs::create_dir_all(to).map_err(|e| named(to, e))?;
    let top_level = relative.as_os_str().is_empty();
    for entry in std::fs::read_dir(from).map_err(|e| named(from, e))? {
        let entry = entry.map_err(|e| named(from, e))?;
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        let source = entry.path();
        let target = to.join(&name);
        let entry_relative = relative.join(&name);
        let file_type = entry.file_type().map_err(|e| named(&source, e))?;
        let result_link = file_type.is_symlink() && name_text.starts_with("result");
        let release = file_type.is_dir() && source.join(goflake_artifacts::DIST_MARKER).exists();
        // A directory is entered when git tracks something below it.
        let untracked = tracked.is_some_and(|tracked| {
            if file_type.is_dir() {
                !tracked
                    .range(entry_relative.clone()..)
                    .next()
                    .is_some_and(|first| first.starts_with(&entry_relative))
            } else {
                !tracked.contains(&entry_relative)
            }
        });
        if top_level && (name_text == ".git" || result_link) || release || untracked {
            continue;
        }
        if file_type.is_symlink() {
            let link = std::fs::read_link(&source).map_err(|e| named(&source, e))?;
            std::os::unix::fs::symlink(link, &target).map_err(|e| named(&target, e))?;
        } else if file_type.is_dir() {
            copy_source_below(&source, &target, &entry_relative, tracked)?;
        } else if file_type.is_file() {
            std::fs::copy(&source, &target).map_err(|e| named(&source, e))?;
        } else {
            return Err(std::io::Error::other(format!(
                "{}: not a regular file, directory or symlink (a FIFO, socket or device), which a Nix source cannot hold",
                source.display()
            )));
        }
    }
    Ok(())
}

/// Whether git tracks `file` (so a flake there is a git flake, whose source is the tracked
/// files); false outside a git work tree or without git.
pub fn is_tracked(file: &Path) -> bool {
    let (Some(git), Some(name)) = (which("git"), file.file_name()) else {
        return false;
    };
    let dir = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::process::Command::new(git)
        .args(["ls-files", "--error-unmatch", "--"])
        .arg(name)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The git flake reference of `dir` (`git+file:///repo?dir=sub`): its source is the files
/// git tracks, as `nix build` in a repository sees it. `None` outside a git work tree.
/// (`builtins.getFlake "/repo"` would read the directory as a `path:` flake instead.)
pub fn git_flake_ref(dir: &Path) -> Option<String> {
    let git = which("git")?;
    let dir = dir.canonicalize().ok()?;
    let output = std::process::Command::new(git)
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(&dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let top = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let relative = dir.strip_prefix(&top).ok()?;
    let mut url = format!("git+file://{}", url_path(&top));
    if !relative.as_os_str().is_empty() {
        url.push_str(&format!("?dir={}", url_path(relative)));
    }
    Some(url)
}

/// A path inside a URL: every byte but unreserved ones and `/` percent-encoded.
fn url_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str()
        .as_bytes()
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Files in a git work tree that git does not track (flakes cannot see them), relative to
/// `dir`; `None` when `dir` is not in a git work tree or git is missing.
pub fn untracked_files(dir: &Path) -> Option<Vec<String>> {
    git_ls_files(dir, &["--others", "--exclude-standard"])
}

/// The files git tracks below `dir` (relative to it): a git flake's source. `None` when
/// `dir` is not in a git work tree or git is missing.
pub fn tracked_files(dir: &Path) -> Option<BTreeSet<PathBuf>> {
    let files = git_ls_files(dir, &["--cached"])?;
    Some(files.into_iter().map(PathBuf::from).collect())
}

/// `git ls-files -z OPTIONS -- .` in `dir`, as paths relative to it.
fn git_ls_files(dir: &Path, options: &[&str]) -> Option<Vec<String>> {
    let git = which("git")?;
    let output = std::process::Command::new(git)
        .arg("ls-files")
        .arg("-z")
        .args(options)
        .args(["--", "."])
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(
        output
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect(),
    )
}

/// Runs Node with the terminal (js/wasm through wasm_exec_node.js); returns success.
pub fn run_node(args: &[std::ffi::OsString]) -> std::io::Result<bool> {
    let node = which("node").ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "`node` is not on PATH; js/wasm runs under Node (install nodejs)",
        )
    })?;
    Ok(crate::process::status(std::process::Command::new(node).args(args))?.success())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    #[test]
    fn a_tracked_copy_holds_only_tracked_files() {
        let temp = tempfile::tempdir().unwrap();
        let from = temp.path().join("from");
        for file in ["a.go", "scratch.go", "sub/b.go", "other/d.go"] {
            let path = from.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "package x\n").unwrap();
        }
        let tracked: BTreeSet<PathBuf> = ["a.go", "sub/b.go"].iter().map(PathBuf::from).collect();
        let to = temp.path().join("to");
        super::copy_source(&from, &to, Some(&tracked)).unwrap();
        assert!(to.join("a.go").is_file() && to.join("sub/b.go").is_file());
        assert!(!to.join("scratch.go").exists() && !to.join("other").exists());
    }

    #[test]
    fn copying_a_source_names_what_it_cannot_copy() {
        let temp = tempfile::tempdir().unwrap();
        let from = temp.path().join("from");
        std::fs::create_dir_all(from.join("sub")).unwrap();
        std::fs::write(from.join("sub/ok.go"), "package x\n").unwrap();
        let fifo = from.join("sub/pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = super::copy_source(&from, &temp.path().join("to"), None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{}: not a regular file", fifo.display())),
            "{err}"
        );
    }
}
