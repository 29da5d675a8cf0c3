//! Cross-checks the model's main packages against `go list`, the authority, on the fixture
//! projects that `go list` can load offline. Skipped (and said so) without `go`.

use std::collections::BTreeSet;
use std::path::Path;

fn go_list_mains(go: &Path, dir: &Path) -> BTreeSet<String> {
    let cache = tempfile::tempdir().unwrap();
    let output = goflake_testkit::command(go)
        .args([
            "list",
            "-e",
            "-f",
            "{{if eq .Name \"main\"}}{{.ImportPath}}{{end}}",
            "./...",
        ])
        .current_dir(dir)
        .env("GOWORK", "off")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "1")
        .env("GOOS", "linux")
        .env("GOARCH", "amd64")
        .env("GOMODCACHE", cache.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "go list in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn main_packages_match_go_list() {
    let Some(go) = goflake_testkit::require_tool("go_list::main_packages_match_go_list", "go")
    else {
        return;
    };
    let fixtures = goflake_testkit::workspace_root().join("tests/fixtures/go");
    let cases = [
        "root-main",
        "cmd-multi",
        "library",
        "cgo",
        "vendored",
        "nested",
        "v2-module",
        "goreleaser-v1",
        "goreleaser-v2",
    ];
    for case in cases {
        let dir = fixtures.join(case);
        let project = goflake_gomod::load(&dir, goflake_gomod::LoadOptions::default()).unwrap();
        // What builds on the host (linux/amd64, cgo on), as go list sees it.
        let ours: BTreeSet<String> = project
            .main_packages
            .iter()
            .filter(|m| m.cgo.required || m.targets.iter().any(|t| t == "linux/amd64"))
            .map(|m| m.import_path.clone())
            .collect();
        assert_eq!(ours, go_list_mains(&go, &dir), "{case}");
    }
}

/// The model's cgo answer for each main package is the truth: `go build` with cgo off
/// succeeds exactly for the packages the model says do not require cgo.
#[test]
fn cgo_requirement_matches_a_build_without_cgo() {
    let Some(go) = goflake_testkit::require_tool("go_list::cgo_requirement_matches", "go") else {
        return;
    };
    let dir = goflake_testkit::workspace_root().join("tests/fixtures/go/cgo");
    let project = goflake_gomod::load(&dir, goflake_gomod::LoadOptions::default()).unwrap();
    assert_eq!(project.main_packages.len(), 4);
    let out = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    for main in &project.main_packages {
        let output = goflake_testkit::command(&go)
            .args(["build", "-o"])
            .arg(out.path().join(&main.binary))
            .arg(&main.import_path)
            .current_dir(&dir)
            .env("CGO_ENABLED", "0")
            .env("GOFLAGS", "")
            .env("GOPROXY", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOCACHE", cache.path())
            .output()
            .unwrap();
        assert_eq!(
            output.status.success(),
            !main.cgo.required,
            "{}: {}",
            main.binary,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
