//! Loading the Go project model, completed by `go` where it is available: cgo inside
//! dependencies (`go list -deps`) and the targets each binary really compiles for.

use std::path::{Path, PathBuf};

use anyhow::Result;
use goflake_gomod::{LoadOptions, Project, Target, TargetCheck};
use goflake_runner::compile::{self, CompileJob};

use crate::config::ProjectSelection;
use crate::failure::Failure;

/// What to load: the directory given, how to choose the module and binaries, the targets to
/// consider (default: GoReleaser's matrix or goflake's list), the flake's Go attribute when
/// a flake already says which Go builds it, else the Go releases the pinned nixpkgs has.
pub struct Request<'a> {
    pub dir: &'a Path,
    pub selection: &'a ProjectSelection,
    pub ignore_goreleaser: bool,
    pub targets: Option<Vec<Target>>,
    pub go_attr: Option<String>,
    pub go_set: &'a goflake_gen::GoSet,
}

/// The module directory for `dir`: `dir/mod_root` when given; `dir` when it holds go.mod;
/// else the one module at the shallowest depth below it, whose flake then goes in `dir`
/// (returned as the source root). Several candidates are an error naming them.
pub fn module_dir(dir: &Path, mod_root: Option<&Path>) -> Result<(PathBuf, Option<PathBuf>)> {
    if let Some(mod_root) = mod_root {
        let module = dir.join(mod_root);
        if !module.join("go.mod").is_file() {
            return Err(Failure::problem(format!(
                "--mod-root {}: {} has no go.mod",
                mod_root.display(),
                module.display()
            )));
        }
        return Ok((module, Some(dir.to_path_buf())));
    }
    if dir.join("go.mod").is_file() {
        return Ok((dir.to_path_buf(), None));
    }
    let found = goflake_gomod::project::modules_below(dir);
    match found.as_slice() {
        [] => Ok((dir.to_path_buf(), None)),
        [one] => {
            eprintln!(
                "note: {} has no go.mod; using the module in ./{} (the flake's modRoot; choose another with --mod-root)",
                dir.display(),
                one.display()
            );
            Ok((dir.join(one), Some(dir.to_path_buf())))
        }
        many => Err(Failure::problem(format!(
            "{} has no go.mod, and several modules lie below it: {}\nchoose one with --mod-root (e.g. `--mod-root {}`)",
            dir.display(),
            many.iter()
                .map(|p| format!("./{}", p.display()))
                .collect::<Vec<_>>()
                .join(", "),
            many[0].display()
        ))),
    }
}

/// The model of the module `request` names, completed by `go` when it is on PATH.
pub fn load(request: Request<'_>) -> Result<Project> {
    let (module, source_root) = module_dir(request.dir, request.selection.mod_root.as_deref())?;
    let options = LoadOptions {
        ignore_goreleaser: request.ignore_goreleaser,
        mains: request.selection.mains.clone(),
        source_root,
        targets: request.targets,
    };
    let mut project = goflake_gomod::load(&module, options)?;
    if project.main_packages.is_empty() {
        return Ok(project);
    }
    let go_available = goflake_runner::which("go").is_some();
    if go_available && !project.layout.no_dependencies {
        check_dependency_cgo(&mut project);
    }
    if request.selection.verify_targets {
        if go_available {
            let attr = request.go_attr.unwrap_or_else(|| {
                goflake_gen::nixpkgs::choose_go(&project.gomod, request.go_set, &mut Vec::new())
                    .attr
            });
            verify_targets(&mut project, &attr);
        } else {
            unverified(&mut project, "`go` is not on PATH".into());
        }
    }
    Ok(project)
}

fn check_dependency_cgo(project: &mut Project) {
    let mains: Vec<String> = project
        .main_packages
        .iter()
        .map(|m| m.import_path.clone())
        .collect();
    match goflake_runner::go::cgo_only_dependencies(
        &project.dir,
        &project.module,
        &mains,
        project.layout.vendor_committed,
    ) {
        Ok(found) => project.apply_dependency_cgo(&found),
        Err(err) => project.warnings.push(format!(
            "cgo use inside dependencies was not checked (`go list -deps` failed): {}",
            err.to_string().lines().last().unwrap_or_default()
        )),
    }
}

fn unverified(project: &mut Project, reason: String) {
    project.warnings.push(format!(
        "targets are unverified (only build constraints were read): {reason}"
    ));
    project.target_check = TargetCheck::Unverified { reason };
}

/// Compiles every binary for every candidate target (and the host) with the Go the flake
/// uses, and leaves out the targets that fail.
fn verify_targets(project: &mut Project, go_attr: &str) {
    let Some(minor) = goflake_gen::go_minor(go_attr) else {
        return unverified(project, format!("`{go_attr}` names no Go release"));
    };
    let toolchain = match compile::toolchain_for(minor) {
        Ok(toolchain) => toolchain,
        Err(err) => {
            return unverified(
                project,
                format!(
                    "Go 1.{minor} ({go_attr}) could not be run here: {}",
                    err.summary()
                ),
            );
        }
    };
    let host = match goflake_runner::which("go")
        .ok_or(goflake_runner::go::GoError::Missing)
        .and_then(|go| compile::host_platform(&go))
    {
        Ok(host) => host,
        Err(err) => return unverified(project, err.to_string()),
    };
    let candidates = project.candidate_targets();
    let mut jobs = Vec::new();
    for main in project.main_packages.iter().filter(|m| !m.cgo.required) {
        let tags = project
            .goreleaser
            .as_ref()
            .and_then(|g| g.builds.iter().find(|b| !b.skip && b.main == main.dir))
            .map(|b| b.tags.clone())
            .unwrap_or_default();
        let mut targets: Vec<Target> = candidates
            .iter()
            .filter(|t| main.targets.contains(&t.to_string()))
            .cloned()
            .collect();
        // The host tells a project problem (nothing compiles with this Go) from a target
        // problem; a binary whose own constraints exclude the host is not asked.
        let host_excluded = main
            .excluded_targets
            .iter()
            .any(|e| e.target == host.to_string());
        if !targets.contains(&host) && !host_excluded {
            targets.insert(0, host.clone());
        }
        for target in targets {
            jobs.push(CompileJob {
                dir: main.dir.clone(),
                target,
                tags: tags.clone(),
            });
        }
    }
    let parallel = std::thread::available_parallelism().map_or(2, usize::from);
    let verdicts = compile::compile(&project.dir, &toolchain, jobs, parallel);
    project.apply_compile_verdicts(&toolchain.version, &host, &verdicts);
    suggest_a_go_that_builds(project, &toolchain, &host, &verdicts, parallel);
}

/// When binaries do not build for the host with the flake's Go, tries the Go here: if it
/// builds them, says which goAttr to use.
fn suggest_a_go_that_builds(
    project: &mut Project,
    toolchain: &compile::Toolchain,
    host: &Target,
    verdicts: &[goflake_gomod::CompileVerdict],
    parallel: usize,
) {
    let broken: Vec<CompileJob> = verdicts
        .iter()
        .filter(|v| &v.target == host && v.error.is_some())
        .map(|v| CompileJob {
            dir: v.dir.clone(),
            target: host.clone(),
            tags: Vec::new(),
        })
        .collect();
    let Ok(local) = compile::Toolchain::host() else {
        return;
    };
    if broken.is_empty() || local.version == toolchain.version {
        return;
    }
    let again = compile::compile(&project.dir, &local, broken, parallel);
    if again.iter().all(|v| v.error.is_none()) {
        let minor = local.version.split('.').nth(1).unwrap_or_default();
        project.warnings.push(format!(
            "it builds with Go {} (the Go here): use goAttr = \"go_1_{minor}\" in flake.nix (nixpkgs has go_1_{minor} if it is recent enough)",
            local.version
        ));
    }
}
