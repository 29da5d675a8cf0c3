//! How a command fails: its exit code, what it prints before the error line, and the
//! error. `main` prints every error, `error: ` first, in one place; library errors reach it
//! through `?` (exit 1), a `Failure` when the code or the output before it matters.

use std::fmt;

#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    /// Printed to stderr as is, before the error: a compiler's or Nix's log, problems one
    /// per line (ends with a newline, or is empty).
    pub output: String,
    /// The error, printed after `error: `; empty when `output` said everything.
    pub message: String,
}

impl Failure {
    /// Exit 1: the command ran and found a problem (missing path, a file that would change).
    pub fn problem(message: impl Into<String>) -> anyhow::Error {
        Failure::error(1, String::new(), message.into())
    }

    /// Exit 2: the input cannot be used at all (a file that does not parse).
    pub fn bad_input(message: impl Into<String>) -> anyhow::Error {
        Failure::error(2, String::new(), message.into())
    }

    /// Exit 2 after `output` (the parser's diagnostics).
    pub fn bad_input_after(output: impl Into<String>, message: impl Into<String>) -> anyhow::Error {
        Failure::error(2, output.into(), message.into())
    }

    /// Exit 1 after `output` (a log, a list of problems), then `message` when not empty.
    pub fn after(output: impl Into<String>, message: impl Into<String>) -> anyhow::Error {
        Failure::error(1, output.into(), message.into())
    }

    /// Exit 1 with nothing more to say: what failed has already spoken (`nix run`'s program).
    pub fn silent() -> anyhow::Error {
        Failure::error(1, String::new(), String::new())
    }

    fn error(code: u8, output: String, message: String) -> anyhow::Error {
        Failure {
            code,
            output,
            message: message.trim_end().to_owned(),
        }
        .into()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// What `main` prints for `err` and the exit code: a [`Failure`]'s output and message, or
/// any other error with its causes (each cause once: a library error whose message already
/// quotes its source is not followed by it again).
pub fn report(err: &anyhow::Error) -> (u8, String) {
    let (code, output, message) = match err.downcast_ref::<Failure>() {
        Some(failure) => (
            failure.code,
            failure.output.clone(),
            failure.message.clone(),
        ),
        None => (1, String::new(), causes(err)),
    };
    let mut text = output;
    if !message.is_empty() {
        text.push_str("error: ");
        text.push_str(&message);
        text.push('\n');
    }
    (code, text)
}

fn causes(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if text.contains(cause.as_str()) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

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
    use super::*;

    #[test]
    fn every_error_is_printed_once_after_error() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let quoting = anyhow::Error::new(goflake_artifacts::DistError::Io {
            path: "dist/x".into(),
            source: io,
        });
        assert_eq!(
            report(&quoting),
            (1, "error: dist/x: no such file\n".to_owned())
        );
        let with_context = anyhow::anyhow!("no such file").context("reading go.mod");
        assert_eq!(
            report(&with_context),
            (1, "error: reading go.mod: no such file\n".to_owned())
        );
        assert_eq!(
            report(&Failure::after("log line\n", "the build failed\n")),
            (1, "log line\nerror: the build failed\n".to_owned())
        );
        assert_eq!(report(&Failure::silent()), (1, String::new()));
        assert_eq!(report(&Failure::bad_input("bad")).0, 2);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            super::terminal_safe("dir \u{1b}[31mred\r\nnext\tline"),
            "dir \\u{1b}[31mred\\r\nnext\tline"
        );
    }
}
