//! `tracetriage-relay launch SPEC.toml`: start a server with the profiler flags its
//! framework needs ([`command`]), wait until it answers ([`process`]), capture exactly as
//! `capture` does ([`crate::capture::run`]), and stop it: also when the capture fails, and
//! on Ctrl-C (the capture ends at the next check, then the server is stopped). The
//! server's stdout and stderr go to a log that ends up as `server.log` in the capture
//! folder (in `--out` when no capture folder was made); the diffusion backend gate reads
//! it.

pub mod command;
pub mod process;
pub mod spec;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::cancel::Cancel;
use crate::capture::{CaptureError, Outcome};
use crate::framework::Kind;
use crate::options::{CaptureOptions, FrameworkChoice};
use crate::progress::Sink;
pub use command::{Invocation, Round};
pub use process::{Server, Stopped};
pub use spec::{Spec, Variant};

/// One server start and its capture.
#[derive(Debug)]
pub struct LaunchRun {
    /// `<framework>-<formal|mapping>[-<stage>]`.
    pub label: String,
    /// The command, as a shell line.
    pub command: String,
    /// The server's log, where it ended up.
    pub log: PathBuf,
    /// The capture.
    pub result: Result<Outcome, CaptureError>,
    /// How the server was stopped (`None`: it never started).
    pub stopped: Option<Stopped>,
}

/// What to launch.
pub struct Request<'a> {
    /// The server.
    pub spec: &'a Spec,
    /// The graphs-off (mapping) variant.
    pub mapping: bool,
    /// The capture options (`url`, `framework` and `server_trace_path` come from the spec).
    pub opts: &'a CaptureOptions,
    /// The captures folder.
    pub out: &'a Path,
    /// Ctrl-C / cancellation.
    pub cancel: &'a Cancel,
    /// Capture progress.
    pub sink: Sink<'a>,
    /// Launch progress lines.
    pub say: &'a (dyn Fn(&str) + Sync),
}

fn choice(kind: Kind) -> FrameworkChoice {
    match kind {
        Kind::Sglang => FrameworkChoice::Sglang,
        Kind::Vllm => FrameworkChoice::Vllm,
        Kind::Trtllm => FrameworkChoice::Trtllm,
        Kind::Tokenspeed => FrameworkChoice::Tokenspeed,
    }
}

/// `path` made absolute against the current folder (without touching the disk).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The server's trace folder of a round.
fn trace_dir(spec: &Spec, out: &Path, round: &Round) -> PathBuf {
    let variant = round.label.split('-').take(2).collect::<Vec<_>>().join("-");
    spec.trace_dir.clone().unwrap_or_else(|| out.join("server-traces").join(variant))
}

/// The rounds and their commands, without running anything (`--dry-run`).
#[must_use]
pub fn dry_run(spec: &Spec, mapping: bool, opts: &CaptureOptions, out: &Path) -> String {
    let out = absolute(out);
    let mut text = String::new();
    for round in command::rounds(spec, mapping, opts.workload) {
        let inv = command::build(spec, mapping, &round, &trace_dir(spec, &out, &round), opts);
        text.push_str(&format!(
            "# {} ({}): waits for {}/v1/models\n",
            round.label,
            format!("{:?}", round.workload).to_lowercase(),
            spec.url()
        ));
        for (path, body) in &inv.files {
            text.push_str(&format!("# writes {}: {}\n", path.display(), body.trim_end()));
        }
        if let Some(p) = &inv.server_trace_path {
            text.push_str(&format!("# --server-trace-path {}\n", p.display()));
        }
        text.push_str(&inv.shell());
        text.push('\n');
    }
    text
}

/// Starts the server of each round in turn, captures, and stops it. Stops after a round
/// ended by Ctrl-C or a cancellation.
pub fn run(req: &Request<'_>) -> Vec<LaunchRun> {
    let mut runs = Vec::new();
    for round in command::rounds(req.spec, req.mapping, req.opts.workload) {
        let run = run_round(req, &round);
        let stop = run.result.as_ref().err().and_then(|e| e.stop);
        runs.push(run);
        if stop.is_some() || req.cancel.check().is_some() {
            break;
        }
    }
    runs
}

fn fail(message: String) -> CaptureError {
    CaptureError { message, dir: None, stop: None }
}

fn run_round(req: &Request<'_>, round: &Round) -> LaunchRun {
    let spec = req.spec;
    let out = absolute(req.out);
    let traces = trace_dir(spec, &out, round);
    let inv = command::build(spec, req.mapping, round, &traces, req.opts);
    let shell = inv.shell();
    let stamp = crate::layout::utc_stamp(SystemTime::now());
    let log = out.join(format!("{}-{stamp}.server.log", round.label));
    let done = |result: Result<Outcome, CaptureError>, log: PathBuf, stopped| LaunchRun {
        label: round.label.clone(),
        command: shell.clone(),
        log,
        result,
        stopped,
    };
    for dir in [&out, &traces] {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return done(Err(fail(format!("cannot create {}: {e}", dir.display()))), log, None);
        }
    }
    (req.say)(&format!("{}: starting {shell}", round.label));
    let grace = Duration::from_secs_f64(spec.stop_grace_s);
    let mut server = match Server::start(&inv, &log, grace) {
        Ok(s) => s,
        Err(e) => return done(Err(fail(e)), log, None),
    };
    (req.say)(&format!(
        "{}: server process group {} (log {}); waiting for {}/v1/models",
        round.label,
        server.pgid,
        log.display(),
        spec.url()
    ));
    let timeout = Duration::from_secs_f64(spec.startup_timeout_s);
    let result = match server.wait_ready(&spec.url(), timeout, req.cancel) {
        Err((message, stop)) => Err(CaptureError { message, dir: None, stop }),
        Ok(()) => {
            (req.say)(&format!("{}: server ready", round.label));
            let mut opts = req.opts.clone();
            opts.url = spec.url();
            opts.framework = choice(spec.framework);
            opts.workload = round.workload;
            opts.server_trace_path = inv.server_trace_path.clone();
            if opts.server_log.is_none() {
                opts.server_log = Some(log.clone());
            }
            crate::capture::run(&opts, &out, req.cancel, req.sink)
        }
    };
    let stopped = server.stop();
    (req.say)(&format!(
        "{}: server stopped ({})",
        round.label,
        match stopped {
            Stopped::Exited => "it had exited",
            Stopped::Terminated => "SIGTERM",
            Stopped::Killed => "SIGKILL after the grace period",
        }
    ));
    drop(server);
    let dir = match &result {
        Ok(o) => Some(o.dir.clone()),
        Err(e) => e.dir.clone(),
    };
    let log = match dir {
        Some(d) if std::fs::rename(&log, d.join("server.log")).is_ok() => d.join("server.log"),
        _ => log,
    };
    done(result, log, Some(stopped))
}
