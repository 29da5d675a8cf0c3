//! go.mod and go.work, parsed by their grammar (as `golang.org/x/mod/modfile` does): a file is
//! a sequence of lines; a line is a verb and its arguments, or a verb and a parenthesised
//! block of argument lines. Tokens are bare words, `"interpreted"` or `` `raw` `` strings,
//! `(`, `)`, `=>` and `[`, `]`, `,` (for retract intervals). `//` starts a comment.

use serde::Serialize;

/// A position in a file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{}:{}: {message}", .pos.line, .pos.col)]
pub struct ModFileError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
    Arrow,
    Newline,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: Pos,
    /// A `//` comment at the end of this token's line (kept for `// indirect`).
    comment: Option<String>,
}

fn lex(file: &str, text: &str) -> Result<Vec<Token>, ModFileError> {
    let mut tokens: Vec<Token> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut col) = (0, 1, 1);
    let err = |line, col, message: String| ModFileError {
        file: file.to_owned(),
        pos: Pos { line, col },
        message,
    };
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, col };
        match c {
            '\n' => {
                tokens.push(Token {
                    tok: Tok::Newline,
                    pos,
                    comment: None,
                });
                i += 1;
                line += 1;
                col = 1;
            }
            ' ' | '\t' | '\r' => {
                i += 1;
                col += 1;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                let start = i + 2;
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                    col += 1;
                }
                let comment: String = chars[start..i].iter().collect();
                // Attach to the last token of this line, if any.
                if let Some(last) = tokens.last_mut()
                    && last.tok != Tok::Newline
                    && last.pos.line == line
                {
                    last.comment = Some(comment.trim().to_owned());
                }
            }
            '(' | ')' => {
                tokens.push(Token {
                    tok: if c == '(' { Tok::LParen } else { Tok::RParen },
                    pos,
                    comment: None,
                });
                i += 1;
                col += 1;
            }
            '=' if chars.get(i + 1) == Some(&'>') => {
                tokens.push(Token {
                    tok: Tok::Arrow,
                    pos,
                    comment: None,
                });
                i += 2;
                col += 2;
            }
            '"' => {
                let mut value = String::new();
                i += 1;
                col += 1;
                loop {
                    match chars.get(i) {
                        None | Some('\n') => {
                            return Err(err(
                                pos.line,
                                pos.col,
                                "unterminated quoted string".into(),
                            ));
                        }
                        Some('"') => {
                            i += 1;
                            col += 1;
                            break;
                        }
                        Some('\\') => {
                            let escaped = match chars.get(i + 1) {
                                Some('n') => '\n',
                                Some('t') => '\t',
                                Some('\\') => '\\',
                                Some('"') => '"',
                                Some(other) => {
                                    return Err(err(
                                        line,
                                        col,
                                        format!("unsupported escape `\\{other}` in quoted string"),
                                    ));
                                }
                                None => {
                                    return Err(err(
                                        line,
                                        col,
                                        "unterminated quoted string".into(),
                                    ));
                                }
                            };
                            value.push(escaped);
                            i += 2;
                            col += 2;
                        }
                        Some(&ch) => {
                            value.push(ch);
                            i += 1;
                            col += 1;
                        }
                    }
                }
                tokens.push(Token {
                    tok: Tok::Str(value),
                    pos,
                    comment: None,
                });
            }
            '`' => {
                let start = i + 1;
                i += 1;
                col += 1;
                while i < chars.len() && chars[i] != '`' {
                    if chars[i] == '\n' {
                        line += 1;
                        col = 0;
                    }
                    i += 1;
                    col += 1;
                }
                if i == chars.len() {
                    return Err(err(pos.line, pos.col, "unterminated raw string".into()));
                }
                let value: String = chars[start..i].iter().collect();
                i += 1;
                col += 1;
                tokens.push(Token {
                    tok: Tok::Str(value),
                    pos,
                    comment: None,
                });
            }
            _ => {
                let start = i;
                let ends_word = |i: usize| {
                    let next = chars.get(i + 1);
                    matches!(chars[i], ' ' | '\t' | '\r' | '\n' | '(' | ')' | '"' | '`')
                        || (chars[i] == '/' && next == Some(&'/'))
                        || (chars[i] == '=' && next == Some(&'>'))
                };
                while i < chars.len() && !ends_word(i) {
                    i += 1;
                    col += 1;
                }
                tokens.push(Token {
                    tok: Tok::Word(chars[start..i].iter().collect()),
                    pos,
                    comment: None,
                });
            }
        }
    }
    tokens.push(Token {
        tok: Tok::Newline,
        pos: Pos { line, col },
        comment: None,
    });
    Ok(tokens)
}

/// One line of a directive: its arguments (words and strings, `=>` as the word `=>`).
#[derive(Debug, Clone)]
pub struct Line {
    pub verb: String,
    pub args: Vec<String>,
    pub pos: Pos,
    pub comment: Option<String>,
}

/// Splits a go.mod/go.work text into directive lines (block lines carry their block's verb).
fn lines(file: &str, text: &str) -> Result<Vec<Line>, ModFileError> {
    let tokens = lex(file, text)?;
    let mut out = Vec::new();
    let mut i = 0;
    let err = |pos: Pos, message: String| ModFileError {
        file: file.to_owned(),
        pos,
        message,
    };
    let word = |t: &Token| match &t.tok {
        Tok::Word(w) | Tok::Str(w) => Some(w.clone()),
        Tok::Arrow => Some("=>".to_owned()),
        _ => None,
    };
    while i < tokens.len() {
        let token = &tokens[i];
        match &token.tok {
            Tok::Newline => {
                i += 1;
                continue;
            }
            Tok::Word(verb) => {
                let verb = verb.clone();
                let verb_pos = token.pos;
                i += 1;
                if tokens[i].tok == Tok::LParen {
                    i += 1;
                    if tokens[i].tok != Tok::Newline {
                        return Err(err(
                            tokens[i].pos,
                            format!("expected a line break after `{verb} (`"),
                        ));
                    }
                    // Block: lines until `)`.
                    loop {
                        match &tokens.get(i).map(|t| &t.tok) {
                            None => {
                                return Err(err(
                                    verb_pos,
                                    format!("unterminated `{verb} (` block"),
                                ));
                            }
                            Some(Tok::Newline) => i += 1,
                            Some(Tok::RParen) => {
                                i += 1;
                                break;
                            }
                            Some(_) => {
                                let pos = tokens[i].pos;
                                let mut args = Vec::new();
                                let mut comment = None;
                                while tokens[i].tok != Tok::Newline {
                                    if tokens[i].tok == Tok::RParen {
                                        break;
                                    }
                                    let arg = word(&tokens[i]).ok_or_else(|| {
                                        err(tokens[i].pos, "unexpected `(` inside a block".into())
                                    })?;
                                    comment = tokens[i].comment.clone().or(comment);
                                    args.push(arg);
                                    i += 1;
                                }
                                out.push(Line {
                                    verb: verb.clone(),
                                    args,
                                    pos,
                                    comment,
                                });
                            }
                        }
                    }
                } else {
                    let mut args = Vec::new();
                    let mut comment = token.comment.clone();
                    while tokens[i].tok != Tok::Newline {
                        let arg = word(&tokens[i]).ok_or_else(|| {
                            err(
                                tokens[i].pos,
                                format!(
                                    "unexpected `{}`",
                                    match tokens[i].tok {
                                        Tok::LParen => "(",
                                        _ => ")",
                                    }
                                ),
                            )
                        })?;
                        comment = tokens[i].comment.clone().or(comment);
                        args.push(arg);
                        i += 1;
                    }
                    out.push(Line {
                        verb,
                        args,
                        pos: verb_pos,
                        comment,
                    });
                }
            }
            _ => return Err(err(token.pos, "expected a directive".into())),
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Require {
    pub path: String,
    pub version: String,
    pub indirect: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replace {
    pub old_path: String,
    pub old_version: Option<String>,
    pub new_path: String,
    pub new_version: Option<String>,
    /// The replacement is a directory (`./x`, `../x`, `/x`): the Nix source must contain it.
    pub local: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleVersion {
    pub path: String,
    pub version: String,
}

/// A parsed go.mod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct GoMod {
    pub module: String,
    pub go: Option<String>,
    pub toolchain: Option<String>,
    pub require: Vec<Require>,
    pub replace: Vec<Replace>,
    pub exclude: Vec<ModuleVersion>,
    /// Retracted versions or intervals, as written (`v1.0.0`, `[v1.0.0, v1.1.0]`).
    pub retract: Vec<String>,
    pub tool: Vec<String>,
    pub godebug: Vec<String>,
    pub ignore: Vec<String>,
}

fn arity(file: &str, line: &Line, expected: &str, ok: bool) -> Result<(), ModFileError> {
    if ok {
        Ok(())
    } else {
        Err(ModFileError {
            file: file.to_owned(),
            pos: line.pos,
            message: format!("usage: {} {expected}", line.verb),
        })
    }
}

fn parse_replace(file: &str, line: &Line) -> Result<Replace, ModFileError> {
    let usage = "module/path [v1.2.3] => other/module v1.4 | ../local/directory";
    let arrow = line.args.iter().position(|a| a == "=>");
    let Some(arrow) = arrow else {
        arity(file, line, usage, false)?;
        unreachable!()
    };
    let (old, new) = (&line.args[..arrow], &line.args[arrow + 1..]);
    arity(
        file,
        line,
        usage,
        (1..=2).contains(&old.len()) && (1..=2).contains(&new.len()),
    )?;
    let new_path = new[0].clone();
    let local = new_path.starts_with("./")
        || new_path.starts_with("../")
        || new_path.starts_with('/')
        || new_path == "."
        || new_path == "..";
    if local && new.len() == 2 {
        return Err(ModFileError {
            file: file.to_owned(),
            pos: line.pos,
            message: "a directory replacement takes no version".into(),
        });
    }
    if !local && new.len() == 1 {
        return Err(ModFileError {
            file: file.to_owned(),
            pos: line.pos,
            message: format!(
                "replacement module `{new_path}` needs a version (or `./` for a directory)"
            ),
        });
    }
    Ok(Replace {
        old_path: old[0].clone(),
        old_version: old.get(1).cloned(),
        new_path,
        new_version: new.get(1).cloned(),
        local,
    })
}

/// A path that breaks Go's rules, reported at its line as Go reports it.
fn checked_path(
    file: &str,
    line: &Line,
    what: &str,
    path: &str,
    check: fn(&str) -> Result<(), String>,
) -> Result<(), ModFileError> {
    check(path).map_err(|why| ModFileError {
        file: file.to_owned(),
        pos: line.pos,
        message: format!("malformed {what} path \"{}\": {why}", path.escape_default()),
    })
}

/// Parses go.mod text; `file` names it in errors.
pub fn parse_go_mod(file: &str, text: &str) -> Result<GoMod, ModFileError> {
    use crate::modpath::check_import_path;
    let mut module = None;
    let mut gomod = GoMod::default();
    for line in lines(file, text)? {
        let args = &line.args;
        match line.verb.as_str() {
            "module" => {
                arity(file, &line, "module/path", args.len() == 1)?;
                // The main module may be a plain name (`module hello`), as `go mod init` allows.
                checked_path(file, &line, "module", &args[0], check_import_path)?;
                if module.is_some() {
                    return Err(ModFileError {
                        file: file.to_owned(),
                        pos: line.pos,
                        message: "repeated module statement".into(),
                    });
                }
                module = Some(args[0].clone());
            }
            "go" => {
                arity(file, &line, "1.23", args.len() == 1)?;
                if gomod.go.is_some() {
                    return Err(ModFileError {
                        file: file.to_owned(),
                        pos: line.pos,
                        message: "repeated go statement".into(),
                    });
                }
                if parse_go_version(&args[0]).is_none() {
                    return Err(ModFileError {
                        file: file.to_owned(),
                        pos: line.pos,
                        message: format!(
                            "invalid go version `{}`: must match 1.23 or 1.23.0",
                            args[0]
                        ),
                    });
                }
                gomod.go = Some(args[0].clone());
            }
            "toolchain" => {
                arity(file, &line, "go1.23.0", args.len() == 1)?;
                gomod.toolchain = Some(args[0].clone());
            }
            "require" => {
                arity(file, &line, "module/path v1.2.3", args.len() == 2)?;
                // Not CheckPath's domain rule: a replaced requirement may be a plain name.
                checked_path(file, &line, "module", &args[0], check_import_path)?;
                gomod.require.push(Require {
                    path: args[0].clone(),
                    version: args[1].clone(),
                    indirect: line
                        .comment
                        .as_deref()
                        .is_some_and(|c| c.split(';').any(|p| p.trim() == "indirect")),
                });
            }
            "replace" => {
                let replace = parse_replace(file, &line)?;
                checked_path(file, &line, "module", &replace.old_path, check_import_path)?;
                if !replace.local {
                    checked_path(file, &line, "module", &replace.new_path, check_import_path)?;
                }
                gomod.replace.push(replace);
            }
            "exclude" => {
                arity(file, &line, "module/path v1.2.3", args.len() == 2)?;
                // Not CheckPath's domain rule: a replaced requirement may be a plain name.
                checked_path(file, &line, "module", &args[0], check_import_path)?;
                gomod.exclude.push(ModuleVersion {
                    path: args[0].clone(),
                    version: args[1].clone(),
                });
            }
            "retract" => {
                arity(file, &line, "v1.2.3 | [v1.2.3, v1.3.0]", !args.is_empty())?;
                gomod.retract.push(args.join(" "));
            }
            "tool" => {
                arity(file, &line, "package/path", args.len() == 1)?;
                checked_path(file, &line, "import", &args[0], check_import_path)?;
                gomod.tool.push(args[0].clone());
            }
            "godebug" => {
                arity(
                    file,
                    &line,
                    "key=value",
                    args.len() == 1 && args[0].contains('='),
                )?;
                gomod.godebug.push(args[0].clone());
            }
            "ignore" => {
                arity(file, &line, "./directory", args.len() == 1)?;
                gomod.ignore.push(args[0].clone());
            }
            other => {
                return Err(ModFileError {
                    file: file.to_owned(),
                    pos: line.pos,
                    message: format!("unknown directive `{other}`"),
                });
            }
        }
    }
    gomod.module = module.ok_or_else(|| ModFileError {
        file: file.to_owned(),
        pos: Pos { line: 1, col: 1 },
        message: "no module statement".into(),
    })?;
    Ok(gomod)
}

/// A parsed go.work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct GoWork {
    pub go: Option<String>,
    pub toolchain: Option<String>,
    pub uses: Vec<String>,
    pub replace: Vec<Replace>,
}

pub fn parse_go_work(file: &str, text: &str) -> Result<GoWork, ModFileError> {
    let mut work = GoWork::default();
    for line in lines(file, text)? {
        let args = &line.args;
        match line.verb.as_str() {
            "go" => {
                arity(file, &line, "1.23", args.len() == 1)?;
                work.go = Some(args[0].clone());
            }
            "toolchain" => {
                arity(file, &line, "go1.23.0", args.len() == 1)?;
                work.toolchain = Some(args[0].clone());
            }
            "use" => {
                arity(file, &line, "./module/directory", args.len() == 1)?;
                work.uses.push(args[0].clone());
            }
            "replace" => work.replace.push(parse_replace(file, &line)?),
            "godebug" => {}
            other => {
                return Err(ModFileError {
                    file: file.to_owned(),
                    pos: line.pos,
                    message: format!("unknown directive `{other}` in go.work"),
                });
            }
        }
    }
    Ok(work)
}

/// `1.22`, `1.22.3`, `1.22rc1` → (major, minor, patch).
pub fn parse_go_version(text: &str) -> Option<(u32, u32, u32)> {
    let text = text.strip_prefix("go").unwrap_or(text);
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor_text = parts.next()?;
    let digits: String = minor_text
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let minor = digits.parse().ok()?;
    let rest = &minor_text[digits.len()..];
    if !(rest.is_empty() || rest.starts_with("rc") || rest.starts_with("beta")) {
        return None;
    }
    let patch = match parts.next() {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_block_forms_with_comments() {
        let text = r#"// The module.
module "example.com/m/v2" // quoted

go 1.22.3
toolchain go1.23.1

require golang.org/x/text v0.14.0
require (
	example.com/a v1.0.0 // indirect
	`example.com/b` v1.2.0
)
replace example.com/a => ./third_party/a
replace (
	example.com/b v1.2.0 => example.com/c v1.3.0
)
exclude example.com/a v0.9.0
retract [v2.0.0, v2.0.5] // broken
retract v2.1.0
tool golang.org/x/tools/cmd/stringer
godebug default=go1.21
"#;
        let m = parse_go_mod("go.mod", text).unwrap();
        assert_eq!(m.module, "example.com/m/v2");
        assert_eq!(m.go.as_deref(), Some("1.22.3"));
        assert_eq!(m.toolchain.as_deref(), Some("go1.23.1"));
        assert_eq!(m.require.len(), 3);
        assert!(m.require[1].indirect);
        assert_eq!(m.require[2].path, "example.com/b");
        assert!(m.replace[0].local);
        assert!(!m.replace[1].local);
        assert_eq!(m.replace[1].old_version.as_deref(), Some("v1.2.0"));
        assert_eq!(m.retract, ["[v2.0.0, v2.0.5]", "v2.1.0"]);
        assert_eq!(m.tool, ["golang.org/x/tools/cmd/stringer"]);
    }

    #[test]
    fn errors_carry_positions() {
        let err = parse_go_mod("go.mod", "module x\n\nrequire (\n\tfoo\n)\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "go.mod:4:2: usage: require module/path v1.2.3"
        );
        let err = parse_go_mod("go.mod", "module x\nfrobnicate y\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "go.mod:2:1: unknown directive `frobnicate`"
        );
        let err = parse_go_mod("go.mod", "module \"x\n").unwrap_err();
        assert_eq!(err.to_string(), "go.mod:1:8: unterminated quoted string");
        let err = parse_go_mod("go.mod", "module x\ngo one\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("go.mod:2:1: invalid go version"),
            "{err}"
        );
        let err = parse_go_mod("go.mod", "go 1.22\n").unwrap_err();
        assert_eq!(err.to_string(), "go.mod:1:1: no module statement");
        let err = parse_go_mod("go.mod", "module x\nrequire (\n\ta v1\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "go.mod:2:1: unterminated `require (` block"
        );
    }

    #[test]
    fn go_versions() {
        assert_eq!(parse_go_version("1.22"), Some((1, 22, 0)));
        assert_eq!(parse_go_version("1.22.3"), Some((1, 22, 3)));
        assert_eq!(parse_go_version("go1.23rc1"), Some((1, 23, 0)));
        assert_eq!(parse_go_version("1"), None);
        assert_eq!(parse_go_version("1.x"), None);
    }
}
