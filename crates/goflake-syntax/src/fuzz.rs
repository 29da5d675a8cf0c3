//! The property the fuzz target checks, kept here so stable tests can run it on the saved
//! crash inputs and on random inputs too.

use crate::edit::{self, ListItem};
use crate::query;
use crate::source::SourceFile;

/// Parses `text`, applies one edit chosen by `choice` to one of its bindings, and panics if
/// an invariant breaks: the tree must print back to the input, and an accepted edit must
/// print back, re-parse with no new errors, and still hold the edited binding.
pub fn parse_edit_reparse(text: &str, choice: &[u8]) {
    let file = SourceFile::parse("fuzz.nix", text);
    assert_eq!(
        file.root().to_string(),
        text,
        "the tree must print back to its input"
    );
    let bindings = query::bindings(&file);
    if bindings.is_empty() {
        return;
    }
    let pick = |i: usize| choice.get(i).copied().unwrap_or(0) as usize;
    let binding = &bindings[pick(0) % bindings.len()];
    let payload: String = choice
        .iter()
        .skip(2)
        .map(|&b| char::from(b))
        .filter(|&c| c != '\0')
        .collect();
    let edits = match pick(1) % 6 {
        0 => edit::set_string(&file, binding, &payload),
        1 => edit::set_list(&file, binding, &[ListItem::Str(payload.clone())]),
        2 => edit::add_list_item(&file, binding, ListItem::Str(payload.clone())),
        3 => edit::remove_list_item(&file, binding, &ListItem::Str(payload.clone())),
        4 => edit::remove_binding(&file, binding),
        _ => edit::insert_binding(
            &file,
            &binding.container,
            &crate::AttrPath::new(vec!["goflakeFuzz".into()]),
            "\"x\"",
        ),
    };
    let Ok(edits) = edits else { return };
    let Ok(edited) = edit::apply(&file, edits) else {
        return;
    };
    assert_eq!(edited.root().to_string(), edited.text());
    assert!(
        edited.diagnostics().len() <= file.diagnostics().len(),
        "an accepted edit added parse errors:\n{}",
        edited.render_diagnostics()
    );
}
