//! The project templates: each `templates/<name>/flake.nix` (what `nix flake init -t` copies)
//! is exactly what goflake generates for that project, and `import` of a shell.nix.

use goflake_gen::scaffold::{SCAFFOLDS, files};
use goflake_gen::{SpecOptions, render, spec_from_project};
use goflake_gomod::LoadOptions;
use goflake_syntax::SourceFile;

fn generate(scaffold: &goflake_gen::scaffold::Scaffold) -> String {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join(scaffold.name);
    std::fs::create_dir_all(&dir).unwrap();
    for (path, text) in files(scaffold, scaffold.module, scaffold.name) {
        std::fs::write(dir.join(path), text).unwrap();
    }
    let project = goflake_gomod::load(&dir, LoadOptions::default()).unwrap();
    let options = SpecOptions {
        targets: scaffold.spec_targets(),
        vendor_fingerprint: Some(goflake_gomod::vendor_fingerprint(
            &project.dir,
            &project.mod_root,
            false,
        )),
        ..SpecOptions::default()
    };
    render(&spec_from_project(&project, &options).unwrap().0).unwrap()
}

/// Set GOFLAKE_UPDATE_TEMPLATES=1 to rewrite them after changing the generator.
#[test]
fn template_flakes_are_what_goflake_generates() {
    let root = goflake_testkit::workspace_root().join("templates");
    for scaffold in SCAFFOLDS {
        let generated = generate(scaffold);
        let path = root.join(scaffold.name).join("flake.nix");
        if std::env::var("GOFLAKE_UPDATE_TEMPLATES").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(committed, generated, "{} is out of date", path.display());
    }
}

#[test]
fn scaffolds_use_the_given_module_path() {
    let cli = goflake_gen::scaffold::scaffold("cli").unwrap();
    let files = files(cli, "github.com/me/tool", "tool");
    let go_mod = &files.iter().find(|(p, _)| p == "go.mod").unwrap().1;
    assert!(
        go_mod.starts_with("module github.com/me/tool\n"),
        "{go_mod}"
    );
    let readme = &files.iter().find(|(p, _)| p == "README.md").unwrap().1;
    assert!(readme.starts_with("# tool\n"), "{readme}");
}

#[test]
fn import_carries_a_mk_shell_into_the_devshell() {
    let shell_text = std::fs::read_to_string(
        goflake_testkit::workspace_root().join("tests/fixtures/nix/shell-mkshell.nix"),
    )
    .unwrap();
    let shell = SourceFile::parse("shell.nix", shell_text);
    let flake_text = generate(goflake_gen::scaffold::scaffold("cli").unwrap());
    let flake = SourceFile::parse("flake.nix", flake_text.as_str());
    let (edits, warnings) = goflake_gen::import::import_shell(&shell, &flake).unwrap();
    let edited = goflake_syntax::apply(&flake, edits).unwrap();
    let diff = similar::TextDiff::from_lines(flake.text(), edited.text())
        .unified_diff()
        .context_radius(1)
        .to_string();
    insta::assert_snapshot!(format!("{diff}\n# warnings: {warnings:?}\n"));
    // Importing again changes nothing.
    let (again, _) = goflake_gen::import::import_shell(&shell, &edited).unwrap();
    assert_eq!(again, Vec::new());
}
