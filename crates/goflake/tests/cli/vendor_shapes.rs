//! The local vendorHash equals the one Nix's goModules gives, in the shapes real repositories
//! take: a `replace … => ../x` outside modRoot, a go.work above modRoot, untracked files in a
//! git flake, a flake whose Go differs from the one here; and the Nix method on a flake whose
//! vendorHash was never computed, without Go. Each compares with real Nix (the stand-in).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use goflake_testkit::{GoProxy, NixEnv, require_tool, require_toolchains, run_ok};

use crate::support::{stderr, stdout};

struct Env {
    nix: NixEnv,
    proxy: GoProxy,
    /// Go releases, for the flake's Go when it is not the one here (as a user's proxy
    /// serves them).
    toolchains: String,
    _temp: tempfile::TempDir,
    root: PathBuf,
}

fn env(test: &str) -> Option<Env> {
    let nix = NixEnv::new(test)?;
    require_tool(test, "git")?;
    let toolchains = require_toolchains(test)?;
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    Some(Env {
        nix,
        proxy,
        toolchains,
        root: temp.path().to_path_buf(),
        _temp: temp,
    })
}

impl Env {
    /// `program` as a user runs it: the module proxy falls back to the Go releases, whose
    /// checksums are verified (the fixture modules are not in the checksum database).
    fn command(&self, program: &Path, dir: &Path) -> Command {
        let mut command = goflake_testkit::command(program);
        command
            .current_dir(dir)
            .env(
                "GOPROXY",
                format!("{},{}", self.proxy.url(), self.toolchains),
            )
            .env("GONOSUMDB", "example.com")
            .env("GOFLAGS", "")
            .env("GOMODCACHE", self.root.join("cache/mod"))
            .env("GOCACHE", self.root.join("cache/build"))
            .env("XDG_CACHE_HOME", self.root.join("cache/xdg"))
            .env("NIX_CONFIG", goflake_testkit::NIX_CONFIG);
        command
    }

    fn goflake(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(Path::new(env!("CARGO_BIN_EXE_goflake")), dir)
            .args(args)
            .output()
            .unwrap()
    }

    /// `vendor-hash --method nix` with the stand-in, printing the hash.
    fn nix_hash(&self, dir: &Path) -> Output {
        let mut args = vec!["vendor-hash", "--method", "nix", "--"];
        let overrides = self.nix.override_nixpkgs();
        args.extend(overrides.iter().map(String::as_str));
        self.goflake(dir, &args)
    }

    fn go(&self, dir: &Path, args: &[&str]) {
        let go = goflake_testkit::which("go").unwrap();
        run_ok(
            self.command(&go, dir)
                .env("GOWORK", "off")
                .env("GOTOOLCHAIN", "local")
                .args(args),
        );
    }

    /// A module at `dir` that needs example.com/greet, tidied against the proxy.
    fn greeting_module(&self, dir: &Path, module: &str, go: &str) {
        write(
            &dir.join("go.mod"),
            &format!("module {module}\n\ngo {go}\n\nrequire example.com/greet v1.0.0\n"),
        );
        write(&dir.join("main.go"), MAIN);
        self.go(dir, &["mod", "tidy"]);
    }

    fn git(&self, dir: &Path, args: &[&str]) {
        run_ok(
            goflake_testkit::command("git")
                .current_dir(dir)
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args),
        );
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const MAIN: &str = "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet/pkg/hello\"\n)\n\nfunc main() { fmt.Println(hello.Hello()) }\n";

#[test]
fn a_replace_outside_mod_root_hashes_like_nix() {
    let Some(env) = env("vendor_shapes::replace_outside_mod_root") else {
        return;
    };
    // repo/app is the module; its replacement lives beside it, in repo/greetlocal.
    let repo = env.root.join("repo");
    write(
        &repo.join("app/go.mod"),
        "module example.com/app\n\ngo 1.25\n\nrequire example.com/greet v1.0.0\n\nreplace example.com/greet => ../greetlocal\n",
    );
    write(&repo.join("app/main.go"), MAIN);
    write(
        &repo.join("greetlocal/go.mod"),
        "module example.com/greet\n\ngo 1.21\n",
    );
    write(
        &repo.join("greetlocal/pkg/hello/hello.go"),
        "package hello\n\n// Hello greets.\nfunc Hello() string { return \"hello from beside\" }\n",
    );
    let init = env.goflake(&repo, &["init", "--mod-root", "app", "--no-verify-targets"]);
    assert!(init.status.success(), "{}", stderr(&init));
    let local = env.goflake(&repo, &["vendor-hash", "--method", "local"]);
    assert!(local.status.success(), "{}", stderr(&local));
    env.nix.lock(&repo);
    let by_nix = env.nix_hash(&repo);
    assert!(by_nix.status.success(), "{}", stderr(&by_nix));
    assert_eq!(stdout(&local).trim(), stdout(&by_nix).trim());
    assert!(stdout(&local).starts_with("sha256-"), "{}", stdout(&local));
}

#[test]
fn a_go_work_above_mod_root_is_said_to_break_the_build_as_nix_does() {
    let Some(env) = env("vendor_shapes::go_work") else {
        return;
    };
    let repo = env.root.join("repo");
    env.greeting_module(&repo.join("app"), "example.com/app", "1.25");
    write(&repo.join("go.work"), "go 1.25\n\nuse ./app\n");
    let init = env.goflake(&repo, &["init", "--mod-root", "app", "--no-verify-targets"]);
    assert!(init.status.success(), "{}", stderr(&init));

    // Locally: not a hash for a build that cannot work, but why and the fix.
    let local = env.goflake(&repo, &["vendor-hash", "--method", "local"]);
    assert!(!local.status.success(), "{}", stdout(&local));
    let text = stderr(&local);
    assert!(
        text.contains("go.work above modRoot")
            && text.contains("workspace mode")
            && text.contains("env.GOWORK = \"off\";"),
        "{text}"
    );
    // Nix agrees: goModules itself fails in workspace mode.
    env.nix.lock(&repo);
    let by_nix = env.nix_hash(&repo);
    assert!(!by_nix.status.success(), "{}", stdout(&by_nix));
    assert!(
        stderr(&by_nix).contains("workspace mode"),
        "{}",
        stderr(&by_nix)
    );

    // The fix offered works: with env.GOWORK = "off" in the package, Nix computes a hash,
    // and the default method (no --method) defers to Nix here.
    let flake = std::fs::read_to_string(repo.join("flake.nix")).unwrap();
    let fixed = flake.replacen(
        "meta.mainProgram = mainProgram;",
        "meta.mainProgram = mainProgram;\n            env.GOWORK = \"off\";",
        1,
    );
    assert_ne!(flake, fixed);
    std::fs::write(repo.join("flake.nix"), fixed).unwrap();
    let mut args = vec!["vendor-hash", "--write", "--"];
    let overrides = env.nix.override_nixpkgs();
    args.extend(overrides.iter().map(String::as_str));
    let written = env.goflake(&repo, &args);
    assert!(written.status.success(), "{}", stderr(&written));
    assert!(
        stderr(&written).contains("asking Nix instead"),
        "{}",
        stderr(&written)
    );
    let built = env.nix.build(&repo, &["default"], Some(&env.proxy.url()));
    assert!(built.status.success(), "{}", stderr(&built));
}

#[test]
fn untracked_files_of_a_git_flake_do_not_enter_the_hash() {
    let Some(env) = env("vendor_shapes::untracked") else {
        return;
    };
    let dir = env.root.join("tracked");
    write(
        &dir.join("go.mod"),
        "module example.com/tracked\n\ngo 1.25\n\nrequire (\n\texample.com/greet v1.0.0\n\texample.com/extra v0.1.0\n)\n",
    );
    write(&dir.join("main.go"), MAIN);
    // tools.go makes go.sum complete; it is then left untracked, as a scratch file would be.
    write(
        &dir.join("tools.go"),
        "//go:build tools\n\npackage main\n\nimport _ \"example.com/extra\"\n",
    );
    env.go(&dir, &["mod", "tidy"]);
    std::fs::rename(dir.join("tools.go"), env.root.join("tools.go")).unwrap();
    let init = env.goflake(&dir, &["init", "--no-verify-targets"]);
    assert!(init.status.success(), "{}", stderr(&init));
    env.git(&dir, &["init", "-q"]);
    env.git(&dir, &["add", "."]);
    env.git(&dir, &["commit", "-q", "-m", "init"]);
    env.nix.lock(&dir);
    env.git(&dir, &["add", "flake.lock"]);
    env.git(&dir, &["commit", "-q", "-m", "lock"]);
    std::fs::rename(env.root.join("tools.go"), dir.join("tools.go")).unwrap();

    let local = env.goflake(&dir, &["vendor-hash", "--method", "local"]);
    assert!(local.status.success(), "{}", stderr(&local));
    let by_nix = env.nix_hash(&dir);
    assert!(by_nix.status.success(), "{}", stderr(&by_nix));
    assert_eq!(
        stdout(&local).trim(),
        stdout(&by_nix).trim(),
        "the untracked tools.go is not in the git flake's source"
    );
}

#[test]
fn the_flakes_go_computes_the_local_hash() {
    let Some(env) = env("vendor_shapes::flake_go") else {
        return;
    };
    let dir = env.root.join("oldgo");
    env.greeting_module(&dir, "example.com/oldgo", "1.22");
    let init = env.goflake(&dir, &["init", "--no-verify-targets"]);
    assert!(init.status.success(), "{}", stderr(&init));
    // go 1.22 → go_1_25 (the oldest of nixos-26.05), while the Go here is another release.
    let flake = std::fs::read_to_string(dir.join("flake.nix")).unwrap();
    assert!(flake.contains("goAttr = \"go_1_25\";"), "{flake}");
    let local = env.goflake(&dir, &["vendor-hash", "--method", "local", "--json"]);
    assert!(local.status.success(), "{}", stderr(&local));
    let report: serde_json::Value = serde_json::from_slice(&local.stdout).unwrap();
    assert!(
        report["go"].as_str().unwrap().starts_with("go1.25."),
        "the flake's Go computed the hash, not the Go here: {report}"
    );
    assert!(
        report["warnings"].as_array().unwrap().is_empty(),
        "{report}"
    );
    env.nix.lock(&dir);
    let by_nix = env.nix_hash(&dir);
    assert!(by_nix.status.success(), "{}", stderr(&by_nix));
    assert_eq!(report["vendorHash"], stdout(&by_nix).trim());
}

/// When the flake's Go cannot be fetched, the warning carries Go's own error (here: a
/// checksum-database state Go cannot read), not a message cut before it.
#[test]
fn a_go_release_that_cannot_be_verified_is_reported_with_gos_error() {
    let Some(env) = env("vendor_shapes::unverifiable_go") else {
        return;
    };
    let dir = env.root.join("oldgo");
    env.greeting_module(&dir, "example.com/oldgo", "1.22");
    let init = env.goflake(&dir, &["init", "--no-verify-targets"]);
    assert!(init.status.success(), "{}", stderr(&init));
    let gopath = env.root.join("broken-gopath");
    let latest = gopath.join("pkg/sumdb/sum.golang.org/latest");
    std::fs::create_dir_all(latest.parent().unwrap()).unwrap();
    std::fs::write(&latest, "not a tree note\n").unwrap();
    let local = env
        .command(Path::new(env!("CARGO_BIN_EXE_goflake")), &dir)
        .env("GOPATH", &gopath)
        .args(["vendor-hash", "--method", "local", "--json"])
        .output()
        .unwrap();
    assert!(local.status.success(), "{}", stderr(&local));
    let report: serde_json::Value = serde_json::from_slice(&local.stdout).unwrap();
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{report}");
    let warning = warnings[0].as_str().unwrap();
    assert!(
        warning.contains(
            "Go 1.25 could not be fetched (`go list -m -versions golang.org/toolchain` failed: go: "
        ) && warning.contains("reading tree note: malformed note note: not a tree note)"),
        "{warning}"
    );
}

/// `--method nix` writes the hash Nix reports, never one a build printed: a goModules
/// whose preBuild prints a `got:` line and fails gets no hash at all.
#[test]
fn a_got_line_a_build_prints_is_not_taken_for_nixs() {
    let Some(env) = env("vendor_shapes::forged_got") else {
        return;
    };
    let dir = env.root.join("forged");
    env.greeting_module(&dir, "example.com/forged", "1.25");
    let forged = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let flake = format!(
        r#"{{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
  outputs =
    {{ nixpkgs, ... }}:
    {{
      packages.{system}.default = nixpkgs.legacyPackages.{system}.buildGoModule {{
        pname = "forged";
        version = "0.1.0";
        src = ./.;
        vendorHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        preBuild = ''
          echo "error: hash mismatch in fixed-output derivation '/nix/store/x-go-modules.drv':"
          echo "  specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
          echo "  got: {forged}"
          exit 1
        '';
      }};
    }};
}}
"#,
        system = goflake_testkit::host_system()
    );
    write(&dir.join("flake.nix"), &flake);
    env.nix.lock(&dir);
    for pure in [false, true] {
        let mut args = vec!["vendor-hash", "--write", "--method", "nix"];
        if pure {
            args.push("--pure");
        }
        args.push("--");
        let overrides = env.nix.override_nixpkgs();
        args.extend(overrides.iter().map(String::as_str));
        let out = env.goflake(&dir, &args);
        assert_eq!(out.status.code(), Some(1), "pure {pure}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("Nix could not evaluate or build"),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("flake.nix")).unwrap(),
            flake,
            "pure {pure}: nothing written"
        );
    }
}

#[test]
fn the_nix_method_computes_a_first_hash_without_go() {
    let Some(env) = env("vendor_shapes::nix_without_go") else {
        return;
    };
    let dir = env.root.join("fresh");
    env.greeting_module(&dir, "example.com/fresh", "1.25");
    let init = env.goflake(&dir, &["init", "--no-verify-targets"]);
    assert!(init.status.success(), "{}", stderr(&init));
    env.nix.lock(&dir);
    // PATH with Nix but without Go.
    let nix_bin = env.nix.nix.parent().unwrap().to_path_buf();
    let path = format!("{}:/usr/bin:/bin", nix_bin.display());
    let mut args = vec!["vendor-hash", "--write", "--"];
    let overrides = env.nix.override_nixpkgs();
    args.extend(overrides.iter().map(String::as_str));
    let written = env
        .command(Path::new(env!("CARGO_BIN_EXE_goflake")), &dir)
        .env("PATH", &path)
        .args(&args)
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", stderr(&written));
    let flake = std::fs::read_to_string(dir.join("flake.nix")).unwrap();
    assert!(flake.contains("vendorHash = \"sha256-"), "{flake}");
    let built = env.nix.build(&dir, &["default"], Some(&env.proxy.url()));
    assert!(built.status.success(), "{}", stderr(&built));
}

#[test]
fn a_killed_runs_scratch_copy_is_removed_by_the_next_run() {
    let Some(env) = env("vendor_shapes::stale_scratch") else {
        return;
    };
    let tmp = env.root.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    // What a run killed with SIGKILL leaves: a read-only copy named with its process id.
    let dead = goflake_testkit::command("true").spawn().unwrap();
    let dead_pid = dead.id();
    let mut dead = dead;
    dead.wait().unwrap();
    let stale = tmp.join(format!("goflake-vendor-hash.{dead_pid}.Ab12Cd"));
    write(&stale.join("source/vendor/x/x.go"), "package x\n");
    let mode = |p: &Path, m: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    mode(&stale.join("source/vendor/x"), 0o555);
    // goflake makes its scratch directories private (0700).
    mode(&stale, 0o700);
    let unrelated = tmp.join("goflake-vendor-hash.notapid");
    std::fs::create_dir_all(&unrelated).unwrap();
    // What another user of a shared $TMPDIR can plant under the names goflake cleans: a
    // symlink to a directory goflake must not open (its modes must not change), and a
    // directory that is not private (so not one a goflake run made).
    let victim = env.root.join("victim");
    write(&victim.join("private/secret"), "secret\n");
    mode(&victim.join("private"), 0o700);
    mode(&victim, 0o500);
    std::os::unix::fs::symlink(
        &victim,
        tmp.join(format!("goflake-vendor-hash.{dead_pid}.Link")),
    )
    .unwrap();
    let planted = tmp.join(format!("goflake-vendor-hash.{dead_pid}.Open"));
    std::fs::create_dir_all(planted.join("data")).unwrap();
    mode(&planted, 0o755);

    let dir = env.root.join("fresh");
    env.greeting_module(&dir, "example.com/fresh", "1.25");
    assert!(
        env.goflake(&dir, &["init", "--no-verify-targets"])
            .status
            .success()
    );
    let local = env
        .command(Path::new(env!("CARGO_BIN_EXE_goflake")), &dir)
        .env("TMPDIR", &tmp)
        .args(["vendor-hash", "--method", "local"])
        .output()
        .unwrap();
    assert!(local.status.success(), "{}", stderr(&local));
    assert!(!stale.exists(), "the dead run's copy is gone");
    assert!(
        unrelated.exists(),
        "a name without a process id is not goflake's to remove"
    );
    let kept_mode = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(
        kept_mode(&victim),
        0o500,
        "no mode changed through the link"
    );
    assert_eq!(kept_mode(&victim.join("private")), 0o700);
    assert_eq!(
        std::fs::read_to_string(victim.join("private/secret")).unwrap(),
        "secret\n"
    );
    assert!(
        planted.join("data").is_dir(),
        "a directory open to others is not goflake's"
    );
    let mut left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            format!("goflake-vendor-hash.{dead_pid}.Link"),
            format!("goflake-vendor-hash.{dead_pid}.Open"),
            "goflake-vendor-hash.notapid".to_owned(),
        ],
        "this run's own copy is removed too"
    );
}

/// A Go module with no Nix file: `vendor-hash` prints the hash, as a prefetcher does, and it is
/// the one Nix's goModules gives once the module has a flake.
#[test]
fn a_module_without_a_nix_file_gets_its_hash_printed_as_nix_computes_it() {
    let Some(env) = env("vendor_shapes::prefetch") else {
        return;
    };
    let dir = env.root.join("bare");
    env.greeting_module(&dir, "example.com/bare", "1.26");
    let printed = env.goflake(&dir, &["vendor-hash"]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let hash = stdout(&printed).trim().to_owned();
    assert!(hash.starts_with("sha256-"), "{hash}");
    assert!(!dir.join("flake.nix").exists());

    let json = env.goflake(&dir, &["vendor-hash", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["vendorHash"], hash.as_str());
    assert_eq!(report["file"], serde_json::Value::Null);
    assert_eq!(report["method"], "local");

    // Nothing to write into, and no flake for Nix to build: said, and nothing is created.
    for args in [
        &["vendor-hash", "--write"][..],
        &["vendor-hash", "--method", "nix"],
    ] {
        let refused = env.goflake(&dir, args);
        assert_eq!(refused.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&refused).contains("has no flake.nix"),
            "{}",
            stderr(&refused)
        );
        assert!(!dir.join("flake.nix").exists());
    }

    let init = env.goflake(&dir, &["init"]);
    assert!(init.status.success(), "{}", stderr(&init));
    // A first hash needs an expression over the flake, which follows its lock.
    env.nix.lock(&dir);
    let nix = env.nix_hash(&dir);
    assert!(nix.status.success(), "{}", stderr(&nix));
    assert_eq!(stdout(&nix).trim(), hash);
}
