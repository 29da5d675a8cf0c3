//! Command-line parsing: clap derive structs, turned into a resolved [`Config`] at once
//! (commands whose arguments already are their config parse straight into it).

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use goflake_gomod::Target;
use goflake_syntax::AttrPath;

use crate::config::{
    BuildConfig, CheckConfig, CiConfig, CiProvider, Command, Config, GetConfig, HashMethod,
    ImportConfig, InitConfig, InspectConfig, NarHashConfig, NewConfig, NewValue, RunConfig,
    SetConfig, TargetsAction, TargetsConfig, VendorHashConfig, WriteMode, parse_target,
};
use crate::failure::Failure;

/// Build, cross-compile and ship Go programs with Nix.
#[derive(Debug, Parser)]
#[command(name = "goflake", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: CliCommand,
}

#[derive(Debug, Subcommand)]
enum CliCommand {
    /// Write (or update) a flake.nix that builds the Go module in DIR for every target.
    ///
    /// An existing goflake flake is updated in place, changing only what must change; any
    /// other flake.nix is left alone unless --force (the old file is kept as flake.nix.orig).
    Init(InitConfig),
    /// Compute the vendorHash of a Go project, check it, or write it in place.
    VendorHash {
        /// The project directory: holding flake.nix, or a Go module without a Nix file (its
        /// hash is printed).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// local: `go mod vendor` and a NAR hash here; nix: build goModules with Nix; auto:
        /// local, confirmed by nix with --verify (default: local when `go` is on PATH).
        #[arg(long, value_enum)]
        method: Option<HashMethod>,
        /// With --method auto: confirm the local hash with Nix.
        #[arg(long)]
        verify: bool,
        /// With --method nix: evaluate the flake purely only (no --impure fallback, which a
        /// flake whose vendorHash was never computed needs). For CI on untrusted branches.
        #[arg(long)]
        pure: bool,
        /// Write the hash into the file (only the vendorHash value changes).
        #[arg(long, conflicts_with = "check")]
        write: bool,
        /// Exit 1 when the hash in the file is stale.
        #[arg(long)]
        check: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// The Nix file holding vendorHash (default: DIR/flake.nix).
        #[arg(long)]
        file: Option<PathBuf>,
        /// The attribute path of vendorHash in that file (default: the one `vendorHash`).
        #[arg(long)]
        attr: Option<String>,
        /// The flake package whose goModules --method nix builds.
        #[arg(long, default_value = "default")]
        package: String,
        #[command(flatten)]
        nix: NixArgs,
        /// The same as --nix-arg, every word after `--`.
        #[arg(last = true, value_name = "NIX_ARGS")]
        nix_args: Vec<String>,
    },
    /// Write CI for the flake: check, a build per target, release on v* tags, and a bot that
    /// fixes vendorHash in Dependabot and Renovate pull requests.
    Ci {
        #[command(subcommand)]
        provider: CiCommand,
    },
    /// Build targets of a goflake flake in one parallel Nix run, verify every artifact, and
    /// copy the release into dist/ (when every target is built).
    Build {
        /// Targets to build (GOOS/GOARCH); none or --all: every target in the flake.
        #[arg(value_parser = parse_target)]
        targets: Vec<Target>,
        /// Build every target (the default when none is named).
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        flake: FlakeArgs,
        /// How many derivations Nix builds at once (its --max-jobs; default: one per core; 0:
        /// none here, every build goes to Nix's remote builders).
        #[arg(short, long)]
        jobs: Option<usize>,
        /// Where to copy the release, relative to --dir. goflake only replaces a directory it
        /// wrote (marked by a .goflake-dist file) or an empty one; never the project, one of
        /// its parents, $HOME or a git repository.
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Print the result as one JSON document (no progress lines).
        #[arg(long)]
        json: bool,
        /// No progress lines.
        #[arg(long, short)]
        quiet: bool,
        /// On a stale vendorHash, write the hash Nix computed and build again once (default
        /// on a terminal, off in CI).
        #[arg(long, overrides_with = "no_fix_hash")]
        fix_hash: bool,
        #[arg(long, overrides_with = "fix_hash", hide = true)]
        no_fix_hash: bool,
        /// Rebuild everything with `nix build --rebuild` and report which targets are
        /// bit-for-bit identical.
        #[arg(long)]
        reproducible: bool,
        #[command(flatten)]
        nix: NixArgs,
        /// The same as --nix-arg, every word after `--` (--override-input, --builders,
        /// --option…).
        #[arg(last = true, value_name = "NIX_ARGS")]
        nix_args: Vec<String>,
    },
    /// Run a target: native through `nix run`, wasip1/wasm through the flake's WASI app,
    /// js/wasm through Node with its wasm_exec script.
    Run {
        /// The target (default: native).
        target: Option<String>,
        #[command(flatten)]
        flake: FlakeArgs,
        #[command(flatten)]
        nix: NixArgs,
        /// Arguments for the program (after `--`, as `nix run` and `cargo run` take them).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// `nix flake check` plus goflake's own checks: a stale vendorHash (by its fingerprint),
    /// targets that cannot build, a go line newer than the flake's Go.
    Check {
        #[command(flatten)]
        flake: FlakeArgs,
        /// Only goflake's own checks (milliseconds, no Nix).
        #[arg(long)]
        no_nix: bool,
        /// Print the result as one JSON document (docs/json.md).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        nix: NixArgs,
        /// The same as --nix-arg, every word after `--`.
        #[arg(last = true, value_name = "NIX_ARGS")]
        nix_args: Vec<String>,
    },
    /// Print the NAR hash of a path, as `nix hash path` does (without Nix).
    NarHash(NarHashConfig),
    /// Scaffold a new Go project with a flake that builds it out of the box.
    New(NewConfig),
    /// Carry a shell.nix (or default.nix) mkShell into the flake's devShell: packages,
    /// buildInputs, nativeBuildInputs, environment variables and shellHook, as written.
    Import {
        /// The file with the mkShell call.
        shell: PathBuf,
        /// The goflake flake to edit.
        #[arg(long, default_value = "flake.nix")]
        flake: PathBuf,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// List, add or remove the targets of a goflake flake.
    Targets {
        #[command(subcommand)]
        action: TargetsCommand,
        /// The flake to edit.
        #[arg(long, global = true, default_value = "flake.nix")]
        flake: PathBuf,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Show what goflake reads from a Go project: module, Go version and the nixpkgs Go
    /// attribute, modRoot, binaries, cgo, workspace and vendor state, GoReleaser builds, and
    /// the proposed targets with a reason for each one left out.
    Inspect(InspectConfig),
    /// Print the literal value bound to ATTRPATH in a Nix file.
    ///
    /// ATTRPATH is dotted (`inputs.nixpkgs.url`), names may be quoted
    /// (`packages."x86_64-linux".default`), and a unique suffix is enough (`vendorHash`).
    /// A path that matches a binding exactly wins over longer paths it is a suffix of. A
    /// function's argument default (`{ vendorHash ? "…" }:`) is a binding too, and the one
    /// that `inherit vendorHash;` repeats; the bindings inside a list element are under its
    /// index (`overlays.0.rev`). Two matches are an error naming each one's full path.
    Get {
        /// The Nix file to read.
        file: PathBuf,
        /// The attribute path to read.
        attrpath: String,
        /// Print the value as JSON (strings, lists of strings, null, booleans, integers).
        #[arg(long)]
        json: bool,
    },
    /// Set the value bound to ATTRPATH, changing nothing else in the file.
    ///
    /// ATTRPATH is found as `goflake get` finds it (see `goflake get --help`).
    ///
    /// The file is written atomically and only when it changes; a file that does not parse
    /// is never written (exit code 2).
    Set {
        /// The Nix file to edit.
        file: PathBuf,
        /// The attribute path to set.
        attrpath: String,
        /// The new value: a string, or with --list the strings of a list, or with --expr
        /// Nix text. Put `--` before values that start with `-`.
        #[arg(num_args = 0..)]
        values: Vec<String>,
        /// Set a list of strings (one VALUE per element; none for an empty list).
        #[arg(long, conflicts_with = "expr")]
        list: bool,
        /// Set raw Nix text, checked by parsing it.
        #[arg(long)]
        expr: bool,
        #[command(flatten)]
        write: WriteArgs,
        /// Replace the file even when it is read-only.
        #[arg(long)]
        force: bool,
    },
    /// Print the shell completion script for SHELL.
    ///
    /// bash: `goflake completions bash > ~/.local/share/bash-completion/completions/goflake`;
    /// the Nix package installs them for bash, zsh and fish.
    Completions {
        /// The shell to complete in.
        shell: CompletionShell,
    },
    /// Print goflake's man page (roff), or write one page per command into DIR.
    Man {
        /// Write goflake.1 and goflake-COMMAND.1 into this directory instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// The shells `goflake completions` writes scripts for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
    Nushell,
}

/// The clap definition, for completion scripts and man pages.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Arguments for Nix, taken the same way by every command that runs it. `build`, `check`
/// and `vendor-hash` also take them after `--`; `run` gives what follows `--` to the program.
#[derive(Debug, clap::Args)]
struct NixArgs {
    /// An argument for nix, as it is; repeat it for each word:
    /// `--nix-arg=--override-input --nix-arg=nixpkgs --nix-arg=path:../nixpkgs`.
    #[arg(long = "nix-arg", value_name = "ARG", allow_hyphen_values = true)]
    nix_arg: Vec<String>,
}

impl NixArgs {
    /// These, then the ones given after `--`.
    fn with(self, after_double_dash: Vec<String>) -> Vec<String> {
        let mut args = self.nix_arg;
        args.extend(after_double_dash);
        args
    }
}

/// Which flake build, run and check use, and how Nix sees it.
#[derive(Debug, clap::Args)]
struct FlakeArgs {
    /// The flake's directory.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Use the directory as a `path:` flake (sees files git does not track).
    #[arg(long)]
    path: bool,
}

/// How a command that edits a file reports the change, taken the same way by import,
/// targets and set.
#[derive(Debug, clap::Args)]
struct WriteArgs {
    /// Print a unified diff instead of writing.
    #[arg(long, global = true)]
    diff: bool,
    /// Write nothing; exit 1 when the file would change.
    #[arg(long, global = true)]
    check: bool,
}

impl WriteArgs {
    fn mode(self, force: bool) -> WriteMode {
        WriteMode {
            diff: self.diff,
            check: self.check,
            force,
        }
    }
}

#[derive(Debug, clap::Args)]
struct CiArgs {
    /// The repository root (holding flake.nix).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Use this Cachix cache instead of the GitHub Actions cache; its CACHIX_AUTH_TOKEN is a
    /// secret of the GitHub environment `cachix`, whose deployment branches decide who pushes.
    #[arg(long, value_name = "NAME")]
    cachix: Option<String>,
    /// Pin actions to full commit SHAs (the version in a comment); false: tags.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pin_actions: bool,
    /// Build every target in one job (often faster with a warm cache).
    #[arg(long)]
    single_job: bool,
    /// The goflake CI runs, pinned: github:OWNER/REPO/<commit>?narHash=sha256-… (default:
    /// the revision this goflake was built from, when its build recorded it, as `nix run
    /// github:goflake/goflake` does; `nix flake metadata --json` prints a flake's both).
    #[arg(long, value_name = "FLAKE_REF")]
    goflake: Option<String>,
    /// Print the files instead of writing them.
    #[arg(long)]
    dry_run: bool,
    /// Overwrite files that were changed since goflake wrote them.
    #[arg(long)]
    force: bool,
    /// Print what was written (or, with --dry-run, the files) as JSON (docs/json.md).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum CiCommand {
    /// GitHub Actions workflows in .github/workflows/.
    Github(CiArgs),
    /// The same jobs as .gitlab-ci.yml.
    Gitlab(CiArgs),
}

#[derive(Debug, Subcommand)]
enum TargetsCommand {
    /// Print the targets, one per line.
    List {
        /// Print them as JSON, with the flake attribute that builds each (docs/json.md).
        #[arg(long)]
        json: bool,
    },
    /// Add GOOS/GOARCH targets (`go tool dist list` names the valid ones); each is compiled
    /// first (with Go on PATH): binaries that do not compile for it are left out of it
    /// (`unbuildable`), and a target no binary compiles for is refused.
    Add {
        #[arg(required = true, value_parser = parse_target)]
        targets: Vec<Target>,
        /// Add the targets even when they do not compile.
        #[arg(long)]
        force: bool,
    },
    /// Remove targets.
    Remove {
        #[arg(required = true, value_parser = parse_target)]
        targets: Vec<Target>,
    },
}

/// Parses the process arguments into a [`Config`].
pub fn parse() -> Result<Config> {
    config_from(Cli::parse())
}

fn config_from(cli: Cli) -> Result<Config> {
    let command = match cli.command {
        CliCommand::Init(init) => Command::Init(init),
        CliCommand::VendorHash {
            dir,
            method,
            verify,
            pure,
            write,
            check,
            json,
            file,
            attr,
            package,
            nix,
            nix_args,
        } => Command::VendorHash(VendorHashConfig {
            pure,
            dir,
            method,
            verify,
            write,
            check,
            json,
            file,
            attr,
            package,
            nix_args: nix.with(nix_args),
        }),
        CliCommand::Ci { provider } => {
            let (provider, args) = match provider {
                CiCommand::Github(args) => (CiProvider::Github, args),
                CiCommand::Gitlab(args) => (CiProvider::Gitlab, args),
            };
            Command::Ci(CiConfig {
                provider,
                dir: args.dir,
                goflake: args.goflake,
                cachix: args.cachix,
                pin_actions: args.pin_actions,
                single_job: args.single_job,
                dry_run: args.dry_run,
                force: args.force,
                json: args.json,
            })
        }
        CliCommand::Build {
            targets,
            all: _,
            flake,
            jobs,
            out,
            json,
            quiet,
            fix_hash,
            no_fix_hash,
            reproducible,
            nix,
            nix_args,
        } => {
            let terminal = std::io::stderr().is_terminal();
            Command::Build(BuildConfig {
                dir: flake.dir,
                targets,
                jobs,
                out,
                json,
                quiet,
                fix_hash: fix_hash
                    || (!no_fix_hash && terminal && std::env::var_os("CI").is_none()),
                terminal,
                reproducible,
                use_path: flake.path,
                nix_args: nix.with(nix_args),
            })
        }
        CliCommand::Run {
            target,
            flake,
            nix,
            args,
        } => Command::Run(RunConfig {
            dir: flake.dir,
            target,
            use_path: flake.path,
            args,
            nix_args: nix.nix_arg,
        }),
        CliCommand::Check {
            flake,
            no_nix,
            json,
            nix,
            nix_args,
        } => Command::Check(CheckConfig {
            dir: flake.dir,
            no_nix,
            json,
            use_path: flake.path,
            nix_args: nix.with(nix_args),
        }),
        CliCommand::NarHash(nar_hash) => Command::NarHash(nar_hash),
        CliCommand::New(new) => Command::New(new),
        CliCommand::Import {
            shell,
            flake,
            write,
        } => Command::Import(ImportConfig {
            shell,
            flake,
            mode: write.mode(false),
        }),
        CliCommand::Targets {
            action,
            flake,
            write,
        } => Command::Targets(TargetsConfig {
            flake,
            action: match action {
                TargetsCommand::List { json } => TargetsAction::List { json },
                TargetsCommand::Add { targets, force } => TargetsAction::Add { targets, force },
                TargetsCommand::Remove { targets } => TargetsAction::Remove(targets),
            },
            mode: write.mode(false),
        }),
        CliCommand::Inspect(inspect) => Command::Inspect(inspect),
        CliCommand::Get {
            file,
            attrpath,
            json,
        } => Command::Get(GetConfig {
            path: parse_attrpath(&attrpath)?,
            file,
            json,
        }),
        CliCommand::Set {
            file,
            attrpath,
            values,
            list,
            expr,
            write,
            force,
        } => {
            let value = if list {
                NewValue::StringList(values)
            } else {
                let [value] = <[String; 1]>::try_from(values).map_err(|values| {
                    Failure::bad_input(format!(
                        "`goflake set` takes one VALUE ({} given); use --list for a list",
                        values.len()
                    ))
                })?;
                if expr {
                    NewValue::Expr(value)
                } else {
                    NewValue::String(value)
                }
            };
            Command::Set(SetConfig {
                path: parse_attrpath(&attrpath)?,
                file,
                value,
                mode: write.mode(force),
            })
        }
        CliCommand::Completions { shell } => Command::Completions(shell),
        CliCommand::Man { dir } => Command::Man { dir },
    };
    Ok(Config { command })
}

fn parse_attrpath(text: &str) -> Result<AttrPath> {
    text.parse()
        .map_err(|err| Failure::bad_input(format!("invalid attribute path `{text}`: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn set_needs_exactly_one_value_without_list() {
        let cli = Cli::try_parse_from(["goflake", "set", "f.nix", "a", "x", "y"]).unwrap();
        let err = config_from(cli).unwrap_err();
        assert!(err.to_string().contains("one VALUE (2 given)"), "{err}");
    }

    #[test]
    fn list_values_that_start_with_a_hyphen_follow_a_double_dash() {
        let args = [
            "goflake", "set", "--list", "f.nix", "ldflags", "--", "-s", "-w",
        ];
        let cli = Cli::try_parse_from(args).unwrap();
        let config = config_from(cli).unwrap();
        match config.command {
            Command::Set(set) => {
                assert_eq!(
                    set.value,
                    NewValue::StringList(vec!["-s".into(), "-w".into()])
                );
            }
            other => panic!("{other:?}"),
        }
    }

    /// init parses straight into its config: targets typed, targets compiled unless
    /// --no-verify-targets.
    #[test]
    fn init_arguments_are_its_config() {
        let init = |words: &[&str]| match config_from(Cli::try_parse_from(words).unwrap())
            .unwrap()
            .command
        {
            Command::Init(init) => init,
            other => panic!("{other:?}"),
        };
        let plain = init(&["goflake", "init"]);
        assert!(plain.selection.verify_targets);
        assert_eq!(plain.dir, PathBuf::from("."));
        assert!(plain.targets.is_none());
        let given = init(&[
            "goflake",
            "init",
            "--no-verify-targets",
            "--targets",
            "linux/amd64,js/wasm",
            "--main",
            "cmd/x",
            "repo",
        ]);
        assert!(!given.selection.verify_targets);
        assert_eq!(given.selection.mains, ["cmd/x"]);
        assert_eq!(
            given.targets,
            Some(vec![
                Target::new("linux", "amd64"),
                Target::new("js", "wasm")
            ])
        );
        assert_eq!(given.dir, PathBuf::from("repo"));
    }

    /// Every command that runs Nix takes `--nix-arg`; build, check and vendor-hash also take
    /// Nix's arguments after `--`, and run gives those to the program.
    #[test]
    fn nix_arguments_are_taken_the_same_way_by_every_command() {
        let nix_args = |words: &[&str]| -> Vec<String> {
            let cli = Cli::try_parse_from(words).unwrap();
            match config_from(cli).unwrap().command {
                Command::Build(c) => c.nix_args,
                Command::Check(c) => c.nix_args,
                Command::VendorHash(c) => c.nix_args,
                Command::Run(c) => {
                    assert_eq!(c.args, ["--help"]);
                    c.nix_args
                }
                other => panic!("{other:?}"),
            }
        };
        let given = ["--nix-arg=--override-input", "--nix-arg", "nixpkgs"];
        for command in ["build", "check", "vendor-hash"] {
            let mut words = vec!["goflake", command];
            words.extend(given);
            words.extend(["--", "--option", "cores", "1"]);
            assert_eq!(
                nix_args(&words),
                ["--override-input", "nixpkgs", "--option", "cores", "1"],
                "{command}"
            );
        }
        let mut words = vec!["goflake", "run"];
        words.extend(given);
        words.extend(["--", "--help"]);
        assert_eq!(nix_args(&words), ["--override-input", "nixpkgs"]);
    }
}
