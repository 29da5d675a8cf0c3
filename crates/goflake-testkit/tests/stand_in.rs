//! The nixpkgs stand-in's rules, each checked against what nixpkgs' buildGoModule does
//! (`tests/nixpkgs-stand-in/README.md` maps each rule to its test here).

use std::path::{Path, PathBuf};

use goflake_testkit::{NixEnv, copy_tree, run_ok, workspace_root};

fn rules_flake(temp: &Path) -> PathBuf {
    let flake = temp.join("rules");
    let fixtures = workspace_root().join("tests/fixtures");
    copy_tree(&fixtures.join("flakes/stand-in-rules"), &flake);
    copy_tree(&fixtures.join("go/root-main"), &flake.join("nodeps"));
    copy_tree(&fixtures.join("go/vendored"), &flake.join("vendored"));
    copy_tree(&fixtures.join("go/cgo"), &flake.join("cgo"));
    flake
}

fn eval_error(nix: &NixEnv, flake: &Path, attr: &str) -> String {
    let mut command = nix.command();
    command.args(["eval", "--raw"]).args(nix.override_nixpkgs());
    command.arg(format!("path:{}#{attr}.drvPath", flake.display()));
    let output = goflake_testkit::nix::output(&mut command).unwrap();
    assert!(!output.status.success(), "{attr} evaluated");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn build_error(nix: &NixEnv, flake: &Path, attr: &str) -> String {
    let output = nix.build(flake, &[attr], None);
    assert!(!output.status.success(), "{attr} built");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn argument_errors_match_nixpkgs() {
    let Some(nix) = NixEnv::new("stand_in::argument_errors_match_nixpkgs") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let flake = rules_flake(temp.path());
    let err = eval_error(&nix, &flake, "topLevelCgo");
    assert!(
        err.contains("The ‘env’ attribute set cannot contain any attributes passed to derivation"),
        "{err}"
    );
    assert!(err.contains("- CGO_ENABLED"), "{err}");
    // make-derivation.nix: env values are strings, bools, ints or derivations.
    let err = eval_error(&nix, &flake, "listInEnv");
    assert!(
        err.contains("The ‘env’ attribute set can only contain derivation, string, boolean or integer attributes")
            && err.contains("GOEXPERIMENT"),
        "{err}"
    );
    let err = eval_error(&nix, &flake, "oldHashName");
    assert!(
        err.contains("buildGoModule: Expect vendorHash instead of vendorSha256"),
        "{err}"
    );
    let err = eval_error(&nix, &flake, "missingHash");
    assert!(
        err.contains("buildGoModule: vendorHash is missing"),
        "{err}"
    );
}

#[test]
fn vendor_hash_rules_match_nixpkgs() {
    let Some(nix) = NixEnv::new("stand_in::vendor_hash_rules_match_nixpkgs") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let flake = rules_flake(temp.path());
    let built = nix.build(&flake, &["nullHash", "vendoredNull"], None);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let outs = nix.out_paths(&flake, &["nullHash", "vendoredNull"]);
    assert!(outs[0].join("bin/hello").is_file());
    assert!(outs[1].join("bin/vendored").is_file());

    let err = build_error(&nix, &flake, "emptyVendor");
    assert!(
        err.contains("vendor folder is empty, please set 'vendorHash = null;'"),
        "{err}"
    );
    let err = build_error(&nix, &flake, "vendoredWithHash");
    assert!(
        err.contains("vendor folder exists, please set 'vendorHash = null;'"),
        "{err}"
    );
}

#[test]
fn env_cgo_enabled_is_honoured() {
    let Some(nix) = NixEnv::new("stand_in::env_cgo_enabled_is_honoured") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let flake = rules_flake(temp.path());
    let built = nix.build(&flake, &["cgoOn"], None);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = &nix.out_paths(&flake, &["cgoOn"])[0];
    assert_eq!(
        run_ok(&mut goflake_testkit::command(out.join("bin/direct"))),
        "42\n"
    );
    // With cgo off every file of cmd/direct is excluded; nixpkgs' buildGoDir ignores
    // "build constraints exclude all Go files", so the build succeeds with no binary.
    let built = nix.build(&flake, &["cgoOff"], None);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = &nix.out_paths(&flake, &["cgoOff"])[0];
    assert!(!out.join("bin/direct").exists());
}

/// `-trimpath` in GOFLAGS, `-buildid=` appended to ldflags, the caller's ldflags, tags and
/// subPackages, and doCheck running `go test` for the native build.
#[test]
fn build_flags_match_nixpkgs() {
    let Some(nix) = NixEnv::new("stand_in::build_flags_match_nixpkgs") else {
        return;
    };
    let go = goflake_testkit::require_tool("stand_in::build_flags_match_nixpkgs", "go").unwrap();
    let temp = tempfile::tempdir().unwrap();
    let flake = rules_flake(temp.path());
    let built = nix.build(&flake, &["nullHash"], None);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let binary = nix.out_paths(&flake, &["nullHash"])[0].join("bin/hello");
    let info = run_ok(
        goflake_testkit::command(&go)
            .args(["version", "-m"])
            .arg(&binary),
    );
    assert!(info.contains("-trimpath=true"), "{info}");
    let mut eval = nix.command();
    eval.args(["eval", "--json"]).args(nix.override_nixpkgs());
    eval.arg(format!("path:{}#nullHash.ldflags", flake.display()));
    assert_eq!(run_ok(&mut eval).trim(), "[\"-buildid=\"]");
    let build_id = run_ok(
        goflake_testkit::command(&go)
            .args(["tool", "buildid"])
            .arg(&binary),
    );
    assert_eq!(build_id.trim(), "", "the build id is empty");

    // A failing test fails the native build (doCheck), and only it.
    std::fs::write(
        flake.join("nodeps/fail_test.go"),
        "package main\n\nimport \"testing\"\n\nfunc TestFails(t *testing.T) { t.Fatal(\"deliberate\") }\n",
    )
    .unwrap();
    let err = build_error(&nix, &flake, "nullHash");
    assert!(err.contains("deliberate"), "{err}");
}

/// As in the sandbox, HOME (`/homeless-shelter`) cannot be written: a test that writes there
/// fails the build.
#[test]
fn home_cannot_be_written() {
    let Some(nix) = NixEnv::new("stand_in::home_cannot_be_written") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let flake = rules_flake(temp.path());
    std::fs::write(
        flake.join("nodeps/home_test.go"),
        "package main\n\nimport (\n\t\"os\"\n\t\"path/filepath\"\n\t\"testing\"\n)\n\nfunc TestHome(t *testing.T) {\n\thome, _ := os.UserHomeDir()\n\tif err := os.MkdirAll(filepath.Join(home, \".config\"), 0o755); err != nil {\n\t\tt.Fatalf(\"cannot write HOME: %v\", err)\n\t}\n}\n",
    )
    .unwrap();
    let err = build_error(&nix, &flake, "nullHash");
    assert!(
        err.contains("cannot write HOME") && err.contains("not a directory"),
        "{err}"
    );
}
