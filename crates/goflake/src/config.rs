//! What the user asked for, as resolved, typed values. Where the command line already is
//! the value (init, inspect, new, nar-hash, the enums) the type here derives clap's `Args`
//! or `ValueEnum` and clap fills it directly, with typed parsers (`parse_target`,
//! `scaffold_parser`); the rest `cli` resolves (defaults that depend on the terminal or the
//! environment, values from several flags).

use std::path::PathBuf;

use goflake_gen::scaffold::{SCAFFOLDS, Scaffold};
use goflake_gomod::Target;
use goflake_syntax::AttrPath;

#[derive(Debug)]
pub struct Config {
    pub command: Command,
}

#[derive(Debug)]
pub enum Command {
    Ci(CiConfig),
    Build(BuildConfig),
    Run(RunConfig),
    Check(CheckConfig),
    NarHash(NarHashConfig),
    Init(InitConfig),
    VendorHash(VendorHashConfig),
    New(NewConfig),
    Import(ImportConfig),
    Targets(TargetsConfig),
    Inspect(InspectConfig),
    Get(GetConfig),
    Set(SetConfig),
    Completions(crate::cli::CompletionShell),
    Man { dir: Option<PathBuf> },
}

#[derive(Debug, clap::Args)]
pub struct InspectConfig {
    /// The Go module's directory (holding go.mod), or the repository holding it.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub selection: ProjectSelection,
    /// Print the model as JSON (see docs/inspect-json.md).
    #[arg(long)]
    pub json: bool,
    /// Continue without a GoReleaser file that does not parse.
    #[arg(long)]
    pub ignore_goreleaser: bool,
}

/// Which module and main packages a command reads, and whether targets are compiled: how
/// init and inspect choose the module and its programs.
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectSelection {
    /// Ship this main package (a directory of the module; repeatable) instead of those
    /// chosen by the packager's rules (GoReleaser builds, else `.` and `cmd/*`).
    #[arg(long = "main", value_name = "DIR")]
    pub mains: Vec<String>,
    /// The module's directory below DIR, when DIR holds no go.mod (the flake goes in DIR
    /// with modRoot set, as nixpkgs builds such repositories).
    #[arg(long, value_name = "PATH")]
    pub mod_root: Option<PathBuf>,
    /// Do not compile the candidate targets (they are then checked only by build
    /// constraints, and reported as unverified).
    #[arg(long = "no-verify-targets", action = clap::ArgAction::SetFalse)]
    pub verify_targets: bool,
}

#[derive(Debug)]
pub struct GetConfig {
    pub file: PathBuf,
    pub path: AttrPath,
    pub json: bool,
}

#[derive(Debug)]
pub struct SetConfig {
    pub file: PathBuf,
    pub path: AttrPath,
    pub value: NewValue,
    pub mode: WriteMode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewValue {
    String(String),
    StringList(Vec<String>),
    Expr(String),
}

/// How a command that changes a file reports the change.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteMode {
    /// Print a unified diff instead of writing.
    pub diff: bool,
    /// Write nothing; fail when the file would change.
    pub check: bool,
    /// Replace a read-only file too.
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct InitConfig {
    /// The Go module's directory (holding go.mod), or the repository holding it.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub selection: ProjectSelection,
    /// Targets to build, comma-separated GOOS/GOARCH pairs (default: linux, darwin and
    /// windows on amd64 and arm64, js/wasm, wasip1/wasm).
    #[arg(long, value_delimiter = ',', value_parser = parse_target)]
    pub targets: Option<Vec<Target>>,
    /// Take targets and ldflags from the GoReleaser file (the default when there is one).
    #[arg(long)]
    pub from_goreleaser: bool,
    /// Continue without a GoReleaser file that does not parse.
    #[arg(long)]
    pub ignore_goreleaser: bool,
    /// The nixpkgs flake URL to pin (default: the current stable branch).
    #[arg(long, value_name = "URL")]
    pub nixpkgs: Option<String>,
    /// Print the new file, or the diff for an existing one, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print what was done as JSON (docs/json.md); not with --dry-run, which prints the
    /// file or its diff.
    #[arg(long, conflicts_with = "dry_run")]
    pub json: bool,
    /// Replace a flake.nix that goflake did not write (kept as flake.nix.orig).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug)]
pub enum TargetsAction {
    List { json: bool },
    Add { targets: Vec<Target>, force: bool },
    Remove(Vec<Target>),
}

#[derive(Debug)]
pub struct TargetsConfig {
    pub flake: PathBuf,
    pub action: TargetsAction,
    pub mode: WriteMode,
}

#[derive(Debug, clap::Args)]
pub struct NewConfig {
    /// The directory to create (must not exist, or be empty).
    pub dir: PathBuf,
    /// The kind of project.
    #[arg(long, default_value = "cli", value_parser = scaffold_parser())]
    pub template: &'static Scaffold,
    /// The Go module path (default: example.com/<directory name>).
    #[arg(long, value_name = "PATH")]
    pub module: Option<String>,
    /// The nixpkgs flake URL to pin (default: the current stable branch).
    #[arg(long, value_name = "URL")]
    pub nixpkgs: Option<String>,
    /// Print what was created as JSON (docs/json.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug)]
pub struct ImportConfig {
    pub shell: PathBuf,
    pub flake: PathBuf,
    pub mode: WriteMode,
}

/// How `vendor-hash` computes the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HashMethod {
    Local,
    Nix,
    Auto,
}

/// How `nar-hash` prints a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HashBase {
    /// `sha256-…` (base64), as flakes write hashes.
    Sri,
    /// Nix's own base-32.
    Nix32,
    /// Base 16, as `sha256sum` prints it.
    Hex,
}

#[derive(Debug)]
pub struct VendorHashConfig {
    pub dir: PathBuf,
    pub method: Option<HashMethod>,
    pub verify: bool,
    /// The Nix method without its impure fallback.
    pub pure: bool,
    pub write: bool,
    pub check: bool,
    pub json: bool,
    pub file: Option<PathBuf>,
    pub attr: Option<String>,
    pub package: String,
    pub nix_args: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct NarHashConfig {
    pub path: PathBuf,
    /// How to print it.
    #[arg(long, value_enum, default_value_t = HashBase::Sri)]
    pub base: HashBase,
    /// Print the path and the hash in every base as JSON (docs/json.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug)]
pub struct BuildConfig {
    pub dir: PathBuf,
    pub targets: Vec<Target>,
    pub jobs: Option<usize>,
    pub out: PathBuf,
    pub json: bool,
    pub quiet: bool,
    /// Repair a stale vendorHash and build again: `--fix-hash`, or by default when stderr
    /// is a terminal and `CI` is unset (`--no-fix-hash` turns it off).
    pub fix_hash: bool,
    /// stderr is a terminal: progress bars instead of lines.
    pub terminal: bool,
    pub reproducible: bool,
    pub use_path: bool,
    pub nix_args: Vec<String>,
}

#[derive(Debug)]
pub struct RunConfig {
    pub dir: PathBuf,
    pub target: Option<String>,
    pub use_path: bool,
    pub args: Vec<String>,
    pub nix_args: Vec<String>,
}

#[derive(Debug)]
pub struct CheckConfig {
    pub dir: PathBuf,
    pub no_nix: bool,
    pub json: bool,
    pub use_path: bool,
    pub nix_args: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiProvider {
    Github,
    Gitlab,
}

#[derive(Debug)]
pub struct CiConfig {
    pub provider: CiProvider,
    pub dir: PathBuf,
    /// `--goflake`: the pinned flake reference CI runs goflake from.
    pub goflake: Option<String>,
    pub cachix: Option<String>,
    pub pin_actions: bool,
    pub single_job: bool,
    pub dry_run: bool,
    pub force: bool,
    pub json: bool,
}

/// One of the project templates, by name (the names are the possible values).
pub fn scaffold_parser() -> impl clap::builder::TypedValueParser<Value = &'static Scaffold> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(SCAFFOLDS.iter().map(|s| s.name))
        .map(|name| goflake_gen::scaffold::scaffold(&name).expect("one of the possible values"))
}

/// A GOOS/GOARCH pair Go can build, parsed once by clap and passed on as a `Target`.
pub fn parse_target(text: &str) -> Result<Target, String> {
    goflake_gen::check_target(text).map_err(|err| err.to_string())
}
