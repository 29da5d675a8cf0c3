//! What the build-side commands need from a goflake flake, and how they name it to Nix.

use std::path::{Path, PathBuf};

use anyhow::Result;
use goflake_gen::Flake;
use goflake_gomod::Target;

use crate::failure::Failure;
use crate::files::read_nix;

pub struct FlakeInfo {
    pub dir: PathBuf,
    /// The flake, read once: every value below comes from it.
    pub flake: Flake,
    pub pname: String,
    pub main_program: String,
    pub targets: Vec<Target>,
}

pub fn read(dir: &Path) -> Result<FlakeInfo> {
    let path = dir.join("flake.nix");
    let flake = Flake::new(read_nix(&path)?);
    let missing = flake.missing_values();
    if !missing.is_empty() {
        return Err(Failure::problem(format!(
            "{} is not a goflake flake (it lacks {}); run `goflake init`",
            path.display(),
            missing.join(", ")
        )));
    }
    let targets = flake.targets().map_err(|err| match err {
        // It names its file, line and column already.
        err @ goflake_gen::GenError::UnknownTargetAt { .. } => anyhow::Error::new(err),
        err => anyhow::Error::new(err).context(format!("{}: `targets`", path.display())),
    })?;
    let pname = flake.pname();
    Ok(FlakeInfo {
        dir: dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
        main_program: flake.string("mainProgram").unwrap_or_else(|| pname.clone()),
        pname,
        targets,
        flake,
    })
}

impl FlakeInfo {
    /// The package attribute of a target: `<pname>-<goos>-<goarch>`.
    pub fn attr(&self, target: &Target) -> String {
        self.flake.attr_for(target)
    }

    /// The flake reference Nix should build. In a git work tree Nix only sees tracked files:
    /// untracked ones are named (with the fix) instead of Nix's cryptic error, unless the
    /// user asks for a `path:` flake.
    pub fn flake_ref(&self, use_path: bool) -> Result<String> {
        if use_path {
            return Ok(format!("path:{}", self.dir.display()));
        }
        match goflake_runner::untracked_files(&self.dir) {
            None => Ok(format!("path:{}", self.dir.display())),
            Some(untracked) => {
                let relevant: Vec<&String> = untracked
                    .iter()
                    .filter(|f| {
                        f.ends_with(".go")
                            || f.ends_with("go.mod")
                            || f.ends_with("go.sum")
                            || f.ends_with(".nix")
                            || f.ends_with("flake.lock")
                            || f.contains("vendor/")
                    })
                    .collect();
                if relevant.is_empty() {
                    Ok(self.dir.display().to_string())
                } else {
                    let list: String = relevant.iter().map(|f| format!("  {f}\n")).collect();
                    Err(Failure::problem(format!(
                        "git does not track these files, so the flake cannot see them:\n{list}\
                         Run `git add` on them, or use --path to build the directory as it is."
                    )))
                }
            }
        }
    }
}
