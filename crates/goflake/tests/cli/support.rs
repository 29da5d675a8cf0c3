//! Helpers shared by the integration tests: run the real binary, copy fixtures.

use std::path::{Path, PathBuf};
use std::process::Output;

/// The real binary, hermetic: Go may not reach any module proxy (tests that need modules
/// run goflake with the local proxy themselves).
pub fn goflake(args: &[&str]) -> Output {
    goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
        .args(args)
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .output()
        .expect("goflake runs")
}

/// A goflake pin for `goflake ci` (the binary the tests run is built by cargo, so it
/// records no revision of its own).
pub const PINNED_GOFLAKE: &str = "github:goflake/goflake/0123456789abcdef0123456789abcdef01234567?narHash=sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/// `goflake ci PROVIDER ARGS…`, pinned to [`PINNED_GOFLAKE`].
pub fn ci(provider: &str, args: &[&str]) -> Output {
    let mut all = vec!["ci", provider, "--goflake", PINNED_GOFLAKE];
    all.extend_from_slice(args);
    goflake(&all)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

pub fn fixture(name: &str) -> PathBuf {
    goflake_testkit::workspace_root()
        .join("tests/fixtures/nix")
        .join(name)
}

/// A writable copy of a Nix fixture in a fresh directory.
pub fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(fixture(name), &path).unwrap();
    (dir, path)
}

pub use goflake_testkit::copy_tree;

pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Makes the project's main.go a source no earlier run built, so its targets really build:
/// the Nix store is shared between runs.
pub fn fresh_source(dir: &Path) {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let main = dir.join("main.go");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("{text}\n// fresh {nonce}\n")).unwrap();
}

/// `sha256sum -c SHA256SUMS` in `dist` (a mismatch fails the test): how many files it
/// verified.
pub fn checksums_verified(dist: &Path) -> usize {
    let check = goflake_testkit::run_ok(
        goflake_testkit::command("sha256sum")
            .args(["-c", "SHA256SUMS"])
            .current_dir(dist),
    );
    check.matches(": OK").count()
}
