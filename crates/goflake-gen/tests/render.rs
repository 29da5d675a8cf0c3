//! Generated flakes for the Go fixture projects: snapshots, real `nix-instantiate --parse`,
//! and re-running on the output changes nothing.

use goflake_gen::{GenError, SpecOptions, render, spec_from_project};
use goflake_gomod::LoadOptions;
use goflake_syntax::SourceFile;

fn load(case: &str) -> (tempfile::TempDir, goflake_gomod::Project) {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().join("project");
    let fixtures = goflake_testkit::workspace_root().join("tests/fixtures/go");
    goflake_testkit::copy_tree(&fixtures.join(case.split('/').next().unwrap()), &root);
    let dir = match case.split_once('/') {
        Some((_, sub)) => root.join(sub),
        None => root,
    };
    let project = goflake_gomod::load(&dir, LoadOptions::default()).unwrap();
    (temp, project)
}

const CASES: &[(&str, bool)] = &[
    ("root-main", false),
    ("cmd-multi", false),
    ("cgo", false),
    ("workspace/app", false),
    ("vendored", false),
    ("nested", false),
    ("v2-module", false),
    ("every-directive", false),
    ("goreleaser-v1", false),
    ("goreleaser-v1", true),
    ("goreleaser-v2", true),
    ("with-deps", false),
];

#[test]
fn generated_flakes() {
    let nix = goflake_testkit::require_tool("render::generated_flakes", "nix-instantiate");
    for &(case, from_goreleaser) in CASES {
        let (_temp, project) = load(case);
        let options = SpecOptions {
            from_goreleaser,
            ..SpecOptions::default()
        };
        let (spec, warnings) = spec_from_project(&project, &options).unwrap();
        let text = render(&spec).unwrap();
        let name = format!(
            "flake__{}{}",
            case.replace('/', "_"),
            if from_goreleaser {
                "__from_goreleaser"
            } else {
                ""
            }
        );
        let shown = format!(
            "{text}\n# warnings:\n{}",
            warnings
                .iter()
                .map(|w| format!("# - {w}\n"))
                .collect::<String>()
        );
        insta::assert_snapshot!(name, shown);
        if let Some(nix) = &nix {
            goflake_testkit::assert_nix_parses_text(nix, &text, case);
        }
        // Re-running on its own output changes nothing.
        let file = SourceFile::parse("flake.nix", text.as_str());
        assert_eq!(
            goflake_gen::Flake::new(file)
                .update(
                    &spec,
                    goflake_gen::UpdateRequest {
                        targets_given: true,
                        version_from_tag: true,
                        nixpkgs_given: false,
                    },
                )
                .unwrap(),
            Vec::new(),
            "{case}"
        );
    }
}

#[test]
fn a_library_is_refused() {
    let (_temp, project) = load("library");
    let err = spec_from_project(&project, &SpecOptions::default()).unwrap_err();
    assert_eq!(
        err,
        GenError::NoMainPackage {
            module: "example.com/lib".into()
        }
    );
}

#[test]
fn unknown_targets_list_the_valid_ones() {
    assert!(goflake_gen::check_target("linux/amd64").is_ok());
    let err = goflake_gen::check_target("plan10/risc").unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("`plan10/risc` is not a GOOS/GOARCH pair Go can build"),
        "{text}"
    );
    assert!(text.contains("wasip1/wasm"), "{text}");
}

/// `nix flake check --no-build` of every system (current Nix checks only the host's unless
/// `--all-systems`; Nix 2.8 checks them all and has no such flag): the outputs' schema.
fn flake_check(nix: &goflake_testkit::NixEnv, flake: &std::path::Path) -> std::process::Output {
    let help = goflake_testkit::run_ok(nix.command().args(["flake", "check", "--help"]));
    let mut command = nix.command();
    command.args(["flake", "check", "--no-build"]);
    if help.contains("--all-systems") {
        command.arg("--all-systems");
    }
    command
        .args(nix.override_nixpkgs())
        .arg(format!("path:{}", flake.display()));
    goflake_testkit::nix::output(&mut command).unwrap()
}

/// `nix eval --json` of `<flake>#<attr>` with `--apply`, import from derivation refused:
/// evaluating a `drvPath` writes the derivation, and anything the evaluation would have to
/// build first is an error.
fn eval_without_ifd(
    nix: &goflake_testkit::NixEnv,
    flake: &std::path::Path,
    attr: &str,
    apply: &str,
) -> std::process::Output {
    let mut command = nix.command();
    command
        .args(["eval", "--json"])
        .args(["--option", "allow-import-from-derivation", "false"])
        .args(nix.override_nixpkgs())
        .arg(format!("path:{}#{attr}", flake.display()))
        .args(["--apply", apply]);
    goflake_testkit::nix::output(&mut command).unwrap()
}

/// Every derivation of a `<system>.<name>` set (packages, checks, devShells), by system.
const DRV_PATHS: &str = "builtins.mapAttrs (system: builtins.mapAttrs (name: drv: drv.drvPath))";

/// Remote builders and CI services evaluate first and build after: a generated flake must
/// evaluate without building anything (no import from derivation), on every system, and its
/// `hydraJobs` and `checks` hold every package of every system.
#[test]
fn generated_flakes_evaluate_on_every_system_without_import_from_derivation() {
    let Some(nix) = goflake_testkit::NixEnv::new("render::without_ifd") else {
        return;
    };
    // The control: this harness does refuse import from derivation.
    let control = tempfile::tempdir().unwrap();
    std::fs::write(
        control.path().join("flake.nix"),
        r#"{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
  outputs = { self, nixpkgs }: {
    packages.x86_64-linux.default = import (derivation {
      name = "x.nix";
      system = "x86_64-linux";
      builder = "/bin/sh";
      args = [ "-c" "echo '{ }' > $out" ];
    });
  };
}
"#,
    )
    .unwrap();
    let refused = eval_without_ifd(&nix, control.path(), "packages", DRV_PATHS);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && said.contains("allow-import-from-derivation"),
        "a flake importing from a derivation passed: {said}"
    );

    let mut flakes: Vec<(String, tempfile::TempDir, std::path::PathBuf)> = Vec::new();
    for &(case, from_goreleaser) in CASES {
        let (temp, project) = load(case);
        let options = SpecOptions {
            from_goreleaser,
            ..SpecOptions::default()
        };
        let (spec, _) = spec_from_project(&project, &options).unwrap();
        // A well-formed hash stands in for one not computed yet: nothing is built, and the
        // flake evaluates as it will once `vendor-hash --write` ran (with its build caches).
        let text = render(&spec).unwrap().replace(
            "throw \"vendorHash is not computed yet: run `goflake vendor-hash --write`\"",
            "\"sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"",
        );
        std::fs::write(project.dir.join("flake.nix"), text).unwrap();
        let dir = project.dir.clone();
        flakes.push((case.to_owned(), temp, dir));
    }
    for template in ["cli", "wasm", "service"] {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join(template);
        goflake_testkit::copy_tree(
            &goflake_testkit::workspace_root()
                .join("templates")
                .join(template),
            &dir,
        );
        flakes.push((format!("templates/{template}"), temp, dir));
    }

    let names = "builtins.mapAttrs (system: builtins.attrNames)";
    for (name, _temp, dir) in &flakes {
        let checked = flake_check(&nix, dir);
        assert!(
            checked.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&checked.stderr)
        );
        let stdout = |output: std::process::Output| {
            assert!(
                output.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8(output.stdout).unwrap()
        };
        let jobs = stdout(eval_without_ifd(
            &nix,
            dir,
            "hydraJobs",
            &format!("jobs: ({DRV_PATHS}) jobs.packages"),
        ));
        stdout(eval_without_ifd(&nix, dir, "devShells", DRV_PATHS));
        // Every package of every system is a Hydra job and a check.
        let job_names = stdout(eval_without_ifd(
            &nix,
            dir,
            "hydraJobs",
            &format!("jobs: ({names}) jobs.packages"),
        ));
        let packages = stdout(eval_without_ifd(&nix, dir, "packages", names));
        let checks = stdout(eval_without_ifd(&nix, dir, "checks", names));
        assert_eq!(job_names, packages, "{name}");
        assert_eq!(checks, packages, "{name}");
        for expected in [
            "x86_64-linux",
            "aarch64-darwin",
            "\"release\"",
            "\"default\"",
        ] {
            assert!(job_names.contains(expected), "{name}: {job_names}");
        }
        // Each job evaluated to its derivation.
        let jobs: serde_json::Value = serde_json::from_str(&jobs).unwrap();
        let job_names: serde_json::Value = serde_json::from_str(&job_names).unwrap();
        for (system, names) in job_names.as_object().unwrap() {
            for job in names.as_array().unwrap() {
                let drv = jobs[system][job.as_str().unwrap()]
                    .as_str()
                    .unwrap_or_default();
                assert!(drv.ends_with(".drv"), "{name}: {system}.{job}: {drv}");
            }
        }
    }
}
