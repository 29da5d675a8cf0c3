//! Lossless reading and editing of Nix files.
//!
//! Invariants (see `docs/architecture.md`):
//! - no IO: text in, text out;
//! - printing a parsed file gives back its text byte for byte;
//! - an edit is a list of non-overlapping text edits against the original text; applying it
//!   re-parses the result and refuses any parse error the input did not have.

pub mod edit;
#[doc(hidden)]
pub mod fuzz;
pub mod path;
pub mod query;
pub mod source;
pub mod strings;

pub use edit::{EditError, ListItem, TextEdit, apply};
pub use path::{AttrPath, AttrPathError};
pub use query::{
    Binding, BindingIndex, BindingKind, Literal, QueryError, attrset_of, bindings, find,
    read_literal,
};
pub use rnix::{SyntaxKind, SyntaxNode, TextRange, TextSize};
pub use source::{Diagnostic, LineCol, SourceFile};
pub use strings::{NulInString, best_string_literal, decode_string_literal, string_literal};
