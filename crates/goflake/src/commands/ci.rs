//! `goflake ci github|gitlab`: CI files for the flake, regenerated safely.

use anyhow::{Context, Result};
use goflake_gen::ci::{CiFile, CiSpec, DEFAULT_GOFLAKE, untouched};

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
        goflake: DEFAULT_GOFLAKE.to_owned(),
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
    // Refuse before writing anything, so a refusal leaves every file as it was.
    let mut refused = Vec::new();
    for file in &files {
        let path = config.dir.join(&file.path);
        if let Ok(existing) = std::fs::read_to_string(&path)
            && existing != file.text
            && !untouched(&existing)
            && !config.force
        {
            refused.push(file.path.clone());
        }
    }
    if !refused.is_empty() {
        return Err(Failure::problem(format!(
            "changed since goflake wrote them (run with --force to overwrite): {}\nNothing was written.",
            refused.join(", ")
        )));
    }
    let mut written = Vec::new();
    for file in &files {
        let path = config.dir.join(&file.path);
        let before = std::fs::read_to_string(&path).ok();
        let status = match &before {
            Some(text) if *text == file.text => "unchanged",
            Some(_) => "updated",
            None => "wrote",
        };
        written.push(serde_json::json!({ "path": file.path, "status": status }));
        if status == "unchanged" {
            if !config.json {
                eprintln!("unchanged {}", file.path);
            }
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        write_atomically(&path, file.text.as_bytes())?;
        if !config.json {
            eprintln!("{status} {}", file.path);
        }
    }
    if config.json {
        print_report(config.provider, false, written)?;
    }
    Ok(())
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
