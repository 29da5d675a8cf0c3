//! Running real Nix in tests: the configuration from DEVELOPERS.md and the nixpkgs stand-in.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::{require_tool, workspace_root};

/// The NIX_CONFIG every test runs Nix with: flakes on, no build users (tests run as root,
/// single-user), no substituters (no network), no sandbox (the nixpkgs stand-in builds with
/// the host's tools).
pub const NIX_CONFIG: &str = "experimental-features = nix-command flakes\nbuild-users-group =\nsubstituters =\nsandbox = false\n";

/// `command.output()`, run again when Nix failed only because its store database was busy,
/// as goflake itself does ([`goflake_runner::nix::output`]): parallel tests share a store.
pub use goflake_runner::nix::output;

/// A `Command` for a Nix tool with the test configuration.
pub fn nix_command(program: &Path) -> Command {
    let mut command = crate::command(program);
    command.env("NIX_CONFIG", NIX_CONFIG);
    command
}

/// Fails the test, with Nix's message and `what`, unless `nix-instantiate --parse` accepts
/// the file.
pub fn assert_nix_parses(nix_instantiate: &Path, file: &Path, what: &str) {
    let output = nix_command(nix_instantiate)
        .arg("--parse")
        .arg(file)
        .output()
        .expect("nix-instantiate runs");
    assert!(
        output.status.success(),
        "{what}: real Nix cannot parse {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// [`assert_nix_parses`] for text (written to a temporary file); the text is shown too.
pub fn assert_nix_parses_text(nix_instantiate: &Path, text: &str, what: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("parsed.nix");
    std::fs::write(&file, text).expect("the file can be written");
    assert_nix_parses(nix_instantiate, &file, &format!("{what}\n{text}"));
}

/// Real Nix plus an instantiated copy of the nixpkgs stand-in.
#[derive(Debug, Clone)]
pub struct NixEnv {
    pub nix: PathBuf,
    /// The instantiated stand-in (a directory to use as `path:`).
    pub standin: PathBuf,
}

/// The nixpkgs release goflake pins by default, and the stand-in's default profile.
pub const STABLE_PROFILE: &str = "nixos-26.05";
/// The development branch: adds go_1_27, drops x86_64-darwin.
pub const UNSTABLE_PROFILE: &str = "nixpkgs-unstable";

static STANDINS: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());

impl NixEnv {
    /// Nix and the stand-in as nixos-26.05 (what generated flakes pin); `None` (after
    /// reporting the skip) when `nix`, `go` or the Go toolchains are missing.
    pub fn new(test: &str) -> Option<NixEnv> {
        NixEnv::with_profile(test, STABLE_PROFILE)
    }

    /// Nix and the stand-in as the nixpkgs release `profile` (`tests/nixpkgs-stand-in/
    /// profiles.nix`), its `go_1_XX` real Go releases from `scripts/fetch-toolchains`.
    pub fn with_profile(test: &str, profile: &str) -> Option<NixEnv> {
        let nix = require_tool(test, "nix")?;
        require_tool(test, "go")?;
        crate::require_toolchains(test)?;
        let mut standins = STANDINS.lock().unwrap_or_else(|e| e.into_inner());
        let standin = match standins.iter().find(|(p, _)| p == profile) {
            Some((_, dir)) => dir.clone(),
            None => {
                let dir = std::env::temp_dir()
                    .join(format!("goflake-standin-{}-{profile}", std::process::id()));
                let script = workspace_root().join("tests/nixpkgs-stand-in/instantiate");
                let mut command = crate::command("bash");
                command.arg(script).arg(&dir).arg(profile);
                if let Some(dir) = crate::toolchain_cache() {
                    command.env("GOFLAKE_TOOLCHAINS", dir);
                }
                let output = output(&mut command).unwrap();
                assert!(
                    output.status.success(),
                    "instantiate failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                let stdout = String::from_utf8(output.stdout).unwrap();
                let dir = PathBuf::from(stdout.lines().last().unwrap());
                standins.push((profile.to_owned(), dir.clone()));
                dir
            }
        };
        Some(NixEnv { nix, standin })
    }

    /// The store directory of the Nix under test (`/nix/store`, or the private store of the
    /// current Nix that `scripts/ensure-nix --modern` sets up), with a trailing `/`.
    pub fn store_dir(&self) -> String {
        static STORE_DIR: OnceLock<String> = OnceLock::new();
        STORE_DIR
            .get_or_init(|| {
                let mut command = self.command();
                command.args(["eval", "--raw", "--expr", "builtins.storeDir"]);
                format!("{}/", crate::run_ok(&mut command).trim())
            })
            .clone()
    }

    /// `nix` with the test configuration.
    pub fn command(&self) -> Command {
        nix_command(&self.nix)
    }

    /// `--override-input nixpkgs path:<stand-in>`.
    pub fn override_nixpkgs(&self) -> [String; 3] {
        [
            "--override-input".into(),
            "nixpkgs".into(),
            format!("path:{}", self.standin.display()),
        ]
    }

    /// Locks the flake's nixpkgs input to the stand-in (writes flake.lock), as a real
    /// repository's lock pins it, for commands that evaluate the flake by its lock.
    pub fn lock(&self, flake: &Path) {
        let mut command = self.command();
        command
            .args(["flake", "lock"])
            .args(self.override_nixpkgs())
            .arg(format!("path:{}", flake.display()));
        crate::run_ok(&mut command);
    }

    /// `nix build --no-link --json` of `path:<flake>#<attr>` for each attr, with the stand-in.
    pub fn build(&self, flake: &Path, attrs: &[&str], proxy: Option<&str>) -> Output {
        let mut command = self.command();
        command.args(["build", "--no-link", "--json", "-L"]);
        command.args(self.override_nixpkgs());
        for attr in attrs {
            command.arg(format!("path:{}#{attr}", flake.display()));
        }
        if let Some(url) = proxy {
            command.env("GOPROXY", url);
        }
        output(&mut command).expect("nix runs")
    }
}

impl NixEnv {
    /// The `outPath` of each `packages.<system>.<attr>` of the flake, in order (`nix build
    /// --json` orders its output by derivation, not by argument).
    pub fn out_paths(&self, flake: &Path, attrs: &[&str]) -> Vec<PathBuf> {
        let names: Vec<String> = attrs.iter().map(|a| format!("\"{a}\"")).collect();
        let mut command = self.command();
        command.args(["eval", "--json"]);
        command.args(self.override_nixpkgs());
        command.arg(format!(
            "path:{}#packages.{}",
            flake.display(),
            host_system()
        ));
        command.args([
            "--apply",
            &format!("p: map (a: p.${{a}}.outPath) [ {} ]", names.join(" ")),
        ]);
        let output = output(&mut command).expect("nix runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).unwrap();
        text.trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(|p| PathBuf::from(p.trim().trim_matches('"')))
            .collect()
    }
}

/// The Nix system of this machine.
pub fn host_system() -> &'static str {
    match (std::env::consts::ARCH, std::env::consts::OS) {
        ("x86_64", "linux") => "x86_64-linux",
        ("aarch64", "linux") => "aarch64-linux",
        ("x86_64", "macos") => "x86_64-darwin",
        ("aarch64", "macos") => "aarch64-darwin",
        other => panic!("unsupported host {other:?}"),
    }
}
