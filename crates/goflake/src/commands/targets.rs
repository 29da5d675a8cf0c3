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
            // Parsed, so a target Go cannot build is an error at its position, not a line.
            let targets = flake.targets()?;
            if *json {
                let pname = flake.string("pname");
                let listed: Vec<serde_json::Value> = targets
                    .iter()
                    .map(|target| {
                        let attr = pname
                            .as_deref()
                            .map(|pname| goflake_gen::package_attr(pname, target));
                        serde_json::json!({ "target": target.to_string(), "attr": attr })
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
            let leave_out = if *force {
                Vec::new()
            } else {
                binaries_left_out(&config.flake, &flake, targets)?
            };
            flake.add_targets(targets, &leave_out)?
        }
        TargetsAction::Remove(targets) => flake.remove_targets(targets)?,
    };
    let file = flake.file();
    let edited = goflake_syntax::apply(file, edits)?;
    commit_change(&config.flake, file.text(), edited.text(), config.mode)?;
    Ok(())
}

/// Compiles the flake's binaries for `targets` with the flake's Go (when Go is here). A
/// target no binary compiles for is refused, naming the compiler's error; for the others,
/// the binaries that do not compile are returned, to be left out of that target only (as
/// `init` does).
fn binaries_left_out(
    path: &std::path::Path,
    flake: &Flake,
    targets: &[Target],
) -> Result<Vec<(Target, Vec<String>)>> {
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
        targets: Some(targets.to_vec()),
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
    let mut refused = String::new();
    let mut leave_out = Vec::new();
    for target in targets {
        let fit = project.target_fit(target, &native_only);
        if fit.blocked.is_empty() {
            continue;
        }
        if fit.can_build() {
            eprintln!(
                "warning: {target} leaves out what does not compile for it: {}",
                crate::failure::terminal_safe(&fit.reasons())
            );
            let dirs = fit.blocked.iter().map(|(m, _)| m.dir.clone()).collect();
            leave_out.push((target.clone(), dirs));
        } else {
            refused.push_str(&format!("  {target} does not compile: {}\n", fit.reasons()));
        }
    }
    if refused.is_empty() {
        return Ok(leave_out);
    }
    Err(Failure::problem(format!(
        "nothing was changed: no binary of the flake compiles for a target you asked for\n{refused}\
         (add it anyway with `goflake targets add --force`)"
    )))
}
