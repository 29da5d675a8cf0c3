//! Which Go releases the flake's nixpkgs has: asked of Nix on the flake's locked nixpkgs
//! (cached by the lock's narHash, so a revision is evaluated once per machine), else
//! goflake's table for the branch the URL names.

use std::path::{Path, PathBuf};

use goflake_gen::GoSet;
use goflake_gen::nixpkgs::table_go_set;

/// Whether goflake may run Nix to learn what the locked nixpkgs has (`check --no-nix`
/// promises no Nix: a cached answer is used, else the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskNix {
    Yes,
    CacheOnly,
}

/// The Go releases for a flake in `flake_dir` that pins `url`. The lock is used only when
/// `lock_matches_url` (the URL is the one the lock was made for); notes say when Nix could
/// not be asked.
pub fn go_set(
    flake_dir: &Path,
    url: &str,
    lock_matches_url: bool,
    ask: AskNix,
    notes: &mut Vec<String>,
) -> GoSet {
    let table = table_go_set(url);
    if !lock_matches_url {
        return table;
    }
    let Some(locked) = locked_nixpkgs(&flake_dir.join("flake.lock")) else {
        return table;
    };
    let key = locked["narHash"]
        .as_str()
        .map(|h| h.replace(['/', '+', '='], "_"));
    let cache = key
        .as_ref()
        .and_then(|k| cache_dir().map(|d| d.join(format!("{k}.json"))));
    if let Some(set) = cache.as_deref().and_then(read_cached) {
        return set;
    }
    if ask == AskNix::CacheOnly || goflake_runner::which("nix").is_none() {
        return table;
    }
    match goflake_runner::nix::nixpkgs_go(&locked.to_string()) {
        Ok(evaluated) if !evaluated.releases.is_empty() => {
            let set = GoSet {
                source: "the flake's locked nixpkgs, evaluated by Nix".to_owned(),
                branch: table.branch.clone(),
                default_minor: evaluated
                    .default_minor
                    .unwrap_or(*evaluated.releases.keys().next_back().expect("not empty")),
                minors: evaluated.releases,
            };
            if let Some(path) = cache {
                write_cached(&path, &set);
            }
            set
        }
        Ok(_) => {
            notes.push(format!(
                "the flake's locked nixpkgs has no go_1_XX attribute; using goflake's table for {url}"
            ));
            table
        }
        Err(err) => {
            let reason = err.to_string();
            let last = reason.lines().rev().find(|l| !l.trim().is_empty());
            notes.push(format!(
                "could not ask Nix which Go releases the locked nixpkgs has ({}); using goflake's table for {url}",
                last.unwrap_or("no message").trim()
            ));
            table
        }
    }
}

/// [`go_set`] for an existing flake, by the URL it pins and its lock.
pub fn for_flake(
    flake_dir: &Path,
    flake: &goflake_gen::Flake,
    ask: AskNix,
    notes: &mut Vec<String>,
) -> GoSet {
    let url = flake
        .nixpkgs_url()
        .unwrap_or_else(|| goflake_gen::DEFAULT_NIXPKGS.to_owned());
    go_set(flake_dir, &url, true, ask, notes)
}

/// The `locked` attributes of the root's `nixpkgs` input in a flake.lock.
fn locked_nixpkgs(lock: &Path) -> Option<serde_json::Value> {
    let text = goflake_fs::read_text(lock).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let nodes = &json["nodes"];
    let root = json["root"].as_str().unwrap_or("root");
    let name = nodes[root]["inputs"]["nixpkgs"].as_str()?;
    let locked = nodes[name]["locked"].clone();
    locked.is_object().then_some(locked)
}

fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("goflake/nixpkgs-go"))
}

fn read_cached(path: &Path) -> Option<GoSet> {
    let json: serde_json::Value =
        serde_json::from_slice(&goflake_fs::read_bytes(path).ok()?).ok()?;
    let minors = json["minors"]
        .as_object()?
        .iter()
        .filter_map(|(m, v)| Some((m.parse().ok()?, v.as_str()?.to_owned())))
        .collect();
    Some(GoSet {
        source: json["source"].as_str()?.to_owned(),
        branch: json["branch"].as_str().map(str::to_owned),
        minors,
        default_minor: u32::try_from(json["default_minor"].as_u64()?).ok()?,
    })
}

/// A cache write that fails costs only a later evaluation.
fn write_cached(path: &Path, set: &GoSet) {
    if let (Ok(text), Some(dir)) = (serde_json::to_vec(set), path.parent())
        && std::fs::create_dir_all(dir).is_ok()
    {
        let _ = crate::files::write_atomically(path, &text);
    }
}
