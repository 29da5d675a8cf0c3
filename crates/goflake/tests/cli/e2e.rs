//! The whole journey through real Nix (with the nixpkgs stand-in) and real Go (with the local
//! module proxy): init, vendorHash computed and checked, every target built and checked by
//! its header, `nix run`, the wasm outputs under Node, a dependency bump repaired.

use std::path::{Path, PathBuf};
use std::process::Output;

use goflake_testkit::{GoProxy, NixEnv, prepare_project, require_tool, run_ok};

use crate::support::{s, stderr, stdout};

const TARGETS: [&str; 8] = [
    "linux/amd64",
    "linux/arm64",
    "darwin/amd64",
    "darwin/arm64",
    "windows/amd64",
    "windows/arm64",
    "js/wasm",
    "wasip1/wasm",
];

/// `goflake` with the proxy and a private module cache, as a user with a configured GOPROXY.
fn goflake_with(proxy: &GoProxy, cache: &Path, args: &[&str]) -> Output {
    goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
        .args(args)
        .env("GOPROXY", proxy.url())
        .env("GOSUMDB", "off")
        .env("GOMODCACHE", cache.join("mod"))
        .env("GOCACHE", cache.join("build"))
        .env("NIX_CONFIG", goflake_testkit::NIX_CONFIG)
        .output()
        .unwrap()
}

/// What an artifact's header says it is: its target, or `wasm`, or what goflake found.
fn header(path: &Path) -> String {
    let found =
        goflake_artifacts::Header::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if found == goflake_artifacts::Header::Wasm {
        return "wasm".into();
    }
    [
        "linux/amd64",
        "linux/arm64",
        "darwin/amd64",
        "darwin/arm64",
        "windows/amd64",
        "windows/arm64",
    ]
    .into_iter()
    .find(|t| {
        let target = goflake_gomod::Target::parse(t).expect("a GOOS/GOARCH pair");
        goflake_artifacts::expected_header(&target).as_ref() == Some(&found)
    })
    .map_or_else(|| found.describe(), str::to_owned)
}

fn nix_build(nix: &NixEnv, flake: &Path, attrs: &[String], proxy: &GoProxy) -> Vec<PathBuf> {
    let refs: Vec<&str> = attrs.iter().map(String::as_str).collect();
    let built = nix.build(flake, &refs, Some(&proxy.url()));
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    nix.out_paths(flake, &refs)
}

/// Builds all targets of a goflake flake, checks every artifact's header, the release's
/// checksums and manifest, and returns the release directory and the native package.
fn build_everything(
    nix: &NixEnv,
    flake: &Path,
    pname: &str,
    proxy: &GoProxy,
) -> (PathBuf, PathBuf) {
    let mut attrs: Vec<String> = TARGETS
        .iter()
        .map(|t| format!("{pname}-{}", t.replace('/', "-")))
        .collect();
    attrs.push("release".into());
    attrs.push("default".into());
    let outs = nix_build(nix, flake, &attrs, proxy);
    for (target, out) in TARGETS.iter().zip(&outs) {
        let bin = out.join("bin");
        let mut names: Vec<String> = std::fs::read_dir(&bin)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("wasm_exec"))
            .collect();
        names.sort();
        assert!(
            !names.is_empty(),
            "{target}: no binary in {}",
            bin.display()
        );
        for name in &names {
            let expected = if target.ends_with("/wasm") {
                "wasm".to_owned()
            } else {
                (*target).to_owned()
            };
            assert_eq!(header(&bin.join(name)), expected, "{target}: {name}");
            match *target {
                "windows/amd64" | "windows/arm64" => assert!(name.ends_with(".exe"), "{name}"),
                "js/wasm" | "wasip1/wasm" => assert!(name.ends_with(".wasm"), "{name}"),
                _ => assert!(!name.contains('.'), "{name}"),
            }
        }
        if *target == "js/wasm" {
            assert!(bin.join("wasm_exec.js").is_file());
        }
    }
    let release = outs[TARGETS.len()].clone();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(release.join("manifest.json")).unwrap())
            .unwrap();
    let artifacts = manifest["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), TARGETS.len());
    let sums = std::fs::read_to_string(release.join("SHA256SUMS")).unwrap();
    for artifact in artifacts {
        let file = artifact["file"].as_str().unwrap();
        let target = artifact["target"].as_str().unwrap();
        let expected = if target.ends_with("/wasm") {
            "wasm"
        } else {
            target
        };
        assert_eq!(header(&release.join(file)), expected, "{file}");
        let sha = artifact["sha256"].as_str().unwrap();
        assert!(
            sums.contains(&format!("{sha}  {file}\n")),
            "{file} not in SHA256SUMS"
        );
        let size = std::fs::metadata(release.join(file)).unwrap().len();
        assert_eq!(artifact["size"].as_u64(), Some(size));
        assert!(
            file.starts_with(&format!("{pname}_")) || file.contains("_"),
            "{file}"
        );
    }
    let check = run_ok(
        goflake_testkit::command("sha256sum")
            .arg("-c")
            .arg("SHA256SUMS")
            .current_dir(&release),
    );
    assert!(!check.contains("FAILED"));
    (release, outs[TARGETS.len() + 1].clone())
}

#[test]
fn a_project_with_dependencies_from_init_to_release() {
    let test = "e2e::a_project_with_dependencies_from_init_to_release";
    let (Some(nix), Some(go)) = (NixEnv::new(test), require_tool(test, "go")) else {
        return;
    };
    let node = require_tool(test, "node");
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let cache = temp.path().join("cache");
    let dir = temp.path().join("withdeps");
    prepare_project(&go, &proxy, &cache, "with-deps", &dir);
    let flake = dir.join("flake.nix");

    let init = goflake_with(&proxy, &cache, &["init", s(&dir)]);
    assert!(init.status.success(), "{}", stderr(&init));
    assert!(
        stderr(&init).contains("vendorHash is not computed yet"),
        "{}",
        stderr(&init)
    );
    let check = goflake_with(&proxy, &cache, &["vendor-hash", "--check", s(&dir)]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("vendorHash is stale"),
        "{}",
        stderr(&check)
    );

    let write = goflake_with(&proxy, &cache, &["vendor-hash", "--write", s(&dir)]);
    assert!(write.status.success(), "{}", stderr(&write));
    let local = stdout(&write).trim().to_owned();
    assert!(local.starts_with("sha256-"), "{local}");
    let text = std::fs::read_to_string(&flake).unwrap();
    assert!(
        text.contains(&format!(
            "vendorHash = \"{local}\"; # goflake: vendor fingerprint "
        )),
        "{text}"
    );
    let check = goflake_with(&proxy, &cache, &["vendor-hash", "--check", s(&dir)]);
    assert!(check.status.success(), "{}", stderr(&check));

    // Nix computes the same hash in the goModules derivation.
    nix.lock(&dir);
    let by_nix = goflake_with(&proxy, &cache, &["vendor-hash", "--method", "nix", s(&dir)]);
    assert!(by_nix.status.success(), "{}", stderr(&by_nix));
    assert_eq!(stdout(&by_nix).trim(), local);
    let verified = goflake_with(
        &proxy,
        &cache,
        &["vendor-hash", "--method", "auto", "--verify", s(&dir)],
    );
    assert!(verified.status.success(), "{}", stderr(&verified));

    let (release, native) = build_everything(&nix, &dir, "withdeps", &proxy);
    assert_eq!(
        run_ok(&mut goflake_testkit::command(native.join("bin/withdeps"))),
        "GREETINGS, HOLA! 0.1.0\n"
    );
    let mut run = nix.command();
    run.args(["run"])
        .args(nix.override_nixpkgs())
        .arg(format!("path:{}", dir.display()));
    run.env("GOPROXY", proxy.url());
    assert_eq!(run_ok(&mut run), "GREETINGS, HOLA! 0.1.0\n");
    if let Some(node) = &node {
        assert_eq!(
            goflake_testkit::run_wasi(node, &release.join("withdeps_0.1.0_wasip1_wasm.wasm")),
            "GREETINGS, HOLA! 0.1.0\n"
        );
        let js = tempfile::tempdir().unwrap();
        std::fs::copy(
            release.join("withdeps_0.1.0_js_wasm.wasm"),
            js.path().join("app.wasm"),
        )
        .unwrap();
        let out = run_ok(
            goflake_testkit::command(node)
                .arg(release.join("wasm_exec_node.js"))
                .arg(js.path().join("app.wasm")),
        );
        assert_eq!(out, "GREETINGS, HOLA! 0.1.0\n");
    }

    // A dependency bump: the hash goes stale, --write repairs it, the next build succeeds.
    let main = std::fs::read_to_string(dir.join("main.go")).unwrap();
    let main = main
        .replace(
            "\"example.com/shout/v2\"\n",
            "\"example.com/extra\"\n\t\"example.com/shout/v2\"\n",
        )
        .replace(
            "shout.Shout(hello.Hello())+suffix",
            "extra.Bang(shout.Shout(hello.Hello()))+suffix",
        );
    std::fs::write(dir.join("main.go"), main).unwrap();
    run_ok(
        proxy
            .go(&go, &cache)
            .args(["mod", "tidy"])
            .current_dir(&dir),
    );
    let stale = goflake_with(&proxy, &cache, &["vendor-hash", "--check", s(&dir)]);
    assert_eq!(stale.status.code(), Some(1));
    let repaired = goflake_with(&proxy, &cache, &["vendor-hash", "--write", s(&dir)]);
    assert!(repaired.status.success(), "{}", stderr(&repaired));
    assert_ne!(stdout(&repaired).trim(), local);
    let outs = nix_build(&nix, &dir, &["default".into()], &proxy);
    assert_eq!(
        run_ok(&mut goflake_testkit::command(outs[0].join("bin/withdeps"))),
        "GREETINGS, HOLA!!! 0.1.0\n"
    );
}

#[test]
fn a_scaffolded_project_builds_every_target() {
    let test = "e2e::a_scaffolded_project_builds_every_target";
    let Some(nix) = NixEnv::new(test) else {
        return;
    };
    let node = require_tool(test, "node");
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let dir = temp.path().join("hello");
    let new = goflake_with(
        &proxy,
        &temp.path().join("cache"),
        &["new", s(&dir), "--module", "example.org/hello"],
    );
    assert!(new.status.success(), "{}", stderr(&new));
    let (release, _) = build_everything(&nix, &dir, "hello", &proxy);
    let mut run = nix.command();
    run.args(["run"])
        .args(nix.override_nixpkgs())
        .arg(format!("path:{}", dir.display()));
    run.args(["--", "-name", "nix"]);
    assert_eq!(run_ok(&mut run), "hello, nix (version 0.1.0)\n");
    if let Some(node) = &node {
        let out = goflake_testkit::run_wasi(node, &release.join("hello_0.1.0_wasip1_wasm.wasm"));
        assert_eq!(out, "hello, world (version 0.1.0)\n");
    }
}

/// `nix flake init -t <goflake>#cli`, then a build: the goflake flake's own templates work.
/// Nix fetches a flake's inputs to evaluate it, so the copy of goflake's flake is locked to
/// the stand-in first.
#[test]
fn nix_flake_init_from_the_goflake_templates() {
    let test = "e2e::nix_flake_init_from_the_goflake_templates";
    let Some(nix) = NixEnv::new(test) else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let goflake_copy = temp.path().join("goflake");
    let root = goflake_testkit::workspace_root();
    std::fs::create_dir_all(&goflake_copy).unwrap();
    for file in ["flake.nix", "Cargo.toml", "Cargo.lock"] {
        std::fs::copy(root.join(file), goflake_copy.join(file)).unwrap();
    }
    goflake_testkit::copy_tree(&root.join("templates"), &goflake_copy.join("templates"));
    nix.lock(&goflake_copy);

    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let mut init = nix.command();
    init.args(["flake", "init", "-t"])
        .arg(format!("path:{}#cli", goflake_copy.display()))
        .current_dir(&project);
    run_ok(&mut init);
    assert!(project.join("flake.nix").is_file());
    assert!(project.join("main.go").is_file());
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let outs = nix_build(
        &nix,
        &project,
        &["default".into(), "cli-wasip1-wasm".into()],
        &proxy,
    );
    assert_eq!(
        run_ok(&mut goflake_testkit::command(outs[0].join("bin/cli"))),
        "hello, world (version 0.1.0)\n"
    );
    assert_eq!(header(&outs[1].join("bin/cli.wasm")), "wasm");
}

/// `vendor-hash` on a hand-written package file (not a goflake flake): `--file`, the
/// `modRoot` beside vendorHash, and only the value changes.
#[test]
fn vendor_hash_on_a_hand_written_package_file() {
    let test = "e2e::vendor_hash_on_a_hand_written_package_file";
    let Some(go) = require_tool(test, "go") else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let cache = temp.path().join("cache");
    let repo = temp.path().join("repo");
    prepare_project(&go, &proxy, &cache, "with-deps", &repo.join("src"));
    let package = repo.join("nix/package.nix");
    std::fs::create_dir_all(package.parent().unwrap()).unwrap();
    let text = "{ buildGoModule }:\n\n# Hand-written.\nbuildGoModule (finalAttrs: {\n  pname = \"withdeps\";\n  version = \"1.0.0\";\n  src = ../.;\n  modRoot = \"src\";\n  vendorHash = null; # fill me\n})\n";
    std::fs::write(&package, text).unwrap();
    // modRoot is relative to the source root, which is the repository here.
    let out = goflake_with(
        &proxy,
        &cache,
        &["vendor-hash", "--write", "--file", s(&package), s(&repo)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let hash = stdout(&out).trim().to_owned();
    let after = std::fs::read_to_string(&package).unwrap();
    let expected = text.replace(
        "vendorHash = null; # fill me",
        &format!("vendorHash = \"{hash}\"; # goflake: vendor fingerprint "),
    );
    assert!(
        after.starts_with(&expected[..expected.len() - 4]),
        "{after}"
    );
    assert!(after.ends_with("\n})\n"));
    // The same hash as for the project's own goflake flake.
    let flake_dir = temp.path().join("flaked");
    prepare_project(&go, &proxy, &cache, "with-deps", &flake_dir);
    assert!(
        goflake_with(&proxy, &cache, &["init", s(&flake_dir)])
            .status
            .success()
    );
    let direct = goflake_with(&proxy, &cache, &["vendor-hash", s(&flake_dir)]);
    assert_eq!(stdout(&direct).trim(), hash);
}

/// A `replace` pointing at a directory of the repository: the local hash still equals the
/// one Nix computes (the replaced module is vendored from the flake's source), and the
/// build uses the local copy.
#[test]
fn a_local_directory_replace_hashes_like_nix() {
    let test = "e2e::a_local_directory_replace_hashes_like_nix";
    let (Some(nix), Some(go)) = (NixEnv::new(test), require_tool(test, "go")) else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let cache = temp.path().join("cache");
    let dir = temp.path().join("localreplace");
    prepare_project(&go, &proxy, &cache, "local-replace", &dir);
    assert!(
        goflake_with(&proxy, &cache, &["init", s(&dir)])
            .status
            .success()
    );
    let local = goflake_with(&proxy, &cache, &["vendor-hash", "--write", s(&dir)]);
    assert!(local.status.success(), "{}", stderr(&local));
    nix.lock(&dir);
    let by_nix = goflake_with(&proxy, &cache, &["vendor-hash", "--method", "nix", s(&dir)]);
    assert!(by_nix.status.success(), "{}", stderr(&by_nix));
    assert_eq!(stdout(&by_nix).trim(), stdout(&local).trim());
    let outs = nix_build(&nix, &dir, &["default".into()], &proxy);
    assert_eq!(
        run_ok(&mut goflake_testkit::command(
            outs[0].join("bin/localreplace")
        )),
        "greetings, bonjour\n"
    );
}

/// `--reproducible` rebuilds with `nix build --rebuild` and reports each target.
#[test]
fn reproducible_builds_are_reported() {
    let test = "e2e::reproducible_builds_are_reported";
    let Some(nix) = NixEnv::new(test) else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let cache = temp.path().join("cache");
    let dir = temp.path().join("repro");
    assert!(
        goflake_with(&proxy, &cache, &["new", s(&dir)])
            .status
            .success()
    );
    let mut args = vec![
        "build",
        "--dir",
        s(&dir),
        "--reproducible",
        "linux/amd64",
        "wasip1/wasm",
        "--",
    ];
    let overrides = nix.override_nixpkgs();
    args.extend(overrides.iter().map(String::as_str));
    let out = goflake_with(&proxy, &cache, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains("linux/amd64: bit-for-bit identical on rebuild"),
        "{table}"
    );
    assert!(
        table.contains("wasip1/wasm: bit-for-bit identical on rebuild"),
        "{table}"
    );
}

/// proxyVendor: the local method hashes a fresh module download cache without sumdb, which
/// must equal what Nix's goModules produces with the same Go.
#[test]
fn proxy_vendor_hashes_like_nix() {
    let test = "e2e::proxy_vendor_hashes_like_nix";
    let (Some(nix), Some(go)) = (NixEnv::new(test), require_tool(test, "go")) else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let cache = temp.path().join("cache");
    let dir = temp.path().join("proxied");
    prepare_project(&go, &proxy, &cache, "with-deps", &dir);
    let flake = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-26.05\";\n  outputs =\n    { self, nixpkgs }:\n    {\n      packages.x86_64-linux.default = nixpkgs.legacyPackages.x86_64-linux.buildGoModule {\n        pname = \"proxied\";\n        version = \"0.1.0\";\n        src = ./.;\n        proxyVendor = true;\n        vendorHash = null;\n      };\n    };\n}\n";
    std::fs::write(dir.join("flake.nix"), flake).unwrap();
    let local = goflake_with(
        &proxy,
        &cache,
        &["vendor-hash", "--method", "local", "--write", s(&dir)],
    );
    assert!(local.status.success(), "{}", stderr(&local));
    assert!(
        stderr(&local).contains("proxyVendor")
            && stderr(&local).contains("the Go release")
            && stderr(&local).contains("the module proxy"),
        "what the hash depends on: {}",
        stderr(&local)
    );
    nix.lock(&dir);
    let by_nix = goflake_with(&proxy, &cache, &["vendor-hash", "--method", "nix", s(&dir)]);
    assert!(by_nix.status.success(), "{}", stderr(&by_nix));
    assert_eq!(stdout(&by_nix).trim(), stdout(&local).trim());
    // Without --method, a proxyVendor hash is Nix's.
    let default = goflake_with(&proxy, &cache, &["vendor-hash", "--json", s(&dir)]);
    assert!(default.status.success(), "{}", stderr(&default));
    let report: serde_json::Value = serde_json::from_slice(&default.stdout).unwrap();
    assert_eq!(report["method"], "nix", "{report}");
    assert_eq!(report["vendorHash"], stdout(&local).trim());
    let outs = nix_build(&nix, &dir, &["default".into()], &proxy);
    assert_eq!(
        run_ok(&mut goflake_testkit::command(outs[0].join("bin/withdeps"))),
        "GREETINGS, HOLA! 0.1.0\n"
    );
}

/// The flake attribute of a target of the with-deps fixture.
fn withdeps_attr(target: &str) -> String {
    format!("withdeps-{}", target.replace('/', "-"))
}

/// The output path of each target's build cache (named `…-<kind>-cache`), read from the
/// package `<pname>-<goos>-<goarch>`'s postConfigure. The output path is what decides whether
/// Nix builds it again: its .drv path follows goModules' derivation, which changes with any
/// edit, while the fixed-output goModules keeps its output path.
fn cache_paths(nix: &NixEnv, dir: &Path, pname: &str, kind: &str, targets: &[&str]) -> Vec<String> {
    let attrs: Vec<String> = targets
        .iter()
        .map(|t| format!("\"{pname}-{}\"", t.replace('/', "-")))
        .collect();
    let mut command = nix.command();
    command
        .args(["eval", "--json"])
        .args(nix.override_nixpkgs())
        .arg(format!(
            "path:{}#packages.{}",
            dir.display(),
            goflake_testkit::host_system()
        ))
        .args([
            "--apply",
            &format!("p: map (a: p.${{a}}.postConfigure) [ {} ]", attrs.join(" ")),
        ]);
    let json: serde_json::Value = serde_json::from_str(&run_ok(&mut command)).unwrap();
    let marker = format!("-{kind}-cache");
    json.as_array()
        .unwrap()
        .iter()
        .map(|script| {
            let script = script.as_str().unwrap();
            let caches: Vec<&str> = script
                .split_whitespace()
                .filter(|w| w.contains(&marker))
                .collect();
            assert_eq!(caches.len(), 1, "one {kind} cache per target: {script}");
            caches[0].trim_end_matches("/.").to_owned()
        })
        .collect()
}

/// The files in a package's bin/, by name, with their bytes.
fn binaries(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(out.join("bin"))
        .unwrap()
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The with-deps fixture in a temporary directory, with the fixture modules' proxy.
struct WithDeps {
    _temp: tempfile::TempDir,
    proxy: GoProxy,
    cache: PathBuf,
    dir: PathBuf,
}

impl WithDeps {
    fn new(go: &Path) -> WithDeps {
        let temp = tempfile::tempdir().unwrap();
        let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
        let cache = temp.path().join("cache");
        let dir = temp.path().join("withdeps");
        prepare_project(go, &proxy, &cache, "with-deps", &dir);
        WithDeps {
            _temp: temp,
            proxy,
            cache,
            dir,
        }
    }

    /// Runs goflake, which must succeed.
    fn goflake(&self, args: &[&str]) -> Output {
        let out = goflake_with(&self.proxy, &self.cache, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    }

    fn flake_file(&self) -> PathBuf {
        self.dir.join("flake.nix")
    }
}

/// Each target's binaries built with the cache are bit for bit those built without it.
fn assert_same_binaries(targets: &[&str], with_cache: &[PathBuf], without: &[PathBuf]) {
    for ((target, a), b) in targets.iter().zip(with_cache).zip(without) {
        assert_ne!(a, b, "{target}: two derivations");
        assert!(
            binaries(a) == binaries(b),
            "{target}: the binary built with the cache differs from the one built without"
        );
    }
}

/// The per-target dependency cache (`buildCache = true;`): every target's binary is bit for
/// bit the one built without it, a source edit reuses the caches, and a dependency bump
/// rebuilds them.
#[test]
fn the_dependency_cache_changes_no_binary_and_only_dependencies_rebuild_it() {
    let test = "e2e::the_dependency_cache_changes_no_binary";
    let (Some(nix), Some(go)) = (NixEnv::new(test), require_tool(test, "go")) else {
        return;
    };
    let project = WithDeps::new(&go);
    let (dir, flake_file) = (&project.dir, project.flake_file());
    let targets = TARGETS.join(",");
    project.goflake(&["init", "--no-verify-targets", "--targets", &targets, s(dir)]);
    project.goflake(&["vendor-hash", "--write", s(dir)]);
    let text = std::fs::read_to_string(&flake_file).unwrap();
    assert!(text.contains("buildCache = true;"), "{text}");

    let attrs: Vec<String> = TARGETS.iter().map(|t| withdeps_attr(t)).collect();
    let with_cache = nix_build(&nix, dir, &attrs, &project.proxy);
    let caches = cache_paths(&nix, dir, "withdeps", "deps", &TARGETS);
    project.goflake(&["set", "--expr", s(&flake_file), "buildCache", "false"]);
    let without = nix_build(&nix, dir, &attrs, &project.proxy);
    assert_same_binaries(&TARGETS, &with_cache, &without);

    // An edit of the project's code keeps every cache; a dependency bump replaces them all.
    project.goflake(&["set", "--expr", s(&flake_file), "buildCache", "true"]);
    let main = dir.join("main.go");
    let code = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("{code}\n// An edit.\n")).unwrap();
    assert_eq!(
        cache_paths(&nix, dir, "withdeps", "deps", &TARGETS),
        caches,
        "a source edit kept the caches"
    );
    run_ok(
        project
            .proxy
            .go(&go, &project.cache)
            .args(["get", "example.com/extra@v0.1.0"])
            .current_dir(dir),
    );
    project.goflake(&["vendor-hash", "--write", s(dir)]);
    let bumped = cache_paths(&nix, dir, "withdeps", "deps", &TARGETS);
    for (target, (old, new)) in TARGETS.iter().zip(caches.iter().zip(&bumped)) {
        assert_ne!(old, new, "{target}: a new dependency rebuilds the cache");
    }
}

/// Without dependencies, `buildCache = true;` gives each target the standard library
/// precompiled: every binary is bit for bit the one built without it, and the cache is one
/// derivation per Go and target, shared by every project and kept across source edits.
#[test]
fn the_std_cache_changes_no_binary_and_is_shared_between_projects() {
    let test = "e2e::the_std_cache_changes_no_binary";
    let (Some(nix), Some(go)) = (NixEnv::new(test), require_tool(test, "go")) else {
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let cache = temp.path().join("cache");
    let targets = TARGETS.join(",");
    let init = |name: &str, fixture: &str| -> PathBuf {
        let dir = temp.path().join(name);
        prepare_project(&go, &proxy, &cache, fixture, &dir);
        let out = goflake_with(
            &proxy,
            &cache,
            &[
                "init",
                "--no-verify-targets",
                "--targets",
                &targets,
                s(&dir),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        dir
    };
    let hello = init("hello", "root-main");
    let multi = init("multi", "cmd-multi");
    let flake_file = hello.join("flake.nix");
    let text = std::fs::read_to_string(&flake_file).unwrap();
    assert!(
        text.contains("buildCache = true;") && text.contains("vendorHash = null;"),
        "{text}"
    );

    let caches = cache_paths(&nix, &hello, "hello", "std", &TARGETS);
    assert_eq!(
        cache_paths(&nix, &multi, "multi", "std", &TARGETS),
        caches,
        "two projects share the standard library's caches"
    );
    let attrs: Vec<String> = TARGETS
        .iter()
        .map(|t| format!("hello-{}", t.replace('/', "-")))
        .collect();
    crate::support::fresh_source(&hello);
    let with_cache = nix_build(&nix, &hello, &attrs, &proxy);
    let set = |value: &str| {
        let out = goflake_with(
            &proxy,
            &cache,
            &["set", "--expr", s(&flake_file), "buildCache", value],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    };
    set("false");
    let without = nix_build(&nix, &hello, &attrs, &proxy);
    assert_same_binaries(&TARGETS, &with_cache, &without);
    set("true");
    let main = hello.join("main.go");
    let code = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("{code}\n// An edit.\n")).unwrap();
    assert_eq!(
        cache_paths(&nix, &hello, "hello", "std", &TARGETS),
        caches,
        "a source edit kept the caches"
    );
}

/// A generated flake whose user turned on proxyVendor in the native package: vendor-hash
/// sees it, and every target builds with the dependency cache, bit for bit as without it.
#[test]
fn proxy_vendor_in_a_generated_flake() {
    let test = "e2e::proxy_vendor_in_a_generated_flake";
    let (Some(nix), Some(go)) = (NixEnv::new(test), require_tool(test, "go")) else {
        return;
    };
    let project = WithDeps::new(&go);
    let (dir, flake_file) = (&project.dir, project.flake_file());
    let targets = ["linux/amd64", "wasip1/wasm"];
    project.goflake(&[
        "init",
        "--no-verify-targets",
        "--targets",
        &targets.join(","),
        s(dir),
    ]);
    let text = std::fs::read_to_string(&flake_file).unwrap();
    let text = text.replacen(
        "meta.mainProgram = mainProgram;",
        "meta.mainProgram = mainProgram;\n            proxyVendor = true;",
        1,
    );
    std::fs::write(&flake_file, &text).unwrap();
    // proxyVendor's hash is Nix's: it is computed with the flake's nixpkgs.
    nix.lock(dir);
    let out = project.goflake(&["vendor-hash", "--json", "--write", s(dir)]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["method"], "nix", "{report}");

    let attrs: Vec<String> = targets.iter().map(|t| withdeps_attr(t)).collect();
    let with_cache = nix_build(&nix, dir, &attrs, &project.proxy);
    // The cache holds the dependencies' packages, found in the module proxy goModules is.
    let cache = &cache_paths(&nix, dir, "withdeps", "deps", &targets)[0];
    let log = run_ok(nix.command().args(["log", cache]));
    for package in ["example.com/greet", "example.com/shout/v2"] {
        assert!(
            log.lines()
                .any(|l| l.contains("compiling into the cache:") && l.contains(package)),
            "{package} is compiled into the cache: {log}"
        );
    }
    project.goflake(&["set", "--expr", s(&flake_file), "buildCache", "false"]);
    let without = nix_build(&nix, dir, &attrs, &project.proxy);
    assert_same_binaries(&targets, &with_cache, &without);
}
