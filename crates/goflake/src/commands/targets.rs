//! `goflake targets list|add|remove`: lossless edits of the flake's `targets` list.

use anyhow::Result;
use goflake_gen::Flake;
use goflake_gomod::{Target, TargetCheck};

use crate::config::{ProjectSelection, TargetsAction, TargetsConfig};
use crate::failure::Failure;
use crate::files::{commit_change, read_nix_locked};

pub fn run(config: &TargetsConfig) -> Result<()> {
    let (file, _lock) = read_nix_locked(&config.flake)?;
    let flake = Flake::new(file);
    let edits = match &config.action {
        TargetsAction::List { json } => {
            let targets = flake.list("targets")?;
            if *json {
                let pname = flake.string("pname");
                let listed: Vec<serde_json::Value> = targets
                    .iter()
                    .map(|target| {
                        let attr = pname
                            .as_deref()
                            .zip(Target::parse(target))
                            .map(|(pname, target)| goflake_gen::package_attr(pname, &target));
                        serde_json::json!({ "target": target, "attr": attr })
                    })
                    .collect();
                let report = serde_json::json!({
                    "flake": config.flake.display().to_string(),
                    "targets": listed,
                });
                super::print_json(&report)?;
            } else {
                for target in targets {
                    outln!("{target}")?;
                }
            }
            return Ok(());
        }
        TargetsAction::Add { targets, force } => {
            if !force {
                refuse_targets_that_do_not_compile(&config.flake, &flake, targets.clone())?;
            }
            flake.add_targets(targets)?
        }
        TargetsAction::Remove(targets) => flake.remove_targets(targets)?,
    };
    let file = flake.file();
    let edited = goflake_syntax::apply(file, edits)?;
    commit_change(&config.flake, file.text(), edited.text(), config.mode)?;
    Ok(())
}

/// Compiles the flake's binaries for `targets` with the flake's Go (when Go is here) and
/// refuses the ones that do not compile, naming the compiler's error.
fn refuse_targets_that_do_not_compile(
    path: &std::path::Path,
    flake: &Flake,
    targets: Vec<Target>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mod_root = flake.string("modRoot").unwrap_or_else(|| "./".into());
    let selection = ProjectSelection {
        mains: flake.list("subPackages").unwrap_or_default(),
        mod_root: None,
        verify_targets: true,
    };
    let project = crate::project::load(crate::project::Request {
        dir: &dir.join(&mod_root),
        selection: &selection,
        ignore_goreleaser: true,
        targets: Some(targets),
        go_attr: flake.string("goAttr"),
        go_set: &crate::nixpkgs_go::for_flake(
            dir,
            flake,
            crate::nixpkgs_go::AskNix::Yes,
            &mut Vec::new(),
        ),
    })?;
    if let TargetCheck::Unverified { reason } = &project.target_check {
        eprintln!("warning: the new targets were not compiled: {reason}");
    }
    let native_only = flake.list("nativeOnly").unwrap_or_default();
    let refused: Vec<String> = project
        .candidate_targets()
        .into_iter()
        .filter_map(|target| {
            let fit = project.target_fit(&target, &native_only);
            (!fit.blocked.is_empty())
                .then(|| format!("  {target} does not compile: {}\n", fit.reasons()))
        })
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(Failure::problem(format!(
        "nothing was changed: the flake's binaries do not compile for a target you asked for\n{}\
         (add it anyway with `goflake targets add --force`)",
        refused.concat()
    )))
}
