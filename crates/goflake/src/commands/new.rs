//! `goflake new DIR --template cli|wasm|service`: a project that builds out of the box.

use anyhow::{Context, Result};
use goflake_gen::SpecOptions;
use goflake_gen::scaffold::{self, valid_module_path};
use goflake_gomod::LoadOptions;

use crate::config::NewConfig;
use crate::failure::Failure;
use crate::files::write_atomically;

pub fn run(config: &NewConfig) -> Result<()> {
    let template = config.template;
    let name = config
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Failure::bad_input("give the new project's directory"))?;
    let module = config
        .module
        .clone()
        .unwrap_or_else(|| format!("example.com/{name}"));
    if !valid_module_path(&module) {
        return Err(Failure::bad_input(format!(
            "`{module}` is not a valid Go module path (use --module example.com/{name})"
        )));
    }
    if config.dir.exists()
        && std::fs::read_dir(&config.dir)
            .with_context(|| format!("cannot read {}", config.dir.display()))?
            .next()
            .is_some()
    {
        return Err(Failure::problem(format!(
            "{} exists and is not empty; nothing was written",
            config.dir.display()
        )));
    }
    std::fs::create_dir_all(&config.dir)
        .with_context(|| format!("cannot create {}", config.dir.display()))?;
    let mut created = Vec::new();
    for (path, text) in scaffold::files(template, &module, &name) {
        write_atomically(&config.dir.join(&path), text.as_bytes())?;
        created.push(path);
    }
    let project = goflake_gomod::load(&config.dir, LoadOptions::default())?;
    let options = SpecOptions {
        targets: template.spec_targets(),
        nixpkgs_url: config.nixpkgs.clone(),
        vendor_fingerprint: Some(goflake_gomod::vendor_fingerprint(
            &project.dir,
            &project.mod_root,
            false,
        )),
        ..SpecOptions::default()
    };
    let (spec, _) = goflake_gen::spec_from_project(&project, &options)?;
    let flake = goflake_gen::render(&spec)?;
    write_atomically(&config.dir.join("flake.nix"), flake.as_bytes())?;
    created.push("flake.nix".to_owned());
    if config.json {
        let report = serde_json::json!({
            "dir": config.dir.display().to_string(),
            "template": template.name,
            "module": module,
            "files": created,
        });
        super::print_json(&report)?;
        return Ok(());
    }
    eprintln!(
        "created {} ({}, module {module})\nnext: cd {} && git init && git add -A && nix run",
        config.dir.display(),
        template.description,
        config.dir.display()
    );
    Ok(())
}
