//! Data-driven tests over `tests/fixtures/nix/*.nix`.
//!
//! For every fixture: the tree prints back byte for byte; the bindings the query layer sees
//! are snapshotted; and each operation in the sibling `.edits` file is applied to the
//! original text and snapshotted as a unified diff (or the error it gave). Every accepted
//! edit is re-parsed by rnix (inside `apply`) and, when it is on PATH, by real
//! `nix-instantiate --parse`.
//!
//! `.edits` lines: `OP PATH ARG`, where ARG is JSON. A list element is a JSON string (a Nix
//! string) or `{"expr": "…"}` (Nix text). OPs: `set-string`, `set-expr`, `set-list`,
//! `add-item`, `remove-item`, `remove`, `set-comment` (the comment after the binding on its
//! line), `insert` (ARG `[key, valueExpr]`; PATH `.` is the file's top-level attribute set).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use goflake_syntax::edit::{self, ListItem};
use goflake_syntax::{AttrPath, Literal, SourceFile, TextEdit, attrset_of, bindings, find};
use serde_json::Value;

fn fixtures() -> Vec<PathBuf> {
    goflake_testkit::nix_fixtures()
}

fn load(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap();
    SourceFile::parse(path.file_name().unwrap().to_string_lossy(), text)
}

/// Control characters a reader of a snapshot could not see.
fn visible(text: &str) -> String {
    text.replace('\r', "␍").replace('\t', "→")
}

#[test]
fn there_are_enough_fixtures() {
    let count = fixtures().len();
    assert!(count >= 25, "only {count} fixtures");
}

#[test]
fn every_fixture_round_trips_byte_for_byte() {
    for path in fixtures() {
        let file = load(&path);
        assert_eq!(file.root().to_string(), file.text(), "{}", path.display());
    }
}

#[test]
fn only_the_broken_fixtures_have_errors() {
    for path in fixtures() {
        let file = load(&path);
        let broken = file.name().starts_with("broken-");
        assert_eq!(file.has_errors(), broken, "{}", file.render_diagnostics());
    }
}

fn describe_literal(file: &SourceFile, binding: &goflake_syntax::Binding) -> String {
    match goflake_syntax::read_literal(file, binding) {
        Ok(Literal::String(s)) => serde_json::to_string(&s).unwrap(),
        Ok(Literal::StringList(items)) => serde_json::to_string(&items).unwrap(),
        Ok(Literal::Null) => "null".into(),
        Ok(Literal::Bool(b)) => b.to_string(),
        Ok(Literal::Int(i)) => i.to_string(),
        Err(err) => format!("<{err}>"),
    }
}

#[test]
fn queries() {
    insta::glob!("../../../tests/fixtures/nix", "*.nix", |path| {
        let file = load(path);
        let mut out = String::new();
        if file.has_errors() {
            writeln!(out, "diagnostics:\n{}", file.render_diagnostics()).unwrap();
        }
        for binding in bindings(&file) {
            let at = file.line_col(binding.range().start());
            writeln!(
                out,
                "{at} {} = {}",
                binding.path(),
                describe_literal(&file, &binding)
            )
            .unwrap();
        }
        insta::assert_snapshot!(visible(&out));
    });
}

fn list_item(value: &Value) -> ListItem {
    match value {
        Value::String(s) => ListItem::Str(s.clone()),
        Value::Object(o) => ListItem::Expr(o["expr"].as_str().unwrap().to_owned()),
        other => panic!("not a list item: {other}"),
    }
}

fn run_op(file: &SourceFile, line: &str) -> Result<Vec<TextEdit>, String> {
    let (op, rest) = line.split_once(' ').unwrap();
    // The path ends at the first space outside quotes.
    let mut quoted = false;
    let end = rest
        .char_indices()
        .find(|&(_, c)| {
            quoted ^= c == '"';
            c == ' ' && !quoted
        })
        .map_or(rest.len(), |(i, _)| i);
    let (path, arg) = rest.split_at(end);
    let arg: Value = match arg.trim() {
        "" => Value::Null,
        json => serde_json::from_str(json).unwrap_or_else(|e| panic!("{line}: {e}")),
    };
    let target = || -> Result<goflake_syntax::Binding, String> {
        let path: AttrPath = path.parse().map_err(|e| format!("{e}"))?;
        find(file, &path).map_err(|e| e.to_string())
    };
    let result = match op {
        "set-string" => edit::set_string(file, &target()?, arg.as_str().unwrap()),
        "set-expr" => edit::set_expr(file, &target()?, arg.as_str().unwrap()),
        "set-list" => {
            let items: Vec<ListItem> = arg.as_array().unwrap().iter().map(list_item).collect();
            edit::set_list(file, &target()?, &items)
        }
        "add-item" => edit::add_list_item(file, &target()?, list_item(&arg)),
        "remove-item" => edit::remove_list_item(file, &target()?, &list_item(&arg)),
        "remove" => edit::remove_binding(file, &target()?),
        "set-comment" => Ok(edit::set_trailing_comment(
            &target()?,
            arg.as_str().unwrap(),
        )),
        "insert" => {
            let container = if path == "." {
                attrset_of(file.root())
            } else {
                target()?.value().and_then(attrset_of)
            }
            .ok_or_else(|| format!("`{path}` is not an attribute set"))?;
            let key: AttrPath = arg[0].as_str().unwrap().parse().unwrap();
            edit::insert_binding(file, &container, &key, arg[1].as_str().unwrap())
        }
        other => panic!("unknown op {other}"),
    };
    result.map_err(|e| e.to_string())
}

#[test]
fn edits() {
    let nix_instantiate =
        goflake_testkit::require_tool("fixtures::edits (nix parse)", "nix-instantiate");
    insta::glob!("../../../tests/fixtures/nix", "*.nix", |path| {
        let file = load(path);
        let spec = std::fs::read_to_string(path.with_extension("edits"))
            .unwrap_or_else(|_| panic!("{} has no .edits file", path.display()));
        let mut out = String::new();
        for line in spec.lines().filter(|l| !l.trim().is_empty()) {
            writeln!(out, "== {line}").unwrap();
            let edited = run_op(&file, line)
                .and_then(|edits| edit::apply(&file, edits).map_err(|e| e.to_string()));
            match edited {
                Ok(edited) => {
                    assert_eq!(edited.root().to_string(), edited.text());
                    let diff = similar::TextDiff::from_lines(file.text(), edited.text())
                        .unified_diff()
                        .context_radius(2)
                        .to_string();
                    assert!(!diff.is_empty(), "{line}: the edit changed nothing");
                    out.push_str(&visible(&diff));
                    if let Some(nix) = &nix_instantiate
                        && !file.has_errors()
                    {
                        goflake_testkit::assert_nix_parses_text(nix, edited.text(), line);
                    }
                }
                Err(err) => writeln!(out, "error: {}", visible(&err)).unwrap(),
            }
        }
        insta::assert_snapshot!(out);
    });
}

/// `set --expr` of a binding's own current text changes nothing, in every fixture.
#[test]
fn setting_a_value_to_its_own_text_is_a_no_op() {
    for path in fixtures() {
        let file = load(&path);
        if file.has_errors() {
            continue;
        }
        for binding in bindings(&file) {
            let Some(value) = binding.value() else {
                continue;
            };
            let own = value.text().to_string();
            let edits = edit::set_expr(&file, &binding, &own)
                .unwrap_or_else(|e| panic!("{}: {}: {e}", path.display(), binding.path()));
            let edited = edit::apply(&file, edits).unwrap();
            assert_eq!(
                edited.text(),
                file.text(),
                "{}: {} set to its own text changed the file",
                path.display(),
                binding.path()
            );
        }
    }
}
