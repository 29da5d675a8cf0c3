//! Every process the runner starts is recorded while it runs, so that goflake, stopped by a
//! signal (a CI timeout's SIGTERM, which reaches goflake alone, unlike a terminal's Ctrl-C),
//! stops its `nix` and `go` children too instead of leaving them running.

use std::io;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::Mutex;

static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn record(pid: u32) {
    if let Ok(mut running) = RUNNING.lock() {
        running.push(pid);
    }
}

/// The process `pid` was waited for: nothing to stop any more.
pub fn forget(pid: u32) {
    if let Ok(mut running) = RUNNING.lock() {
        running.retain(|&p| p != pid);
    }
}

/// `command.spawn()`, recorded until [`forget`] (after waiting for it).
pub fn spawn(command: &mut Command) -> io::Result<Child> {
    let child = command.spawn()?;
    record(child.id());
    Ok(child)
}

/// `command.output()`: its stdin closed, stdout and stderr captured, recorded while it runs.
pub fn output(command: &mut Command) -> io::Result<Output> {
    let child = spawn(
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )?;
    let pid = child.id();
    let output = child.wait_with_output();
    forget(pid);
    output
}

/// `command.status()` (the terminal inherited), recorded while it runs.
pub fn status(command: &mut Command) -> io::Result<ExitStatus> {
    let mut child = spawn(command)?;
    let status = child.wait();
    forget(child.id());
    status
}

/// Sends SIGTERM to every process still running (goflake is being stopped). Nix stops its
/// builds and removes their temporary directories on SIGTERM; so does `go`.
pub fn terminate_all() {
    let Ok(running) = RUNNING.lock() else {
        return;
    };
    for &pid in running.iter() {
        if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
    }
}
