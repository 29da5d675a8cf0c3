//! `goflake targets list|add|remove`: lossless edits of the flake's `targets` list.

use anyhow::Result;

use crate::config::{TargetsAction, TargetsConfig};
use crate::failure::Failure;
use crate::files::{commit_change, read_nix};

pub fn run(config: &TargetsConfig) -> Result<()> {
    let file = read_nix(&config.flake)?;
    let fail = |err: goflake_gen::GenError| Failure::problem(format!("error: {err}\n"));
    let edits = match &config.action {
        TargetsAction::List => {
            for target in goflake_gen::read_list(&file, "targets").map_err(fail)? {
                println!("{target}");
            }
            return Ok(());
        }
        TargetsAction::Add(targets) => goflake_gen::add_targets(&file, targets).map_err(fail)?,
        TargetsAction::Remove(targets) => {
            goflake_gen::remove_targets(&file, targets).map_err(fail)?
        }
    };
    let edited = goflake_syntax::apply(&file, edits)
        .map_err(|err| Failure::problem(format!("error: {err}\n")))?;
    commit_change(&config.flake, file.text(), edited.text(), config.mode)?;
    Ok(())
}
