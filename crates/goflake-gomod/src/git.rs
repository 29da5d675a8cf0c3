//! The project version from git tags, read from `.git` directly (no `git` process).

use std::path::{Path, PathBuf};

/// The repository root above `dir` (the directory holding `.git`), if any.
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The git directory of a repository root (`.git`, or where a `.git` file points).
fn git_dir(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = goflake_fs::read_text(&dot_git).ok()?;
    let target = text.strip_prefix("gitdir:")?.trim();
    let path = root.join(target);
    // A worktree's git dir names the shared one in `commondir`.
    match goflake_fs::read_text(&path.join("commondir")) {
        Ok(common) => Some(path.join(common.trim())),
        Err(_) => Some(path),
    }
}

/// Tag names under `refs/tags/` (loose and packed).
pub fn tags(root: &Path) -> Vec<String> {
    let Some(git) = git_dir(root) else {
        return Vec::new();
    };
    let mut tags = Vec::new();
    let refs = git.join("refs/tags");
    let mut stack = vec![refs.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(name) = path.strip_prefix(&refs) {
                tags.push(name.to_string_lossy().into_owned());
            }
        }
    }
    if let Ok(packed) = goflake_fs::read_text(&git.join("packed-refs")) {
        for line in packed.lines() {
            if let Some((_, name)) = line.split_once(' ')
                && let Some(tag) = name.strip_prefix("refs/tags/")
            {
                tags.push(tag.to_owned());
            }
        }
    }
    tags.sort();
    tags.dedup();
    tags
}

/// `v1.2.3` / `v1.2.3-rc.1` → sortable key; `None` for other tags.
fn semver_key(tag: &str) -> Option<((u64, u64, u64), bool, String)> {
    let rest = tag.strip_prefix('v')?;
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let core = core.split('+').next()?;
    let mut numbers = core.split('.').map(|n| n.parse::<u64>());
    let major = numbers.next()?.ok()?;
    let minor = numbers.next().unwrap_or(Ok(0)).ok()?;
    let patch = numbers.next().unwrap_or(Ok(0)).ok()?;
    if numbers.next().is_some() {
        return None;
    }
    // A release sorts after its pre-releases.
    Some((
        (major, minor, patch),
        pre.is_none(),
        pre.unwrap_or("").to_owned(),
    ))
}

/// The newest `v*` tag by semantic version, without its `v`.
pub fn newest_version_tag(tags: &[String]) -> Option<(String, String)> {
    tags.iter()
        .filter_map(|t| semver_key(t).map(|k| (k, t)))
        .max()
        .map(|(_, tag)| (tag.clone(), tag[1..].to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_by_semver_not_by_name() {
        let tags: Vec<String> = ["v1.9.0", "v1.10.0", "v1.10.0-rc.1", "latest", "v2.0.0-beta"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            newest_version_tag(&tags),
            Some(("v2.0.0-beta".into(), "2.0.0-beta".into()))
        );
        let tags: Vec<String> = ["v1.10.0-rc.1", "v1.10.0", "v1.9.0"]
            .map(String::from)
            .to_vec();
        assert_eq!(newest_version_tag(&tags).unwrap().1, "1.10.0");
        assert_eq!(newest_version_tag(&["release".to_owned()]), None);
    }
}
