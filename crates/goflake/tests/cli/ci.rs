//! `goflake ci github|gitlab`: snapshots, actionlint, YAML, the GitLab job graph, and
//! regeneration after `goflake targets add`.

use std::path::{Path, PathBuf};

use crate::support::{goflake, s, stderr, stdout};

/// A project with a generated flake and the given targets.
fn project(temp: &Path, name: &str, targets: &str) -> PathBuf {
    let dir = temp.join(name);
    assert!(goflake(&["new", s(&dir)]).status.success());
    let out = goflake(&["init", "--targets", targets, s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

const WORKFLOWS: [&str; 4] = ["check", "build", "release", "vendor-hash"];

#[test]
fn github_workflows_snapshots_yaml_and_actionlint() {
    let temp = tempfile::tempdir().unwrap();
    let actionlint =
        goflake_testkit::require_tool("ci::github_workflows (actionlint)", "actionlint");
    let zizmor = goflake_testkit::require_tool("ci::github_workflows (zizmor)", "zizmor");
    let cases: [(&str, &str, &[&str]); 4] = [
        ("few", "linux/amd64,js/wasm", &[]),
        (
            "many",
            "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64,js/wasm,wasip1/wasm",
            &[],
        ),
        (
            "cachix",
            "linux/amd64,darwin/arm64",
            &["--cachix", "my-cache"],
        ),
        ("single", "linux/amd64,windows/arm64", &["--single-job"]),
    ];
    for (name, targets, flags) in cases {
        let dir = project(temp.path(), name, targets);
        let mut args = vec!["ci", "github", s(&dir)];
        args.extend_from_slice(flags);
        let out = goflake(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        for workflow in WORKFLOWS {
            let path = dir.join(format!(".github/workflows/{workflow}.yml"));
            let text = read(&path);
            let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
                .unwrap_or_else(|e| panic!("{name}/{workflow}: {e}\n{text}"));
            assert!(yaml.get("jobs").is_some(), "{name}/{workflow}");
            insta::assert_snapshot!(format!("ci_github__{name}__{workflow}"), text);
            if let Some(actionlint) = &actionlint {
                let lint = goflake_testkit::command(actionlint)
                    .arg(&path)
                    .output()
                    .unwrap();
                assert!(
                    lint.status.success(),
                    "{name}/{workflow}:\n{}",
                    String::from_utf8_lossy(&lint.stdout)
                );
            }
        }
        // zizmor at its default persona: no finding on any generated configuration.
        if let Some(zizmor) = &zizmor {
            let audit = goflake_testkit::command(zizmor)
                .args(["--offline", "--no-progress"])
                .arg(dir.join(".github/workflows"))
                .output()
                .unwrap();
            let report = String::from_utf8_lossy(&audit.stdout);
            assert!(
                audit.status.success() && report.contains("No findings to report"),
                "{name}: zizmor:\n{report}{}",
                String::from_utf8_lossy(&audit.stderr)
            );
        }
        for workflow in WORKFLOWS {
            let text = read(&dir.join(format!(".github/workflows/{workflow}.yml")));
            let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
            for (job, spec) in yaml["jobs"].as_mapping().unwrap() {
                for step in spec["steps"].as_sequence().unwrap() {
                    // Values reach scripts through `env:`, never `${{ }}` inside `run:`.
                    if let Some(run) = step["run"].as_str() {
                        assert!(!run.contains("${{"), "{name}/{workflow}/{job:?}: {run}");
                    }
                    if step["uses"]
                        .as_str()
                        .is_some_and(|u| u.starts_with("actions/checkout@"))
                    {
                        assert_eq!(
                            step["with"]["persist-credentials"].as_bool(),
                            Some(false),
                            "{name}/{workflow}/{job:?}"
                        );
                    }
                }
            }
        }
        let release = read(&dir.join(".github/workflows/release.yml"));
        assert!(
            !release.contains("nix-cache") && !release.contains("cachix-action"),
            "a release never substitutes from a cache other jobs write:\n{release}"
        );
        let pinned = read(&dir.join(".github/workflows/check.yml"));
        assert!(
            pinned.contains("actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2"),
            "{pinned}"
        );
    }
    // Tags instead of SHAs only when asked (zizmor flags that choice, as it should).
    let dir = project(temp.path(), "tags", "linux/amd64");
    let out = goflake(&["ci", "github", "--pin-actions=false", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tagged = read(&dir.join(".github/workflows/check.yml"));
    assert!(tagged.contains("actions/checkout@v6.0.2\n"), "{tagged}");
}

#[test]
fn the_build_matrix_follows_the_targets_and_nothing_else_changes() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "app", "linux/amd64,windows/amd64");
    assert!(goflake(&["ci", "github", s(&dir)]).status.success());
    let before: Vec<String> = WORKFLOWS
        .iter()
        .map(|w| read(&dir.join(format!(".github/workflows/{w}.yml"))))
        .collect();
    let flake = dir.join("flake.nix");
    assert!(
        goflake(&["targets", "add", "linux/riscv64", "--flake", s(&flake)])
            .status
            .success()
    );
    let out = goflake(&["ci", "github", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (workflow, old) in WORKFLOWS.iter().zip(&before) {
        let new = read(&dir.join(format!(".github/workflows/{workflow}.yml")));
        if *workflow == "build" {
            let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
            let changed: Vec<String> = diff
                .iter_all_changes()
                .filter(|c| c.tag() != similar::ChangeTag::Equal)
                .map(|c| format!("{}{}", c.tag(), c.value()))
                .collect();
            assert_eq!(changed.len(), 4, "{changed:?}");
            assert!(changed[0].starts_with("-# Generated by `goflake ci`"));
            assert!(changed[1].starts_with("+# Generated by `goflake ci`"));
            assert_eq!(changed[2], "+          - target: linux/riscv64\n");
            assert_eq!(changed[3], "+            attr: app-linux-riscv64\n");
        } else {
            assert_eq!(&new, old, "{workflow} changed");
        }
    }
}

#[test]
fn hand_edited_files_are_not_overwritten_without_force() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "app", "linux/amd64");
    assert!(goflake(&["ci", "github", s(&dir)]).status.success());
    let check = dir.join(".github/workflows/check.yml");
    let edited = read(&check).replace(
        "nix flake check -L --no-build",
        "nix flake check -L --keep-going",
    );
    std::fs::write(&check, &edited).unwrap();
    let build = dir.join(".github/workflows/build.yml");
    std::fs::remove_file(&build).unwrap();
    let out = goflake(&["ci", "github", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(".github/workflows/check.yml"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&check), edited);
    assert!(!build.exists(), "a refusal writes nothing");
    let forced = goflake(&["ci", "github", "--force", s(&dir)]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(!read(&check).contains("--keep-going"));
    assert!(build.exists());
}

#[test]
fn gitlab_pipeline_and_its_job_graph() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "app", "linux/amd64,darwin/arm64,wasip1/wasm");
    for (flags, name) in [
        (&[][..], "matrix"),
        (&["--cachix", "my-cache"][..], "cachix"),
    ] {
        let mut args = vec!["ci", "gitlab", "--force", s(&dir)];
        args.extend_from_slice(flags);
        let out = goflake(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = read(&dir.join(".gitlab-ci.yml"));
        insta::assert_snapshot!(format!("ci_gitlab__{name}"), text.clone());
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
        let stages: Vec<&str> = yaml["stages"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(stages, ["check", "build", "release"]);
        for (job, stage) in [
            ("check", "check"),
            ("build", "build"),
            ("release", "release"),
        ] {
            assert_eq!(yaml[job]["stage"].as_str(), Some(stage), "{job}");
            assert!(
                yaml[job]["script"]
                    .as_sequence()
                    .is_some_and(|s| !s.is_empty()),
                "{job}"
            );
        }
        let attrs: Vec<&str> = yaml["build"]["parallel"]["matrix"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|m| m["ATTR"].as_str().unwrap())
            .collect();
        assert_eq!(
            attrs,
            ["app-linux-amd64", "app-darwin-arm64", "app-wasip1-wasm"]
        );
        let rule = yaml["release"]["rules"][0]["if"].as_str().unwrap();
        assert!(rule.contains("$CI_COMMIT_TAG"), "{rule}");
        assert!(
            yaml["check"]["script"][2]
                .as_str()
                .unwrap()
                .contains("vendor-hash --check")
        );
    }
    let dry = goflake(&["ci", "gitlab", "--dry-run", s(&dir)]);
    assert!(
        stdout(&dry).starts_with("# ---- .gitlab-ci.yml\n"),
        "{}",
        stdout(&dry)
    );
}

#[test]
fn the_vendor_hash_bot_runs_branch_code_only_with_the_branchs_rights() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "app", "linux/amd64");
    assert!(goflake(&["ci", "github", s(&dir)]).status.success());
    let text = read(&dir.join(".github/workflows/vendor-hash.yml"));
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    // pull_request: the branch's own token; never pull_request_target or workflow_run.
    let on = yaml["on"].as_mapping().unwrap();
    let triggers: Vec<&str> = on.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(triggers, ["pull_request"]);
    let paths: Vec<&str> = yaml["on"]["pull_request"]["paths"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(paths, ["go.mod", "go.sum"]);
    assert!(yaml["permissions"].as_mapping().unwrap().is_empty());
    let job = &yaml["jobs"]["vendor-hash"];
    let condition = job["if"].as_str().unwrap();
    assert!(
        condition.contains("head.repo.full_name == github.repository"),
        "{condition}"
    );
    assert_eq!(job["permissions"]["contents"], "write");
    assert_eq!(job["permissions"]["actions"], "write");
    let steps = job["steps"].as_sequence().unwrap();
    assert_eq!(
        steps[0]["with"]["ref"].as_str(),
        Some("${{ github.event.pull_request.head.sha }}"),
        "the exact head, not a branch name"
    );
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let goflake_pinned = format!(
        "nix run github:goflake/goflake/v{} -- vendor-hash --write --method nix --pure",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(runs[0], goflake_pinned);
    assert!(
        runs[1].contains("^sha256-[A-Za-z0-9+/]{43}=$"),
        "{}",
        runs[1]
    );
    // The push is not forced, and the fixed head gets check and build.
    assert!(
        runs[2].contains("git push") && !runs[2].contains("--force"),
        "{}",
        runs[2]
    );
    assert!(runs[2].contains("gh workflow run check.yml"), "{}", runs[2]);
    assert!(runs[2].contains("gh workflow run build.yml"), "{}", runs[2]);
    for workflow in ["check", "build"] {
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&read(
            &dir.join(format!(".github/workflows/{workflow}.yml")),
        ))
        .unwrap();
        assert!(yaml["on"].get("workflow_dispatch").is_some(), "{workflow}");
    }
    assert!(text.contains("# Trust model:"), "{text}");
}

#[test]
fn values_that_could_inject_are_refused() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "app", "linux/amd64");
    for name in ["my-cache\nfoo: bar", "a;curl x|sh", "Upper", "$(id)"] {
        for provider in ["github", "gitlab"] {
            let out = goflake(&["ci", provider, "--dry-run", "--cachix", name, s(&dir)]);
            assert_eq!(out.status.code(), Some(1), "{name:?}: {}", stdout(&out));
            assert!(
                stderr(&out).contains("Cachix cache name"),
                "{}",
                stderr(&out)
            );
            assert!(stdout(&out).is_empty());
        }
    }
    // A pname that is no Nix attribute name (a hand-edited flake) is refused too.
    let flake = dir.join("flake.nix");
    let set = goflake(&["set", s(&flake), "outputs.pname", "a\";curl x|sh;#"]);
    assert!(set.status.success(), "{}", stderr(&set));
    let out = goflake(&["ci", "github", "--dry-run", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("pname"), "{}", stderr(&out));
}
