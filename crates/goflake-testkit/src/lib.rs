//! Test support shared by the workspace's tests.
//!
//! A test that needs an outside tool (`nix`, `go`, `node`) asks for it with [`require_tool`].
//! When the tool is missing the test says so on stderr, records the skip in the file named by
//! `GOFLAKE_SKIP_LOG` (the test script counts them), and returns early; with
//! `GOFLAKE_REQUIRE_TOOLS=1` (set in CI, which installs every tool) a missing tool fails the
//! test instead, so nothing passes silently — except tools CI tried and failed to install,
//! listed in `GOFLAKE_OPTIONAL_TOOLS`, whose tests stay visibly skipped.

pub mod goproxy;
pub mod isolation;
pub mod nix;
mod zip;

pub use goproxy::{GoProxy, Module};
pub use isolation::{command, isolate};
pub use nix::{
    NIX_CONFIG, NixEnv, STABLE_PROFILE, UNSTABLE_PROFILE, assert_nix_parses,
    assert_nix_parses_text, host_system, nix_command,
};

use std::io::Write;
use std::path::{Path, PathBuf};

pub use goflake_runner::which;

/// The path of `tool`, or `None` after reporting the skip of `test` (see the crate docs).
pub fn require_tool(test: &str, tool: &str) -> Option<PathBuf> {
    if let Some(path) = which(tool) {
        return Some(path);
    }
    let optional = std::env::var("GOFLAKE_OPTIONAL_TOOLS")
        .is_ok_and(|tools| tools.split(',').any(|t| t == tool));
    if !optional && std::env::var("GOFLAKE_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("{test}: `{tool}` is required (GOFLAKE_REQUIRE_TOOLS=1) but not on PATH");
    }
    report_skip(&format!("SKIPPED {test}: `{tool}` not found on PATH"));
    None
}

/// The `file://` proxy of Go releases made by `scripts/fetch-toolchains` (in
/// `target/toolchains`, or `GOFLAKE_TOOLCHAIN_PROXY`), or `None` after reporting the skip of
/// `test` as [`require_tool`] does (fatal with `GOFLAKE_REQUIRE_TOOLS=1`).
pub fn require_toolchains(test: &str) -> Option<String> {
    let dir = std::env::var_os("GOFLAKE_TOOLCHAIN_PROXY")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/toolchains/cache/download"));
    if dir.join("golang.org/toolchain/@v/list").is_file() {
        return Some(format!("file://{}", dir.display()));
    }
    if std::env::var("GOFLAKE_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!(
            "{test}: Go toolchains are required (GOFLAKE_REQUIRE_TOOLS=1) but {} has none; run scripts/fetch-toolchains",
            dir.display()
        );
    }
    report_skip(&format!(
        "SKIPPED {test}: Go toolchains not fetched (run scripts/fetch-toolchains)"
    ));
    None
}

/// The module cache `scripts/fetch-toolchains` filled (the parent of the proxy's
/// `cache/download`), for the stand-in's Go releases.
pub fn toolchain_cache() -> Option<PathBuf> {
    let proxy = std::env::var_os("GOFLAKE_TOOLCHAIN_PROXY")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/toolchains/cache/download"));
    Some(proxy.parent()?.parent()?.to_path_buf())
}

/// Reports `test` as skipped for `reason` (a condition of the machine, not a missing tool:
/// e.g. a test that needs root to give a file another owner).
pub fn skip(test: &str, reason: &str) {
    report_skip(&format!("SKIPPED {test}: {reason}"));
}

fn report_skip(line: &str) {
    eprintln!("{line}");
    if let Some(log) = std::env::var_os("GOFLAKE_SKIP_LOG") {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("the skip log can be opened");
        writeln!(file, "{line}").expect("the skip log can be written");
    }
}

/// The workspace root (where `Cargo.toml` with `[workspace]` lives).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/goflake-testkit sits two levels below the workspace root")
        .to_path_buf()
}

/// Every Nix fixture (`tests/fixtures/nix/*.nix`), sorted.
pub fn nix_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("tests/fixtures/nix"))
        .expect("the fixture directory exists")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "nix"))
        .collect();
    files.sort();
    files
}

/// A copy of the Go fixture project `tests/fixtures/go/<name>` in `to` (no `go mod tidy`;
/// see [`prepare_project`] for that).
pub fn copy_go_fixture(name: &str, to: &Path) {
    copy_tree(&workspace_root().join("tests/fixtures/go").join(name), to);
}

/// Copies a directory tree (fixture projects) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs a command and returns its stdout, failing the test with its stderr otherwise.
pub fn run_ok(command: &mut std::process::Command) -> String {
    let output = nix::output(command).unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A copy of the Go fixture project `name` in `dir`, made ready with `go mod tidy` against
/// the proxy (which writes go.sum).
pub fn prepare_project(go: &Path, proxy: &GoProxy, cache: &Path, name: &str, dir: &Path) {
    copy_tree(&workspace_root().join("tests/fixtures/go").join(name), dir);
    if dir.join("go.sum").exists()
        || std::fs::read_to_string(dir.join("go.mod"))
            .unwrap()
            .contains("require")
    {
        run_ok(proxy.go(go, cache).args(["mod", "tidy"]).current_dir(dir));
    }
}

/// Runs a wasip1 module under Node's WASI (preview1) and returns what it printed.
pub fn run_wasi(node: &Path, module: &Path) -> String {
    let runner = "const { WASI } = require('node:wasi'); const fs = require('node:fs');\
        const wasi = new WASI({ version: 'preview1', args: ['app'], env: {} });\
        WebAssembly.instantiate(fs.readFileSync(process.argv[1]), wasi.getImportObject())\
        .then(({ instance }) => wasi.start(instance));";
    run_ok(
        crate::command(node)
            .args(["--no-warnings", "-e", runner])
            .arg(module),
    )
}
