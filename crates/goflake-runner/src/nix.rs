//! Running `nix`: flakes enabled on any version, the fixed-output mismatch loop.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use goflake_nar::Sha256;

#[derive(Debug, thiserror::Error)]
pub enum NixError {
    #[error("`nix` is not on PATH; install Nix (https://nixos.org/download)")]
    Missing,
    #[error("Nix could not evaluate or build:\n{0}")]
    Failed(String),
    #[error(
        "Nix built goModules with the placeholder hash, so it reported no mismatch to read the hash from"
    )]
    NoMismatch,
    #[error("Nix reported a malformed hash: {0}")]
    BadHash(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Nar(#[from] goflake_nar::NarError),
    #[error(transparent)]
    Nul(#[from] goflake_syntax::NulInString),
}

/// A `nix` command with flakes enabled whatever the user's configuration says.
pub fn command(nix: &Path) -> Command {
    let mut command = Command::new(nix);
    command.args(["--extra-experimental-features", "nix-command flakes"]);
    command
}

pub fn find() -> Result<PathBuf, NixError> {
    crate::which("nix").ok_or(NixError::Missing)
}

/// How many times a command that failed only because Nix's store database was busy is run,
/// and the pause before the second run (it grows by as much before each next one).
const STORE_BUSY_ATTEMPTS: u32 = 3;
const STORE_BUSY_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// Whether a failed nix command failed only because its SQLite database was busy. Nix waits
/// for the database almost everywhere, but not everywhere (NixOS/nix#15987, #3794): under
/// contention, from parallel builds or another nix process, a command can die with nothing
/// but this error, and the same command run again succeeds. A build failure, an evaluation
/// error or any other `error:` line makes it a real failure, reported as it is.
pub fn only_store_busy(stderr: &str) -> bool {
    let mut errors = stderr
        .lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with("error:"))
        .peekable();
    errors.peek().is_some()
        && errors.all(|line| line.contains("SQLite database '") && line.contains("' is busy"))
}

/// Runs `attempt` again (after a short pause) while it fails only because the store was busy,
/// at most [`STORE_BUSY_ATTEMPTS`] times; `busy` says whether an outcome is that failure.
fn retry_store_busy<T, E>(
    pause: std::time::Duration,
    busy: impl Fn(&T) -> bool,
    mut attempt: impl FnMut() -> Result<T, E>,
) -> Result<T, E> {
    let mut tries = 1;
    loop {
        let outcome = attempt()?;
        if tries == STORE_BUSY_ATTEMPTS || !busy(&outcome) {
            return Ok(outcome);
        }
        std::thread::sleep(pause * tries);
        tries += 1;
    }
}

/// `command.output()`, run again when it failed only because the store was busy.
pub fn output(command: &mut Command) -> std::io::Result<Output> {
    retry_store_busy(
        STORE_BUSY_PAUSE,
        |output: &Output| {
            !output.status.success()
                && only_store_busy(&strip_ansi(&String::from_utf8_lossy(&output.stderr)))
        },
        || crate::process::output(command),
    )
}

/// The Go releases of a nixpkgs revision, as Nix evaluates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NixpkgsGo {
    /// `go_1_XX` attributes that evaluate: minor → version.
    pub releases: std::collections::BTreeMap<u32, String>,
    /// The minor of `pkgs.go`.
    pub default_minor: Option<u32>,
}

/// Evaluates which `go_1_XX` exist in the nixpkgs a flake.lock node locks (`locked`, its
/// JSON: `{"type":"github","owner":…,"rev":…,"narHash":…}`), and their versions: nixpkgs is
/// fetched by its lock (from the store when present) and imported as `import nixpkgs { }`.
/// Attributes that throw (removed releases kept as errors) are left out.
pub fn nixpkgs_go(locked: &str) -> Result<NixpkgsGo, NixError> {
    let nix = find()?;
    let locked = goflake_syntax::string_literal(locked)?;
    let expr = format!(
        r#"let
  pkgs = import (builtins.fetchTree (builtins.fromJSON {locked})) {{ }};
  version = name: let r = builtins.tryEval (pkgs.${{name}}.version or null); in if r.success then r.value else null;
  names = builtins.filter (n: builtins.match "go_1_[0-9]+" n != null) (builtins.attrNames pkgs);
in
{{ releases = builtins.listToAttrs (map (name: {{ inherit name; value = version name; }}) names); default = version "go"; }}"#
    );
    let output = output(command(&nix).args(["eval", "--json", "--impure", "--expr", &expr]))?;
    if !output.status.success() {
        return Err(NixError::Failed(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| NixError::Failed(format!("nix eval printed no JSON: {e}")))?;
    let minor_of = |version: &str| -> Option<u32> { version.split('.').nth(1)?.parse().ok() };
    let mut releases = std::collections::BTreeMap::new();
    if let Some(attrs) = value["releases"].as_object() {
        for (name, version) in attrs {
            if let (Some(minor), Some(version)) = (
                name.strip_prefix("go_1_").and_then(|m| m.parse().ok()),
                version.as_str(),
            ) {
                releases.insert(minor, version.to_owned());
            }
        }
    }
    Ok(NixpkgsGo {
        releases,
        default_minor: value["default"].as_str().and_then(minor_of),
    })
}

/// How `go_modules_hash_pure` ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PureHash {
    Vendored(crate::go::Vendored),
    /// The flake cannot be evaluated without a vendorHash (goflake's "not computed yet"
    /// error): pure evaluation cannot find a first one.
    NotComputedYet,
}

/// The vendorHash of `packages.<system>.<attr>` in `flake_ref`, by pure evaluation only:
/// its goModules is built as the flake says it (a stale hash fails with Nix's mismatch, which
/// gives the right one), then rebuilt with `--rebuild` (a store holding an old output with
/// the same hash would otherwise pass), and the output's NAR hash is the answer.
/// `extra_args` (`--override-input`, …) go to every nix call.
pub fn go_modules_hash_pure(
    flake_ref: &str,
    attr: &str,
    extra_args: &[String],
) -> Result<PureHash, NixError> {
    use crate::go::Vendored;
    let installable = format!("{flake_ref}#{attr}.goModules");
    for rebuild in [false, true] {
        let mut args = vec![installable.clone()];
        if rebuild {
            args.push("--rebuild".into());
        }
        args.extend_from_slice(extra_args);
        let outcome = build_raw(&args, &mut |_| {})?;
        if outcome.go_modules_refusal.is_some() {
            return Ok(PureHash::Vendored(Vendored::Nothing));
        }
        if outcome.messages.contains("vendorHash is not computed yet") {
            return Ok(PureHash::NotComputedYet);
        }
        match (&outcome.hash_mismatch, outcome.success) {
            (Some(mismatch), _) => return Ok(PureHash::Vendored(Vendored::Hash(mismatch.got))),
            (None, false) => return Err(NixError::Failed(outcome.failure_report())),
            (None, true) if rebuild => {
                let (_, out) = outcome
                    .outputs
                    .first()
                    .ok_or_else(|| NixError::Failed("nix build printed no output path".into()))?;
                let hash = goflake_nar::nar_hash(out)?;
                return Ok(PureHash::Vendored(Vendored::Hash(hash)));
            }
            (None, true) => {}
        }
    }
    unreachable!("the second round always returns")
}

/// Builds only `packages.<system>.<attr>.goModules` of the flake in `flake_dir` with an empty
/// vendorHash (an expression over the flake: the user's file is not touched) and returns the
/// hash Nix reports, or `Vendored::Nothing` when goModules finds nothing to vendor (or a
/// committed vendor/): `vendorHash = null`. `extra_args` go to nix as given.
pub fn go_modules_hash(
    flake_ref: &str,
    attr: &str,
    extra_args: &[String],
) -> Result<crate::go::Vendored, NixError> {
    let expression = format!(
        "let flake = builtins.getFlake {}; package = flake.packages.${{builtins.currentSystem}}.{}; in (package.overrideAttrs {{ vendorHash = \"\"; }}).goModules",
        goflake_syntax::string_literal(flake_ref)?,
        goflake_syntax::AttrPath::new(vec![attr.to_owned()])
    );
    let mut args = vec!["--impure".to_owned(), "--expr".to_owned(), expression];
    args.extend_from_slice(extra_args);
    let outcome = build_raw(&args, &mut |_| {})?;
    // module.nix's goModules exits 10 when vendorHash must be null.
    if outcome.go_modules_refusal.is_some() {
        return Ok(crate::go::Vendored::Nothing);
    }
    match outcome.hash_mismatch {
        // An empty hash is the placeholder Nix reports as specified.
        Some(mismatch) if mismatch.specified == Sha256([0; 32]) => {
            Ok(crate::go::Vendored::Hash(mismatch.got))
        }
        Some(mismatch) => Err(NixError::Failed(format!(
            "Nix reported a mismatch for {} with {} specified, not the empty hash goflake gave it",
            mismatch.drv,
            mismatch.specified.sri()
        ))),
        None if outcome.success => Err(NixError::NoMismatch),
        None => Err(NixError::Failed(outcome.failure_report())),
    }
}

/// What a running `nix build` reports, one event at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildEvent {
    /// Nix started building this derivation; its builder may still wait for a build slot
    /// (`max-jobs`).
    Started { drv: String },
    /// The derivation's builder is running: its first log line or phase arrived.
    Running { drv: String },
    /// Nix finished with this derivation (successfully, unless a Failed event named it).
    /// `last_log`: when its builder printed its last line. Nix 2.8 reports a dependency's
    /// stop only when the whole build ends; the last line is when its builder did.
    Stopped {
        drv: String,
        last_log: Option<std::time::Instant>,
    },
    /// Nix reported this derivation's build as failed.
    Failed { drv: String },
}

/// The result of a `nix build --json` run.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    pub success: bool,
    /// (derivation path, `out` path) of every installable that was built.
    pub outputs: Vec<(String, PathBuf)>,
    /// Nix's messages (errors and warnings), as it would print them.
    pub messages: String,
    /// The last lines of each derivation's build log (the compiler's errors of a failed
    /// build), by derivation path.
    pub log_tails: std::collections::BTreeMap<String, Vec<String>>,
    /// A fixed-output derivation whose output did not have the hash it declares (a stale
    /// vendorHash), as Nix reported it.
    pub hash_mismatch: Option<HashMismatch>,
    /// nixpkgs' goModules refused to run: vendorHash must be null.
    pub go_modules_refusal: Option<GoModulesRefusal>,
}

impl BuildOutcome {
    /// Nix's messages, then the end of each build log (with internal-json, Nix's failure
    /// message does not repeat the log, as its plain output does), as Nix would show them.
    pub fn failure_report(&self) -> String {
        let mut report = self.messages.trim_end().to_owned();
        for (drv, lines) in &self.log_tails {
            report.push_str(&format!("\nlast lines of the build log of {drv}:"));
            for line in lines {
                report.push_str("\n  > ");
                report.push_str(line);
            }
        }
        report
    }
}

/// Nix's `hash mismatch in fixed-output derivation '…drv'`, with the hash the derivation
/// declares and the one it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashMismatch {
    pub drv: String,
    pub specified: Sha256,
    pub got: Sha256,
}

/// Why nixpkgs' goModules stops with exit code 10 (module.nix): there is nothing to vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoModulesRefusal {
    /// "vendor folder is empty": the project has no dependencies.
    NoDependencies,
    /// "vendor folder exists": vendor/ is committed, and the build uses it.
    VendorCommitted,
}

impl GoModulesRefusal {
    /// module.nix's message in a goModules build log, if any.
    pub fn find(log: &str) -> Option<GoModulesRefusal> {
        if log.contains("vendor folder is empty") {
            Some(GoModulesRefusal::NoDependencies)
        } else if log.contains("vendor folder exists") {
            Some(GoModulesRefusal::VendorCommitted)
        } else {
            None
        }
    }
}

/// One message Nix itself printed: an `@nix {"action":"msg"}` event of `--log-format
/// internal-json`. A builder's output arrives as other events (and inside a failure's own
/// message only as its log tail), so what is read from a message is Nix's word, never a
/// line a build printed. This is the one place goflake reads Nix's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NixMessage {
    /// 0 is an error, 1 a warning.
    pub level: u64,
    /// The message as Nix prints it (`error: …`), without colours.
    pub text: String,
    /// The message without its `error:` or `warning:` prefix (Nix's `raw_msg`).
    pub raw: String,
}

impl NixMessage {
    fn from_event(event: &serde_json::Value) -> NixMessage {
        let text = strip_ansi(event["msg"].as_str().unwrap_or_default());
        let raw = match event["raw_msg"].as_str() {
            Some(raw) => strip_ansi(raw),
            None => text
                .strip_prefix("error: ")
                .or_else(|| text.strip_prefix("warning: "))
                .unwrap_or(&text)
                .to_owned(),
        };
        NixMessage {
            level: event["level"].as_u64().unwrap_or(u64::MAX),
            text,
            raw,
        }
    }

    fn is_error(&self) -> bool {
        self.level == 0
    }

    /// The derivation a build failure names, and whether its builder exited with `code`:
    /// `builder for '…drv' failed with exit code N` (Nix 2.8, Lix), `Cannot build '…drv'.
    /// Reason: builder failed with exit code N.` (current Nix).
    fn failed_build(&self) -> Option<(String, Option<i32>)> {
        if !self.is_error()
            || !(self.raw.starts_with("builder for ") || self.raw.starts_with("Cannot build "))
        {
            return None;
        }
        let drv = drv_in(self.raw.lines().next()?)?;
        let code = self.raw.split("exit code ").nth(1).and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        });
        Some((drv, code))
    }
}

impl HashMismatch {
    /// The mismatch a message of Nix's reports: an error that begins `hash mismatch in
    /// fixed-output derivation '…drv':`, followed by its `specified:` and `got:` lines (any
    /// Nix or Lix wording; Lix adds `likely URL:` and the paths). Both hashes must parse.
    pub fn from_message(message: &NixMessage) -> Option<HashMismatch> {
        if !message.is_error() {
            return None;
        }
        let mut lines = message.raw.lines();
        let first = lines.next()?;
        let drv = drv_in(first.strip_prefix("hash mismatch in fixed-output derivation ")?)?;
        let mut specified = None;
        let mut got = None;
        for line in lines {
            let line = line.trim();
            let value = |label: &str| {
                line.strip_prefix(label)
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|v| Sha256::parse(v).ok())
            };
            if let Some(hash) = value("specified:") {
                specified = Some(hash);
            } else if let Some(hash) = value("got:") {
                got = Some(hash);
            }
        }
        Some(HashMismatch {
            drv,
            specified: specified?,
            got: got?,
        })
    }
}

/// How many lines of a build log are kept for a failure report.
pub const LOG_TAIL_LINES: usize = 25;

/// The `.drv` path in a message like `builder for '/nix/store/…drv' failed` or `Cannot
/// build '…drv'.` — in whatever store directory this Nix uses (`NIX_STORE_DIR`, a chroot
/// store), and in any of the quotes Nix, older Nix (‘…’) and Lix (`…`) put around it.
fn drv_in(text: &str) -> Option<String> {
    let is_boundary = |c: char| c.is_whitespace() || matches!(c, '\'' | '‘' | '’' | '`' | '"');
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find(".drv") {
        let end = search_from + found + ".drv".len();
        let start = text[..end].rfind(is_boundary).map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
        let path = &text[start..end];
        let ends_path = text[end..].chars().next().is_none_or(is_boundary_after);
        if path.starts_with('/') && path.len() > ".drv".len() + 1 && ends_path {
            return Some(path.to_owned());
        }
        search_from = end;
    }
    None
}

fn is_boundary_after(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\'' | '‘' | '’' | '`' | '"' | '.' | ':' | '^' | ',')
}

/// Runs `nix build --json --no-link --log-format internal-json` on `installables` and reports
/// progress through `on_event` as Nix streams it.
pub fn build(
    installables: &[String],
    extra_args: &[String],
    rebuild: bool,
    mut on_event: impl FnMut(BuildEvent),
) -> Result<BuildOutcome, NixError> {
    let mut args = Vec::new();
    if rebuild {
        args.push("--rebuild".to_owned());
    }
    args.extend_from_slice(installables);
    args.extend_from_slice(extra_args);
    build_raw(&args, &mut on_event)
}

/// `nix build --json --no-link --log-format internal-json ARGS`, run again while it fails
/// only because the store was busy.
fn build_raw(
    args: &[String],
    on_event: &mut impl FnMut(BuildEvent),
) -> Result<BuildOutcome, NixError> {
    let nix = find()?;
    let mut cmd = command(&nix);
    cmd.args([
        "build",
        "--json",
        "--no-link",
        "--log-format",
        "internal-json",
    ]);
    cmd.args(args);
    retry_store_busy(
        STORE_BUSY_PAUSE,
        |outcome: &BuildOutcome| !outcome.success && only_store_busy(&outcome.messages),
        || build_once(&mut cmd, on_event),
    )
}

fn build_once(
    cmd: &mut Command,
    on_event: &mut impl FnMut(BuildEvent),
) -> Result<BuildOutcome, NixError> {
    use std::collections::HashMap;
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;

    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = crate::process::spawn(cmd)?;
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let stderr = child.stderr.take().expect("piped");
    let mut builds: HashMap<u64, String> = HashMap::new();
    // When each running build last printed; its first entry is when its builder started.
    let mut last_log: HashMap<u64, std::time::Instant> = HashMap::new();
    let mut log_tails: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut messages = String::new();
    let mut nix_messages: Vec<NixMessage> = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        let Some(json) = line.strip_prefix("@nix ") else {
            messages.push_str(&line);
            messages.push('\n');
            continue;
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
            continue;
        };
        match value["action"].as_str() {
            // actBuild = 105: fields[0] is the derivation.
            Some("start") if value["type"] == 105 => {
                if let (Some(id), Some(drv)) = (value["id"].as_u64(), value["fields"][0].as_str()) {
                    builds.insert(id, drv.to_owned());
                    on_event(BuildEvent::Started {
                        drv: drv.to_owned(),
                    });
                }
            }
            Some("stop") => {
                if let Some(id) = value["id"].as_u64()
                    && let Some(drv) = builds.remove(&id)
                {
                    on_event(BuildEvent::Stopped {
                        drv,
                        last_log: last_log.remove(&id),
                    });
                }
            }
            // resBuildLogLine = 101, resSetPhase = 104: the builder runs.
            Some("result") if value["type"] == 101 || value["type"] == 104 => {
                let Some((id, drv)) = value["id"]
                    .as_u64()
                    .and_then(|id| builds.get_key_value(&id))
                else {
                    continue;
                };
                if last_log.insert(*id, std::time::Instant::now()).is_none() {
                    on_event(BuildEvent::Running { drv: drv.clone() });
                }
                if value["type"] == 101
                    && let Some(text) = value["fields"][0].as_str()
                {
                    let tail = log_tails.entry(drv.clone()).or_default();
                    if tail.len() == LOG_TAIL_LINES {
                        tail.remove(0);
                    }
                    tail.push(strip_ansi(text));
                }
            }
            Some("msg") => {
                let message = NixMessage::from_event(&value);
                let failed = message
                    .failed_build()
                    .map(|(drv, _)| drv)
                    .or_else(|| HashMismatch::from_message(&message).map(|mismatch| mismatch.drv));
                if let Some(drv) = failed {
                    on_event(BuildEvent::Failed { drv });
                }
                messages.push_str(&message.text);
                messages.push('\n');
                nix_messages.push(message);
            }
            _ => {}
        }
    }
    let status = child.wait();
    crate::process::forget(child.id());
    let status = status?;
    let stdout = reader.join().unwrap_or_default();
    let mut outputs = Vec::new();
    if let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(&stdout)
    {
        for item in items {
            if let (Some(drv), Some(out)) =
                (item["drvPath"].as_str(), item["outputs"]["out"].as_str())
            {
                outputs.push((drv.to_owned(), PathBuf::from(out)));
            }
        }
    }
    let messages = strip_ansi(&messages);
    // goModules refuses with exit code 10 and its message in the build log; a message
    // elsewhere (another build's log, an evaluation trace) is not the refusal.
    let go_modules_refusal = nix_messages.iter().find_map(|message| {
        let (drv, code) = message.failed_build()?;
        if code != Some(10) || !drv.ends_with("-go-modules.drv") {
            return None;
        }
        let log = log_tails
            .get(&drv)
            .map(|lines| lines.join("\n"))
            .unwrap_or_default();
        GoModulesRefusal::find(&log).or_else(|| GoModulesRefusal::find(&message.raw))
    });
    Ok(BuildOutcome {
        success: status.success(),
        outputs,
        hash_mismatch: nix_messages.iter().find_map(HashMismatch::from_message),
        go_modules_refusal,
        messages,
        log_tails,
    })
}

/// Nix colours its messages; goflake prints them in its own output.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `nix --version` as (major, minor).
pub fn version() -> Result<(u32, u32), NixError> {
    let nix = find()?;
    let output = crate::process::output(Command::new(nix).arg("--version"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.split_whitespace().last().unwrap_or("");
    let mut parts = version.split('.');
    let major = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Ok((major, minor))
}

/// Runs a nix subcommand with the terminal (for `nix run`, `nix flake check`); returns
/// whether it succeeded and, when `capture_stderr`, what it printed there.
pub fn run_passthrough(args: &[String], capture_stderr: bool) -> Result<(bool, String), NixError> {
    let nix = find()?;
    let mut cmd = command(&nix);
    cmd.args(args);
    if capture_stderr {
        let output = output(&mut cmd)?;
        return Ok((
            output.status.success(),
            strip_ansi(&String::from_utf8_lossy(&output.stderr)),
        ));
    }
    let status = crate::process::status(&mut cmd)?;
    Ok((status.success(), String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error message event as `--log-format internal-json` prints it (`raw_msg` only
    /// when `raw` is given: older Nix sends `msg` alone).
    fn error_event(msg: &str, raw: Option<&str>) -> NixMessage {
        let mut event = serde_json::json!({ "action": "msg", "level": 0, "msg": msg });
        if let Some(raw) = raw {
            event["raw_msg"] = raw.into();
        }
        NixMessage::from_event(&event)
    }

    #[test]
    fn hash_mismatches_in_every_wording() {
        let sri = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let specified = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        let drv = "/nix/store/abc-demo-0.1.0-go-modules.drv";
        // Nix 2.8 and current Nix (colours included, as they send them), Lix.
        let nix = format!(
            "\u{1b}[35;1m\u{1b}[0mhash mismatch in fixed-output derivation '\u{1b}[35;1m{drv}\u{1b}[0m':\n  specified: \u{1b}[35;1m{specified}\u{1b}[0m\n     got:    \u{1b}[35;1m{sri}\u{1b}[0m\u{1b}[0m"
        );
        let lix = format!(
            "hash mismatch in fixed-output derivation `{drv}':\n  likely URL: (unknown)\n     specified: {specified}\n           got: {sri}\n expected path: /nix/store/a\n      got path: /nix/store/b"
        );
        let expected = HashMismatch {
            drv: drv.to_owned(),
            specified: Sha256::parse(specified).unwrap(),
            got: Sha256::parse(sri).unwrap(),
        };
        for raw in [&nix, &lix] {
            for message in [
                error_event(&format!("\u{1b}[31;1merror:\u{1b}[0m {raw}"), Some(raw)),
                error_event(&format!("error: {raw}"), None),
            ] {
                assert_eq!(
                    HashMismatch::from_message(&message),
                    Some(expected.clone()),
                    "{raw}"
                );
            }
        }
        // Both hashes are needed, and both must parse.
        let no_specified =
            format!("hash mismatch in fixed-output derivation '{drv}':\n  got: {sri}");
        let bad_got = format!(
            "hash mismatch in fixed-output derivation '{drv}':\n  specified: {specified}\n  got: sha256-bad"
        );
        for raw in [no_specified, bad_got] {
            assert_eq!(
                HashMismatch::from_message(&error_event(&raw, Some(&raw))),
                None,
                "{raw}"
            );
        }
    }

    /// What a build prints is never taken for Nix's report: a builder's log tail inside a
    /// failure message, an evaluation trace, a warning.
    #[test]
    fn a_mismatch_is_read_only_from_nixs_own_report() {
        let forged = "hash mismatch in fixed-output derivation '/nix/store/x-go-modules.drv':\n  specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n  got: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let tail: String = forged.lines().map(|l| format!("\n       > {l}")).collect();
        let failure = format!(
            "builder for '/nix/store/x-go-modules.drv' failed with exit code 1;\n       last 3 log lines:{tail}"
        );
        assert_eq!(
            HashMismatch::from_message(&error_event(&failure, Some(&failure))),
            None
        );
        let trace = format!("trace: {forged}");
        assert_eq!(
            HashMismatch::from_message(&error_event(&trace, Some(&trace))),
            None
        );
        let warning = NixMessage::from_event(&serde_json::json!({
            "action": "msg", "level": 1, "msg": format!("warning: {forged}")
        }));
        assert_eq!(HashMismatch::from_message(&warning), None);
    }

    #[test]
    fn failed_builds_and_their_exit_codes() {
        let nix28 = error_event(
            "error: builder for '/nix/store/a-x-go-modules.drv' failed with exit code 10",
            Some("builder for '/nix/store/a-x-go-modules.drv' failed with exit code 10"),
        );
        let current = "Cannot build '/s/b-x-go-modules.drv'.\nReason: builder failed with exit code 10.\nOutput paths:\n  /s/b-x-go-modules";
        let current = error_event(&format!("error: {current}"), Some(current));
        assert_eq!(
            nix28.failed_build(),
            Some(("/nix/store/a-x-go-modules.drv".to_owned(), Some(10)))
        );
        assert_eq!(
            current.failed_build(),
            Some(("/s/b-x-go-modules.drv".to_owned(), Some(10)))
        );
        let dependency = error_event(
            "error: Cannot build '/s/c.drv'.\nReason: 1 dependency failed.",
            None,
        );
        assert_eq!(
            dependency.failed_build(),
            Some(("/s/c.drv".to_owned(), None))
        );
    }

    #[test]
    fn go_modules_refusals() {
        assert_eq!(
            GoModulesRefusal::find("vendor folder is empty, please set 'vendorHash = null;'"),
            Some(GoModulesRefusal::NoDependencies)
        );
        assert_eq!(
            GoModulesRefusal::find("vendor folder exists, please set 'vendorHash = null;'"),
            Some(GoModulesRefusal::VendorCommitted)
        );
        assert_eq!(
            GoModulesRefusal::find("go: downloading example.com/x"),
            None
        );
    }

    #[test]
    fn derivations_in_messages() {
        assert_eq!(
            drv_in("error: builder for '/nix/store/abc-x-1.0.drv' failed with exit code 1")
                .as_deref(),
            Some("/nix/store/abc-x-1.0.drv")
        );
        // Another store directory (a private prefix, as the suite's current Nix uses), and
        // the quotes of older Nix and Lix.
        for message in [
            "error: Cannot build '/work/nix/store/abc-x-1.0.drv'.",
            "builder for ‘/work/nix/store/abc-x-1.0.drv’ failed",
            "error: builder for `/work/nix/store/abc-x-1.0.drv` failed",
            "error: build of '/work/nix/store/abc-x-1.0.drv^out' failed",
        ] {
            assert_eq!(
                drv_in(message).as_deref(),
                Some("/work/nix/store/abc-x-1.0.drv"),
                "{message}"
            );
        }
        assert_eq!(drv_in("no store path here"), None);
        assert_eq!(drv_in("a file named x.drv.txt in '/src/x.drvish'"), None);
        assert_eq!(strip_ansi("\u{1b}[31;1merror:\u{1b}[0m x"), "error: x");
    }

    #[test]
    fn only_a_busy_store_is_worth_running_again() {
        let busy = "error: SQLite database '/nix/var/nix/db/db.sqlite' is busy";
        assert!(only_store_busy(busy));
        assert!(only_store_busy(
            "warning: Git tree is dirty\nerror: SQLite database '/s/db.sqlite' is busy (SQLITE_PROTOCOL)\n"
        ));
        // Nix's own retries print this as a warning; the command goes on.
        assert!(!only_store_busy(
            "warning: error: SQLite database '/s/db.sqlite' is busy"
        ));
        assert!(!only_store_busy(""));
        assert!(!only_store_busy(&format!(
            "{busy}\nerror: builder for '/nix/store/abc-x.drv' failed with exit code 1"
        )));
        assert!(!only_store_busy(
            "error: attribute 'x' missing\n       at /src/flake.nix:3:5"
        ));
    }

    #[test]
    fn a_busy_store_is_tried_again_a_few_times_and_nothing_else_is() {
        let pause = std::time::Duration::ZERO;
        let runs = |outcomes: &[bool]| {
            let mut calls = 0;
            let last = retry_store_busy(
                pause,
                |busy: &bool| *busy,
                || {
                    calls += 1;
                    Ok::<bool, ()>(outcomes[calls - 1])
                },
            )
            .unwrap();
            (calls, last)
        };
        assert_eq!(runs(&[true, false]), (2, false));
        assert_eq!(runs(&[false]), (1, false));
        assert_eq!(runs(&[true, true, true]), (3, true));
        let failed = retry_store_busy(pause, |_: &bool| true, || Err::<bool, &str>("no nix"));
        assert_eq!(failed, Err("no nix"));
    }
}
