//! Loading the Go project model, completed by `go list` where Go is available.

use std::path::Path;

use anyhow::Result;
use goflake_gomod::{LoadOptions, Project};

use crate::failure::Failure;

/// The model of the module in `dir`. With `go` on PATH and dependencies present, cgo use
/// inside dependencies is checked with `go list -deps` (a warning says so when it cannot be).
pub fn load(dir: &Path, options: LoadOptions) -> Result<Project> {
    let mut project = goflake_gomod::load(dir, options)
        .map_err(|err| Failure::problem(format!("error: {err}\n")))?;
    if project.layout.no_dependencies
        || project.main_packages.is_empty()
        || goflake_runner::which("go").is_none()
    {
        return Ok(project);
    }
    let mains: Vec<String> = project
        .main_packages
        .iter()
        .map(|m| m.import_path.clone())
        .collect();
    match goflake_runner::go::cgo_only_dependencies(
        dir,
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
    Ok(project)
}
