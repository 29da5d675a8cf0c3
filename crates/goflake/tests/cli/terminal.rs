//! `goflake build` in a real terminal: tmux (80×30) runs it, `capture-pane` reads the screen
//! as a user sees it, and `send-keys C-c` interrupts it as a user does.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use goflake_testkit::{require_tool, run_ok};

use crate::build::{Env, env};
use crate::support::{checksums_verified, fresh_source, s};

const WIDTH: usize = 80;

/// A tmux server of the test's own (its own socket, no configuration file), killed on drop.
struct Tmux {
    tmux: PathBuf,
    socket: PathBuf,
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").output();
    }
}

impl Tmux {
    fn command(&self) -> Command {
        let mut command = goflake_testkit::command(&self.tmux);
        command
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"]);
        command
    }

    /// Starts `script` in a new 80-column window named `name`.
    fn start(&self, name: &str, script: &Path) {
        run_ok(self.command().args([
            "new-session",
            "-d",
            "-x",
            &WIDTH.to_string(),
            "-y",
            "30",
            "-s",
            name,
            "sh",
            s(script),
        ]));
    }

    /// The screen, with its colours as escape sequences when `escapes`.
    fn screen(&self, name: &str, escapes: bool) -> String {
        let mut command = self.command();
        command.args(["capture-pane", "-p", "-t", name]);
        if escapes {
            command.arg("-e");
        }
        run_ok(&mut command)
    }

    /// Every different screen shown until `done` holds for one (returned last), within
    /// `limit`.
    fn watch(&self, name: &str, limit: Duration, done: impl Fn(&str) -> bool) -> Vec<String> {
        let began = Instant::now();
        let mut screens: Vec<String> = Vec::new();
        loop {
            let screen = self.screen(name, true);
            if screens.last() != Some(&screen) {
                screens.push(screen.clone());
            }
            if done(&screen) {
                return screens;
            }
            assert!(
                began.elapsed() < limit,
                "waited {limit:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A shell script that runs `goflake build` in `dir` as the test's environment would, with
/// `colour` lines first, then prints the exit code and waits (so the screen stays). The shell
/// outlives a Ctrl-C (`trap : INT`; goflake gets the default disposition) to print it.
fn build_script(env: &Env, dir: &Path, name: &str, colour: &str) -> PathBuf {
    let goflake = env!("CARGO_BIN_EXE_goflake");
    let standin = env.nix.override_nixpkgs().join(" ");
    let script = env.root.join(format!("{name}.sh"));
    std::fs::write(
        &script,
        format!(
            "cd '{dir}'\ntrap : INT\n{colour}\nexport GOPROXY='{proxy}' GOSUMDB=off GOMODCACHE='{cache}/mod' \
             GOCACHE='{cache}/build'\nexport NIX_CONFIG='{config}'\n\
             '{goflake}' build -- {standin}\necho \"EXIT:$?\"\nsleep 600\n",
            dir = dir.display(),
            proxy = env.proxy.url(),
            cache = env.cache.display(),
            config = goflake_testkit::NIX_CONFIG,
        ),
    )
    .unwrap();
    script
}

fn has_escapes(text: &str) -> bool {
    text.contains('\u{1b}')
}

/// The table's lines on the screen (the header and a row per target), colours removed.
fn table(screen: &str) -> Vec<&str> {
    let start = screen
        .lines()
        .position(|l| l.starts_with("target ") && l.contains("store path"))
        .unwrap_or_else(|| panic!("no table on the screen:\n{screen}"));
    screen.lines().skip(start).take(4).collect()
}

#[test]
fn build_on_a_terminal_draws_bars_an_80_column_table_honours_no_color_and_stops_on_ctrl_c() {
    const TEST: &str = "terminal::build_on_a_terminal";
    let Some(env) = env(TEST) else {
        return;
    };
    let Some(tmux) = require_tool(TEST, "tmux") else {
        return;
    };
    let tmux = Tmux {
        tmux,
        socket: env.root.join("tmux.sock"),
    };
    let dir = env.root.join("term");
    let new = env.goflake(&env.root, &["new", s(&dir)], false);
    assert!(new.status.success());
    let keep_three = [
        "targets",
        "remove",
        "darwin/amd64",
        "darwin/arm64",
        "windows/amd64",
        "windows/arm64",
        "js/wasm",
    ];
    assert!(env.goflake(&dir, &keep_three, false).status.success());
    fresh_source(&dir);
    let exited = |screen: &str| screen.contains("EXIT:");
    let limit = Duration::from_secs(600);

    // A build with colours: a bar per target that moves while it builds.
    let script = build_script(
        &env,
        &dir,
        "colour",
        "unset NO_COLOR CLICOLOR CLICOLOR_FORCE",
    );
    tmux.start("colour", &script);
    let screens = tmux.watch("colour", limit, exited);
    let building: Vec<&String> = screens
        .iter()
        .filter(|screen| screen.contains("linux/amd64") && screen.contains("building"))
        .collect();
    assert!(building.len() >= 2, "the bars never moved: {screens:#?}");
    assert!(
        building.iter().any(|screen| screen.contains("wasip1/wasm")),
        "{building:#?}"
    );
    let last = screens.last().unwrap();
    assert!(last.contains("EXIT:0"), "{last}");
    assert!(has_escapes(last), "no colour on a terminal:\n{last}");

    // The table fits 80 columns: every row on one line, the store paths in one column.
    let plain = tmux.screen("colour", false);
    let rows = table(&plain);
    // The store path follows the last two spaces of a row.
    let path_column = |row: &str| row.trim_end().rfind("  ").map(|i| i + 2);
    let column = path_column(rows[0]);
    for row in &rows {
        assert!(row.chars().count() <= WIDTH, "{row}");
    }
    for row in &rows[1..] {
        assert!(row.trim_end().ends_with("-0.1.0"), "a row wrapped: {plain}");
        assert_eq!(path_column(row), column, "{plain}");
    }
    let released = std::fs::read(dir.join("dist/manifest.json")).unwrap();

    // NO_COLOR: the same screen without one escape sequence.
    let script = build_script(&env, &dir, "plain", "export NO_COLOR=1");
    tmux.start("plain", &script);
    let last = tmux.watch("plain", limit, exited).pop().unwrap();
    assert!(last.contains("EXIT:0"), "{last}");
    assert_eq!(table(&last).len(), 4, "{last}");
    assert!(!has_escapes(&last), "colour despite NO_COLOR:\n{last:?}");

    // Ctrl-C while it builds: goflake and Nix stop; dist/ is still the whole last release.
    fresh_source(&dir);
    let script = build_script(&env, &dir, "interrupted", "");
    tmux.start("interrupted", &script);
    tmux.watch("interrupted", limit, |screen| screen.contains("building"));
    run_ok(
        tmux.command()
            .args(["send-keys", "-t", "interrupted", "C-c"]),
    );
    let last = tmux
        .watch("interrupted", Duration::from_secs(60), exited)
        .pop()
        .unwrap();
    assert!(last.contains("EXIT:130"), "{last}");
    let began = Instant::now();
    loop {
        let nix = goflake_testkit::command("pgrep")
            .args(["-f", s(&dir)])
            .output()
            .unwrap();
        if !nix.status.success() {
            break;
        }
        assert!(
            began.elapsed() < Duration::from_secs(10),
            "Nix still runs after Ctrl-C: {}",
            String::from_utf8_lossy(&nix.stdout)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        std::fs::read(dir.join("dist/manifest.json")).unwrap(),
        released
    );
    assert_eq!(checksums_verified(&dir.join("dist")), 3);
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = entry.file_name();
        assert!(
            !name.to_string_lossy().starts_with(".goflake-tmp."),
            "left behind: {name:?}"
        );
    }
}
