//! `--json` on every command that prints a result (schemas: docs/json.md), and a list that
//! makes every new command say whether it prints one.

use std::path::Path;

use crate::support::{goflake, s, stderr};

/// `ci github` with the test pin.
const CI_GITHUB: &[&str] = &["ci", "github", "--goflake", crate::support::PINNED_GOFLAKE];

/// Commands that print a result, and so take `--json` (`targets list` for `targets`).
const WITH_RESULT: &[&str] = &[
    "init",
    "vendor-hash",
    "ci",
    "build",
    "check",
    "nar-hash",
    "new",
    "targets",
    "inspect",
    "get",
];

/// Commands whose output is not a result: the program's own output (`run`), an edit (with
/// `--diff`/`--check`), a script or page for another program.
const WITHOUT_RESULT: &[&str] = &["run", "import", "set", "completions", "man", "help"];

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut command = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"));
    let out = command
        .args(args)
        .current_dir(dir)
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn every_command_is_classed_as_printing_a_result_or_not_and_the_ones_that_do_take_json() {
    let help = crate::support::stdout(&goflake(&["--help"]));
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(commands.len() > 10, "{help}");
    for command in &commands {
        assert!(
            WITH_RESULT.contains(command) != WITHOUT_RESULT.contains(command),
            "`{command}` is new: add it to WITH_RESULT (and give it --json) or WITHOUT_RESULT"
        );
    }
    for command in WITH_RESULT {
        let args: &[&str] = match *command {
            "ci" => &["ci", "github", "--help"],
            "targets" => &["targets", "list", "--help"],
            command => &[command, "--help"],
        };
        let help = crate::support::stdout(&goflake(args));
        assert!(help.contains("--json"), "{args:?} has no --json:\n{help}");
    }
    // init --dry-run prints the flake (or its diff) on stdout: not with --json.
    let both = goflake(&["init", "--dry-run", "--json"]);
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}

#[test]
fn new_targets_check_nar_hash_and_ci_print_their_results_as_json() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("tool");

    let created = json(temp.path(), &["new", s(&dir), "--json"]);
    assert_eq!(created["module"], "example.com/tool");
    assert_eq!(created["template"], "cli");
    let files: Vec<&str> = created["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"go.mod") && files.contains(&"flake.nix"),
        "{files:?}"
    );
    for file in &files {
        assert!(dir.join(file).is_file(), "{file}");
    }

    let targets = json(&dir, &["targets", "list", "--json"]);
    let listed = targets["targets"].as_array().unwrap();
    assert_eq!(listed.len(), 8, "{targets}");
    assert_eq!(listed[0]["target"], "linux/amd64");
    assert_eq!(listed[0]["attr"], "tool-linux-amd64");

    let checked = json(&dir, &["check", "--no-nix", "--json"]);
    assert_eq!(checked["ok"], true, "{checked}");
    assert_eq!(checked["nix_flake_check"], false);
    assert_eq!(checked["problems"].as_array().unwrap().len(), 0);

    let hashed = json(&dir, &["nar-hash", "go.mod", "--json"]);
    let plain = crate::support::stdout(&goflake(&["nar-hash", s(&dir.join("go.mod"))]));
    assert_eq!(hashed["sri"], plain.trim());
    let hex = crate::support::stdout(&goflake(&[
        "nar-hash",
        "--base",
        "hex",
        s(&dir.join("go.mod")),
    ]));
    assert_eq!(hashed["hex"], hex.trim());

    let planned = json(&dir, &[CI_GITHUB, &["--dry-run", "--json"]].concat());
    assert_eq!(planned["dry_run"], true);
    let planned = planned["files"].as_array().unwrap().clone();
    assert!(!dir.join(".github").exists(), "a dry run wrote files");
    let written = json(&dir, &[CI_GITHUB, &["--json"]].concat());
    assert_eq!(written["provider"], "github");
    let written = written["files"].as_array().unwrap();
    assert_eq!(written.len(), planned.len());
    for (file, plan) in written.iter().zip(&planned) {
        assert_eq!(file["status"], "wrote", "{file}");
        let on_disk = std::fs::read_to_string(dir.join(file["path"].as_str().unwrap())).unwrap();
        assert_eq!(plan["text"], on_disk.as_str());
    }
    let again = json(&dir, &[CI_GITHUB, &["--json"]].concat());
    assert!(
        again["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["status"] == "unchanged"),
        "{again}"
    );
}

#[test]
fn check_json_lists_the_problems_and_still_fails() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("stale");
    assert!(goflake(&["new", s(&dir)]).status.success());
    let flake = dir.join("flake.nix");
    let text = std::fs::read_to_string(&flake).unwrap();
    std::fs::write(
        &flake,
        text.replace("vendorHash = null;", "vendorHash = \"not a hash\";"),
    )
    .unwrap();
    let out = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
        .args(["check", "--no-nix", "--json"])
        .current_dir(&dir)
        .env("GOPROXY", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let problems = report["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.as_str().unwrap().contains("vendorHash is not a hash")),
        "{report}"
    );
}
