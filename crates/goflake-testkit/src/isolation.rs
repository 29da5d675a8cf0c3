//! The environment every process a test starts runs in: a HOME, GOPATH, Go build cache and
//! XDG directories of the suite's own, and none of the user's Go, git or CI settings.
//!
//! Go keeps state outside the variables tests set: the newest checksum-database tree it has
//! seen (`$GOPATH/pkg/sumdb/sum.golang.org/latest`), `go env -w` settings (`$GOENV`, in the
//! XDG config directory), the build cache. A user who ran `go` online after
//! `scripts/fetch-toolchains` has a `latest` newer than the tiles the toolchain file proxy
//! caches, and every verification of a Go release then fails. So a test never sees the
//! user's: [`command`] gives each test process a fresh HOME and GOPATH whose `latest` is the
//! tree `scripts/fetch-toolchains` verified its releases against, and removes every `GO*`,
//! `CGO_*`, `GIT_*`, `XDG_*` and `CI` variable it would inherit. The build cache is shared
//! by the whole suite (it is content-addressed, so sharing it changes no result).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A `Command` for `program` in the suite's environment (see the module docs). Tests set
/// what they need (`GOPROXY`, `GOMODCACHE`…) on top of it.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    isolate(&mut command);
    command
}

/// Puts `command` in the suite's environment: what it would inherit from the user's is
/// removed, the suite's own directories are set.
pub fn isolate(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        if inherited_state(&name) {
            command.env_remove(&name);
        }
    }
    let state = SuiteState::get();
    command
        .env("HOME", &state.home)
        .env("XDG_CONFIG_HOME", state.home.join(".config"))
        .env("XDG_CACHE_HOME", state.home.join(".cache"))
        .env("XDG_DATA_HOME", state.home.join(".local/share"))
        .env("XDG_STATE_HOME", state.home.join(".local/state"))
        .env("GOPATH", &state.gopath)
        .env("GOCACHE", &state.gocache)
        // Nothing reaches the network unless a test names a proxy.
        .env("GOPROXY", "off")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    command
}

/// Whether a variable of the test runner's environment is the user's state rather than the
/// test's: Go's settings (`GOFLAKE_*` are the suite's own), git's, the XDG directories and
/// `CI` (goflake's `--fix-hash` default reads it).
fn inherited_state(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    (name.starts_with("GO") && !name.starts_with("GOFLAKE_"))
        || name.starts_with("CGO_")
        || name.starts_with("GIT_")
        || name.starts_with("XDG_")
        || name == "CI"
}

/// The suite's directories for this test process.
#[derive(Debug)]
pub struct SuiteState {
    /// `HOME`, with the XDG directories inside it.
    pub home: PathBuf,
    /// `GOPATH` (its `pkg/mod` is the default module cache).
    pub gopath: PathBuf,
    /// `GOCACHE`, shared by every test process.
    pub gocache: PathBuf,
}

impl SuiteState {
    /// Made once per test process under `target/test-state/`, fresh: `run-<pid>` holds
    /// HOME and GOPATH; directories of processes that are gone are removed first.
    pub fn get() -> &'static SuiteState {
        static STATE: OnceLock<SuiteState> = OnceLock::new();
        STATE.get_or_init(|| {
            let root = crate::workspace_root().join("target/test-state");
            remove_stale_runs(&root);
            let run = root.join(format!("run-{}", std::process::id()));
            if run.exists() {
                remove_tree(&run);
            }
            let state = SuiteState {
                home: run.join("home"),
                gopath: run.join("gopath"),
                gocache: root.join("go-build"),
            };
            for dir in [
                state.home.join(".config"),
                state.home.join(".cache"),
                state.home.join(".local/share"),
                state.home.join(".local/state"),
                state.gopath.clone(),
                state.gocache.clone(),
            ] {
                std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            }
            seed_checksum_tree(&state.gopath);
            state
        })
    }
}

/// The checksum-database tree `scripts/fetch-toolchains` verified its releases against
/// (kept in its own GOPATH), as this GOPATH's newest known tree: every proof Go makes for
/// those releases then needs only the tiles the file proxy caches.
fn seed_checksum_tree(gopath: &Path) {
    let Some(toolchains) = crate::toolchain_cache() else {
        return;
    };
    let latest = Path::new("pkg/sumdb/sum.golang.org/latest");
    let verified = toolchains.join("gopath").join(latest);
    if verified.is_file() {
        let seeded = gopath.join(latest);
        std::fs::create_dir_all(seeded.parent().expect("a parent")).expect("GOPATH is writable");
        std::fs::copy(&verified, &seeded).expect("the tree note can be copied");
    }
}

/// Removes the `run-<pid>` directories of test processes that are no longer running.
fn remove_stale_runs(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name: OsString = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("run-")) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            remove_tree(&entry.path());
        }
    }
}

/// Removes a tree the suite made, after making its directories writable (Go's module cache
/// is read-only). Symlinks are removed, never followed.
fn remove_tree(dir: &Path) {
    fn writable(dir: &Path) {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::symlink_metadata(dir) else {
            return;
        };
        if !meta.is_dir() {
            return;
        }
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            writable(&entry.path());
        }
    }
    writable(dir);
    let _ = std::fs::remove_dir_all(dir);
}
