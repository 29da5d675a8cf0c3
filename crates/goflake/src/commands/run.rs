//! `goflake run [TARGET] [-- ARGS]`: the native binary through `nix run`, wasip1/wasm through
//! the flake's WASI app, js/wasm through Node with the wasm_exec script of the same Go.

use std::ffi::OsString;

use anyhow::Result;
use goflake_gomod::Target;

use crate::config::RunConfig;
use crate::failure::Failure;
use crate::flake;

pub fn run(config: &RunConfig) -> Result<()> {
    let info = flake::read(&config.dir)?;
    let flake_ref = info.flake_ref(config.use_path)?;
    let target = config.target.as_deref().unwrap_or("native");
    let app = match target {
        "native" | "default" => format!("{flake_ref}#default"),
        "wasip1/wasm" => format!("{flake_ref}#{}", info.attr(&Target::new("wasip1", "wasm"))),
        "js/wasm" => {
            let attr = info.attr(&Target::new("js", "wasm"));
            let outcome = goflake_runner::nix::build(
                &[format!("{flake_ref}#{attr}")],
                &config.nix_args,
                false,
                |_| {},
            )?;
            let Some((_, out)) = outcome
                .outputs
                .into_iter()
                .next()
                .filter(|_| outcome.success)
            else {
                return Err(Failure::after(
                    outcome.messages,
                    format!("building {attr} failed"),
                ));
            };
            let bin = out.join("bin");
            let mut args: Vec<OsString> = vec![
                bin.join("wasm_exec_node.js").into(),
                bin.join(format!("{}.wasm", info.main_program)).into(),
            ];
            args.extend(config.args.iter().map(OsString::from));
            let ok = goflake_runner::run_node(&args)?;
            return if ok { Ok(()) } else { Err(Failure::silent()) };
        }
        other => {
            return Err(Failure::problem(format!(
                "`{other}` cannot run here: goflake runs the native binary, wasip1/wasm and js/wasm"
            )));
        }
    };
    let mut args = vec!["run".to_owned(), app];
    args.extend(config.nix_args.iter().cloned());
    args.push("--".to_owned());
    args.extend(config.args.iter().cloned());
    let (ok, _) = goflake_runner::nix::run_passthrough(&args, false)?;
    if ok { Ok(()) } else { Err(Failure::silent()) }
}
