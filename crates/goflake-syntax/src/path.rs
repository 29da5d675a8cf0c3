//! Attribute paths as users type them: `inputs.nixpkgs.url`, `packages."x86_64-linux".default`.

use std::fmt;
use std::rc::Rc;
use std::str::FromStr;

use crate::strings::string_literal;

/// A sequence of attribute names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrPath(Vec<String>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttrPathError {
    #[error("empty attribute path")]
    Empty,
    #[error("empty attribute name at character {0} of the attribute path")]
    EmptySegment(usize),
    #[error("unterminated quoted attribute name in the attribute path")]
    Unterminated,
    #[error("unexpected `{found}` at character {at} of the attribute path (expected `.`)")]
    Unexpected { found: char, at: usize },
}

impl AttrPath {
    pub fn new(segments: Vec<String>) -> AttrPath {
        AttrPath(segments)
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn ends_with(&self, suffix: &AttrPath) -> bool {
        self.0.ends_with(&suffix.0)
    }

    pub fn child(&self, name: impl Into<String>) -> AttrPath {
        let mut segments = self.0.clone();
        segments.push(name.into());
        AttrPath(segments)
    }
}

/// An attribute path as a chain of shared prefixes, as the binding index holds them: a
/// binding nested N levels deep shares its first N-1 names with its parent's, so an index is
/// linear in the file's size (a whole `AttrPath` per binding, and per list element walked,
/// was quadratic in the nesting: 2.8 GB for a list nested 9,999 deep).
#[derive(Debug, Clone, Default)]
pub(crate) struct PathChain(Option<Rc<Link>>);

#[derive(Debug)]
struct Link {
    parent: PathChain,
    name: String,
    len: usize,
}

impl PathChain {
    /// The chain `self.name`.
    pub fn child(&self, name: String) -> PathChain {
        PathChain(Some(Rc::new(Link {
            parent: self.clone(),
            name,
            len: self.len() + 1,
        })))
    }

    /// The chain `self.names…`.
    pub fn join(&self, names: &[String]) -> PathChain {
        names
            .iter()
            .fold(self.clone(), |chain, name| chain.child(name.clone()))
    }

    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |link| link.len)
    }

    /// The last name.
    pub fn last(&self) -> Option<&str> {
        self.0.as_ref().map(|link| link.name.as_str())
    }

    /// The names, last first.
    fn names_from_last(&self) -> impl Iterator<Item = &str> {
        std::iter::successors(self.0.as_deref(), |link| link.parent.0.as_deref())
            .map(|link| link.name.as_str())
    }

    pub fn ends_with(&self, suffix: &AttrPath) -> bool {
        suffix.len() <= self.len()
            && self
                .names_from_last()
                .zip(suffix.segments().iter().rev())
                .all(|(name, wanted)| name == wanted)
    }

    /// Whether this is `path`, name for name.
    pub fn is(&self, path: &AttrPath) -> bool {
        self.len() == path.len() && self.ends_with(path)
    }

    pub fn to_path(&self) -> AttrPath {
        let mut names: Vec<String> = self.names_from_last().map(str::to_owned).collect();
        names.reverse();
        AttrPath(names)
    }
}

impl PartialEq for PathChain {
    fn eq(&self, other: &PathChain) -> bool {
        self.len() == other.len() && self.names_from_last().eq(other.names_from_last())
    }
}

impl Eq for PathChain {}

/// Whether `name` can be written bare in an attribute path.
pub fn is_plain_identifier(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with",
    ];
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\'' | '-'))
        && !KEYWORDS.contains(&name)
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            // A list index, or a name only computed at evaluation (`${cfg.group}`, kept as the
            // file spells it): written as the user would type it.
            let dynamic = segment.starts_with("${") && segment.ends_with('}');
            let interpolated = !dynamic && segment.contains("${");
            let index = !segment.is_empty() && segment.chars().all(|c| c.is_ascii_digit());
            if is_plain_identifier(segment) || dynamic || index {
                f.write_str(segment)?;
            } else if interpolated {
                write!(f, "\"{segment}\"")?;
            } else {
                // Attribute names never contain NUL, so quoting cannot fail.
                f.write_str(&string_literal(segment).unwrap_or_else(|_| segment.clone()))?;
            }
        }
        Ok(())
    }
}

impl FromStr for AttrPath {
    type Err = AttrPathError;

    /// Dots separate names; a name may be quoted (`"x86_64-linux"`, with `\"` and `\\` escapes).
    fn from_str(input: &str) -> Result<AttrPath, AttrPathError> {
        if input.is_empty() {
            return Err(AttrPathError::Empty);
        }
        let chars: Vec<char> = input.chars().collect();
        let mut segments = Vec::new();
        let mut i = 0;
        loop {
            let start = i;
            let mut segment = String::new();
            if chars.get(i) == Some(&'"') {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(AttrPathError::Unterminated),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => {
                            let escaped = chars.get(i + 1).ok_or(AttrPathError::Unterminated)?;
                            segment.push(*escaped);
                            i += 2;
                        }
                        Some(c) => {
                            segment.push(*c);
                            i += 1;
                        }
                    }
                }
                match chars.get(i) {
                    None | Some('.') => {}
                    Some(&found) => return Err(AttrPathError::Unexpected { found, at: i + 1 }),
                }
            } else if chars.get(i) == Some(&'$') && chars.get(i + 1) == Some(&'{') {
                // `${expr}`: a name computed at evaluation, up to its matching brace.
                let mut depth = 0;
                while let Some(&c) = chars.get(i) {
                    segment.push(c);
                    i += 1;
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                if depth != 0 {
                    return Err(AttrPathError::Unterminated);
                }
                match chars.get(i) {
                    None | Some('.') => {}
                    Some(&found) => return Err(AttrPathError::Unexpected { found, at: i + 1 }),
                }
            } else {
                while let Some(&c) = chars.get(i) {
                    if c == '.' {
                        break;
                    }
                    segment.push(c);
                    i += 1;
                }
                if segment.is_empty() {
                    return Err(AttrPathError::EmptySegment(start + 1));
                }
            }
            segments.push(segment);
            match chars.get(i) {
                None => break,
                Some(_) => {
                    i += 1;
                    if i == chars.len() {
                        return Err(AttrPathError::EmptySegment(i + 1));
                    }
                }
            }
        }
        Ok(AttrPath(segments))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dotted_and_quoted_names() {
        let path: AttrPath = r#"packages."x86_64-linux".default"#.parse().unwrap();
        assert_eq!(path.segments(), ["packages", "x86_64-linux", "default"]);
        assert_eq!(path.to_string(), "packages.x86_64-linux.default");
        let quoted: AttrPath = r#"a."b.c"."d\"e""#.parse().unwrap();
        assert_eq!(quoted.segments(), ["a", "b.c", "d\"e"]);
        assert_eq!(quoted.to_string(), r#"a."b.c"."d\"e""#);
    }

    #[test]
    fn computed_names_read_as_typed() {
        let path: AttrPath = r#"perUser."${cfg.group}".x"#.parse().unwrap();
        assert_eq!(path.segments(), ["perUser", "${cfg.group}", "x"]);
        // `"${cfg.group}"` and `${cfg.group}` name the same attribute in Nix.
        assert_eq!(path.to_string(), "perUser.${cfg.group}.x");
        let tagged: AttrPath = r#""${system}-tag""#.parse().unwrap();
        assert_eq!(tagged.to_string(), r#""${system}-tag""#);
        let dynamic: AttrPath = r#"a.${"b." + c}.d"#.parse().unwrap();
        assert_eq!(dynamic.segments(), ["a", r#"${"b." + c}"#, "d"]);
        assert_eq!(dynamic.to_string(), r#"a.${"b." + c}.d"#);
        let index: AttrPath = "overlays.0.rev".parse().unwrap();
        assert_eq!(index.to_string(), "overlays.0.rev");
    }

    #[test]
    fn rejects_malformed_paths() {
        assert_eq!("".parse::<AttrPath>(), Err(AttrPathError::Empty));
        assert_eq!(
            "a..b".parse::<AttrPath>(),
            Err(AttrPathError::EmptySegment(3))
        );
        assert_eq!(
            "a.".parse::<AttrPath>(),
            Err(AttrPathError::EmptySegment(3))
        );
        assert_eq!("\"a".parse::<AttrPath>(), Err(AttrPathError::Unterminated));
        assert_eq!(
            "\"a\"b".parse::<AttrPath>(),
            Err(AttrPathError::Unexpected { found: 'b', at: 4 })
        );
    }

    #[test]
    fn keywords_are_quoted() {
        assert_eq!(AttrPath::new(vec!["in".into()]).to_string(), "\"in\"");
        assert!(is_plain_identifier("go_1_26"));
        assert!(is_plain_identifier("x86_64-linux"));
        assert!(!is_plain_identifier("1up"));
    }
}
