//! `goflake get` and `goflake set`: scriptable lossless editing.

use anyhow::Result;
use goflake_syntax::edit::{self as nix_edit, ListItem};
use goflake_syntax::{Literal, QueryError};

use crate::config::{GetConfig, NewValue, SetConfig};
use crate::failure::Failure;
use crate::files::{commit_change, read_nix, read_nix_locked};

/// The binding for `path`; in a goflake flake, a value goflake maintains (`subPackages`,
/// `vendorHash`, …) is the one at the top of `outputs`, as the README promises, even where
/// the template's own code binds the same name further down.
fn find(
    file: &goflake_syntax::SourceFile,
    path: &goflake_syntax::AttrPath,
) -> Result<goflake_syntax::Binding> {
    match goflake_syntax::find(file, path) {
        Err(QueryError::Ambiguous { .. })
            if path.segments().len() == 1
                && goflake_gen::MAINTAINED.contains(&path.segments()[0].as_str())
                && goflake_gen::Flake::new(file.clone())
                    .missing_values()
                    .is_empty() =>
        {
            let maintained =
                goflake_syntax::AttrPath::new(vec!["outputs".into(), path.segments()[0].clone()]);
            goflake_syntax::find(file, &maintained).map_err(query_failure)
        }
        found => found.map_err(query_failure),
    }
}

pub fn get(config: &GetConfig) -> Result<()> {
    let file = read_nix(&config.file)?;
    let binding = find(&file, &config.path)?;
    let value = goflake_syntax::read_literal(&file, &binding).map_err(query_failure)?;
    if config.json {
        let json = match value {
            Literal::String(s) => serde_json::Value::String(s),
            Literal::StringList(items) => serde_json::Value::from(items),
            Literal::Null => serde_json::Value::Null,
            Literal::Bool(b) => serde_json::Value::Bool(b),
            Literal::Int(i) => serde_json::Value::from(i),
        };
        outln!("{json}")?;
    } else {
        match value {
            Literal::String(s) => outln!("{s}")?,
            Literal::StringList(items) => {
                for item in items {
                    outln!("{item}")?;
                }
            }
            Literal::Null => outln!("null")?,
            Literal::Bool(b) => outln!("{b}")?,
            Literal::Int(i) => outln!("{i}")?,
        }
    }
    Ok(())
}

pub fn set(config: &SetConfig) -> Result<()> {
    // Held until the file is written: concurrent edits of one file take turns.
    let (file, _lock) = read_nix_locked(&config.file)?;
    let binding = find(&file, &config.path)?;
    let edits = match &config.value {
        NewValue::String(value) => nix_edit::set_string(&file, &binding, value),
        NewValue::Expr(expr) => nix_edit::set_expr(&file, &binding, expr),
        NewValue::StringList(items) => {
            let items: Vec<ListItem> = items.iter().cloned().map(ListItem::Str).collect();
            nix_edit::set_list(&file, &binding, &items)
        }
    }?;
    let edited = nix_edit::apply(&file, edits)?;
    commit_change(&config.file, file.text(), edited.text(), config.mode)?;
    Ok(())
}

fn query_failure(err: QueryError) -> anyhow::Error {
    match &err {
        QueryError::NotFound { suggestions, .. } if !suggestions.is_empty() => {
            let names: Vec<String> = suggestions.iter().map(|p| format!("  {p}\n")).collect();
            Failure::problem(format!(
                "{err}\nclosest existing paths:\n{}",
                names.concat()
            ))
        }
        _ => err.into(),
    }
}
