//! `.goreleaser.yaml` (schema v1 and v2): the builds goflake can reproduce in Nix, and a
//! warning for everything it cannot.

use std::path::Path;

use serde::Serialize;
use serde_yaml_ng::Value;

use crate::constraint::Target;

pub const FILE_NAMES: &[&str] = &[
    ".goreleaser.yaml",
    ".goreleaser.yml",
    "goreleaser.yaml",
    "goreleaser.yml",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct GoReleaserError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// A piece of a GoReleaser template, with the variables goflake can map reproducibly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "text")]
pub enum TemplatePart {
    Text(String),
    Version,
    Tag,
    Commit,
    ShortCommit,
    Date,
    ProjectName,
}

/// One ldflag as written and as parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub raw: String,
    pub parts: Vec<TemplatePart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseBuild {
    pub id: Option<String>,
    /// The main package's directory relative to the project (`.` or `cmd/x`).
    pub main: String,
    pub binary: String,
    pub targets: Vec<Target>,
    /// `goarm`/`goamd64`/… variants beyond the default, which goflake does not build.
    pub variants: Vec<String>,
    pub ldflags: Vec<Template>,
    /// `CGO_ENABLED` from `env`, when set.
    pub cgo: Option<bool>,
    pub trimpath: bool,
    pub tags: Vec<String>,
    pub skip: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoReleaser {
    pub file: String,
    pub schema: u8,
    pub project_name: Option<String>,
    pub builds: Vec<ReleaseBuild>,
    /// Fields goflake could not map, one line each.
    pub warnings: Vec<String>,
}

/// GoReleaser's default ldflags.
const DEFAULT_LDFLAGS: &str = "-s -w -X main.version={{.Version}} -X main.commit={{.Commit}} -X main.date={{.Date}} -X main.builtBy=goreleaser";

/// Finds and reads the project's GoReleaser file, if any.
pub fn load(dir: &Path, default_name: &str) -> Result<Option<GoReleaser>, GoReleaserError> {
    for name in FILE_NAMES {
        let path = dir.join(name);
        match goflake_fs::read_text(&path) {
            Ok(text) => return parse(&path.display().to_string(), &text, default_name).map(Some),
            Err(err) if err.is_not_found() => {}
            Err(err) => {
                return Err(GoReleaserError {
                    file: path.display().to_string(),
                    line: 1,
                    col: 1,
                    message: err.to_string(),
                });
            }
        }
    }
    Ok(None)
}

/// How deep `[`/`{` may nest: the YAML parser's own recursion limit. Beyond it the parser
/// fails anyway, but only after a scan that is quadratic in the nesting (two minutes for
/// 200,000 `[`), so deeper text is refused here, in one pass.
const MAX_FLOW_NESTING: usize = 128;

/// Refuses flow collections nested deeper than [`MAX_FLOW_NESTING`], at the bracket that
/// goes too deep. Quoted scalars and comments are skipped; a bracket inside a plain scalar
/// counts, which only makes a file of more than a hundred unclosed ones fail early.
fn check_flow_nesting(file: &str, text: &str) -> Result<(), GoReleaserError> {
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            // A quoted scalar may span lines: its quote stays open.
            (line, col, comment) = (line + 1, 0, false);
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if comment => {}
            None => match c {
                '#' if previous.is_whitespace() => comment = true,
                '\'' | '"' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_NESTING {
                        return Err(GoReleaserError {
                            file: file.to_owned(),
                            line,
                            col,
                            message: format!(
                                "collections nested deeper than {MAX_FLOW_NESTING} levels; goflake does not read this file"
                            ),
                        });
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        previous = c;
    }
    Ok(())
}

/// Parses GoReleaser YAML; `file` names it in errors and warnings.
pub fn parse(file: &str, text: &str, default_name: &str) -> Result<GoReleaser, GoReleaserError> {
    let yaml_error = |err: serde_yaml_ng::Error| {
        let (line, col) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
        GoReleaserError {
            file: file.to_owned(),
            line,
            col,
            message: err.to_string(),
        }
    };
    check_flow_nesting(file, text)?;
    // Anchors and aliases are resolved by the parser; merge keys (`<<: *defaults`) as
    // GoReleaser's YAML library applies them.
    let mut value: Value = serde_yaml_ng::from_str(text).map_err(yaml_error)?;
    value.apply_merge().map_err(yaml_error)?;
    let mut warnings = Vec::new();
    let top = value.as_mapping().cloned().unwrap_or_default();
    let schema = match top.get("version").and_then(Value::as_u64) {
        Some(2) => 2,
        Some(1) | None => 1,
        Some(other) => {
            warnings.push(format!(
                "{file}: unknown schema version {other}, read as version 2"
            ));
            2
        }
    };
    let project_name = top
        .get("project_name")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let name = project_name
        .clone()
        .unwrap_or_else(|| default_name.to_owned());
    let mut unused: Vec<String> = top
        .keys()
        .filter_map(Value::as_str)
        .filter(|k| !matches!(*k, "version" | "project_name" | "builds" | "before" | "env"))
        .map(str::to_owned)
        .collect();
    unused.sort();
    if !unused.is_empty() {
        warnings.push(format!(
            "{file}: sections not used by goflake (packaging, not building): {}",
            unused.join(", ")
        ));
    }
    let builds_value = top.get("builds").cloned();
    let builds = match builds_value {
        None => vec![read_build(file, 0, &Value::Null, &name, &mut warnings)],
        Some(Value::Sequence(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| read_build(file, i, item, &name, &mut warnings))
            .collect(),
        Some(_) => {
            warnings.push(format!("{file}: `builds` is not a list; ignored"));
            Vec::new()
        }
    };
    Ok(GoReleaser {
        file: file.to_owned(),
        schema,
        project_name,
        builds,
        warnings,
    })
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Number(n)) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn read_build(
    file: &str,
    index: usize,
    build: &Value,
    project_name: &str,
    warnings: &mut Vec<String>,
) -> ReleaseBuild {
    let map = build.as_mapping().cloned().unwrap_or_default();
    let at = format!("{file}: builds[{index}]");
    let get = |key: &str| map.get(key);
    let mut unmapped: Vec<String> = map
        .keys()
        .filter_map(Value::as_str)
        .filter(|k| {
            !matches!(
                *k,
                "id" | "main"
                    | "dir"
                    | "binary"
                    | "goos"
                    | "goarch"
                    | "goarm"
                    | "goamd64"
                    | "goarm64"
                    | "ignore"
                    | "ldflags"
                    | "env"
                    | "flags"
                    | "tags"
                    | "skip"
                    | "targets"
            )
        })
        .map(str::to_owned)
        .collect();
    unmapped.sort();
    for key in unmapped {
        warnings.push(format!("{at}.{key}: not mapped to the flake"));
    }

    let dir = get("dir").and_then(Value::as_str).unwrap_or(".");
    let main = get("main").and_then(Value::as_str).unwrap_or(".");
    let main = normalize_dir(&format!("{dir}/{main}"));
    let binary_raw = get("binary")
        .and_then(Value::as_str)
        .unwrap_or(project_name);
    let binary = binary_raw
        .replace("{{ .ProjectName }}", project_name)
        .replace("{{.ProjectName}}", project_name);
    if binary.contains("{{") {
        warnings.push(format!(
            "{at}.binary: template `{binary_raw}` not mapped; using `{project_name}`"
        ));
    }
    let binary = if binary.contains("{{") {
        project_name.to_owned()
    } else {
        binary
    };

    let goos = match strings(get("goos")) {
        v if v.is_empty() => vec!["darwin".into(), "linux".into(), "windows".into()],
        v => v,
    };
    let goarch = match strings(get("goarch")) {
        v if v.is_empty() => vec!["386".into(), "amd64".into(), "arm64".into()],
        v => v,
    };
    let ignores: Vec<(Option<String>, Option<String>, bool)> = match get("ignore") {
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|i| {
                let field = |k: &str| {
                    i.get(k).and_then(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                };
                let variant = field("goarm").is_some() || field("goamd64").is_some();
                (field("goos"), field("goarch"), variant)
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut targets = Vec::new();
    if let Some(explicit) = get("targets") {
        for spec in strings(Some(explicit)) {
            let mut parts = spec.split('_');
            match (parts.next(), parts.next()) {
                (Some(os), Some(arch)) if !spec.starts_with("go_") => {
                    targets.push(Target::new(os, arch));
                    if let Some(variant) = parts.next()
                        && !matches!(variant, "v1" | "6" | "v8.0")
                    {
                        warnings.push(format!(
                            "{at}.targets: variant `{spec}` is built as the default variant"
                        ));
                    }
                }
                _ => warnings.push(format!("{at}.targets: `{spec}` not mapped")),
            }
        }
    } else {
        for os in &goos {
            for arch in &goarch {
                let ignored = ignores.iter().any(|(io, ia, variant)| {
                    !variant
                        && io.as_ref().is_none_or(|o| o == os)
                        && ia.as_ref().is_none_or(|a| a == arch)
                });
                if !ignored {
                    targets.push(Target::new(os, arch));
                }
            }
        }
    }
    let (known, unknown): (Vec<Target>, Vec<Target>) =
        targets.into_iter().partition(Target::is_known);
    let targets = known;
    if !unknown.is_empty() {
        let names: Vec<String> = unknown.iter().map(ToString::to_string).collect();
        warnings.push(format!(
            "{at}: skipped, as GoReleaser does, pairs Go cannot build: {}",
            names.join(", ")
        ));
    }
    let mut variants = Vec::new();
    for (key, default) in [("goarm", "6"), ("goamd64", "v1"), ("goarm64", "v8.0")] {
        let values = strings(get(key));
        for v in values.iter().filter(|v| *v != default) {
            variants.push(format!("{key}={v}"));
        }
    }
    if !variants.is_empty() {
        warnings.push(format!(
            "{at}: variants {} are not built (goflake builds each GOOS/GOARCH's default)",
            variants.join(", ")
        ));
    }

    let ldflag_strings = match get("ldflags") {
        Some(v) => strings(Some(v)),
        None => vec![DEFAULT_LDFLAGS.to_owned()],
    };
    let mut ldflags = Vec::new();
    for flag in pair_x_flags(ldflag_strings.iter().flat_map(|s| split_flags(s))) {
        let parts = parse_template(&flag, project_name);
        match parts {
            Ok(parts) => ldflags.push(Template { raw: flag, parts }),
            Err(unknown) => warnings.push(format!(
                "{at}.ldflags: `{flag}` uses `{unknown}`, which has no reproducible Nix equivalent; left out"
            )),
        }
    }

    let mut cgo = None;
    for entry in strings(get("env")) {
        match entry.split_once('=') {
            Some(("CGO_ENABLED", value)) => cgo = Some(value.trim() == "1"),
            _ => warnings.push(format!("{at}.env: `{entry}` not mapped to the flake")),
        }
    }
    let mut trimpath = false;
    for flag in strings(get("flags")) {
        match flag.as_str() {
            "-trimpath" => trimpath = true,
            "-v" => {}
            other => warnings.push(format!("{at}.flags: `{other}` not mapped to the flake")),
        }
    }
    let skip = get("skip").and_then(Value::as_bool).unwrap_or(false);
    ReleaseBuild {
        id: get("id").and_then(Value::as_str).map(str::to_owned),
        main,
        binary,
        targets,
        variants,
        ldflags,
        cgo,
        trimpath,
        tags: strings(get("tags")),
        skip,
    }
}

fn normalize_dir(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    // `main: ./cmd/x/main.go` names a file; its directory is the package.
    if parts.last().is_some_and(|p| p.ends_with(".go")) {
        parts.pop();
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// Splits a flag string on blanks outside `{{ … }}`.
fn split_flags(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' && chars.get(i + 1) == Some(&'{') {
            depth += 1;
            current.push_str("{{");
            i += 2;
            continue;
        }
        if c == '}' && chars.get(i + 1) == Some(&'}') && depth > 0 {
            depth -= 1;
            current.push_str("}}");
            i += 2;
            continue;
        }
        if c.is_whitespace() && depth == 0 {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
        i += 1;
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Keeps `-X name=value` together as one flag, as nixpkgs' `ldflags` lists write it.
fn pair_x_flags(flags: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending_x = false;
    for flag in flags {
        if pending_x {
            out.push(format!("-X {flag}"));
            pending_x = false;
        } else if flag == "-X" {
            pending_x = true;
        } else {
            out.push(flag);
        }
    }
    if pending_x {
        out.push("-X".to_owned());
    }
    out
}

/// Splits a template into text and mapped variables; `Err` names an unmappable action.
fn parse_template(text: &str, project_name: &str) -> Result<Vec<TemplatePart>, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            parts.push(TemplatePart::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| "an unterminated {{".to_owned())?;
        let action = after[..end]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let part = match action {
            ".Version" => TemplatePart::Version,
            ".Tag" => TemplatePart::Tag,
            ".Commit" | ".FullCommit" => TemplatePart::Commit,
            ".ShortCommit" => TemplatePart::ShortCommit,
            ".Date" | ".CommitDate" => TemplatePart::Date,
            ".ProjectName" => TemplatePart::Text(project_name.to_owned()),
            other => return Err(format!("{{{{ {other} }}}}")),
        };
        parts.push(part);
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        parts.push(TemplatePart::Text(rest.to_owned()));
    }
    // Merge neighbouring text pieces (a mapped project name sits between two).
    let mut merged: Vec<TemplatePart> = Vec::new();
    for part in parts {
        match (merged.last_mut(), part) {
            (Some(TemplatePart::Text(a)), TemplatePart::Text(b)) => a.push_str(&b),
            (_, part) => merged.push(part),
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_collections_nested_too_deep_are_refused_in_one_pass() {
        let deep = format!("version: 2\nbuilds: {}\n", "[".repeat(200_000));
        let err = parse(".goreleaser.yaml", &deep, "app").unwrap_err();
        assert_eq!((err.line, err.col), (2, 8 + MAX_FLOW_NESTING + 1));
        // goflake's own check, before the YAML parser's (quadratic) scan: its message.
        assert!(
            err.message.contains("nested deeper than 128 levels"),
            "{err}"
        );
        let fine = "builds:\n  - ldflags: ['-X main.v={{.Version}}']  # [[[[ not counted\n    main: \"./cmd/[x\"\n";
        assert!(parse(".goreleaser.yaml", fine, "app").is_ok());
    }

    #[test]
    fn templates_split_and_map() {
        assert_eq!(
            split_flags("-s -w -X main.version={{ .Version }} -X 'main.x={{.Env.A}}'"),
            [
                "-s",
                "-w",
                "-X",
                "main.version={{ .Version }}",
                "-X",
                "'main.x={{.Env.A}}'"
            ]
        );
        assert_eq!(
            parse_template("main.v={{.Version}}-{{ .ShortCommit }}", "p").unwrap(),
            [
                TemplatePart::Text("main.v=".into()),
                TemplatePart::Version,
                TemplatePart::Text("-".into()),
                TemplatePart::ShortCommit,
            ]
        );
        assert_eq!(
            parse_template("{{.Env.HOME}}", "p").unwrap_err(),
            "{{ .Env.HOME }}"
        );
    }

    #[test]
    fn defaults_and_ignores() {
        let yaml = "builds:\n  - main: ./cmd/x/main.go\n    ignore:\n      - goos: windows\n        goarch: arm64\n      - goarch: '386'\n";
        let g = parse(".goreleaser.yaml", yaml, "proj").unwrap();
        let b = &g.builds[0];
        assert_eq!(b.main, "cmd/x");
        assert_eq!(b.binary, "proj");
        let targets: Vec<String> = b.targets.iter().map(ToString::to_string).collect();
        assert_eq!(
            targets,
            [
                "darwin/amd64",
                "darwin/arm64",
                "linux/amd64",
                "linux/arm64",
                "windows/amd64"
            ]
        );
        let raw: Vec<&str> = b.ldflags.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(
            raw,
            [
                "-s",
                "-w",
                "-X main.version={{.Version}}",
                "-X main.commit={{.Commit}}",
                "-X main.date={{.Date}}",
                "-X main.builtBy=goreleaser"
            ]
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let yaml = "version: 2\nx-defaults: &defaults\n  env: [CGO_ENABLED=0]\n  goos: [linux, darwin]\n  goarch: [amd64, arm64]\n  ldflags: &flags\n    - -s -w -X main.version={{.Version}}\nbuilds:\n  - <<: *defaults\n    id: tool\n    main: ./cmd/tool\n  - <<: *defaults\n    id: other\n    main: ./cmd/other\n    goos: [windows]\n    ldflags: *flags\n";
        let g = parse(".goreleaser.yaml", yaml, "p").unwrap();
        assert_eq!(g.builds.len(), 2);
        let tool = &g.builds[0];
        assert_eq!(tool.id.as_deref(), Some("tool"));
        assert_eq!(tool.main, "cmd/tool");
        assert_eq!(tool.cgo, Some(false));
        let targets: Vec<String> = tool.targets.iter().map(ToString::to_string).collect();
        assert_eq!(
            targets,
            ["linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64"]
        );
        let raw: Vec<&str> = tool.ldflags.iter().map(|t| t.raw.as_str()).collect();
        assert_eq!(raw, ["-s", "-w", "-X main.version={{.Version}}"]);
        // The build's own keys win over the merged ones.
        let other: Vec<String> = g.builds[1]
            .targets
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(other, ["windows/amd64", "windows/arm64"]);
        assert!(
            !g.warnings.iter().any(|w| w.contains("<<")),
            "{:?}",
            g.warnings
        );
    }

    #[test]
    fn yaml_errors_have_positions() {
        let err = parse(".goreleaser.yaml", "builds:\n  - goos: [linux\n", "p").unwrap_err();
        assert_eq!((err.line, err.file.as_str()), (3, ".goreleaser.yaml"));
    }
}
