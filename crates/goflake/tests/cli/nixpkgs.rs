//! True to the nixpkgs users pin: the Go attributes and systems of a release branch (the
//! stand-in's `nixos-26.05` and `nixpkgs-unstable` profiles, with real Go releases), read
//! from the flake's lock by Nix; a source filter that keeps nested packages named `result`
//! or `dist`; and a formatter that `nix fmt` can run.

use std::path::{Path, PathBuf};
use std::process::Output;

use goflake_testkit::{NixEnv, STABLE_PROFILE, UNSTABLE_PROFILE, host_system, run_ok};

use crate::support::{stderr, stdout};

struct Env {
    _temp: tempfile::TempDir,
    root: PathBuf,
}

impl Env {
    fn new() -> Env {
        let temp = tempfile::tempdir().unwrap();
        Env {
            root: temp.path().to_path_buf(),
            _temp: temp,
        }
    }

    /// goflake with a cache of its own (the evaluated Go releases are cached there).
    fn goflake(&self, dir: &Path, args: &[&str]) -> Output {
        goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
            .args(args)
            .current_dir(dir)
            .env("XDG_CACHE_HOME", self.root.join("xdg-cache"))
            .env("NIX_CONFIG", goflake_testkit::NIX_CONFIG)
            .env("GOFLAGS", "")
            .env("GOPROXY", "off")
            .output()
            .unwrap()
    }

    fn project(&self, fixture: &str, name: &str) -> PathBuf {
        let dir = self.root.join(name);
        goflake_testkit::copy_go_fixture(fixture, &dir);
        dir
    }
}

fn flake(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("flake.nix")).unwrap()
}

/// A project whose go line needs Go 1.27 (which nixos-26.05 does not have), with the stderr
/// of `goflake init` on it.
fn go127_project(env: &Env) -> (PathBuf, String) {
    let dir = env.root.join("newgo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("go.mod"), "module example.com/newgo\n\ngo 1.27\n").unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"new\") }\n",
    )
    .unwrap();
    let init = env.goflake(&dir, &["init", "--no-verify-targets"]);
    assert!(init.status.success(), "{}", stderr(&init));
    (dir, stderr(&init))
}

#[test]
fn a_go_line_the_pinned_release_lacks_is_said_with_the_fix_and_the_fix_works() {
    let Some(stable) = NixEnv::with_profile("nixpkgs::go_attr", STABLE_PROFILE) else {
        return;
    };
    let Some(unstable) = NixEnv::with_profile("nixpkgs::go_attr", UNSTABLE_PROFILE) else {
        return;
    };
    let env = Env::new();
    // nixos-26.05 (the default pin) has Go 1.26 at newest: goflake says so and how to fix it,
    // instead of writing a goAttr the branch does not have.
    let (dir, text) = go127_project(&env);
    assert!(
        text.contains("go.mod requires go 1.27, but nixos-26.05 has Go 1.26 at newest")
            && text.contains("goflake init --nixpkgs github:NixOS/nixpkgs/nixpkgs-unstable"),
        "{text}"
    );
    assert!(
        flake(&dir).contains("goAttr = \"go_1_26\";"),
        "{}",
        flake(&dir)
    );

    // `goflake check` reports it in one line. The lock is the 26.05 stand-in, which init
    // asks Nix about (and remembers: `check --no-nix` runs no Nix, so it reads that answer).
    stable.lock(&dir);
    let again = env.goflake(&dir, &["init", "--no-verify-targets"]);
    assert!(again.status.success(), "{}", stderr(&again));
    let check = env.goflake(&dir, &["check", "--no-nix"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let problems: Vec<String> = stderr(&check)
        .lines()
        .filter(|l| l.contains("go.mod requires go 1.27"))
        .map(str::to_owned)
        .collect();
    assert_eq!(problems.len(), 1, "{}", stderr(&check));
    assert!(
        problems[0].contains("according to the flake's locked nixpkgs, evaluated by Nix"),
        "the lock was evaluated, not the table: {}",
        problems[0]
    );

    // The offered fix: the flake follows the new branch (Go, URL, systems) and builds with
    // the real Go 1.27 of the unstable stand-in.
    let fix = env.goflake(
        &dir,
        &[
            "init",
            "--no-verify-targets",
            "--nixpkgs",
            "github:NixOS/nixpkgs/nixpkgs-unstable",
        ],
    );
    assert!(fix.status.success(), "{}", stderr(&fix));
    let text = flake(&dir);
    assert!(text.contains("goAttr = \"go_1_27\";"), "{text}");
    assert!(
        text.contains("inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixpkgs-unstable\";"),
        "{text}"
    );
    assert!(!text.contains("\"x86_64-darwin\""), "{text}");
    let built = unstable.build(&dir, &["default"], None);
    assert!(built.status.success(), "{}", stderr(&built));

    // Against 26.05, that flake fails as it would for a user: the stand-in has no go_1_27.
    let refused = stable.build(&dir, &["default"], None);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("go_1_27"), "{}", stderr(&refused));
}

#[test]
fn the_lock_is_asked_before_the_table() {
    let Some(unstable) = NixEnv::with_profile("nixpkgs::lock_first", UNSTABLE_PROFILE) else {
        return;
    };
    let env = Env::new();
    let (dir, _) = go127_project(&env);
    // The URL names nixos-26.05, but the lock holds a nixpkgs with Go 1.27 (a user who
    // locked a newer revision): goflake believes the lock.
    unstable.lock(&dir);
    let update = env.goflake(&dir, &["init", "--no-verify-targets"]);
    assert!(update.status.success(), "{}", stderr(&update));
    assert!(
        !stderr(&update).contains("go.mod requires go 1.27"),
        "{}",
        stderr(&update)
    );
    assert!(
        flake(&dir).contains("goAttr = \"go_1_27\";"),
        "{}",
        flake(&dir)
    );
    // Evaluated once: the answer is cached by the lock's narHash.
    let cached = std::fs::read_dir(env.root.join("xdg-cache/goflake/nixpkgs-go"))
        .unwrap()
        .count();
    assert_eq!(cached, 1);
    let check = env.goflake(&dir, &["check", "--no-nix"]);
    assert!(
        check.status.success() && !stderr(&check).contains("go.mod requires"),
        "check agrees with the lock: {}",
        stderr(&check)
    );
}

#[test]
fn nested_packages_named_result_or_dist_stay_in_the_source() {
    let Some(nix) = NixEnv::new("nixpkgs::source_filter") else {
        return;
    };
    let env = Env::new();
    let dir = env.project("nested-result-dist", "tally");
    let init = env.goflake(
        &dir,
        &["init", "--no-verify-targets", "--targets", "linux/arm64"],
    );
    assert!(init.status.success(), "{}", stderr(&init));
    // What the filter must leave out: a `nix build` link, a release goflake wrote (even
    // under another --out name), and .git.
    std::os::unix::fs::symlink("/nonexistent", dir.join("result")).unwrap();
    std::fs::create_dir_all(dir.join("release")).unwrap();
    std::fs::write(dir.join("release/.goflake-dist"), "").unwrap();
    std::fs::write(dir.join("release/SHA256SUMS"), "").unwrap();
    std::fs::create_dir_all(dir.join(".git")).unwrap();

    let built = nix.build(&dir, &["default", "tally-linux-arm64"], None);
    assert!(built.status.success(), "{}", stderr(&built));

    let src = run_ok(
        nix.command()
            .args(["eval", "--raw"])
            .args(nix.override_nixpkgs())
            .arg(format!(
                "path:{}#packages.{}.default.src",
                dir.display(),
                host_system()
            )),
    );
    let src = Path::new(src.trim());
    for kept in ["internal/result/result.go", "pkg/dist/dist.go", "main.go"] {
        assert!(
            src.join(kept).is_file(),
            "{kept} is missing from {}",
            src.display()
        );
    }
    for left_out in ["result", "release", ".git"] {
        assert!(
            std::fs::symlink_metadata(src.join(left_out)).is_err(),
            "{left_out} entered the source {}",
            src.display()
        );
    }
}

#[test]
fn the_formatter_is_nixfmt_tree_which_nix_fmt_runs_without_paths() {
    let Some(nix) = NixEnv::new("nixpkgs::formatter") else {
        return;
    };
    let env = Env::new();
    let dir = env.project("root-main", "fmt");
    let init = env.goflake(&dir, &["init", "--no-verify-targets"]);
    assert!(init.status.success(), "{}", stderr(&init));
    // The formatter is nixpkgs' nixfmt-tree (treefmt with nixfmt), not bare nixfmt.
    let name = run_ok(
        nix.command()
            .args(["eval", "--raw"])
            .args(nix.override_nixpkgs())
            .arg(format!(
                "path:{}#formatter.{}.name",
                dir.display(),
                host_system()
            )),
    );
    assert_eq!(name.trim(), "treefmt");

    // Why: what `nix fmt` passes the formatter depends on the Nix version. A formatter that
    // prints its arguments shows it; nixfmt-tree formats the whole tree in either case,
    // where bare nixfmt would wait on stdin when given nothing.
    let probe = env.root.join("probe");
    std::fs::create_dir_all(&probe).unwrap();
    std::fs::write(
        probe.join("flake.nix"),
        r#"{
  outputs =
    { self, nixpkgs }:
    {
      formatter.SYSTEM = nixpkgs.legacyPackages.SYSTEM.writeShellScriptBin "probe" ''
        echo "args:[$*]"
      '';
    };
}
"#
        .replace("SYSTEM", host_system()),
    )
    .unwrap();
    let fmt = goflake_testkit::nix::output(
        nix.command()
            .args(["fmt"])
            .args(nix.override_nixpkgs())
            .current_dir(&probe),
    )
    .unwrap();
    assert!(fmt.status.success(), "{}", stderr(&fmt));
    let printed = stdout(&fmt);
    let version = run_ok(nix.command().arg("--version"));
    let args = printed
        .lines()
        .find_map(|l| l.strip_prefix("args:"))
        .unwrap_or_else(|| panic!("{printed}"));
    assert!(
        args == "[]" || args == "[.]",
        "{version}: nix fmt passed {args}"
    );
    eprintln!("{}: nix fmt passes {args}", version.trim());

    // With nixfmt on the machine, `nix fmt` really formats the tree.
    if goflake_testkit::which("nixfmt").is_none() {
        goflake_testkit::skip(
            "nixpkgs::formatter (formatting run)",
            "`nixfmt` is not installable on this machine (no registry carries it); the formatter's name and Nix's arguments were checked",
        );
        return;
    }
    std::fs::write(dir.join("extra.nix"), "{a=1;}\n").unwrap();
    let formatted = goflake_testkit::nix::output(
        nix.command()
            .arg("fmt")
            .args(nix.override_nixpkgs())
            .current_dir(&dir),
    )
    .unwrap();
    assert!(formatted.status.success(), "{}", stderr(&formatted));
    assert_ne!(
        std::fs::read_to_string(dir.join("extra.nix")).unwrap(),
        "{a=1;}\n"
    );
}

#[test]
fn check_reports_a_system_the_pinned_release_dropped() {
    let env = Env::new();
    let dir = env.project("root-main", "darwin");
    let init = env.goflake(&dir, &["init", "--no-verify-targets"]);
    assert!(init.status.success(), "{}", stderr(&init));
    assert!(
        flake(&dir).contains("\"x86_64-darwin\""),
        "26.05 still has it"
    );
    // Re-pinned by hand, the systems left as they were.
    let set = env.goflake(
        &dir,
        &[
            "set",
            "flake.nix",
            "inputs.nixpkgs.url",
            "github:NixOS/nixpkgs/nixos-unstable",
        ],
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let check = env.goflake(&dir, &["check", "--no-nix"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let text = stderr(&check);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("x86_64-darwin"))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains("github:NixOS/nixpkgs/nixos-unstable does not support it any more"),
        "{}",
        lines[0]
    );
}
