//! `goflake init`, `targets`, `new` and `import`, without building.

use std::path::Path;

use crate::support::{copy_tree, goflake, s, stderr, stdout};

fn go_fixture(name: &str, to: &Path) {
    copy_tree(
        &goflake_testkit::workspace_root()
            .join("tests/fixtures/go")
            .join(name),
        to,
    );
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn init_writes_a_flake_and_rerunning_changes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("hello");
    go_fixture("root-main", &dir);
    let out = goflake(&["init", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("created"), "{}", stderr(&out));
    let flake = dir.join("flake.nix");
    let first = read(&flake);
    assert!(first.contains("pname = \"hello\";"));
    // `var version = "dev"` and no tag: the project has no version, so none is stamped.
    assert!(first.contains("version = \"0-unstable\";"), "{first}");
    assert!(!first.contains("-X main.version"), "{first}");

    let again = goflake(&["init", "--json", s(&dir)]);
    assert!(again.status.success(), "{}", stderr(&again));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["action"], "unchanged");
    assert_eq!(read(&flake), first);
}

#[test]
fn init_keeps_user_edits_and_updates_what_must_change() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("multi");
    go_fixture("cmd-multi", &dir);
    assert!(goflake(&["init", s(&dir)]).status.success());
    let flake = dir.join("flake.nix");
    // The user drops a target and edits the description; a new binary appears.
    let edited = read(&flake)
        .replace("        \"windows/arm64\"\n", "")
        .replace("multi: a Go program", "Multi, my way: a Go program");
    std::fs::write(&flake, &edited).unwrap();
    std::fs::create_dir_all(dir.join("cmd/gamma")).unwrap();
    std::fs::write(
        dir.join("cmd/gamma/main.go"),
        "package main\n\nfunc main() {}\n",
    )
    .unwrap();

    let out = goflake(&["init", "--dry-run", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let diff = stdout(&out);
    assert!(diff.contains("+        \"cmd/gamma\""), "{diff}");
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    assert_eq!(
        changed,
        ["+        \"cmd/gamma\""],
        "only the new binary is added:\n{diff}"
    );
    assert_eq!(read(&flake), edited, "--dry-run writes nothing");

    assert!(goflake(&["init", s(&dir)]).status.success());
    let after = read(&flake);
    assert!(after.contains("Multi, my way"));
    assert!(!after.contains("\"windows/arm64\""));
    assert!(after.contains("\"cmd/gamma\""));
}

#[test]
fn init_refuses_a_foreign_flake_unless_forced() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("hello");
    go_fixture("root-main", &dir);
    let foreign = "{ outputs = _: { }; }\n";
    std::fs::write(dir.join("flake.nix"), foreign).unwrap();
    let out = goflake(&["init", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("goflake did not write it"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&dir.join("flake.nix")), foreign);

    let out = goflake(&["init", "--force", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(&dir.join("flake.nix.orig")), foreign);
    assert!(read(&dir.join("flake.nix")).contains("goAttr"));
    // A second --force would lose the first original: refused.
    std::fs::write(dir.join("flake.nix"), foreign).unwrap();
    let out = goflake(&["init", "--force", s(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("flake.nix.orig already exists"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_refuses_a_library_and_bad_targets() {
    let temp = tempfile::tempdir().unwrap();
    let lib = temp.path().join("lib");
    go_fixture("library", &lib);
    let out = goflake(&["init", s(&lib)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has no main package"),
        "{}",
        stderr(&out)
    );
    assert!(!lib.join("flake.nix").exists());

    let hello = temp.path().join("hello");
    go_fixture("root-main", &hello);
    // Targets are parsed with the arguments: a wrong one is a usage error, exit 2.
    let out = goflake(&["init", "--targets", "linux/amd64,beos/ppc", s(&hello)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`beos/ppc` is not a GOOS/GOARCH pair"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("linux/riscv64"), "{}", stderr(&out));
}

#[test]
fn targets_add_then_remove_restores_the_file_byte_for_byte() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("hello");
    go_fixture("root-main", &dir);
    assert!(goflake(&["init", s(&dir)]).status.success());
    let flake = dir.join("flake.nix");
    let before = read(&flake);
    let add = goflake(&[
        "targets",
        "add",
        "linux/riscv64",
        "freebsd/amd64",
        "--flake",
        s(&flake),
    ]);
    assert!(add.status.success(), "{}", stderr(&add));
    let list = goflake(&["targets", "list", "--flake", s(&flake)]);
    assert!(
        stdout(&list).ends_with("wasip1/wasm\nlinux/riscv64\nfreebsd/amd64\n"),
        "{}",
        stdout(&list)
    );
    let remove = goflake(&[
        "targets",
        "remove",
        "linux/riscv64",
        "freebsd/amd64",
        "--flake",
        s(&flake),
    ]);
    assert!(remove.status.success(), "{}", stderr(&remove));
    assert_eq!(read(&flake), before);

    let bad = goflake(&["targets", "add", "linux/z80", "--flake", s(&flake)]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("valid targets"), "{}", stderr(&bad));
    let missing = goflake(&["targets", "remove", "plan9/386", "--flake", s(&flake)]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("not in the targets list"),
        "{}",
        stderr(&missing)
    );
}

/// A target that only some binaries compile for is added with the others left out of it,
/// as init writes it, and init keeps that entry; removing the target removes it.
#[test]
fn targets_add_leaves_out_only_the_binaries_that_do_not_compile_for_it() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("multi");
    go_fixture("cmd-multi", &dir);
    let init = goflake(&["init", s(&dir)]);
    assert!(init.status.success(), "{}", stderr(&init));
    let flake = dir.join("flake.nix");
    let before = read(&flake);
    let add = goflake(&["targets", "add", "linux/riscv64", "--flake", s(&flake)]);
    assert!(add.status.success(), "{}", stderr(&add));
    assert!(
        stderr(&add).contains("linux/riscv64 leaves out what does not compile for it: winonly"),
        "{}",
        stderr(&add)
    );
    let added = read(&flake);
    assert!(
        added.contains("        \"wasip1/wasm\" = [ \"cmd/winonly\" ];\n        \"linux/riscv64\" = [ \"cmd/winonly\" ];\n      };"),
        "{added}"
    );
    // init keeps the added target and what it leaves out.
    let again = goflake(&["init", "--json", s(&dir)]);
    assert!(again.status.success(), "{}", stderr(&again));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["action"], "unchanged", "{report}");
    assert_eq!(read(&flake), added);
    let check = goflake(&["check", "--no-nix", "--dir", s(&dir)]);
    assert!(check.status.success(), "{}", stderr(&check));
    let remove = goflake(&["targets", "remove", "linux/riscv64", "--flake", s(&flake)]);
    assert!(remove.status.success(), "{}", stderr(&remove));
    assert_eq!(read(&flake), before);
}

/// Run in a module that sits below a repository's root, init writes the flake at the root,
/// and reads it from there when run again (its targets, Go and nixpkgs).
#[test]
fn init_in_a_module_below_the_repository_root_reads_the_flake_it_wrote() {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    let module = repo.join("sub");
    go_fixture("cmd-multi", &module);
    let git = goflake_testkit::command("git")
        .args(["init", "-q"])
        .arg(&repo)
        .output()
        .expect("git runs");
    assert!(git.status.success(), "{}", stderr(&git));
    let init = goflake(&["init", s(&module)]);
    assert!(init.status.success(), "{}", stderr(&init));
    let flake = repo.join("flake.nix");
    assert!(
        read(&flake).contains("modRoot = \"sub\";"),
        "{}",
        read(&flake)
    );
    let add = goflake(&["targets", "add", "freebsd/amd64", "--flake", s(&flake)]);
    assert!(add.status.success(), "{}", stderr(&add));
    let added = read(&flake);
    assert!(
        added.contains("\"freebsd/amd64\" = [ \"cmd/winonly\" ];"),
        "{added}"
    );
    let again = goflake(&["init", "--json", s(&module)]);
    assert!(again.status.success(), "{}", stderr(&again));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["action"], "unchanged", "{report}");
    assert_eq!(read(&flake), added);
}

#[test]
fn new_scaffolds_a_project_and_refuses_a_non_empty_directory() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("tool");
    let out = goflake(&[
        "new",
        s(&dir),
        "--template",
        "service",
        "--module",
        "github.com/me/tool",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for file in [
        "go.mod",
        "main.go",
        "main_test.go",
        ".gitignore",
        "README.md",
        "flake.nix",
    ] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    assert!(read(&dir.join("go.mod")).starts_with("module github.com/me/tool\n"));
    assert!(read(&dir.join("flake.nix")).contains("pname = \"tool\";"));
    let again = goflake(&["new", s(&dir)]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));
    let bad = goflake(&["new", s(&temp.path().join("x")), "--module", "not a path"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn import_brings_a_shell_into_the_devshell() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("cli");
    assert!(goflake(&["new", s(&dir)]).status.success());
    let shell = goflake_testkit::workspace_root().join("tests/fixtures/nix/shell-mkshell.nix");
    let flake = dir.join("flake.nix");
    let out = goflake(&["import", s(&shell), "--flake", s(&flake)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = read(&flake);
    assert!(text.contains("buildInputs = [ pkgs.sqlite ];"), "{text}");
    assert!(
        text.contains("echo \"go ${pkgs.go_1_26.version} ready\""),
        "{text}"
    );
    let check = goflake(&["import", s(&shell), "--flake", s(&flake), "--check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "a second import changes nothing"
    );
}

/// A flake from each older template, as a user left it: maintained values and code edited.
fn old_flake(version: usize, code_edit: (&str, &str)) -> String {
    let template =
        goflake_testkit::workspace_root().join(format!("templates/history/flake-{version}.nix"));
    let text = read(&template);
    assert!(
        text.contains(code_edit.0),
        "template {version}: {}",
        code_edit.0
    );
    text.replacen(code_edit.0, code_edit.1, 1).replacen(
        "version = \"0.1.0\";",
        "version = \"2.0.0\"; # pinned by hand",
        1,
    )
}

#[test]
fn init_upgrades_a_flake_from_any_older_template_and_keeps_the_users_edits() {
    let current = read(&goflake_testkit::workspace_root().join("templates/flake.nix"));
    let ours = (
        "pkgs.delve",
        "pkgs.delve\n            pkgs.goreleaser # ours",
    );
    for version in 1..=6 {
        let dir = tempfile::tempdir().unwrap();
        go_fixture("root-main", dir.path());
        let flake = dir.path().join("flake.nix");
        std::fs::write(&flake, old_flake(version, ours)).unwrap();
        let out = goflake(&["init", "--no-verify-targets", "--json", s(dir.path())]);
        assert!(out.status.success(), "template {version}: {}", stderr(&out));
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(report["action"], "upgraded", "template {version}");
        let text = read(&flake);
        for kept in [
            "pkgs.goreleaser # ours",
            "version = \"2.0.0\"; # pinned by hand",
        ] {
            assert!(
                text.contains(kept),
                "template {version} lost {kept}:\n{text}"
            );
        }
        // Besides the user's two edits, the file is the current template's code.
        let expected = current.replacen("pkgs.delve", ours.1, 1).replacen(
            "version = \"0.1.0\";",
            "version = \"2.0.0\"; # pinned by hand",
            1,
        );
        let diff = similar::TextDiff::from_lines(expected.as_str(), text.as_str());
        let changed: Vec<String> = diff
            .iter_all_changes()
            .filter(|c| c.tag() != similar::ChangeTag::Equal)
            .map(|c| format!("{}{}", c.tag(), c.value()))
            .collect();
        // Only maintained values init sets from the project (pname, mainProgram, targets…).
        assert!(
            changed.iter().all(|line| {
                let line = line[1..].trim_start();
                ["pname", "mainProgram", "description", "goAttr", "\"", "];"]
                    .iter()
                    .any(|start| line.starts_with(start))
            }),
            "template {version}: {changed:#?}"
        );
        let again = goflake(&["init", "--no-verify-targets", s(dir.path())]);
        assert!(again.status.success(), "{}", stderr(&again));
        assert_eq!(
            read(&flake),
            text,
            "template {version}: a second init changes nothing"
        );
    }
}

#[test]
fn init_refuses_an_upgrade_whose_edits_overlap_and_force_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    go_fixture("root-main", dir.path());
    let flake = dir.path().join("flake.nix");
    let edited = old_flake(
        6,
        (
            "retargeted.overrideAttrs withDepsCache;",
            "(retargeted.overrideAttrs withDepsCache).overrideAttrs { doCheck = true; };",
        ),
    );
    std::fs::write(&flake, &edited).unwrap();
    let out = goflake(&["init", "--no-verify-targets", s(dir.path())]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("overlap") && err.contains("--force"), "{err}");
    assert!(
        err.contains("<<<<<<< ours") && err.contains("doCheck = true"),
        "{err}"
    );
    assert_eq!(read(&flake), edited, "nothing was changed");
    assert!(!dir.path().join("flake.nix.orig").exists());

    let forced = goflake(&["init", "--force", "--no-verify-targets", s(dir.path())]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(read(&dir.path().join("flake.nix.orig")), edited);
    assert!(read(&flake).contains("withBuildCache"));
}

#[test]
fn init_records_what_a_null_vendor_hash_was_computed_from() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("hello");
    go_fixture("root-main", &dir);
    let out = goflake(&["init", "--no-verify-targets", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let flake = read(&dir.join("flake.nix"));
    assert!(
        flake.contains("vendorHash = null; # goflake: vendor fingerprint "),
        "{flake}"
    );
    let check = |dir: &Path| {
        let out = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
            .args(["check", "--no-nix", "--json"])
            .current_dir(dir)
            .env("GOPROXY", "off")
            .output()
            .unwrap();
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
        (out.status.code(), report)
    };
    // Right after init the hash is known to be fresh: no note about its freshness.
    let (code, report) = check(&dir);
    assert_eq!(code, Some(0), "{report}");
    assert!(!report.to_string().contains("fingerprint"), "{report}");
    // A dependency appears in go.sum: the null hash is now stale, and check says so.
    std::fs::write(
        dir.join("go.sum"),
        "example.com/dep v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
    )
    .unwrap();
    let (code, report) = check(&dir);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().contains("vendorHash is stale")),
        "{report}"
    );
}
