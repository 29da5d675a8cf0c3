//! The `goflake` command line: parse arguments into a plain config, run one command, map
//! failures to exit codes (1: the command failed or found a problem; 2: a file does not parse
//! or the arguments are wrong).

/// `println!` that hands back the error instead of panicking: stdout closed early
/// (`goflake … | head`) ends goflake quietly, as in ripgrep (see `run`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` that hands back the error, as `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod cli;
mod commands;
mod config;
mod failure;
mod files;
mod flake;
mod nixpkgs_go;
mod project;
mod vendor_site;

use std::process::ExitCode;

use crate::config::Command;
use crate::failure::{highlighted, report, terminal_safe};

/// The stack goflake runs on: trees of deeply nested (but valid) Nix files are walked and
/// dropped recursively. Reserved, not used, until needed.
const STACK: usize = 1 << 30;

fn main() -> ExitCode {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(run)
        .ok()
        .and_then(|thread| thread.join().ok())
        .unwrap_or(ExitCode::FAILURE)
}

fn run() -> ExitCode {
    // Interrupted (Ctrl-C, a CI timeout's SIGTERM): stop the nix and go processes goflake
    // started (a SIGTERM reaches goflake alone), remove the temporary files and staging
    // directories it made, then stop; no half-written file is ever in place.
    let _ = ctrlc::set_handler(|| {
        goflake_runner::process::terminate_all();
        goflake_fs::cleanup::remove_all();
        std::process::exit(130);
    });
    let result = cli::parse().and_then(|config| match config.command {
        Command::Ci(config) => commands::ci::run(&config),
        Command::Build(config) => commands::build::run(&config),
        Command::Run(config) => commands::run::run(&config),
        Command::Check(config) => commands::check::run(&config),
        Command::NarHash(config) => commands::nar_hash::run(&config),
        Command::Init(init) => commands::init::run(&init),
        Command::VendorHash(vendor_hash) => commands::vendor_hash::run(&vendor_hash),
        Command::New(new) => commands::new::run(&new),
        Command::Import(import) => commands::import::run(&import),
        Command::Targets(targets) => commands::targets::run(&targets),
        Command::Inspect(inspect) => commands::inspect::run(&inspect),
        Command::Get(get) => commands::edit::get(&get),
        Command::Set(set) => commands::edit::set(&set),
        Command::Completions(shell) => commands::shell::completions(shell),
        Command::Man { dir } => commands::shell::man(dir.as_deref()),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of stdout went away (`goflake … | head`): what it wanted, it has.
        Err(err) if stdout_closed(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, text) = report(&err);
            eprint!("{}", highlighted(&terminal_safe(&text)));
            ExitCode::from(code)
        }
    }
}

/// Whether `err` is, at its root, a write to a closed pipe.
fn stdout_closed(err: &anyhow::Error) -> bool {
    err.root_cause()
        .downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
