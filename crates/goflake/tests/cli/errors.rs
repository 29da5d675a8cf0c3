//! Clear errors when tools are missing or too old.

use std::path::Path;
use std::process::Output;

use crate::support::{copy_tree, s, stderr};

/// goflake with a PATH holding only the named tools (linked into a private directory).
fn goflake_with_only(tools: &[&str], dir: &Path, args: &[&str]) -> Output {
    let bin = dir.join("only-bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in tools {
        if let Some(path) = goflake_testkit::which(tool) {
            let _ = std::os::unix::fs::symlink(path, bin.join(tool));
        }
    }
    goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
        .args(args)
        .env("PATH", &bin)
        .env("GOPROXY", "off")
        .output()
        .unwrap()
}

fn project(temp: &Path, fixture: &str) -> std::path::PathBuf {
    let dir = temp.join("p");
    copy_tree(
        &goflake_testkit::workspace_root()
            .join("tests/fixtures/go")
            .join(fixture),
        &dir,
    );
    let out = crate::support::goflake(&["init", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

#[test]
fn missing_go_suggests_the_nix_method() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "with-deps");
    let out = goflake_with_only(
        &[],
        temp.path(),
        &["vendor-hash", "--method", "local", s(&dir)],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`go` is not on PATH; install Go, or use `--method nix`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_nix_suggests_the_local_method_and_how_to_install() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "with-deps");
    let out = goflake_with_only(
        &["go"],
        temp.path(),
        &["vendor-hash", "--method", "nix", s(&dir)],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "`nix` is not on PATH; install Nix, or compute the hash here with `--method local`"
        ),
        "{}",
        stderr(&out)
    );
    // Every hint names an option the command has: build, check and run have no --method.
    for command in [
        vec!["build", "--dir", s(&dir)],
        vec!["check", "--dir", s(&dir)],
        vec!["run", "--dir", s(&dir)],
    ] {
        let out = goflake_with_only(&[], temp.path(), &command);
        assert_eq!(out.status.code(), Some(1), "{command:?}");
        assert!(
            stderr(&out).contains("install Nix"),
            "{command:?}: {}",
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("--method"),
            "{command:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_go_line_newer_than_the_go_here_names_both_versions() {
    if goflake_testkit::require_tool("errors::a_go_line_newer", "go").is_none() {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "with-deps");
    let go_mod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    std::fs::write(dir.join("go.mod"), go_mod.replace("go 1.22", "go 1.99")).unwrap();
    let out = goflake_with_only(&["go"], temp.path(), &["vendor-hash", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("go.mod requires go 1.99, but the Go here is 1."),
        "{err}"
    );
}

/// `goflake … | head`: the reader closes stdout before goflake is done; goflake ends
/// quietly with 0 (as ripgrep does) instead of panicking on the broken pipe.
#[test]
fn a_closed_stdout_ends_goflake_quietly() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "root-main");
    let flake = dir.join("flake.nix");
    let printing: [&[&str]; 6] = [
        &["man"],
        &["completions", "bash"],
        &["targets", "list", "--flake", s(&flake)],
        &["get", s(&flake), "targets"],
        &[
            "init",
            "--dry-run",
            "--force",
            "--no-verify-targets",
            s(&dir),
        ],
        &["nar-hash", s(&dir)],
    ];
    for args in printing {
        // The read end is closed before goflake starts, so its first write fails for sure.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(out.stderr.is_empty(), "{args:?}: {}", stderr(&out));
    }
}
