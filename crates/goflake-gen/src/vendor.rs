//! Where a Nix file keeps its vendorHash, and the one writer of it: the value and the
//! fingerprint comment beside it, as edits. Text in, edits out; reading go.sum for the
//! fingerprint and writing the file are the caller's.

use goflake_nar::Sha256;
use goflake_syntax::edit::{self, EditError};
use goflake_syntax::{
    AttrPath, Binding, BindingIndex, Literal, QueryError, SourceFile, SyntaxKind, TextEdit,
};

/// The comment after vendorHash that records what it was computed from
/// (`goflake_gomod::vendor_fingerprint`).
pub const FINGERPRINT: &str = "goflake: vendor fingerprint";

/// A vendorHash as the file says it: a hash, `null`, or something else (a computed value,
/// goflake's "not computed yet" error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Current {
    Hash(Sha256),
    Null,
    Other(String),
}

impl Current {
    /// As a message shows it: the hash, `null`, or the expression in backquotes.
    pub fn shown(&self) -> String {
        match self {
            Current::Hash(hash) => hash.sri(),
            Current::Null => "null".to_owned(),
            Current::Other(text) => format!("`{text}`"),
        }
    }
}

/// A vendorHash binding and the values of the same package that decide it.
#[derive(Debug, Clone)]
pub struct VendorHashSite {
    pub binding: Binding,
    pub current: Current,
    /// modRoot beside it (`./` when there is none).
    pub mod_root: String,
    pub proxy_vendor: bool,
    /// The fingerprint recorded next to the hash, if any.
    pub recorded_fingerprint: Option<String>,
    /// The relative path the package's `src` names (`./.`, `../.`, also inside
    /// `lib.cleanSourceWith { src = ./.; … }`): modRoot is relative to it.
    pub src_path: Option<String>,
}

impl VendorHashSite {
    /// The binding at `attr` (`vendorHash`: the one binding of that name) and its siblings.
    pub fn find(file: &SourceFile, attr: &AttrPath) -> Result<VendorHashSite, QueryError> {
        // One walk of the file for the binding and its siblings.
        let index = BindingIndex::new(file);
        let binding = index.find(file, attr)?;
        let current = match goflake_syntax::read_literal(file, &binding) {
            Ok(Literal::String(s)) => match Sha256::parse(&s) {
                Ok(hash) => Current::Hash(hash),
                Err(_) => Current::Other(s),
            },
            Ok(Literal::Null) => Current::Null,
            _ => Current::Other(
                binding
                    .value()
                    .map(|v| v.text().to_string())
                    .unwrap_or_default(),
            ),
        };
        let mod_root = match sibling_literal(file, &index, &binding, "modRoot") {
            Some(Literal::String(s)) => s,
            _ => "./".to_owned(),
        };
        let proxy_vendor = matches!(
            sibling_literal(file, &index, &binding, "proxyVendor"),
            Some(Literal::Bool(true))
        );
        let recorded_fingerprint = edit::trailing_comment(&binding)
            .and_then(|c| c.strip_prefix(FINGERPRINT).map(|f| f.trim().to_owned()));
        let src_path = src_path(file, &index, &binding);
        Ok(VendorHashSite {
            binding,
            current,
            mod_root,
            proxy_vendor,
            recorded_fingerprint,
            src_path,
        })
    }

    /// Whether the file's vendorHash differs from `computed` (`None`: null).
    pub fn is_stale(&self, computed: Option<Sha256>) -> bool {
        match (&self.current, computed) {
            (Current::Hash(current), Some(new)) => *current != new,
            (Current::Null, None) => false,
            _ => true,
        }
    }

    /// The edits that make the file say `computed` (only the value changes) with
    /// `fingerprint` recorded beside it; none when it already does.
    pub fn edits(
        &self,
        file: &SourceFile,
        computed: Option<Sha256>,
        fingerprint: &str,
    ) -> Result<Vec<TextEdit>, EditError> {
        let mut edits = Vec::new();
        if self.is_stale(computed) {
            edits.extend(match computed {
                Some(hash) => edit::set_string(file, &self.binding, &hash.sri())?,
                None => edit::set_expr(file, &self.binding, "null")?,
            });
        }
        if self.recorded_fingerprint.as_deref() != Some(fingerprint) {
            edits.extend(edit::set_trailing_comment(
                &self.binding,
                &format!("{FINGERPRINT} {fingerprint}"),
            ));
        }
        Ok(edits)
    }
}

/// A value of the same package as `binding`: beside it, or where it is inherited into the
/// package's arguments (a generated flake binds vendorHash in a `let` and inherits it into
/// `buildGoModule { … }`, where a user adds proxyVendor and where `src` is).
fn sibling(
    file: &SourceFile,
    index: &BindingIndex,
    binding: &Binding,
    name: &str,
) -> Option<Binding> {
    let mut segments = binding.path().segments().to_vec();
    segments.pop();
    segments.push(name.to_owned());
    index
        .find(file, &AttrPath::new(segments))
        .ok()
        .or_else(|| index.beside(binding, name).cloned())
}

fn sibling_literal(
    file: &SourceFile,
    index: &BindingIndex,
    binding: &Binding,
    name: &str,
) -> Option<Literal> {
    goflake_syntax::read_literal(file, &sibling(file, index, binding, name)?).ok()
}

fn src_path(file: &SourceFile, index: &BindingIndex, binding: &Binding) -> Option<String> {
    let value = sibling(file, index, binding, "src")?.value()?.clone();
    let path = std::iter::once(value.clone())
        .chain(value.descendants())
        .find(|n| n.kind() == SyntaxKind::NODE_PATH_REL)?;
    Some(path.text().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    fn site(text: &str) -> (SourceFile, VendorHashSite) {
        let file = SourceFile::parse("package.nix", text);
        let site = VendorHashSite::find(&file, &"vendorHash".parse().unwrap()).unwrap();
        (file, site)
    }

    #[test]
    fn the_site_reads_the_values_beside_the_hash() {
        let (_, site) = site(
            "buildGoModule {\n  src = lib.cleanSourceWith { src = ../.; };\n  modRoot = \"cmd/x\";\n  proxyVendor = true;\n  vendorHash = null; # goflake: vendor fingerprint abc\n}\n",
        );
        assert_eq!(site.current, Current::Null);
        assert_eq!(site.mod_root, "cmd/x");
        assert!(site.proxy_vendor);
        assert_eq!(site.recorded_fingerprint.as_deref(), Some("abc"));
        assert_eq!(site.src_path.as_deref(), Some("../."));
    }

    #[test]
    fn values_of_the_call_that_inherits_the_hash_count() {
        let (_, site) = site(
            "let\n  vendorHash = null;\n  modRoot = \"./\";\nin\n{\n  native = buildGoModule {\n    inherit vendorHash modRoot;\n    proxyVendor = true;\n  };\n  other = { proxyVendor = false; };\n}\n",
        );
        assert!(site.proxy_vendor);
        assert_eq!(site.mod_root, "./");
        let (_, site) = self::site(
            "let\n  vendorHash = null;\nin\n{\n  native = buildGoModule {\n    inherit vendorHash;\n    proxyVendor.x = true;\n  };\n}\n",
        );
        assert!(!site.proxy_vendor, "proxyVendor.x is not proxyVendor");
        let (_, site) = self::site(
            "let\n  vendorHash = null;\nin\nbuildGoModule {\n  inherit vendorHash;\n  src = lib.cleanSourceWith { src = ../.; };\n}\n",
        );
        assert_eq!(site.src_path.as_deref(), Some("../."));
    }

    #[test]
    fn the_writer_changes_only_the_value_and_the_fingerprint() {
        let text = "{\n  # pinned\n  vendorHash = lib.fakeHash;\n  pname = \"x\";\n}\n";
        let (file, site) = site(text);
        assert_eq!(site.current, Current::Other("lib.fakeHash".into()));
        let hash = Sha256::parse(HASH).unwrap();
        let edits = site.edits(&file, Some(hash), "f1").unwrap();
        let written = goflake_syntax::apply(&file, edits).unwrap();
        assert_eq!(
            written.text(),
            format!(
                "{{\n  # pinned\n  vendorHash = \"{HASH}\"; # goflake: vendor fingerprint f1\n  pname = \"x\";\n}}\n"
            )
        );
        // Written again with the same values: nothing to do.
        let (file, site) = self::site(written.text());
        assert!(!site.is_stale(Some(hash)));
        assert!(site.edits(&file, Some(hash), "f1").unwrap().is_empty());
        // Only the fingerprint changed: only the comment changes.
        let edits = site.edits(&file, Some(hash), "f2").unwrap();
        let rewritten = goflake_syntax::apply(&file, edits).unwrap();
        assert_eq!(rewritten.text(), written.text().replace(" f1", " f2"));
    }
}
