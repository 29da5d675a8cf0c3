//! `goflake vendor-hash`: compute, check or write a Go project's vendorHash.

use std::path::{Path, PathBuf};

use anyhow::Result;
use goflake_nar::Sha256;
use goflake_runner::go::Vendored;
use goflake_runner::nix::PureHash;
use goflake_syntax::edit;
use goflake_syntax::{AttrPath, Binding, Literal, SourceFile};
use serde::Serialize;

use crate::config::{HashMethod, VendorHashConfig, WriteMode};
use crate::failure::Failure;
use crate::files::{commit_change, read_nix};

const FINGERPRINT: &str = "goflake: vendor fingerprint";

/// A vendorHash as the flake says it: a hash, `null`, or something else (a computed value,
/// goflake's "not computed yet" error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Current {
    Hash(Sha256),
    Null,
    Other(String),
}

#[derive(Serialize)]
struct Report {
    #[serde(rename = "vendorHash")]
    vendor_hash: Option<String>,
    method: &'static str,
    /// The Go release that computed a local hash (the flake's goAttr release when it differs
    /// from the `go` here); null for the Nix method.
    go: Option<String>,
    /// The Nix file holding vendorHash; null when the module has none (the prefetcher).
    file: Option<String>,
    stale: bool,
    written: bool,
    warnings: Vec<String>,
}

/// Where a project's vendorHash lives and what it depends on.
pub struct Located {
    pub file: SourceFile,
    pub path: PathBuf,
    pub binding: Binding,
    pub current: Current,
    pub module_dir: PathBuf,
    /// The directory the package's `src` names (modRoot is relative to it).
    pub source_root: PathBuf,
    /// Git tracks the file, so the flake is a git flake: its source is the tracked files.
    pub git_tracked: bool,
    /// The directory of the file (for a flake: the flake).
    pub file_dir: PathBuf,
    pub mod_root: String,
    pub proxy_vendor: bool,
    /// The fingerprint recorded next to the hash, if any.
    pub recorded_fingerprint: Option<String>,
}

fn sibling_binding(file: &SourceFile, binding: &Binding, name: &str) -> Option<Binding> {
    let mut segments = binding.path.segments().to_vec();
    segments.pop();
    segments.push(name.to_owned());
    goflake_syntax::find(file, &AttrPath::new(segments)).ok()
}

fn sibling(file: &SourceFile, binding: &Binding, name: &str) -> Option<Literal> {
    let found = sibling_binding(file, binding, name)?;
    goflake_syntax::read_literal(file, &found).ok()
}

/// The directory the package's `src` names, when it is (or wraps) a relative path such as
/// `./.`, `../.` or `lib.cleanSourceWith { src = ./.; … }`; modRoot is relative to it.
fn src_dir(file: &SourceFile, binding: &Binding, base: &Path) -> Option<PathBuf> {
    let src = sibling_binding(file, binding, "src")?;
    let value = src.value()?;
    let path = std::iter::once(value.clone())
        .chain(value.descendants())
        .find(|n| n.kind() == goflake_syntax::SyntaxKind::NODE_PATH_REL)?;
    Some(base.join(path.text().to_string()))
}

/// Finds vendorHash in `file` (or DIR/flake.nix) and the values beside it.
pub fn locate(dir: &Path, file: Option<&Path>, attr: Option<&str>) -> Result<Located> {
    let path = file.map_or_else(|| dir.join("flake.nix"), Path::to_path_buf);
    let source = read_nix(&path)?;
    let attr: AttrPath = attr
        .unwrap_or("vendorHash")
        .parse()
        .map_err(|e| Failure::bad_input(format!("error: invalid attribute path: {e}\n")))?;
    let binding = goflake_syntax::find(&source, &attr).map_err(|e| {
        Failure::problem(format!(
            "error: {e}\n(give the file and attribute with --file and --attr)\n"
        ))
    })?;
    let current = match goflake_syntax::read_literal(&source, &binding) {
        Ok(Literal::String(s)) => match Sha256::parse(&s) {
            Ok(hash) => Current::Hash(hash),
            Err(_) => Current::Other(s),
        },
        Ok(Literal::Null) => Current::Null,
        _ => Current::Other(
            binding
                .value()
                .map(|v| v.text().to_string())
                .unwrap_or_default(),
        ),
    };
    let mod_root = match sibling(&source, &binding, "modRoot") {
        Some(Literal::String(s)) => s,
        _ => "./".to_owned(),
    };
    let proxy_vendor = matches!(
        sibling(&source, &binding, "proxyVendor"),
        Some(Literal::Bool(true))
    );
    let base = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let recorded_fingerprint = edit::trailing_comment(&binding)
        .and_then(|c| c.strip_prefix(FINGERPRINT).map(|f| f.trim().to_owned()));
    let source_root = src_dir(&source, &binding, &base).unwrap_or_else(|| base.clone());
    Ok(Located {
        // `dir/./` → `dir`: paths in messages read as the user wrote them.
        module_dir: source_root.join(&mod_root).components().collect(),
        source_root,
        git_tracked: goflake_runner::is_tracked(&path),
        file_dir: base,
        file: source,
        path,
        binding,
        current,
        mod_root,
        proxy_vendor,
        recorded_fingerprint,
    })
}

impl Located {
    pub fn fingerprint(&self) -> String {
        goflake_gomod::vendor_fingerprint(&self.module_dir, &self.mod_root, self.proxy_vendor)
    }

    /// Whether the file's vendorHash differs from `computed` (`None`: null).
    pub fn is_stale(&self, computed: Option<Sha256>) -> bool {
        match (&self.current, computed) {
            (Current::Hash(current), Some(new)) => *current != new,
            (Current::Null, None) => false,
            _ => true,
        }
    }

    /// Writes `computed` as the vendorHash (only the value changes) and the fingerprint
    /// beside it, atomically; returns whether the file changed.
    pub fn write(&self, computed: Option<Sha256>) -> Result<bool> {
        let mut edits = Vec::new();
        if self.is_stale(computed) {
            let value_edits = match computed {
                Some(hash) => edit::set_string(&self.file, &self.binding, &hash.sri()),
                None => edit::set_expr(&self.file, &self.binding, "null"),
            };
            edits.extend(value_edits.map_err(failure)?);
        }
        let fingerprint = self.fingerprint();
        if self.recorded_fingerprint.as_deref() != Some(fingerprint.as_str()) {
            edits.extend(edit::set_trailing_comment(
                &self.binding,
                &format!("{FINGERPRINT} {fingerprint}"),
            ));
        }
        if edits.is_empty() {
            return Ok(false);
        }
        let edited = goflake_syntax::apply(&self.file, edits).map_err(failure)?;
        commit_change(
            &self.path,
            self.file.text(),
            edited.text(),
            WriteMode::default(),
        )
    }
}

fn failure(err: impl std::fmt::Display) -> anyhow::Error {
    Failure::problem(format!("error: {err}\n"))
}

/// What the local method hashes: a module inside a source tree, as Nix's goModules sees it.
struct LocalSource<'a> {
    /// The directory the package's `src` names.
    source_root: &'a Path,
    /// modRoot, relative to `source_root`.
    mod_root: &'a str,
    module_dir: &'a Path,
    /// Only the files git tracks (a git flake's source).
    git_tracked: bool,
    proxy_vendor: bool,
    /// The file's `goAttr` (`go_1_26`): the Go release to compute with; none: the `go` here.
    go_attr: Option<String>,
}

impl Located {
    fn local_source(&self) -> LocalSource<'_> {
        LocalSource {
            source_root: &self.source_root,
            mod_root: &self.mod_root,
            module_dir: &self.module_dir,
            git_tracked: self.git_tracked,
            proxy_vendor: self.proxy_vendor,
            go_attr: goflake_gen::read_string(&self.file, "goAttr"),
        }
    }
}

/// A hash computed here: `hash` `None` means `vendorHash = null`; `go` is the Go release
/// that computed it (none when `vendor/` is committed and nothing ran).
struct LocalHash {
    hash: Option<Sha256>,
    go: Option<String>,
}

/// The hash computed here. The source is what Nix would see (the tracked files when the
/// flake is tracked by git), modRoot inside it, and the Go is the flake's `goAttr` release
/// when it differs from the `go` here (fetched by `go`).
fn local_vendored(
    located: &LocalSource,
    warnings: &mut Vec<String>,
) -> Result<LocalHash, goflake_runner::go::GoError> {
    use goflake_runner::compile::Toolchain;
    if located.module_dir.join("vendor/modules.txt").is_file() {
        return Ok(LocalHash {
            hash: None,
            go: None,
        });
    }
    let toolchain = flake_toolchain(located, warnings)?;
    if located.proxy_vendor {
        warnings.push(
            "proxyVendor hashes the module download cache, which depends on more than go.sum: the Go release (its layout) and the module proxy (a mirror may add or omit fields in .info files). Nix's goModules downloads through the proxy of the machine that builds it; `--method nix` computes the hash as it does".into(),
        );
    }
    let vendor = |toolchain: &Toolchain| {
        let source = goflake_runner::go::VendorSource {
            root: located.source_root,
            mod_root: located.mod_root,
            tracked_only: located.git_tracked,
            toolchain: toolchain.gotoolchain(),
        };
        goflake_runner::go::vendor_hash(&source, located.proxy_vendor)
    };
    let (vendored, used) = match vendor(&toolchain) {
        // The flake's Go could not be fetched (offline, no proxy): the Go here, said so.
        Err(goflake_runner::go::GoError::Failed { message, .. })
            if toolchain.gotoolchain() != "local"
                && message.contains(toolchain.gotoolchain())
                && message.contains("download") =>
        {
            warnings.push(format!(
                "the flake's Go ({}) could not be fetched, so the Go here computed the hash: vendor/modules.txt may differ; `--method nix` computes it with the flake's Go",
                toolchain.gotoolchain()
            ));
            let host = Toolchain::host()?;
            (vendor(&host)?, host)
        }
        other => (other?, toolchain),
    };
    Ok(LocalHash {
        hash: match vendored {
            Vendored::Nothing => None,
            Vendored::Hash(hash) => Some(hash),
        },
        go: Some(format!("go{}", used.version)),
    })
}

/// The Go release the flake builds with: the `go` here when it is that minor (or the file
/// names no goAttr), else that release, which `go` fetches. When no release of that minor
/// can be found, the `go` here, and a warning says the hash may differ.
fn flake_toolchain(
    located: &LocalSource,
    warnings: &mut Vec<String>,
) -> Result<goflake_runner::compile::Toolchain, goflake_runner::go::GoError> {
    use goflake_runner::compile::{Toolchain, toolchain_for};
    let Some((attr, minor)) = located
        .go_attr
        .as_deref()
        .and_then(|attr| Some((attr, goflake_gen::go_minor(attr)?)))
    else {
        return Toolchain::host();
    };
    toolchain_for(minor).or_else(|err| {
        let host = Toolchain::host()?;
        warnings.push(format!(
            "the flake builds with {attr}, the Go here is {}, and Go 1.{minor} could not be fetched ({}): vendor/modules.txt may differ; `--method nix` computes the hash with the flake's Go",
            host.version,
            err.to_string().lines().next().unwrap_or_default()
        ));
        Ok(host)
    })
}

pub fn run(config: &VendorHashConfig) -> Result<()> {
    if config.file.is_none()
        && !config.dir.join("flake.nix").exists()
        && config.dir.join("go.mod").is_file()
    {
        return prefetch(config);
    }
    let located = locate(&config.dir, config.file.as_deref(), config.attr.as_deref())?;
    let mut warnings = Vec::new();
    // proxyVendor's hash depends on the Go release and the module proxy, not only on
    // go.sum: Nix computes it as the build will, so it is the default when Nix is here.
    let nix_here = goflake_runner::which("nix").is_some();
    let method = config.method.unwrap_or(
        if goflake_runner::which("go").is_none() || (located.proxy_vendor && nix_here) {
            HashMethod::Nix
        } else {
            HashMethod::Local
        },
    );
    let nix_hash = || -> Result<Option<Sha256>> {
        if located.module_dir.join("vendor/modules.txt").is_file() {
            return Ok(None);
        }
        let absolute = located
            .file_dir
            .canonicalize()
            .unwrap_or_else(|_| located.file_dir.clone());
        let missing_nix = |err| match err {
            goflake_runner::nix::NixError::Missing => failure(
                "`nix` is not on PATH; install Nix, or compute the hash here with `--method local`",
            ),
            err => failure(err),
        };
        // Pure evaluation first: the flake as it is, with the user's --override-input. A flake
        // git tracks is a git flake (its source: the tracked files), as `nix build` sees it.
        let flake_ref = located
            .git_tracked
            .then(|| goflake_runner::git_flake_ref(&absolute))
            .flatten()
            .unwrap_or_else(|| format!("path:{}", absolute.display()));
        let vendored = match goflake_runner::nix::go_modules_hash_pure(
            &flake_ref,
            &config.package,
            &config.nix_args,
        )
        .map_err(missing_nix)?
        {
            PureHash::Vendored(vendored) => vendored,
            PureHash::NotComputedYet if config.pure => {
                return Err(failure(
                    "vendorHash was never computed, and pure evaluation cannot compute a first one: run `goflake vendor-hash --write` without --pure (locally, on code you trust)",
                ));
            }
            // Overriding vendorHash needs an expression over the flake (impure).
            PureHash::NotComputedYet => {
                goflake_runner::nix::go_modules_hash(&flake_ref, &config.package, &config.nix_args)
                    .map_err(missing_nix)?
            }
        };
        Ok(match vendored {
            Vendored::Hash(hash) => Some(hash),
            Vendored::Nothing => None,
        })
    };
    let mut used_go = None;
    let source = located.local_source();
    let mut compute_local = |warnings: &mut Vec<String>| {
        local_vendored(&source, warnings).map(|computed| {
            used_go = computed.go;
            computed.hash
        })
    };
    let (computed, method_name) = match method {
        // A go.work above modRoot: only the package knows whether it sets env.GOWORK (the
        // fix goflake offers), so when Nix is here and no method was asked for, Nix decides.
        HashMethod::Local if config.method.is_none() && nix_here => {
            match compute_local(&mut warnings) {
                Err(err @ goflake_runner::go::GoError::WorkspaceInSource { .. }) => {
                    warnings.push(format!("{err}; asking Nix instead"));
                    (nix_hash()?, "nix")
                }
                other => (other.map_err(failure)?, "local"),
            }
        }
        HashMethod::Local => (compute_local(&mut warnings).map_err(failure)?, "local"),
        HashMethod::Nix => (nix_hash()?, "nix"),
        HashMethod::Auto => {
            let local = compute_local(&mut warnings).map_err(failure)?;
            if config.verify {
                let nix = nix_hash()?;
                if nix != local {
                    let show = |h: &Option<Sha256>| h.map_or("null".to_owned(), |h| h.sri());
                    return Err(Failure::problem(format!(
                        "error: the hashes disagree: go mod vendor here gives {}, Nix's goModules gives {}.\n\
                         Likely causes: a different Go version (vendor/modules.txt follows the go line, proxyVendor follows the toolchain), \
                         or patches, postPatch, preBuild or env of the package that goModules inherits.\n",
                        show(&local),
                        show(&nix)
                    )));
                }
            }
            (local, "auto")
        }
    };

    let stale = located.is_stale(computed);
    let shown = computed.map_or_else(|| "null".to_owned(), |h| h.sri());
    let location = located.file.location(located.binding.range().start());
    if config.check {
        if stale {
            let current = match &located.current {
                Current::Hash(h) => h.sri(),
                Current::Null => "null".into(),
                Current::Other(text) => format!("`{text}`"),
            };
            return Err(Failure::problem(format!(
                "error: vendorHash is stale: {location} has {current}, the dependencies need {shown}; run `goflake vendor-hash --write`\n"
            )));
        }
        if !config.json {
            eprintln!("vendorHash is up to date ({location})");
        }
    }
    let written = config.write && located.write(computed)?;
    let report = Report {
        vendor_hash: computed.map(|h| h.sri()),
        method: method_name,
        go: used_go,
        file: Some(located.path.display().to_string()),
        stale,
        written,
        warnings,
    };
    report.print(config.json, !config.check)?;
    if written && !config.json {
        eprintln!("wrote vendorHash = {shown} at {location}");
    }
    Ok(())
}

impl Report {
    /// As JSON, or the warnings and (with `hash`) the hash, `null` for none.
    fn print(&self, json: bool, hash: bool) -> Result<()> {
        if json {
            super::print_json(self)?;
            return Ok(());
        }
        for warning in &self.warnings {
            eprintln!("warning: {warning}");
        }
        if hash {
            outln!("{}", self.vendor_hash.as_deref().unwrap_or("null"))?;
        }
        Ok(())
    }
}

/// A Go module with no Nix file: its vendorHash printed, as a prefetcher does, for a
/// `buildGoModule` written by hand (the source is the module directory, as `src = ./.`).
fn prefetch(config: &VendorHashConfig) -> Result<()> {
    let dir = config.dir.display();
    if config.write || config.check {
        return Err(failure(format!(
            "{dir} has no flake.nix to {} vendorHash in: `goflake init` writes one, or name another file with --file",
            if config.write { "write" } else { "check" }
        )));
    }
    if config.method == Some(HashMethod::Nix) || config.verify {
        return Err(failure(format!(
            "--method nix builds a flake's goModules, and {dir} has no flake.nix: compute the hash here (the default, with the Go on PATH)"
        )));
    }
    let module_dir = config.dir.components().collect::<PathBuf>();
    let source = LocalSource {
        source_root: &module_dir,
        mod_root: "./",
        module_dir: &module_dir,
        git_tracked: goflake_runner::is_tracked(&module_dir.join("go.mod")),
        proxy_vendor: false,
        go_attr: None,
    };
    let mut warnings = Vec::new();
    let computed = local_vendored(&source, &mut warnings).map_err(failure)?;
    Report {
        vendor_hash: computed.hash.map(|h| h.sri()),
        method: "local",
        go: computed.go,
        file: None,
        stale: false,
        written: false,
        warnings,
    }
    .print(config.json, true)
}
