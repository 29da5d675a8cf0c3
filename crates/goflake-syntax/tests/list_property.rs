//! For every string list in every fixture and any new list of strings: `set_list` succeeds,
//! the file still parses with real `nix-instantiate --parse`, the list evaluates to the new
//! strings, and setting the old list back restores the file byte for byte. What a removal
//! loses cannot come back, so the last check skips lists with comments or blank-line groups,
//! and multi-line lists emptied or filled from empty (an empty list is `[ ]`). Skipped, and said
//! so, without `nix-instantiate`.

use std::path::{Path, PathBuf};

use goflake_syntax::edit::{self, ListItem};
use goflake_syntax::{Literal, SourceFile, SyntaxKind, bindings, read_literal};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn fixtures() -> Vec<PathBuf> {
    goflake_testkit::nix_fixtures()
}

fn element() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z/._-]{1,8}",
        prop::sample::select(vec!["", " ", "\"", "${x}", "a\nb", "''", "\\", "日本"])
            .prop_map(str::to_owned),
    ]
}

/// Evaluates a list expression (text) to its strings with real Nix.
fn eval_list(nix_instantiate: &Path, text: &str) -> Vec<String> {
    let output = goflake_testkit::nix_command(nix_instantiate)
        .args(["--eval", "--strict", "--json", "--expr", text])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{text}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn any_list_can_be_set_and_set_back() {
    let Some(nix_instantiate) =
        goflake_testkit::require_tool("list_property::any_list", "nix-instantiate")
    else {
        return;
    };
    let mut lists = 0;
    for path in fixtures() {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = SourceFile::parse(path.display().to_string(), text.as_str());
        if file.has_errors() {
            continue;
        }
        for (index, binding) in bindings(&file).into_iter().enumerate() {
            let Ok(Literal::StringList(old)) = read_literal(&file, &binding) else {
                continue;
            };
            let Some(value) = binding.value() else {
                continue;
            };
            let value_text = value.text().to_string();
            let has_comments = value
                .descendants_with_tokens()
                .any(|e| e.kind() == SyntaxKind::TOKEN_COMMENT);
            let has_groups = value_text.contains("\n\n") || value_text.contains("\n\r\n");
            let multiline = value_text.contains('\n');
            lists += 1;
            let mut runner = TestRunner::new(Config {
                cases: 6,
                failure_persistence: None,
                ..Config::default()
            });
            let where_ = format!("{}: {}", path.display(), binding.path());
            runner
                .run(&prop::collection::vec(element(), 0..5), |new| {
                    let items: Vec<ListItem> = new.iter().cloned().map(ListItem::Str).collect();
                    let edits = edit::set_list(&file, &binding, &items)
                        .unwrap_or_else(|e| panic!("{where_}: {e}"));
                    let edited = edit::apply(&file, edits)
                        .unwrap_or_else(|e| panic!("{where_} → {new:?}: {e}"));
                    goflake_testkit::assert_nix_parses_text(
                        &nix_instantiate,
                        edited.text(),
                        &where_,
                    );
                    let binding_after = &bindings(&edited)[index];
                    let list_text = binding_after.value().unwrap().text().to_string();
                    prop_assert_eq!(eval_list(&nix_instantiate, &list_text), new.clone());
                    let emptied = new.is_empty() || old.is_empty();
                    let restorable = !(has_comments || has_groups || (multiline && emptied));
                    if restorable {
                        let old_items: Vec<ListItem> =
                            old.iter().cloned().map(ListItem::Str).collect();
                        let back = edit::apply(
                            &edited,
                            edit::set_list(&edited, binding_after, &old_items).unwrap(),
                        )
                        .unwrap();
                        prop_assert_eq!(
                            back.text(),
                            text.as_str(),
                            "{} → {:?} → back",
                            where_,
                            new
                        );
                    }
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{where_}: {e}"));
        }
    }
    assert!(lists >= 20, "only {lists} string lists in the fixtures");
}
