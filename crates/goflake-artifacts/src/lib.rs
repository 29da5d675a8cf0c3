//! Release artifacts: what a binary's header says it is, checked against its target, and a
//! `dist/` directory with `SHA256SUMS` and `manifest.json`, written atomically and verified.

use std::io::Read;
use std::path::{Path, PathBuf};

use goflake_gomod::Target;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a file's first bytes say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    Elf { machine: u16 },
    Pe { machine: u16 },
    MachO { cpu: u32 },
    Wasm,
    Other,
}

impl Header {
    pub fn read(path: &Path) -> std::io::Result<Header> {
        let mut bytes = Vec::with_capacity(4096);
        std::fs::File::open(path)?
            .take(4096)
            .read_to_end(&mut bytes)?;
        Ok(Header::parse(&bytes))
    }

    pub fn parse(bytes: &[u8]) -> Header {
        let u16_at = |i: usize| {
            bytes
                .get(i..i + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
        };
        let u32_at = |i: usize| {
            bytes
                .get(i..i + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        if bytes.starts_with(b"\x7fELF") {
            if let Some(machine) = u16_at(18) {
                return Header::Elf { machine };
            }
        } else if bytes.starts_with(b"MZ") {
            if let Some(offset) = u32_at(0x3c).map(|o| o as usize)
                && bytes.get(offset..offset + 4) == Some(b"PE\0\0")
                && let Some(machine) = u16_at(offset + 4)
            {
                return Header::Pe { machine };
            }
        } else if bytes.starts_with(&[0xcf, 0xfa, 0xed, 0xfe]) {
            if let Some(cpu) = u32_at(4) {
                return Header::MachO { cpu };
            }
        } else if bytes.starts_with(b"\0asm\x01\0\0\0") {
            return Header::Wasm;
        }
        Header::Other
    }

    /// A reader's description: `ELF x86-64`, `PE arm64`, `Mach-O x86_64`, `wasm`.
    pub fn describe(&self) -> String {
        match self {
            Header::Elf { machine: 0x3e } => "ELF x86-64".into(),
            Header::Elf { machine: 0xb7 } => "ELF AArch64".into(),
            Header::Elf { machine } => format!("ELF machine {machine:#x}"),
            Header::Pe { machine: 0x8664 } => "PE x86-64 (0x8664)".into(),
            Header::Pe { machine: 0xaa64 } => "PE arm64 (0xAA64)".into(),
            Header::Pe { machine } => format!("PE machine {machine:#x}"),
            Header::MachO { cpu: 0x0100_0007 } => "Mach-O x86_64".into(),
            Header::MachO { cpu: 0x0100_000c } => "Mach-O arm64".into(),
            Header::MachO { cpu } => format!("Mach-O CPU type {cpu:#x}"),
            Header::Wasm => "wasm module (version 1)".into(),
            Header::Other => "not an executable format goflake knows".into(),
        }
    }
}

/// The header a binary for `target` must have, when goflake knows it.
pub fn expected_header(target: &Target) -> Option<Header> {
    Some(match (target.goos.as_str(), target.goarch.as_str()) {
        (_, "wasm") => Header::Wasm,
        ("windows", "amd64") => Header::Pe { machine: 0x8664 },
        ("windows", "arm64") => Header::Pe { machine: 0xaa64 },
        ("windows", "386") => Header::Pe { machine: 0x014c },
        ("windows", "arm") => Header::Pe { machine: 0x01c4 },
        ("darwin", "amd64") => Header::MachO { cpu: 0x0100_0007 },
        ("darwin", "arm64") => Header::MachO { cpu: 0x0100_000c },
        // Plan 9 binaries are a.out, not ELF; other windows and darwin pairs are unknown.
        ("windows" | "darwin" | "plan9", _) => return None,
        (_, "amd64") => Header::Elf { machine: 0x3e },
        (_, "arm64") => Header::Elf { machine: 0xb7 },
        (_, "386") => Header::Elf { machine: 0x03 },
        (_, "arm") => Header::Elf { machine: 0x28 },
        _ => return None,
    })
}

/// A header that does not match its target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: built for {target}, but its header says {found}", .file.display())]
pub struct HeaderMismatch {
    pub file: PathBuf,
    pub target: String,
    pub found: String,
}

/// Checks one artifact; targets goflake has no header rule for pass.
pub fn verify_header(file: &Path, target: &Target) -> Result<(), HeaderMismatch> {
    let Some(expected) = expected_header(target) else {
        return Ok(());
    };
    let found = Header::read(file).unwrap_or(Header::Other);
    if found == expected {
        Ok(())
    } else {
        Err(HeaderMismatch {
            file: file.to_path_buf(),
            target: target.to_string(),
            found: found.describe(),
        })
    }
}

/// One artifact of a release, as manifest.json lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    pub target: String,
    pub file: String,
    pub sha256: String,
    pub size: u64,
    pub version: String,
    pub go: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub go: String,
    pub artifacts: Vec<Artifact>,
}

#[derive(Debug, thiserror::Error)]
pub enum DistError {
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a release manifest: {message}", .path.display())]
    Manifest { path: PathBuf, message: String },
    #[error("{file}: checksum after copying is {found}, SHA256SUMS says {expected}")]
    Checksum {
        file: String,
        expected: String,
        found: String,
    },
    #[error(transparent)]
    Header(#[from] HeaderMismatch),
    #[error("refusing to replace {}: {reason}; nothing was touched", .path.display())]
    UnsafeOut { path: PathBuf, reason: String },
}

/// The file that marks a directory as a release goflake wrote (and may replace). The
/// generated flake's source filter leaves such directories out (`templates/flake.nix`).
pub const DIST_MARKER: &str = ".goflake-dist";

/// Where `copy_release` stages a release before swapping it in: beside `out`, named so that
/// a leftover (after a kill) is recognisable and removed by the next run.
pub fn staging_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or("dist".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".goflake-tmp.{name}"))
}

/// Whether goflake may replace `out` with a release: it does not exist, is empty, or holds
/// only what goflake wrote there (its marker lists each file with its SHA-256); and it is
/// none of `/`, `$HOME`, the project directory, an ancestor of it, or a directory holding
/// `.git`.
pub fn check_out_dir(out: &Path, project_dir: &Path) -> Result<(), DistError> {
    let refuse = |reason: &str| DistError::UnsafeOut {
        path: out.to_path_buf(),
        reason: reason.to_owned(),
    };
    let metadata = match std::fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(io(out)(source)),
    };
    if !metadata.is_dir() {
        return Err(refuse(
            "it is not a directory (goflake writes a release into a directory of its own)",
        ));
    }
    let absolute = out.canonicalize().map_err(io(out))?;
    let project = project_dir
        .canonicalize()
        .unwrap_or_else(|_| project_dir.to_path_buf());
    if absolute.parent().is_none() {
        return Err(refuse("it is the root directory"));
    }
    if std::env::var_os("HOME").is_some_and(|home| Path::new(&home) == absolute) {
        return Err(refuse("it is your home directory"));
    }
    if project.starts_with(&absolute) {
        return Err(refuse(
            "it is the project's directory or one above it; choose a directory of its own such as `--out dist`",
        ));
    }
    if absolute.join(".git").exists() {
        return Err(refuse("it holds a git repository (.git)"));
    }
    only_what_goflake_wrote(out)
}

/// Whether everything in the existing directory `out` is what goflake wrote there: it is
/// empty, or its marker lists every entry with the SHA-256 goflake wrote it with. Anything
/// else (a file added by hand, a subdirectory, a release copied into a web root beside
/// other pages, a file changed since) is refused, named, before anything is touched.
fn only_what_goflake_wrote(out: &Path) -> Result<(), DistError> {
    let refuse = |reason: String| DistError::UnsafeOut {
        path: out.to_path_buf(),
        reason,
    };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(out).map_err(io(out))? {
        let entry = entry.map_err(io(out))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    if names.is_empty() {
        return Ok(());
    }
    let marker = out.join(DIST_MARKER);
    let Ok(listed) = goflake_fs::read_text(&marker) else {
        return Err(refuse(format!(
            "it exists and goflake did not write it (no {DIST_MARKER} in it); move it away or choose another --out"
        )));
    };
    let listed = written_files(&listed, out)?;
    let mut foreign = Vec::new();
    for name in names.iter().filter(|n| *n != DIST_MARKER) {
        let path = out.join(name);
        let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        match listed.iter().find(|(_, file)| file == name) {
            Some((sha, _)) if regular && sha256_file(&path)? == *sha => {}
            Some(_) => foreign.push(format!("{name} (changed since goflake wrote it)")),
            None => foreign.push(name.clone()),
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    Err(refuse(format!(
        "it holds what goflake did not write there: {}; move that away or choose another --out",
        foreign.join(", ")
    )))
}

/// The files a marker lists, as `(sha256, name)`. An older goflake's marker (one sentence,
/// no list) names nothing: then the release's own SHA256SUMS, with manifest.json and the
/// files SHA256SUMS lists, stands for what it wrote.
fn written_files(marker: &str, out: &Path) -> Result<Vec<(String, String)>, DistError> {
    let parse = |text: &str| -> Vec<(String, String)> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once("  "))
            .map(|(sha, name)| (sha.to_owned(), name.to_owned()))
            .collect()
    };
    let listed = parse(marker);
    if !listed.is_empty() {
        return Ok(listed);
    }
    let sums = out.join("SHA256SUMS");
    let Ok(text) = goflake_fs::read_text(&sums) else {
        return Ok(Vec::new());
    };
    let mut files = parse(&text);
    for own in ["SHA256SUMS", "manifest.json"] {
        let path = out.join(own);
        if path.is_file() {
            files.push((sha256_file(&path)?, own.to_owned()));
        }
    }
    Ok(files)
}

/// A pause between the steps of `copy_release`, so tests can interrupt it at many points.
fn test_delay() {
    if let Some(ms) = std::env::var("GOFLAKE_TEST_DIST_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Puts `staging` at `out`: an atomic exchange when `out` exists (so at every instant `out`
/// is the whole old or the whole new release), then the old one is removed.
fn swap_into_place(staging: &Path, out: &Path) -> Result<(), DistError> {
    if std::fs::symlink_metadata(out).is_err() {
        return std::fs::rename(staging, out).map_err(io(out));
    }
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staging, CWD, out, RenameFlags::EXCHANGE) {
        Ok(()) => {}
        // No RENAME_EXCHANGE here (another OS, an old kernel, some file systems): two
        // renames, with the old release kept until the new one is in place.
        Err(_) => {
            let old = out.with_file_name(format!(
                ".goflake-tmp.old.{}",
                out.file_name()
                    .map_or("dist".into(), |n| n.to_string_lossy())
            ));
            let _ = goflake_fs::remove_tree(&old);
            std::fs::rename(out, &old).map_err(io(out))?;
            std::fs::rename(staging, out).map_err(io(out))?;
            test_delay();
            return goflake_fs::remove_tree(&old).map_err(io(&old));
        }
    }
    test_delay();
    // `staging` now holds the old release.
    goflake_fs::remove_tree(staging).map_err(io(staging))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DistError + '_ {
    move |source| DistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub fn sha256_file(path: &Path) -> Result<String, DistError> {
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(io(path))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

pub fn read_manifest(release: &Path) -> Result<Manifest, DistError> {
    let path = release.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    serde_json::from_str(&text).map_err(|e| DistError::Manifest {
        path,
        message: e.to_string(),
    })
}

/// Copies a release (the flake's `release` output) into `out`: every file, then checks each
/// artifact's header against its target and every checksum of SHA256SUMS against the copies.
/// The copy is made in a sibling directory ([`staging_path`]) and swapped into place, so an
/// interrupt never leaves a half-written `out`. Callers check `out` with [`check_out_dir`].
pub fn copy_release(release: &Path, out: &Path) -> Result<Manifest, DistError> {
    let manifest = read_manifest(release)?;
    for artifact in &manifest.artifacts {
        let target = Target::parse(&artifact.target).ok_or_else(|| DistError::Manifest {
            path: release.join("manifest.json"),
            message: format!("`{}` is not a GOOS/GOARCH target", artifact.target),
        })?;
        verify_header(&release.join(&artifact.file), &target)?;
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let staging = staging_path(out);
    // A leftover of a killed run is goflake's own: removed before staging again.
    let _ = goflake_fs::remove_tree(&staging);
    std::fs::create_dir(&staging).map_err(io(&staging))?;
    let staged = stage(release, &staging).and_then(|()| {
        // The new release gets the old one's mode (a private 0700 dist/ stays private), and
        // replaces it only if nothing was added to it meanwhile.
        if let Ok(metadata) = std::fs::symlink_metadata(out) {
            std::fs::set_permissions(&staging, metadata.permissions()).map_err(io(&staging))?;
            only_what_goflake_wrote(out)?;
        }
        Ok(())
    });
    if let Err(err) = staged {
        let _ = goflake_fs::remove_tree(&staging);
        return Err(err);
    }
    swap_into_place(&staging, out)?;
    Ok(manifest)
}

/// Copies the release into `staging`, verifies it and marks it as goflake's.
fn stage(release: &Path, staging: &Path) -> Result<(), DistError> {
    let mut written = Vec::new();
    for entry in std::fs::read_dir(release).map_err(io(release))? {
        let entry = entry.map_err(io(release))?;
        let target = staging.join(entry.file_name());
        written.push(entry.file_name().to_string_lossy().into_owned());
        std::fs::copy(entry.path(), &target).map_err(io(&target))?;
        // Store files are read-only; the copies belong to the user.
        let mode = if is_executable(&entry.path()) {
            0o755
        } else {
            0o644
        };
        set_mode(&target, mode).map_err(io(&target))?;
        test_delay();
    }
    verify_checksums(staging)?;
    written.sort();
    let mut listing = String::from(
        "# This release directory was written by goflake, which replaces it on the next build.\n\
         # Every file goflake wrote here, with its SHA-256; anything else stops the next build.\n",
    );
    for name in &written {
        listing.push_str(&format!("{}  {name}\n", sha256_file(&staging.join(name))?));
    }
    let marker = staging.join(DIST_MARKER);
    std::fs::write(&marker, listing).map_err(io(&marker))?;
    test_delay();
    Ok(())
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// Re-hashes every file SHA256SUMS names in `dir`.
pub fn verify_checksums(dir: &Path) -> Result<usize, DistError> {
    let sums_path = dir.join("SHA256SUMS");
    let sums = std::fs::read_to_string(&sums_path).map_err(io(&sums_path))?;
    let mut count = 0;
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (expected, file) = line.split_once("  ").ok_or_else(|| DistError::Manifest {
            path: sums_path.clone(),
            message: format!("malformed line `{line}`"),
        })?;
        let found = sha256_file(&dir.join(file))?;
        if found != expected {
            return Err(DistError::Checksum {
                file: file.to_owned(),
                expected: expected.to_owned(),
                found,
            });
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Target {
        Target::parse(text).unwrap()
    }

    #[test]
    fn headers_of_every_target() {
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[18] = 0xb7;
        assert_eq!(
            Header::parse(&elf),
            expected_header(&t("linux/arm64")).unwrap()
        );
        let mut pe = vec![0u8; 256];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe[0x84..0x86].copy_from_slice(&0xaa64u16.to_le_bytes());
        assert_eq!(
            Header::parse(&pe),
            expected_header(&t("windows/arm64")).unwrap()
        );
        let mut macho = vec![0u8; 32];
        macho[..4].copy_from_slice(&[0xcf, 0xfa, 0xed, 0xfe]);
        macho[4..8].copy_from_slice(&0x0100_0007u32.to_le_bytes());
        assert_eq!(
            Header::parse(&macho),
            expected_header(&t("darwin/amd64")).unwrap()
        );
        assert_eq!(
            Header::parse(b"\0asm\x01\0\0\0"),
            expected_header(&t("js/wasm")).unwrap()
        );
        assert_eq!(Header::parse(b"#!/bin/sh\n"), Header::Other);
        assert_eq!(expected_header(&t("plan9/386")), None);
        elf[18] = 0x03;
        assert_eq!(
            Header::parse(&elf),
            expected_header(&t("linux/386")).unwrap()
        );
        pe[0x84..0x86].copy_from_slice(&0x014cu16.to_le_bytes());
        assert_eq!(
            Header::parse(&pe),
            expected_header(&t("windows/386")).unwrap()
        );
    }

    #[test]
    fn a_mislabelled_artifact_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tool_1.0_darwin_arm64");
        let mut macho = vec![0u8; 32];
        macho[..4].copy_from_slice(&[0xcf, 0xfa, 0xed, 0xfe]);
        macho[4..8].copy_from_slice(&0x0100_0007u32.to_le_bytes());
        std::fs::write(&file, macho).unwrap();
        let err = verify_header(&file, &t("darwin/arm64")).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("built for darwin/arm64, but its header says Mach-O x86_64"),
            "{err}"
        );
    }

    #[test]
    fn checksums_are_verified() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"abc").unwrap();
        let sum = sha256_file(&dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("SHA256SUMS"), format!("{sum}  a\n")).unwrap();
        assert_eq!(verify_checksums(dir.path()).unwrap(), 1);
        std::fs::write(dir.path().join("a"), b"abd").unwrap();
        assert!(matches!(
            verify_checksums(dir.path()),
            Err(DistError::Checksum { .. })
        ));
    }

    /// A release as the flake's `release` output holds it: one linux/amd64 binary (an ELF
    /// header), SHA256SUMS and manifest.json.
    fn release(dir: &Path) -> PathBuf {
        let release = dir.join("release");
        std::fs::create_dir_all(&release).unwrap();
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[18] = 0x3e;
        let name = "app_1.0_linux_amd64";
        std::fs::write(release.join(name), &elf).unwrap();
        let sum = sha256_file(&release.join(name)).unwrap();
        std::fs::write(release.join("SHA256SUMS"), format!("{sum}  {name}\n")).unwrap();
        let manifest = Manifest {
            version: "1.0".into(),
            go: "1.26.8".into(),
            artifacts: vec![Artifact {
                target: "linux/amd64".into(),
                file: name.into(),
                sha256: sum,
                size: 64,
                version: "1.0".into(),
                go: "1.26.8".into(),
            }],
        };
        std::fs::write(
            release.join("manifest.json"),
            serde_json::to_string(&manifest).unwrap(),
        )
        .unwrap();
        release
    }

    #[test]
    fn a_release_directory_is_replaced_only_while_it_holds_what_goflake_wrote() {
        use std::os::unix::fs::PermissionsExt;
        let temp = tempfile::tempdir().unwrap();
        let project = temp.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        let release = release(temp.path());
        let out = project.join("dist");
        copy_release(&release, &out).unwrap();
        let marker = std::fs::read_to_string(out.join(DIST_MARKER)).unwrap();
        assert_eq!(
            marker.lines().filter(|l| !l.starts_with('#')).count(),
            3,
            "every file is listed: {marker}"
        );
        check_out_dir(&out, &project).unwrap();
        // A private dist/ stays private across a rebuild.
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700)).unwrap();
        copy_release(&release, &out).unwrap();
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o700
        );

        // A file the user put there, a subdirectory, a changed artifact: all refused,
        // before the build (check_out_dir) and again at the swap (copy_release).
        for (name, why) in [
            ("index.html", "index.html"),
            ("pages/", "pages"),
            (
                "app_1.0_linux_amd64",
                "app_1.0_linux_amd64 (changed since goflake wrote it)",
            ),
        ] {
            let path = out.join(name.trim_end_matches('/'));
            let original = std::fs::read(&path).ok();
            if name.ends_with('/') {
                std::fs::create_dir(&path).unwrap();
            } else {
                std::fs::write(&path, "the user's\n").unwrap();
            }
            let reason = format!("it holds what goflake did not write there: {why}");
            let refused = check_out_dir(&out, &project).unwrap_err().to_string();
            assert!(
                refused.contains(&reason) && refused.ends_with("nothing was touched"),
                "{refused}"
            );
            let refused = copy_release(&release, &out).unwrap_err().to_string();
            assert!(refused.contains(&reason), "{refused}");
            assert!(!staging_path(&out).exists(), "the staged copy is removed");
            assert!(path.exists(), "{name} is still there");
            match original {
                Some(bytes) => std::fs::write(&path, bytes).unwrap(),
                None if name.ends_with('/') => std::fs::remove_dir(&path).unwrap(),
                None => std::fs::remove_file(&path).unwrap(),
            }
        }
        copy_release(&release, &out).unwrap();
    }

    #[test]
    fn an_older_marker_stands_for_the_release_its_checksums_name() {
        let temp = tempfile::tempdir().unwrap();
        let release = release(temp.path());
        let out = temp.path().join("dist");
        copy_release(&release, &out).unwrap();
        std::fs::write(
            out.join(DIST_MARKER),
            "This release directory was written by goflake, which replaces it on the next build.\n",
        )
        .unwrap();
        check_out_dir(&out, temp.path().join("project").as_path()).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(check_out_dir(&out, temp.path().join("project").as_path()).is_err());
    }
}
