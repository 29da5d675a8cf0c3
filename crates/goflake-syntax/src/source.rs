//! A parsed Nix file: the text, its lossless tree, and its diagnostics.

use std::fmt;

use rnix::{ParseError, SyntaxKind, SyntaxNode, TextRange, TextSize};

/// One parse error, located in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: TextRange,
    pub message: String,
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A Nix file parsed losslessly: printing the tree gives back `text` byte for byte.
#[derive(Clone)]
pub struct SourceFile {
    name: String,
    text: String,
    root: SyntaxNode,
    diagnostics: Vec<Diagnostic>,
    line_starts: Vec<usize>,
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.name)
            .field("diagnostics", &self.diagnostics)
            .finish_non_exhaustive()
    }
}

/// How deeply brackets, braces, parentheses, strings and interpolations may nest. Nix's own
/// parser gives up a little below this (about 10,000 parentheses, 5,000 lists); deeper input
/// is refused with a diagnostic instead of being parsed.
pub const MAX_NESTING: usize = 10_000;

/// How many binary operators one file may hold: a chain of them nests the tree one level
/// each (`"x" + "x" + …`), and a tree far deeper than any real file is refused.
pub const MAX_OPERATORS: usize = 500_000;

/// The stack for parsing a deeply nested file (reserved, not used, until it is needed).
const PARSE_STACK: usize = 1 << 30;

/// Where `text` nests deeper than goflake parses, or holds more operators: the offset and a
/// message. The tokenizer is iterative, so this never recurses.
fn too_deep(text: &str) -> Option<(TextSize, String)> {
    use SyntaxKind::*;
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut offset = TextSize::from(0);
    for (kind, token) in rnix::tokenize(text) {
        match kind {
            TOKEN_L_PAREN | TOKEN_L_BRACK | TOKEN_L_BRACE | TOKEN_INTERPOL_START
            | TOKEN_STRING_START => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((
                        offset,
                        format!(
                            "nested more than {MAX_NESTING} levels deep here; goflake (like Nix, whose parser stops near that depth) does not parse it"
                        ),
                    ));
                }
            }
            TOKEN_R_PAREN | TOKEN_R_BRACK | TOKEN_R_BRACE | TOKEN_INTERPOL_END
            | TOKEN_STRING_END => depth = depth.saturating_sub(1),
            TOKEN_ADD | TOKEN_SUB | TOKEN_MUL | TOKEN_DIV | TOKEN_CONCAT | TOKEN_UPDATE
            | TOKEN_AND_AND | TOKEN_OR_OR | TOKEN_EQUAL | TOKEN_NOT_EQUAL | TOKEN_LESS
            | TOKEN_LESS_OR_EQ | TOKEN_MORE | TOKEN_MORE_OR_EQ | TOKEN_IMPLICATION
            | TOKEN_PIPE_LEFT | TOKEN_PIPE_RIGHT | TOKEN_QUESTION | TOKEN_COLON => {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Some((
                        offset,
                        format!(
                            "more than {MAX_OPERATORS} operators in one file; goflake does not parse it"
                        ),
                    ));
                }
            }
            _ => {}
        }
        offset += TextSize::of(token);
    }
    None
}

/// A tree that holds every token of `text` under one error node: lossless, and shallow.
fn flat_error_tree(text: &str) -> SyntaxNode {
    let mut builder = rowan::GreenNodeBuilder::new();
    builder.start_node(rowan::SyntaxKind(SyntaxKind::NODE_ROOT as u16));
    builder.start_node(rowan::SyntaxKind(SyntaxKind::NODE_ERROR as u16));
    for (kind, token) in rnix::tokenize(text) {
        builder.token(rowan::SyntaxKind(kind as u16), token);
    }
    builder.finish_node();
    builder.finish_node();
    SyntaxNode::new_root(builder.finish())
}

/// rnix's parser recurses once per nesting level: a deep (but allowed) file is parsed on a
/// thread with a large stack, whatever the caller's stack is.
fn parse_green(text: &str) -> rnix::Parse<rnix::Root> {
    let nested = rnix::tokenize(text)
        .filter(|(kind, _)| {
            matches!(
                kind,
                SyntaxKind::TOKEN_L_PAREN | SyntaxKind::TOKEN_L_BRACK | SyntaxKind::TOKEN_L_BRACE
            )
        })
        .count();
    if nested < 200 {
        return rnix::Root::parse(text);
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, || rnix::Root::parse(text))
            .ok()
            .and_then(|handle| handle.join().ok())
            .unwrap_or_else(|| rnix::Root::parse(text))
    })
}

impl SourceFile {
    /// Parses `text`; `name` is only used to render locations (`name:line:col`).
    pub fn parse(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let name = name.into();
        let text = text.into();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        if let Some((offset, message)) = too_deep(&text) {
            return SourceFile {
                name,
                root: flat_error_tree(&text),
                text,
                diagnostics: vec![Diagnostic {
                    range: TextRange::empty(offset),
                    message,
                }],
                line_starts,
            };
        }
        let parse = parse_green(&text);
        let end = TextRange::empty(TextSize::of(text.as_str()));
        let diagnostics = parse
            .errors()
            .iter()
            .map(|error| diagnostic_from(error, end))
            .collect();
        SourceFile {
            name,
            root: parse.syntax(),
            text,
            diagnostics,
            line_starts,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The root of the lossless tree (kind `NODE_ROOT`).
    pub fn root(&self) -> &SyntaxNode {
        &self.root
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn has_errors(&self) -> bool {
        !self.diagnostics.is_empty()
    }

    /// The file's line ending: `\r\n` when its first line break is CRLF.
    pub fn line_ending(&self) -> &'static str {
        match self.text.find('\n') {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }

    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let offset = usize::from(offset).min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            col,
        }
    }

    /// `name:line:col` of an offset.
    pub fn location(&self, offset: TextSize) -> String {
        format!("{}:{}", self.name, self.line_col(offset))
    }

    /// The text of a 1-based line without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    /// Start offset of the line containing `offset`.
    pub(crate) fn line_start(&self, offset: usize) -> usize {
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        self.line_starts[line]
    }

    /// Renders one message at an offset: `name:line:col: message`, the source line and a caret.
    /// A very long line (a generated or minified file) is shown around the caret only.
    pub fn render_at(&self, offset: TextSize, message: &str) -> String {
        const WINDOW: usize = 60;
        let at = self.line_col(offset);
        let full: Vec<char> = self.line_text(at.line).chars().collect();
        let caret = at.col - 1;
        let (start, end) = if full.len() > 3 * WINDOW {
            (
                caret.saturating_sub(WINDOW),
                (caret + WINDOW).min(full.len()),
            )
        } else {
            (0, full.len())
        };
        let mut line: String = full[start..end].iter().collect();
        let mut caret_col = caret - start;
        if start > 0 {
            line.insert(0, '…');
            caret_col += 1;
        }
        if end < full.len() {
            line.push('…');
        }
        let gutter = at.line.to_string();
        let pad = " ".repeat(gutter.len());
        // Tabs are kept under the caret so it lines up in a terminal.
        let caret_indent: String = line
            .chars()
            .take(caret_col)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "{}:{}: {message}\n{pad} |\n{gutter} | {line}\n{pad} | {caret_indent}^\n",
            self.name, at
        )
    }

    /// Every diagnostic rendered with [`SourceFile::render_at`].
    pub fn render_diagnostics(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| self.render_at(d.range.start(), &d.message))
            .collect()
    }
}

fn diagnostic_from(error: &ParseError, end: TextRange) -> Diagnostic {
    let (range, message) = match error {
        ParseError::Unexpected(range) => (*range, "unexpected input".to_owned()),
        ParseError::UnexpectedExtra(range) => (
            *range,
            "unexpected input after the end of the expression".to_owned(),
        ),
        ParseError::UnexpectedWanted(got, range, wanted) => (
            *range,
            format!(
                "unexpected {}, expected {}",
                kind_name(*got),
                one_of(wanted)
            ),
        ),
        ParseError::UnexpectedDoubleBind(range) => {
            (*range, "the pattern is bound twice".to_owned())
        }
        ParseError::UnexpectedEOF => (end, "unexpected end of file".to_owned()),
        ParseError::UnexpectedEOFWanted(wanted) => (
            end,
            format!("unexpected end of file, expected {}", one_of(wanted)),
        ),
        ParseError::DuplicatedArgs(range, name) => {
            (*range, format!("duplicate function argument `{name}`"))
        }
        ParseError::RecursionLimitExceeded => (end, "expression nested too deeply".to_owned()),
        other => (end, other.to_string()),
    };
    Diagnostic { range, message }
}

fn one_of(kinds: &[SyntaxKind]) -> String {
    let names: Vec<String> = kinds.iter().map(|k| kind_name(*k)).collect();
    match names.as_slice() {
        [] => "something else".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A reader's name for a token or node kind.
pub(crate) fn kind_name(kind: SyntaxKind) -> String {
    use SyntaxKind::*;
    let token = match kind {
        TOKEN_ASSIGN => "=",
        TOKEN_COLON => ":",
        TOKEN_COMMA => ",",
        TOKEN_DOT => ".",
        TOKEN_ELLIPSIS => "...",
        TOKEN_L_BRACE => "{",
        TOKEN_R_BRACE => "}",
        TOKEN_L_BRACK => "[",
        TOKEN_R_BRACK => "]",
        TOKEN_L_PAREN => "(",
        TOKEN_R_PAREN => ")",
        TOKEN_SEMICOLON => ";",
        TOKEN_QUESTION => "?",
        TOKEN_AT => "@",
        TOKEN_IN => "in",
        TOKEN_THEN => "then",
        TOKEN_ELSE => "else",
        TOKEN_INTERPOL_START => "${",
        TOKEN_INTERPOL_END => "}",
        TOKEN_STRING_END => "end of string",
        TOKEN_IDENT => return "an identifier".to_owned(),
        TOKEN_STRING_START => return "a string".to_owned(),
        TOKEN_ERROR => return "an invalid token".to_owned(),
        _ => {
            let debug = format!("{kind:?}");
            let word = debug
                .trim_start_matches("TOKEN_")
                .trim_start_matches("NODE_")
                .to_lowercase()
                .replace('_', " ");
            return word;
        }
    };
    format!("`{token}`")
}
