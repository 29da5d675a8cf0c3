//! What goflake may read, write and delete, in one place: input files read only when
//! regular and within a size cap ([`read`]), paths resolved beneath the project
//! without following a symlink out of it ([`beneath`]), files written atomically with their
//! metadata kept ([`write`]), and trees removed through directory descriptors without ever
//! following a link or opening another user's files ([`remove_tree`]); the registry of
//! temporary files an interrupt removes ([`cleanup`]).

pub mod beneath;
pub mod cleanup;
pub mod read;
mod tree;
pub mod write;

pub use beneath::{BeneathError, create_dirs, resolve};
pub use read::{MAX_INPUT, ReadError, check_input, read_bytes, read_capped, read_text};
pub use tree::{is_private_dir, private_tempdir, remove_tree};
pub use write::{WriteError, keep_original, write_file};
