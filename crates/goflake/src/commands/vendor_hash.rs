//! `goflake vendor-hash`: compute, check or write a Go project's vendorHash.

use std::path::{Path, PathBuf};

use anyhow::Result;
use goflake_nar::Sha256;
use goflake_runner::go::Vendored;
use goflake_runner::nix::PureHash;
use serde::Serialize;

use crate::config::{HashMethod, VendorHashConfig};
use crate::failure::Failure;
use crate::vendor_site::{Located, locate};

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

impl<'a> LocalSource<'a> {
    fn of(located: &'a Located) -> LocalSource<'a> {
        LocalSource {
            source_root: &located.source_root,
            mod_root: &located.site.mod_root,
            module_dir: &located.module_dir,
            git_tracked: located.git_tracked,
            proxy_vendor: located.site.proxy_vendor,
            go_attr: goflake_gen::Flake::new(located.file.clone()).string("goAttr"),
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
            err.summary()
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
        if goflake_runner::which("go").is_none() || (located.site.proxy_vendor && nix_here) {
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
            goflake_runner::nix::NixError::Missing => Failure::problem(
                "`nix` is not on PATH; install Nix, or compute the hash here with `--method local`",
            ),
            err => anyhow::Error::from(err),
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
                return Err(Failure::problem(
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
    let source = LocalSource::of(&located);
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
                other => (other?, "local"),
            }
        }
        HashMethod::Local => (compute_local(&mut warnings)?, "local"),
        HashMethod::Nix => (nix_hash()?, "nix"),
        HashMethod::Auto => {
            let local = compute_local(&mut warnings)?;
            if config.verify {
                let nix = nix_hash()?;
                if nix != local {
                    let show = |h: &Option<Sha256>| h.map_or("null".to_owned(), |h| h.sri());
                    return Err(Failure::problem(format!(
                        "the hashes disagree: go mod vendor here gives {}, Nix's goModules gives {}.\n\
                         Likely causes: a different Go version (vendor/modules.txt follows the go line, proxyVendor follows the toolchain), \
                         or patches, postPatch, preBuild or env of the package that goModules inherits.",
                        show(&local),
                        show(&nix)
                    )));
                }
            }
            (local, "auto")
        }
    };

    let stale = located.site.is_stale(computed);
    let shown = computed.map_or_else(|| "null".to_owned(), |h| h.sri());
    let location = located.location();
    if config.check {
        if stale {
            let current = located.site.current.shown();
            return Err(Failure::problem(format!(
                "vendorHash is stale: {location} has {current}, the dependencies need {shown}; run `goflake vendor-hash --write`"
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
        return Err(Failure::problem(format!(
            "{dir} has no flake.nix to {} vendorHash in: `goflake init` writes one, or name another file with --file",
            if config.write { "write" } else { "check" }
        )));
    }
    if config.method == Some(HashMethod::Nix) || config.verify {
        return Err(Failure::problem(format!(
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
    let computed = local_vendored(&source, &mut warnings)?;
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
