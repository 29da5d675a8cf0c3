//! Bringing a flake an older goflake generated up to the current template without losing the
//! user's edits: a three-way merge, line by line, of
//! - the base: the template the file was generated from,
//! - ours: the file as it is now (the user's edits are its differences from the base),
//! - theirs: the current template (goflake's changes are its differences from the base).
//!
//! The base and the current template first get the file's own maintained values (the text of
//! each value, as it is in the file), so those values are never a difference: only code is
//! merged. Edits that touch the same lines as goflake's changes are a conflict, and nothing is
//! written.

use goflake_syntax::{AttrPath, BindingIndex, SourceFile, TextEdit};

use crate::FLAKE_TEMPLATE;

/// Every template an earlier goflake generated flakes from, oldest first (`templates/history`;
/// a release that changes `templates/flake.nix` adds the one it replaces).
const HISTORY: [&str; 7] = [
    include_str!("../../../templates/history/flake-1.nix"),
    include_str!("../../../templates/history/flake-2.nix"),
    include_str!("../../../templates/history/flake-3.nix"),
    include_str!("../../../templates/history/flake-4.nix"),
    include_str!("../../../templates/history/flake-5.nix"),
    include_str!("../../../templates/history/flake-6.nix"),
    include_str!("../../../templates/history/flake-7.nix"),
];

/// How many templates goflake has had: the history and the current one.
pub const TEMPLATES: usize = HISTORY.len() + 1;

/// Bindings outside [`crate::MAINTAINED`] whose values belong to the user too (carried over
/// verbatim), by path.
const OTHER_VALUES: &[&str] = &[
    "description",
    "inputs.nixpkgs.url",
    "outputs.unbuildable",
    "outputs.buildCache",
    "outputs.systems",
];

/// Every binding whose value belongs to the user: the maintained values and the others.
fn value_paths() -> impl Iterator<Item = AttrPath> {
    crate::MAINTAINED
        .iter()
        .map(|name| format!("outputs.{name}"))
        .chain(OTHER_VALUES.iter().map(|path| (*path).to_owned()))
        .map(|path| path.parse().expect("a valid attribute path"))
}

#[derive(Debug, PartialEq, Eq)]
pub enum Upgrade {
    /// The file's code is the current template's (with the user's edits, if any).
    Current,
    /// The file came from template `from` (1 is the oldest) and merges cleanly into the
    /// current one: the new text.
    Merged { from: usize, text: String },
    /// The user's edits overlap goflake's changes: the merge with conflict markers, to show.
    Conflict { from: usize, merged: String },
}

/// How `file` (a goflake flake) relates to the current template; see the module doc.
pub fn upgrade(file: &SourceFile) -> Upgrade {
    let values = values_of(file);
    let current = with_values(FLAKE_TEMPLATE, &values, file.line_ending());
    let current_distance = distance(&current, file.text());
    // The template the file is closest to is the one it was generated from: with its own
    // values filled in, an unedited file is equal to it.
    let Some((index, base, base_distance)) = HISTORY
        .iter()
        .enumerate()
        .map(|(index, template)| {
            let base = with_values(template, &values, file.line_ending());
            let base_distance = distance(&base, file.text());
            (index, base, base_distance)
        })
        .min_by_key(|(_, _, base_distance)| *base_distance)
    else {
        return Upgrade::Current;
    };
    if base_distance >= current_distance {
        return Upgrade::Current;
    }
    let from = index + 1;
    match diffy::merge(&base, file.text(), &current) {
        Ok(text) if !SourceFile::parse(file.name(), text.as_str()).has_errors() => {
            Upgrade::Merged { from, text }
        }
        Ok(merged) | Err(merged) => Upgrade::Conflict { from, merged },
    }
}

/// The text of each value in `file` that belongs to the user, by path (read once, for every
/// template it is compared with).
fn values_of(file: &SourceFile) -> Vec<(AttrPath, String)> {
    let index = BindingIndex::new(file);
    value_paths()
        .filter_map(|path| {
            let text = index.find(file, &path).ok()?.value()?.text().to_string();
            Some((path, text))
        })
        .collect()
}

/// `template` with each value replaced by the file's text of it (`values`, from
/// [`values_of`]; values the file lacks keep the template's default), in the file's line
/// ending `eol`: a CRLF file is compared and merged line by line with CRLF templates.
fn with_values(template: &str, values: &[(AttrPath, String)], eol: &str) -> String {
    let template = template.replace('\n', eol);
    let template = SourceFile::parse("template", template);
    let index = BindingIndex::new(&template);
    let edits: Vec<TextEdit> = values
        .iter()
        .filter_map(|(path, text)| {
            let theirs = index.find(&template, path).ok()?;
            Some(TextEdit::replace(
                theirs.value()?.text_range(),
                text.clone(),
            ))
        })
        .collect();
    match goflake_syntax::apply(&template, edits) {
        Ok(filled) => filled.text().to_owned(),
        // A value that does not fit the template: compare with the template as it is.
        Err(_) => template.text().to_owned(),
    }
}

/// The conflicting hunks of a merge (diff3's `<<<<<<<` to `>>>>>>>`), each with a line of
/// context on either side and `…` after it, so an error shows what overlaps rather than the
/// whole file.
pub fn conflict_hunks(merged: &str) -> String {
    let lines: Vec<&str> = merged.lines().collect();
    let mut shown = String::new();
    let mut index = 0;
    while index < lines.len() {
        if lines[index].starts_with("<<<<<<<") {
            let start = index.saturating_sub(1);
            let end = lines[index..]
                .iter()
                .position(|l| l.starts_with(">>>>>>>"))
                .map_or(lines.len(), |p| index + p + 1);
            for line in &lines[start..(end + 1).min(lines.len())] {
                shown.push_str(line);
                shown.push('\n');
            }
            shown.push_str("…\n");
            index = end;
        } else {
            index += 1;
        }
    }
    shown
}

/// How many lines differ between `a` and `b`.
fn distance(a: &str, b: &str) -> usize {
    similar::TextDiff::from_lines(a, b)
        .ops()
        .iter()
        .map(|op| match op.as_tag_tuple() {
            (similar::DiffTag::Equal, _, _) => 0,
            (_, old, new) => old.len() + new.len(),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_template_is_current() {
        let file = SourceFile::parse("flake.nix", FLAKE_TEMPLATE);
        assert_eq!(upgrade(&file), Upgrade::Current);
    }

    #[test]
    fn a_crlf_flake_upgrades_and_keeps_its_line_ending() {
        let crlf = |text: &str| text.replace('\n', "\r\n");
        let file = SourceFile::parse("flake.nix", crlf(HISTORY[5]));
        assert_eq!(
            upgrade(&file),
            Upgrade::Merged {
                from: 6,
                text: crlf(FLAKE_TEMPLATE)
            }
        );
        let current = SourceFile::parse("flake.nix", crlf(FLAKE_TEMPLATE));
        assert_eq!(upgrade(&current), Upgrade::Current);
    }

    #[test]
    fn every_older_template_merges_into_the_current_one() {
        for (index, old) in HISTORY.iter().enumerate() {
            let file = SourceFile::parse("flake.nix", *old);
            match upgrade(&file) {
                Upgrade::Merged { from, text } => {
                    assert_eq!(from, index + 1);
                    let values = values_of(&file);
                    assert_eq!(text, with_values(FLAKE_TEMPLATE, &values, "\n"));
                }
                other => panic!("template {}: {other:?}", index + 1),
            }
        }
    }
}
