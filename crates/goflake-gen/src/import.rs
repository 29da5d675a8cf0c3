//! `goflake import shell.nix`: carry an existing `mkShell`'s packages, inputs, environment
//! variables and shellHook into the flake's devShell, keeping their expressions' text.

use goflake_syntax::edit::{self, ListItem};
use goflake_syntax::{AttrPath, SourceFile, SyntaxKind, SyntaxNode, TextEdit, attrset_of};

use crate::GenError;

/// The attribute set passed to the first `mkShell` call in the file.
fn mk_shell_args(file: &SourceFile) -> Option<SyntaxNode> {
    file.root()
        .descendants()
        .filter(|n| n.kind() == SyntaxKind::NODE_APPLY)
        .find(|apply| {
            apply
                .first_child()
                .is_some_and(|f| f.text().to_string().trim_end().ends_with("mkShell"))
        })
        .and_then(|apply| apply.last_child())
        .and_then(|arg| attrset_of(&arg))
}

/// The bindings directly in `set` whose logical path starts with one name, with that name.
fn entries(file: &SourceFile, set: &SyntaxNode) -> Vec<(String, goflake_syntax::Binding)> {
    goflake_syntax::bindings(file)
        .into_iter()
        .filter(|b| &b.container == set && b.value().is_some())
        .map(|b| {
            let entry_path = b
                .entry()
                .first_child()
                .map(|p| p.text().to_string())
                .unwrap_or_default();
            (entry_path, b)
        })
        .collect()
}

/// The elements of a list value, also through `with ns; [ … ]` (a bare name `x` becomes
/// `ns.x`, anything else `(with ns; …)`, so it means the same outside the `with`).
fn list_elements(value: &SyntaxNode) -> Option<Vec<ListItem>> {
    match value.kind() {
        SyntaxKind::NODE_LIST => Some(value.children().map(|e| edit::list_item_of(&e)).collect()),
        SyntaxKind::NODE_WITH => {
            let namespace = value.first_child()?.text().to_string();
            let body = value.last_child()?;
            if body.kind() != SyntaxKind::NODE_LIST {
                return None;
            }
            Some(
                body.children()
                    .map(|e| {
                        let text = e.text().to_string();
                        if e.kind() == SyntaxKind::NODE_IDENT {
                            ListItem::Expr(format!("{namespace}.{text}"))
                        } else {
                            ListItem::Expr(format!("(with {namespace}; {text})"))
                        }
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

/// The text of `node` with `indent` removed from the start of the lines after the first,
/// so it can be re-indented where it is inserted.
fn dedented(node: &SyntaxNode, indent: &str) -> String {
    let text = node.text().to_string();
    let mut lines = text.split('\n');
    let mut out = lines.next().unwrap_or("").to_owned();
    for line in lines {
        out.push('\n');
        out.push_str(line.strip_prefix(indent).unwrap_or(line));
    }
    out
}

/// The edits to `flake` that import `shell`'s mkShell into `devShells.default`, and warnings
/// for what the flake already set differently (the flake's value is kept).
pub fn import_shell(
    shell: &SourceFile,
    flake: &SourceFile,
) -> Result<(Vec<TextEdit>, Vec<String>), GenError> {
    let source = mk_shell_args(shell).ok_or_else(|| {
        GenError::Shape(format!("{}: no `mkShell {{ … }}` call found", shell.name()))
    })?;
    let path: AttrPath = "outputs.devShells.default".parse().expect("a valid path");
    let shell_binding = goflake_syntax::find(flake, &path)?;
    let target = shell_binding.value().and_then(attrset_of).ok_or_else(|| {
        GenError::Shape(format!(
            "{}: devShells.default is not a mkShell call",
            flake.name()
        ))
    })?;
    let existing = entries(flake, &target);
    let mut edits = Vec::new();
    let mut warnings = Vec::new();
    for (key, binding) in entries(shell, &source) {
        if key == "name" {
            continue;
        }
        let value = binding.value().expect("entries have values");
        let indent = edit::line_indent(shell, binding.entry().text_range().start()).to_owned();
        // `env.X` and a top-level `X` are the same variable (and nixpkgs refuses both).
        let bare = key.strip_prefix("env.").unwrap_or(&key).to_owned();
        let elements = list_elements(value);
        match existing
            .iter()
            .find(|(k, _)| *k == key || *k == bare || *k == format!("env.{bare}"))
        {
            None => {
                let key_path: AttrPath = key.parse()?;
                edits.extend(edit::insert_binding(
                    flake,
                    &target,
                    &key_path,
                    &dedented(value, &indent),
                )?);
            }
            Some((_, flake_binding))
                if elements.is_some()
                    && flake_binding
                        .value()
                        .is_some_and(|v| v.kind() == SyntaxKind::NODE_LIST) =>
            {
                let mut items = edit::binding_list_items(flake, flake_binding)?;
                let before = items.len();
                for item in elements.unwrap_or_default() {
                    if !items.contains(&item) {
                        items.push(item);
                    }
                }
                if items.len() > before {
                    edits.extend(edit::set_list(flake, flake_binding, &items)?);
                }
            }
            Some((_, flake_binding)) => {
                let same = flake_binding
                    .value()
                    .is_some_and(|v| v.text().to_string() == value.text().to_string());
                if !same {
                    warnings.push(format!(
                        "{key}: the flake's devShell already sets it differently; kept the flake's value"
                    ));
                }
            }
        }
    }
    Ok((edits, warnings))
}
