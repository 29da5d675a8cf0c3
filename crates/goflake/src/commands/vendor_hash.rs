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
    file: String,
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

/// The hash computed here: `None` means `vendorHash = null`.
pub fn compute_local(located: &Located, warnings: &mut Vec<String>) -> Result<Option<Sha256>> {
    if located.module_dir.join("vendor/modules.txt").is_file() {
        return Ok(None);
    }
    if located.proxy_vendor {
        warnings.push(
            "proxyVendor hashes the module download cache, whose layout depends on the Go version: the hash may differ between Go releases".into(),
        );
    }
    match goflake_runner::go::vendor_hash(&located.module_dir, located.proxy_vendor)
        .map_err(failure)?
    {
        Vendored::Nothing => Ok(None),
        Vendored::Hash(hash) => Ok(Some(hash)),
    }
}

pub fn run(config: &VendorHashConfig) -> Result<()> {
    let located = locate(&config.dir, config.file.as_deref(), config.attr.as_deref())?;
    let mut warnings = Vec::new();
    let method = config
        .method
        .unwrap_or(if goflake_runner::which("go").is_some() {
            HashMethod::Local
        } else {
            HashMethod::Nix
        });
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
        // Pure evaluation first: the flake as it is, with the user's --override-input.
        let flake_ref = format!("path:{}", absolute.display());
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
                goflake_runner::nix::go_modules_hash(&absolute, &config.package, &config.nix_args)
                    .map_err(missing_nix)?
            }
        };
        Ok(match vendored {
            Vendored::Hash(hash) => Some(hash),
            Vendored::Nothing => None,
        })
    };
    let (computed, method_name) = match method {
        HashMethod::Local => (compute_local(&located, &mut warnings)?, "local"),
        HashMethod::Nix => (nix_hash()?, "nix"),
        HashMethod::Auto => {
            let local = compute_local(&located, &mut warnings)?;
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
    if config.json {
        let report = Report {
            vendor_hash: computed.map(|h| h.sri()),
            method: method_name,
            file: located.path.display().to_string(),
            stale,
            written,
            warnings,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for warning in &warnings {
            eprintln!("warning: {warning}");
        }
        if !config.check {
            println!("{shown}");
        }
        if written {
            eprintln!("wrote vendorHash = {shown} at {location}");
        }
    }
    Ok(())
}
