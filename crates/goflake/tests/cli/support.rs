//! Helpers shared by the integration tests: run the real binary, copy fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn goflake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_goflake"))
        .args(args)
        .output()
        .expect("goflake runs")
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

pub fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}
