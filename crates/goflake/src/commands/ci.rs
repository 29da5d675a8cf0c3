//! `goflake ci github|gitlab`: CI files for the flake, regenerated safely.

use std::path::Path;

use anyhow::Result;
use goflake_gen::ci::{BUILT_FROM, CiFile, CiSpec, Provenance, provenance};

use crate::config::{CiConfig, CiProvider};
use crate::failure::Failure;
use crate::files::write_atomically;
use crate::flake;

pub fn run(config: &CiConfig) -> Result<()> {
    let info = flake::read(&config.dir)?;
    let spec = CiSpec {
        pname: info.pname.clone(),
        targets: info.targets.clone(),
        cachix: config.cachix.clone(),
        pin_actions: config.pin_actions,
        single_job: config.single_job,
        goflake: pinned_goflake(config)?,
        module_dirs: vec![
            info.flake
                .string("modRoot")
                .map(|m| m.trim_start_matches("./").trim_end_matches('/').to_owned())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| ".".to_owned()),
        ],
    };
    spec.validate()?;
    let files: Vec<CiFile> = match config.provider {
        CiProvider::Github => spec.github(),
        CiProvider::Gitlab => vec![spec.gitlab()],
    };
    if config.dry_run {
        if config.json {
            let listed: Vec<serde_json::Value> = files
                .iter()
                .map(|file| serde_json::json!({ "path": file.path, "text": file.text }))
                .collect();
            return print_report(config.provider, true, listed);
        }
        for file in &files {
            outln!("# ---- {}\n{}", file.path, file.text)?;
        }
        return Ok(());
    }
    // Resolve and read every file, then refuse before writing anything, so a refusal
    // leaves every file as it was. A path whose directory is a symlink out of the project
    // (a cloned `.github` pointing elsewhere) is refused like a file goflake did not write.
    let mut planned = Vec::new();
    for file in &files {
        let path = goflake_fs::resolve(&config.dir, Path::new(&file.path))?;
        let before = goflake_fs::read_text(&path).ok();
        planned.push((file, path, before));
    }
    let refusals: Vec<String> = planned
        .iter()
        .filter_map(
            |(file, _, before)| match before.as_deref().map(provenance) {
                Some(Provenance::Edited) if before.as_deref() != Some(&file.text) => {
                    Some(format!("{} changed since goflake wrote it", file.path))
                }
                Some(Provenance::Foreign) => Some(format!(
                    "{} was not written by goflake (it lacks the `{}` line)",
                    file.path,
                    goflake_gen::ci::HEADER_PREFIX
                )),
                _ => None,
            },
        )
        .collect();
    if !refusals.is_empty() && !config.force {
        return Err(Failure::problem(format!(
            "{}\nNothing was written. Run with --force to replace them (each old file is kept as FILE.orig).",
            refusals.join("\n")
        )));
    }
    let mut written = Vec::new();
    for (file, path, before) in &planned {
        let status = match before {
            Some(text) if *text == file.text => "unchanged",
            Some(_) => "updated",
            None => "wrote",
        };
        if status == "unchanged" {
            written.push(serde_json::json!({ "path": file.path, "status": status }));
            if !config.json {
                eprintln!("unchanged {}", file.path);
            }
            continue;
        }
        let orig = match before {
            Some(text) if provenance(text) != Provenance::Untouched => {
                Some(goflake_fs::keep_original(path)?)
            }
            _ => None,
        };
        if let Some(parent) = Path::new(&file.path).parent() {
            goflake_fs::create_dirs(&config.dir, parent)?;
        }
        write_atomically(path, file.text.as_bytes())?;
        let mut entry = serde_json::json!({ "path": file.path, "status": status });
        if let Some(orig) = &orig {
            entry["orig"] = orig.display().to_string().into();
        }
        written.push(entry);
        if !config.json {
            match &orig {
                Some(orig) => {
                    eprintln!("{status} {} (the old one is {})", file.path, orig.display())
                }
                None => eprintln!("{status} {}", file.path),
            }
        }
    }
    if config.json {
        print_report(config.provider, false, written)?;
    }
    Ok(())
}

/// The goflake CI runs: `--goflake`, else the revision this binary was built from. A
/// build that recorded none (cargo, a dirty tree) cannot say what to pin.
fn pinned_goflake(config: &CiConfig) -> Result<String> {
    config
        .goflake
        .clone()
        .or_else(|| BUILT_FROM.map(str::to_owned))
        .ok_or_else(|| {
            Failure::problem(
                "this goflake was not built from a pinned revision (it was built by cargo, or from a dirty tree), so it cannot pin itself in the workflows; \
                 pass --goflake github:goflake/goflake/<commit>?narHash=sha256-… (`nix flake metadata github:goflake/goflake --json` prints the locked revision and narHash)",
            )
        })
}

/// `--json`: the provider and its files (each with `text` on a dry run, else `status`).
fn print_report(provider: CiProvider, dry_run: bool, files: Vec<serde_json::Value>) -> Result<()> {
    let provider = match provider {
        CiProvider::Github => "github",
        CiProvider::Gitlab => "gitlab",
    };
    let report = serde_json::json!({ "provider": provider, "dry_run": dry_run, "files": files });
    super::print_json(&report)?;
    Ok(())
}
