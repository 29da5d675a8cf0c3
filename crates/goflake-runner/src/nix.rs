//! Running `nix`: flakes enabled on any version, the fixed-output mismatch loop.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use goflake_nar::{Sha256, parse_mismatch_got};

#[derive(Debug, thiserror::Error)]
pub enum NixError {
    #[error(
        "`nix` is not on PATH; install Nix (https://nixos.org/download), or use `--method local`"
    )]
    Missing,
    #[error("Nix could not evaluate or build:\n{0}")]
    Failed(String),
    #[error(
        "Nix built goModules with the placeholder hash, so it reported no mismatch to read the hash from"
    )]
    NoMismatch,
    #[error("Nix reported a malformed hash: {0}")]
    BadHash(String),
    #[error("{0}")]
    Io(String),
}

/// A `nix` command with flakes enabled whatever the user's configuration says.
pub fn command(nix: &Path) -> Command {
    let mut command = Command::new(nix);
    command.args(["--extra-experimental-features", "nix-command flakes"]);
    command
}

pub fn find() -> Result<PathBuf, NixError> {
    crate::which("nix").ok_or(NixError::Missing)
}

/// Builds only `packages.<system>.<attr>.goModules` of the flake in `flake_dir` with an empty
/// vendorHash (an expression over the flake: the user's file is not touched) and returns the
/// hash Nix reports. `extra_args` go to nix as given (e.g. `--override-input`).
pub fn go_modules_hash(
    flake_dir: &Path,
    attr: &str,
    extra_args: &[String],
) -> Result<Sha256, NixError> {
    let nix = find()?;
    let flake_ref = format!("path:{}", flake_dir.display());
    let expression = format!(
        "let flake = builtins.getFlake {}; package = flake.packages.${{builtins.currentSystem}}.{}; in (package.overrideAttrs {{ vendorHash = \"\"; }}).goModules",
        nix_string(&flake_ref),
        attr
    );
    let output: Output = command(&nix)
        .args(["build", "--no-link", "--impure", "--expr", &expression])
        .args(extra_args)
        .output()
        .map_err(|e| NixError::Io(e.to_string()))?;
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    match parse_mismatch_got(&log) {
        Some(Ok(hash)) => Ok(hash),
        Some(Err(err)) => Err(NixError::BadHash(err.to_string())),
        None if output.status.success() => Err(NixError::NoMismatch),
        None => Err(NixError::Failed(log.trim_end().to_owned())),
    }
}

fn nix_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '$' => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
