//! Hostile repositories: a clone decides what its symlinks point at and what its files
//! hold, so none of it may make goflake write outside the project, overwrite a file without
//! a backup, or replace a directory it did not write. Each repository is built in a
//! temporary directory, beside a "victim" that must come through untouched.

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use crate::support::{goflake, s, stderr, stdout};

struct Repo {
    _temp: tempfile::TempDir,
    root: PathBuf,
    /// A project with a flake goflake generated.
    dir: PathBuf,
    /// Outside the project: nothing may appear or change here.
    victim: PathBuf,
}

fn repo() -> Repo {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path().to_path_buf();
    let dir = root.join("clone");
    goflake_testkit::copy_go_fixture("root-main", &dir);
    let out = goflake(&["init", "--no-verify-targets", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let victim = root.join("victim");
    std::fs::create_dir_all(victim.join("bin")).unwrap();
    std::fs::write(victim.join(".bashrc"), "# the user's own\n").unwrap();
    Repo {
        _temp: temp,
        root,
        dir,
        victim,
    }
}

/// Every path below `dir` with its kind, mode and contents.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path.clone());
                out.push((path, meta.mode(), Vec::new()));
            } else if meta.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.push((
                    path,
                    meta.mode(),
                    target.into_os_string().into_encoded_bytes(),
                ));
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path, meta.mode(), bytes));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn init_force_never_writes_through_a_dangling_orig_link() {
    let r = repo();
    // A hand-written flake (so init needs --force), and a committed dangling link where
    // init keeps the old flake: written through, it would plant an executable in ~/bin.
    let flake = r.dir.join("flake.nix");
    std::fs::write(&flake, "{ outputs = _: { }; }\n").unwrap();
    std::fs::set_permissions(&flake, std::fs::Permissions::from_mode(0o755)).unwrap();
    symlink("../victim/bin/git", r.dir.join("flake.nix.orig")).unwrap();
    let before = snapshot(&r.root);
    let out = goflake(&["init", "--force", "--no-verify-targets", s(&r.dir)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("flake.nix.orig already exists; move it away first"),
        "{}",
        stderr(&out)
    );
    assert!(!r.victim.join("bin/git").exists());
    assert_eq!(snapshot(&r.root), before, "nothing changed anywhere");
}

#[test]
fn a_flake_that_links_out_of_the_project_is_not_edited() {
    let r = repo();
    let outside = r.victim.join("flake.nix");
    std::fs::rename(r.dir.join("flake.nix"), &outside).unwrap();
    symlink("../victim/flake.nix", r.dir.join("flake.nix")).unwrap();
    let before = snapshot(&r.root);
    let out = goflake(&["set", s(&r.dir.join("flake.nix")), "version", "9.9.9"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "flake.nix is a symlink to {}, outside {}: goflake writes only inside the project",
            outside.canonicalize().unwrap().display(),
            r.dir.canonicalize().unwrap().display()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&r.root), before);
}

#[test]
fn ci_never_writes_through_a_symlinked_workflow_or_directory() {
    // A workflow file that links to the user's ~/.bashrc: refused even with --force.
    let r = repo();
    std::fs::create_dir_all(r.dir.join(".github/workflows")).unwrap();
    symlink(
        r.victim.join(".bashrc"),
        r.dir.join(".github/workflows/check.yml"),
    )
    .unwrap();
    let before = snapshot(&r.root);
    for force in [false, true] {
        let mut args = vec![
            "ci",
            "github",
            "--goflake",
            crate::support::PINNED_GOFLAKE,
            s(&r.dir),
        ];
        if force {
            args.push("--force");
        }
        let out = goflake(&args);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("check.yml is a symlink to")
                && stderr(&out).contains("goflake writes only inside the project"),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            snapshot(&r.root),
            before,
            "--force {force}: nothing written"
        );
    }

    // A .github directory that links elsewhere: refused with no --force needed.
    let r = repo();
    symlink(&r.victim, r.dir.join(".github")).unwrap();
    let before = snapshot(&r.root);
    let out = crate::support::ci("github", &[s(&r.dir)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(".github is a symlink to"),
        "{}",
        stderr(&out)
    );
    assert!(!r.victim.join("workflows").exists());
    assert_eq!(snapshot(&r.root), before);
}

#[test]
fn ci_force_keeps_a_hand_written_file_and_says_who_wrote_it() {
    let r = repo();
    let pipeline = r.dir.join(".gitlab-ci.yml");
    let hand_written = "stages: [test]\ntest:\n  script: make test\n";
    std::fs::write(&pipeline, hand_written).unwrap();
    let out = crate::support::ci("gitlab", &[s(&r.dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: .gitlab-ci.yml was not written by goflake (it lacks the `# Generated by `goflake ci`` line)\n\
         Nothing was written. Run with --force to replace them (each old file is kept as FILE.orig).\n"
    );
    let out = crate::support::ci("gitlab", &["--force", s(&r.dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let orig = r.dir.join(".gitlab-ci.yml.orig");
    assert_eq!(std::fs::read_to_string(&orig).unwrap(), hand_written);
    assert!(
        stderr(&out).contains(&format!(
            "updated .gitlab-ci.yml (the old one is {})",
            orig.display()
        )),
        "{}",
        stderr(&out)
    );
    // A second --force replaces goflake's own untouched file: no backup needed, none made.
    std::fs::remove_file(&orig).unwrap();
    let out = crate::support::ci("gitlab", &["--force", s(&r.dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!orig.exists());
    // An edited one is named as such, and a backup that exists is never overwritten.
    let generated = std::fs::read_to_string(&pipeline).unwrap();
    std::fs::write(&pipeline, format!("{generated}# mine\n")).unwrap();
    std::fs::write(&orig, "an older backup\n").unwrap();
    let out = crate::support::ci("gitlab", &[s(&r.dir)]);
    assert!(
        stderr(&out).contains(".gitlab-ci.yml changed since goflake wrote it"),
        "{}",
        stderr(&out)
    );
    let out = crate::support::ci("gitlab", &["--force", s(&r.dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(".gitlab-ci.yml.orig already exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&orig).unwrap(), "an older backup\n");
    assert_eq!(
        std::fs::read_to_string(&pipeline).unwrap(),
        format!("{generated}# mine\n")
    );
}

/// A full disk mid-write leaves the old file whole (a tmpfs of 64 KiB, filled), the
/// hard-linked one written with --force included: a write never truncates first.
#[test]
fn a_full_disk_leaves_the_old_file_whole() {
    let test = "hostile::a_full_disk_leaves_the_old_file_whole";
    let temp = tempfile::tempdir().unwrap();
    let mount = temp.path().join("small");
    std::fs::create_dir(&mount).unwrap();
    let mounted = goflake_testkit::command("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs", s(&mount)])
        .output()
        .unwrap();
    if !mounted.status.success() {
        return goflake_testkit::skip(test, "mounting a small tmpfs needs root");
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = goflake_testkit::command("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&mount);
    let file = mount.join("flake.nix");
    let original = format!("{{\n  version = \"1.0\";\n  # {}\n}}\n", "x".repeat(2000));
    std::fs::write(&file, &original).unwrap();
    // Fill what is left.
    let filler = mount.join("filler");
    let mut data = std::fs::File::create(&filler).unwrap();
    let _ = std::io::Write::write_all(&mut data, &vec![0u8; 1 << 20]);
    drop(data);
    let big = "2".repeat(8000);
    let out = goflake(&["set", s(&file), "version", &big]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    std::fs::hard_link(&file, mount.join("linked.nix")).unwrap();
    let out = goflake(&["set", "--force", s(&file), "version", &big]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    let mut names: Vec<String> = std::fs::read_dir(&mount)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["filler", "flake.nix", "linked.nix"],
        "no temporary file left"
    );
    assert!(stdout(&out).is_empty());
}

/// goflake under resource limits a hang or a runaway allocation exceeds: 30 s of CPU and
/// 3 GB of address space (goflake reserves a 1 GiB stack). A limit hit kills it with a
/// signal, which the callers refuse. `None` (the test reports itself skipped) without
/// util-linux's prlimit.
fn limited(test: &str, args: &[&str]) -> Option<std::process::Output> {
    let prlimit = goflake_testkit::require_tool(test, "prlimit")?;
    let output = goflake_testkit::command(prlimit)
        .args(["--cpu=30", "--as=3000000000", "--"])
        .arg(env!("CARGO_BIN_EXE_goflake"))
        .args(args)
        .env("GOFLAGS", "")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Some(output)
}

#[test]
fn special_files_in_a_clone_are_refused_not_read() {
    let test = "hostile::special_files_in_a_clone_are_refused_not_read";
    for name in ["go.mod", "go.sum", ".goreleaser.yaml"] {
        for special in ["/dev/zero", "fifo"] {
            let r = repo();
            let path = r.dir.join(name);
            let _ = std::fs::remove_file(&path);
            if special == "fifo" {
                let made = goflake_testkit::command("mkfifo")
                    .arg(&path)
                    .status()
                    .unwrap();
                assert!(made.success());
            } else {
                symlink(special, &path).unwrap();
            }
            for command in ["inspect", "init"] {
                let Some(out) = limited(test, &[command, "--no-verify-targets", s(&r.dir)]) else {
                    return;
                };
                let kind = if special == "fifo" {
                    "a FIFO"
                } else {
                    "a device"
                };
                assert_eq!(
                    out.status.code(),
                    Some(1),
                    "{command} with {name} as {special}: {}",
                    stderr(&out)
                );
                assert!(
                    stderr(&out).contains(&format!(
                        "{name} is not a regular file ({kind}); goflake reads only regular files"
                    )),
                    "{command} with {name} as {special}: {}",
                    stderr(&out)
                );
            }
        }
    }
}

#[test]
fn a_file_larger_than_goflake_reads_is_named() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("flake.nix");
    let mut text = String::from("{ a = 1; }\n");
    text.push_str(&"# padding\n".repeat((17 << 20) / 10));
    std::fs::write(&file, &text).unwrap();
    let out = goflake(&["get", s(&file), "a"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "error: {} is larger than the 16 MiB goflake reads of one file; it is not read\n",
            file.display()
        )
    );
}

/// Inputs that made the parser or the binding index quadratic: every one is answered within
/// the limits, with the answer a small input gets.
#[test]
fn pathological_nesting_is_answered_within_bounds() {
    let test = "hostile::pathological_nesting_is_answered_within_bounds";
    let temp = tempfile::tempdir().unwrap();
    let cases = [
        ("minus.nix", format!("{{ a = {}; }}\n", "-1".repeat(4000))),
        (
            "plus.nix",
            format!("{{ a = {}; }}\n", vec!["1"; 8000].join("+")),
        ),
        (
            "list.nix",
            format!("{{ a = {}{}; }}\n", "[".repeat(9990), "]".repeat(9990)),
        ),
        (
            "sets.nix",
            format!(
                "{{ a = {}1{}; }}\n",
                "{ a = ".repeat(9990),
                "; }".repeat(9990)
            ),
        ),
    ];
    for (name, text) in cases {
        let file = temp.path().join(name);
        std::fs::write(&file, &text).unwrap();
        let Some(out) = limited(test, &["get", s(&file), "a"]) else {
            return;
        };
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("{}:1:7: `a` is", file.display())),
            "{name}: {}",
            stderr(&out)
        );
        // And an edit of it, which re-parses the result.
        let edited = limited(test, &["set", "--check", s(&file), "b", "x"]).unwrap();
        assert!(edited.status.code().is_some(), "{name}: killed by a limit");
    }
    let r = repo();
    std::fs::write(
        r.dir.join(".goreleaser.yaml"),
        format!("version: 2\nbuilds: {}\n", "[".repeat(200_000)),
    )
    .unwrap();
    let out = limited(test, &["inspect", s(&r.dir)]).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(".goreleaser.yaml:2:137: collections nested deeper than 128 levels"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_target_in_flake_nix_is_read_as_a_target_or_refused_where_it_stands() {
    let r = repo();
    let flake = r.dir.join("flake.nix");
    let text = std::fs::read_to_string(&flake).unwrap();
    let line = text
        .lines()
        .position(|l| l.trim() == "\"linux/arm64\"")
        .expect("the generated list has one target per line")
        + 1;
    for (written, shown) in [
        ("linux/amd6", "linux/amd6"),
        ("linux/\u{1b}[31m", "linux/\\u{1b}[31m"),
    ] {
        std::fs::write(
            &flake,
            text.replace("\"linux/arm64\"", &format!("\"{written}\"")),
        )
        .unwrap();
        let expected = format!(
            "error: {}:{line}:9: `{shown}` is not a GOOS/GOARCH pair Go can build (`goflake targets add --help` shows how to name one)\n",
            flake.display()
        );
        let list = goflake(&["targets", "list", "--flake", s(&flake)]);
        assert_eq!(list.status.code(), Some(1));
        assert_eq!(stderr(&list), expected);
        assert!(stdout(&list).is_empty(), "nothing listed");
        let check = goflake(&["check", "--no-nix", "--dir", s(&r.dir)]);
        assert_eq!(check.status.code(), Some(1));
        assert_eq!(stderr(&check), expected);
    }
}

#[test]
fn init_and_ci_share_one_rule_for_package_names() {
    for module in [
        "example.com/-dash",
        "example.com/1abc",
        "example.com/my.tool",
    ] {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("p");
        goflake_testkit::copy_go_fixture("root-main", &dir);
        let go_mod = std::fs::read_to_string(dir.join("go.mod")).unwrap();
        let first = go_mod.lines().next().unwrap();
        std::fs::write(
            dir.join("go.mod"),
            go_mod.replacen(first, &format!("module {module}"), 1),
        )
        .unwrap();
        let out = goflake(&["init", "--no-verify-targets", s(&dir)]);
        assert_eq!(out.status.code(), Some(1), "{module}: {}", stderr(&out));
        let pname = module.rsplit('/').next().unwrap();
        assert!(
            stderr(&out).contains(&format!(
                "the packages would be named after `{pname}` (the module path's last element), which is not a Nix attribute name (a letter or `_`, then letters, digits, `_` and `-`)"
            )),
            "{module}: {}",
            stderr(&out)
        );
        assert!(!dir.join("flake.nix").exists());
    }
}

#[test]
fn new_leaves_nothing_behind_when_it_cannot_make_the_project() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("parent/project");
    let out = goflake(&["new", s(&dir), "--module", "example.com/.."]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "error: `example.com/..` is not a valid Go module path: invalid path element `..` (use --module example.com/project)\n"
    );
    assert!(!temp.path().join("parent").exists());
    // What it does make ignores goflake's temporary names, which a killed run can leave.
    let out = goflake(&["new", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ignored = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(ignored.lines().any(|l| l == ".goflake-tmp.*"), "{ignored}");
}
