//! Nothing lost: what `--out` may replace, interrupted writes, concurrent edits, owners,
//! read-only and hard-linked files, FIFOs and files that are not text (symlinks: hostile.rs).

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{goflake, s, stderr};

/// A project with a flake (init without compiling, so no Go toolchain is needed).
fn project(root: &Path) -> PathBuf {
    let dir = root.join("hello");
    goflake_testkit::copy_go_fixture("root-main", &dir);
    let out = goflake(&["init", "--no-verify-targets", s(&dir)]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

/// Every file below `dir`, with its contents, to show nothing was touched.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn out_never_replaces_what_goflake_did_not_write() {
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path());
    std::fs::write(dir.join("notes"), "my notes\n").unwrap();
    std::fs::create_dir_all(dir.join("repo/.git")).unwrap();
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine/keep.txt"), "keep\n").unwrap();
    let home = temp.path().join("home");
    std::fs::create_dir_all(home.join("stuff")).unwrap();
    std::fs::write(home.join("stuff/x"), "x").unwrap();
    let before = snapshot(temp.path());
    for (out, why) in [
        (".", "project's directory or one above it"),
        ("..", "project's directory or one above it"),
        ("/", "root directory"),
        ("notes", "not a directory"),
        ("repo", "git repository"),
        ("mine", "goflake did not write it"),
        (s(&home), "home directory"),
    ] {
        let output = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
            .args(["build", "--dir", s(&dir), "--out", out])
            .env("HOME", &home)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "--out {out}: {}",
            stderr(&output)
        );
        let text = stderr(&output);
        assert!(
            text.contains("refusing to replace")
                && text.contains(why)
                && text.contains("nothing was touched"),
            "--out {out}: {text}"
        );
    }
    assert_eq!(snapshot(temp.path()), before, "nothing was touched");
}

#[test]
fn an_interrupted_write_leaves_no_temporary_file_and_the_old_file_whole() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("package.nix");
    let original = "{ version = \"1.0\"; }\n";
    std::fs::write(&file, original).unwrap();
    for signal in ["-INT", "-TERM"] {
        let child = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
            .args(["set", s(&file), "version", "2.0"])
            .env("GOFLAKE_TEST_WRITE_DELAY_MS", "5000")
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the temporary file exists, then interrupt.
        let started = Instant::now();
        while !temp_files(temp.path()).iter().any(|_| true) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no temporary file appeared"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let named = temp_files(temp.path());
        assert!(
            named
                .iter()
                .all(|n| n.starts_with(".goflake-tmp.package.nix.")),
            "recognisable names: {named:?}"
        );
        let status = goflake_testkit::command("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(130), "{signal}");
        assert!(
            temp_files(temp.path()).is_empty(),
            "{signal}: {:?}",
            temp_files(temp.path())
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".goflake-tmp."))
        .collect()
}

#[test]
fn concurrent_edits_of_one_file_lose_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("values.nix");
    std::fs::write(&file, "{\n  a = \"0\";\n  b = \"0\";\n}\n").unwrap();
    for round in 1..=50 {
        let value = round.to_string();
        let spawn = |attr: &str| {
            goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
                .args(["set", s(&file), attr, &value])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("a"), spawn("b"));
        for child in [a, b] {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round}: {}",
                stderr(&output)
            );
        }
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            format!("{{\n  a = \"{round}\";\n  b = \"{round}\";\n}}\n"),
            "round {round}: an update was lost"
        );
    }
}

#[test]
fn owner_group_and_mode_survive_an_edit() {
    let test = "safety::owner_group_and_mode_survive_an_edit";
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("flake.nix");
    std::fs::write(&file, "{ version = \"1.0\"; }\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let chown = goflake_testkit::command("chown")
        .args(["1234:2345", s(&file)])
        .output()
        .unwrap();
    if !chown.status.success() {
        goflake_testkit::skip(test, "giving a file another owner needs root");
        return;
    }
    let out = goflake(&["set", s(&file), "version", "2.0"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let metadata = std::fs::metadata(&file).unwrap();
    assert_eq!((metadata.uid(), metadata.gid()), (1234, 2345));
    assert_eq!(metadata.mode() & 0o7777, 0o640);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{ version = \"2.0\"; }\n"
    );
}

/// A file a rename cannot replace as it is (read-only; hard-linked, whose other names would
/// keep the old text) is refused, and written whole with --force: a read-only one keeps its
/// mode, a hard-linked one becomes a file of its own while the other name keeps the old text.
#[test]
fn files_a_rename_cannot_replace_as_they_are_are_refused_unless_forced() {
    let old = "{ version = \"1.0\"; }\n";
    let new = "{ version = \"2.0\"; }\n";
    for case in ["read-only", "hard-linked"] {
        let temp = tempfile::tempdir().unwrap();
        let file = temp.path().join("flake.nix");
        let other = temp.path().join("backup.nix");
        std::fs::write(&file, old).unwrap();
        let refusal = if case == "read-only" {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
            "is read-only (mode 444)"
        } else {
            std::fs::hard_link(&file, &other).unwrap();
            "has 2 hard links"
        };
        let out = goflake(&["set", s(&file), "version", "2.0"]);
        assert_eq!(out.status.code(), Some(1), "{case}");
        assert!(stderr(&out).contains(refusal), "{case}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), old, "{case}");
        let out = goflake(&["set", "--force", s(&file), "version", "2.0"]);
        assert!(out.status.success(), "{case}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), new, "{case}");
        let metadata = std::fs::metadata(&file).unwrap();
        if case == "read-only" {
            assert_eq!(metadata.mode() & 0o777, 0o444);
        } else {
            assert_eq!(std::fs::read_to_string(&other).unwrap(), old);
            assert_eq!(metadata.nlink(), 1);
        }
    }
}

#[test]
fn a_fifo_or_binary_file_is_unusable_input_not_a_hang() {
    let temp = tempfile::tempdir().unwrap();
    let fifo = temp.path().join("fifo.nix");
    let made = goflake_testkit::command("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for args in [vec!["set", s(&fifo), "a", "b"], vec!["get", s(&fifo), "a"]] {
        let started = Instant::now();
        let out = goflake(&args);
        assert!(started.elapsed() < Duration::from_secs(10), "{args:?} hung");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("is not a regular file (a FIFO)"),
            "{}",
            stderr(&out)
        );
    }
    let binary = temp.path().join("binary.nix");
    std::fs::write(&binary, b"{ a = \"\xff\xfe\"; }\n").unwrap();
    let out = goflake(&["set", s(&binary), "a", "b"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is not UTF-8"), "{}", stderr(&out));
}

#[test]
fn deep_nesting_never_crashes_and_what_nix_parses_is_parsed() {
    let temp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let path = temp.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    // Deeper than Nix parses: refused with a position, exit 2.
    let lists = write(
        "lists.nix",
        format!("{{ a = {}{}; }}\n", "[".repeat(50_000), "]".repeat(50_000)),
    );
    let out = goflake(&["get", s(&lists), "a"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("lists.nix:1:10006: nested more than 10000 levels deep"),
        "{}",
        stderr(&out)
    );
    // Nix parses 1,000 (and 6,000) nested parentheses: so does goflake, and edits there.
    for depth in [1_000, 6_000] {
        let parens = write(
            "parens.nix",
            format!(
                "{{ a = {}1{}; b = \"x\"; }}\n",
                "(".repeat(depth),
                ")".repeat(depth)
            ),
        );
        let out = goflake(&["set", s(&parens), "b", "y"]);
        assert!(out.status.success(), "{depth}: {}", stderr(&out));
        assert!(
            std::fs::read_to_string(&parens)
                .unwrap()
                .ends_with("b = \"y\"; }\n")
        );
    }
    // A 50,000-term chain (Nix parses it): an ordinary answer, no crash.
    let terms = vec!["\"x\""; 50_000].join(" + ");
    let chain = write("chain.nix", format!("{{ a = {terms}; b = 1; }}\n"));
    let out = goflake(&["get", s(&chain), "b"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = goflake(&["get", s(&chain), "a"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("operator expression"),
        "{}",
        stderr(&out)
    );
}

fn module(root: &Path, go_mod: &str) -> PathBuf {
    let dir = root.join("m");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("go.mod"), go_mod).unwrap();
    std::fs::write(dir.join("main.go"), "package main\n\nfunc main() {}\n").unwrap();
    dir
}

fn inspect(dir: &Path) -> std::process::Output {
    goflake(&["inspect", "--no-verify-targets", "--json", s(dir)])
}

#[test]
fn go_input_is_checked_by_gos_rules() {
    for (go_mod, expected) in [
        (
            "module \"a b\"\n",
            "go.mod:1:1: malformed module path \"a b\": invalid char ' '",
        ),
        (
            "module \"x/a\\\"b\"\n",
            "go.mod:1:1: malformed module path \"x/a\\\"b\": invalid char '\\\"'",
        ),
        (
            "module \"x/${y}\"\n",
            "malformed module path \"x/${y}\": invalid char '$'",
        ),
        (
            "module \"x\\ny\"\n",
            "malformed module path \"x\\ny\": invalid char '\\n'",
        ),
        (
            "module m\n\ngo 1.22\ngo 1.23\n",
            "go.mod:4:1: repeated go statement",
        ),
        (
            "module m\n\nrequire \"bad path\" v1.0.0\n",
            "go.mod:3:1: malformed module path \"bad path\"",
        ),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let dir = module(temp.path(), go_mod);
        let out = inspect(&dir);
        assert_eq!(out.status.code(), Some(1), "{go_mod:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{go_mod:?}: {}",
            stderr(&out)
        );
    }
    // A go line from the future is read, and said to be newer than the pinned nixpkgs' Go.
    for go in ["1.99", "2.0"] {
        let temp = tempfile::tempdir().unwrap();
        let dir = module(temp.path(), &format!("module m\n\ngo {go}\n"));
        let out = inspect(&dir);
        assert!(out.status.success(), "{}", stderr(&out));
        let model: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let warnings = model["warnings"].to_string();
        assert!(
            warnings.contains(&format!(
                "go.mod requires go {go}, but nixos-26.05 has Go 1.26 at newest"
            )) && warnings.contains("no nixpkgs branch goflake knows has it yet"),
            "{warnings}"
        );
    }
}

#[test]
fn odd_directories_are_skipped_safely_and_never_printed_raw() {
    let temp = tempfile::tempdir().unwrap();
    let dir = module(temp.path(), "module example.com/m\n\ngo 1.22\n");
    for name in ["a\"b", "esc\u{1b}[31mred"] {
        let odd = dir.join("cmd").join(name);
        std::fs::create_dir_all(&odd).unwrap();
        std::fs::write(odd.join("main.go"), "package main\n\nfunc main() {}\n").unwrap();
    }
    // A symlink loop and a link to / are not walked (Go does not follow linked directories).
    std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
    std::os::unix::fs::symlink("/", dir.join("root")).unwrap();
    let started = Instant::now();
    let out = inspect(&dir);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the walk followed a link"
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let model: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mains: Vec<&str> = model["main_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["dir"].as_str().unwrap())
        .collect();
    assert_eq!(mains, ["."]);
    let warnings = model["warnings"].to_string();
    assert!(
        warnings.contains("is not a valid Go import path element"),
        "{warnings}"
    );
    // The human output escapes the terminal escape in the directory name.
    let human = goflake(&["inspect", "--no-verify-targets", s(&dir)]);
    let text = String::from_utf8_lossy(&human.stdout).into_owned() + &stderr(&human);
    assert!(!text.contains('\u{1b}'), "raw escape printed: {text:?}");
    assert!(text.contains("esc\\u{1b}[31mred"), "{text}");
}

#[test]
fn special_files_are_named_never_opened() {
    let temp = tempfile::tempdir().unwrap();
    let dir = module(temp.path(), "module example.com/m\n\ngo 1.22\n");
    let fifo = dir.join("pipe.go");
    assert!(
        goflake_testkit::command("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let out = inspect(&dir);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "inspect blocked on a FIFO"
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pipe.go") && stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    // The NAR hasher (vendor-hash's) names it as `nix hash path` does.
    let out = goflake(&["nar-hash", s(&dir)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("pipe.go"), "{}", stderr(&out));
}

#[test]
fn vendor_hash_names_a_fifo_in_the_module_instead_of_hanging() {
    if goflake_testkit::require_tool("safety::vendor_hash_names_a_fifo", "go").is_none() {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let dir = project(temp.path());
    let fifo = dir.join("data.pipe");
    assert!(
        goflake_testkit::command("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let out = goflake(&["vendor-hash", "--method", "local", s(&dir)]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "vendor-hash blocked on a FIFO"
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("{}: not a regular file", fifo.display())),
        "{}",
        stderr(&out)
    );
}

/// A SIGTERM to goflake alone (a CI timeout) stops the processes it started too.
#[test]
fn a_terminated_goflake_stops_its_children() {
    let temp = tempfile::tempdir().unwrap();
    let bin = temp.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let pid_file = temp.path().join("go.pid");
    // A `go` that never answers, and says who it is.
    let go = bin.join("go");
    std::fs::write(
        &go,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nexec sleep 300\n",
            pid_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = temp.path().join("module");
    goflake_testkit::copy_go_fixture("root-main", &dir);
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let mut child = goflake_testkit::command(env!("CARGO_BIN_EXE_goflake"))
        .args(["vendor-hash", s(&dir)])
        .env("PATH", &path)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let go_pid = loop {
        if let Ok(text) = std::fs::read_to_string(&pid_file)
            && let Ok(pid) = text.trim().parse::<i32>()
        {
            break pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "goflake never ran go"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let killed = goflake_testkit::command("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    // The child is gone once it has handled the signal (and been reaped by init).
    let alive = |pid: i32| {
        Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default()
                .contains(") Z ")
    };
    let waited = Instant::now();
    while alive(go_pid) && waited.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !alive(go_pid),
        "go ({go_pid}) still runs after goflake was terminated"
    );
}
