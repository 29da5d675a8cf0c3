//! The integration tests: the real `goflake` binary, run as a user would.

mod build;
mod ci;
mod e2e;
mod edit;
mod errors;
mod hostile;
mod init;
mod inspect;
mod json;
mod nixpkgs;
mod realistic;
mod remote;
mod safety;
mod shell;
mod support;
mod terminal;
mod vendor_shapes;
