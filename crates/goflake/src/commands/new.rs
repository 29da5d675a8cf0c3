//! `goflake new DIR --template cli|wasm|service`: a project that builds out of the box.

use anyhow::{Context, Result};
use goflake_gen::SpecOptions;
use goflake_gen::scaffold;
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
    // Go's own rule for the path go.mod will hold, checked before anything is written.
    if let Err(why) = goflake_gomod::modpath::check_import_path(&module) {
        return Err(Failure::bad_input(format!(
            "`{module}` is not a valid Go module path: {why} (use --module example.com/{name})"
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
    // The directories this run creates (the project's and missing parents), innermost first.
    let made_dirs: Vec<std::path::PathBuf> = config
        .dir
        .ancestors()
        .take_while(|dir| !dir.as_os_str().is_empty() && !dir.exists())
        .map(std::path::Path::to_path_buf)
        .collect();
    std::fs::create_dir_all(&config.dir)
        .with_context(|| format!("cannot create {}", config.dir.display()))?;
    let mut created = Vec::new();
    let scaffolded = write_project(config, &module, &name, &mut created);
    if scaffolded.is_err() {
        // Leave nothing half made: what this run wrote goes, and the directories it made.
        for path in &created {
            let _ = std::fs::remove_file(config.dir.join(path));
        }
        for dir in &made_dirs {
            let _ = std::fs::remove_dir(dir);
        }
    }
    scaffolded?;
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

/// Writes the template's files and the flake into the (empty) project directory, naming
/// each in `created` as it is written.
fn write_project(
    config: &NewConfig,
    module: &str,
    name: &str,
    created: &mut Vec<String>,
) -> Result<()> {
    let template = config.template;
    for (path, text) in scaffold::files(template, module, name) {
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
    Ok(())
}
