//! A server process started for a capture: its own process group (so Ctrl-C in the
//! terminal reaches the relay, not the server, and stopping reaches every worker the
//! server forked), stdout and stderr in a log file, a wait until `/v1/models` answers, and
//! a stop that sends SIGTERM to the group, then SIGKILL after a grace period. Dropping a
//! [`Server`] stops it.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::command::Invocation;
use crate::cancel::{Cancel, Stop};
use crate::http::Client;

/// Lines of the server log shown when it fails to start.
pub const TAIL_LINES: usize = 40;

/// A running server.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// The process group id (the child's pid).
    pub pgid: u32,
    /// The log file.
    pub log: PathBuf,
    grace: Duration,
    stopped: bool,
}

/// How a server was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// It had already exited.
    Exited,
    /// It exited after SIGTERM.
    Terminated,
    /// It needed SIGKILL.
    Killed,
}

/// The last `n` lines of a log file (lossy UTF-8).
#[must_use]
pub fn tail(path: &Path, n: usize) -> String {
    let Ok(bytes) = std::fs::read(path) else { return String::new() };
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Sends `signal` to the process group `pgid` (`kill -s SIG -- -PGID`); whether any process
/// received it.
fn signal_group(pgid: u32, signal: &str) -> bool {
    Command::new("kill")
        .args(["-s", signal, "--", &format!("-{pgid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Server {
    /// Starts `inv` in a new process group, stdout and stderr appended to `log`.
    ///
    /// # Errors
    /// When the log cannot be created or the program cannot be started.
    pub fn start(inv: &Invocation, log: &Path, grace: Duration) -> Result<Server, String> {
        for (path, text) in &inv.files {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        let out =
            File::create(log).map_err(|e| format!("cannot create the server log {}: {e}", log.display()))?;
        let err =
            out.try_clone().map_err(|e| format!("cannot share the server log {}: {e}", log.display()))?;
        let child = Command::new(&inv.program)
            .args(&inv.args)
            .envs(inv.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", inv.program))?;
        let pgid = child.id();
        Ok(Server { child, pgid, log: log.to_path_buf(), grace, stopped: false })
    }

    /// The exit status, once the server has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits until `GET url/v1/models` answers 200, the server exits, `timeout` passes, or
    /// the wait is cancelled.
    ///
    /// # Errors
    /// Why it is not ready, with the log's last lines (a cancellation gives its reason).
    pub fn wait_ready(
        &mut self,
        url: &str,
        timeout: Duration,
        cancel: &Cancel,
    ) -> Result<(), (String, Option<Stop>)> {
        let client = Client::new(url);
        let started = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                return Err((
                    self.with_tail(&format!("the server exited ({status}) before it answered")),
                    None,
                ));
            }
            if client.get("/v1/models", Duration::from_secs(5)).is_ok_and(|r| r.ok()) {
                return Ok(());
            }
            if started.elapsed() >= timeout {
                return Err((
                    self.with_tail(&format!(
                        "the server did not answer {url}/v1/models within {:.0} s (startup_timeout_s)",
                        timeout.as_secs_f64()
                    )),
                    None,
                ));
            }
            if let Err(stop) = cancel.sleep(Duration::from_millis(250)) {
                return Err(("interrupted while waiting for the server".to_owned(), Some(stop)));
            }
        }
    }

    fn with_tail(&self, what: &str) -> String {
        let t = tail(&self.log, TAIL_LINES);
        if t.trim().is_empty() {
            format!("{what}; its log {} is empty", self.log.display())
        } else {
            format!("{what}; the last lines of {}:\n{t}", self.log.display())
        }
    }

    /// Whether any process of the group is still there (the leader reaped first).
    fn group_alive(&mut self) -> bool {
        let _ = self.exited();
        signal_group(self.pgid, "0")
    }

    /// Stops the server: SIGTERM to its group, SIGKILL after the grace period; waits until
    /// the group is gone (at most 10 s after SIGKILL).
    pub fn stop(&mut self) -> Stopped {
        if self.stopped {
            return Stopped::Exited;
        }
        self.stopped = true;
        if !self.group_alive() {
            return Stopped::Exited;
        }
        signal_group(self.pgid, "TERM");
        let deadline = Instant::now() + self.grace;
        while Instant::now() < deadline {
            if !self.group_alive() {
                return Stopped::Terminated;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        signal_group(self.pgid, "KILL");
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.group_alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.wait();
        Stopped::Killed
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
