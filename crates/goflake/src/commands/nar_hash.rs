//! `goflake nar-hash PATH`: `nix hash path` without Nix.

use anyhow::Result;

use crate::config::{HashBase, NarHashConfig};

pub fn run(config: &NarHashConfig) -> Result<()> {
    let hash = goflake_nar::nar_hash(&config.path)?;
    if config.json {
        let report = serde_json::json!({
            "path": config.path.display().to_string(),
            "sri": hash.sri(),
            "nix32": hash.nix32(),
            "hex": hash.hex(),
        });
        super::print_json(&report)?;
        return Ok(());
    }
    let text = match config.base {
        HashBase::Sri => hash.sri(),
        HashBase::Nix32 => hash.nix32(),
        HashBase::Hex => hash.hex(),
    };
    outln!("{text}")?;
    Ok(())
}
