//! The Go project model: which module, which Go, which binaries, which need cgo, and what the
//! project declares for releases. Reads files; never spawns a process and knows no Nix.

pub mod constraint;
pub mod git;
pub mod gofile;
pub mod goreleaser;
pub mod modfile;
pub mod modpath;
pub mod project;

pub use constraint::{DEFAULT_TARGETS, DIST_LIST, Target};
pub use modfile::{GoMod, ModFileError, parse_go_mod};
pub use project::{
    CompileVerdict, LoadOptions, ModelError, Project, TargetCheck, TargetFit, UNRELEASED_VERSION,
    load,
};

/// A short digest of what `vendorHash` depends on: go.sum's contents, the `go` line, modRoot
/// and proxyVendor. Recorded next to the hash, it tells a stale hash without Go or Nix.
pub fn vendor_fingerprint(
    module_dir: &std::path::Path,
    mod_root: &str,
    proxy_vendor: bool,
) -> String {
    use sha2::{Digest, Sha256};
    let go_sum = goflake_fs::read_bytes(&module_dir.join("go.sum")).unwrap_or_default();
    let go_line = goflake_fs::read_text(&module_dir.join("go.mod"))
        .ok()
        .and_then(|text| parse_go_mod("go.mod", &text).ok())
        .and_then(|m| m.go)
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(Sha256::digest(&go_sum));
    hasher.update(format!(
        "\0go {go_line}\0modRoot {mod_root}\0proxyVendor {proxy_vendor}"
    ));
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
