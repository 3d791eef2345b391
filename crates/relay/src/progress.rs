//! Progress of a capture: the events the CLI prints as lines and the browser API streams
//! as JSON (warm-up, plan, armed, probes, stopped, flushing, collected, done).

use serde::Serialize;

use crate::options::StageKind;

/// One step of a capture.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The server was identified.
    Discovered {
        /// Framework id.
        framework: String,
        /// Served model, when known.
        model: Option<String>,
        /// Where the capture goes.
        dir: String,
    },
    /// Warm-up requests (sent before the profiler is armed).
    WarmUp {
        /// Stage.
        stage: StageKind,
        /// Requests done.
        done: u32,
        /// Requests planned.
        total: u32,
    },
    /// The plan and its size estimate, after the warm-up.
    Plan {
        /// Stage.
        stage: StageKind,
        /// Steps that will be profiled.
        steps: u32,
        /// Steps asked for (more when the guard shrank the plan).
        asked: u32,
        /// Estimated JSON text of the trace, MB.
        estimate_mb: f64,
        /// Estimated flush time, seconds.
        flush_s: f64,
        /// The estimate's model and inputs, and the decision, in words.
        text: String,
    },
    /// `/start_profile` succeeded.
    Armed {
        /// Stage.
        stage: StageKind,
    },
    /// Profiled requests or steps.
    Probes {
        /// Stage.
        stage: StageKind,
        /// Done so far.
        done: u32,
        /// Planned.
        total: u32,
        /// `requests` or `decode steps`.
        unit: String,
    },
    /// `/stop_profile` was sent.
    Stopped {
        /// Stage.
        stage: StageKind,
        /// Its status, when it answered.
        status: Option<u16>,
        /// What the answer means.
        note: String,
    },
    /// Waiting for the server to write the trace.
    Flushing {
        /// Stage.
        stage: StageKind,
        /// Trace files seen.
        files: usize,
        /// Bytes on disk.
        bytes: u64,
        /// Files complete.
        complete: usize,
    },
    /// The stage's traces are in the capture folder.
    Collected {
        /// Stage.
        stage: StageKind,
        /// Paths relative to the capture folder.
        files: Vec<String>,
    },
    /// Triage of the captured traces.
    Triage {
        /// Traces triaged (relative paths).
        files: Vec<String>,
    },
    /// Something the user should know; the capture goes on.
    Warning {
        /// The message.
        message: String,
    },
    /// The capture finished.
    Done {
        /// The capture folder.
        dir: String,
        /// `report.json`, relative to the folder.
        report: String,
    },
    /// The capture failed; what was flushed stays on disk.
    Failed {
        /// The message.
        message: String,
        /// The capture folder, if one was made.
        dir: Option<String>,
    },
}

impl Event {
    /// Whether this event ends a capture.
    #[must_use]
    pub fn is_final(&self) -> bool {
        matches!(self, Event::Done { .. } | Event::Failed { .. })
    }

    /// The line the CLI prints.
    #[must_use]
    pub fn line(&self) -> String {
        match self {
            Event::Discovered { framework, model, dir } => format!(
                "server: {framework}{}; capture folder {dir}",
                model.as_ref().map(|m| format!(", model {m}")).unwrap_or_default()
            ),
            Event::WarmUp { stage, done, total } => format!("{}: warm-up {done}/{total}", stage.id()),
            Event::Plan { stage, text, .. } => format!("{}: plan: {text}", stage.id()),
            Event::Armed { stage } => format!("{}: armed (profiler started)", stage.id()),
            Event::Probes { stage, done, total, unit } => {
                format!("{}: probes {done}/{total} {unit}", stage.id())
            }
            Event::Stopped { stage, status, note } => format!(
                "{}: /stop_profile {}{}",
                stage.id(),
                status.map_or_else(|| "not answered".to_owned(), |s| s.to_string()),
                if note.is_empty() { String::new() } else { format!(" ({note})") }
            ),
            Event::Flushing { stage, files, bytes, complete } => format!(
                "{}: flushing: {files} file(s), {} on disk, {complete} complete",
                stage.id(),
                engine::format::bytes(*bytes)
            ),
            Event::Collected { stage, files } => format!("{}: collected {}", stage.id(), files.join(", ")),
            Event::Triage { files } => format!("triage: {}", files.join(", ")),
            Event::Warning { message } => format!("warning: {message}"),
            Event::Done { dir, report } => format!("done: {dir} ({report})"),
            Event::Failed { message, .. } => format!("failed: {message}"),
        }
    }
}

/// Receives events (the CLI prints them; the server stores them for the browser).
pub type Sink<'a> = &'a (dyn Fn(Event) + Sync);
