//! Making Nix string literals from Rust strings, and reading them back.

use rnix::ast::{self, InterpolPart};
use rowan::ast::AstNode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Nix strings cannot contain a NUL character")]
pub struct NulInString;

/// A `"…"` literal that evaluates to exactly `value`.
///
/// Escapes `\`, `"`, `${` and the control characters Nix has escapes for; other
/// characters (including other control characters) stand for themselves.
pub fn string_literal(value: &str) -> Result<String, NulInString> {
    if value.contains('\0') {
        return Err(NulInString);
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// An indented `''…''` literal for multi-line text, laid out for a binding whose line is
/// indented by `indent`; `None` when the text cannot be written that way exactly (for
/// example when every line starts with spaces, which Nix would strip).
///
/// Escapes `''` as `'''`, `${` as `''${`, carriage returns as `''\r`.
pub fn indented_string_literal(value: &str, indent: &str, line_ending: &str) -> Option<String> {
    if value.contains('\0') || !value.contains('\n') {
        return None;
    }
    let content_indent = format!("{indent}  ");
    let mut out = String::from("''");
    out.push_str(line_ending);
    let lines: Vec<&str> = value.split('\n').collect();
    let last = lines.len() - 1;
    for (i, line) in lines.iter().enumerate() {
        if i == last {
            if line.is_empty() {
                // Text ending in a newline: the closing quotes sit on their own line.
                out.push_str(indent);
            } else {
                out.push_str(&content_indent);
                out.push_str(&escape_indented(line, true));
            }
        } else {
            if !line.is_empty() {
                out.push_str(&content_indent);
                out.push_str(&escape_indented(line, false));
            }
            out.push_str(line_ending);
        }
    }
    out.push_str("''");
    // Check the layout against the parser's own reading (indentation stripping has corners).
    let parsed = rnix::Root::parse(&out);
    if !parsed.errors().is_empty() {
        return None;
    }
    let decoded = parsed.tree().expr().and_then(|e| match e {
        ast::Expr::Str(s) => decode_string(&s),
        _ => None,
    });
    (decoded.as_deref() == Some(value)).then_some(out)
}

fn escape_indented(line: &str, is_last: bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                out.push_str("'''");
            }
            // A quote right before the closing `''` would read as `'''`.
            '\'' if is_last && chars.peek().is_none() => out.push_str("''\\'"),
            '$' if chars.peek() == Some(&'{') => out.push_str("''$"),
            '\r' => out.push_str("''\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A literal for `value`: the indented form for multi-line text when it fits, else `"…"`.
pub fn best_string_literal(
    value: &str,
    indent: &str,
    line_ending: &str,
) -> Result<String, NulInString> {
    match indented_string_literal(value, indent, line_ending) {
        Some(literal) => Ok(literal),
        None => string_literal(value),
    }
}

/// The value of a string without interpolation (escapes decoded, indentation stripped).
pub fn decode_string(string: &ast::Str) -> Option<String> {
    // rnix's string helpers panic on a string holding an error node (a broken `${`).
    if string
        .syntax()
        .children()
        .any(|child| child.kind() != rnix::SyntaxKind::NODE_INTERPOL)
    {
        return None;
    }
    let mut out = String::new();
    for part in string.normalized_parts() {
        match part {
            InterpolPart::Literal(text) => out.push_str(&text),
            InterpolPart::Interpolation(_) => return None,
        }
    }
    Some(out)
}

/// Parses `text` as a single string literal and decodes it.
pub fn decode_string_literal(text: &str) -> Option<String> {
    let parsed = rnix::Root::parse(text);
    if !parsed.errors().is_empty() {
        return None;
    }
    match parsed.tree().expr()? {
        ast::Expr::Str(s)
            if s.syntax().text_range().len() == parsed.syntax().text_range().len() =>
        {
            decode_string(&s)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_what_nix_would_read_specially() {
        assert_eq!(string_literal("a\"b").unwrap(), r#""a\"b""#);
        assert_eq!(string_literal("${x}").unwrap(), r#""\${x}""#);
        assert_eq!(string_literal("$x $").unwrap(), r#""$x $""#);
        assert_eq!(string_literal("a\\b\n").unwrap(), r#""a\\b\n""#);
        assert_eq!(string_literal("a\0b"), Err(NulInString));
    }

    #[test]
    fn indented_form_for_multiline_text() {
        let text = "echo ${HOME}\nif true; then\n  echo ''hi''\nfi\n";
        let literal = indented_string_literal(text, "  ", "\n").unwrap();
        assert_eq!(
            literal,
            "''\n    echo ''${HOME}\n    if true; then\n      echo '''hi'''\n    fi\n  ''"
        );
        assert_eq!(decode_string_literal(&literal).as_deref(), Some(text));
    }

    #[test]
    fn indented_form_declines_what_it_cannot_write() {
        // Every line indented: Nix would strip the common indentation.
        assert_eq!(indented_string_literal("  a\n  b", "", "\n"), None);
        assert_eq!(indented_string_literal("single line", "", "\n"), None);
        let fallback = best_string_literal("  a\n  b", "", "\n").unwrap();
        assert_eq!(fallback, r#""  a\n  b""#);
    }

    proptest! {
        #[test]
        fn literals_decode_to_their_value(value in "[^\u{0}]{0,40}") {
            let literal = string_literal(&value).unwrap();
            prop_assert_eq!(decode_string_literal(&literal), Some(value.clone()));
            let best = best_string_literal(&value, "  ", "\n").unwrap();
            prop_assert_eq!(decode_string_literal(&best), Some(value));
        }

        #[test]
        fn multiline_text_round_trips(lines in proptest::collection::vec("[ a-z'$\\{}\\\\\"]{0,8}", 1..5)) {
            let value = lines.join("\n");
            let best = best_string_literal(&value, "    ", "\n").unwrap();
            prop_assert_eq!(decode_string_literal(&best), Some(value));
        }
    }
}
