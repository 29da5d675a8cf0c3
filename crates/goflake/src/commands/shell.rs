//! `goflake completions SHELL` and `goflake man`: generated from the clap definition, so they
//! never drift from the commands.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use clap_complete::{Shell, generate};

use crate::cli::CompletionShell;

pub fn completions(shell: CompletionShell) -> Result<()> {
    let mut command = crate::cli::command();
    let mut out = Vec::new();
    let name = "goflake";
    match shell {
        CompletionShell::Bash => generate(Shell::Bash, &mut command, name, &mut out),
        CompletionShell::Zsh => generate(Shell::Zsh, &mut command, name, &mut out),
        CompletionShell::Fish => generate(Shell::Fish, &mut command, name, &mut out),
        CompletionShell::Elvish => generate(Shell::Elvish, &mut command, name, &mut out),
        CompletionShell::Powershell => generate(Shell::PowerShell, &mut command, name, &mut out),
        CompletionShell::Nushell => {
            generate(clap_complete_nushell::Nushell, &mut command, name, &mut out);
        }
    }
    std::io::stdout().write_all(&out)?;
    Ok(())
}

/// The man page of goflake on stdout, or with `dir` one page per command there
/// (`goflake.1`, `goflake-init.1`, …), as `installManPage` expects.
pub fn man(dir: Option<&Path>) -> Result<()> {
    let command = crate::cli::command();
    match dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command).render(&mut out)?;
            std::io::stdout().write_all(&out)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(command, dir)
                .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
        }
    }
    Ok(())
}
