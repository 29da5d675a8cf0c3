//! The real-Nix harness, end to end: the local module proxy feeds `go` on the host and the
//! fixed-output derivations inside Nix; the nixpkgs stand-in builds cross and wasm binaries
//! like nixpkgs would; Node runs the wasm outputs.

use std::path::{Path, PathBuf};

use goflake_artifacts::Header;
use goflake_testkit::{GoProxy, NixEnv, prepare_project, require_tool, run_ok, workspace_root};

struct Setup {
    _temp: tempfile::TempDir,
    go: PathBuf,
    proxy: GoProxy,
    cache: PathBuf,
    project: PathBuf,
}

fn setup(test: &str) -> Option<Setup> {
    let go = require_tool(test, "go")?;
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    let cache = temp.path().join("cache");
    let project = temp.path().join("flake/src");
    prepare_project(&go, &proxy, &cache, "with-deps", &project);
    Some(Setup {
        _temp: temp,
        go,
        proxy,
        cache,
        project,
    })
}

/// `go` on the host downloads everything from the file proxy; `go mod vendor` copies what
/// nixpkgs' goModules would: parent-directory LICENSE files, embedded files, no tests, no
/// `//go:build ignore` files; the `replace`d fork is used.
#[test]
fn the_proxy_serves_go_offline() {
    let Some(s) = setup("harness::the_proxy_serves_go_offline") else {
        return;
    };
    let out = run_ok(
        s.proxy
            .go(&s.go, &s.cache)
            .args(["run", "."])
            .current_dir(&s.project),
    );
    assert_eq!(out, "GREETINGS, HOLA! 0.1.0\n");
    run_ok(
        s.proxy
            .go(&s.go, &s.cache)
            .args(["mod", "vendor"])
            .current_dir(&s.project),
    );
    let vendor = s.project.join("vendor");
    for present in [
        "modules.txt",
        "example.com/greet/LICENSE",
        "example.com/greet/pkg/hello/hello.go",
        "example.com/words/words.txt",
        "example.com/words/LICENSE",
        "example.com/shout/v2/shout.go",
    ] {
        assert!(
            vendor.join(present).is_file(),
            "vendor/{present} is missing"
        );
    }
    for absent in [
        "example.com/words/words_test.go",
        "example.com/words/gen.go",
        "example.com/greet/pkg/hello/hello_test.go",
    ] {
        assert!(
            !vendor.join(absent).exists(),
            "vendor/{absent} should not be there"
        );
    }
    let modules = std::fs::read_to_string(vendor.join("modules.txt")).unwrap();
    assert!(
        modules.contains("# example.com/words v1.2.0 => example.com/wordsfork v1.2.1"),
        "{modules}"
    );
}

fn write_flake(dir: &Path, vendor_hash: &str) {
    let template = workspace_root().join("tests/fixtures/flakes/stand-in-behaviour/flake.nix");
    let text = std::fs::read_to_string(template).unwrap();
    std::fs::write(
        dir.join("flake.nix"),
        text.replace("@vendorHash@", vendor_hash),
    )
    .unwrap();
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The `got:` hash of the last hash-mismatch message in a Nix log.
fn got_hash(log: &str) -> Option<String> {
    log.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("got:").map(|h| h.trim().to_owned()))
}

/// What an artifact's header says it is.
fn header(path: &Path) -> Header {
    Header::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One run through everything: the fake-hash mismatch names the hash of the locally vendored
/// tree; with it, the stand-in builds the native package (tests run), an arm64 ELF, a PE, and
/// wasm modules that Node runs.
#[test]
fn stand_in_builds_every_kind_of_target() {
    let Some(s) = setup("harness::stand_in_builds_every_kind_of_target") else {
        return;
    };
    let Some(nix) = NixEnv::new("harness::stand_in_builds_every_kind_of_target") else {
        return;
    };
    let node = require_tool("harness::stand_in_builds_every_kind_of_target", "node");
    let flake = s.project.parent().unwrap().to_path_buf();

    // The local vendor tree and its NAR hash, as Nix computes it.
    let vendored = tempfile::tempdir().unwrap();
    goflake_testkit::copy_tree(&s.project, vendored.path());
    run_ok(
        s.proxy
            .go(&s.go, &s.cache)
            .args(["mod", "vendor"])
            .current_dir(vendored.path()),
    );
    let local_hash = run_ok(
        nix.command()
            .args(["hash", "path"])
            .arg(vendored.path().join("vendor")),
    )
    .trim()
    .to_owned();
    assert!(local_hash.starts_with("sha256-"), "{local_hash}");

    write_flake(
        &flake,
        "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    let failed = nix.build(&flake, &["goModules"], Some(&s.proxy.url()));
    assert!(!failed.status.success());
    let log = stderr(&failed);
    assert!(
        log.contains("hash mismatch in fixed-output derivation"),
        "{log}"
    );
    assert!(log.contains("withdeps-1.2.3-go-modules.drv"), "{log}");
    assert_eq!(
        got_hash(&log).as_deref(),
        Some(local_hash.as_str()),
        "{log}"
    );

    write_flake(&flake, &local_hash);
    let attrs = [
        "default",
        "linux-arm64",
        "windows-amd64",
        "wasip1-wasm",
        "js-wasm",
        "go",
        "plainForm",
        "envArgumentIgnored",
    ];
    let built = nix.build(&flake, &attrs, Some(&s.proxy.url()));
    assert!(built.status.success(), "{}", stderr(&built));
    let outs = nix.out_paths(&flake, &attrs);

    // Native: tests ran (doCheck), the binary is stamped through ldflags and runs.
    let native = outs[0].join("bin/withdeps");
    assert_eq!(header(&native), Header::Elf { machine: 0x3e });
    assert_eq!(
        run_ok(&mut goflake_testkit::command(&native)),
        "GREETINGS, HOLA! 1.2.3\n"
    );
    // Cross builds land in bin/GOOS_GOARCH, as nixpkgs installs $GOPATH/bin as is.
    assert_eq!(
        header(&outs[1].join("bin/linux_arm64/withdeps")),
        Header::Elf { machine: 0xb7 }
    );
    assert_eq!(
        header(&outs[2].join("bin/windows_amd64/withdeps.exe")),
        Header::Pe { machine: 0x8664 }
    );
    let wasip1 = outs[3].join("bin/wasip1_wasm/withdeps");
    let js = outs[4].join("bin/js_wasm/withdeps");
    assert_eq!(header(&wasip1), Header::Wasm);
    assert_eq!(header(&js), Header::Wasm);
    // The plain form with tags and subPackages, and no version stamping.
    let plain = run_ok(&mut goflake_testkit::command(outs[6].join("bin/withdeps")));
    assert_eq!(plain, "GREETINGS, HOLA! (loud) 0.1.0\n");
    // env.GOOS given as an argument is overwritten by the builder: a native build.
    let ignored = outs[7].join("bin/withdeps");
    assert_eq!(header(&ignored), Header::Elf { machine: 0x3e });
    assert!(!outs[7].join("bin/windows_amd64").exists());
    let wasm_exec = outs[5].join("share/go/lib/wasm/wasm_exec_node.js");
    assert!(wasm_exec.is_file(), "{}", wasm_exec.display());

    let Some(node) = node else { return };
    let out = goflake_testkit::run_wasi(&node, &wasip1);
    assert_eq!(out, "GREETINGS, HOLA! 1.2.3\n");
    // wasm_exec_node.js takes the module as its argument; it wants a .wasm name.
    let js_copy = tempfile::tempdir().unwrap();
    let js_module = js_copy.path().join("withdeps.wasm");
    std::fs::copy(&js, &js_module).unwrap();
    let out = run_ok(
        goflake_testkit::command(&node)
            .arg(&wasm_exec)
            .arg(&js_module),
    );
    assert_eq!(out, "GREETINGS, HOLA! 1.2.3\n");
}
