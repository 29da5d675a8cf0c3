//! Edits as data: each operation computes a list of non-overlapping text edits against the
//! original text; [`apply`] applies them right to left, re-parses, and refuses a result with
//! any parse error the input did not have.

use std::collections::HashMap;

use rnix::ast;
use rnix::{NodeOrToken, SyntaxElement, SyntaxKind, SyntaxNode, TextRange, TextSize};
use rowan::ast::AstNode;

use crate::path::AttrPath;
use crate::query::{Binding, BindingKind};
use crate::source::SourceFile;
use crate::strings::{NulInString, best_string_literal, decode_string, string_literal};

/// Replace `range` of the original text with `insert`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: TextRange,
    pub insert: String,
}

impl TextEdit {
    pub fn replace(range: TextRange, insert: impl Into<String>) -> TextEdit {
        TextEdit {
            range,
            insert: insert.into(),
        }
    }

    pub fn insert(at: TextSize, text: impl Into<String>) -> TextEdit {
        TextEdit::replace(TextRange::empty(at), text)
    }

    pub fn delete(range: TextRange) -> TextEdit {
        TextEdit::replace(range, "")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("edits overlap at {first} and {second}")]
    Overlap { first: String, second: String },
    #[error("the edit was refused because the result would not parse:\n{0}")]
    BreaksFile(String),
    #[error("{location}: cannot edit `{path}`: {reason}")]
    Unsupported {
        location: String,
        path: AttrPath,
        reason: String,
    },
    #[error("not a valid Nix expression:\n{0}")]
    InvalidExpr(String),
    #[error(transparent)]
    Nul(#[from] NulInString),
}

/// One element of a list as an edit sees it: a string value, or any other expression's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListItem {
    Str(String),
    Expr(String),
}

impl ListItem {
    fn literal(&self) -> Result<String, NulInString> {
        match self {
            ListItem::Str(s) => string_literal(s),
            ListItem::Expr(e) => Ok(e.clone()),
        }
    }
}

/// Applies `edits` (right to left) and re-parses.
pub fn apply(file: &SourceFile, mut edits: Vec<TextEdit>) -> Result<SourceFile, EditError> {
    // Sorting by (start, end) and applying in reverse puts a deletion that starts where an
    // insertion sits before that insertion, so neither swallows the other.
    edits.sort_by_key(|e| (e.range.start(), e.range.end()));
    for pair in edits.windows(2) {
        if pair[0].range.end() > pair[1].range.start() {
            return Err(EditError::Overlap {
                first: file.location(pair[0].range.start()),
                second: file.location(pair[1].range.start()),
            });
        }
    }
    let mut text = file.text().to_owned();
    for edit in edits.iter().rev() {
        text.replace_range(std::ops::Range::<usize>::from(edit.range), &edit.insert);
    }
    let edited = SourceFile::parse(file.name(), text);
    let mut known: HashMap<&str, usize> = HashMap::new();
    for d in file.diagnostics() {
        *known.entry(d.message.as_str()).or_default() += 1;
    }
    let mut new_errors = Vec::new();
    for d in edited.diagnostics() {
        match known.get_mut(d.message.as_str()) {
            Some(count) if *count > 0 => *count -= 1,
            _ => new_errors.push(edited.render_at(d.range.start(), &d.message)),
        }
    }
    if new_errors.is_empty() {
        Ok(edited)
    } else {
        Err(EditError::BreaksFile(new_errors.concat()))
    }
}

fn unsupported(file: &SourceFile, binding: &Binding, reason: impl Into<String>) -> EditError {
    EditError::Unsupported {
        location: file.location(binding.range().start()),
        path: binding.path(),
        reason: reason.into(),
    }
}

fn value_of<'a>(file: &SourceFile, binding: &'a Binding) -> Result<&'a SyntaxNode, EditError> {
    binding.value().ok_or_else(|| {
        unsupported(
            file,
            binding,
            "it is inherited; edit the binding it comes from",
        )
    })
}

/// Sets the binding's value to a string literal (`''…''` for multi-line text when exact).
pub fn set_string(
    file: &SourceFile,
    binding: &Binding,
    value: &str,
) -> Result<Vec<TextEdit>, EditError> {
    let node = value_of(file, binding)?;
    let indent = line_indent(file, binding.entry().text_range().start());
    let literal = best_string_literal(value, indent, file.line_ending())?;
    Ok(vec![TextEdit::replace(node.text_range(), literal)])
}

/// Sets the binding's value to raw Nix text, which must parse on its own.
pub fn set_expr(
    file: &SourceFile,
    binding: &Binding,
    expr: &str,
) -> Result<Vec<TextEdit>, EditError> {
    let node = value_of(file, binding)?;
    check_expr(expr)?;
    // The indentation of the line the value starts on (a value may start on the line after
    // its binding, deeper than it).
    let indent = line_indent(file, node.text_range().start());
    Ok(vec![TextEdit::replace(
        node.text_range(),
        reindent(expr, indent, file.line_ending()),
    )])
}

fn check_expr(expr: &str) -> Result<(), EditError> {
    let parsed = SourceFile::parse("<expression>", expr);
    if parsed.has_errors() || parsed.root().children().next().is_none() {
        let rendered = if parsed.has_errors() {
            parsed.render_diagnostics()
        } else {
            "<expression>: empty\n".to_owned()
        };
        return Err(EditError::InvalidExpr(rendered));
    }
    Ok(())
}

/// Replaces the binding's value with `items`. An existing list keeps its layout (one element
/// per line or inline) and its comments; unchanged elements are not touched.
pub fn set_list(
    file: &SourceFile,
    binding: &Binding,
    items: &[ListItem],
) -> Result<Vec<TextEdit>, EditError> {
    let node = value_of(file, binding)?;
    match ast::List::cast(node.clone()) {
        Some(list) => list_edits(file, &list, items),
        None => {
            let indent = line_indent(file, binding.entry().text_range().start());
            let eol = file.line_ending();
            let literals = items
                .iter()
                .map(ListItem::literal)
                .collect::<Result<Vec<_>, _>>()?;
            let text = nixfmt_list(&literals, literals.len() > 1, indent, eol);
            Ok(vec![TextEdit::replace(node.text_range(), text)])
        }
    }
}

/// Appends one element to the binding's list.
pub fn add_list_item(
    file: &SourceFile,
    binding: &Binding,
    item: ListItem,
) -> Result<Vec<TextEdit>, EditError> {
    let list = list_of(file, binding)?;
    let mut items = list_items(&list);
    items.push(item);
    list_edits(file, &list, &items)
}

/// Removes the first element equal to `item` (with its leading comment and line).
pub fn remove_list_item(
    file: &SourceFile,
    binding: &Binding,
    item: &ListItem,
) -> Result<Vec<TextEdit>, EditError> {
    let list = list_of(file, binding)?;
    let mut items = list_items(&list);
    let Some(index) = items.iter().position(|i| i == item) else {
        let shown = match item {
            ListItem::Str(s) => string_literal(s)?,
            ListItem::Expr(e) => e.clone(),
        };
        return Err(unsupported(
            file,
            binding,
            format!("the list has no {shown}"),
        ));
    };
    items.remove(index);
    list_edits(file, &list, &items)
}

/// The elements of the list bound by `binding`.
pub fn binding_list_items(
    file: &SourceFile,
    binding: &Binding,
) -> Result<Vec<ListItem>, EditError> {
    list_of(file, binding).map(|list| list_items(&list))
}

/// The element of a list as an edit sees it, from a single expression's node.
pub fn list_item_of(node: &SyntaxNode) -> ListItem {
    match ast::Expr::cast(node.clone()) {
        Some(ast::Expr::Str(s)) => decode_string(&s)
            .map(ListItem::Str)
            .unwrap_or_else(|| ListItem::Expr(node.text().to_string())),
        _ => ListItem::Expr(node.text().to_string()),
    }
}

fn list_of(file: &SourceFile, binding: &Binding) -> Result<ast::List, EditError> {
    let node = value_of(file, binding)?;
    ast::List::cast(node.clone()).ok_or_else(|| unsupported(file, binding, "it is not a list"))
}

/// The elements of a list as edits compare them.
pub fn list_items(list: &ast::List) -> Vec<ListItem> {
    list.items()
        .map(|item| list_item_of(item.syntax()))
        .collect()
}

fn list_edits(
    file: &SourceFile,
    list: &ast::List,
    new: &[ListItem],
) -> Result<Vec<TextEdit>, EditError> {
    let nodes: Vec<SyntaxNode> = list.items().map(|i| i.syntax().clone()).collect();
    let old = list_items(list);
    let eol = file.line_ending();
    let has_comments = list
        .syntax()
        .children_with_tokens()
        .any(|e| e.kind() == SyntaxKind::TOKEN_COMMENT);
    let open = list
        .l_brack_token()
        .map_or(list.syntax().text_range().start(), |t| t.text_range().end());
    let close = list
        .r_brack_token()
        .map_or(list.syntax().text_range().end(), |t| t.text_range().start());
    let inner = &file.text()[usize::from(open)..usize::from(close)];
    let multiline = match nodes.first() {
        Some(first) => {
            file.text()[usize::from(open)..usize::from(first.text_range().start())].contains('\n')
        }
        None => inner.contains('\n'),
    };

    // A list on one line (`["a" "b"]`, `[ "a" "b" ]`) is written again whole, in its own
    // spacing, keeping the text of the elements that stay.
    if !multiline && !inner.contains('\n') && !has_comments {
        let kept: std::collections::HashMap<usize, &SyntaxNode> = lcs(&old, new)
            .into_iter()
            .map(|(o, n)| (n, &nodes[o]))
            .collect();
        let mut texts = Vec::with_capacity(new.len());
        for (index, item) in new.iter().enumerate() {
            texts.push(match kept.get(&index) {
                Some(node) => node.text().to_string(),
                None => item.literal()?,
            });
        }
        let text = &file.text();
        let (pad_open, pad_close) = match (nodes.first(), nodes.last()) {
            (Some(first), Some(last)) => (
                &text[usize::from(open)..usize::from(first.text_range().start())],
                &text[usize::from(last.text_range().end())..usize::from(close)],
            ),
            _ if inner.is_empty() => ("", ""),
            _ => (" ", " "),
        };
        let separator = match nodes.as_slice() {
            [first, second, ..] => {
                &text[usize::from(first.text_range().end())
                    ..usize::from(second.text_range().start())]
            }
            _ => " ",
        };
        let rendered = if texts.is_empty() {
            if pad_open.is_empty() {
                "[]".to_owned()
            } else {
                "[ ]".to_owned()
            }
        } else {
            format!("[{pad_open}{}{pad_close}]", texts.join(separator))
        };
        return Ok(vec![TextEdit::replace(
            list.syntax().text_range(),
            rendered,
        )]);
    }
    // Rewrite lists without elements or comments whole: there is nothing to keep.
    if !has_comments && (nodes.is_empty() || new.is_empty()) {
        let literals = new
            .iter()
            .map(ListItem::literal)
            .collect::<Result<Vec<_>, _>>()?;
        let text = nixfmt_list(&literals, multiline, line_indent(file, close), eol);
        return Ok(vec![TextEdit::replace(list.syntax().text_range(), text)]);
    }

    let keep = lcs(&old, new);
    let item_indent = match nodes.first() {
        Some(first) if multiline => line_indent(file, first.text_range().start()).to_owned(),
        _ => format!("{}  ", line_indent(file, close)),
    };
    let mut edits = Vec::new();
    let mut anchor = list
        .l_brack_token()
        .map(|t| trailing_comment_end(&SyntaxElement::Token(t)))
        .unwrap_or(open);
    let mut pending = String::new();
    let mut new_index = 0;
    let flush = |pending: &mut String, at: TextSize, edits: &mut Vec<TextEdit>| {
        if !pending.is_empty() {
            edits.push(TextEdit::insert(at, std::mem::take(pending)));
        }
    };
    for (old_index, node) in nodes.iter().enumerate() {
        match keep.iter().find(|(o, _)| *o == old_index) {
            Some(&(_, matched_new)) => {
                for item in &new[new_index..matched_new] {
                    pending.push_str(&insertion(item, multiline, &item_indent, eol)?);
                }
                flush(&mut pending, anchor, &mut edits);
                new_index = matched_new + 1;
                anchor = trailing_comment_end(&SyntaxElement::Node(node.clone()));
            }
            None => edits.push(TextEdit::delete(removal_range(file, node))),
        }
    }
    for item in &new[new_index..] {
        pending.push_str(&insertion(item, multiline, &item_indent, eol)?);
    }
    flush(&mut pending, anchor, &mut edits);
    Ok(edits)
}

/// A new list laid out as nixfmt does: `[ ]` when empty, `[ a b ]` on one line, else one
/// element per line two spaces past `indent` (the indentation of the line the list is on),
/// with `]` back at `indent`.
pub fn nixfmt_list(items: &[String], one_per_line: bool, indent: &str, eol: &str) -> String {
    if items.is_empty() {
        return "[ ]".to_owned();
    }
    if !one_per_line {
        return format!("[ {} ]", items.join(" "));
    }
    let mut text = String::from("[");
    for item in items {
        text.push_str(&format!("{eol}{indent}  {item}"));
    }
    text.push_str(&format!("{eol}{indent}]"));
    text
}

fn insertion(
    item: &ListItem,
    multiline: bool,
    indent: &str,
    eol: &str,
) -> Result<String, NulInString> {
    let literal = item.literal()?;
    Ok(if multiline {
        format!("{eol}{indent}{literal}")
    } else {
        format!(" {literal}")
    })
}

/// Pairs (old index, new index) of a longest common subsequence, in order.
fn lcs(old: &[ListItem], new: &[ListItem]) -> Vec<(usize, usize)> {
    let (n, m) = (old.len(), new.len());
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if old[i] == new[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut pairs = Vec::new();
    while i < n && j < m {
        if old[i] == new[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

/// Inserts `key = value;` into an attrset or `let` block after its last binding, with the
/// indentation of its siblings. Lines after the first of a multi-line `value` are indented
/// to match.
pub fn insert_binding(
    file: &SourceFile,
    container: &SyntaxNode,
    key: &AttrPath,
    value: &str,
) -> Result<Vec<TextEdit>, EditError> {
    check_expr(value)?;
    let eol = file.line_ending();
    let entries: Vec<SyntaxNode> = container
        .children()
        .filter(|c| {
            matches!(
                c.kind(),
                SyntaxKind::NODE_ATTRPATH_VALUE | SyntaxKind::NODE_INHERIT
            )
        })
        .collect();
    if let Some(last) = entries.last() {
        let anchor = trailing_comment_end(&SyntaxElement::Node(last.clone()));
        let start = usize::from(last.text_range().start());
        let starts_line = file.text()[file.line_start(start)..start]
            .chars()
            .all(|c| c == ' ' || c == '\t');
        let indent = line_indent(file, last.text_range().start());
        let binding = format!("{key} = {};", reindent(value, indent, eol));
        let text = if starts_line {
            format!("{eol}{indent}{binding}")
        } else {
            format!(" {binding}")
        };
        return Ok(vec![TextEdit::insert(anchor, text)]);
    }
    let (open_kind, close_kind) = match container.kind() {
        SyntaxKind::NODE_LET_IN => (SyntaxKind::TOKEN_LET, SyntaxKind::TOKEN_IN),
        _ => (SyntaxKind::TOKEN_L_BRACE, SyntaxKind::TOKEN_R_BRACE),
    };
    let token = |kind| {
        container
            .children_with_tokens()
            .filter_map(NodeOrToken::into_token)
            .find(|t| t.kind() == kind)
    };
    let (Some(open), Some(close)) = (token(open_kind), token(close_kind)) else {
        return Err(EditError::InvalidExpr(format!(
            "{}: the attribute set is incomplete\n",
            file.location(container.text_range().start())
        )));
    };
    let between = TextRange::new(open.text_range().end(), close.text_range().start());
    let inner = &file.text()[between];
    if inner.contains('\n') {
        let close_start = usize::from(close.text_range().start());
        let line_start = file.line_start(close_start);
        let close_indent = line_indent(file, close.text_range().start());
        let indent = format!("{close_indent}  ");
        let binding = format!("{key} = {};", reindent(value, &indent, eol));
        if file.text()[line_start..close_start].trim().is_empty() {
            let at = TextSize::try_from(line_start).expect("offsets fit in u32");
            Ok(vec![TextEdit::insert(
                at,
                format!("{indent}{binding}{eol}"),
            )])
        } else {
            Ok(vec![TextEdit::insert(
                close.text_range().start(),
                format!("{eol}{indent}{binding}{eol}{close_indent}"),
            )])
        }
    } else {
        let binding = format!("{key} = {value};");
        if inner.trim().is_empty() {
            Ok(vec![TextEdit::replace(between, format!(" {binding} "))])
        } else {
            Ok(vec![TextEdit::insert(
                close.text_range().start(),
                format!("{binding} "),
            )])
        }
    }
}

/// Sets the comment that follows a binding on its line to `# text`, replacing one that is
/// there, so a value can carry a note (goflake's vendorHash fingerprint).
pub fn set_trailing_comment(binding: &Binding, text: &str) -> Vec<TextEdit> {
    let entry = entry_with_separator(binding);
    let end = entry.text_range().end();
    let comment_end = trailing_comment_end(&entry);
    let comment = format!(" # {text}");
    if comment_end > end {
        vec![TextEdit::replace(TextRange::new(end, comment_end), comment)]
    } else {
        vec![TextEdit::insert(end, comment)]
    }
}

/// The last element of a binding: the entry, or the comma after a function argument's
/// default (`vendorHash ? "…",`), so a comment after it never swallows the comma.
fn entry_with_separator(binding: &Binding) -> SyntaxElement {
    let entry = SyntaxElement::Node(binding.entry().clone());
    match entry.next_sibling_or_token() {
        Some(comma) if comma.kind() == SyntaxKind::TOKEN_COMMA => comma,
        _ => entry,
    }
}

/// The text of the comment after a binding on its line, without `#` and blanks.
pub fn trailing_comment(binding: &Binding) -> Option<String> {
    let entry = entry_with_separator(binding);
    let end = entry.text_range().end();
    let comment_end = trailing_comment_end(&entry);
    if comment_end == end {
        return None;
    }
    let root = binding.entry().ancestors().last()?;
    let text = root
        .text()
        .slice(TextRange::new(end, comment_end))
        .to_string();
    Some(text.trim().trim_start_matches('#').trim().to_owned())
}

/// Removes a binding with its leading comment and, when it stands on lines of its own, those
/// lines. One name of a multi-name `inherit` is removed alone.
pub fn remove_binding(file: &SourceFile, binding: &Binding) -> Result<Vec<TextEdit>, EditError> {
    if let BindingKind::Inherit { entry, attr, .. } = &binding.kind {
        let names = ast::Inherit::cast(entry.clone()).map_or(0, |i| i.attrs().count());
        if names > 1 {
            let start = attr
                .prev_sibling_or_token()
                .filter(|t| t.kind() == SyntaxKind::TOKEN_WHITESPACE)
                .map_or(attr.text_range().start(), |t| t.text_range().start());
            return Ok(vec![TextEdit::delete(TextRange::new(
                start,
                attr.text_range().end(),
            ))]);
        }
    }
    Ok(vec![TextEdit::delete(removal_range(file, binding.entry()))])
}

/// The indentation (leading spaces and tabs) of the line holding `offset`.
pub fn line_indent(file: &SourceFile, offset: TextSize) -> &str {
    let text = file.text();
    let start = file.line_start(usize::from(offset));
    let rest = &text[start..];
    let len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..len]
}

/// Indents `text` (a Nix expression) for a value at `indent`: the lines after the first lose
/// their common indentation and get `indent` instead, so text is taken as written and a
/// value set to its own current text is unchanged. Lines that begin inside a string literal
/// are never touched: that would change the string. The file's line ending is used.
fn reindent(text: &str, indent: &str, eol: &str) -> String {
    let protected = string_ranges(text);
    let inside_string = |offset: usize| protected.iter().any(|&(s, e)| s < offset && offset < e);
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in text.split('\n') {
        lines.push((offset, line));
        offset += line.len() + 1;
    }
    let common = lines
        .iter()
        .skip(1)
        .filter(|(start, line)| !inside_string(*start) && !line.trim().is_empty())
        .map(|(_, line)| line.len() - line.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for (i, (start, line)) in lines.iter().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if i > 0 {
            out.push_str(eol);
            if !inside_string(*start) && !line.trim().is_empty() {
                out.push_str(indent);
                out.push_str(&line[common.min(line.len())..]);
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// The byte ranges of the string literals (`"…"` and `''…''`) in `text`.
fn string_ranges(text: &str) -> Vec<(usize, usize)> {
    let parsed = SourceFile::parse("<expression>", text);
    parsed
        .root()
        .descendants()
        .filter(|n| n.kind() == SyntaxKind::NODE_STRING)
        .map(|n| {
            let range = n.text_range();
            (usize::from(range.start()), usize::from(range.end()))
        })
        .collect()
}

/// The end of `element`, or of a comment that follows it on the same line.
fn trailing_comment_end(element: &SyntaxElement) -> TextSize {
    let end = element.text_range().end();
    let mut next = element.next_sibling_or_token();
    if let Some(ws) = &next
        && ws.kind() == SyntaxKind::TOKEN_WHITESPACE
    {
        if ws.to_string().contains('\n') {
            return end;
        }
        next = ws.next_sibling_or_token();
    }
    match next {
        Some(comment)
            if comment.kind() == SyntaxKind::TOKEN_COMMENT
                && !comment.to_string().contains('\n') =>
        {
            comment.text_range().end()
        }
        _ => end,
    }
}

/// What to delete to remove `node` cleanly: its leading comments (on the lines just above, no
/// blank line between), a comment after it on its line, and its whole lines when nothing
/// else stands on them; otherwise the node and the blank space before it.
fn removal_range(file: &SourceFile, node: &SyntaxNode) -> TextRange {
    let text = file.text();
    let is_blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t');
    let mut start = node.text_range().start();
    let mut element = SyntaxElement::Node(node.clone());
    loop {
        let Some(ws) = element.prev_sibling_or_token() else {
            break;
        };
        let (comment, newlines) = if ws.kind() == SyntaxKind::TOKEN_WHITESPACE {
            let newlines = ws.to_string().matches('\n').count();
            match ws.prev_sibling_or_token() {
                Some(c) if c.kind() == SyntaxKind::TOKEN_COMMENT => (c, newlines),
                _ => break,
            }
        } else if ws.kind() == SyntaxKind::TOKEN_COMMENT {
            (ws, 0)
        } else {
            break;
        };
        let comment_start = usize::from(comment.text_range().start());
        let own_line = is_blank(&text[file.line_start(comment_start)..comment_start]);
        if newlines > 1 || !own_line {
            break;
        }
        start = comment.text_range().start();
        element = comment;
    }
    let end = trailing_comment_end(&SyntaxElement::Node(node.clone()));

    let (start_us, end_us) = (usize::from(start), usize::from(end));
    let line_start = file.line_start(start_us);
    let rest = &text[end_us..];
    let line_end = rest.find('\n').map(|i| end_us + i + 1);
    let to_size = |n: usize| TextSize::try_from(n).expect("offsets fit in u32");
    if let Some(line_end) = line_end
        && is_blank(&text[line_start..start_us])
        && text[end_us..line_end].trim().is_empty()
    {
        return tidy_blank_lines(text, line_start, line_end, file);
    }
    // Inline: take the blank space before the node, or else the blank space after it.
    let before = text[..start_us].trim_end_matches([' ', '\t']).len();
    if before < start_us {
        return TextRange::new(to_size(before), end);
    }
    let after = end_us + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    TextRange::new(start, to_size(after))
}

/// Widens a whole-line removal `[start, end)` so it leaves no doubled blank line, and no blank
/// line just inside an opening or closing bracket.
fn tidy_blank_lines(text: &str, start: usize, end: usize, file: &SourceFile) -> TextRange {
    let to_size = |n: usize| TextSize::try_from(n).expect("offsets fit in u32");
    let previous = (start > 0).then(|| {
        let previous_start = file.line_start(start - 1);
        (previous_start, &text[previous_start..start])
    });
    let next_end = text[end..].find('\n').map(|i| end + i + 1);
    let next = &text[end..next_end.unwrap_or(text.len())];
    let previous_blank = previous.is_some_and(|(_, line)| line.trim().is_empty());
    let previous_opens = previous.is_some_and(|(_, line)| {
        let line = line.trim_end();
        line.ends_with(['{', '[', '(']) || line.ends_with("let")
    });
    let next_blank = next_end.is_some() && next.trim().is_empty();
    let next_closes = next.trim_start().starts_with(['}', ']', ')']);
    match (previous, next_end) {
        (_, Some(next_end)) if next_blank && (previous_blank || previous_opens) => {
            TextRange::new(to_size(start), to_size(next_end))
        }
        (Some((previous_start, _)), _) if previous_blank && next_closes => {
            TextRange::new(to_size(previous_start), to_size(end))
        }
        _ => TextRange::new(to_size(start), to_size(end)),
    }
}
