//! The Go project model: which module, which Go, which binaries, which need cgo, and what the
//! project declares for releases. Reads files; never spawns a process and knows no Nix.

pub mod constraint;
pub mod git;
pub mod gofile;
pub mod goreleaser;
pub mod modfile;
pub mod project;

pub use constraint::{DEFAULT_TARGETS, DIST_LIST, Target};
pub use modfile::{GoMod, ModFileError, parse_go_mod};
pub use project::{LoadOptions, ModelError, Project, load};
