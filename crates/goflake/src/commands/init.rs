//! `goflake init`: the project model → flake.nix, or an update of an existing goflake flake.

use std::path::{Path, PathBuf};

use anyhow::Result;
use goflake_gen::upgrade::Upgrade;
use goflake_gen::{SpecOptions, VendorHash};
use goflake_gomod::Project;
use goflake_syntax::SourceFile;
use serde::Serialize;

use crate::config::{InitConfig, WriteMode};
use crate::failure::Failure;
use crate::files::{commit_change, read_nix_locked, write_atomically};

#[derive(Serialize)]
struct Report {
    flake: String,
    action: &'static str,
    targets: Vec<String>,
    warnings: Vec<String>,
}

/// Where the flake goes: the repository root when the module sits in a subdirectory of one
/// (the flake's source must contain the whole repository), else the module directory.
pub fn flake_dir(project: &Project) -> PathBuf {
    let dir = project
        .dir
        .canonicalize()
        .unwrap_or_else(|_| project.dir.clone());
    if project.mod_root == "./" {
        return dir;
    }
    let depth = Path::new(&project.mod_root).components().count();
    dir.ancestors()
        .nth(depth)
        .map_or(dir.clone(), Path::to_path_buf)
}

/// Where [`flake_dir`] will put the flake, known before the project is loaded (the existing
/// flake's Go, nixpkgs and targets decide how it is loaded): for a module directory inside a
/// git repository, the repository root; for a directory holding the module below it (or
/// `--mod-root`), that directory.
fn expected_flake_dir(config: &InitConfig) -> PathBuf {
    let dir = config
        .dir
        .canonicalize()
        .unwrap_or_else(|_| config.dir.clone());
    if config.selection.mod_root.is_none() && dir.join("go.mod").is_file() {
        return goflake_gomod::git::repository_root(&dir).unwrap_or(dir);
    }
    dir
}

pub fn run(config: &InitConfig) -> Result<()> {
    // An existing flake says which Go builds the project (check targets with that one) and
    // which nixpkgs it pins (unless --nixpkgs changes it).
    let existing = goflake_fs::read_text(&expected_flake_dir(config).join("flake.nix"))
        .ok()
        .map(|text| goflake_gen::Flake::new(SourceFile::parse("flake.nix", text.as_str())));
    // An update keeps the flake's targets unless new ones are asked for: check exactly
    // those, so each one's `unbuildable` entry is computed (a target added with `targets
    // add` is not among the default ones).
    let requested_targets = config.targets.clone().or_else(|| {
        existing
            .as_ref()
            .filter(|_| !config.from_goreleaser)
            .and_then(|flake| flake.targets().ok())
    });
    let existing_go = existing.as_ref().and_then(|flake| flake.string("goAttr"));
    let pinned = existing.as_ref().and_then(goflake_gen::Flake::nixpkgs_url);
    let nixpkgs_url = config
        .nixpkgs
        .clone()
        .or_else(|| pinned.clone())
        .unwrap_or_else(|| goflake_gen::DEFAULT_NIXPKGS.to_owned());
    let mut notes = Vec::new();
    // The lock describes the pinned URL only; a new --nixpkgs is read from the table.
    let go_set = crate::nixpkgs_go::go_set(
        &config.dir,
        &nixpkgs_url,
        pinned.as_deref() == Some(nixpkgs_url.as_str()),
        crate::nixpkgs_go::AskNix::Yes,
        &mut notes,
    );
    let nixpkgs_changed =
        config.nixpkgs.is_some() && pinned.as_deref() != Some(nixpkgs_url.as_str());
    let project = crate::project::load(crate::project::Request {
        dir: &config.dir,
        selection: &config.selection,
        ignore_goreleaser: config.ignore_goreleaser,
        targets: requested_targets,
        // A new nixpkgs may bring the Go the project needs: choose again.
        go_attr: existing_go.filter(|_| !nixpkgs_changed),
        go_set: &go_set,
    })?;
    let options = SpecOptions {
        targets: config.targets.clone(),
        from_goreleaser: config.from_goreleaser,
        nixpkgs_url: Some(nixpkgs_url),
        go_set: Some(go_set),
        vendor_hash: None,
        // The template never sets proxyVendor.
        vendor_fingerprint: Some(goflake_gomod::vendor_fingerprint(
            &project.dir,
            &project.mod_root,
            false,
        )),
    };
    let (spec, mut warnings) = goflake_gen::spec_from_project(&project, &options)?;
    warnings.splice(0..0, project.warnings.iter().cloned());
    warnings.extend(notes);
    if spec.vendor_hash == VendorHash::Unknown {
        warnings.push(
            "vendorHash is not computed yet: run `goflake vendor-hash --write` before building"
                .into(),
        );
    }
    let path = flake_dir(&project).join("flake.nix");
    let mode = WriteMode {
        diff: config.dry_run,
        check: false,
        force: false,
    };

    let action = if path.exists() {
        let (existing, _lock) = read_nix_locked(&path)?;
        let before = existing.text().to_owned();
        let existing = goflake_gen::Flake::new(existing);
        let missing = existing.missing_values();
        // A flake from an older template gets the current template's code, with the user's
        // edits merged in; edits that overlap goflake's changes stop init (or, with --force,
        // the flake is written anew below).
        let upgrade = missing
            .is_empty()
            .then(|| goflake_gen::upgrade::upgrade(existing.file()));
        if let Some(Upgrade::Conflict { from, merged }) = &upgrade
            && !config.force
        {
            return Err(Failure::problem(format!(
                "{} comes from an older goflake (template {from} of {}), and your edits to it \
                 overlap lines the current template changes. Nothing was changed.\n\
                 Merge them by hand (the conflicts are marked below), or run `goflake init --force` to write a new flake \
                 (the old file is kept as flake.nix.orig, to carry your edits over).\n{}",
                path.display(),
                goflake_gen::upgrade::TEMPLATES,
                goflake_gen::upgrade::conflict_hunks(merged),
            )));
        }
        if let Some(upgrade @ (Upgrade::Current | Upgrade::Merged { .. })) = upgrade {
            let (existing, upgraded) = match upgrade {
                Upgrade::Merged { text, .. } => (
                    goflake_gen::Flake::new(SourceFile::parse(path.display().to_string(), text)),
                    true,
                ),
                _ => (existing, false),
            };
            let edits = existing.update(
                &spec,
                goflake_gen::UpdateRequest {
                    targets_given: config.targets.is_some() || config.from_goreleaser,
                    version_from_tag: project.version.source.starts_with("git tag"),
                    nixpkgs_given: nixpkgs_changed,
                },
            )?;
            let edited = goflake_syntax::apply(existing.file(), edits)?;
            if commit_change(&path, &before, edited.text(), mode)? {
                if upgraded { "upgraded" } else { "updated" }
            } else {
                "unchanged"
            }
        } else if !config.force {
            return Err(Failure::problem(format!(
                "{} exists and goflake did not write it (it lacks {}).\n\
                 Nothing was changed. Run `goflake init --force` to replace it; the old file is kept as flake.nix.orig.",
                path.display(),
                missing.join(", ")
            )));
        } else {
            let text = goflake_gen::render(&spec)?;
            if config.dry_run {
                out!("{text}")?;
            } else {
                goflake_fs::keep_original(&path)?;
                write_atomically(&path, text.as_bytes())?;
            }
            "replaced"
        }
    } else {
        let text = goflake_gen::render(&spec)?;
        // The generated text must parse: a defect here is goflake's, never the user's.
        let check = SourceFile::parse(path.display().to_string(), text.as_str());
        if check.has_errors() {
            anyhow::bail!(
                "goflake generated a flake that does not parse:\n{}",
                check.render_diagnostics()
            );
        }
        if config.dry_run {
            out!("{text}")?;
        } else {
            write_atomically(&path, text.as_bytes())?;
        }
        "created"
    };

    if config.json {
        let report = Report {
            flake: path.display().to_string(),
            action,
            targets: spec.targets.clone(),
            warnings,
        };
        super::print_json(&report)?;
    } else {
        for warning in &warnings {
            eprintln!("warning: {}", crate::failure::terminal_safe(warning));
        }
        if !config.dry_run {
            eprintln!(
                "{} {} ({} targets)",
                action,
                path.display(),
                spec.targets.len()
            );
        }
    }
    Ok(())
}
