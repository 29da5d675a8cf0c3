//! `goflake inspect` over the fixture projects in `tests/fixtures/go/`.

use std::path::Path;

use crate::support::{copy_tree, goflake, s, stderr, stdout};

fn go_fixtures() -> std::path::PathBuf {
    goflake_testkit::workspace_root().join("tests/fixtures/go")
}

/// Runs `inspect` on a copy of the fixture (outside goflake's own git repository, so the
/// modRoot and version do not depend on it) and returns (exit code, output, the copy's dir).
fn inspect_copy(name: &str, extra: &[&str]) -> (Option<i32>, String) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("project");
    copy_tree(&go_fixtures().join(name.split('/').next().unwrap()), &root);
    let dir = match name.split_once('/') {
        Some((_, sub)) => root.join(sub),
        None => root.clone(),
    };
    // Snapshots read build constraints only: what compiles depends on the Go releases a
    // machine has (tests/cli/realistic.rs compiles targets).
    let mut args = vec!["inspect", "--no-verify-targets"];
    args.extend_from_slice(extra);
    args.push(s(&dir));
    let out = goflake(&args);
    let text = if out.status.success() {
        stdout(&out)
    } else {
        stderr(&out)
    };
    (out.status.code(), text.replace(s(&root), "<project>"))
}

#[test]
fn inspect_json_snapshots() {
    let cases = [
        "root-main",
        "cmd-multi",
        "library",
        "cgo",
        "workspace/app",
        "vendored",
        "nested",
        "v2-module",
        "every-directive",
        "goreleaser-v1",
        "goreleaser-v2",
        "goreleaser-anchors",
        "tooling-mains",
        "declared-version",
        "install-binary",
        "dep-no-wasm",
        "own-no-wasm",
    ];
    for case in cases {
        let (code, json) = inspect_copy(case, &["--json"]);
        assert_eq!(code, Some(0), "{case}: {json}");
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["schema"], 1);
        insta::assert_snapshot!(format!("inspect_json__{}", case.replace('/', "_")), json);
    }
}

#[test]
fn inspect_human_output() {
    let (code, text) = inspect_copy("cgo", &[]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("inspect_human__cgo", text);
}

#[test]
fn the_model_answers_what_the_issue_asks() {
    let json = |case: &str| -> serde_json::Value {
        let (code, text) = inspect_copy(case, &["--json"]);
        assert_eq!(code, Some(0), "{text}");
        serde_json::from_str(&text).unwrap()
    };
    let multi = json("cmd-multi");
    let binaries: Vec<&str> = multi["main_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["binary"].as_str().unwrap())
        .collect();
    // tools/gen is `//go:build ignore`; testdata, _examples and .hidden are skipped.
    assert_eq!(binaries, ["alpha", "beta", "winonly"]);

    let v2 = json("v2-module");
    assert_eq!(v2["main_packages"][0]["binary"], "tool");
    assert_eq!(v2["go"]["attr"], "go_1_26");
    assert_eq!(v2["go"]["builder"], "buildGoModule");

    let cgo = json("cgo");
    let required: Vec<(&str, bool)> = cgo["main_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["binary"].as_str().unwrap(),
                m["cgo"]["required"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        required,
        [
            ("direct", true),
            ("fallback", false),
            ("indirect", true),
            ("pure", false)
        ]
    );

    let vendored = json("vendored");
    assert_eq!(vendored["layout"]["vendor_committed"], true);
    let nested = json("nested");
    assert_eq!(nested["layout"]["nested_modules"][0], "tools");
    assert_eq!(nested["main_packages"].as_array().unwrap().len(), 1);
    let every = json("every-directive");
    assert_eq!(every["gomod"]["replace"][0]["local"], true);
    assert_eq!(
        every["layout"]["local_replaces"][0],
        "example.com/single => ./third_party/single"
    );
    let ws = json("workspace/app");
    assert_eq!(ws["layout"]["workspace"]["uses"][1], "./shared");
}

#[test]
fn bad_input_is_reported_with_positions() {
    let (code, err) = inspect_copy("bad-gomod", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        "error: <project>/go.mod:7:2: usage: require module/path v1.2.3\n"
    );

    let (code, err) = inspect_copy("bad-goreleaser", &[]);
    assert_eq!(code, Some(1));
    assert!(
        err.starts_with("error: <project>/.goreleaser.yaml:5:11: did not find expected ',' or ']'"),
        "{err}"
    );
    assert!(err.contains("--ignore-goreleaser"), "{err}");
    let (code, out) = inspect_copy("bad-goreleaser", &["--ignore-goreleaser"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("ignoring the GoReleaser file: <project>/.goreleaser.yaml:5:11"),
        "{out}"
    );

    // No go.mod, one module below: that module, with modRoot relative to the directory.
    let (code, out) = inspect_copy("not-a-module", &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("modRoot     src\n"), "{out}");

    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("README.md"), "no Go here\n").unwrap();
    let out = goflake(&["inspect", s(temp.path())]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a Go module (no go.mod)"),
        "{}",
        stderr(&out)
    );
}

fn git(dir: &Path, args: &[&str]) {
    let status = goflake_testkit::command("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// The version is the newest v* tag by semantic version; modRoot is the module's directory
/// inside the repository.
#[test]
fn version_from_tags_and_mod_root_from_the_repository() {
    if goflake_testkit::require_tool("inspect::version_from_tags", "git").is_none() {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path();
    copy_tree(&go_fixtures().join("root-main"), &repo.join("go/hello"));
    git(repo, &["init", "-q"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", "init"]);
    for tag in ["v1.2.0", "v1.10.0", "v1.11.0-rc.1", "nightly"] {
        git(repo, &["tag", tag]);
    }
    git(repo, &["pack-refs", "--all"]);
    git(repo, &["tag", "v1.10.1"]);
    let out = goflake(&["inspect", "--json", s(&repo.join("go/hello"))]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"]["version"], "1.11.0-rc.1");
    assert_eq!(json["mod_root"], "go/hello");
}

/// cgo inside a dependency: found with `go list -deps` (the static scan cannot see it), and
/// the truth checked with a build without cgo.
#[test]
fn cgo_inside_dependencies_is_found_with_go_list() {
    let test = "inspect::cgo_inside_dependencies";
    let Some(go) = goflake_testkit::require_tool(test, "go") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let proxy = goflake_testkit::GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let cache = temp.path().join("cache");
    let dir = temp.path().join("project");
    goflake_testkit::prepare_project(&go, &proxy, &cache, "cgo-dep", &dir);
    let out = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
        .args(["inspect", "--json"])
        .arg(&dir)
        .env("GOPROXY", proxy.url())
        .env("GOSUMDB", "off")
        .env("GOMODCACHE", cache.join("mod"))
        .env("GOCACHE", cache.join("build"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mains = json["main_packages"].as_array().unwrap();
    let native = mains.iter().find(|m| m["binary"] == "native").unwrap();
    assert_eq!(native["cgo"]["required"], true);
    assert_eq!(native["cgo"]["via"][0], "example.com/cgodep");
    assert_eq!(native["cgo"]["dependencies_checked"], true);
    let pure = mains.iter().find(|m| m["binary"] == "pure").unwrap();
    assert_eq!(pure["cgo"]["required"], false);
    assert_eq!(pure["cgo"]["dependencies_checked"], true);
    // The truth: without cgo, only the pure binary builds.
    for (binary, builds) in [("native", false), ("pure", true)] {
        let status = proxy
            .go(&go, &cache)
            .args(["build", "-o", "/dev/null", &format!("./cmd/{binary}")])
            .env("CGO_ENABLED", "0")
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(status.status.success(), builds, "{binary}");
    }
}
