//! Realistic projects, as real Go CLIs are laid out: targets proposed only when they compile
//! (a dependency or the project's own code without a wasm implementation), the binaries a
//! packager would ship, GoReleaser files with anchors and merge keys, the version the source
//! declares, a module in a subdirectory, and a project that needs a newer Go than its go line.

use std::path::{Path, PathBuf};
use std::process::Output;

use goflake_testkit::{GoProxy, prepare_project, require_tool, require_toolchains};
use serde_json::Value;

use crate::support::{copy_tree, s, stderr, stdout};

struct Env {
    _temp: tempfile::TempDir,
    root: PathBuf,
    proxy: GoProxy,
    /// Where Go releases other than the host's come from (`None`: only the host's Go).
    toolchains: Option<String>,
}

fn env(test: &str, toolchains: bool) -> Option<Env> {
    require_tool(test, "go")?;
    let toolchains = if toolchains {
        Some(require_toolchains(test)?)
    } else {
        None
    };
    let temp = tempfile::tempdir().unwrap();
    let proxy = GoProxy::with_fixture_modules(&temp.path().join("proxy")).unwrap();
    Some(Env {
        root: temp.path().to_path_buf(),
        _temp: temp,
        proxy,
        toolchains,
    })
}

impl Env {
    /// A copy of the fixture project, tidied against the local proxy.
    fn project(&self, name: &str) -> PathBuf {
        let dir = self.root.join(name);
        let go = goflake_testkit::which("go").unwrap();
        prepare_project(&go, &self.proxy, &self.root.join("cache"), name, &dir);
        dir
    }

    /// goflake as a user with a configured GOPROXY; the build cache is the user's (Go's
    /// cache is content-addressed, so sharing it changes no result, only the time).
    fn goflake(&self, args: &[&str]) -> Output {
        let mut command = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"));
        match &self.toolchains {
            // Go releases are verified against the checksum database, which the toolchain
            // proxy serves from its cache; the fixture modules are unknown to it.
            Some(toolchains) => command
                .env("GOPROXY", format!("{},{toolchains}", self.proxy.url()))
                .env("GONOSUMDB", "example.com"),
            None => command
                .env("GOPROXY", self.proxy.url())
                .env("GOSUMDB", "off"),
        };
        command
            .args(args)
            .env("GOFLAGS", "")
            .env_remove("GOTOOLCHAIN")
            .env("GOMODCACHE", self.root.join("cache/mod"))
            .output()
            .unwrap()
    }

    fn inspect(&self, dir: &Path, extra: &[&str]) -> (Value, String) {
        let mut args = vec!["inspect", "--json"];
        args.extend_from_slice(extra);
        args.push(s(dir));
        let out = self.goflake(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        (serde_json::from_slice(&out.stdout).unwrap(), stderr(&out))
    }
}

fn proposed(model: &Value) -> Vec<String> {
    model["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["proposed"] == true)
        .map(|t| t["target"].as_str().unwrap().to_owned())
        .collect()
}

fn reason(model: &Value, target: &str) -> String {
    let t = model["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == target)
        .unwrap_or_else(|| panic!("{target} not considered: {model}"));
    assert_eq!(t["proposed"], false, "{target} should be left out: {t}");
    t["left_out"][0]["reason"].as_str().unwrap().to_owned()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// goflake's default targets without the two wasm ones.
const NATIVE_AND_CROSS: &[&str] = goflake_gomod::DEFAULT_TARGETS.split_at(6).0;

#[test]
fn a_dependency_without_wasm_code_leaves_the_wasm_targets_out() {
    let Some(env) = env(
        "a_dependency_without_wasm_code_leaves_the_wasm_targets_out",
        false,
    ) else {
        return;
    };
    let dir = env.project("dep-no-wasm");
    let (model, _) = env.inspect(&dir, &[]);
    assert_eq!(model["target_check"]["method"], "compiled", "{model}");
    assert_eq!(proposed(&model), NATIVE_AND_CROSS);
    for wasm in ["js/wasm", "wasip1/wasm"] {
        let why = reason(&model, wasm);
        assert!(
            why.starts_with("example.com/clipboard: clipboard.go:")
                && why.ends_with("undefined: readAll"),
            "{wasm}: {why}"
        );
    }

    let out = env.goflake(&["init", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let flake = std::fs::read_to_string(dir.join("flake.nix")).unwrap();
    assert!(!flake.contains("\"js/wasm\""), "{flake}");
    assert!(
        flake.contains("# Left out: wasip1/wasm (clipper: example.com/clipboard: clipboard.go:"),
        "{flake}"
    );
    assert!(
        stderr(&out).contains("target js/wasm left out"),
        "{}",
        stderr(&out)
    );

    // A target added back by hand is reported by check, with the compiler's error.
    let set = env.goflake(&[
        "set",
        "--list",
        s(&dir.join("flake.nix")),
        "targets",
        "linux/amd64",
        "js/wasm",
    ]);
    assert!(set.status.success(), "{}", stderr(&set));
    let check = env.goflake(&["check", "--no-nix", "--dir", s(&dir)]);
    assert!(!check.status.success());
    assert!(
        stderr(&check)
            .contains("target js/wasm cannot build: clipper: example.com/clipboard: clipboard.go:"),
        "{}",
        stderr(&check)
    );
    // ... and `targets add` refuses a target that does not compile.
    let add = env.goflake(&[
        "targets",
        "--flake",
        s(&dir.join("flake.nix")),
        "add",
        "wasip1/wasm",
    ]);
    assert!(!add.status.success());
    assert!(
        stderr(&add).contains("wasip1/wasm does not compile")
            && stderr(&add).contains("undefined: readAll"),
        "{}",
        stderr(&add)
    );
}

#[test]
fn the_projects_own_code_without_wasm_leaves_the_wasm_targets_out() {
    let Some(env) = env(
        "the_projects_own_code_without_wasm_leaves_the_wasm_targets_out",
        false,
    ) else {
        return;
    };
    let dir = env.project("own-no-wasm");
    let (model, _) = env.inspect(&dir, &[]);
    assert_eq!(proposed(&model), NATIVE_AND_CROSS);
    let why = reason(&model, "wasip1/wasm");
    assert!(
        why.starts_with("example.com/procs: main.go:")
            && why.ends_with("undefined: setPlatformAttrs"),
        "{why}"
    );
}

#[test]
fn goreleaser_anchors_and_merge_keys_choose_main_targets_and_ldflags() {
    let Some(env) = env(
        "goreleaser_anchors_and_merge_keys_choose_main_targets_and_ldflags",
        false,
    ) else {
        return;
    };
    let dir = env.project("goreleaser-anchors");
    let (model, _) = env.inspect(&dir, &[]);
    let mains: Vec<&str> = model["main_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["dir"].as_str().unwrap())
        .collect();
    assert_eq!(mains, ["cmd/tool"]);
    let left: Vec<&str> = model["left_out_mains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["dir"].as_str().unwrap())
        .collect();
    assert_eq!(left, [".", "scripts/check-docs"]);
    // GoReleaser's matrix (linux, darwin, windows × amd64, arm64, minus windows/arm64) is
    // the starting set: no wasm is proposed.
    assert_eq!(
        proposed(&model),
        [
            "linux/amd64",
            "linux/arm64",
            "darwin/amd64",
            "darwin/arm64",
            "windows/amd64"
        ]
    );
    assert_eq!(model["version"]["version"], "1.4.0");

    let out = env.goflake(&["init", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let flake = std::fs::read_to_string(dir.join("flake.nix")).unwrap();
    assert!(flake.contains("subPackages = [ \"cmd/tool\" ];"), "{flake}");
    assert!(flake.contains("\"-X main.version=${version}\""), "{flake}");
    assert!(
        flake.contains("\"-X main.commit=${self.shortRev or \"dirty\"}\""),
        "{flake}"
    );
    assert!(flake.contains("version = \"1.4.0\";"), "{flake}");
}

#[test]
fn maintainer_tools_generators_and_examples_are_not_shipped() {
    let Some(env) = env(
        "maintainer_tools_generators_and_examples_are_not_shipped",
        false,
    ) else {
        return;
    };
    let dir = env.project("tooling-mains");
    let (model, warnings) = env.inspect(&dir, &[]);
    let _ = warnings;
    let mains: Vec<&str> = model["main_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["dir"].as_str().unwrap())
        .collect();
    assert_eq!(mains, [".", "cmd/appctl"]);
    let left: Vec<(String, String)> = model["left_out_mains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["dir"].as_str().unwrap().to_owned(),
                m["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let dirs: Vec<&str> = left.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(
        dirs,
        [
            "examples/demo",
            "hack/update-readme",
            "internal/gen",
            "scripts/gen-docs",
            "test/e2e-runner",
            "tools/lint"
        ]
    );
    assert!(left[2].1.contains("go generate"), "{left:?}");
    assert!(left[3].1.contains("maintainer scripts"), "{left:?}");
    let text = strings(&model["warnings"]).join("\n");
    assert!(text.contains("goflake init --main DIR"), "{text}");

    // The human view names each one too.
    let human = env.goflake(&["inspect", s(&dir)]);
    assert!(
        stdout(&human).contains("not shipped lint (tools/lint): maintainer tools"),
        "{}",
        stdout(&human)
    );

    // --main chooses explicitly; a tool the user adds to subPackages survives re-running init.
    let (chosen, _) = env.inspect(&dir, &["--main", "tools/lint"]);
    assert_eq!(chosen["main_packages"][0]["dir"], "tools/lint");
    assert!(env.goflake(&["init", s(&dir)]).status.success());
    let flake = dir.join("flake.nix");
    let set = env.goflake(&[
        "set",
        "--list",
        s(&flake),
        "outputs.subPackages",
        ".",
        "cmd/appctl",
        "tools/lint",
    ]);
    assert!(set.status.success(), "{}", stderr(&set));
    let before = std::fs::read_to_string(&flake).unwrap();
    let again = env.goflake(&["init", s(&dir)]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&flake).unwrap(), before);
}

#[test]
fn a_declared_version_is_kept_and_a_missing_one_never_stamped() {
    let Some(env) = env(
        "a_declared_version_is_kept_and_a_missing_one_never_stamped",
        false,
    ) else {
        return;
    };
    let dir = env.project("declared-version");
    let (model, _) = env.inspect(&dir, &[]);
    assert_eq!(model["version"]["version"], "0.66");
    assert_eq!(model["version"]["known"], true);
    assert!(env.goflake(&["init", s(&dir)]).status.success());
    let flake = std::fs::read_to_string(dir.join("flake.nix")).unwrap();
    assert!(flake.contains("version = \"0.66\";"), "{flake}");

    // `var version = "dev"` and no tag: no version the project never had.
    let hello = env.root.join("hello");
    goflake_testkit::copy_go_fixture("root-main", &hello);
    assert!(env.goflake(&["init", s(&hello)]).status.success());
    let flake = std::fs::read_to_string(hello.join("flake.nix")).unwrap();
    assert!(flake.contains("version = \"0-unstable\";"), "{flake}");
    assert!(!flake.contains("-X main.version"), "{flake}");
}

#[test]
fn a_binary_named_like_a_system_command_is_left_out_or_warned_about() {
    let Some(env) = env(
        "a_binary_named_like_a_system_command_is_left_out_or_warned_about",
        false,
    ) else {
        return;
    };
    let dir = env.project("install-binary");
    let (model, _) = env.inspect(&dir, &[]);
    assert_eq!(model["main_packages"].as_array().unwrap().len(), 1);
    assert_eq!(model["left_out_mains"][0]["dir"], "src/install");
    // The const declares the version (croc's `Version = "v10.2.1"`).
    assert_eq!(model["version"]["version"], "10.2.1");
    let (chosen, _) = env.inspect(&dir, &["--main", ".", "--main", "src/install"]);
    let text = strings(&chosen["warnings"]).join("\n");
    assert!(
        text.contains("named `install`, like a common system command"),
        "{text}"
    );
}

#[test]
fn a_module_in_a_subdirectory_gets_a_flake_at_the_root_with_mod_root() {
    let Some(env) = env(
        "a_module_in_a_subdirectory_gets_a_flake_at_the_root_with_mod_root",
        false,
    ) else {
        return;
    };
    let dir = env.root.join("repo");
    goflake_testkit::copy_go_fixture("module-in-subdir", &dir);
    let out = env.goflake(&["init", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("using the module in ./cli"),
        "{}",
        stderr(&out)
    );
    let flake = std::fs::read_to_string(dir.join("flake.nix")).unwrap();
    assert!(flake.contains("modRoot = \"cli\";"), "{flake}");
    assert!(!dir.join("cli/flake.nix").exists());

    // Two modules: an error naming both and the flag that chooses.
    let two = env.root.join("two");
    copy_tree(&dir.join("cli"), &two.join("a"));
    copy_tree(&dir.join("cli"), &two.join("b"));
    let out = env.goflake(&["init", s(&two)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("./a, ./b") && stderr(&out).contains("--mod-root"),
        "{}",
        stderr(&out)
    );
    let out = env.goflake(&["init", "--mod-root", "b", s(&two)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(two.join("flake.nix"))
            .unwrap()
            .contains("modRoot = \"b\";")
    );
}

#[test]
fn targets_are_compiled_with_the_flakes_go_not_the_hosts() {
    let Some(env) = env(
        "targets_are_compiled_with_the_flakes_go_not_the_hosts",
        true,
    ) else {
        return;
    };
    // go 1.25 → go_1_25; the code uses errors.AsType, new in Go 1.26: the host's Go would
    // compile it, the flake's Go does not, for any target.
    let dir = env.project("needs-newer-go");
    let (model, _) = env.inspect(&dir, &[]);
    assert_eq!(model["go"]["attr"], "go_1_25");
    let go = model["target_check"]["go"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(go.starts_with("1.25."), "{model}");
    let text = strings(&model["warnings"]).join("\n");
    assert!(
        text.contains(&format!("does not build with Go {go} even for the host"))
            && text.contains("undefined: errors.AsType"),
        "{text}"
    );
    // The Go here builds it: goflake says which goAttr would.
    let host = goflake_testkit::run_ok(goflake_testkit::command("go").args(["env", "GOVERSION"]));
    let host = host.trim().trim_start_matches("go");
    if !host.starts_with("1.25.") {
        assert!(
            text.contains(&format!("it builds with Go {host} (the Go here)")),
            "{text}"
        );
    }
    // A project problem, not a target problem: the targets stay.
    assert_eq!(proposed(&model).len(), 8, "{model}");
}
