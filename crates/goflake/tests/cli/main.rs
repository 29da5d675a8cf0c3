//! The integration tests: the real `goflake` binary, run as a user would.

mod edit;
mod inspect;
mod support;
