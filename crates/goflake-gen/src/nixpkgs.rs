//! What a nixpkgs release offers a Go flake: which `go_1_XX` attributes exist (and which one
//! `go`/`buildGoModule` use) and which systems it supports. Read from the flake's locked
//! nixpkgs by `nix eval` when Nix can (the CLI asks, see `goflake_runner::nix`), else from
//! the table below, kept from nixpkgs' sources (`shared/reference/nixpkgs-go.md`).

use std::collections::BTreeMap;

use goflake_gomod::GoMod;
use serde::Serialize;

/// The Go releases of a nixpkgs revision: minor → version (`"1.26.8"`; empty when only the
/// attribute's existence is known, as in the table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoSet {
    /// How the set was learned, for messages: `goflake's table of nixpkgs releases` or `the
    /// flake's locked nixpkgs, evaluated by Nix`.
    pub source: String,
    /// The branch the flake pins (`nixos-26.05`), when its URL names one.
    pub branch: Option<String>,
    pub minors: BTreeMap<u32, String>,
    /// The minor of `pkgs.go` (what `buildGoModule` uses).
    pub default_minor: u32,
}

/// A nixpkgs release as goflake knows it without evaluating it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    pub branch: &'static str,
    pub go_minors: &'static [u32],
    pub default_go_minor: u32,
    /// x86_64-darwin: 26.05 is said to be its last release.
    pub x86_64_darwin: bool,
}

/// Release branches, oldest first; the development branches last. nixos-25.11 had Go 1.24
/// and 1.25 (`go` = 1.25); nixos-26.05 branched in May 2026, before Go 1.27: `go_1_25`,
/// `go_1_26`, `go` = 1.26; master (unstable) added `go_1_27`.
pub const RELEASES: &[Release] = &[
    Release {
        branch: "nixos-25.11",
        go_minors: &[24, 25],
        default_go_minor: 25,
        x86_64_darwin: true,
    },
    Release {
        branch: "nixos-26.05",
        go_minors: &[25, 26],
        default_go_minor: 26,
        x86_64_darwin: true,
    },
    Release {
        branch: "nixpkgs-unstable",
        go_minors: &[25, 26, 27],
        default_go_minor: 26,
        x86_64_darwin: false,
    },
];

/// The branch that the development branches (`nixos-unstable`, `master`, …) stand for.
const UNSTABLE: &str = "nixpkgs-unstable";

/// The branch a nixpkgs flake URL names: `github:NixOS/nixpkgs/nixos-26.05`,
/// `github:NixOS/nixpkgs?ref=nixos-unstable`, `https://…/nixpkgs/archive/nixos-26.05.tar.gz`.
pub fn branch_of(url: &str) -> Option<String> {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let reference = url
        .split(['?', '&'])
        .find_map(|part| part.strip_prefix("ref="))
        .map(str::to_owned)
        .or_else(|| {
            let last = without_query.rsplit('/').next()?;
            let last = last
                .strip_suffix(".tar.gz")
                .or_else(|| last.strip_suffix(".tar.xz"))
                .unwrap_or(last);
            Some(last.to_owned())
        })?;
    let known = reference.starts_with("nixos-")
        || reference.starts_with("nixpkgs-")
        || reference.starts_with("release-")
        || reference == "master";
    known.then_some(reference)
}

/// The table's release for a branch; development branches are unstable; an unknown or
/// missing branch (a commit, a fork) gets `None`.
pub fn release(branch: &str) -> Option<&'static Release> {
    let name = match branch {
        "nixos-unstable" | "nixos-unstable-small" | "master" => UNSTABLE.to_owned(),
        // release-26.05 is the branch nixos-26.05 follows.
        other => match other.strip_prefix("release-") {
            Some(version) => format!("nixos-{version}"),
            None => other.to_owned(),
        },
    };
    RELEASES.iter().find(|r| r.branch == name)
}

/// What goflake's table says about the nixpkgs a flake URL pins. A branch the table does not
/// know (a newer release, a commit) is read as unstable, and `source` says so.
pub fn table_go_set(url: &str) -> GoSet {
    let branch = branch_of(url);
    let (release, source) = match branch.as_deref().and_then(release) {
        Some(release) => (release, "goflake's table of nixpkgs releases".to_owned()),
        None => (
            release(UNSTABLE).expect("unstable is in the table"),
            format!("{url}: not a branch goflake knows; assuming {UNSTABLE}'s Go releases"),
        ),
    };
    GoSet {
        source,
        branch,
        minors: release
            .go_minors
            .iter()
            .map(|m| (*m, String::new()))
            .collect(),
        default_minor: release.default_go_minor,
    }
}

/// The systems generated flakes list (where the release supports them).
pub const SYSTEMS: &[&str] = &[
    "x86_64-linux",
    "aarch64-linux",
    "x86_64-darwin",
    "aarch64-darwin",
];

/// The systems a generated flake lists for the nixpkgs that `url` pins: x86_64-darwin only
/// where the release still has it (a branch goflake does not know keeps it: nixpkgs says).
pub fn systems(url: &str) -> Vec<&'static str> {
    let x86_64_darwin = branch_of(url)
        .as_deref()
        .and_then(release)
        .is_none_or(|r| r.x86_64_darwin);
    SYSTEMS
        .iter()
        .copied()
        .filter(|s| x86_64_darwin || *s != "x86_64-darwin")
        .collect()
}

/// The Go a flake builds with, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoChoice {
    pub go_line: Option<String>,
    pub toolchain: Option<String>,
    /// The nixpkgs attribute of the Go toolchain, e.g. `go_1_26`.
    pub attr: String,
    /// The matching builder, e.g. `buildGo126Module`.
    pub builder: String,
    pub reason: String,
    /// Set when the pinned nixpkgs has no Go new enough for the go line: the build fails
    /// (GOTOOLCHAIN=local) until the flake pins a nixpkgs that has it.
    pub missing: Option<MissingGo>,
}

/// go.mod needs a Go the pinned nixpkgs lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingGo {
    /// The Go minor go.mod needs.
    pub needed_minor: u32,
    /// The newest Go the pinned nixpkgs has.
    pub newest_minor: u32,
    /// A branch in goflake's table that has it, to offer as the fix.
    pub branch_with_it: Option<&'static str>,
}

impl MissingGo {
    /// The one-line problem and its fix, for init's warning and check's report.
    pub fn message(&self, go_line: &str, set: &GoSet) -> String {
        let pinned = set.branch.as_deref().unwrap_or("the pinned nixpkgs");
        let fix = match self.branch_with_it {
            Some(branch) => format!(
                "pin one that has it: `goflake init --nixpkgs github:NixOS/nixpkgs/{branch}`"
            ),
            None => "no nixpkgs branch goflake knows has it yet".to_owned(),
        };
        format!(
            "go.mod requires go {go_line}, but {pinned} has Go 1.{} at newest (according to {}): the build fails (GOTOOLCHAIN=local); {fix}",
            self.newest_minor, set.source
        )
    }
}

/// The oldest Go of `set` not older than go.mod's go line (nixpkgs builds with
/// GOTOOLCHAIN=local, so an older one fails, and a newer one than needed changes nothing but
/// the compiler). Warnings go to `warnings`.
pub fn choose_go(gomod: &GoMod, set: &GoSet, warnings: &mut Vec<String>) -> GoChoice {
    let go_line = gomod.go.as_deref();
    let toolchain = gomod.toolchain.as_deref();
    let oldest = *set.minors.keys().next().unwrap_or(&set.default_minor);
    let newest = *set.minors.keys().next_back().unwrap_or(&set.default_minor);
    let required = go_line.and_then(goflake_gomod::modfile::parse_go_version);
    let mut missing = None;
    let (minor, reason) = match required {
        None => (
            oldest,
            format!("no go line (Go assumes 1.16): the oldest Go in nixpkgs, 1.{oldest}"),
        ),
        Some((major, wanted, _)) => match set.minors.keys().find(|&&m| major == 1 && m >= wanted) {
            Some(&m) => (
                m,
                format!(
                    "go {}: the oldest Go in nixpkgs not older than it is 1.{m}",
                    go_line.unwrap_or("")
                ),
            ),
            None => {
                // `go 2.0` is newer than every Go 1.x.
                let needed_minor = if major == 1 { wanted } else { u32::MAX };
                let gap = MissingGo {
                    needed_minor,
                    newest_minor: newest,
                    branch_with_it: RELEASES
                        .iter()
                        .find(|r| r.go_minors.contains(&needed_minor))
                        .map(|r| r.branch),
                };
                warnings.push(gap.message(go_line.unwrap_or(""), set));
                missing = Some(gap);
                (
                    newest,
                    format!(
                        "go {} is newer than this nixpkgs' newest Go 1.{newest}",
                        go_line.unwrap_or("")
                    ),
                )
            }
        },
    };
    if let Some(toolchain) = toolchain
        && let Some((_, t, _)) = goflake_gomod::modfile::parse_go_version(toolchain)
        && t > minor
    {
        warnings.push(format!(
            "toolchain {toolchain} is newer than the chosen Go 1.{minor}; nixpkgs builds with GOTOOLCHAIN=local, so the toolchain line is only advisory"
        ));
    }
    GoChoice {
        go_line: go_line.map(str::to_owned),
        toolchain: toolchain.map(str::to_owned),
        attr: format!("go_1_{minor}"),
        builder: if minor == set.default_minor {
            "buildGoModule".to_owned()
        } else {
            format!("buildGo1{minor}Module")
        },
        reason,
        missing,
    }
}

/// The Go minor of an attribute name: `go_1_26` → 26.
pub fn go_minor(attr: &str) -> Option<u32> {
    attr.strip_prefix("go_1_")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_are_read_from_flake_urls() {
        for (url, branch) in [
            ("github:NixOS/nixpkgs/nixos-26.05", Some("nixos-26.05")),
            (
                "github:NixOS/nixpkgs?ref=nixos-unstable",
                Some("nixos-unstable"),
            ),
            (
                "github:nixos/nixpkgs/nixpkgs-unstable",
                Some("nixpkgs-unstable"),
            ),
            (
                "https://github.com/NixOS/nixpkgs/archive/nixos-25.11.tar.gz",
                Some("nixos-25.11"),
            ),
            ("github:NixOS/nixpkgs/0123456789abcdef", None),
            ("github:NixOS/nixpkgs", None),
        ] {
            assert_eq!(branch_of(url).as_deref(), branch, "{url}");
        }
        assert_eq!(release("master").unwrap().branch, "nixpkgs-unstable");
        assert_eq!(release("release-26.05").unwrap().branch, "nixos-26.05");
        assert!(release("nixos-99.05").is_none());
    }

    #[test]
    fn the_oldest_go_that_suffices_in_the_pinned_release() {
        let mut w = Vec::new();
        let stable = table_go_set("github:NixOS/nixpkgs/nixos-26.05");
        let unstable = table_go_set("github:NixOS/nixpkgs/nixos-unstable");
        let pick = |line: &str, set: &GoSet, w: &mut Vec<String>| {
            let gomod = GoMod {
                module: "example.com/m".into(),
                go: Some(line.into()),
                ..GoMod::default()
            };
            choose_go(&gomod, set, w)
        };
        assert_eq!(pick("1.22", &stable, &mut w).attr, "go_1_25");
        assert_eq!(pick("1.22", &stable, &mut w).builder, "buildGo125Module");
        assert_eq!(pick("1.26.2", &stable, &mut w).builder, "buildGoModule");
        assert!(w.is_empty());

        // 26.05 has no Go 1.27: the choice says so and offers the branch that has it.
        let choice = pick("1.27", &stable, &mut w);
        assert_eq!(choice.attr, "go_1_26");
        let missing = choice.missing.unwrap();
        assert_eq!(missing.branch_with_it, Some("nixpkgs-unstable"));
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("nixos-26.05 has Go 1.26 at newest")
                && w[0].contains("goflake init --nixpkgs github:NixOS/nixpkgs/nixpkgs-unstable"),
            "{}",
            w[0]
        );

        w.clear();
        assert_eq!(pick("1.27", &unstable, &mut w).attr, "go_1_27");
        assert!(w.is_empty());
        let newer = pick("1.30", &unstable, &mut w);
        assert_eq!(newer.attr, "go_1_27");
        assert_eq!(newer.missing.unwrap().branch_with_it, None);
        assert!(pick("2.0", &unstable, &mut w).missing.is_some());
    }

    #[test]
    fn systems_follow_the_release() {
        assert!(systems("github:NixOS/nixpkgs/nixos-26.05").contains(&"x86_64-darwin"));
        assert!(!systems("github:NixOS/nixpkgs/nixos-unstable").contains(&"x86_64-darwin"));
        assert_eq!(systems("github:NixOS/nixpkgs/nixpkgs-unstable").len(), 3);
        // A commit: the four systems (the user pinned it; nixpkgs says if one is gone).
        assert_eq!(systems("github:NixOS/nixpkgs/0123abc").len(), 4);
    }
}
