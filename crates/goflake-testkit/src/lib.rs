//! Test support shared by the workspace's tests.
//!
//! A test that needs an outside tool (`nix`, `go`, `node`) asks for it with [`require_tool`].
//! When the tool is missing the test says so on stderr, records the skip in the file named by
//! `GOFLAKE_SKIP_LOG` (the test script counts them), and returns early; with
//! `GOFLAKE_REQUIRE_TOOLS=1` (set in CI, which installs every tool) a missing tool fails the
//! test instead, so nothing passes silently.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Finds `name` on PATH.
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

/// The path of `tool`, or `None` after reporting the skip of `test` (see the crate docs).
pub fn require_tool(test: &str, tool: &str) -> Option<PathBuf> {
    if let Some(path) = which(tool) {
        return Some(path);
    }
    if std::env::var("GOFLAKE_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("{test}: `{tool}` is required (GOFLAKE_REQUIRE_TOOLS=1) but not on PATH");
    }
    let line = format!("SKIPPED {test}: `{tool}` not found on PATH");
    eprintln!("{line}");
    if let Some(log) = std::env::var_os("GOFLAKE_SKIP_LOG") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("the skip log can be opened");
        writeln!(file, "{line}").expect("the skip log can be written");
    }
    None
}

/// The NIX_CONFIG every test runs Nix with: flakes on, no build users (tests run as root,
/// single-user), no substituters (no network).
pub const NIX_CONFIG: &str =
    "experimental-features = nix-command flakes\nbuild-users-group =\nsubstituters =\n";

/// A `Command` for a Nix tool with the test configuration.
pub fn nix_command(program: &Path) -> Command {
    let mut command = Command::new(program);
    command.env("NIX_CONFIG", NIX_CONFIG);
    command
}

/// The workspace root (where `Cargo.toml` with `[workspace]` lives).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/goflake-testkit sits two levels below the workspace root")
        .to_path_buf()
}
