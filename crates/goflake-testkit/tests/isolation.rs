//! Every process a test starts sees the suite's Go, git and XDG state, never the user's:
//! `.ci/run` runs the suite under a HOME it first fills with hostile state (a newer
//! checksum-database tree, `go env -w` settings, a git config) to prove it.

use goflake_testkit::isolation::SuiteState;
use goflake_testkit::{command, require_tool, run_ok};

#[test]
fn a_tests_go_runs_with_the_suites_state() {
    let Some(go) = require_tool("isolation::a_tests_go_runs_with_the_suites_state", "go") else {
        return;
    };
    let state = SuiteState::get();
    let env = run_ok(command(&go).args([
        "env",
        "GOPATH",
        "GOMODCACHE",
        "GOCACHE",
        "GOENV",
        "GOFLAGS",
        "GOPROXY",
        "GOOS",
    ]));
    let host_os = run_ok(command(&go).args(["env", "GOHOSTOS"]));
    let expected = [
        state.gopath.display().to_string(),
        state.gopath.join("pkg/mod").display().to_string(),
        state.gocache.display().to_string(),
        state.home.join(".config/go/env").display().to_string(),
        String::new(),
        "off".into(),
        host_os.trim().to_owned(),
    ];
    assert_eq!(env.lines().collect::<Vec<_>>(), expected);
    assert!(
        state
            .home
            .starts_with(goflake_testkit::workspace_root().join("target/test-state"))
    );
}

#[test]
fn the_suites_gopath_knows_the_tree_the_toolchains_were_verified_against() {
    let Some(toolchains) = goflake_testkit::require_toolchains(
        "isolation::the_suites_gopath_knows_the_tree_the_toolchains_were_verified_against",
    ) else {
        return;
    };
    let latest = "pkg/sumdb/sum.golang.org/latest";
    let verified = goflake_testkit::toolchain_cache()
        .unwrap()
        .join("gopath")
        .join(latest);
    let seeded = SuiteState::get().gopath.join(latest);
    assert_eq!(
        std::fs::read_to_string(&seeded).unwrap_or_default(),
        std::fs::read_to_string(&verified)
            .unwrap_or_else(|e| panic!("{}: {e} (proxy {toolchains})", verified.display())),
    );
}

#[test]
fn a_tests_git_reads_no_user_config() {
    let Some(git) = require_tool("isolation::a_tests_git_reads_no_user_config", "git") else {
        return;
    };
    let out = command(&git)
        .args(["config", "--global", "--list"])
        .output()
        .unwrap();
    // Exit 1 (no file) or an empty list: nothing of the user's.
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let home = run_ok(command("sh").args(["-c", "echo \"$HOME\""]));
    assert_eq!(home.trim(), SuiteState::get().home.display().to_string());
}

/// The rule above holds only if no test starts a process around it.
#[test]
fn every_process_a_test_starts_is_isolated() {
    let root = goflake_testkit::workspace_root();
    let mut files = Vec::new();
    for crate_dir in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        collect_rust_files(&crate_dir.path().join("tests"), &mut files);
    }
    collect_rust_files(&root.join("crates/goflake-testkit/src"), &mut files);
    assert!(files.len() > 20, "the test sources were found: {files:?}");
    let starting = |text: &str| text.contains(&["Command", "::new("].concat());
    let offenders: Vec<_> = files
        .iter()
        .filter(|file| !file.ends_with("goflake-testkit/src/isolation.rs"))
        .filter(|file| starting(&std::fs::read_to_string(file).unwrap()))
        .collect();
    assert!(
        offenders.is_empty(),
        "start processes with goflake_testkit::command: {offenders:?}"
    );
}

fn collect_rust_files(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            collect_rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}
