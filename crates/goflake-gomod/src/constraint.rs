//! Build constraints (`//go:build` expressions and file-name suffixes) and the targets they
//! allow.

use std::fmt;

/// A `//go:build` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    Tag(String),
    Not(Box<Constraint>),
    And(Box<Constraint>, Box<Constraint>),
    Or(Box<Constraint>, Box<Constraint>),
}

impl Constraint {
    pub fn parse(text: &str) -> Result<Constraint, String> {
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, pos: 0 };
        let expr = parser.or()?;
        if parser.pos != parser.tokens.len() {
            return Err(format!("unexpected `{}`", parser.tokens[parser.pos]));
        }
        Ok(expr)
    }

    pub fn eval(&self, has_tag: &dyn Fn(&str) -> bool) -> bool {
        match self {
            Constraint::Tag(tag) => has_tag(tag),
            Constraint::Not(inner) => !inner.eval(has_tag),
            Constraint::And(a, b) => a.eval(has_tag) && b.eval(has_tag),
            Constraint::Or(a, b) => a.eval(has_tag) || b.eval(has_tag),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' | ')' | '!' => {
                tokens.push(c.to_string());
                chars.next();
            }
            '&' | '|' => {
                chars.next();
                if chars.next() != Some(c) {
                    return Err(format!("expected `{c}{c}`"));
                }
                tokens.push(format!("{c}{c}"));
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' => {
                let mut tag = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '.' {
                        tag.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(tag);
            }
            other => return Err(format!("unexpected `{other}`")),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<String>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn or(&mut self) -> Result<Constraint, String> {
        let mut left = self.and()?;
        while self.peek() == Some("||") {
            self.pos += 1;
            left = Constraint::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Constraint, String> {
        let mut left = self.not()?;
        while self.peek() == Some("&&") {
            self.pos += 1;
            left = Constraint::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Constraint, String> {
        match self.peek() {
            Some("!") => {
                self.pos += 1;
                Ok(Constraint::Not(Box::new(self.not()?)))
            }
            Some("(") => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() != Some(")") {
                    return Err("missing `)`".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(tag) if !matches!(tag, ")" | "&&" | "||") => {
                let tag = tag.to_owned();
                self.pos += 1;
                Ok(Constraint::Tag(tag))
            }
            Some(other) => Err(format!("unexpected `{other}`")),
            None => Err("unexpected end of expression".into()),
        }
    }
}

/// A GOOS/GOARCH pair such as `linux/amd64`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub goos: String,
    pub goarch: String,
}

impl Target {
    pub fn new(goos: &str, goarch: &str) -> Target {
        Target {
            goos: goos.to_owned(),
            goarch: goarch.to_owned(),
        }
    }

    /// Parses `goos/goarch`.
    pub fn parse(text: &str) -> Option<Target> {
        let (goos, goarch) = text.split_once('/')?;
        (!goos.is_empty() && !goarch.is_empty() && !goarch.contains('/'))
            .then(|| Target::new(goos, goarch))
    }

    /// Whether `go tool dist list` (Go 1.26) lists this pair.
    pub fn is_known(&self) -> bool {
        DIST_LIST.contains(&self.to_string().as_str())
    }

    /// The tags a file sees when building for this target (cgo off, as cross builds are).
    pub fn has_tag(&self, tag: &str, cgo: bool) -> bool {
        tag == self.goos
            || tag == self.goarch
            || (tag == "unix" && UNIX.contains(&self.goos.as_str()))
            || (tag == "linux" && self.goos == "android")
            || (tag == "darwin" && self.goos == "ios")
            || (tag == "solaris" && self.goos == "illumos")
            || (tag == "cgo" && cgo)
            || tag
                .strip_prefix("go1.")
                .is_some_and(|minor| minor.parse::<u32>().is_ok())
    }
}

/// Serialized as `goos/goarch`, the way users write targets.
impl serde::Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.goos, self.goarch)
    }
}

/// The targets goflake proposes by default, in this order.
pub const DEFAULT_TARGETS: &[&str] = &[
    "linux/amd64",
    "linux/arm64",
    "darwin/amd64",
    "darwin/arm64",
    "windows/amd64",
    "windows/arm64",
    "js/wasm",
    "wasip1/wasm",
];

const UNIX: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "linux",
    "netbsd",
    "openbsd",
    "solaris",
];

/// `go tool dist list` of Go 1.26.
pub const DIST_LIST: &[&str] = &[
    "aix/ppc64",
    "android/386",
    "android/amd64",
    "android/arm",
    "android/arm64",
    "darwin/amd64",
    "darwin/arm64",
    "dragonfly/amd64",
    "freebsd/386",
    "freebsd/amd64",
    "freebsd/arm",
    "freebsd/arm64",
    "freebsd/riscv64",
    "illumos/amd64",
    "ios/amd64",
    "ios/arm64",
    "js/wasm",
    "linux/386",
    "linux/amd64",
    "linux/arm",
    "linux/arm64",
    "linux/loong64",
    "linux/mips",
    "linux/mips64",
    "linux/mips64le",
    "linux/mipsle",
    "linux/ppc64",
    "linux/ppc64le",
    "linux/riscv64",
    "linux/s390x",
    "netbsd/386",
    "netbsd/amd64",
    "netbsd/arm",
    "netbsd/arm64",
    "openbsd/386",
    "openbsd/amd64",
    "openbsd/arm",
    "openbsd/arm64",
    "openbsd/ppc64",
    "openbsd/riscv64",
    "plan9/386",
    "plan9/amd64",
    "plan9/arm",
    "solaris/amd64",
    "wasip1/wasm",
    "windows/386",
    "windows/amd64",
    "windows/arm64",
];

fn known_goos(word: &str) -> bool {
    DIST_LIST.iter().any(|t| t.split('/').next() == Some(word))
}

fn known_goarch(word: &str) -> bool {
    DIST_LIST.iter().any(|t| t.split('/').nth(1) == Some(word))
}

/// The GOOS/GOARCH a file name restricts a file to (`x_linux.go`, `x_windows_arm64.go`,
/// `x_wasm.go`); `_test` is not a constraint here.
pub fn file_name_constraint(file_name: &str) -> (Option<String>, Option<String>) {
    let stem = file_name.strip_suffix(".go").unwrap_or(file_name);
    let stem = stem.strip_suffix("_test").unwrap_or(stem);
    let parts: Vec<&str> = stem.split('_').collect();
    // The first element is the name proper, never a constraint (`linux.go` is unconstrained).
    if parts.len() >= 3 {
        let (os, arch) = (parts[parts.len() - 2], parts[parts.len() - 1]);
        if known_goos(os) && known_goarch(arch) {
            return (Some(os.to_owned()), Some(arch.to_owned()));
        }
    }
    if parts.len() >= 2 {
        let last = parts[parts.len() - 1];
        if known_goos(last) {
            return (Some(last.to_owned()), None);
        }
        if known_goarch(last) {
            return (None, Some(last.to_owned()));
        }
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_evaluates() {
        let c = Constraint::parse("(linux || darwin) && !arm64 && go1.21").unwrap();
        let linux = Target::new("linux", "amd64");
        assert!(c.eval(&|t| linux.has_tag(t, false)));
        let arm = Target::new("linux", "arm64");
        assert!(!c.eval(&|t| arm.has_tag(t, false)));
        let ignore = Constraint::parse("ignore").unwrap();
        assert!(!ignore.eval(&|t| linux.has_tag(t, true)));
        assert!(Constraint::parse("linux &&").is_err());
        assert!(Constraint::parse("linux & darwin").is_err());
        assert!(Constraint::parse("(linux").is_err());
    }

    #[test]
    fn unix_covers_darwin_not_windows() {
        let c = Constraint::parse("unix").unwrap();
        assert!(c.eval(&|t| Target::new("darwin", "arm64").has_tag(t, false)));
        assert!(!c.eval(&|t| Target::new("windows", "amd64").has_tag(t, false)));
        assert!(!c.eval(&|t| Target::new("js", "wasm").has_tag(t, false)));
    }

    #[test]
    fn file_names() {
        assert_eq!(
            file_name_constraint("x_linux.go"),
            (Some("linux".into()), None)
        );
        assert_eq!(
            file_name_constraint("x_windows_arm64_test.go"),
            (Some("windows".into()), Some("arm64".into()))
        );
        assert_eq!(
            file_name_constraint("x_wasm.go"),
            (None, Some("wasm".into()))
        );
        assert_eq!(file_name_constraint("linux.go"), (None, None));
        assert_eq!(file_name_constraint("main.go"), (None, None));
    }
}
