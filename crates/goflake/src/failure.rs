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

/// Text from a user's tree made safe for a terminal: control characters (an ANSI escape in a
/// directory name, a carriage return) are shown escaped, never sent raw; newlines and tabs
/// stay.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` (already [`terminal_safe`]) with each line's leading `error:` or `warning:` in
/// colour, as cargo and Nix show them, where stderr takes colour (a terminal, no NO_COLOR).
pub fn highlighted(text: &str) -> String {
    if !console::colors_enabled_stderr() {
        return text.to_owned();
    }
    text.split_inclusive('\n')
        .map(|line| {
            if let Some(rest) = line.strip_prefix("error:") {
                format!(
                    "{}{rest}",
                    console::style("error:").red().bold().for_stderr()
                )
            } else if let Some(rest) = line.strip_prefix("warning:") {
                format!(
                    "{}{rest}",
                    console::style("warning:").yellow().bold().for_stderr()
                )
            } else {
                line.to_owned()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            super::terminal_safe("dir \u{1b}[31mred\r\nnext\tline"),
            "dir \\u{1b}[31mred\\r\nnext\tline"
        );
    }
}
