//! Man pages and shell completions, generated from the clap definition: every command is in
//! them, and bash really completes with the script.

use goflake_testkit::{require_tool, run_ok};

fn goflake(args: &[&str]) -> String {
    run_ok(goflake_testkit::command(env!("CARGO_BIN_EXE_goflake")).args(args))
}

/// The commands `goflake --help` lists.
fn commands() -> Vec<String> {
    let help = goflake(&["--help"]);
    let list: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect();
    assert!(list.len() >= 15, "{help}");
    list
}

#[test]
fn every_command_has_a_man_page_and_a_completion() {
    let commands = commands();
    let page = goflake(&["man"]);
    let dir = tempfile::tempdir().unwrap();
    goflake(&["man", "--dir", dir.path().to_str().unwrap()]);
    let bash = goflake(&["completions", "bash"]);
    for command in &commands {
        // roff escapes hyphens.
        let escaped = format!("goflake\\-{}", command.replace('-', "\\-"));
        assert!(page.contains(&escaped), "{command} is not in the man page");
        assert!(
            dir.path().join(format!("goflake-{command}.1")).is_file(),
            "no goflake-{command}.1"
        );
        assert!(
            bash.contains(&format!(
                "goflake__subcmd__{}",
                command.replace('-', "__subcmd__")
            )),
            "{command} is not in the bash completion"
        );
    }
    for shell in ["zsh", "fish", "elvish", "powershell", "nushell"] {
        let script = goflake(&["completions", shell]);
        assert!(
            commands.iter().all(|c| script.contains(c.as_str())),
            "{shell}: {script}"
        );
    }
}

#[test]
fn bash_completes_with_the_script() {
    let Some(bash) = require_tool("shell::bash_completes", "bash") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("goflake.bash");
    std::fs::write(&script, goflake(&["completions", "bash"])).unwrap();
    let complete = |words: &str| -> Vec<String> {
        let program = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMP_LINE=\"{words}\"; COMP_POINT=${{#COMP_LINE}}; _goflake goflake \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        run_ok(goflake_testkit::command(&bash).args(["-c", &program]))
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let mut found = complete("goflake in");
    found.sort();
    assert_eq!(found, ["init", "inspect"]);
    let found = complete("goflake completions n");
    assert_eq!(found, ["nushell"]);
    let found = complete("goflake build --jso");
    assert_eq!(found, ["--json"]);
}
