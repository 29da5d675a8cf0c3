//! A vendorHash in a file on disk: `goflake_gen::vendor::VendorHashSite` with the paths it
//! names, its fingerprint from go.sum, and the atomic write. `vendor-hash`, `build
//! --fix-hash` and `check` all go through it.

use std::path::{Path, PathBuf};

use anyhow::Result;
use goflake_gen::vendor::VendorHashSite;
use goflake_nar::Sha256;
use goflake_syntax::{AttrPath, SourceFile};

use crate::config::WriteMode;
use crate::failure::Failure;
use crate::files::{commit_change, read_nix};

pub use goflake_gen::vendor::Current;

/// Where a project's vendorHash lives and what it depends on.
pub struct Located {
    pub file: SourceFile,
    pub path: PathBuf,
    pub site: VendorHashSite,
    pub module_dir: PathBuf,
    /// The directory the package's `src` names (modRoot is relative to it).
    pub source_root: PathBuf,
    /// Git tracks the file, so the flake is a git flake: its source is the tracked files.
    pub git_tracked: bool,
    /// The directory of the file (for a flake: the flake).
    pub file_dir: PathBuf,
}

/// Finds vendorHash in `file` (or DIR/flake.nix) and the values beside it.
pub fn locate(dir: &Path, file: Option<&Path>, attr: Option<&str>) -> Result<Located> {
    let path = file.map_or_else(|| dir.join("flake.nix"), Path::to_path_buf);
    let source = read_nix(&path)?;
    let attr: AttrPath = attr
        .unwrap_or("vendorHash")
        .parse()
        .map_err(|e| Failure::bad_input(format!("invalid attribute path: {e}")))?;
    let site = VendorHashSite::find(&source, &attr).map_err(|e| {
        Failure::problem(format!(
            "{e}\n(give the file and attribute with --file and --attr)"
        ))
    })?;
    let file_dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // `dir/./.` → `dir`: paths in messages read as the user wrote them.
    let source_root: PathBuf = site.src_path.as_ref().map_or_else(
        || file_dir.clone(),
        |src| file_dir.join(src).components().collect(),
    );
    Ok(Located {
        module_dir: source_root.join(&site.mod_root).components().collect(),
        source_root,
        git_tracked: goflake_runner::is_tracked(&path),
        file_dir,
        file: source,
        path,
        site,
    })
}

impl Located {
    /// What the hash depends on now (go.sum, the go line, modRoot, proxyVendor).
    pub fn fingerprint(&self) -> String {
        goflake_gomod::vendor_fingerprint(
            &self.module_dir,
            &self.site.mod_root,
            self.site.proxy_vendor,
        )
    }

    /// Where the binding is, as `file:line:column`.
    pub fn location(&self) -> String {
        self.file.location(self.site.binding.range().start())
    }

    /// Writes `computed` as the vendorHash (only the value changes) and the fingerprint
    /// beside it, atomically; returns whether the file changed.
    pub fn write(&self, computed: Option<Sha256>) -> Result<bool> {
        let edits = self.site.edits(&self.file, computed, &self.fingerprint())?;
        if edits.is_empty() {
            return Ok(false);
        }
        let edited = goflake_syntax::apply(&self.file, edits)?;
        commit_change(
            &self.path,
            self.file.text(),
            edited.text(),
            WriteMode::default(),
        )
    }
}
