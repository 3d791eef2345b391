//! The capture protocol, end to end: discover the server, check its preconditions, make
//! a new capture folder, capture each stage ([`stage`]), then triage what was captured and
//! write `report.json` and `capture.json` beside the traces.
//!
//! Guarantees: `/stop_profile` follows every successful `/start_profile` (also on errors,
//! Ctrl-C, cancellation and panics: [`stage::StopGuard`]); nothing in the capture folder
//! or the server's trace folder is deleted; a failure says what was kept and where.

pub mod discover;
pub mod log_watch;
pub mod pair;
pub mod stage;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::cancel::{Cancel, Stop};
use crate::framework::Kind;
use crate::guard::{Estimate, Rate};
use crate::http::{Client, Exchange};
use crate::options::{CaptureOptions, StageKind};
use crate::probe::{Dialect, Prompts};
use crate::progress::{Event, Sink};

/// A finished capture.
#[derive(Debug)]
pub struct Outcome {
    /// The capture folder.
    pub dir: PathBuf,
    /// The triage report (also in `report.json`).
    pub report: report::Report,
    /// The report as markdown.
    pub markdown: String,
    /// The traces triaged, relative to the folder.
    pub traces: Vec<String>,
    /// Warnings collected on the way.
    pub warnings: Vec<String>,
}

/// A failed capture: what went wrong, and where whatever was flushed is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureError {
    /// The message (what failed, what to change, what was kept).
    pub message: String,
    /// The capture folder, when one was made.
    pub dir: Option<PathBuf>,
    /// Set when Ctrl-C or a cancellation ended the capture.
    pub stop: Option<Stop>,
}

impl CaptureError {
    fn new(message: impl Into<String>) -> CaptureError {
        CaptureError { message: message.into(), dir: None, stop: None }
    }
}

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CaptureError {}

/// What one stage did, for `capture.json`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StageRecord {
    /// Stage.
    pub stage: Option<StageKind>,
    /// Prompt words used and the prompt tokens the server counted.
    pub prompt_words: u32,
    /// Prompt tokens as counted by the server (first warm-up request).
    pub prompt_tokens: Option<u64>,
    /// The guard's estimate and decision.
    pub estimate: Option<Estimate>,
    /// How the profiled steps were bounded.
    pub bound: String,
    /// Steps (requests or streamed tokens) seen while armed.
    pub probed: u32,
    /// Seconds from the `/start_profile` answer to the `/stop_profile` answer.
    pub armed_s: f64,
    /// The `/stop_profile` status, when it answered.
    pub stop_status: Option<u16>,
    /// Trace files, relative to the capture folder.
    pub files: Vec<String>,
    /// JSON bytes of the largest trace file.
    pub json_bytes: u64,
}

/// `capture.json`.
#[derive(Serialize)]
struct Record<'a> {
    relay: &'static str,
    options: &'a CaptureOptions,
    framework: &'static str,
    framework_source: &'a str,
    model: Option<&'a str>,
    stages: &'a [StageRecord],
    warnings: &'a [String],
    requests: Vec<Exchange>,
    outcome: &'a str,
    message: Option<&'a str>,
}

/// State shared by the stages of one capture.
pub struct Session<'a> {
    /// The options.
    pub opts: &'a CaptureOptions,
    /// The server.
    pub client: Client,
    /// Its framework.
    pub kind: Kind,
    /// Model id for the OpenAI requests.
    pub model: String,
    /// The capture folder (absolute).
    pub dir: PathBuf,
    /// Cancellation.
    pub cancel: &'a Cancel,
    /// Progress.
    pub sink: Sink<'a>,
    /// Prompt source.
    pub prompts: Prompts,
    /// How requests are sent, once known.
    pub dialect: Option<Dialect>,
    /// The size rate for estimates.
    pub rate: Rate,
    /// Trace files to expect per stage.
    pub expected_files: usize,
    /// Warnings so far.
    pub warnings: Vec<String>,
    /// Per-stage records.
    pub stages: Vec<StageRecord>,
    /// The server's log, followed while capturing (`server_log`).
    pub log_watch: Option<log_watch::LogWatch>,
    /// Appended to each stage's `plan:` line: the graph-capture traces, or which flags
    /// would give them.
    pub plan_note: String,
}

impl Session<'_> {
    /// Sends an event and keeps warnings.
    pub fn emit(&mut self, e: Event) {
        if let Event::Warning { message } = &e {
            self.warnings.push(message.clone());
        }
        (self.sink)(e);
    }

    /// Timeout of one request to the server.
    #[must_use]
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.opts.request_timeout_s)
    }

    /// A path relative to the capture folder, `/`-separated.
    #[must_use]
    pub fn rel(&self, p: &Path) -> String {
        p.strip_prefix(&self.dir)
            .unwrap_or(p)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Runs a capture into a new folder under `out` (a two-server mapping + formal capture
/// when the options name both servers: [`pair::run`]).
///
/// # Errors
/// Anything that stops the capture; the message says what to change and what was kept.
pub fn run(
    opts: &CaptureOptions,
    out: &Path,
    cancel: &Cancel,
    sink: Sink<'_>,
) -> Result<Outcome, CaptureError> {
    opts.validate().map_err(CaptureError::new)?;
    if opts.pair().is_some() {
        return pair::run(opts, out, cancel, sink);
    }
    let client = Client::new(&opts.base_url());
    let server = discover::discover(&client, opts.framework).map_err(CaptureError::new)?;
    stage::check_preconditions(server.kind, opts, &client).map_err(CaptureError::new)?;
    let graphs = crate::graphs::detect(server.kind, &server.server_args, &client);
    let out = out_dir(out)?;
    let dir = crate::layout::new_capture_dir(&out, server.kind.id()).map_err(|e| {
        CaptureError::new(format!("cannot create a capture folder in {}: {e}", out.display()))
    })?;
    let mut s = open_session(opts, client, &server, dir.clone(), cancel, sink)
        .map_err(|message| CaptureError { message, dir: Some(dir.clone()), stop: None })?;
    collect_capture_traces(&mut s, &graphs);
    let result = capture_stages(&mut s).and_then(|()| finish(&mut s));
    let (outcome, message) = match &result {
        Ok(_) => ("done", None),
        Err(e) if e.stop.is_some() => ("interrupted", Some(e.message.as_str())),
        Err(e) => ("failed", Some(e.message.as_str())),
    };
    write_record(&s, &server, outcome, message);
    match result {
        Ok(o) => {
            s.emit(Event::Done { dir: dir.display().to_string(), report: "report.json".to_owned() });
            Ok(o)
        }
        Err(mut e) => {
            e.dir = Some(dir.clone());
            Err(e)
        }
    }
}

/// Creates `out` and resolves it.
fn out_dir(out: &Path) -> Result<PathBuf, CaptureError> {
    std::fs::create_dir_all(out)
        .map_err(|e| CaptureError::new(format!("cannot create the capture folder {}: {e}", out.display())))?;
    out.canonicalize().map_err(|e| CaptureError::new(format!("cannot resolve {}: {e}", out.display())))
}

/// Starts capturing from `server` into `dir` (made): writes `server_args.json`, says
/// what was found, and warns about what may not work.
///
/// # Errors
/// When `server_args.json` cannot be written.
pub fn open_session<'a>(
    opts: &'a CaptureOptions,
    client: Client,
    server: &discover::Server,
    dir: PathBuf,
    cancel: &'a Cancel,
    sink: Sink<'a>,
) -> Result<Session<'a>, String> {
    let args_text = serde_json::to_string_pretty(&server.server_args).unwrap_or_default();
    std::fs::write(dir.join("server_args.json"), format!("{args_text}\n"))
        .map_err(|e| format!("cannot write server_args.json in {}: {e}", dir.display()))?;
    let mut s = Session {
        opts,
        client,
        kind: server.kind,
        model: server.model.clone(),
        dir: dir.clone(),
        cancel,
        sink,
        prompts: Prompts::new(),
        dialect: None,
        rate: Rate::prior(),
        expected_files: if server.kind.takes_output_dir() { server.ranks.unwrap_or(1).max(1) } else { 1 },
        warnings: Vec::new(),
        stages: Vec::new(),
        log_watch: opts.server_log.as_deref().map(log_watch::LogWatch::new),
        plan_note: String::new(),
    };
    s.emit(Event::Discovered {
        framework: server.kind.id().to_owned(),
        model: server.model_label.clone(),
        dir: dir.display().to_string(),
    });
    if server.kind.takes_output_dir() && !stage::is_loopback(&opts.base_url()) {
        s.emit(Event::Warning {
            message: format!(
                "{} writes the trace files itself: this only works if it sees {} at the same path (run the \
                 relay on the server's machine, or use a shared file system)",
                server.kind.label(),
                dir.display()
            ),
        });
    }
    if !server.kind.takes_output_dir() && opts.prefix != CaptureOptions::default().prefix {
        s.emit(Event::Warning {
            message: format!("{} names its trace files itself; the prefix is not used", server.kind.label()),
        });
    }
    Ok(s)
}

/// Copies the server's graph-capture traces into the capture folder before the stages
/// (they were written at start-up): from `capture_traces` when given, else those beside
/// `server_trace_path`. Sets the `plan:` note: how many were copied, or, for a server
/// whose graphs may be on, which flags would give them.
pub fn collect_capture_traces(s: &mut Session<'_>, graphs: &crate::graphs::Graphs) {
    let mut copied = Vec::new();
    if let Some(given) = &s.opts.capture_traces {
        match crate::layout::copy_capture_traces_from(given, &s.dir) {
            Ok(c) if c.is_empty() && !crate::layout::has_capture_traces(&s.dir) => s.emit(Event::Warning {
                message: format!("--capture-traces {}: no graph-capture trace found there", given.display()),
            }),
            Ok(c) => copied = c,
            Err(e) => s.emit(Event::Warning {
                message: format!("graph-capture traces in {} not copied: {e}", given.display()),
            }),
        }
    } else if let Some(path) = &s.opts.server_trace_path {
        match crate::layout::copy_capture_traces(path, &s.dir) {
            Ok(c) => copied = c,
            Err(e) => s.emit(Event::Warning {
                message: format!("graph-capture traces beside {} not copied: {e}", path.display()),
            }),
        }
    }
    s.plan_note = if crate::layout::has_capture_traces(&s.dir) {
        format!(
            "; graph attribution through {} capture trace(s) copied into {} (the server's stay)",
            copied.len(),
            s.dir.display()
        )
    } else if graphs.setting == crate::graphs::Setting::Off {
        String::new()
    } else {
        format!(
            "; no graph-capture traces, so graph-replayed kernels are attributed to their graph launch only: \
             for exact graph attribution {}",
            crate::graphs::capture_trace_flags(s.kind)
        )
    };
}

/// Captures every stage of the workload.
///
/// # Errors
/// The first stage that fails.
pub fn capture_stages(s: &mut Session<'_>) -> Result<(), CaptureError> {
    for &st in s.opts.workload.stages() {
        stage::run(s, st)?;
        if let Some(rate) =
            s.stages.last().and_then(|r| crate::guard::measured_rate(r.json_bytes, r.armed_s, st.id()))
        {
            s.rate = rate;
        }
    }
    Ok(())
}

/// The captured stages' files, absolute.
#[must_use]
pub fn captured(s: &Session<'_>) -> Vec<(StageKind, Vec<PathBuf>)> {
    s.stages
        .iter()
        .filter_map(|r| r.stage.map(|st| (st, r.files.iter().map(|f| s.dir.join(f)).collect())))
        .collect()
}

fn finish(s: &mut Session<'_>) -> Result<Outcome, CaptureError> {
    let stages = captured(s);
    let server_args = crate::capture::saved_server_args(&s.dir)
        .and_then(|v| report::engine::analysis::framework::ServerArgs::parse(&v.to_string()));
    let t = crate::triage::triage(
        &s.dir,
        &stages,
        s.kind,
        server_args,
        s.opts.server_log.as_deref(),
        s.opts.all_ranks,
        s.opts.min_share,
    )
    .map_err(|m| CaptureError { message: m, dir: Some(s.dir.clone()), stop: None })?;
    s.emit(Event::Triage { files: t.traces.clone() });
    for w in &t.warnings {
        s.emit(Event::Warning { message: w.clone() });
    }
    write_report(&s.dir, &t.report)?;
    Ok(Outcome {
        dir: s.dir.clone(),
        markdown: report::markdown::render(&t.report),
        report: t.report,
        traces: t.traces,
        warnings: s.warnings.clone(),
    })
}

/// Writes `report.json` into `dir`.
///
/// # Errors
/// When it cannot be written.
pub fn write_report(dir: &Path, report: &report::Report) -> Result<(), CaptureError> {
    let mut json = report.to_json();
    json.push('\n');
    std::fs::write(dir.join("report.json"), json).map_err(|e| CaptureError {
        message: format!("cannot write report.json in {}: {e}", dir.display()),
        dir: Some(dir.to_path_buf()),
        stop: None,
    })
}

fn write_record(s: &Session<'_>, server: &discover::Server, outcome: &str, message: Option<&str>) {
    let record = Record {
        relay: concat!("tracetriage-relay ", env!("CARGO_PKG_VERSION")),
        options: s.opts,
        framework: server.kind.id(),
        framework_source: &server.kind_source,
        model: server.model_label.as_deref(),
        stages: &s.stages,
        warnings: &s.warnings,
        requests: s.client.exchanges(),
        outcome,
        message,
    };
    let text = serde_json::to_string_pretty(&record).unwrap_or_else(|_| "{}".to_owned());
    // Best effort: a failed write must not hide the capture's own error.
    let _ = std::fs::write(s.dir.join("capture.json"), format!("{text}\n"));
}

/// The JSON the server answered to `/v1/models` or `/server_info`, as saved.
#[must_use]
pub fn saved_server_args(dir: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(dir.join("server_args.json")).ok()?).ok()
}
