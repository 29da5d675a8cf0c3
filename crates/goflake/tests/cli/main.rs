//! The integration tests: the real `goflake` binary, run as a user would.

mod build;
mod ci;
mod e2e;
mod edit;
mod init;
mod inspect;
mod support;
