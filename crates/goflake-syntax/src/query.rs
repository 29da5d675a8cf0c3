//! Finding the binding for an attribute path, however the file spells it.
//!
//! Every `name = value;` and `inherit name;` in the file gets a *logical path*: the names of
//! the bindings it is nested in, followed by its own attribute path. Expressions that hold
//! bindings without naming them are looked through: lambda bodies, `let … in` bodies,
//! `with`/`assert` bodies, parentheses, both sides of operators, both branches of `if`, and
//! both the function and the argument of a call, so the arguments of
//! `pkgs.buildGoModule { … }` and `buildGoModule (finalAttrs: { … })` have the path of the
//! binding that holds the call. The bindings of a `let` block take the path of the `let`.
//! A function's argument defaults (`{ x ? "…" }:`) are bindings of its path too, and the
//! bindings inside a list's elements take the element's index (`overlays.0.rev`).

use rnix::ast;
use rnix::{SyntaxKind, SyntaxNode, TextRange};
use rowan::ast::AstNode;

use crate::path::{AttrPath, PathChain};
use crate::source::SourceFile;
use crate::strings::decode_string;

/// How a binding is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingKind {
    /// `path = value;` — `entry` is the `NODE_ATTRPATH_VALUE`, `value` its right-hand side.
    Value {
        entry: SyntaxNode,
        value: SyntaxNode,
    },
    /// `inherit name;` or `inherit (from) name;` — `attr` is the name inside `entry`.
    Inherit {
        entry: SyntaxNode,
        attr: SyntaxNode,
        from: Option<SyntaxNode>,
    },
}

/// A binding and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The logical path (see [`Binding::path`]).
    chain: PathChain,
    pub kind: BindingKind,
    /// The attrset or `let` block that holds the binding.
    pub container: SyntaxNode,
}

impl Binding {
    /// The binding's logical path: `outputs.packages.default`, `overlays.0.rev`.
    pub fn path(&self) -> AttrPath {
        self.chain.to_path()
    }

    /// The last name of its path.
    pub fn name(&self) -> Option<&str> {
        self.chain.last()
    }

    /// The whole binding (`name = value;` or the `inherit …;` statement).
    pub fn entry(&self) -> &SyntaxNode {
        match &self.kind {
            BindingKind::Value { entry, .. } | BindingKind::Inherit { entry, .. } => entry,
        }
    }

    /// The right-hand side of a `name = value;` binding.
    pub fn value(&self) -> Option<&SyntaxNode> {
        match &self.kind {
            BindingKind::Value { value, .. } => Some(value),
            BindingKind::Inherit { .. } => None,
        }
    }

    /// The range a reader should be pointed at.
    pub fn range(&self) -> TextRange {
        match &self.kind {
            BindingKind::Value { entry, .. } => entry.text_range(),
            BindingKind::Inherit { attr, .. } => attr.text_range(),
        }
    }

    fn is_plain_inherit(&self) -> bool {
        matches!(self.kind, BindingKind::Inherit { from: None, .. })
    }
}

/// A literal value as `goflake get` reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    StringList(Vec<String>),
    Null,
    Bool(bool),
    Int(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("no binding for `{path}` in {file}")]
    NotFound {
        path: AttrPath,
        file: String,
        /// Existing paths that look closest, best first.
        suggestions: Vec<AttrPath>,
    },
    #[error("`{path}` is ambiguous: it is bound at {}", .locations.join(" and at "))]
    Ambiguous {
        path: AttrPath,
        locations: Vec<String>,
    },
    #[error("{location}: `{path}` is {what}, not a literal")]
    NotLiteral {
        path: AttrPath,
        what: String,
        location: String,
    },
}

/// All bindings in the file, in source order.
pub fn bindings(file: &SourceFile) -> Vec<Binding> {
    let mut out = Vec::new();
    if let Some(expr) = file.root().children().next() {
        walk(&expr, &PathChain::default(), &mut out);
    }
    out
}

/// The one binding for `path`: an exact match of its logical path, or else the one binding
/// whose logical path ends with `path`. `inherit name;` only counts when nothing else binds
/// the name (it merely repeats a variable that is bound elsewhere).
pub fn find(file: &SourceFile, path: &AttrPath) -> Result<Binding, QueryError> {
    BindingIndex::new(file).find(file, path)
}

/// A file's bindings, walked once, for many [`find`]s (each of which would walk it again).
#[derive(Debug, Clone)]
pub struct BindingIndex {
    all: Vec<Binding>,
}

impl BindingIndex {
    pub fn new(file: &SourceFile) -> BindingIndex {
        BindingIndex {
            all: bindings(file),
        }
    }

    /// [`find`] on the indexed `file`.
    pub fn find(&self, file: &SourceFile, path: &AttrPath) -> Result<Binding, QueryError> {
        let all = &self.all;
        let exact: Vec<&Binding> = all.iter().filter(|b| b.chain.is(path)).collect();
        let candidates = if exact.is_empty() {
            all.iter().filter(|b| b.chain.ends_with(path)).collect()
        } else {
            exact
        };
        let mut candidates: Vec<&Binding> = candidates;
        if candidates.iter().any(|b| !b.is_plain_inherit()) {
            candidates.retain(|b| !b.is_plain_inherit());
        }
        // `inherit x;` repeats a binding of an enclosing scope: follow each to its source, and
        // when they all come from one binding, that binding is the answer.
        let resolved: Vec<Binding> = candidates
            .iter()
            .map(|b| resolve_inherit(all, b).unwrap_or_else(|| (*b).clone()))
            .collect();
        let mut unique: Vec<&Binding> = Vec::new();
        for binding in &resolved {
            if !unique
                .iter()
                .any(|u| u.entry() == binding.entry() && u.chain == binding.chain)
            {
                unique.push(binding);
            }
        }
        let candidates = unique;
        match candidates.as_slice() {
            [] => Err(QueryError::NotFound {
                path: path.clone(),
                file: file.name().to_owned(),
                suggestions: suggest(all, path),
            }),
            [one] => Ok((*one).clone()),
            many => Err(QueryError::Ambiguous {
                path: path.clone(),
                locations: many
                    .iter()
                    .map(|b| format!("{} (`{}`)", file.location(b.range().start()), b.path()))
                    .collect(),
            }),
        }
    }
}

impl BindingIndex {
    /// The `name = value;` binding that sits in the same attrset or `let` as `binding`, or in
    /// an attrset that repeats `binding` with `inherit`: a package whose value is bound in a
    /// `let` and inherited into `buildGoModule { inherit vendorHash; … }` reads its other
    /// arguments there. The binding's own container comes first.
    pub fn beside(&self, binding: &Binding, name: &str) -> Option<&Binding> {
        // `name = …;` itself, not `name.x = …;`.
        let named_in = |container: &SyntaxNode| {
            self.all.iter().find(|b| {
                &b.container == container
                    && b.name() == Some(name)
                    && matches!(&b.kind, BindingKind::Value { entry, .. }
                        if ast::AttrpathValue::cast(entry.clone())
                            .and_then(|e| e.attrpath())
                            .is_some_and(|p| p.attrs().count() == 1))
            })
        };
        let inheritors = self.all.iter().filter(|b| {
            b.is_plain_inherit()
                && b.name() == binding.name()
                && resolve_inherit(&self.all, b)
                    .is_some_and(|source| source.entry() == binding.entry())
        });
        std::iter::once(&binding.container)
            .chain(inheritors.map(|b| &b.container))
            .find_map(named_in)
    }
}

/// The binding an `inherit name;` repeats: `name` bound by the nearest enclosing `let`,
/// `rec` set or function argument default around the inherit.
fn resolve_inherit(all: &[Binding], binding: &Binding) -> Option<Binding> {
    let BindingKind::Inherit {
        entry, from: None, ..
    } = &binding.kind
    else {
        return None;
    };
    let name = binding.name()?;
    let binds_name = |b: &&Binding, container: &SyntaxNode| {
        &b.container == container
            && !b.is_plain_inherit()
            && b.name() == Some(name)
            && matches!(&b.kind, BindingKind::Value { entry, .. }
                if entry.parent().as_ref() == Some(container)
                    // `name = …;`, not `name.x = …;`.
                    && ast::AttrpathValue::cast(entry.clone())
                        .and_then(|e| e.attrpath())
                        .is_none_or(|p| p.attrs().count() == 1))
    };
    for scope in entry.ancestors().skip(1) {
        let container = match scope.kind() {
            SyntaxKind::NODE_LET_IN | SyntaxKind::NODE_LEGACY_LET => Some(scope.clone()),
            SyntaxKind::NODE_ATTR_SET => ast::AttrSet::cast(scope.clone())
                .filter(|set| set.rec_token().is_some())
                .map(|_| scope.clone()),
            // Defaults are recorded with their pattern as the container.
            SyntaxKind::NODE_LAMBDA => ast::Lambda::cast(scope.clone())
                .and_then(|l| l.param())
                .and_then(|p| match p {
                    ast::Param::Pattern(p) => Some(p.syntax().clone()),
                    ast::Param::IdentParam(_) => None,
                }),
            _ => None,
        };
        if let Some(container) = container
            && let Some(found) = all.iter().find(|b| binds_name(b, &container))
        {
            return Some(found.clone());
        }
    }
    None
}

/// Reads the binding's value as a literal.
pub fn read_literal(file: &SourceFile, binding: &Binding) -> Result<Literal, QueryError> {
    let not_literal = |what: &str, node: &SyntaxNode| QueryError::NotLiteral {
        path: binding.path(),
        what: what.to_owned(),
        location: file.location(node.text_range().start()),
    };
    let value = match &binding.kind {
        BindingKind::Value { value, .. } => value,
        BindingKind::Inherit { attr, from, .. } => {
            let what = if from.is_some() {
                "inherited from another expression"
            } else {
                "inherited from the enclosing scope"
            };
            return Err(not_literal(what, attr));
        }
    };
    literal_of(value).map_err(|what| not_literal(&what, value))
}

fn literal_of(node: &SyntaxNode) -> Result<Literal, String> {
    match ast::Expr::cast(node.clone()) {
        Some(ast::Expr::Str(s)) => decode_string(&s)
            .map(Literal::String)
            .ok_or_else(|| "a string with interpolation".to_owned()),
        Some(ast::Expr::List(list)) => {
            let mut items = Vec::new();
            for item in list.items() {
                match item {
                    ast::Expr::Str(s) => items.push(
                        decode_string(&s)
                            .ok_or_else(|| "a list holding interpolated strings".to_owned())?,
                    ),
                    _ => return Err("a list holding values other than strings".to_owned()),
                }
            }
            Ok(Literal::StringList(items))
        }
        Some(ast::Expr::Ident(ident)) => match ident.syntax().text().to_string().as_str() {
            "null" => Ok(Literal::Null),
            "true" => Ok(Literal::Bool(true)),
            "false" => Ok(Literal::Bool(false)),
            name => Err(format!("the variable `{name}`")),
        },
        Some(ast::Expr::Literal(lit)) => lit
            .syntax()
            .text()
            .to_string()
            .parse()
            .map(Literal::Int)
            .map_err(|_| "a number or URI literal".to_owned()),
        Some(ast::Expr::Paren(p)) => match p.expr() {
            Some(inner) => literal_of(inner.syntax()),
            None => Err("an incomplete expression".to_owned()),
        },
        Some(other) => Err(describe(&other)),
        None => Err("not an expression".to_owned()),
    }
}

fn describe(expr: &ast::Expr) -> String {
    let what = match expr {
        ast::Expr::Apply(_) => "a function call",
        ast::Expr::Select(_) => "an attribute selection",
        ast::Expr::AttrSet(_) => "an attribute set",
        ast::Expr::Lambda(_) => "a function",
        ast::Expr::LetIn(_) => "a `let … in` expression",
        ast::Expr::BinOp(_) => "an operator expression",
        ast::Expr::IfElse(_) => "an `if` expression",
        ast::Expr::With(_) => "a `with` expression",
        ast::Expr::PathAbs(_)
        | ast::Expr::PathRel(_)
        | ast::Expr::PathHome(_)
        | ast::Expr::PathSearch(_) => "a path",
        _ => "a computed value",
    };
    what.to_owned()
}

/// The attribute set that `node` stands for, looking through what [`bindings`] looks
/// through: the argument of a call, a function's body, a `let`'s body, parentheses, and the
/// right side of `//`.
pub fn attrset_of(node: &SyntaxNode) -> Option<SyntaxNode> {
    use SyntaxKind::*;
    match node.kind() {
        NODE_ATTR_SET => Some(node.clone()),
        NODE_ROOT | NODE_PAREN => node.children().next().and_then(|n| attrset_of(&n)),
        NODE_LAMBDA => attrset_of(ast::Lambda::cast(node.clone())?.body()?.syntax()),
        NODE_LET_IN => attrset_of(ast::LetIn::cast(node.clone())?.body()?.syntax()),
        NODE_WITH => attrset_of(ast::With::cast(node.clone())?.body()?.syntax()),
        NODE_ASSERT => attrset_of(ast::Assert::cast(node.clone())?.body()?.syntax()),
        NODE_APPLY => attrset_of(ast::Apply::cast(node.clone())?.argument()?.syntax()),
        NODE_BIN_OP => attrset_of(ast::BinOp::cast(node.clone())?.rhs()?.syntax()),
        _ => None,
    }
}

/// The name an attribute spells, or `None` for `${…}` and interpolated strings.
pub(crate) fn attr_name(attr: &ast::Attr) -> Option<String> {
    match attr {
        ast::Attr::Ident(ident) => Some(ident.syntax().text().to_string()),
        ast::Attr::Str(s) => decode_string(s),
        ast::Attr::Dynamic(d) => match d.expr() {
            Some(ast::Expr::Str(s)) => decode_string(&s),
            _ => None,
        },
    }
}

fn attrpath_names(attrpath: &ast::Attrpath) -> Vec<String> {
    attrpath
        .attrs()
        .map(|attr| name_as_written(&attr))
        .collect()
}

/// An attribute's name, or for one computed at evaluation its text as a user types it in a
/// path: `${system}-tag` for `"${system}-tag"`, `${expr}` for `${expr}`.
fn name_as_written(attr: &ast::Attr) -> String {
    attr_name(attr).unwrap_or_else(|| {
        let text = attr.syntax().text().to_string();
        match attr {
            ast::Attr::Str(_) => text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .map_or(text.clone(), str::to_owned),
            _ => text,
        }
    })
}

fn walk(node: &SyntaxNode, prefix: &PathChain, out: &mut Vec<Binding>) {
    use SyntaxKind::*;
    match node.kind() {
        NODE_ATTR_SET | NODE_LEGACY_LET => collect_entries(node, prefix, out),
        NODE_LET_IN => {
            collect_entries(node, prefix, out);
            if let Some(body) = ast::LetIn::cast(node.clone()).and_then(|l| l.body()) {
                walk(body.syntax(), prefix, out);
            }
        }
        NODE_LAMBDA => {
            let Some(lambda) = ast::Lambda::cast(node.clone()) else {
                return;
            };
            // `{ vendorHash ? "sha256-…" }: …`: a default is a binding of the function's
            // scope, which `inherit vendorHash;` in the body repeats.
            if let Some(ast::Param::Pattern(pattern)) = lambda.param() {
                for entry in pattern.pat_entries() {
                    if let (Some(ident), Some(default)) = (entry.ident(), entry.default()) {
                        out.push(Binding {
                            chain: prefix.child(ident.syntax().text().to_string()),
                            kind: BindingKind::Value {
                                entry: entry.syntax().clone(),
                                value: default.syntax().clone(),
                            },
                            container: pattern.syntax().clone(),
                        });
                    }
                }
            }
            if let Some(body) = lambda.body() {
                walk(body.syntax(), prefix, out);
            }
        }
        // `overlays = [ (final: prev: { … }) ]`: an element's bindings are under its index.
        NODE_LIST => {
            if let Some(list) = ast::List::cast(node.clone()) {
                for (index, item) in list.items().enumerate() {
                    walk(item.syntax(), &prefix.child(index.to_string()), out);
                }
            }
        }
        NODE_WITH => {
            if let Some(body) = ast::With::cast(node.clone()).and_then(|w| w.body()) {
                walk(body.syntax(), prefix, out);
            }
        }
        NODE_ASSERT => {
            if let Some(body) = ast::Assert::cast(node.clone()).and_then(|a| a.body()) {
                walk(body.syntax(), prefix, out);
            }
        }
        NODE_SELECT => {
            if let Some(expr) = ast::Select::cast(node.clone()).and_then(|s| s.expr()) {
                walk(expr.syntax(), prefix, out);
            }
        }
        NODE_IF_ELSE => {
            if let Some(if_else) = ast::IfElse::cast(node.clone()) {
                for branch in [if_else.body(), if_else.else_body()].into_iter().flatten() {
                    walk(branch.syntax(), prefix, out);
                }
            }
        }
        NODE_PAREN | NODE_APPLY | NODE_BIN_OP => {
            for child in node.children() {
                walk(&child, prefix, out);
            }
        }
        _ => {}
    }
}

fn collect_entries(container: &SyntaxNode, prefix: &PathChain, out: &mut Vec<Binding>) {
    for child in container.children() {
        if let Some(entry) = ast::AttrpathValue::cast(child.clone()) {
            let (Some(attrpath), Some(value)) = (entry.attrpath(), entry.value()) else {
                continue;
            };
            let path = prefix.join(&attrpath_names(&attrpath));
            out.push(Binding {
                chain: path.clone(),
                kind: BindingKind::Value {
                    entry: child.clone(),
                    value: value.syntax().clone(),
                },
                container: container.clone(),
            });
            walk(value.syntax(), &path, out);
        } else if let Some(inherit) = ast::Inherit::cast(child.clone()) {
            let from = inherit.from().map(|f| f.syntax().clone());
            for attr in inherit.attrs() {
                let name = name_as_written(&attr);
                out.push(Binding {
                    chain: prefix.child(name),
                    kind: BindingKind::Inherit {
                        entry: child.clone(),
                        attr: attr.syntax().clone(),
                        from: from.clone(),
                    },
                    container: container.clone(),
                });
            }
        }
    }
}

/// Up to five existing paths closest to `wanted`: those whose last name is a near miss
/// (case and typos), else the three closest overall.
fn suggest(all: &[Binding], wanted: &AttrPath) -> Vec<AttrPath> {
    let wanted_text = wanted.to_string();
    let last = wanted
        .segments()
        .last()
        .map(|s| s.to_lowercase())
        .unwrap_or_default();
    // A path much longer than the one wanted is no near miss; leaving those out keeps this
    // linear in the file (a deeply nested file has very long paths).
    let mut scored: Vec<(usize, usize, AttrPath)> = all
        .iter()
        .filter(|b| b.chain.len() <= wanted.len() + 3)
        .map(|b| {
            let own_last = b.name().map(str::to_lowercase).unwrap_or_default();
            let near = levenshtein(&own_last, &last);
            let path = b.path();
            (near, levenshtein(&path.to_string(), &wanted_text), path)
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.2 == b.2);
    let near_misses: Vec<AttrPath> = scored
        .iter()
        .filter(|(near, _, _)| *near <= last.chars().count() / 3 + 1)
        .take(5)
        .map(|(_, _, path)| path.clone())
        .collect();
    if !near_misses.is_empty() {
        return near_misses;
    }
    scored.sort_by_key(|(_, whole, _)| *whole);
    scored
        .into_iter()
        .take(3)
        .map(|(_, _, path)| path)
        .collect()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(text: &str, path: &str) -> Result<Literal, QueryError> {
        let file = SourceFile::parse("test.nix", text);
        let binding = find(&file, &path.parse().unwrap())?;
        read_literal(&file, &binding)
    }

    #[test]
    fn dotted_nested_and_split_spellings_agree() {
        let s = |v: &str| Ok(Literal::String(v.to_owned()));
        assert_eq!(
            get(r#"{ inputs.nixpkgs.url = "a"; }"#, "inputs.nixpkgs.url"),
            s("a")
        );
        assert_eq!(
            get(
                r#"{ inputs = { nixpkgs = { url = "b"; }; }; }"#,
                "inputs.nixpkgs.url"
            ),
            s("b")
        );
        assert_eq!(
            get(
                r#"{ inputs.nixpkgs = { url = "c"; }; inputs.x.url = "d"; }"#,
                "inputs.x.url"
            ),
            s("d")
        );
        assert_eq!(get(r#"{ "quoted key" = "e"; }"#, r#""quoted key""#), s("e"));
        assert_eq!(get(r#"rec { ${"dyn"} = "f"; }"#, "dyn"), s("f"));
    }

    #[test]
    fn looks_through_functions_calls_and_lets() {
        let text = r#"{ buildGoModule, lib }:
let version = "1.2.3"; in
buildGoModule (finalAttrs: {
  pname = "demo";
  inherit version;
  vendorHash = null;
  ldflags = [ "-s" "-w" ];
})"#;
        assert_eq!(get(text, "version"), Ok(Literal::String("1.2.3".into())));
        assert_eq!(get(text, "vendorHash"), Ok(Literal::Null));
        assert_eq!(
            get(text, "ldflags"),
            Ok(Literal::StringList(vec!["-s".into(), "-w".into()]))
        );
    }

    #[test]
    fn inherits_lead_to_their_source() {
        let text = r#"{ outputs = { self }: let vendorHash = "x"; v = { vendorHash = "no"; }; in { a = { inherit vendorHash; }; b = { inherit vendorHash; }; }; }"#;
        // Two inherits fed by one `let` binding: that binding, not an ambiguity.
        let file = SourceFile::parse("test.nix", text);
        let found = find(&file, &"a.vendorHash".parse().unwrap()).unwrap();
        assert_eq!(found.path().to_string(), "outputs.vendorHash");
        assert_eq!(get(text, "b.vendorHash"), Ok(Literal::String("x".into())));
        let defaults = r#"{ vendorHash ? "d" }: { a = f { inherit vendorHash; }; b = g { inherit vendorHash; }; }"#;
        assert_eq!(
            get(defaults, "a.vendorHash"),
            Ok(Literal::String("d".into()))
        );
        assert_eq!(get(defaults, "vendorHash"), Ok(Literal::String("d".into())));
        // An inherit with nothing to follow stays what it is.
        let open = "{ pkgs }: { inherit pkgs; }";
        assert!(matches!(
            get(open, "pkgs"),
            Err(QueryError::NotLiteral { .. })
        ));
    }

    #[test]
    fn suffix_matches_and_ambiguity() {
        let text = r#"{ outputs = { self }: { a.vendorHash = "x"; b.vendorHash = "y"; }; }"#;
        assert_eq!(get(text, "a.vendorHash"), Ok(Literal::String("x".into())));
        match get(text, "vendorHash") {
            Err(QueryError::Ambiguous { locations, .. }) => {
                assert_eq!(
                    locations,
                    [
                        "test.nix:1:25 (`outputs.a.vendorHash`)",
                        "test.nix:1:45 (`outputs.b.vendorHash`)"
                    ]
                );
            }
            other => panic!("expected ambiguity, got {other:?}"),
        }
    }

    #[test]
    fn computed_values_say_what_and_where() {
        let text = "{ x = lib.fakeHash;\n  y = \"a${b}\"; }";
        let err = get(text, "x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.nix:1:7: `x` is an attribute selection, not a literal"
        );
        let err = get(text, "y").unwrap_err();
        assert_eq!(
            err.to_string(),
            "test.nix:2:7: `y` is a string with interpolation, not a literal"
        );
    }

    #[test]
    fn missing_paths_suggest_close_ones() {
        let text = r#"{ inputs.nixpkgs.url = "a"; outputs = _: { vendorHash = null; }; }"#;
        match get(text, "vendorhash") {
            Err(QueryError::NotFound { suggestions, .. }) => {
                assert_eq!(suggestions[0].to_string(), "outputs.vendorHash");
            }
            other => panic!("expected not found, got {other:?}"),
        }
    }
}
