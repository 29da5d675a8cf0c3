//! The property the fuzz target checks, kept here so stable tests can run it on the saved
//! crash inputs and on random inputs too.

use crate::edit::{self, ListItem};
use crate::query;
use crate::source::SourceFile;

/// Splits fuzz input: byte 0 picks the binding, byte 1 the edit, then the Nix text up to
/// the first NUL byte, then the payload (a string value) after it.
pub fn parse_edit_reparse_bytes(data: &[u8]) {
    let [binding, op, rest @ ..] = data else {
        return;
    };
    let (text, payload) = match rest.iter().position(|&b| b == 0) {
        Some(nul) => (&rest[..nul], &rest[nul + 1..]),
        None => (rest, &[][..]),
    };
    let (Ok(text), Ok(payload)) = (std::str::from_utf8(text), std::str::from_utf8(payload)) else {
        return;
    };
    parse_edit_reparse(
        text,
        usize::from(*binding),
        usize::from(*op),
        &payload.replace('\0', ""),
    );
}

/// Parses `text`, applies edit number `op` (of ten) to binding number `binding`, and panics
/// if an invariant breaks: the tree must print back to the input, and an accepted edit must
/// print back and re-parse with no new errors.
pub fn parse_edit_reparse(text: &str, binding: usize, op: usize, payload: &str) {
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
    let binding = &bindings[binding % bindings.len()];
    let payload = payload.to_owned();
    let edits = match op % 10 {
        9 => Ok(edit::set_trailing_comment(binding, "goflake: fuzz")),
        0 => edit::set_string(&file, binding, &payload),
        1 => edit::set_list(&file, binding, &[ListItem::Str(payload.clone())]),
        // A list of several elements (compact lists are rewritten whole in their spacing).
        6 => edit::set_list(
            &file,
            binding,
            &payload
                .split(' ')
                .map(|p| ListItem::Str(p.to_owned()))
                .collect::<Vec<_>>(),
        ),
        // Nix text with line breaks (inside strings too), as `set --expr` takes it.
        7 => edit::set_expr(&file, binding, &payload),
        // The binding's own text: must change nothing.
        8 => match binding.value() {
            Some(value) => {
                let own = value.text().to_string();
                let edits = edit::set_expr(&file, binding, &own);
                if let Ok(edits) = &edits
                    && let Ok(same) = edit::apply(&file, edits.clone())
                {
                    assert_eq!(
                        same.text(),
                        text,
                        "setting a value to its own text changed it"
                    );
                }
                edits
            }
            None => return,
        },
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
