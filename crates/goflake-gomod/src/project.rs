//! The Go project model: everything goflake needs to know before writing Nix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::constraint::{DEFAULT_TARGETS, DIST_LIST, Target, file_name_constraint};
use crate::git;
use crate::gofile::{GoFileHeader, read_header};
use crate::goreleaser::{self, GoReleaser, GoReleaserError, TemplatePart};
use crate::modfile::{GoMod, GoWork, ModFileError, parse_go_mod, parse_go_work};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{}: not a Go module (no go.mod){}", .dir.display(), match .nearest {
        Some(p) => format!("; the nearest go.mod below is {}", p.display()),
        None => String::new(),
    })]
    NotAModule {
        dir: PathBuf,
        nearest: Option<PathBuf>,
    },
    #[error(transparent)]
    GoMod(ModFileError),
    #[error(transparent)]
    GoWork(ModFileError),
    #[error("{0}\n(run with --ignore-goreleaser to continue without it)")]
    GoReleaser(GoReleaserError),
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file of the tree that is not a regular file, or larger than goflake reads.
    #[error(transparent)]
    Read(#[from] goflake_fs::ReadError),
}

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Continue without a malformed GoReleaser file (with a warning) instead of failing.
    pub ignore_goreleaser: bool,
    /// Main packages chosen by the user (directories relative to the module), instead of
    /// the packager's rules.
    pub mains: Vec<String>,
    /// The directory the flake's source starts at, when it is not the git root (modRoot is
    /// relative to it).
    pub source_root: Option<PathBuf>,
    /// The targets to consider instead of the GoReleaser matrix or the default list.
    pub targets: Option<Vec<Target>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// The module directory as given.
    #[serde(skip)]
    pub dir: PathBuf,
    pub module: String,
    /// The package name for Nix: the last module path element without a `/vN` suffix.
    pub pname: String,
    /// The module directory relative to the repository root (`./` when they are the same).
    pub mod_root: String,
    pub version: ProjectVersion,
    pub layout: Layout,
    pub main_packages: Vec<MainPackage>,
    /// Main packages that are not shipped (maintainer tools, generators, examples), with why.
    pub left_out_mains: Vec<LeftOutMain>,
    pub targets: Vec<TargetProposal>,
    /// How the targets were checked: by compiling them, or only by build constraints.
    pub target_check: TargetCheck,
    pub goreleaser: Option<GoReleaser>,
    pub gomod: GoMod,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectVersion {
    pub version: String,
    /// `git tag v1.2.3`, where the source declares it, or why there is none.
    pub source: String,
    /// Whether the version is the project's own (a tag or a declared value), so binaries may
    /// be stamped with it; never true for the placeholder.
    pub known: bool,
}

/// The Nix version of a project that has neither a tag nor a declared version (nixpkgs'
/// convention for unreleased code); binaries are never stamped with it.
pub const UNRELEASED_VERSION: &str = "0-unstable";

/// A main package goflake does not ship by default.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOutMain {
    pub dir: String,
    pub binary: String,
    pub reason: String,
}

/// How the proposed targets were verified.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum TargetCheck {
    /// Only build constraints and cgo were read (Go was not asked).
    #[default]
    Constraints,
    /// Every candidate target was compiled with this Go.
    Compiled { go: String },
    /// Compiling was attempted but could not run; the targets are unverified.
    Unverified { reason: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    pub go_sum: bool,
    /// `vendor/modules.txt` is committed: the build uses it and `vendorHash = null`.
    pub vendor_committed: bool,
    /// The module has no requirements: `vendorHash = null`.
    pub no_dependencies: bool,
    pub workspace: Option<Workspace>,
    /// Directories below the module with their own go.mod (not part of this module).
    pub nested_modules: Vec<String>,
    /// `replace` directives pointing at directories: the Nix source must contain them.
    pub local_replaces: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    pub file: String,
    pub uses: Vec<String>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MainPackage {
    /// Directory relative to the module root (`.` for the root).
    pub dir: String,
    pub import_path: String,
    pub binary: String,
    pub cgo: Cgo,
    /// `main.version` when the package declares a version string variable.
    pub version_var: Option<String>,
    /// The value the package's `version` var or const declares (`"0.66"`), when any.
    pub declared_version: Option<String>,
    /// Targets of the default list this binary can be built for, pure Go, cgo off.
    pub targets: Vec<String>,
    pub excluded_targets: Vec<Excluded>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cgo {
    /// Imports `"C"` itself or through a package of this module without a `!cgo` fallback.
    pub required: bool,
    /// The packages of this module that import `"C"`, on the way from this main package.
    pub via: Vec<String>,
    /// Whether dependencies outside the module were checked (needs `go list -deps`).
    pub dependencies_checked: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Excluded {
    pub target: String,
    pub reason: String,
}

/// One target of the default list: proposed when at least one binary builds for it; the
/// binaries that cannot are left out of that target's package, each with its reason.
#[derive(Debug, Clone, Serialize)]
pub struct TargetProposal {
    pub target: String,
    pub proposed: bool,
    /// The binaries the target's package builds.
    pub binaries: Vec<String>,
    /// Binaries left out of this target, with the reason.
    pub left_out: Vec<Excluded>,
}

struct FileInfo {
    name: String,
    path: PathBuf,
    header: GoFileHeader,
    build_line: Option<String>,
}

struct PackageInfo {
    dir: String,
    import_path: String,
    files: Vec<FileInfo>,
}

/// The module-relative directory of a package given to `go run` in a `//go:generate` line of
/// a file in `dir` (`./gen`, `../tools/x`, `gen.go`, or a module import path).
fn generator_dir(dir: &str, arg: &str, module: &str) -> Option<String> {
    let joined = if let Some(rest) = arg
        .strip_prefix(module)
        .filter(|r| r.is_empty() || r.starts_with('/'))
    {
        rest.trim_start_matches('/').to_owned()
    } else if arg.starts_with('.') && !arg.ends_with(".go") {
        // `go run gen.go` runs a single (`//go:build ignore`) file, not a package.
        format!("{dir}/{arg}")
    } else {
        return None;
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

impl PackageInfo {
    fn imports_c(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.header.imports.iter().any(|i| i == "C"))
    }

    fn has_nocgo_fallback(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.build_line.as_deref().is_some_and(|b| b.contains("!cgo")))
    }

    /// The files that build for `target` with cgo off.
    fn files_for(&self, target: &Target) -> impl Iterator<Item = &FileInfo> {
        self.files
            .iter()
            .filter(move |f| file_builds_for(f, target, false))
    }

    /// Whether any target at all (cgo on or off) builds it as `package main`.
    fn is_main_somewhere(&self) -> bool {
        self.files.iter().any(|f| {
            f.header.package == "main"
                && DIST_LIST
                    .iter()
                    .filter_map(|t| Target::parse(t))
                    .any(|t| file_builds_for(f, &t, false) || file_builds_for(f, &t, true))
        })
    }
}

fn file_builds_for(file: &FileInfo, target: &Target, cgo: bool) -> bool {
    let (os, arch) = file_name_constraint(&file.name);
    if os.is_some_and(|os| !target.has_tag(&os, cgo)) || arch.is_some_and(|a| a != target.goarch) {
        return false;
    }
    if !cgo && file.header.imports.iter().any(|i| i == "C") {
        return false;
    }
    file.header
        .constraint
        .as_ref()
        .is_none_or(|c| c.eval(&|tag| target.has_tag(tag, cgo)))
}

/// Loads the model of the Go module in `dir`.
pub fn load(dir: &Path, options: LoadOptions) -> Result<Project, ModelError> {
    let go_mod_path = dir.join("go.mod");
    let text = match goflake_fs::read_text(&go_mod_path) {
        Ok(text) => text,
        Err(err) if err.is_not_found() => {
            return Err(ModelError::NotAModule {
                dir: dir.to_path_buf(),
                nearest: nearest_go_mod_below(dir),
            });
        }
        Err(err) => return Err(err.into()),
    };
    let gomod =
        parse_go_mod(&go_mod_path.display().to_string(), &text).map_err(ModelError::GoMod)?;
    // go.sum is read by `go` and by the vendorHash fingerprint: a special file there is
    // refused here, once.
    goflake_fs::check_input(&dir.join("go.sum"))?;
    let mut warnings = Vec::new();
    let absolute = dir.canonicalize().map_err(|source| ModelError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let repo_root = git::repository_root(&absolute);
    let source_root = match &options.source_root {
        Some(root) => Some(root.canonicalize().map_err(|source| ModelError::Io {
            path: root.clone(),
            source,
        })?),
        None => repo_root.clone(),
    };
    let mod_root = match &source_root {
        Some(root) if root != &absolute => {
            format!(
                "{}",
                absolute.strip_prefix(root).unwrap_or(&absolute).display()
            )
        }
        _ => "./".to_owned(),
    };

    let pname = module_base_name(&gomod.module);
    let tag = repo_root
        .as_deref()
        .map(git::tags)
        .as_deref()
        .and_then(git::newest_version_tag);
    let workspace = find_go_work(&absolute, repo_root.as_deref(), &mut warnings)?;
    let mut nested_modules = Vec::new();
    let mut packages = Vec::new();
    scan(
        &absolute,
        &absolute,
        &gomod.module,
        &mut packages,
        &mut nested_modules,
        &mut warnings,
    )?;
    let local_replaces: Vec<String> = gomod
        .replace
        .iter()
        .filter(|r| r.local)
        .map(|r| {
            let target = absolute.join(&r.new_path);
            let inside = repo_root.as_deref().unwrap_or(&absolute);
            let resolved = target.canonicalize().unwrap_or(target);
            if !resolved.starts_with(inside) {
                warnings.push(format!(
                    "replace {} => {}: the directory is outside the repository, so the flake's source cannot contain it",
                    r.old_path, r.new_path
                ));
            }
            format!("{} => {}", r.old_path, r.new_path)
        })
        .collect();
    let layout = Layout {
        go_sum: absolute.join("go.sum").is_file(),
        vendor_committed: absolute.join("vendor/modules.txt").is_file(),
        no_dependencies: gomod.require.is_empty(),
        workspace,
        nested_modules,
        local_replaces,
    };
    if !layout.go_sum && !layout.no_dependencies {
        warnings.push("go.sum is missing: run `go mod tidy` before building".into());
    }

    let by_path: BTreeMap<&str, &PackageInfo> = packages
        .iter()
        .map(|p| (p.import_path.as_str(), p))
        .collect();
    let mut all_mains: Vec<MainPackage> = packages
        .iter()
        .filter(|p| p.is_main_somewhere())
        .map(|package| main_package(package, &gomod.module, &pname, &by_path))
        .collect();
    // The module's root first, then by directory.
    all_mains.sort_by(|a, b| (a.dir != ".", &a.dir).cmp(&(b.dir != ".", &b.dir)));

    let goreleaser = match goreleaser::load(dir, &pname) {
        Ok(g) => g,
        Err(err) if options.ignore_goreleaser => {
            warnings.push(format!("ignoring the GoReleaser file: {err}"));
            None
        }
        Err(err) => return Err(ModelError::GoReleaser(err)),
    };
    if let Some(g) = &goreleaser {
        warnings.extend(g.warnings.iter().cloned());
    }
    let module = gomod.module.as_str();
    let generators: BTreeSet<String> = packages
        .iter()
        .flat_map(|p| {
            p.files.iter().flat_map(move |f| {
                f.header
                    .generate_runs
                    .iter()
                    .filter_map(move |arg| generator_dir(&p.dir, arg, module))
            })
        })
        .collect();
    let (main_packages, left_out_mains) = select_mains(
        all_mains,
        goreleaser.as_ref(),
        &options.mains,
        &generators,
        &mut warnings,
    );
    if let Some(g) = &goreleaser {
        for build in g.builds.iter().filter(|b| !b.skip) {
            if let Some(main) = main_packages.iter().find(|m| m.dir == build.main)
                && main.binary != build.binary
            {
                warnings.push(format!(
                    "{}: GoReleaser names the {} binary `{}`; the flake installs it as `{}` (Go names a binary after its directory)",
                    short_file_name(&g.file),
                    main.dir,
                    build.binary,
                    main.binary
                ));
            }
        }
    }
    for main in &main_packages {
        if SYSTEM_COMMANDS.contains(&main.binary.as_str()) {
            warnings.push(format!(
                "{}: the binary is named `{}`, like a common system command; installed in a profile it would shadow it",
                main.dir, main.binary
            ));
        }
    }
    let mut main_packages = main_packages;
    let version = project_version(tag, &main_packages, goreleaser.as_ref(), &packages);
    let candidates = match &options.targets {
        Some(targets) => targets.clone(),
        None => candidate_targets(goreleaser.as_ref(), &main_packages),
    };
    for main in &mut main_packages {
        if let Some(package) = by_path.get(main.import_path.as_str()) {
            constraint_verdicts(main, package, &candidates);
        }
    }
    let targets = propose_targets(&main_packages, &candidates);

    Ok(Project {
        dir: dir.to_path_buf(),
        module: gomod.module.clone(),
        pname,
        mod_root,
        version,
        layout,
        main_packages,
        left_out_mains,
        targets,
        target_check: TargetCheck::Constraints,
        goreleaser,
        gomod,
        warnings,
    })
}

/// Commands a shipped binary should not be named after: in a profile it would shadow them.
const SYSTEM_COMMANDS: &[&str] = &[
    "install", "test", "cat", "ls", "cp", "mv", "rm", "ln", "find", "sort", "env", "make", "git",
    "go", "nix", "sh", "bash", "tar", "diff", "patch", "echo", "true", "false", "date", "file",
    "which", "kill", "ps", "top", "time", "watch", "xargs", "yes", "head", "tail", "touch",
    "mkdir", "chmod", "chown", "link", "join", "split", "expr", "printf", "read", "wc", "id",
];

/// Directory names whose main packages are tooling, not the product (as packagers read a
/// repository): the first path element decides.
fn tooling_dir(dir: &str) -> Option<&'static str> {
    for element in dir.split('/') {
        let kind = match element {
            "scripts" | "script" => "maintainer scripts",
            "tools" | "tool" | "hack" => "maintainer tools",
            "internal" => "an internal package",
            "examples" | "example" | "_examples" => "an example",
            "docs" | "doc" => "documentation tooling",
            "bench" | "benchmark" | "benchmarks" => "a benchmark",
            e if e.starts_with("test") => "test tooling",
            _ => continue,
        };
        return Some(kind);
    }
    None
}

/// Chooses the main packages to ship, as a packager would: the user's list; else the
/// GoReleaser builds' `main`; else `.` and `cmd/*`; else every main package outside tooling
/// directories. Generators (run by `go generate`) are never chosen by a rule.
fn select_mains(
    all: Vec<MainPackage>,
    goreleaser: Option<&GoReleaser>,
    explicit: &[String],
    generators: &BTreeSet<String>,
    warnings: &mut Vec<String>,
) -> (Vec<MainPackage>, Vec<LeftOutMain>) {
    let normalize = |dir: &str| {
        let trimmed = dir.trim_start_matches("./").trim_end_matches('/');
        if trimmed.is_empty() {
            ".".to_owned()
        } else {
            trimmed.to_owned()
        }
    };
    let releaser_mains: Vec<String> = goreleaser
        .map(|g| {
            g.builds
                .iter()
                .filter(|b| !b.skip)
                .map(|b| b.main.clone())
                .collect()
        })
        .unwrap_or_default();
    let chosen: Vec<String> = explicit.iter().map(|d| normalize(d)).collect();
    let rule = if !chosen.is_empty() {
        MainRule::Explicit(&chosen)
    } else if !releaser_mains.is_empty() {
        MainRule::GoReleaser(&releaser_mains)
    } else if all.iter().any(|m| is_conventional(&m.dir)) {
        MainRule::Conventional
    } else {
        MainRule::NotTooling
    };
    let expected: &[String] = match rule {
        MainRule::Explicit(dirs) | MainRule::GoReleaser(dirs) => dirs,
        _ => &[],
    };
    for dir in expected {
        if !all.iter().any(|m| &m.dir == dir) {
            warnings.push(match rule {
                MainRule::Explicit(_) => format!("--main {dir}: no main package there"),
                _ => format!(
                    "{}: builds main `{dir}`, which is not a main package here",
                    goreleaser.map(|g| g.file.as_str()).unwrap_or_default()
                ),
            });
        }
    }
    let releaser_file = goreleaser
        .map(|g| short_file_name(&g.file))
        .unwrap_or_default();
    let wanted = |m: &MainPackage| -> Option<String> {
        match rule {
            MainRule::Explicit(dirs) => {
                (!dirs.contains(&m.dir)).then(|| "not chosen with --main".to_owned())
            }
            MainRule::GoReleaser(dirs) => {
                (!dirs.contains(&m.dir)).then(|| format!("not built by {releaser_file}"))
            }
            // A program at `.` or `cmd/*` is shipped even when `go generate` also runs it
            // (gofumpt formats itself with `go run .`).
            MainRule::Conventional if is_conventional(&m.dir) => None,
            _ if generators.contains(&m.dir) => Some("a generator run by `go generate`".to_owned()),
            MainRule::Conventional => Some(match tooling_dir(&m.dir) {
                Some(kind) => format!("{kind}, not `.` or `cmd/*`"),
                None => "not `.` or `cmd/*`".to_owned(),
            }),
            MainRule::NotTooling => tooling_dir(&m.dir).map(str::to_owned),
        }
    };
    let mut selected = Vec::new();
    let mut left_out = Vec::new();
    for main in all {
        match wanted(&main) {
            None => selected.push(main),
            Some(reason) => left_out.push(LeftOutMain {
                dir: main.dir.clone(),
                binary: main.binary.clone(),
                reason,
            }),
        }
    }
    if !left_out.is_empty() {
        let dirs: Vec<&str> = left_out.iter().map(|l| l.dir.as_str()).collect();
        warnings.push(format!(
            "main packages not shipped: {} (see `goflake inspect`); to ship one, add it to subPackages in flake.nix or run `goflake init --main DIR` for each",
            dirs.join(", ")
        ));
    }
    (selected, left_out)
}

/// How the shipped main packages are chosen, most explicit first.
#[derive(Clone, Copy)]
enum MainRule<'a> {
    /// `--main DIR …`.
    Explicit(&'a [String]),
    /// The GoReleaser builds' `main`.
    GoReleaser(&'a [String]),
    /// `.`, `cmd` and `cmd/*`.
    Conventional,
    /// Every main package outside tooling directories.
    NotTooling,
}

/// `.`, `cmd` and `cmd/<name>`: where Go projects put the programs they ship.
fn is_conventional(dir: &str) -> bool {
    dir == "."
        || dir == "cmd"
        || dir
            .strip_prefix("cmd/")
            .is_some_and(|rest| !rest.contains('/'))
}

fn short_file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// Looks like a release version (`1.2.3`, `v0.66`, `2024.01.02`), not a placeholder such as
/// `dev`, `devel`, `unknown` or `(devel)`.
fn version_like(text: &str) -> bool {
    let digits = text.strip_prefix('v').unwrap_or(text);
    digits.chars().next().is_some_and(|c| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
}

/// The project's version: the newest `v*` tag; else the value the source declares (a
/// `version` var or const of a shipped main package, or the variable a GoReleaser ldflag
/// stamps); else none, and binaries are not stamped.
fn project_version(
    tag: Option<(String, String)>,
    mains: &[MainPackage],
    goreleaser: Option<&GoReleaser>,
    packages: &[PackageInfo],
) -> ProjectVersion {
    if let Some((tag, version)) = tag {
        return ProjectVersion {
            version,
            source: format!("git tag {tag}"),
            known: true,
        };
    }
    for main in mains {
        if let Some(value) = main.declared_version.as_deref().filter(|v| version_like(v)) {
            return ProjectVersion {
                version: value.trim_start_matches('v').to_owned(),
                source: format!("declared in {} (no v* git tag)", main.dir),
                known: true,
            };
        }
    }
    // `-X path/to/pkg.version={{.Version}}`: the variable the release stamps.
    let stamped = goreleaser
        .into_iter()
        .flat_map(|g| g.builds.iter().filter(|b| !b.skip))
        .flat_map(|b| b.ldflags.iter())
        .filter_map(|flag| {
            let (target, _) = flag.raw.strip_prefix("-X ")?.split_once('=')?;
            flag.parts
                .iter()
                .any(|p| matches!(p, TemplatePart::Version | TemplatePart::Tag))
                .then(|| target.trim_matches(['\'', '"']).to_owned())
        });
    for target in stamped {
        let Some((package, name)) = target.rsplit_once('.') else {
            continue;
        };
        let Some(info) = packages
            .iter()
            .find(|p| p.import_path == package || (package == "main" && p.is_main_somewhere()))
        else {
            continue;
        };
        if let Some(value) = info
            .files
            .iter()
            .find_map(|f| {
                let text = goflake_fs::read_text(&f.path).ok()?;
                crate::gofile::declared_value(&text, &[name])
            })
            .filter(|v| version_like(v))
        {
            return ProjectVersion {
                version: value.trim_start_matches('v').to_owned(),
                source: format!("declared as {target} (no v* git tag)"),
                known: true,
            };
        }
    }
    ProjectVersion {
        version: UNRELEASED_VERSION.to_owned(),
        source: "no v* git tag and no version declared in the source; binaries are not stamped"
            .to_owned(),
        known: false,
    }
}

/// The targets to check: the GoReleaser matrix of the chosen builds when there is one,
/// else goflake's default list.
fn candidate_targets(goreleaser: Option<&GoReleaser>, mains: &[MainPackage]) -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    if let Some(g) = goreleaser {
        for build in g
            .builds
            .iter()
            .filter(|b| !b.skip && mains.iter().any(|m| m.dir == b.main))
        {
            for target in &build.targets {
                if !targets.contains(target) {
                    targets.push(target.clone());
                }
            }
        }
    }
    if targets.is_empty() {
        targets = DEFAULT_TARGETS
            .iter()
            .map(|t| Target::parse(t).expect("default targets are well formed"))
            .collect();
    }
    targets
}

impl Project {
    /// Adds what `go list -deps` found: for each main package (by import path), the packages
    /// of other modules it needs that build only with cgo. Marks those binaries as needing
    /// cgo and recomputes the targets.
    pub fn apply_dependency_cgo(&mut self, cgo_only: &BTreeMap<String, Vec<String>>) {
        for main in &mut self.main_packages {
            let Some(dependencies) = cgo_only.get(&main.import_path) else {
                continue;
            };
            main.cgo.dependencies_checked = true;
            if dependencies.is_empty() {
                continue;
            }
            main.cgo.via.extend(dependencies.iter().cloned());
            main.cgo.required = true;
            let reason = cgo_reason(&main.cgo.via);
            main.targets.clear();
            main.excluded_targets = self
                .targets
                .iter()
                .map(|t| Excluded {
                    target: t.target.clone(),
                    reason: reason.clone(),
                })
                .collect();
        }
        self.targets = propose_targets(&self.main_packages, &self.candidate_targets());
    }

    /// What `target`'s package would build of this project, leaving out the binaries in
    /// `leave_out` (a flake's nativeOnly, or the packages it already leaves out of `target`).
    pub fn target_fit(&self, target: &Target, leave_out: &[String]) -> TargetFit<'_> {
        target_fit(&self.main_packages, &target.to_string(), leave_out)
    }

    /// The targets that were considered (proposed or not), in order.
    pub fn candidate_targets(&self) -> Vec<Target> {
        self.targets
            .iter()
            .filter_map(|t| Target::parse(&t.target))
            .collect()
    }

    /// Adds what compiling each main package for each target with `go` found: a target a
    /// binary fails to compile for is left out with the compiler's first error. A binary that
    /// does not compile for the host either is a project problem (the project does not build
    /// with that Go), not a target problem: its targets are kept and a warning says so.
    pub fn apply_compile_verdicts(&mut self, go: &str, host: &Target, verdicts: &[CompileVerdict]) {
        for main in &mut self.main_packages {
            if main.cgo.required {
                continue;
            }
            let mine: Vec<&CompileVerdict> =
                verdicts.iter().filter(|v| v.dir == main.dir).collect();
            if let Some(native) = mine.iter().find(|v| &v.target == host)
                && let Some(error) = &native.error
            {
                let needs = error
                    .split("requires go >= ")
                    .nth(1)
                    .and_then(|r| r.split([' ', ')', ';']).next())
                    .map(|v| format!("; it needs Go {v} or newer"))
                    .unwrap_or_default();
                self.warnings.push(format!(
                    "{} does not build with Go {go} even for the host ({host}){needs}: {error}; its targets were not checked",
                    main.dir
                ));
                continue;
            }
            for verdict in mine {
                let spec = verdict.target.to_string();
                if let Some(error) = &verdict.error
                    && let Some(index) = main.targets.iter().position(|t| *t == spec)
                {
                    main.targets.remove(index);
                    main.excluded_targets.push(Excluded {
                        target: spec,
                        reason: error.clone(),
                    });
                }
            }
        }
        self.target_check = match verdicts.iter().find(|v| !v.fetch_failure) {
            Some(_) => TargetCheck::Compiled { go: go.to_owned() },
            None => TargetCheck::Unverified {
                reason: verdicts
                    .first()
                    .and_then(|v| v.error.clone())
                    .map(|e| format!("no module could be downloaded: {e}"))
                    .unwrap_or_else(|| "nothing to compile".to_owned()),
            },
        };
        self.targets = propose_targets(&self.main_packages, &self.candidate_targets());
    }
}

/// The last element of a module path without a `/vN` major-version suffix.
pub fn module_base_name(module: &str) -> String {
    let mut parts: Vec<&str> = module.split('/').collect();
    if parts.len() > 1
        && let Some(last) = parts.last()
        && last.len() > 1
        && last.starts_with('v')
        && last[1..].chars().all(|c| c.is_ascii_digit())
    {
        parts.pop();
    }
    parts.last().copied().unwrap_or(module).to_owned()
}

/// The module directories (relative to `dir`) at the shallowest depth below `dir` that has
/// any, looking at most five levels down.
pub fn modules_below(dir: &Path) -> Vec<PathBuf> {
    let mut level = vec![dir.to_path_buf()];
    for _ in 0..5 {
        let mut next = Vec::new();
        let mut found = Vec::new();
        for d in &level {
            let Ok(entries) = std::fs::read_dir(d) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                // Like Go, never follow a symlinked directory.
                if !entry.file_type().is_ok_and(|t| t.is_dir()) || skip_dir(&name) {
                    continue;
                }
                let path = entry.path();
                if path.join("go.mod").is_file() {
                    found.push(path.strip_prefix(dir).unwrap_or(&path).to_path_buf());
                } else {
                    next.push(path);
                }
            }
        }
        if !found.is_empty() {
            found.sort();
            return found;
        }
        level = next;
    }
    Vec::new()
}

fn nearest_go_mod_below(dir: &Path) -> Option<PathBuf> {
    let mut level = vec![dir.to_path_buf()];
    for _ in 0..5 {
        let mut next = Vec::new();
        let mut found: Vec<PathBuf> = Vec::new();
        for d in &level {
            let Ok(entries) = std::fs::read_dir(d) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if entry.file_type().is_ok_and(|t| t.is_dir()) && !skip_dir(&name) {
                    if path.join("go.mod").is_file() {
                        found.push(path.join("go.mod"));
                    }
                    next.push(path);
                }
            }
        }
        found.sort();
        if let Some(first) = found.into_iter().next() {
            return Some(first);
        }
        level = next;
    }
    None
}

fn shown_dir(rel: &str, name: &str) -> String {
    if rel == "." {
        name.escape_default().to_string()
    } else {
        format!("{rel}/{}", name.escape_default())
    }
}

fn skip_dir(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('_') || name == "testdata" || name == "vendor"
}

fn find_go_work(
    module_dir: &Path,
    repo_root: Option<&Path>,
    warnings: &mut Vec<String>,
) -> Result<Option<Workspace>, ModelError> {
    for dir in module_dir.ancestors() {
        let path = dir.join("go.work");
        let found = match goflake_fs::read_text(&path) {
            Ok(text) => Some(text),
            Err(err) if err.is_not_found() => None,
            Err(err) => return Err(err.into()),
        };
        if let Some(text) = found {
            let work: GoWork =
                parse_go_work(&path.display().to_string(), &text).map_err(ModelError::GoWork)?;
            let shown = match repo_root {
                Some(root) => path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
                None => path.display().to_string(),
            };
            warnings.push(format!(
                "{shown} puts Go in workspace mode; the flake builds this module on its own (GOWORK=off)"
            ));
            return Ok(Some(Workspace {
                file: shown,
                uses: work.uses,
                note: "`go mod vendor` refuses to run in workspace mode, so nixpkgs' goModules cannot vendor a workspace: goflake builds each module with GOWORK=off, and modules from `use` must also be reachable through `replace` or the module proxy".into(),
            }));
        }
        if repo_root.is_some_and(|root| root == dir) {
            break;
        }
    }
    Ok(None)
}

fn scan(
    root: &Path,
    dir: &Path,
    module: &str,
    packages: &mut Vec<PackageInfo>,
    nested: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<(), ModelError> {
    let io = |source| ModelError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(io)?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    let rel = dir.strip_prefix(root).unwrap_or(dir).display().to_string();
    let rel = if rel.is_empty() { ".".to_owned() } else { rel };
    let mut files = Vec::new();
    for entry in &entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let file_type = entry.file_type().map_err(|source| ModelError::Io {
            path: path.clone(),
            source,
        })?;
        // Like Go (`./...`), a symlinked directory is not walked: a link to `/` or a loop
        // would otherwise be followed.
        if file_type.is_dir() {
            if skip_dir(&name) {
                continue;
            }
            // Go rejects such a package too (`module.CheckImportPath`).
            if crate::modpath::check_element(&name).is_err() {
                warnings.push(format!(
                    "{}: skipped: `{}` is not a valid Go import path element",
                    shown_dir(&rel, &name),
                    name.escape_default()
                ));
                continue;
            }
            if path.join("go.mod").is_file() {
                nested.push(
                    path.strip_prefix(root)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                );
                continue;
            }
            scan(root, &path, module, packages, nested, warnings)?;
        } else if name.ends_with(".go")
            && !name.ends_with("_test.go")
            && !name.starts_with(['.', '_'])
        {
            // Check the type before opening: a FIFO named x.go would block forever.
            let metadata = std::fs::metadata(&path).map_err(|source| ModelError::Io {
                path: path.clone(),
                source,
            })?;
            if metadata.is_dir() {
                continue;
            }
            if !metadata.is_file() {
                return Err(ModelError::Io {
                    path: path.clone(),
                    source: std::io::Error::other(
                        "not a regular file (a FIFO, socket or device); Go cannot read it either",
                    ),
                });
            }
            let text = goflake_fs::read_text(&path)?;
            match read_header(&text) {
                Ok(Some(header)) => {
                    let build_line = text.lines().find_map(|l| {
                        l.trim()
                            .strip_prefix("//go:build")
                            .map(|b| b.trim().to_owned())
                    });
                    files.push(FileInfo {
                        name,
                        path: path.clone(),
                        header,
                        build_line,
                    });
                }
                Ok(None) => warnings.push(format!("{rel}/{name}: no package clause; skipped")),
                Err(err) => warnings.push(format!("{rel}/{name}: {err}; skipped")),
            }
        }
    }
    if !files.is_empty() {
        let import_path = if rel == "." {
            module.to_owned()
        } else {
            format!("{module}/{rel}")
        };
        packages.push(PackageInfo {
            dir: rel,
            import_path,
            files,
        });
    }
    Ok(())
}

fn main_package(
    package: &PackageInfo,
    module: &str,
    pname: &str,
    by_path: &BTreeMap<&str, &PackageInfo>,
) -> MainPackage {
    let binary = if package.dir == "." {
        pname.to_owned()
    } else {
        package
            .dir
            .rsplit('/')
            .next()
            .unwrap_or(&package.dir)
            .to_owned()
    };
    // Walk this module's packages reachable from the main package.
    let mut via = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![package];
    while let Some(p) = stack.pop() {
        if !seen.insert(p.import_path.clone()) {
            continue;
        }
        if p.imports_c() && !p.has_nocgo_fallback() {
            via.insert(p.import_path.clone());
        }
        for file in &p.files {
            for import in &file.header.imports {
                if (import == module || import.starts_with(&format!("{module}/")))
                    && let Some(dep) = by_path.get(import.as_str())
                {
                    stack.push(dep);
                }
            }
        }
    }
    let cgo = Cgo {
        required: !via.is_empty(),
        via: via.into_iter().collect(),
        dependencies_checked: false,
    };
    let version_var = package
        .files
        .iter()
        .filter(|f| f.header.package == "main")
        .find_map(|f| f.header.version_var.clone())
        .map(|name| format!("main.{name}"));
    let declared_version = package
        .files
        .iter()
        .filter(|f| f.header.package == "main")
        .find_map(|f| f.header.declared_version.clone());
    MainPackage {
        dir: package.dir.clone(),
        import_path: package.import_path.clone(),
        binary,
        cgo,
        version_var,
        declared_version,
        targets: Vec::new(),
        excluded_targets: Vec::new(),
    }
}

/// Which candidate targets a main package's build constraints and cgo use allow.
fn constraint_verdicts(main: &mut MainPackage, package: &PackageInfo, candidates: &[Target]) {
    main.targets.clear();
    main.excluded_targets.clear();
    for target in candidates {
        let spec = target.to_string();
        let reason = if main.cgo.required {
            Some(cgo_reason(&main.cgo.via))
        } else if !package
            .files_for(target)
            .any(|f| f.header.package == "main")
        {
            Some(format!(
                "build constraints exclude every file of {} for {spec}",
                package.dir
            ))
        } else {
            None
        };
        match reason {
            Some(reason) => main.excluded_targets.push(Excluded {
                target: spec,
                reason,
            }),
            None => main.targets.push(spec),
        }
    }
}

fn cgo_reason(via: &[String]) -> String {
    format!(
        "needs cgo (imports \"C\" in {}); cross builds are pure Go",
        via.join(", ")
    )
}

/// A target is proposed when at least one binary the cross packages build (all but the cgo
/// ones) builds for it; the binaries that cannot are named with their reasons (the flake
/// leaves them out of that target only).
fn propose_targets(mains: &[MainPackage], candidates: &[Target]) -> Vec<TargetProposal> {
    candidates
        .iter()
        .map(|target| {
            let spec = target.to_string();
            let fit = target_fit(mains, &spec, &[]);
            TargetProposal {
                proposed: fit.can_build(),
                binaries: fit.builds.iter().map(|m| m.binary.clone()).collect(),
                left_out: fit
                    .blocked
                    .into_iter()
                    .map(|(m, reason)| Excluded {
                        target: m.binary.clone(),
                        reason,
                    })
                    .collect(),
                target: spec,
            }
        })
        .collect()
}

/// What a target's package would build: each binary (but those in `leave_out`, by
/// directory) either builds for the target or is blocked, with the reason.
#[derive(Debug, Default)]
pub struct TargetFit<'a> {
    pub builds: Vec<&'a MainPackage>,
    pub blocked: Vec<(&'a MainPackage, String)>,
}

impl TargetFit<'_> {
    /// A target can build when at least one binary builds for it.
    pub fn can_build(&self) -> bool {
        !self.builds.is_empty()
    }

    /// The blocked binaries as `binary: reason`, joined with `; `.
    pub fn reasons(&self) -> String {
        self.blocked
            .iter()
            .map(|(m, reason)| format!("{}: {reason}", m.binary))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The one rule for whether a binary builds for a target, shared by the targets goflake
/// proposes, the packages a flake leaves out of a target, `targets add` and `check`: it is
/// blocked when a build constraint or the compiler excluded the target, or when it needs cgo
/// (cross builds are pure Go).
fn target_fit<'a>(mains: &'a [MainPackage], target: &str, leave_out: &[String]) -> TargetFit<'a> {
    let mut fit = TargetFit::default();
    for main in mains.iter().filter(|m| !leave_out.contains(&m.dir)) {
        match main.excluded_targets.iter().find(|e| e.target == target) {
            Some(excluded) => fit.blocked.push((main, excluded.reason.clone())),
            None if main.cgo.required => fit.blocked.push((main, cgo_reason(&main.cgo.via))),
            None => fit.builds.push(main),
        }
    }
    fit
}

/// One `go build` of a main package for a target, as the runner reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileVerdict {
    /// The main package's directory (`.`, `cmd/x`).
    pub dir: String,
    pub target: Target,
    /// The first compiler error, one line; `None` when it compiled.
    pub error: Option<String>,
    /// The error is Go failing to download a module, not the code failing to compile: it
    /// says nothing about the target.
    pub fetch_failure: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_drop_major_suffixes() {
        assert_eq!(module_base_name("example.com/tool/v2"), "tool");
        assert_eq!(module_base_name("example.com/tool"), "tool");
        assert_eq!(module_base_name("tool"), "tool");
        assert_eq!(module_base_name("example.com/v2"), "example.com");
        assert_eq!(module_base_name("gopkg.in/yaml.v3"), "yaml.v3");
    }
}
