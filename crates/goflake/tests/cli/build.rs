//! `goflake build`, `run` and `check` through real Nix (the stand-in) and real Go.

use std::path::Path;
use std::process::{Command, Output};

use goflake_testkit::{GoProxy, NixEnv, prepare_project, require_tool, run_ok};

use crate::support::{checksums_verified, fresh_source, s, stderr, stdout};

pub struct Env {
    pub nix: NixEnv,
    pub proxy: GoProxy,
    pub cache: std::path::PathBuf,
    _temp: tempfile::TempDir,
    pub root: std::path::PathBuf,
}

pub fn env(test: &str) -> Option<Env> {
    let nix = NixEnv::new(test)?;
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    Some(Env {
        nix,
        proxy,
        cache: temp.path().join("cache"),
        root: temp.path().to_path_buf(),
        _temp: temp,
    })
}

impl Env {
    /// goflake with the proxy, run in `dir`, nix arguments after `--` when `nix_last`.
    pub fn goflake(&self, dir: &Path, args: &[&str], nix_last: bool) -> Output {
        self.command(dir, args, nix_last).output().unwrap()
    }

    /// The command [`Env::goflake`] runs, for more arguments or variables.
    pub fn command(&self, dir: &Path, args: &[&str], nix_last: bool) -> Command {
        let mut command = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"));
        command.args(args);
        if nix_last {
            command.arg("--").args(self.nix.override_nixpkgs());
        }
        command
            .current_dir(dir)
            .env("GOPROXY", self.proxy.url())
            .env("GOSUMDB", "off")
            .env("GOMODCACHE", self.cache.join("mod"))
            .env("GOCACHE", self.cache.join("build"))
            .env("NIX_CONFIG", goflake_testkit::NIX_CONFIG);
        command
    }

    fn nix_arg_flags(&self) -> Vec<String> {
        self.nix
            .override_nixpkgs()
            .iter()
            .map(|a| format!("--nix-arg={a}"))
            .collect()
    }

    fn new_project(&self, name: &str) -> std::path::PathBuf {
        let dir = self.root.join(name);
        let out = self.goflake(&self.root, &["new", s(&dir)], false);
        assert!(out.status.success(), "{}", stderr(&out));
        dir
    }
}

#[test]
fn build_all_copies_a_verified_release_and_prints_a_table() {
    let Some(env) = env("build::build_all") else {
        return;
    };
    let dir = env.new_project("app");
    fresh_source(&dir);
    // One build at a time, so each target's own time and its wait can be told apart.
    let began = std::time::Instant::now();
    let out = env.goflake(&dir, &["build", "--json", "--jobs", "1"], true);
    let wall = began.elapsed().as_secs_f64();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let targets = report["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 8);
    // Each target shows its own build time and how long it waited, not the run's: the
    // builds ran one after another, so they add up to no more than the run, and each one
    // waited at least for those before it.
    let mut times: Vec<(f64, f64)> = targets
        .iter()
        .map(|t| {
            let seconds = t["seconds"].as_f64().unwrap_or_else(|| panic!("{t}"));
            let waited = t["waited_seconds"]
                .as_f64()
                .unwrap_or_else(|| panic!("{t}"));
            (waited, seconds)
        })
        .collect();
    let built: f64 = times.iter().map(|(_, seconds)| seconds).sum();
    assert!(
        built <= wall,
        "builds took {built:.1}s in a {wall:.1}s run: {times:?}"
    );
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    for pair in times.windows(2) {
        let ((waited, seconds), (next_waited, _)) = (pair[0], pair[1]);
        // 0.3 s: the tenths the report rounds to, and the gap between a builder's last
        // line and Nix's next start.
        assert!(next_waited + 0.3 >= waited + seconds, "{times:?}");
    }
    for t in targets {
        assert!(
            t["store_path"]
                .as_str()
                .unwrap()
                .starts_with(&env.nix.store_dir()),
            "{t}"
        );
        assert!(t["size"].as_u64().unwrap() > 100_000, "{t}");
        assert_eq!(t["artifacts"].as_array().unwrap().len(), 1, "{t}");
    }
    assert_eq!(report["dist"], "dist");
    let dist = dir.join("dist");
    for file in [
        "SHA256SUMS",
        "manifest.json",
        "app_0.1.0_linux_arm64",
        "app_0.1.0_windows_amd64.exe",
        "app_0.1.0_wasip1_wasm.wasm",
    ] {
        assert!(dist.join(file).is_file(), "dist/{file}");
    }
    assert_eq!(checksums_verified(&dist), 10);

    // Again: nothing to build; the table says so.
    let again = env.goflake(&dir, &["build"], true);
    assert!(again.status.success(), "{}", stderr(&again));
    let table = stdout(&again);
    assert!(table.starts_with("target           status"), "{table}");
    assert_eq!(table.matches(" cached ").count(), 8, "{table}");
    assert!(table.contains("release copied to dist/"), "{table}");
}

#[test]
fn a_stale_hash_is_reported_and_repaired() {
    let Some(env) = env("build::a_stale_hash") else {
        return;
    };
    let Some(go) = require_tool("build::a_stale_hash", "go") else {
        return;
    };
    let dir = env.root.join("withdeps");
    prepare_project(&go, &env.proxy, &env.cache, "with-deps", &dir);
    assert!(env.goflake(&dir, &["init"], false).status.success());
    // A stale hash: a real SRI hash, of something else.
    let stale = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    assert!(
        env.goflake(&dir, &["set", "flake.nix", "vendorHash", stale], false)
            .status
            .success()
    );

    let refused = env.goflake(&dir, &["build", "--no-fix-hash", "linux/amd64"], true);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("vendorHash is stale: Nix computed sha256-"),
        "{}",
        stderr(&refused)
    );

    let fixed = env.goflake(&dir, &["build", "--fix-hash", "linux/amd64"], true);
    assert!(fixed.status.success(), "{}", stderr(&fixed));
    let local = env.goflake(&dir, &["vendor-hash"], false);
    let text = std::fs::read_to_string(dir.join("flake.nix")).unwrap();
    assert!(
        text.contains(&format!("vendorHash = \"{}\";", stdout(&local).trim())),
        "{text}"
    );
}

#[test]
fn a_mislabelled_artifact_fails_the_build() {
    let Some(env) = env("build::a_mislabelled_artifact") else {
        return;
    };
    let dir = env.new_project("liar");
    let flake = dir.join("flake.nix");
    let text = std::fs::read_to_string(&flake).unwrap();
    // Every target now really builds for amd64: darwin/arm64's binary is x86_64.
    std::fs::write(
        &flake,
        text.replace("GOARCH = goarch;", "GOARCH = \"amd64\";"),
    )
    .unwrap();
    // Nix's arguments as --nix-arg, the way every command takes them.
    let mut args = vec!["build".to_owned(), "darwin/arm64".to_owned()];
    args.extend(env.nix_arg_flags());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = env.goflake(&dir, &args, false);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("built for darwin/arm64, but its header says Mach-O x86_64"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn untracked_files_are_named_and_path_builds_anyway() {
    let Some(env) = env("build::untracked_files") else {
        return;
    };
    if require_tool("build::untracked_files", "git").is_none() {
        return;
    }
    let dir = env.new_project("tracked");
    let git = |args: &[&str]| {
        run_ok(
            goflake_testkit::command("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .current_dir(&dir),
        )
    };
    git(&["init", "-q"]);
    git(&["add", "flake.nix", "go.mod"]);
    let out = env.goflake(&dir, &["build", "linux/amd64"], true);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("git does not track these files"), "{err}");
    assert!(err.contains("  main.go\n"), "{err}");
    assert!(err.contains("--path"), "{err}");
    let out = env.goflake(&dir, &["build", "--path", "linux/amd64"], true);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn run_native_wasip1_and_js() {
    let Some(env) = env("build::run") else { return };
    if require_tool("build::run", "node").is_none() {
        return;
    }
    let dir = env.new_project("runner");
    let flags = env.nix_arg_flags();
    let flag_refs: Vec<&str> = flags.iter().map(String::as_str).collect();
    for (target, expected) in [
        (None, "hello, run (version 0.1.0)\n"),
        (Some("wasip1/wasm"), "hello, run (version 0.1.0)\n"),
        (Some("js/wasm"), "hello, run (version 0.1.0)\n"),
    ] {
        let mut args = vec!["run"];
        args.extend(target);
        args.extend(&flag_refs);
        args.extend(["--", "-name", "run"]);
        let out = env.goflake(&dir, &args, false);
        assert!(out.status.success(), "{target:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), expected, "{target:?}");
    }
}

#[test]
fn check_passes_then_reports_a_stale_hash() {
    let Some(env) = env("build::check") else {
        return;
    };
    let Some(go) = require_tool("build::check", "go") else {
        return;
    };
    let dir = env.root.join("checked");
    prepare_project(&go, &env.proxy, &env.cache, "with-deps", &dir);
    assert!(env.goflake(&dir, &["init"], false).status.success());
    let write = env.goflake(&dir, &["vendor-hash", "--write"], false);
    assert!(write.status.success(), "{}", stderr(&write));
    let good = env.goflake(&dir, &["check"], true);
    assert!(good.status.success(), "{}", stderr(&good));

    // go.sum changes (a new dependency): the fingerprint no longer matches.
    let main = std::fs::read_to_string(dir.join("main.go")).unwrap();
    std::fs::write(
        dir.join("main.go"),
        main.replace(
            "\"example.com/shout/v2\"\n",
            "\"example.com/extra\"\n\t\"example.com/shout/v2\"\n",
        )
        .replace(
            "shout.Shout(hello.Hello())",
            "extra.Bang(shout.Shout(hello.Hello()))",
        ),
    )
    .unwrap();
    run_ok(
        env.proxy
            .go(&go, &env.cache)
            .args(["mod", "tidy"])
            .current_dir(&dir),
    );
    let started = std::time::Instant::now();
    let stale = env.goflake(&dir, &["check", "--no-nix"], false);
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stderr(&stale).contains("vendorHash is stale"),
        "{}",
        stderr(&stale)
    );
    // Notes (such as targets not compiled: the proxy has no Go 1.25 here) are not problems.
    assert_eq!(
        stderr(&stale)
            .lines()
            .filter(|l| !l.starts_with("note: "))
            .count(),
        1,
        "one line per problem: {}",
        stderr(&stale)
    );
    // The fingerprint check needs neither Go nor Nix: it is quick.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_target_that_fails_to_compile_is_reported_and_the_others_still_build() {
    let Some(env) = env("build::a_target_that_fails") else {
        return;
    };
    let dir = env.root.join("portable");
    goflake_testkit::copy_go_fixture("windows-broken", &dir);
    let init = env.goflake(
        &dir,
        &[
            "init",
            "--no-verify-targets",
            "--targets",
            "linux/amd64,windows/amd64,linux/arm64",
        ],
        false,
    );
    assert!(init.status.success(), "{}", stderr(&init));

    let out = env.goflake(&dir, &["build", "--json"], true);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The JSON document is printed even though the build failed.
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    let by_target = |t: &str| {
        report["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["target"] == t)
            .unwrap()
            .clone()
    };
    for built in ["linux/amd64", "linux/arm64"] {
        let row = by_target(built);
        assert_ne!(row["status"], "failed", "{row}");
        assert!(
            row["store_path"]
                .as_str()
                .unwrap()
                .starts_with(&env.nix.store_dir()),
            "{row}"
        );
    }
    let failed = by_target("windows/amd64");
    assert_eq!(failed["status"], "failed", "{failed}");
    let error = failed["error"].as_str().unwrap();
    assert!(
        error.contains("main.go:8:") && error.contains("undefined: platformName"),
        "{error}"
    );
    assert!(
        failed["log_command"]
            .as_str()
            .unwrap()
            .starts_with(&format!("nix log {}", env.nix.store_dir())),
        "{failed}"
    );
    assert!(report["dist"].is_null());
    assert!(
        report["dist_skipped"]
            .as_str()
            .unwrap()
            .contains("needs every target")
    );
    assert!(!dir.join("dist").exists(), "no partial release");
    assert!(
        stderr(&out).contains("1 of 3 targets failed: windows/amd64"),
        "{}",
        stderr(&out)
    );

    // Without --json: the compiler's error is on stderr, with where the whole log is.
    let out = env.goflake(&dir, &["build"], true);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.contains(&format!(
            "error: windows/amd64 failed to build (the whole log: `nix log {}",
            env.nix.store_dir()
        )),
        "{text}"
    );
    assert!(
        text.contains("main.go:8:") && text.contains("undefined: platformName"),
        "{text}"
    );
}

/// The release directory: complete (every checksum right, every artifact there), and its
/// version.
fn complete_release(dist: &Path) -> Result<String, String> {
    goflake_artifacts::verify_checksums(dist).map_err(|e| e.to_string())?;
    let manifest = goflake_artifacts::read_manifest(dist).map_err(|e| e.to_string())?;
    for artifact in &manifest.artifacts {
        if !dist.join(&artifact.file).is_file() {
            return Err(format!("{} is missing", artifact.file));
        }
    }
    if !dist.join(goflake_artifacts::DIST_MARKER).is_file() {
        return Err("no marker".into());
    }
    Ok(manifest.version)
}

#[test]
fn an_interrupted_release_copy_never_leaves_a_partial_dist() {
    let Some(env) = env("build::an_interrupted_release_copy") else {
        return;
    };
    let dir = env.root.join("hello");
    goflake_testkit::copy_go_fixture("root-main", &dir);
    let init = env.goflake(
        &dir,
        &["init", "--no-verify-targets", "--targets", "linux/amd64"],
        false,
    );
    assert!(init.status.success(), "{}", stderr(&init));
    let set_version = |version: &str| {
        let out = env.goflake(
            &dir,
            &["set", "flake.nix", "outputs.version", version],
            false,
        );
        assert!(out.status.success(), "{}", stderr(&out));
    };
    // Both releases in the store first, so each run below only copies.
    for version in ["1.0.0", "2.0.0"] {
        set_version(version);
        let out = env.goflake(&dir, &["build"], true);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let dist = dir.join("dist");
    let staging = dir.join(".goflake-tmp.dist");
    let mut partial = Vec::new();
    for round in 0..16u64 {
        set_version(if round % 2 == 0 { "1.0.0" } else { "2.0.0" });
        let mut command = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"));
        command
            .args(["build", "--quiet", "--"])
            .args(env.nix.override_nixpkgs())
            .current_dir(&dir)
            .env("NIX_CONFIG", goflake_testkit::NIX_CONFIG)
            .env("GOFLAKE_TEST_DIST_DELAY_MS", "40")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = command.spawn().unwrap();
        // Interrupt at a different point of the copy and swap each round. A SIGKILL can
        // leave the staging directory: this run removes it before staging its own.
        let started = std::time::Instant::now();
        let wait_until = |present: bool, child: &mut std::process::Child| {
            while staging.exists() != present && child.try_wait().unwrap().is_none() {
                assert!(started.elapsed() < std::time::Duration::from_secs(60));
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        };
        if staging.exists() {
            wait_until(false, &mut child);
        }
        wait_until(true, &mut child);
        std::thread::sleep(std::time::Duration::from_millis(round * 17 % 260));
        let signal = if round % 3 == 0 { "-KILL" } else { "-TERM" };
        let _ = goflake_testkit::command("kill")
            .args([signal, &child.id().to_string()])
            .status();
        child.wait().unwrap();
        match complete_release(&dist) {
            Ok(version) => assert!(["1.0.0", "2.0.0"].contains(&version.as_str())),
            Err(why) => partial.push(format!("round {round} ({signal}): {why}")),
        }
        if signal == "-TERM" {
            assert!(
                !staging.exists(),
                "round {round}: SIGTERM left the staging directory"
            );
        }
    }
    assert!(partial.is_empty(), "partial releases: {partial:#?}");
    // A run after a kill still works, and leaves no staging directory behind.
    let out = env.goflake(&dir, &["build"], true);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(complete_release(&dist).as_deref(), Ok("2.0.0"));
    assert!(!staging.exists());
}

#[test]
fn a_hash_where_null_belongs_is_explained_and_repaired() {
    let Some(env) = env("build::a_hash_where_null_belongs") else {
        return;
    };
    let fake = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    for (fixture, why) in [
        ("root-main", "the project has no dependencies"),
        ("vendored", "vendor/ is committed"),
    ] {
        let dir = env.root.join(fixture);
        goflake_testkit::copy_go_fixture(fixture, &dir);
        let init = env.goflake(
            &dir,
            &["init", "--no-verify-targets", "--targets", "linux/amd64"],
            false,
        );
        assert!(init.status.success(), "{}", stderr(&init));
        // A flake copied from another project, or whose last dependency was removed.
        let set = env.goflake(
            &dir,
            &["set", "flake.nix", "outputs.vendorHash", fake],
            false,
        );
        assert!(set.status.success(), "{}", stderr(&set));

        let out = env.goflake(&dir, &["build", "--no-fix-hash"], true);
        assert_eq!(out.status.code(), Some(1), "{fixture}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(why) && stderr(&out).contains("vendorHash must be null"),
            "{fixture}: {}",
            stderr(&out)
        );
        let out = env.goflake(&dir, &["build", "--fix-hash"], true);
        assert!(out.status.success(), "{fixture}: {}", stderr(&out));
        let flake = std::fs::read_to_string(dir.join("flake.nix")).unwrap();
        assert!(flake.contains("vendorHash = null;"), "{fixture}: {flake}");

        // The Nix method gives null too, on the flake as it was.
        let set = env.goflake(
            &dir,
            &["set", "flake.nix", "outputs.vendorHash", fake],
            false,
        );
        assert!(set.status.success(), "{}", stderr(&set));
        env.nix.lock(&dir);
        let out = env.goflake(&dir, &["vendor-hash", "--method", "nix"], true);
        assert!(out.status.success(), "{fixture}: {}", stderr(&out));
        assert_eq!(stdout(&out).trim(), "null", "{fixture}");
    }
}

#[test]
fn the_nix_method_is_pure_honours_override_input_and_a_branch_reads_no_secret() {
    let Some(env) = env("build::the_nix_method_is_pure") else {
        return;
    };
    let Some(go) = require_tool("build::the_nix_method_is_pure", "go") else {
        return;
    };
    let dir = env.root.join("withdeps");
    prepare_project(&go, &env.proxy, &env.cache, "with-deps", &dir);
    assert!(
        env.goflake(&dir, &["init", "--no-verify-targets"], false)
            .status
            .success()
    );
    assert!(
        env.goflake(&dir, &["vendor-hash", "--write"], false)
            .status
            .success()
    );
    let local = || {
        stdout(&env.goflake(&dir, &["vendor-hash"], false))
            .trim()
            .to_owned()
    };
    let hash = local();
    assert!(!dir.join("flake.lock").exists());
    // No flake.lock: --override-input after `--` is what makes nixpkgs the stand-in.
    let by_nix = env.goflake(&dir, &["vendor-hash", "--method", "nix", "--pure"], true);
    assert!(by_nix.status.success(), "{}", stderr(&by_nix));
    assert_eq!(stdout(&by_nix).trim(), hash);

    // A dependency bump: the store still holds goModules for the old hash, yet the pure
    // method finds the new one (it rebuilds instead of trusting the old output).
    let go_mod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
    std::fs::write(
        dir.join("go.mod"),
        format!("{go_mod}\nrequire example.com/extra v0.1.0\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("extra.go"),
        "package main\n\nimport \"example.com/extra\"\n\nvar _ = extra.Bang\n",
    )
    .unwrap();
    run_ok(
        env.proxy
            .go(&go, &env.cache)
            .args(["mod", "tidy"])
            .current_dir(&dir),
    );
    let bumped = local();
    assert_ne!(bumped, hash);
    let by_nix = env.goflake(&dir, &["vendor-hash", "--method", "nix", "--pure"], true);
    assert!(by_nix.status.success(), "{}", stderr(&by_nix));
    assert_eq!(stdout(&by_nix).trim(), bumped);

    // A branch whose flake tries to read a secret while the bot computes the hash.
    let secret_file = env.root.join("secret.txt");
    std::fs::write(&secret_file, "topsecret-file\n").unwrap();
    let flake = dir.join("flake.nix");
    let original = std::fs::read_to_string(&flake).unwrap();
    let reads_env = original.replace(
        &format!("vendorHash = \"{hash}\";"),
        &format!(
            "vendorHash = let s = builtins.getEnv \"GOFLAKE_TEST_SECRET\"; in if s == \"\" then \"{hash}\" else throw \"leaked ${{s}}\";"
        ),
    );
    assert_ne!(reads_env, original);
    std::fs::write(&flake, &reads_env).unwrap();
    let mut command = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"));
    command
        .args(["vendor-hash", "--method", "nix", "--pure", "--"])
        .args(env.nix.override_nixpkgs())
        .current_dir(&dir)
        .env("GOPROXY", env.proxy.url())
        .env("GOFLAKE_TEST_SECRET", "topsecret-env")
        .env("NIX_CONFIG", goflake_testkit::NIX_CONFIG);
    let out = goflake_testkit::nix::output(&mut command).unwrap();
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        !all.contains("topsecret"),
        "the secret reached the evaluation: {all}"
    );
    assert!(out.status.success(), "{all}");
    assert_eq!(stdout(&out).trim(), bumped, "pure: getEnv gave nothing");

    let reads_file = original.replace(
        &format!("vendorHash = \"{hash}\";"),
        &format!("vendorHash = builtins.readFile {};", secret_file.display()),
    );
    std::fs::write(&flake, &reads_file).unwrap();
    let out = env.goflake(
        &dir,
        &["vendor-hash", "--write", "--method", "nix", "--pure"],
        true,
    );
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        !all.contains("topsecret"),
        "the file reached the evaluation: {all}"
    );
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert_eq!(
        std::fs::read_to_string(&flake).unwrap(),
        reads_file,
        "nothing written"
    );
}
