//! Compiling main packages for targets with a chosen Go release: the proof that a target
//! builds before a flake proposes it.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use goflake_gomod::{CompileVerdict, Target};

use crate::go::GoError;

/// A Go release to run: the host's `go`, or another release the `go` command fetches as the
/// `golang.org/toolchain` module from the module proxy (`GOTOOLCHAIN=go1.X.Y`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    go: PathBuf,
    /// `1.25.14`.
    pub version: String,
    /// The `GOTOOLCHAIN` value that selects it.
    gotoolchain: String,
}

impl Toolchain {
    /// The `GOTOOLCHAIN` value that selects it (`local`, or `go1.25.14`).
    pub fn gotoolchain(&self) -> &str {
        &self.gotoolchain
    }

    /// The host's own `go`.
    pub fn host() -> Result<Toolchain, GoError> {
        Ok(Toolchain {
            go: crate::which("go").ok_or(GoError::Missing)?,
            version: crate::go::version()?,
            gotoolchain: "local".into(),
        })
    }

    /// A `go` command that runs this release, with the user's caches and proxy.
    fn command(&self, dir: &Path) -> Command {
        let mut command = Command::new(&self.go);
        command
            .current_dir(dir)
            .env("GOTOOLCHAIN", &self.gotoolchain)
            .env("GOFLAGS", "")
            .env("GOWORK", "off");
        command
    }
}

fn minor_of(version: &str) -> Option<u32> {
    version.split('.').nth(1)?.parse().ok()
}

/// The newest release of Go 1.`minor`: the host's `go` when it is that minor; else the
/// newest patch already in the module cache, else the newest the module proxy lists. The
/// release is fetched (and its checksum verified) by the `go` command itself.
pub fn toolchain_for(minor: u32) -> Result<Toolchain, GoError> {
    let go = crate::which("go").ok_or(GoError::Missing)?;
    let host = crate::go::version()?;
    if minor_of(&host) == Some(minor) {
        return Ok(Toolchain {
            go,
            version: host,
            gotoolchain: "local".into(),
        });
    }
    let platform = host_platform(&go)?;
    let suffix = format!(".{}-{}", platform.goos, platform.goarch);
    let prefix = format!("v0.0.1-go1.{minor}.");
    let patch_of = |version: &str| -> Option<u32> {
        version
            .strip_prefix(&prefix)?
            .strip_suffix(&suffix)?
            .parse()
            .ok()
    };
    let cached = go_env(&go, "GOMODCACHE")
        .ok()
        .and_then(|cache| std::fs::read_dir(Path::new(&cache).join("golang.org")).ok())
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            patch_of(name.strip_prefix("toolchain@")?)
        })
        .max();
    let patch = match cached {
        Some(patch) => patch,
        None => {
            let scratch = goflake_fs::private_tempdir("goflake-go.")?;
            let output = crate::process::output(
                Command::new(&go)
                    .current_dir(scratch.path())
                    .env("GOTOOLCHAIN", "local")
                    .env("GOFLAGS", "")
                    .env("GOWORK", "off")
                    .args(["list", "-m", "-versions", "golang.org/toolchain"]),
            )?;
            if !output.status.success() {
                return Err(GoError::Failed {
                    command: "list -m -versions golang.org/toolchain".into(),
                    dir: scratch.path().to_path_buf(),
                    message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
                });
            }
            String::from_utf8_lossy(&output.stdout)
                .split_whitespace()
                .filter_map(patch_of)
                .max()
                .ok_or_else(|| GoError::Failed {
                    command: "list -m -versions golang.org/toolchain".into(),
                    dir: scratch.path().to_path_buf(),
                    message: format!(
                        "the module proxy lists no Go 1.{minor} release for {platform}"
                    ),
                })?
        }
    };
    let toolchain = Toolchain {
        go,
        version: format!("1.{minor}.{patch}"),
        gotoolchain: format!("go1.{minor}.{patch}"),
    };
    // Fetch it now (once; later runs find it in the module cache) so a failure is one clear
    // error rather than one per target.
    let scratch = goflake_fs::private_tempdir("goflake-go.")?;
    let output =
        crate::process::output(toolchain.command(scratch.path()).args(["env", "GOVERSION"]))?;
    if !output.status.success() {
        return Err(GoError::Failed {
            command: format!("env GOVERSION (GOTOOLCHAIN={})", toolchain.gotoolchain),
            dir: scratch.path().to_path_buf(),
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(toolchain)
}

fn go_env(go: &Path, name: &str) -> Result<String, GoError> {
    let output = crate::process::output(
        Command::new(go)
            .env("GOTOOLCHAIN", "local")
            .args(["env", name]),
    )?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The host's GOOS/GOARCH.
pub fn host_platform(go: &Path) -> Result<Target, GoError> {
    Ok(Target::new(
        &go_env(go, "GOHOSTOS")?,
        &go_env(go, "GOHOSTARCH")?,
    ))
}

/// One main package to compile for one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileJob {
    /// The main package's directory relative to the module (`.`, `cmd/x`).
    pub dir: String,
    pub target: Target,
    pub tags: Vec<String>,
}

/// Compiles every job with `go build -o /dev/null` (cgo off, as the flake's cross packages
/// build; the user's build and module caches make re-runs fast), `parallel` at a time.
pub fn compile(
    module_dir: &Path,
    toolchain: &Toolchain,
    jobs: Vec<CompileJob>,
    parallel: usize,
) -> Vec<CompileVerdict> {
    let queue = Mutex::new(jobs.into_iter().collect::<VecDeque<_>>());
    let verdicts = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..parallel.max(1) {
            scope.spawn(|| {
                loop {
                    let Some(job) = queue.lock().expect("not poisoned").pop_front() else {
                        break;
                    };
                    let verdict = compile_one(module_dir, toolchain, &job);
                    verdicts.lock().expect("not poisoned").push(verdict);
                }
            });
        }
    });
    let mut verdicts = verdicts.into_inner().expect("not poisoned");
    verdicts.sort_by(|a, b| (&a.dir, &a.target).cmp(&(&b.dir, &b.target)));
    verdicts
}

fn compile_one(module_dir: &Path, toolchain: &Toolchain, job: &CompileJob) -> CompileVerdict {
    let package = if job.dir == "." {
        ".".to_owned()
    } else {
        format!("./{}", job.dir)
    };
    let mut command = toolchain.command(module_dir);
    command
        .env("GOOS", &job.target.goos)
        .env("GOARCH", &job.target.goarch)
        .env("CGO_ENABLED", "0")
        .args(["build", "-o", "/dev/null"]);
    if !job.tags.is_empty() {
        command.arg(format!("-tags={}", job.tags.join(",")));
    }
    command.arg(&package);
    let (error, fetch_failure) = match crate::process::output(&mut command) {
        Ok(output) if output.status.success() => (None, false),
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            match fetch_error(&stderr) {
                Some(line) => (Some(line), true),
                None => (Some(first_compile_error(&stderr)), false),
            }
        }
        Err(err) => (Some(format!("cannot run go: {err}")), true),
    };
    CompileVerdict {
        dir: job.dir.clone(),
        target: job.target.clone(),
        error,
        fetch_failure,
    }
}

/// The line of `go build`'s output saying a module could not be had (the proxy refused or
/// is off, no network, go.sum lacks it): not the code's fault.
fn fetch_error(stderr: &str) -> Option<String> {
    const SIGNS: &[&str] = &[
        "reading http",
        "reading file://",
        "module lookup disabled",
        "missing go.sum entry",
        "verifying module",
        "dial tcp",
        "no such host",
        "unrecognized import path",
        "no required module provides package",
        "cannot find module providing package",
    ];
    stderr
        .lines()
        .find(|line| SIGNS.iter().any(|sign| line.contains(sign)))
        .map(|line| line.trim().to_owned())
}

/// The first error of `go build`'s output as one line: `package: file.go:LINE:COL: message`
/// (the file named without its module-cache directory).
pub fn first_compile_error(stderr: &str) -> String {
    let mut package: Option<&str> = None;
    for line in stderr.lines() {
        let line = line.trim_end();
        if let Some(name) = line.strip_prefix("# ") {
            package = Some(name);
            continue;
        }
        if line.is_empty() || line.starts_with("go: downloading") {
            continue;
        }
        if let Some((file, rest)) = split_position(line) {
            let file = Path::new(file)
                .file_name()
                .map_or(file.to_owned(), |f| f.to_string_lossy().into_owned());
            return match package {
                Some(package) => format!("{package}: {file}:{rest}"),
                None => format!("{file}:{rest}"),
            };
        }
        // `package x imports y: build constraints exclude all Go files in …` and go's own
        // errors: the line, with its indented continuation.
        let continuation: Vec<&str> = stderr
            .lines()
            .skip_while(|l| l.trim_end() != line)
            .skip(1)
            .take_while(|l| l.starts_with('\t'))
            .map(str::trim)
            .collect();
        return if continuation.is_empty() {
            line.to_owned()
        } else {
            format!("{line} {}", continuation.join(" "))
        };
    }
    "go build failed without a message".to_owned()
}

/// `path/to/file.go:12:3: message` → (`path/to/file.go`, `12:3: message`).
fn split_position(line: &str) -> Option<(&str, &str)> {
    let index = line.find(".go:")?;
    let (file, rest) = line.split_at(index + 3);
    let rest = &rest[1..];
    rest.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
        .then_some((file, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_failures_are_not_compile_errors() {
        let stderr = "error.go:13:2: github.com/x/y@v0.1.0: reading https://proxy.example/github.com/x/y/@v/v0.1.0.zip: 403 Forbidden\n";
        assert!(fetch_error(stderr).is_some());
        assert_eq!(
            fetch_error("# example.com/x\n./main.go:8:29: undefined: platformName\n"),
            None
        );
    }

    #[test]
    fn compiler_errors_become_one_line() {
        let stderr = "# github.com/atotto/clipboard\n../../go/pkg/mod/github.com/atotto/clipboard@v0.1.4/clipboard.go:16:9: undefined: readAll\n../../go/pkg/mod/github.com/atotto/clipboard@v0.1.4/clipboard.go:21:9: undefined: writeAll\n";
        assert_eq!(
            first_compile_error(stderr),
            "github.com/atotto/clipboard: clipboard.go:16:9: undefined: readAll"
        );
        let stderr = "package example.com/x/cmd/y\n\timports example.com/x/internal/z: build constraints exclude all Go files in /src/internal/z\n";
        assert_eq!(
            first_compile_error(stderr),
            "package example.com/x/cmd/y imports example.com/x/internal/z: build constraints exclude all Go files in /src/internal/z"
        );
        assert_eq!(
            first_compile_error(
                "go: go.mod requires go >= 1.27 (running go 1.25.3; GOTOOLCHAIN=go1.25.3)\n"
            ),
            "go: go.mod requires go >= 1.27 (running go 1.25.3; GOTOOLCHAIN=go1.25.3)"
        );
    }
}
