//! `goflake inspect`: the Go project model, for people and for scripts.

use std::fmt::Write as _;

use anyhow::Result;
use goflake_gen::GoChoice;
use goflake_gomod::{Project, TargetCheck};
use serde::Serialize;

use crate::config::InspectConfig;

/// The JSON document `inspect --json` prints (documented in docs/inspect-json.md).
#[derive(Serialize)]
struct InspectJson<'a> {
    schema: u32,
    #[serde(flatten)]
    project: &'a Project,
    /// The Go a new flake would use, from goflake's table for the default nixpkgs branch (or
    /// `--nixpkgs`).
    go: &'a GoChoice,
}

pub fn run(config: &InspectConfig) -> Result<()> {
    let go_set = goflake_gen::nixpkgs::table_go_set(goflake_gen::DEFAULT_NIXPKGS);
    let mut project = crate::project::load(crate::project::Request {
        dir: &config.dir,
        selection: &config.selection,
        ignore_goreleaser: config.ignore_goreleaser,
        targets: None,
        go_attr: None,
        go_set: &go_set,
    })?;
    let go = goflake_gen::nixpkgs::choose_go(&project.gomod, &go_set, &mut project.warnings);
    if config.json {
        super::print_json(&InspectJson {
            schema: 1,
            project: &project,
            go: &go,
        })?;
    } else {
        out!("{}", crate::failure::terminal_safe(&human(&project, &go)))?;
    }
    Ok(())
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn human(p: &Project, go: &GoChoice) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "module      {}", p.module);
    let _ = writeln!(w, "pname       {}", p.pname);
    let _ = writeln!(w, "modRoot     {}", p.mod_root);
    let _ = writeln!(
        w,
        "go          {} → {} / {} ({})",
        go.go_line.as_deref().unwrap_or("(no go line)"),
        go.attr,
        go.builder,
        go.reason
    );
    if let Some(toolchain) = &go.toolchain {
        let _ = writeln!(w, "toolchain   {toolchain}");
    }
    let _ = writeln!(
        w,
        "version     {} ({})",
        p.version.version, p.version.source
    );
    let l = &p.layout;
    let vendor_hash = if l.vendor_committed {
        "vendorHash = null (vendor/ is committed)"
    } else if l.no_dependencies {
        "vendorHash = null (no dependencies)"
    } else {
        "vendorHash needed"
    };
    let _ = writeln!(
        w,
        "vendoring   go.sum: {} · vendor/: {} · {vendor_hash}",
        yes_no(l.go_sum),
        yes_no(l.vendor_committed)
    );
    if let Some(ws) = &l.workspace {
        let _ = writeln!(w, "workspace   {} (use {})", ws.file, ws.uses.join(", "));
        let _ = writeln!(w, "            {}", ws.note);
    }
    for nested in &l.nested_modules {
        let _ = writeln!(w, "nested      {nested} (its own module, not built)");
    }
    for replace in &l.local_replaces {
        let _ = writeln!(w, "replace     {replace} (the Nix source must contain it)");
    }
    if p.main_packages.is_empty() {
        let _ = writeln!(
            w,
            "binaries    {}",
            if p.left_out_mains.is_empty() {
                "none: this module has no main package"
            } else {
                "none shipped: every main package was left out (choose with --main)"
            }
        );
    }
    for m in &p.main_packages {
        let mut notes = Vec::new();
        if let Some(var) = m.version_var.as_ref().filter(|_| p.version.known) {
            notes.push(format!("-X {var}=<version>"));
        }
        if m.cgo.required {
            notes.push(format!("cgo via {}", m.cgo.via.join(", ")));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  [{}]", notes.join("; "))
        };
        let _ = writeln!(w, "binary      {} ({}){notes}", m.binary, m.dir);
    }
    for left in &p.left_out_mains {
        let _ = writeln!(
            w,
            "not shipped {} ({}): {}",
            left.binary, left.dir, left.reason
        );
    }
    let _ = writeln!(
        w,
        "checked     {}",
        match &p.target_check {
            TargetCheck::Compiled { go } => format!("every target compiled with Go {go}"),
            TargetCheck::Constraints => "build constraints and cgo only (not compiled)".to_owned(),
            TargetCheck::Unverified { reason } => format!("unverified: {reason}"),
        }
    );
    let proposed: Vec<&str> = p
        .targets
        .iter()
        .filter(|t| t.proposed)
        .map(|t| t.target.as_str())
        .collect();
    let _ = writeln!(
        w,
        "targets     {}",
        if proposed.is_empty() {
            "none".to_owned()
        } else {
            proposed.join(" ")
        }
    );
    for t in &p.targets {
        for left in &t.left_out {
            let _ = writeln!(
                w,
                "  {:<14} without {}: {}",
                t.target, left.target, left.reason
            );
        }
    }
    match &p.goreleaser {
        None => {
            let _ = writeln!(w, "goreleaser  none");
        }
        Some(g) => {
            let _ = writeln!(w, "goreleaser  {} (schema v{})", g.file, g.schema);
            for b in &g.builds {
                let targets: Vec<String> = b.targets.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    w,
                    "  build     {} from {}{}: {}",
                    b.binary,
                    b.main,
                    if b.skip { " (skipped)" } else { "" },
                    targets.join(" ")
                );
            }
        }
    }
    if !p.warnings.is_empty() {
        let _ = writeln!(w, "warnings");
        for warning in &p.warnings {
            let _ = writeln!(w, "  - {warning}");
        }
    }
    out
}
