pub mod build;
pub mod check;
pub mod ci;
pub mod edit;
pub mod import;
pub mod init;
pub mod inspect;
pub mod nar_hash;
pub mod new;
pub mod run;
pub mod shell;
pub mod targets;
pub mod vendor_hash;

/// `--json`: the command's result as one pretty-printed document on stdout (docs/json.md).
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?)?;
    Ok(())
}
