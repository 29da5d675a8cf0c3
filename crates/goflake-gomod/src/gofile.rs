//! What goflake reads from a Go source file: its build constraint, package name, imports,
//! and a package-level `version` variable. Only the file header is lexed (comments and
//! strings respected), as `go/build` does.

use crate::constraint::Constraint;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoFileHeader {
    pub package: String,
    pub constraint: Option<Constraint>,
    pub imports: Vec<String>,
    /// `version` or `Version` declared as a package-level string variable.
    pub version_var: Option<String>,
    /// The string literal a package-level `version`/`Version` var or const is set to.
    pub declared_version: Option<String>,
    /// `//go:generate go run <pkg>` arguments: packages run as generators, not shipped.
    pub generate_runs: Vec<String>,
}

/// A tiny Go lexer for the header: identifiers, strings, punctuation; comments are returned
/// separately only where they carry `//go:build`.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

#[derive(Debug, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    Str(String),
    Punct(char),
}

impl<'a> Lexer<'a> {
    fn skip_space_and_comments(&mut self) {
        loop {
            let rest = &self.text[self.pos..];
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if let Some(body) = trimmed.strip_prefix("/*") {
                self.pos += 2 + body.find("*/").map_or(body.len(), |i| i + 2);
            } else {
                return;
            }
        }
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        self.skip_space_and_comments();
        let rest = &self.text[self.pos..];
        let c = rest.chars().next()?;
        if c.is_alphabetic() || c == '_' {
            let len = rest
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            self.pos += len;
            return Some(Tok::Ident(&rest[..len]));
        }
        if c == '"' {
            let mut value = String::new();
            let mut chars = rest[1..].char_indices();
            while let Some((i, ch)) = chars.next() {
                match ch {
                    '"' => {
                        self.pos += i + 2;
                        return Some(Tok::Str(value));
                    }
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '\n' => break,
                    ch => value.push(ch),
                }
            }
            self.pos = self.text.len();
            return None;
        }
        if c == '`' {
            let end = rest[1..].find('`').map_or(rest.len(), |i| i + 2);
            self.pos += end;
            return Some(Tok::Str(rest[1..end.saturating_sub(1).max(1)].to_owned()));
        }
        self.pos += c.len_utf8();
        Some(Tok::Punct(c))
    }
}

/// The `//go:build` line of a file: it must come before the package clause, preceded only by
/// blank lines and other line comments.
fn build_line(text: &str) -> Option<&str> {
    let mut in_block = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if in_block {
            if trimmed.contains("*/") {
                in_block = false;
            }
            continue;
        }
        if let Some(expr) = trimmed.strip_prefix("//go:build") {
            if expr.starts_with([' ', '\t']) || expr.is_empty() {
                return Some(expr.trim());
            }
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with("//") {
            continue;
        }
        if trimmed.starts_with("/*") {
            in_block = !trimmed.contains("*/");
            continue;
        }
        return None;
    }
    None
}

/// Reads the header of a Go file; `None` when it has no package clause.
pub fn read_header(text: &str) -> Result<Option<GoFileHeader>, String> {
    let constraint = match build_line(text) {
        Some(expr) => Some(Constraint::parse(expr).map_err(|e| format!("//go:build {expr}: {e}"))?),
        None => None,
    };
    let mut lexer = Lexer { text, pos: 0 };
    if lexer.next() != Some(Tok::Ident("package")) {
        return Ok(None);
    }
    let Some(Tok::Ident(package)) = lexer.next() else {
        return Ok(None);
    };
    let mut imports = Vec::new();
    loop {
        let save = lexer.pos;
        match lexer.next() {
            Some(Tok::Punct(';')) => continue,
            Some(Tok::Ident("import")) => {}
            _ => {
                lexer.pos = save;
                break;
            }
        }
        match lexer.next() {
            Some(Tok::Punct('(')) => loop {
                match lexer.next() {
                    Some(Tok::Punct(')')) | None => break,
                    Some(Tok::Str(path)) => imports.push(path),
                    _ => {}
                }
            },
            Some(Tok::Str(path)) => imports.push(path),
            // `import name "path"` / `import . "path"` / `import _ "path"`.
            Some(_) => {
                if let Some(Tok::Str(path)) = lexer.next() {
                    imports.push(path);
                }
            }
            None => break,
        }
    }
    let body = &text[lexer.pos..];
    let version_var = find_version_var(body);
    Ok(Some(GoFileHeader {
        package: package.to_owned(),
        constraint,
        imports,
        version_var,
        declared_version: declared_value(body, &["version", "Version"]),
        generate_runs: generate_runs(text),
    }))
}

/// The string literal bound to one of `names` by a package-level `var` or `const`
/// (`var version = "0.66"`, `const Version = "1.2.3"`, or inside a `( … )` block).
pub fn declared_value(body: &str, names: &[&str]) -> Option<String> {
    let mut in_block = false;
    for line in body.lines() {
        let code = line.split("//").next().unwrap_or("");
        let decl = if in_block {
            if code.trim_start().starts_with(')') {
                in_block = false;
                continue;
            }
            code.trim()
        } else {
            let Some(rest) = code
                .strip_prefix("var")
                .or_else(|| code.strip_prefix("const"))
            else {
                continue;
            };
            if !rest.starts_with([' ', '\t', '(']) {
                continue;
            }
            let rest = rest.trim();
            if rest.starts_with('(') {
                in_block = true;
                continue;
            }
            rest
        };
        let Some((lhs, value)) = decl.split_once('=') else {
            continue;
        };
        let mut words = lhs.split_whitespace();
        let (Some(name), rest) = (words.next(), words.next()) else {
            continue;
        };
        if !names.contains(&name) || rest.is_some_and(|r| r != "string") {
            continue;
        }
        let value = value.trim();
        let literal = match value.chars().next() {
            Some('"') => value[1..].split('"').next(),
            Some('`') => value[1..].split('`').next(),
            _ => None,
        };
        if let Some(literal) = literal
            && !literal.contains('\\')
        {
            return Some(literal.to_owned());
        }
    }
    None
}

/// The packages a file runs through `//go:generate go run PKG` (a directory, a `.go` file
/// or an import path), as written.
fn generate_runs(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("//go:generate "))
        .filter_map(|command| {
            let mut words = command.split_whitespace();
            (words.next() == Some("go") && words.next() == Some("run"))
                .then(|| words.find(|w| !w.starts_with('-')))
                .flatten()
                .map(str::to_owned)
        })
        .collect()
}

/// A package-level `var version string`, `var Version = "dev"` or the same inside `var ( … )`.
fn find_version_var(body: &str) -> Option<String> {
    let mut in_var_block = false;
    for line in body.lines() {
        let code = line.split("//").next().unwrap_or("");
        if in_var_block {
            if code.trim_start().starts_with(')') {
                in_var_block = false;
                continue;
            }
            if let Some(name) = version_decl(code.trim()) {
                return Some(name);
            }
            continue;
        }
        if !code.starts_with("var") {
            continue;
        }
        let rest = code["var".len()..].trim();
        if rest.starts_with('(') {
            in_var_block = true;
        } else if let Some(name) = version_decl(rest) {
            return Some(name);
        }
    }
    None
}

/// `version string`, `Version = "dev"`, `version, commit = "dev", "none"` → the name.
fn version_decl(decl: &str) -> Option<String> {
    let (lhs, value) = match decl.split_once('=') {
        Some((lhs, value)) => (lhs, Some(value.trim_start())),
        None => (decl, None),
    };
    let mut words: Vec<&str> = lhs
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let typed_string = words.last() == Some(&"string");
    if typed_string {
        words.pop();
    }
    if !words
        .iter()
        .all(|w| w.chars().all(|c| c.is_alphanumeric() || c == '_'))
    {
        return None;
    }
    let name = words
        .iter()
        .find(|w| **w == "version" || **w == "Version")?;
    let string_value = value.is_some_and(|v| v.starts_with(['"', '`']));
    (typed_string || string_value).then(|| (*name).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_with_constraint_imports_and_version() {
        let text = r#"// Copyright notice.

//go:build linux && !cgo

/* block
comment */
package main // the main package

import "fmt"
import (
	"os"
	str "strings"
	_ "embed" // embed
	. "math"
)
import "C"

var (
	commit = "none"
	version = "dev"
)

func main() { fmt.Println("import \"nope\"") }
"#;
        let header = read_header(text).unwrap().unwrap();
        assert_eq!(header.package, "main");
        assert_eq!(
            header.imports,
            ["fmt", "os", "strings", "embed", "math", "C"]
        );
        assert_eq!(header.version_var.as_deref(), Some("version"));
        assert!(header.constraint.is_some());
    }

    #[test]
    fn build_line_must_precede_package() {
        assert_eq!(build_line("package x\n//go:build ignore\n"), None);
        assert_eq!(
            build_line("//go:build ignore\n\npackage x\n"),
            Some("ignore")
        );
        assert_eq!(build_line("//go:buildfoo\npackage x\n"), None);
    }

    #[test]
    fn declared_versions() {
        assert_eq!(
            declared_value("var version = \"0.66\"\n", &["version"]).as_deref(),
            Some("0.66")
        );
        assert_eq!(
            declared_value(
                "const (\n\tname = \"x\"\n\tVersion string = `1.2.3`\n)\n",
                &["Version"]
            )
            .as_deref(),
            Some("1.2.3")
        );
        assert_eq!(declared_value("var version string\n", &["version"]), None);
        assert_eq!(declared_value("var versionX = \"1\"\n", &["version"]), None);
        assert_eq!(
            declared_value("func f() {\n\tvar version = \"x\"\n}\n", &["version"]),
            None
        );
    }

    #[test]
    fn generators_run_by_go_generate() {
        let text = "package x\n\n//go:generate go run ./internal/gen -out x.go\n//go:generate go run -mod=mod gen.go\n//go:generate stringer -type T\n";
        assert_eq!(generate_runs(text), ["./internal/gen", "gen.go"]);
    }

    #[test]
    fn version_variables() {
        assert_eq!(
            find_version_var("var Version string\n").as_deref(),
            Some("Version")
        );
        assert_eq!(
            find_version_var("var version = \"0.1\"\n").as_deref(),
            Some("version")
        );
        assert_eq!(find_version_var("var versionInfo = 1\n"), None);
        assert_eq!(
            find_version_var("func f() {\n\tvar version = \"x\"\n}\n"),
            None
        );
        assert_eq!(find_version_var("var version = 3\n"), None);
        assert_eq!(
            find_version_var("var version, commit = \"dev\", \"none\"\n").as_deref(),
            Some("version")
        );
        assert_eq!(
            find_version_var("var commit, Version string\n").as_deref(),
            Some("Version")
        );
    }
}
