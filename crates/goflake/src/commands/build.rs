//! `goflake build`: every requested target in one `nix build`, with progress, a table,
//! header checks, hash repair, and the release copied into dist/.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use goflake_gomod::Target;
use goflake_runner::nix::{BuildEvent, BuildOutcome, GoModulesRefusal};
use serde::Serialize;

use crate::config::BuildConfig;
use crate::failure::Failure;
use crate::flake::{self, FlakeInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum State {
    Waiting,
    DownloadingModules,
    Building,
    Done,
    Cached,
    Failed,
}

impl State {
    fn word(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::DownloadingModules => "downloading modules",
            State::Building => "building",
            State::Done => "done",
            State::Cached => "cached",
            State::Failed => "failed",
        }
    }
}

struct Row {
    target: String,
    attr: String,
    /// The derivation Nix built (or failed to build) for this target.
    drv: Option<String>,
    state: State,
    /// When Nix took up the target's first derivation (its builder may wait for a slot).
    queued: Option<Instant>,
    /// When the builder of its first derivation (dependency cache or package) began to run.
    running: Option<Instant>,
    /// When its package's builder printed its last line.
    ended: Option<Instant>,
    /// Its own build: from its builder's first line until its package's last.
    took: Option<Duration>,
    bar: Option<indicatif::ProgressBar>,
}

impl Row {
    /// From the start of the run until its builder ran: evaluation, goModules, other
    /// targets' builds.
    fn waited(&self, began: Instant) -> Option<Duration> {
        self.running.map(|running| running - began)
    }
}

#[derive(Serialize)]
struct TargetReport {
    target: String,
    status: State,
    /// The target's own build time.
    seconds: Option<f64>,
    /// How long the target waited before its build began (evaluation, goModules, a build
    /// slot).
    waited_seconds: Option<f64>,
    size: Option<u64>,
    store_path: Option<String>,
    artifacts: Vec<String>,
    /// For a failed target: the end of its build log (the compiler's errors).
    error: Option<String>,
    /// For a failed target: the command that prints its whole log.
    log_command: Option<String>,
}

#[derive(Serialize)]
struct Report {
    targets: Vec<TargetReport>,
    dist: Option<String>,
    /// Why dist/ was not written, when it was not.
    dist_skipped: Option<String>,
    reproducible: Option<BTreeMap<String, bool>>,
}

/// How progress is shown: bars on a terminal, plain lines otherwise, nothing with --quiet.
enum Display {
    Bars(indicatif::MultiProgress),
    Lines,
    Silent,
}

struct Progress {
    rows: Vec<Row>,
    display: Display,
    began: Instant,
}

impl Progress {
    fn new(info: &FlakeInfo, targets: &[Target], display: Display) -> Progress {
        let rows = targets
            .iter()
            .map(|target| {
                let bar = match &display {
                    Display::Bars(multi) => {
                        let bar = multi.add(indicatif::ProgressBar::new_spinner());
                        bar.set_style(
                            indicatif::ProgressStyle::with_template(
                                "{spinner:.cyan} {prefix:<16.bold} {msg} {elapsed}",
                            )
                            .expect("a valid template"),
                        );
                        bar.set_prefix(target.to_string());
                        bar.set_message("waiting");
                        bar.enable_steady_tick(Duration::from_millis(120));
                        Some(bar)
                    }
                    _ => None,
                };
                Row {
                    target: target.to_string(),
                    attr: info.attr(target),
                    drv: None,
                    state: State::Waiting,
                    queued: None,
                    running: None,
                    ended: None,
                    took: None,
                    bar,
                }
            })
            .collect();
        Progress {
            rows,
            display,
            began: Instant::now(),
        }
    }

    /// Moves a row to `state`; a build's times are taken here, when it starts and ends.
    fn set(&mut self, index: usize, state: State) {
        let row = &mut self.rows[index];
        if row.state == state {
            return;
        }
        let now = Instant::now();
        if state == State::Building && row.running.is_none() {
            row.running = Some(now);
        }
        if matches!(state, State::Done | State::Failed) {
            let end = row.ended.unwrap_or(now);
            row.took = row
                .running
                .or(row.queued)
                .map(|since| end.saturating_duration_since(since));
        }
        row.state = state;
        let seconds = |d: Option<Duration>| d.map(|d| format!("{:.1}s", d.as_secs_f64()));
        match (&self.display, &row.bar) {
            (Display::Bars(_), Some(bar)) => {
                let word = console::style(state.word());
                bar.set_message(
                    match state {
                        State::Done => word.green(),
                        State::Failed => word.red().bold(),
                        State::Building | State::DownloadingModules => word.yellow(),
                        State::Waiting | State::Cached => word.dim(),
                    }
                    .for_stderr()
                    .to_string(),
                );
                if state == State::Building {
                    // The bar's clock shows the target's own build from here on.
                    bar.reset_elapsed();
                }
                if matches!(state, State::Done | State::Failed) {
                    bar.finish();
                }
            }
            (Display::Lines, _) => {
                let detail = match state {
                    State::Building => {
                        seconds(row.waited(self.began)).map(|w| format!(" (after {w} waiting)"))
                    }
                    State::Done | State::Failed => seconds(row.took).map(|t| format!(" ({t})")),
                    _ => None,
                };
                eprintln!(
                    "[{}] {}{}",
                    row.target,
                    state.word(),
                    detail.unwrap_or_default()
                );
            }
            _ => {}
        }
    }

    /// The row a derivation belongs to: `/nix/store/<hash>-<pname>-<goos>-<goarch>-<version>.drv`
    /// (the package) or `…-<goos>-<goarch>-deps-cache.drv` (its dependency cache).
    fn row_of(&self, drv: &str) -> Option<usize> {
        let name = drv_name(drv);
        self.rows
            .iter()
            .position(|row| name.starts_with(&format!("{}-", row.attr)))
    }

    fn event(&mut self, event: BuildEvent) {
        match event {
            BuildEvent::Started { drv } if drv.ends_with("-go-modules.drv") => {
                for index in 0..self.rows.len() {
                    if self.rows[index].state == State::Waiting {
                        self.set(index, State::DownloadingModules);
                    }
                }
            }
            BuildEvent::Started { drv } => {
                if let Some(index) = self.row_of(&drv) {
                    let row = &mut self.rows[index];
                    row.queued.get_or_insert_with(Instant::now);
                    if !is_deps_cache(&drv) {
                        row.drv = Some(drv);
                    }
                }
            }
            BuildEvent::Running { drv } => {
                if let Some(index) = self.row_of(&drv) {
                    self.set(index, State::Building);
                }
            }
            // A target is done when its package is, not its dependency cache.
            BuildEvent::Stopped { drv, last_log } => {
                if let Some(index) = self.row_of(&drv)
                    && !is_deps_cache(&drv)
                    && self.rows[index].state != State::Failed
                {
                    self.rows[index].ended = last_log;
                    self.set(index, State::Done);
                }
            }
            BuildEvent::Failed { drv } => {
                if drv.ends_with("-go-modules.drv") {
                    for index in 0..self.rows.len() {
                        if self.rows[index].state != State::Done {
                            self.set(index, State::Failed);
                        }
                    }
                } else if let Some(index) = self.row_of(&drv) {
                    self.rows[index].drv = Some(drv);
                    self.set(index, State::Failed);
                }
            }
        }
    }
}

fn is_deps_cache(drv: &str) -> bool {
    drv_name(drv).ends_with("-deps-cache")
}

fn drv_name(drv: &str) -> &str {
    let file = drv.rsplit('/').next().unwrap_or(drv);
    let file = file.strip_suffix(".drv").unwrap_or(file);
    file.split_once('-').map_or(file, |(_, name)| name)
}

/// Every file below `dir` (a target's bin/ may hold an unflattened GOOS_GOARCH directory).
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

pub fn run(config: &BuildConfig) -> Result<()> {
    let info = flake::read(&config.dir)?;
    // --out is relative to the flake (--dir), like the dist/ its source filter leaves out.
    // Checked first: a mistaken --out is refused before anything runs.
    let out = info.dir.join(&config.out);
    goflake_artifacts::check_out_dir(&out, &info.dir)?;
    let (major, minor) = goflake_runner::nix::version()?;
    if (major, minor) < (2, 4) {
        return Err(Failure::problem(format!(
            "Nix {major}.{minor} has no flakes; goflake needs Nix 2.4 or newer"
        )));
    }
    let targets: Vec<Target> = if config.targets.is_empty() {
        info.targets.clone()
    } else {
        for target in &config.targets {
            if !info.targets.contains(target) {
                return Err(Failure::problem(format!(
                    "`{target}` is not a target of this flake (its targets: {}); add it with `goflake targets add {target}`",
                    info.targets
                        .iter()
                        .map(Target::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                )));
            }
        }
        config.targets.clone()
    };
    let all = targets.len() == info.targets.len();
    let flake_ref = info.flake_ref(config.use_path)?;
    let mut installables: Vec<String> = targets
        .iter()
        .map(|t| format!("{flake_ref}#{}", info.attr(t)))
        .collect();
    if all {
        installables.push(format!("{flake_ref}#release"));
    }
    let mut nix_args = config.nix_args.clone();
    // One failing target must not stop the others: every target gets its own result.
    if !nix_args.iter().any(|a| a == "--keep-going" || a == "-k") {
        nix_args.push("--keep-going".to_owned());
    }
    // Nix builds one derivation at a time unless told otherwise (max-jobs defaults to 1).
    let jobs_given = nix_args.iter().any(|a| a == "--max-jobs" || a == "-j");
    match config.jobs {
        Some(jobs) => nix_args.extend(["--max-jobs".to_owned(), jobs.to_string()]),
        None if !jobs_given => nix_args.extend(["--max-jobs".to_owned(), "auto".to_owned()]),
        None => {}
    }
    let (terminal, fix_hash) = (config.terminal, config.fix_hash);
    let display = || {
        if config.quiet || config.json {
            Display::Silent
        } else if terminal {
            Display::Bars(indicatif::MultiProgress::new())
        } else {
            Display::Lines
        }
    };

    let mut progress = Progress::new(&info, &targets, display());
    let mut outcome =
        goflake_runner::nix::build(&installables, &nix_args, false, |e| progress.event(e))?;
    if !outcome.success
        && let Some(repair) = vendor_hash_repair(&outcome)
    {
        let shown = repair.value.map_or_else(|| "null".to_owned(), |h| h.sri());
        if !fix_hash {
            return Err(Failure::problem(format!(
                "{}: vendorHash must be {shown}. Run `goflake build --fix-hash` or `goflake vendor-hash --write`.",
                repair.why
            )));
        }
        eprintln!(
            "{}: writing vendorHash = {shown} and building again",
            repair.why
        );
        crate::vendor_site::locate(&info.dir, None, None)?.write(repair.value)?;
        progress = Progress::new(&info, &targets, display());
        outcome =
            goflake_runner::nix::build(&installables, &nix_args, false, |e| progress.event(e))?;
    }
    let failed: Vec<usize> = (0..progress.rows.len())
        .filter(|&i| progress.rows[i].state == State::Failed)
        .collect();
    if !outcome.success && failed.is_empty() {
        // Nothing was built: an evaluation error, a missing attribute, a broken flake.
        let errors: String = outcome
            .messages
            .lines()
            .filter(|l| {
                !l.starts_with("warning: not writing modified lock file")
                    && !l.starts_with("• Added input")
                    && !l.trim_start().starts_with("'path:")
            })
            .map(|l| format!("{l}\n"))
            .collect();
        return Err(Failure::after(errors, "the build failed"));
    }
    if !outcome.success {
        // With --keep-going, Nix prints no outputs when anything failed: ask again for the
        // targets that built (they are in the store now, so nothing is rebuilt).
        let built: Vec<String> = targets
            .iter()
            .enumerate()
            .filter(|(i, _)| !failed.contains(i))
            .map(|(_, t)| format!("{flake_ref}#{}", info.attr(t)))
            .collect();
        if !built.is_empty()
            && let Ok(again) = goflake_runner::nix::build(&built, &nix_args, false, |_| {})
        {
            outcome.outputs = again.outputs;
        }
    }

    let reports = target_reports(&info, &targets, &mut progress, &outcome)?;
    let release = outcome
        .outputs
        .iter()
        .find(|(drv, _)| drv_name(drv).ends_with("-release"))
        .map(|(_, out)| out);
    let dist = match release {
        Some(release) if all && failed.is_empty() => {
            write_dist(release, &out)?;
            Some(config.out.display().to_string())
        }
        _ => None,
    };
    let report = Report {
        targets: reports,
        dist,
        dist_skipped: (!failed.is_empty()).then(|| {
            format!(
                "{} was not written: a release needs every target (fix the failed ones, or remove them with `goflake targets remove`)",
                out.display()
            )
        }),
        reproducible: if config.reproducible && failed.is_empty() {
            Some(reproducible(&info, &targets, &installables, &nix_args)?)
        } else {
            None
        },
    };
    if config.json {
        super::print_json(&report)?;
    } else if !config.quiet {
        print_failures(&report);
        print_table(&report)?;
    }
    if failed.is_empty() {
        Ok(())
    } else {
        let names: Vec<String> = failed.iter().map(|&i| targets[i].to_string()).collect();
        Err(Failure::problem(format!(
            "{} of {} targets failed: {}{}",
            failed.len(),
            targets.len(),
            names.join(", "),
            report
                .dist_skipped
                .as_deref()
                .map(|why| format!("; {why}"))
                .unwrap_or_default()
        )))
    }
}

/// What a failed goModules derivation says vendorHash must be, and why.
struct VendorHashRepair {
    /// `None`: null.
    value: Option<goflake_nar::Sha256>,
    why: String,
}

fn vendor_hash_repair(outcome: &BuildOutcome) -> Option<VendorHashRepair> {
    if let Some(mismatch) = &outcome.hash_mismatch
        && mismatch.drv.ends_with("-go-modules.drv")
    {
        return Some(VendorHashRepair {
            why: format!(
                "vendorHash is stale: Nix computed {} for the Go modules",
                mismatch.got.sri()
            ),
            value: Some(mismatch.got),
        });
    }
    let why = match outcome.go_modules_refusal? {
        GoModulesRefusal::NoDependencies => {
            "the project has no dependencies, so there is nothing to vendor (Nix's goModules found none)"
        }
        GoModulesRefusal::VendorCommitted => {
            "vendor/ is committed, so the build uses it and goModules must not run"
        }
    };
    Some(VendorHashRepair {
        value: None,
        why: why.to_owned(),
    })
}

/// The end of a failed target's log: its own derivation's, else (when a derivation it
/// depends on failed, such as goModules) every failed one's.
fn failure_log(row: &Row, outcome: &BuildOutcome) -> (Option<String>, Option<String>) {
    let own = row
        .drv
        .as_ref()
        .and_then(|drv| outcome.log_tails.get(drv).map(|t| (drv, t)));
    let (drv, tail) = match own {
        Some(found) => found,
        None => match outcome
            .log_tails
            .iter()
            .find(|(drv, _)| outcome.messages.contains(drv.as_str()))
        {
            Some(found) => found,
            None => {
                return (
                    Some(nix_error_lines(&outcome.messages)),
                    row.drv.as_ref().map(|d| format!("nix log {d}")),
                );
            }
        },
    };
    // The phase banners (`Running phase: buildPhase`) say nothing about the failure.
    let lines: Vec<&str> = tail
        .iter()
        .map(String::as_str)
        .filter(|l| !is_phase_banner(l))
        .collect();
    (Some(lines.join("\n")), Some(format!("nix log {drv}")))
}

/// `Running phase: buildPhase` (nixpkgs) or `running buildPhase` (the stand-in).
fn is_phase_banner(line: &str) -> bool {
    line.starts_with("Running phase: ") || (line.starts_with("running ") && line.ends_with("Phase"))
}

/// Nix's own error lines, when no build log says more.
fn nix_error_lines(messages: &str) -> String {
    messages
        .lines()
        .filter(|l| l.starts_with("error:") || l.starts_with("       "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn print_failures(report: &Report) {
    for t in report.targets.iter().filter(|t| t.status == State::Failed) {
        eprintln!(
            "error: {} failed to build{}:",
            t.target,
            t.log_command
                .as_deref()
                .map(|c| format!(" (the whole log: `{c}`)"))
                .unwrap_or_default()
        );
        for line in t.error.as_deref().unwrap_or("").lines() {
            eprintln!("  {}", crate::failure::terminal_safe(line));
        }
    }
}

/// One report per target, from what Nix built: its store path, its binaries (each header
/// checked against the target), its timing, and for a failed target the end of its log.
fn target_reports(
    info: &FlakeInfo,
    targets: &[Target],
    progress: &mut Progress,
    outcome: &BuildOutcome,
) -> Result<Vec<TargetReport>> {
    let mut reports = Vec::new();
    for (index, target) in targets.iter().enumerate() {
        let attr = info.attr(target);
        let out = outcome
            .outputs
            .iter()
            .find(|(drv, _)| drv_name(drv).starts_with(&format!("{attr}-")))
            .map(|(_, out)| out.clone());
        if progress.rows[index].state == State::Waiting {
            progress.set(index, State::Cached);
        }
        let artifacts = match &out {
            Some(out) => verified_binaries(out, target)?,
            None => Vec::new(),
        };
        let row = &progress.rows[index];
        let (error, log_command) = if row.state == State::Failed {
            failure_log(row, outcome)
        } else {
            (None, None)
        };
        reports.push(TargetReport {
            target: target.to_string(),
            status: row.state,
            seconds: row.took.map(tenths),
            waited_seconds: row.waited(progress.began).map(tenths),
            size: out.as_deref().map(dir_size),
            store_path: out.map(|o| o.display().to_string()),
            artifacts,
            error,
            log_command,
        });
    }
    Ok(reports)
}

/// The binaries in a target package's `bin/` (not Go's wasm_exec helpers), each checked to
/// be an executable for `target`.
fn verified_binaries(out: &Path, target: &Target) -> Result<Vec<String>> {
    let bin = out.join("bin");
    let mut files = Vec::new();
    files_under(&bin, &mut files);
    files.sort();
    let mut artifacts = Vec::new();
    for file in files {
        let name = file
            .strip_prefix(&bin)
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        if name.starts_with("wasm_exec") {
            continue;
        }
        goflake_artifacts::verify_header(&file, target)?;
        artifacts.push(name);
    }
    if artifacts.is_empty() {
        return Err(Failure::problem(format!(
            "{target}: the package has no binary in {}",
            bin.display()
        )));
    }
    Ok(artifacts)
}

/// Copies the release package's files to `out`, swapped in whole (never half written).
fn write_dist(release: &Path, out: &Path) -> Result<()> {
    let staging = goflake_artifacts::staging_path(out);
    goflake_fs::cleanup::register(&staging);
    // An interrupt waits for the copy and swap, then finds nothing to remove: the staging
    // directory is either swapped in or removed by copy_release itself.
    let copied = {
        let _critical = goflake_fs::cleanup::critical_section();
        let copied = goflake_artifacts::copy_release(release, out);
        goflake_fs::cleanup::forget(&staging);
        copied
    };
    copied?;
    Ok(())
}

/// `--reproducible`: builds the targets again (`nix build --rebuild`) and says, per target,
/// whether the second build was bit for bit the first.
fn reproducible(
    info: &FlakeInfo,
    targets: &[Target],
    installables: &[String],
    nix_args: &[String],
) -> Result<BTreeMap<String, bool>> {
    let rebuilt = goflake_runner::nix::build(installables, nix_args, true, |_| {})?;
    let nondeterministic = |attr: &str| {
        rebuilt
            .messages
            .lines()
            .any(|l| l.contains("may not be deterministic") && l.contains(&format!("-{attr}-")))
    };
    // A rebuild that failed for any other reason says nothing about reproducibility.
    if !rebuilt.success && !targets.iter().any(|t| nondeterministic(&info.attr(t))) {
        return Err(Failure::after(
            rebuilt.messages,
            "the rebuild for --reproducible failed",
        ));
    }
    Ok(targets
        .iter()
        .map(|target| (target.to_string(), !nondeterministic(&info.attr(target))))
        .collect())
}

fn tenths(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 10.0).round() / 10.0
}

/// The table's columns before the store path, and the space between them.
const TABLE_HEAD: usize = 16 + 1 + 8 + 1 + 7 + 1 + 7 + 1 + 10 + 2;

/// The table's lines. On a terminal `width` columns wide, a store path that would wrap is
/// shortened in its hash (`/nix/store/abc…-app-linux-amd64-0.1.0`), so every row stays on
/// one line and the columns line up; the status is coloured where the terminal takes colour.
fn table_lines(report: &Report, width: Option<usize>) -> Vec<String> {
    let mut lines = vec![format!(
        "{:<16} {:<8} {:>7} {:>7} {:>10}  store path",
        "target", "status", "build", "waited", "size"
    )];
    let seconds = |s: Option<f64>| s.map_or("-".to_owned(), |s| format!("{s:.1}s"));
    for t in &report.targets {
        let (word, style) = match t.status {
            State::Cached => ("cached", console::Style::new().dim()),
            State::Failed => ("failed", console::Style::new().red().bold()),
            _ => ("built", console::Style::new().green()),
        };
        // Padded before it is coloured: the escapes take no column.
        let status = style.apply_to(format!("{word:<8}"));
        let path = t.store_path.as_deref().unwrap_or("-");
        let path = match width {
            Some(width) => fit_store_path(path, width.saturating_sub(TABLE_HEAD)),
            None => path.to_owned(),
        };
        lines.push(format!(
            "{:<16} {} {:>7} {:>7} {:>10}  {}",
            t.target,
            status.for_stdout(),
            seconds(t.seconds),
            seconds(t.waited_seconds),
            t.size.map_or("-".to_owned(), human_size),
            path,
        ));
    }
    lines
}

/// `path` in at most `room` characters: the hash is cut first (its first characters and
/// the name stay), then the front of the name.
fn fit_store_path(path: &str, room: usize) -> String {
    let length = path.chars().count();
    if length <= room {
        return path.to_owned();
    }
    let file = path.rsplit('/').next().unwrap_or(path);
    let name = file.split_once('-').map_or(file, |(_, name)| name);
    let head_room = room.saturating_sub(name.chars().count() + 2);
    // Seven characters of the hash, as `git` abbreviates, are worth keeping; less are not.
    let dir_and_hash = path.len() - name.len() - 1;
    if head_room >= path.len() - file.len() + 7 {
        let head: String = path[..dir_and_hash].chars().take(head_room).collect();
        return format!("{head}…-{name}");
    }
    let tail: Vec<char> = path.chars().collect();
    let keep = room.saturating_sub(1);
    format!(
        "…{}",
        tail[length - keep.min(length)..].iter().collect::<String>()
    )
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

fn print_table(report: &Report) -> std::io::Result<()> {
    let width = console::Term::stdout()
        .size_checked()
        .map(|(_, cols)| cols as usize);
    for line in table_lines(report, width) {
        outln!("{line}")?;
    }
    if let Some(dist) = &report.dist {
        outln!("release copied to {dist}/ (headers and SHA256SUMS verified)")?;
    }
    if let Some(reproducible) = &report.reproducible {
        for (target, same) in reproducible {
            outln!(
                "{target}: {}",
                if *same {
                    "bit-for-bit identical on rebuild"
                } else {
                    "NOT reproducible"
                }
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/nix/store/xrz7p6k54b9iimzfan2zbyx39b3qkaw9-app-linux-amd64-0.1.0";

    fn report() -> Report {
        let target = |target: &str, status| TargetReport {
            target: target.to_owned(),
            status,
            seconds: Some(5.5),
            waited_seconds: Some(12.25),
            size: Some(1_500_000),
            store_path: Some(PATH.to_owned()),
            artifacts: vec![],
            error: None,
            log_command: None,
        };
        Report {
            targets: vec![
                target("linux/amd64", State::Done),
                target("wasip1/wasm", State::Cached),
            ],
            dist: None,
            dist_skipped: None,
            reproducible: None,
        }
    }

    #[test]
    fn a_store_path_is_shortened_in_its_hash_first_then_in_its_name() {
        assert_eq!(fit_store_path(PATH, 200), PATH);
        let fitted = fit_store_path(PATH, 26);
        assert_eq!(fitted.chars().count(), 26, "{fitted}");
        assert!(fitted.ends_with("linux-amd64-0.1.0"), "{fitted}");
        let fitted = fit_store_path(PATH, 43);
        assert_eq!(fitted, "/nix/store/xrz7p6k54…-app-linux-amd64-0.1.0");
        assert_eq!(fitted.chars().count(), 43);
    }

    #[test]
    fn on_an_80_column_terminal_every_row_fits_and_the_columns_line_up() {
        let lines = table_lines(&report(), Some(80));
        for line in &lines {
            assert!(line.chars().count() <= 80, "{line}");
        }
        let column = |line: &str| line.find("store path").or_else(|| line.find("…"));
        assert_eq!(column(&lines[0]), column(&lines[1]), "{lines:#?}");
        assert_eq!(column(&lines[1]), column(&lines[2]), "{lines:#?}");
        // Not on a terminal: the whole path, for scripts.
        assert!(table_lines(&report(), None)[1].ends_with(PATH));
    }
}
