//! The integration tests: the real `goflake` binary, run as a user would.

mod edit;
mod init;
mod inspect;
mod support;
