//! `go mod vendor` / `go mod download` as nixpkgs' goModules runs them.

use std::path::{Path, PathBuf};
use std::process::Command;

use goflake_nar::Sha256;

#[derive(Debug, thiserror::Error)]
pub enum GoError {
    #[error("`go` is not on PATH; install Go, or use `--method nix` to let Nix compute the hash")]
    Missing,
    #[error(
        "go.mod requires go {required}, but the Go here is {available}; install Go {required} or newer (or use `--method nix`)"
    )]
    TooOld { required: String, available: String },
    #[error(
        "`go mod vendor` refuses to run in workspace mode (a go.work is in the source); build the module on its own (GOWORK=off) or remove go.work from the flake's source"
    )]
    Workspace,
    #[error(
        "the flake's source holds {} above modRoot, so nixpkgs' goModules runs `go mod vendor` in workspace mode, which Go refuses: the build itself cannot work as it is. \
         Set `env.GOWORK = \"off\";` in the package (goModules inherits env), or leave go.work out of the source",
        .go_work.display()
    )]
    WorkspaceInSource { go_work: PathBuf },
    #[error("`go {command}` failed in {}:\n{message}", .dir.display())]
    Failed {
        command: String,
        dir: PathBuf,
        message: String,
    },
    #[error("{}: no go.mod in the flake's source{}", .dir.display(), if *.tracked_only { " (is it tracked by git? Nix sees only tracked files)" } else { "" })]
    NoGoMod { dir: PathBuf, tracked_only: bool },
    #[error("cannot copy the source: {0}")]
    CopySource(#[source] std::io::Error),
    #[error(transparent)]
    Nar(#[from] goflake_nar::NarError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl GoError {
    /// The error on one line, for a warning that goes on without Go: what Go printed (its
    /// stderr, lines joined), never a message cut at its first line.
    pub fn summary(&self) -> String {
        match self {
            GoError::Failed {
                command, message, ..
            } => {
                let said: Vec<&str> = message
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .collect();
                if said.is_empty() {
                    format!("`go {command}` failed and printed nothing")
                } else {
                    format!("`go {command}` failed: {}", said.join(" "))
                }
            }
            other => other
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// The outcome of reproducing goModules outside Nix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vendored {
    /// No dependencies: `vendorHash = null`.
    Nothing,
    Hash(Sha256),
}

/// The environment of nixpkgs' goModules derivation: GOFLAGS empty, module mode, the Go
/// release `toolchain` names (`local`: the `go` found, else `go1.X.Y`, which `go` fetches as
/// a module), and the workspace file the source holds above modRoot, else none.
fn go_command(go: &Path, dir: &Path, go_work: Option<&Path>, toolchain: &str) -> Command {
    let mut command = Command::new(go);
    command
        .current_dir(dir)
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", toolchain)
        .env("GO111MODULE", "on");
    match go_work {
        Some(file) => command.env("GOWORK", file),
        None => command.env("GOWORK", "off"),
    };
    command
}

/// What goModules sees of a project: the flake's source (the tracked files of a git
/// repository, or the whole tree), modRoot inside it, and the Go release it builds with.
#[derive(Debug, Clone)]
pub struct VendorSource<'a> {
    /// The directory the package's `src` names (a flake's root).
    pub root: &'a Path,
    /// modRoot, relative to `root`.
    pub mod_root: &'a str,
    /// Only the files git tracks, as a git flake's source holds (untracked and ignored files
    /// never reach Nix).
    pub tracked_only: bool,
    /// The `GOTOOLCHAIN` value for the flake's Go (`local` when the `go` here is it).
    pub toolchain: &'a str,
}

fn failed(command: &str, dir: &Path, stderr: &[u8]) -> GoError {
    let message = String::from_utf8_lossy(stderr).trim_end().to_owned();
    // "go: go.mod requires go >= 1.27 (running go 1.26.8; GOTOOLCHAIN=local)"
    if let Some(rest) = message.split("requires go >= ").nth(1) {
        let required = rest.split_whitespace().next().unwrap_or("").to_owned();
        let available = rest
            .split("running go ")
            .nth(1)
            .and_then(|r| r.split([';', ')']).next())
            .unwrap_or("")
            .to_owned();
        return GoError::TooOld {
            required,
            available,
        };
    }
    if message.contains("workspace mode") {
        return GoError::Workspace;
    }
    GoError::Failed {
        command: command.to_owned(),
        dir: dir.to_path_buf(),
        message,
    }
}

/// The prefix of the scratch directory a local vendorHash run copies the source into, with
/// the process id after it: a directory left by a killed run is recognisable, and removed by
/// the next run once its process is gone.
pub const SCRATCH_PREFIX: &str = "goflake-vendor-hash.";

/// Copies the source as goModules sees it to a scratch directory and runs `go mod vendor`
/// in modRoot there (with the user's module cache and proxy settings), then NAR-hashes
/// `vendor/`; with `proxy_vendor`, runs `go mod download` into a fresh GOPATH and hashes its
/// download cache without `sumdb`.
pub fn vendor_hash(source: &VendorSource<'_>, proxy_vendor: bool) -> Result<Vendored, GoError> {
    let go = crate::which("go").ok_or(GoError::Missing)?;
    remove_stale_scratch(&std::env::temp_dir());
    // Removed on every exit path (an interrupt included: the cleanup registry).
    let temp = goflake_fs::private_tempdir(&format!("{SCRATCH_PREFIX}{}.", std::process::id()))?;
    goflake_fs::cleanup::register(temp.path());
    let result = vendor_hash_in(&go, source, temp.path(), proxy_vendor);
    // The module cache inside is read-only; removed through descriptors, links unfollowed.
    let _ = goflake_fs::remove_tree(temp.path());
    goflake_fs::cleanup::forget(temp.path());
    result
}

/// Removes scratch directories of runs whose process no longer exists (killed with SIGKILL,
/// or by a CI timeout), which the cleanup registry could not reach. Only what such a run
/// made is touched: a private directory of this user's (`mkdtemp` makes them 0700), never
/// a symlink or another user's entry planted under the same name in a shared `$TMPDIR`.
pub fn remove_stale_scratch(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(SCRATCH_PREFIX)
            .and_then(|rest| rest.split('.').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id()
            && !Path::new(&format!("/proc/{pid}")).exists()
            && goflake_fs::is_private_dir(&entry.path())
        {
            let _ = goflake_fs::remove_tree(&entry.path());
        }
    }
}

/// The go.work Go would use for `dir` inside a source tree `root`: the nearest one in `dir`
/// or a parent, not above `root` (goModules' sandbox has nothing above the source).
fn workspace_file(root: &Path, dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .take_while(|d| d.starts_with(root))
        .map(|d| d.join("go.work"))
        .find(|f| f.is_file())
}

fn vendor_hash_in(
    go: &Path,
    source: &VendorSource<'_>,
    temp: &Path,
    proxy_vendor: bool,
) -> Result<Vendored, GoError> {
    let copy = temp.join("source");
    let tracked = source
        .tracked_only
        .then(|| crate::tracked_files(source.root))
        .flatten();
    crate::copy_source(source.root, &copy, tracked.as_ref()).map_err(GoError::CopySource)?;
    let module = copy.join(source.mod_root);
    let module_dir = source.root.join(source.mod_root);
    if !module.join("go.mod").is_file() {
        return Err(GoError::NoGoMod {
            dir: module_dir,
            tracked_only: source.tracked_only,
        });
    }
    let go_work = workspace_file(&copy, &module);
    if proxy_vendor {
        let gopath = temp.join("gopath");
        let output = crate::process::output(
            go_command(go, &module, go_work.as_deref(), source.toolchain)
                .env("GOPATH", &gopath)
                .env("GOMODCACHE", gopath.join("pkg/mod"))
                .args(["mod", "download"]),
        )?;
        if !output.status.success() {
            return Err(failed("mod download", &module_dir, &output.stderr));
        }
        let download = gopath.join("pkg/mod/cache/download");
        let _ = goflake_fs::remove_tree(&download.join("sumdb"));
        if is_empty_or_missing(&download) {
            return Ok(Vendored::Nothing);
        }
        let hash = goflake_nar::nar_hash(&download)?;
        return Ok(Vendored::Hash(hash));
    }
    let output = crate::process::output(
        go_command(go, &module, go_work.as_deref(), source.toolchain).args(["mod", "vendor"]),
    )?;
    if !output.status.success() {
        let error = failed("mod vendor", &module_dir, &output.stderr);
        return Err(match (error, go_work) {
            (GoError::Workspace, Some(file)) => GoError::WorkspaceInSource {
                go_work: file
                    .strip_prefix(&copy)
                    .map(Path::to_path_buf)
                    .unwrap_or(file),
            },
            (error, _) => error,
        });
    }
    let vendor = module.join("vendor");
    if is_empty_or_missing(&vendor) {
        return Ok(Vendored::Nothing);
    }
    goflake_nar::nar_hash(&vendor)
        .map(Vendored::Hash)
        .map_err(GoError::from)
}

fn is_empty_or_missing(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut entries| entries.next().is_none())
}

/// A Go-quoted string (`"a\n\tb"`) as one line of text (`a b`).
fn unquote_one_line(quoted: &str) -> String {
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(quoted);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 't') if !out.ends_with(' ') => out.push(' '),
            Some('n' | 't') | None => {}
            Some(other) => out.push(other),
        }
    }
    out.trim().to_owned()
}

/// `go version`'s version, e.g. `1.26.8`.
pub fn version() -> Result<String, GoError> {
    let go = crate::which("go").ok_or(GoError::Missing)?;
    let output = crate::process::output(Command::new(go).args(["env", "GOVERSION"]))?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .trim()
        .trim_start_matches("go")
        .to_owned())
}

/// For each main package, the packages it depends on from other modules that build only
/// with cgo (with cgo off, Go reports "build constraints exclude all Go files" for them).
/// Needs the dependencies in the module cache (or a reachable GOPROXY); `Err` otherwise.
pub fn cgo_only_dependencies(
    module_dir: &Path,
    module: &str,
    mains: &[String],
    vendored: bool,
) -> Result<std::collections::BTreeMap<String, Vec<String>>, GoError> {
    let go = crate::which("go").ok_or(GoError::Missing)?;
    let mut result = std::collections::BTreeMap::new();
    for main in mains {
        let mut command = Command::new(&go);
        command
            .current_dir(module_dir)
            // Never `-mod=mod`: it may rewrite the user's go.mod and go.sum.
            .env(
                "GOFLAGS",
                if vendored {
                    "-mod=vendor"
                } else {
                    "-mod=readonly"
                },
            )
            .env("GOTOOLCHAIN", "local")
            .env("GOWORK", "off")
            .env("CGO_ENABLED", "0")
            .args([
                "list",
                "-e",
                "-deps",
                "-f",
                // %q keeps a multi-line error on its line.
                "{{.ImportPath}}|{{.Standard}}|{{with .Error}}{{printf \"%q\" .Err}}{{end}}",
                main,
            ]);
        let output = crate::process::output(&mut command)?;
        if !output.status.success() {
            return Err(failed("list -deps", module_dir, &output.stderr));
        }
        let mut cgo_only = Vec::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let mut fields = line.splitn(3, '|');
            let (Some(path), Some(standard), Some(error)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let error = unquote_one_line(error);
            let own = path == module || path.starts_with(&format!("{module}/"));
            if standard == "true" || own || error.is_empty() {
                continue;
            }
            if error.contains("build constraints exclude all Go files") {
                cgo_only.push(path.to_owned());
            } else {
                // A dependency Go could not load: its cgo use is unknown.
                return Err(GoError::Failed {
                    command: "list -deps".into(),
                    dir: module_dir.to_path_buf(),
                    message: format!("{path}: {error}"),
                });
            }
        }
        result.insert(main.clone(), cgo_only);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    #[test]
    fn multi_line_errors_become_one_line() {
        assert_eq!(
            super::unquote_one_line("\"missing go.sum entry; to add:\\n\\tgo get x\""),
            "missing go.sum entry; to add: go get x"
        );
        assert_eq!(super::unquote_one_line("\"say \\\"hi\\\"\""), "say \"hi\"");
    }
}
