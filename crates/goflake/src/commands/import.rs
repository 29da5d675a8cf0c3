//! `goflake import shell.nix`: a mkShell carried into the flake's devShell.

use anyhow::Result;

use crate::config::ImportConfig;
use crate::files::{commit_change, read_nix, read_nix_locked};

pub fn run(config: &ImportConfig) -> Result<()> {
    let shell = read_nix(&config.shell)?;
    let (flake, _lock) = read_nix_locked(&config.flake)?;
    let (edits, warnings) = goflake_gen::import::import_shell(&shell, &flake)?;
    let edited = goflake_syntax::apply(&flake, edits)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    commit_change(&config.flake, flake.text(), edited.text(), config.mode)?;
    Ok(())
}
