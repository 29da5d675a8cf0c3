//! Generated flakes for the Go fixture projects: snapshots, real `nix-instantiate --parse`,
//! and re-running on the output changes nothing.

use goflake_gen::{GenError, SpecOptions, render, spec_from_project, update};
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
            update(
                &file,
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
    let (_temp, project) = load("root-main");
    let options = SpecOptions {
        targets: Some(vec!["linux/amd64".into(), "plan10/risc".into()]),
        ..SpecOptions::default()
    };
    let err = spec_from_project(&project, &options).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("`plan10/risc` is not a GOOS/GOARCH pair Go can build"),
        "{text}"
    );
    assert!(text.contains("wasip1/wasm"), "{text}");
}
