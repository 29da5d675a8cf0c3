//! `goflake check`: goflake's own checks in milliseconds (a stale vendorHash by its
//! fingerprint, targets that cannot build, a go line newer than the flake's Go), then
//! `nix flake check`. One line per problem; exit 1 when there is any.

use anyhow::Result;

use crate::config::{CheckConfig, ProjectSelection};
use crate::failure::Failure;
use crate::flake;
use crate::vendor_site::{self, Current};

pub fn run(config: &CheckConfig) -> Result<()> {
    let info = flake::read(&config.dir)?;
    let mut problems: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();

    let located = vendor_site::locate(&info.dir, None, None)?;
    let location = located.location();
    if let Current::Other(text) = &located.site.current {
        problems.push(format!(
            "{location}: vendorHash is not a hash (`{text}`): run `goflake vendor-hash --write`"
        ));
    } else {
        match &located.site.recorded_fingerprint {
            Some(recorded) if *recorded != located.fingerprint() => problems.push(format!(
                "{location}: vendorHash is stale: go.sum, the go line, modRoot or proxyVendor changed since it was computed; run `goflake vendor-hash --write`"
            )),
            Some(_) => {}
            None => notes.push(format!(
                "{location}: no fingerprint next to vendorHash, so its freshness is unknown; `goflake vendor-hash --write` records one"
            )),
        }
    }

    // The flake's own binaries, targets and Go: check exactly what it will build.
    let selection = ProjectSelection {
        mains: info.flake.list("subPackages").unwrap_or_default(),
        mod_root: None,
        verify_targets: true,
    };
    let ask = if config.no_nix {
        crate::nixpkgs_go::AskNix::CacheOnly
    } else {
        crate::nixpkgs_go::AskNix::Yes
    };
    let go_set = crate::nixpkgs_go::for_flake(&info.dir, &info.flake, ask, &mut notes);
    problems.extend(systems_problem(&info.flake));
    match crate::project::load(crate::project::Request {
        dir: &located.module_dir,
        selection: &selection,
        ignore_goreleaser: true,
        targets: Some(info.targets.clone()),
        go_attr: info.flake.string("goAttr"),
        go_set: &go_set,
    }) {
        Ok(project) => {
            if let goflake_gomod::TargetCheck::Unverified { reason } = &project.target_check {
                notes.push(format!("targets were not compiled: {reason}"));
            }
            for warning in project
                .warnings
                .iter()
                .filter(|w| w.contains("does not build with Go"))
            {
                problems.push(warning.clone());
            }
            let native_only = info.flake.list("nativeOnly").unwrap_or_default();
            for target in &info.targets {
                // What the target's package builds: subPackages less nativeOnly and the
                // packages the flake already leaves out of this target.
                let mut leave_out = info.flake.unbuildable(target);
                leave_out.extend(native_only.iter().cloned());
                let fit = project.target_fit(target, &leave_out);
                if !fit.blocked.is_empty() {
                    problems.push(format!("target {target} cannot build: {}", fit.reasons()));
                } else if !fit.can_build() {
                    problems.push(format!(
                        "target {target} cannot build: the flake builds no binary for it (each needs cgo or is left out of it)"
                    ));
                }
            }
            if let Some(attr) = info.flake.string("goAttr") {
                problems.extend(go_problem(&project, &attr, &go_set));
            }
        }
        Err(err) => problems.push(format!("cannot read the Go project: {err}")),
    }

    if !config.no_nix {
        let flake_ref = info.flake_ref(config.use_path)?;
        let mut args = vec!["flake".to_owned(), "check".to_owned(), flake_ref];
        args.extend(config.nix_args.iter().cloned());
        let (ok, stderr) = goflake_runner::nix::run_passthrough(&args, true)?;
        if !ok {
            let first_error = stderr
                .lines()
                .find(|l| l.starts_with("error:"))
                .unwrap_or("nix flake check failed")
                .to_owned();
            problems.push(format!("nix flake check: {first_error}"));
        }
    }

    if config.json {
        let report = serde_json::json!({
            "flake": info.dir.join("flake.nix").display().to_string(),
            "ok": problems.is_empty(),
            "nix_flake_check": !config.no_nix,
            "problems": problems,
            "notes": notes,
        });
        super::print_json(&report)?;
        return if problems.is_empty() {
            Ok(())
        } else {
            Err(Failure::silent())
        };
    }
    for note in &notes {
        eprintln!("note: {note}");
    }
    if problems.is_empty() {
        eprintln!(
            "ok: {} passes goflake check",
            info.dir.join("flake.nix").display()
        );
        Ok(())
    } else {
        let lines: String = problems.iter().map(|p| format!("{p}\n")).collect();
        Err(Failure::after(lines, ""))
    }
}

/// The flake's Go against go.mod and the pinned nixpkgs, in one line: a goAttr the pinned
/// nixpkgs lacks, or one older than the go line needs.
fn go_problem(
    project: &goflake_gomod::Project,
    attr: &str,
    go_set: &goflake_gen::GoSet,
) -> Option<String> {
    let go_line = project.gomod.go.as_deref();
    let wanted = goflake_gen::nixpkgs::choose_go(&project.gomod, go_set, &mut Vec::new());
    let have = goflake_gen::go_minor(attr)?;
    let pinned = go_set.branch.as_deref().unwrap_or("the pinned nixpkgs");
    if let Some(missing) = &wanted.missing {
        return Some(missing.message(go_line.unwrap_or("?"), go_set));
    }
    if !go_set.minors.contains_key(&have) {
        return Some(format!(
            "goAttr = \"{attr}\" does not exist in {pinned} (according to {}): set goAttr = \"{}\" (or run `goflake init`)",
            go_set.source, wanted.attr
        ));
    }
    let need = goflake_gen::go_minor(&wanted.attr)?;
    (have < need).then(|| {
        format!(
            "go.mod's go line ({}) is newer than the flake's Go ({attr}): set goAttr = \"{}\" (or run `goflake init`)",
            go_line.unwrap_or("?"),
            wanted.attr
        )
    })
}

/// Systems the flake lists that its pinned release no longer supports (x86_64-darwin after
/// nixos-26.05), in one line.
fn systems_problem(flake: &goflake_gen::Flake) -> Option<String> {
    let url = flake.nixpkgs_url()?;
    let listed = flake.list("systems").ok()?;
    let supported = goflake_gen::nixpkgs::systems(&url);
    // Only systems goflake's table knows a release dropped; others are the user's to judge.
    let gone: Vec<&str> = listed
        .iter()
        .map(String::as_str)
        .filter(|s| goflake_gen::nixpkgs::SYSTEMS.contains(s) && !supported.contains(s))
        .collect();
    (!gone.is_empty()).then(|| {
        format!(
            "systems lists {} but {url} does not support it any more: remove it (or pin a release that has it)",
            gone.join(", ")
        )
    })
}
