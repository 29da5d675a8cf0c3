//! A failure with a chosen exit code and a message already written for the user.

use std::fmt;

#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    /// Printed to stderr as is (ends with a newline, or is empty).
    pub message: String,
}

impl Failure {
    /// Exit 1: the command ran and found a problem (missing path, a file that would change).
    pub fn problem(message: impl Into<String>) -> anyhow::Error {
        Failure {
            code: 1,
            message: message.into(),
        }
        .into()
    }

    /// Exit 2: the input cannot be used at all (a file that does not parse).
    pub fn bad_input(message: impl Into<String>) -> anyhow::Error {
        Failure {
            code: 2,
            message: message.into(),
        }
        .into()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message.trim_end())
    }
}

impl std::error::Error for Failure {}
