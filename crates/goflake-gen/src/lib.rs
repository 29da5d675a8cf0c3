//! Generating and maintaining goflake flakes. Text in, text out: the template in
//! `templates/flake.nix` is embedded and filled in through the syntax crate's edits, so new
//! and existing files go through the same edit engine.

pub mod ci;
pub mod flake;
pub mod import;
pub mod nixpkgs;
pub mod scaffold;
pub mod upgrade;
pub mod vendor;

pub use flake::Flake;
pub use nixpkgs::{GoChoice, GoSet, go_minor};

use goflake_gomod::goreleaser::TemplatePart;
use goflake_gomod::{DIST_LIST, Project, Target};
use goflake_nar::Sha256;
use goflake_syntax::edit::{self, ListItem};
use goflake_syntax::{SourceFile, TextEdit, TextSize, string_literal};

/// The flake template (a valid Nix file).
pub const FLAKE_TEMPLATE: &str = include_str!("../../../templates/flake.nix");

/// nixpkgs' current stable branch.
pub const DEFAULT_NIXPKGS: &str = "github:NixOS/nixpkgs/nixos-26.05";

/// The values goflake maintains in a flake, by name in the `outputs` let block.
pub const MAINTAINED: &[&str] = &[
    "pname",
    "mainProgram",
    "version",
    "vendorHash",
    "goAttr",
    "modRoot",
    "subPackages",
    "nativeOnly",
    "ldflags",
    "targets",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    #[error("{module} has no main package, so there is no program to build (a library?)")]
    NoMainPackage { module: String },
    #[error(
        "{module} ships no program: every main package was left out ({left_out}); choose the ones to ship with `goflake init --main DIR`"
    )]
    NoMainShipped { module: String, left_out: String },
    #[error(
        "`{target}` is not a GOOS/GOARCH pair Go can build; valid targets:\n{}",
        valid_targets_text()
    )]
    UnknownTarget { target: String },
    #[error("no binary of this project builds for any requested target")]
    NoTargets,
    #[error(
        "{location}: `{target}` is not a GOOS/GOARCH pair Go can build (`goflake targets add --help` shows how to name one)"
    )]
    UnknownTargetAt { location: String, target: String },
    #[error(
        "the packages would be named after `{pname}` (the module path's last element), which is not {PNAME_RULE}; \
         goflake names every package and CI job after it, so rename the module (go.mod's module line)"
    )]
    BadPname { pname: String },
    #[error(transparent)]
    Query(#[from] goflake_syntax::QueryError),
    #[error(transparent)]
    Edit(#[from] edit::EditError),
    #[error(transparent)]
    AttrPath(#[from] goflake_syntax::AttrPathError),
    /// The flake is not shaped as goflake needs it (a value of the wrong kind, a target that
    /// is not listed, no `mkShell` call).
    #[error("{0}")]
    Shape(String),
    #[error("{path} is not a goflake flake (it lacks the values goflake maintains: {missing})")]
    NotGoflake { path: String, missing: String },
}

fn valid_targets_text() -> String {
    DIST_LIST.join(" ")
}

/// How `vendorHash` is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VendorHash {
    /// No dependencies, or `vendor/` is committed.
    Null,
    /// A computed SRI hash.
    Hash(String),
    /// Not computed yet: an evaluation error that says what to run (never a fake hash).
    Unknown,
}

/// One ldflag: plain text, or text with release variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ldflag {
    Plain(String),
    Template(Vec<TemplatePart>),
}

/// Everything a generated flake says about the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlakeSpec {
    pub description: String,
    pub nixpkgs_url: String,
    pub pname: String,
    pub main_program: String,
    pub version: String,
    pub vendor_hash: VendorHash,
    /// What vendorHash was computed from (`goflake_gomod::vendor_fingerprint`), recorded
    /// beside it so `check` can tell when it goes stale.
    pub vendor_fingerprint: Option<String>,
    pub go_attr: String,
    /// The systems the pinned nixpkgs supports (`nixpkgs::systems`).
    pub systems: Vec<String>,
    pub mod_root: String,
    pub sub_packages: Vec<String>,
    pub native_only: Vec<String>,
    pub ldflags: Vec<Ldflag>,
    pub targets: Vec<String>,
    /// Targets dropped because no binary builds for them, with the reason.
    pub dropped_targets: Vec<(String, String)>,
    /// Main packages that exist but are not shipped by default: a user may list them in
    /// subPackages, and updates keep them there.
    pub other_mains: Vec<String>,
    /// For a target, the packages it cannot compile (left out of that target only), with
    /// the reason.
    pub unbuildable: Vec<(String, Vec<(String, String)>)>,
}

impl FlakeSpec {
    /// `unbuildable` without the reasons: what the flake records.
    fn unbuildable_dirs(&self) -> Vec<(String, Vec<String>)> {
        self.unbuildable
            .iter()
            .map(|(target, packages)| {
                let dirs = packages.iter().map(|(dir, _)| dir.clone()).collect();
                (target.clone(), dirs)
            })
            .collect()
    }
}

/// `{ "js/wasm" = [ "cmd/x" ]; }`: for each target, the package directories it leaves out.
fn unbuildable_expr(entries: &[(String, Vec<String>)], eol: &str) -> String {
    if entries.is_empty() {
        return "{ }".to_owned();
    }
    let mut text = String::from("{");
    for (target, dirs) in entries {
        let dirs: Vec<String> = dirs
            .iter()
            .map(|dir| string_literal(dir).unwrap_or_else(|_| "\"\"".into()))
            .collect();
        let list = nixfmt_list(&dirs, eol).replace(eol, &format!("{eol}  "));
        let name = string_literal(target).unwrap_or_else(|_| "\"\"".into());
        text.push_str(&format!("{eol}  {name} = {list};"));
    }
    text.push_str(&format!("{eol}}}"));
    text
}

#[derive(Debug, Clone, Default)]
pub struct SpecOptions {
    /// Targets given by the user (`--targets`).
    pub targets: Option<Vec<Target>>,
    /// Take targets and ldflags from the GoReleaser file.
    pub from_goreleaser: bool,
    pub nixpkgs_url: Option<String>,
    /// The Go releases of the pinned nixpkgs, when Nix evaluated them; else goflake's table
    /// for the branch of `nixpkgs_url`.
    pub go_set: Option<GoSet>,
    pub vendor_hash: Option<VendorHash>,
    /// The project's vendor fingerprint (`goflake_gomod::vendor_fingerprint`), read by the
    /// caller: gen does no IO.
    pub vendor_fingerprint: Option<String>,
}

impl SpecOptions {
    pub fn nixpkgs_url(&self) -> &str {
        self.nixpkgs_url.as_deref().unwrap_or(DEFAULT_NIXPKGS)
    }

    /// The Go releases the flake can choose from.
    pub fn go_set(&self) -> GoSet {
        self.go_set
            .clone()
            .unwrap_or_else(|| nixpkgs::table_go_set(self.nixpkgs_url()))
    }
}

/// What a package name must be, in the flake, its package attributes and the CI files that
/// name them (where it reaches YAML keys and shell words): one rule for `init` and `ci`.
pub const PNAME_RULE: &str =
    "a Nix attribute name (a letter or `_`, then letters, digits, `_` and `-`)";

/// Whether `pname` meets [`PNAME_RULE`].
pub fn pname_ok(pname: &str) -> bool {
    pname
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && pname
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

/// The flake package that builds `target` (`goos/goarch`): `<pname>-<goos>-<goarch>`, as the
/// templates name it (`nix build .#app-linux-amd64`).
pub fn package_attr(pname: &str, target: &Target) -> String {
    format!("{pname}-{}-{}", target.goos, target.goarch)
}

/// Checks a `goos/goarch` target against `go tool dist list`.
pub fn check_target(target: &str) -> Result<Target, GenError> {
    Target::parse(target)
        .filter(Target::is_known)
        .ok_or_else(|| GenError::UnknownTarget {
            target: target.to_owned(),
        })
}

/// Derives the flake's values from the project model; returns warnings for what was left out.
pub fn spec_from_project(
    project: &Project,
    options: &SpecOptions,
) -> Result<(FlakeSpec, Vec<String>), GenError> {
    if !pname_ok(&project.pname) {
        return Err(GenError::BadPname {
            pname: project.pname.clone(),
        });
    }
    if project.main_packages.is_empty() {
        if !project.left_out_mains.is_empty() {
            return Err(GenError::NoMainShipped {
                module: project.module.clone(),
                left_out: project
                    .left_out_mains
                    .iter()
                    .map(|m| format!("{} ({})", m.dir, m.reason))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        return Err(GenError::NoMainPackage {
            module: project.module.clone(),
        });
    }
    let mut warnings = Vec::new();
    let go_attr = nixpkgs::choose_go(&project.gomod, &options.go_set(), &mut warnings).attr;
    // The GoReleaser build of a shipped main package: how the project releases itself.
    let goreleaser_build = project.goreleaser.as_ref().and_then(|g| {
        g.builds
            .iter()
            .find(|b| !b.skip && project.main_packages.iter().any(|m| m.dir == b.main))
    });
    if options.from_goreleaser && goreleaser_build.is_none() {
        warnings.push("--from-goreleaser: no GoReleaser build found; using the defaults".into());
    }

    let requested: Vec<Target> = match &options.targets {
        Some(targets) => targets.clone(),
        None => project.candidate_targets(),
    };
    let mut targets: Vec<Target> = Vec::new();
    let mut dropped_targets = Vec::new();
    for target in requested {
        if targets.contains(&target) {
            continue;
        }
        let fit = project.target_fit(&target, &[]);
        if fit.can_build() {
            targets.push(target);
        } else {
            let reason = fit.reasons();
            warnings.push(format!("target {target} left out: {reason}"));
            dropped_targets.push((target.to_string(), reason));
        }
    }

    let sub_packages: Vec<String> = project
        .main_packages
        .iter()
        .map(|m| m.dir.clone())
        .collect();
    let native_only: Vec<String> = project
        .main_packages
        .iter()
        .filter(|m| m.cgo.required)
        .map(|m| m.dir.clone())
        .collect();
    let mut unbuildable = Vec::new();
    for target in &targets {
        let packages: Vec<(String, String)> = project
            .target_fit(target, &native_only)
            .blocked
            .into_iter()
            .map(|(m, reason)| (m.dir.clone(), reason))
            .collect();
        for (dir, reason) in &packages {
            warnings.push(format!("{dir} is left out of {target}: {reason}"));
        }
        if !packages.is_empty() {
            unbuildable.push((target.to_string(), packages));
        }
    }
    for dir in &native_only {
        warnings.push(format!(
            "{dir} needs cgo: the native package builds it, the cross targets leave it out"
        ));
    }
    let main_program = project
        .main_packages
        .iter()
        .find(|m| m.dir == ".")
        .unwrap_or(&project.main_packages[0])
        .binary
        .clone();

    let stamps_version = |parts: &[TemplatePart]| {
        parts
            .iter()
            .any(|p| matches!(p, TemplatePart::Version | TemplatePart::Tag))
    };
    let ldflags = match goreleaser_build {
        Some(build) => {
            let mut flags = Vec::new();
            for template in &build.ldflags {
                if !project.version.known && stamps_version(&template.parts) {
                    warnings.push(format!(
                        "ldflag `{}` left out: the project has no version yet (no v* tag, none declared), and binaries never report one it did not have",
                        template.raw
                    ));
                    continue;
                }
                flags.push(match template.parts.as_slice() {
                    [TemplatePart::Text(text)] => Ldflag::Plain(text.clone()),
                    parts => Ldflag::Template(parts.to_vec()),
                });
            }
            flags
        }
        None => {
            let mut flags = vec![Ldflag::Plain("-s".into()), Ldflag::Plain("-w".into())];
            let mut stamped: Vec<&str> = Vec::new();
            for var in project
                .main_packages
                .iter()
                .filter(|_| project.version.known)
                .filter_map(|m| m.version_var.as_deref())
            {
                if !stamped.contains(&var) {
                    stamped.push(var);
                    flags.push(Ldflag::Template(vec![
                        TemplatePart::Text(format!("-X {var}=")),
                        TemplatePart::Version,
                    ]));
                }
            }
            flags
        }
    };
    let vendor_hash = options.vendor_hash.clone().unwrap_or(
        if project.layout.vendor_committed || project.layout.no_dependencies {
            VendorHash::Null
        } else {
            VendorHash::Unknown
        },
    );
    Ok((
        FlakeSpec {
            description: format!(
                "{}: a Go program built for every target by goflake",
                project.pname
            ),
            nixpkgs_url: options.nixpkgs_url().to_owned(),
            pname: project.pname.clone(),
            main_program,
            version: project.version.version.clone(),
            vendor_fingerprint: options
                .vendor_fingerprint
                .clone()
                .filter(|_| vendor_hash != VendorHash::Unknown),
            vendor_hash,
            go_attr,
            systems: nixpkgs::systems(options.nixpkgs_url())
                .into_iter()
                .map(str::to_owned)
                .collect(),
            mod_root: project.mod_root.clone(),
            sub_packages,
            native_only,
            ldflags,
            targets: targets.iter().map(Target::to_string).collect(),
            dropped_targets,
            other_mains: project
                .left_out_mains
                .iter()
                .map(|m| m.dir.clone())
                .collect(),
            unbuildable,
        },
        warnings,
    ))
}

/// The Nix text of an ldflag: a string literal, with release variables as reproducible
/// interpolations (`self` and `version` are in scope where ldflags are written).
pub fn ldflag_expr(flag: &Ldflag) -> String {
    match flag {
        Ldflag::Plain(text) => string_literal(text).unwrap_or_else(|_| "\"\"".into()),
        Ldflag::Template(parts) => {
            let mut out = String::from("\"");
            for part in parts {
                match part {
                    TemplatePart::Text(text) => {
                        let literal = string_literal(text).unwrap_or_else(|_| "\"\"".into());
                        out.push_str(&literal[1..literal.len() - 1]);
                    }
                    TemplatePart::Version => out.push_str("${version}"),
                    TemplatePart::Tag => out.push_str("v${version}"),
                    TemplatePart::Commit => out.push_str("${self.rev or \"dirty\"}"),
                    TemplatePart::ShortCommit => out.push_str("${self.shortRev or \"dirty\"}"),
                    TemplatePart::Date => {
                        out.push_str("${self.lastModifiedDate or \"19700101000000\"}")
                    }
                    TemplatePart::ProjectName => out.push_str("${pname}"),
                }
            }
            out.push('"');
            out
        }
    }
}

/// A known vendorHash goes through the one writer (`VendorHashSite`), with its fingerprint.
fn vendor_hash_edits(
    template: &SourceFile,
    flake: &Flake,
    spec: &FlakeSpec,
) -> Result<Vec<TextEdit>, GenError> {
    let known = match &spec.vendor_hash {
        VendorHash::Null => Some(None),
        VendorHash::Hash(hash) => Sha256::parse(hash).ok().map(Some),
        VendorHash::Unknown => None,
    };
    if let (Some(computed), Some(fingerprint)) = (known, &spec.vendor_fingerprint) {
        let site = vendor::VendorHashSite::find(template, &"vendorHash".parse()?)?;
        return Ok(site.edits(template, computed, fingerprint)?);
    }
    Ok(edit::set_expr(
        template,
        &flake.binding("vendorHash")?,
        &vendor_hash_expr(&spec.vendor_hash),
    )?)
}

fn vendor_hash_expr(hash: &VendorHash) -> String {
    match hash {
        VendorHash::Null => "null".into(),
        VendorHash::Hash(h) => string_literal(h).unwrap_or_else(|_| "null".into()),
        VendorHash::Unknown => {
            "throw \"vendorHash is not computed yet: run `goflake vendor-hash --write`\"".into()
        }
    }
}

fn strs(items: &[String]) -> Vec<ListItem> {
    items.iter().cloned().map(ListItem::Str).collect()
}

/// A whole new flake for `spec`.
pub fn render(spec: &FlakeSpec) -> Result<String, GenError> {
    let template = SourceFile::parse("templates/flake.nix", FLAKE_TEMPLATE);
    let flake = Flake::new(template.clone());
    let mut edits: Vec<TextEdit> = Vec::new();
    let description = flake.find(&"description".parse()?)?;
    edits.extend(edit::set_string(
        &template,
        &description,
        &spec.description,
    )?);
    let url = flake.nixpkgs_url_binding()?;
    edits.extend(edit::set_string(&template, &url, &spec.nixpkgs_url)?);
    for (name, value) in [
        ("pname", &spec.pname),
        ("mainProgram", &spec.main_program),
        ("version", &spec.version),
        ("goAttr", &spec.go_attr),
        ("modRoot", &spec.mod_root),
    ] {
        edits.extend(edit::set_string(&template, &flake.binding(name)?, value)?);
    }
    edits.extend(vendor_hash_edits(&template, &flake, spec)?);
    let quoted = |items: &[String]| -> Vec<String> {
        items
            .iter()
            .map(|i| string_literal(i).unwrap_or_else(|_| "\"\"".into()))
            .collect()
    };
    for (name, items) in [
        ("systems", quoted(&spec.systems)),
        ("subPackages", quoted(&spec.sub_packages)),
        ("nativeOnly", quoted(&spec.native_only)),
        ("targets", quoted(&spec.targets)),
        ("ldflags", spec.ldflags.iter().map(ldflag_expr).collect()),
    ] {
        let binding = flake.binding(name)?;
        let list = nixfmt_list(&items, template.line_ending());
        edits.extend(edit::set_expr(&template, &binding, &list)?);
    }
    edits.extend(edit::set_expr(
        &template,
        &flake.binding("unbuildable")?,
        &unbuildable_expr(&spec.unbuildable_dirs(), template.line_ending()),
    )?);
    if !spec.dropped_targets.is_empty() {
        edits.push(comment_above(
            &template,
            &flake.binding("targets")?,
            &spec.dropped_targets,
        ));
    }
    let rendered = edit::apply(&template, edits)?;
    Ok(rendered.text().to_owned())
}

/// A list as nixfmt lays it out: `[ ]`, `[ x ]`, or one element per line (`set_expr`
/// indents the lines after the first to the binding).
fn nixfmt_list(items: &[String], eol: &str) -> String {
    edit::nixfmt_list(items, items.len() > 1, "", eol)
}

/// `# Left out: …` lines above a binding, with its indentation.
fn comment_above(
    file: &SourceFile,
    binding: &goflake_syntax::Binding,
    dropped: &[(String, String)],
) -> TextEdit {
    let start = binding.entry().text_range().start();
    let indent = edit::line_indent(file, start).to_owned();
    let line_start = start - TextSize::of(indent.as_str());
    let eol = file.line_ending();
    let text: String = dropped
        .iter()
        .map(|(target, reason)| format!("{indent}# Left out: {target} ({reason}).{eol}"))
        .collect();
    TextEdit::insert(line_start, text)
}

/// What the user asked of an update, beyond what the project says.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdateRequest {
    /// `--targets` (or `--from-goreleaser`): the targets become the spec's.
    pub targets_given: bool,
    /// The version comes from a newer git tag.
    pub version_from_tag: bool,
    /// `--nixpkgs` names another nixpkgs: the input URL and the systems follow it.
    pub nixpkgs_given: bool,
}

/// The edits that bring an existing goflake flake in line with `spec`, changing only what
/// must change: the Go attribute when it is older than go.mod needs, main packages that
/// appeared or disappeared, cgo binaries for `nativeOnly`, the version when it comes from a
/// newer git tag, and the targets only when the user gave `--targets` (else only targets no
/// binary can build are removed). Everything else is the user's.
impl Flake {
    pub fn update(
        &self,
        spec: &FlakeSpec,
        request: UpdateRequest,
    ) -> Result<Vec<TextEdit>, GenError> {
        let UpdateRequest {
            targets_given,
            version_from_tag,
            nixpkgs_given,
        } = request;
        let (flake, file) = (self, self.file());
        let missing = flake.missing_values();
        if !missing.is_empty() {
            return Err(GenError::NotGoflake {
                path: file.name().to_owned(),
                missing: missing.join(", "),
            });
        }
        let mut edits = Vec::new();
        if nixpkgs_given {
            let url = flake.nixpkgs_url_binding()?;
            edits.extend(edit::set_string(file, &url, &spec.nixpkgs_url)?);
            // The systems list, when it is a list of strings (a user's own expression stays).
            if let Ok(systems) = flake.list("systems")
                && systems != spec.systems
            {
                edits.extend(edit::set_list(
                    file,
                    &flake.binding("systems")?,
                    &strs(&spec.systems),
                )?);
            }
        }
        if let Some(current) = flake.string("goAttr")
            && go_minor(&current)
                .zip(go_minor(&spec.go_attr))
                .is_some_and(|(c, s)| c < s)
        {
            edits.extend(edit::set_string(
                file,
                &flake.binding("goAttr")?,
                &spec.go_attr,
            )?);
        }
        if version_from_tag
            && let Some(current) = flake.string("version")
            && current != spec.version
        {
            edits.extend(edit::set_string(
                file,
                &flake.binding("version")?,
                &spec.version,
            )?);
        }
        let sync =
            |name: &str, wanted: &[String], keep: &[String]| -> Result<Vec<TextEdit>, GenError> {
                let current = flake.list(name)?;
                let mut next: Vec<String> = current
                    .iter()
                    .filter(|c| keep.contains(c) || wanted.contains(c))
                    .cloned()
                    .collect();
                for w in wanted {
                    if !next.contains(w) {
                        next.push(w.clone());
                    }
                }
                if next == current {
                    return Ok(Vec::new());
                }
                edit::set_list(file, &flake.binding(name)?, &strs(&next)).map_err(GenError::from)
            };
        // Main packages the user added (e.g. a tool left out by default) stay while they exist.
        edits.extend(sync("subPackages", &spec.sub_packages, &spec.other_mains)?);
        edits.extend(sync("nativeOnly", &spec.native_only, &[])?);
        // Flakes from before `unbuildable` cannot leave a package out of one target: such a
        // target is dropped instead.
        let unbuildable_binding = flake.binding("unbuildable").ok();
        let current = flake.list("targets")?;
        let mut dropped: Vec<&String> = spec.dropped_targets.iter().map(|(t, _)| t).collect();
        if unbuildable_binding.is_none() {
            dropped.extend(spec.unbuildable.iter().map(|(t, _)| t));
        }
        let next: Vec<String> = if targets_given {
            spec.targets
                .iter()
                .filter(|t| !dropped.contains(t))
                .cloned()
                .collect()
        } else {
            current
                .iter()
                .filter(|t| !dropped.contains(t))
                .cloned()
                .collect()
        };
        if next != current {
            edits.extend(edit::set_list(
                file,
                &flake.binding("targets")?,
                &strs(&next),
            )?);
        }
        if let Some(binding) = unbuildable_binding {
            let mut wanted = spec.unbuildable_dirs();
            wanted.retain(|(t, _)| next.contains(t));
            edits.extend(flake.set_unbuildable(&binding, &wanted)?);
        }
        Ok(edits)
    }
}
