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
        let mut args = vec![
            "ci",
            "github",
            "--goflake",
            crate::support::PINNED_GOFLAKE,
            s(&dir),
        ];
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
        // zizmor, as a maintainer runs it and as an auditor does (false positives allowed):
        // no finding on any generated configuration.
        if let Some(zizmor) = &zizmor {
            for persona in ["regular", "auditor"] {
                let audit = goflake_testkit::command(zizmor)
                    .args(["--offline", "--no-progress", "--persona", persona])
                    .arg(dir.join(".github/workflows"))
                    .output()
                    .unwrap();
                let report = String::from_utf8_lossy(&audit.stdout);
                assert!(
                    audit.status.success() && report.contains("No findings to report"),
                    "{name}: zizmor --persona {persona}:\n{report}{}",
                    String::from_utf8_lossy(&audit.stderr)
                );
            }
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
    let out = crate::support::ci("github", &["--pin-actions=false", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tagged = read(&dir.join(".github/workflows/check.yml"));
    assert!(tagged.contains("actions/checkout@v6.0.2\n"), "{tagged}");
}

#[test]
fn the_build_matrix_follows_the_targets_and_nothing_else_changes() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "app", "linux/amd64,windows/amd64");
    assert!(crate::support::ci("github", &[s(&dir)]).status.success());
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
    let out = crate::support::ci("github", &[s(&dir)]);
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
    assert!(crate::support::ci("github", &[s(&dir)]).status.success());
    let check = dir.join(".github/workflows/check.yml");
    let edited = read(&check).replace(
        "nix flake check -L --no-build",
        "nix flake check -L --keep-going",
    );
    std::fs::write(&check, &edited).unwrap();
    let build = dir.join(".github/workflows/build.yml");
    std::fs::remove_file(&build).unwrap();
    let out = crate::support::ci("github", &[s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(".github/workflows/check.yml"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&check), edited);
    assert!(!build.exists(), "a refusal writes nothing");
    let forced = crate::support::ci("github", &["--force", s(&dir)]);
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
        let mut args = vec![
            "ci",
            "gitlab",
            "--goflake",
            crate::support::PINNED_GOFLAKE,
            "--force",
            s(&dir),
        ];
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
    let dry = crate::support::ci("gitlab", &["--dry-run", s(&dir)]);
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
    assert!(crate::support::ci("github", &[s(&dir)]).status.success());
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
    // `compute` runs the branch's code: a read-only token, none in Nix's configuration.
    let compute = &yaml["jobs"]["compute"];
    let condition = compute["if"].as_str().unwrap();
    assert!(
        condition.contains("head.repo.full_name == github.repository"),
        "{condition}"
    );
    assert_eq!(
        compute["permissions"].as_mapping().unwrap().len(),
        1,
        "{:?}",
        compute["permissions"]
    );
    assert_eq!(compute["permissions"]["contents"], "read");
    let steps = compute["steps"].as_sequence().unwrap();
    assert_eq!(
        steps[0]["with"]["ref"].as_str(),
        Some("${{ github.event.pull_request.head.sha }}"),
        "the exact head, not a branch name"
    );
    let install = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("cachix/install-nix-action@"))
        })
        .unwrap();
    assert_eq!(install["with"]["github_access_token"].as_str(), Some(""));
    let run = steps.iter().find_map(|s| s["run"].as_str()).unwrap();
    assert!(
        run.contains(&format!(
            "nix run '{}' -- vendor-hash --write --method nix --pure",
            crate::support::PINNED_GOFLAKE
        )),
        "{run}"
    );
    assert!(
        steps.iter().all(|s| s.get("env").is_none()),
        "no secret reaches compute"
    );
    // `push` holds the write token and runs no Nix and no code of the branch.
    let push = &yaml["jobs"]["push"];
    assert_eq!(push["needs"], "compute");
    assert_eq!(push["permissions"]["contents"], "write");
    assert_eq!(push["permissions"]["actions"], "write");
    let steps = push["steps"].as_sequence().unwrap();
    for step in steps {
        let uses = step["uses"].as_str().unwrap_or_default();
        let run = step["run"].as_str().unwrap_or_default();
        assert!(
            !uses.contains("install-nix") && !run.contains("nix "),
            "{step:?}"
        );
    }
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    // The push is not forced, and the fixed head gets check and build.
    assert!(
        runs[1].contains("git push") && !runs[1].contains("--force"),
        "{}",
        runs[1]
    );
    assert!(runs[1].contains("gh workflow run check.yml"), "{}", runs[1]);
    assert!(runs[1].contains("gh workflow run build.yml"), "{}", runs[1]);
    the_push_job_applies_only_a_vendor_hash_line(runs[0]);
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
            let out = crate::support::ci(provider, &["--dry-run", "--cachix", name, s(&dir)]);
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
    let out = crate::support::ci("github", &["--dry-run", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("pname"), "{}", stderr(&out));
}

/// Runs the push job's check on patches in a real git repository: it applies one changed
/// vendorHash line of flake.nix and refuses anything else.
fn the_push_job_applies_only_a_vendor_hash_line(script: &str) {
    let Some(bash) = goflake_testkit::require_tool("ci::push_job_check", "bash") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        goflake_testkit::run_ok(
            goflake_testkit::command("git")
                .current_dir(&repo)
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args),
        )
    };
    let flake = "{\n  outputs = _: { };\n  vendorHash = null; # goflake: vendor fingerprint 0a1b\n  version = \"1.0\";\n}\n";
    let fixed = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    git(&["init", "-q"]);
    std::fs::write(repo.join("flake.nix"), flake).unwrap();
    std::fs::write(repo.join("go.mod"), "module x\n").unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    let patch_of = |files: &[(&str, String)]| {
        for (name, text) in files {
            std::fs::write(repo.join(name), text).unwrap();
        }
        let patch = git(&["diff"]);
        git(&["checkout", "--", "."]);
        use std::io::Write;
        let mut child = goflake_testkit::command("base64")
            .arg("-w0")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(patch.as_bytes())
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    let one_line = flake.replace(
        "vendorHash = null; # goflake: vendor fingerprint 0a1b",
        &format!("vendorHash = \"{fixed}\"; # goflake: vendor fingerprint 9f9f"),
    );
    let cases = [
        (
            "one vendorHash line",
            patch_of(&[("flake.nix", one_line.clone())]),
            true,
        ),
        (
            "a second line changed",
            patch_of(&[("flake.nix", one_line.replace("1.0", "6.6.6"))]),
            false,
        ),
        (
            "another file too",
            patch_of(&[
                ("flake.nix", one_line.clone()),
                ("go.mod", "module evil\n".into()),
            ]),
            false,
        ),
        (
            "more than a hash on the line",
            patch_of(&[(
                "flake.nix",
                flake.replace(
                    "vendorHash = null; # goflake: vendor fingerprint 0a1b",
                    &format!("vendorHash = \"{fixed}\"; preBuild = \"curl x|sh\";"),
                ),
            )]),
            false,
        ),
        (
            "not a hash",
            patch_of(&[(
                "flake.nix",
                flake.replace("vendorHash = null;", "vendorHash = \"sha256-short\";"),
            )]),
            false,
        ),
    ];
    for (what, patch, accepted) in cases {
        git(&["reset", "-q", "--hard"]);
        let out = goflake_testkit::command(&bash)
            .args(["-e", "-o", "pipefail", "-c", script])
            .current_dir(&repo)
            .env("PATCH", &patch)
            .env("RUNNER_TEMP", temp.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.success(),
            accepted,
            "{what}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if accepted {
            let staged = git(&["diff", "--cached", "--name-only"]);
            assert_eq!(staged, "flake.nix\n", "{what}");
        }
    }
}

/// goflake runs in CI from a pinned commit, never a tag: a binary that knows no revision of
/// its own (this one is built by cargo) asks for one, and a ref that pins nothing is refused.
#[test]
fn ci_pins_goflake_by_commit_and_nar_hash() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path(), "app", "linux/amd64");
    let out = goflake(&["ci", "github", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("this goflake was not built from a pinned revision")
            && stderr(&out)
                .contains("pass --goflake github:goflake/goflake/<commit>?narHash=sha256-…"),
        "{}",
        stderr(&out)
    );
    let out = goflake(&[
        "ci",
        "gitlab",
        "--goflake",
        "github:goflake/goflake/v0.1.0",
        s(&dir),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "goflake flake reference `github:goflake/goflake/v0.1.0` cannot be used in CI files"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join(".github").exists() && !dir.join(".gitlab-ci.yml").exists());
}
