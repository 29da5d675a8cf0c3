//! What the user asked for, as resolved, typed values: `cli` parses with clap and resolves
//! defaults that depend on the environment; commands never see clap's structs. The enums
//! here derive `clap::ValueEnum`, so clap parses them directly.

use goflake_gomod::Target;
use std::path::PathBuf;

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

#[derive(Debug)]
pub struct InspectConfig {
    pub dir: PathBuf,
    pub json: bool,
    pub ignore_goreleaser: bool,
    pub selection: ProjectSelection,
}

/// Which module and main packages a command reads, and whether targets are compiled.
#[derive(Debug, Clone, Default)]
pub struct ProjectSelection {
    pub mains: Vec<String>,
    pub mod_root: Option<PathBuf>,
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

#[derive(Debug)]
pub struct InitConfig {
    pub dir: PathBuf,
    pub selection: ProjectSelection,
    pub targets: Option<Vec<Target>>,
    pub from_goreleaser: bool,
    pub ignore_goreleaser: bool,
    pub nixpkgs: Option<String>,
    pub dry_run: bool,
    pub json: bool,
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

#[derive(Debug)]
pub struct NewConfig {
    pub dir: PathBuf,
    pub template: &'static goflake_gen::scaffold::Scaffold,
    pub module: Option<String>,
    pub nixpkgs: Option<String>,
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

#[derive(Debug)]
pub struct NarHashConfig {
    pub path: PathBuf,
    pub base: HashBase,
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
    pub cachix: Option<String>,
    pub pin_actions: bool,
    pub single_job: bool,
    pub dry_run: bool,
    pub force: bool,
    pub json: bool,
}
