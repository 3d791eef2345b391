//! The relay ↔ page protocol of live capture (docs/relay-api.md): the types both sides
//! read and write, and the one text rendering of a capture's progress.
//!
//! `tracetriage-relay serve` writes these as JSON and the browser page reads them back,
//! so neither side spells a field name by hand. Pure data: serde only, no I/O, compiles
//! for wasm32. Within one [`PROTOCOL`] version fields are only added; readers ignore
//! fields they do not know, and an event kind they do not know reads as
//! [`Event::Other`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// Version of the relay's HTTP API: the `/api/v1/` prefix ([`API`]), the
/// [`PROTOCOL_HEADER`] header and the `protocol` field of every answer. Raised on any
/// incompatible change.
pub const PROTOCOL: u32 = 1;
/// The API's path prefix.
pub const API: &str = "/api/v1";
/// The header every answer of the relay carries, with [`PROTOCOL`] as its value.
pub const PROTOCOL_HEADER: &str = "X-Tracetriage-Relay-Protocol";

/// One stage capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageKind {
    /// Prefill (extend).
    Prefill,
    /// Decode.
    Decode,
}

impl StageKind {
    /// `prefill` or `decode`: the folder name and the word in file names.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            StageKind::Prefill => "prefill",
            StageKind::Decode => "decode",
        }
    }
}

/// One step of a capture: what the relay prints as a line and streams to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// An event kind of a newer relay; the relay never sends it.
    #[serde(other)]
    Other,
}

impl Event {
    /// Whether this event ends a capture.
    #[must_use]
    pub fn is_final(&self) -> bool {
        matches!(self, Event::Done { .. } | Event::Failed { .. })
    }
}

/// The one text of an event: the line `tracetriage-relay capture` prints and the page's
/// capture log shows.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Discovered { framework, model, dir } => {
                write!(f, "server: {framework}")?;
                if let Some(m) = model {
                    write!(f, ", model {m}")?;
                }
                write!(f, "; capture folder {dir}")
            }
            Event::WarmUp { stage, done, total } => write!(f, "{}: warm-up {done}/{total}", stage.id()),
            Event::Plan { stage, text, .. } => write!(f, "{}: plan: {text}", stage.id()),
            Event::Armed { stage } => write!(f, "{}: armed (profiler started)", stage.id()),
            Event::Probes { stage, done, total, unit } => {
                write!(f, "{}: probes {done}/{total} {unit}", stage.id())
            }
            Event::Stopped { stage, status, note } => {
                write!(f, "{}: /stop_profile ", stage.id())?;
                match status {
                    Some(s) => write!(f, "{s}")?,
                    None => f.write_str("not answered")?,
                }
                if note.is_empty() { Ok(()) } else { write!(f, " ({note})") }
            }
            Event::Flushing { stage, files, bytes, complete } => write!(
                f,
                "{}: flushing: {files} file(s), {} on disk, {complete} complete",
                stage.id(),
                crate::format::bytes(*bytes)
            ),
            Event::Collected { stage, files } => write!(f, "{}: collected {}", stage.id(), files.join(", ")),
            Event::Triage { files } => write!(f, "triage: {}", files.join(", ")),
            Event::Warning { message } => write!(f, "warning: {message}"),
            Event::Done { dir, report } => write!(f, "done: {dir} ({report})"),
            Event::Failed { message, .. } => write!(f, "failed: {message}"),
            Event::Other => f.write_str("(an event this version does not know)"),
        }
    }
}

/// One event with its sequence number and its time since the capture started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stamped {
    /// 0, 1, 2, … without gaps.
    pub seq: usize,
    /// Milliseconds since the capture started.
    pub ms: u64,
    /// The event (its fields sit beside `seq` and `ms`).
    #[serde(flatten)]
    pub event: Event,
}

/// Where a capture stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Running.
    Running,
    /// Finished with a report.
    Done,
    /// Failed (the message is in the last event).
    Failed,
    /// Stopped by a cancellation or Ctrl-C.
    Cancelled,
}

/// The body of `POST /api/v1/captures` as the page sends it: the server and what its form
/// sets. Every option left out keeps the relay's default (the relay's `CaptureOptions`
/// lists them all); read back from an answer's `options` or `defaults`, the other options
/// are ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaptureRequest {
    /// Base URL of the inference server, e.g. `http://127.0.0.1:30000`.
    pub url: String,
    /// `auto`, `sglang`, `vllm`, `trtllm` or `tokenspeed` ([`Info::frameworks`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// `both`, `prefill` or `decode` ([`Info::workloads`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    /// Profiled steps per stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_steps: Option<u32>,
    /// Warm-up steps before the profiler is armed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warmup_steps: Option<u32>,
    /// Output tokens of the decode request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decode_output_len: Option<u32>,
    /// Budget for one trace's estimated JSON size, MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_trace_mb: Option<f64>,
    /// Where the server writes its traces, as the relay's machine sees it (vLLM,
    /// TensorRT-LLM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_trace_path: Option<String>,
    /// Two-server capture: the server with CUDA graphs off (with `formal_url`, instead of
    /// `url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_url: Option<String>,
    /// Two-server capture: the server with the real serving flags (graphs on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formal_url: Option<String>,
    /// Where the server wrote its graph-capture traces, as the relay's machine sees it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_traces: Option<String>,
}

/// A framework the capture form offers (`GET /api/v1/info`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkInfo {
    /// The value of the `framework` option.
    pub id: String,
    /// What to show.
    pub label: String,
    /// Whether the capture needs `server_trace_path`.
    pub needs_server_trace_path: bool,
    /// What to put in `server_trace_path`, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_trace_path: Option<String>,
}

/// `GET /api/v1/info`: what the page needs to draw the capture form. `O` is the capture
/// options type (the relay's full options; the page reads them as [`CaptureRequest`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Info<O> {
    /// [`PROTOCOL`].
    pub protocol: u32,
    /// `tracetriage-relay` and its version.
    pub relay: String,
    /// Where captures go.
    pub capture_folder: String,
    /// Whether a capture is running.
    pub busy: bool,
    /// The frameworks to offer.
    pub frameworks: Vec<FrameworkInfo>,
    /// The workloads to offer.
    pub workloads: Vec<String>,
    /// The default capture options.
    pub defaults: O,
}

/// Just the protocol of an answer, read before the rest so that another version is named
/// rather than misread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct Versioned {
    /// The protocol the relay speaks, when it says.
    pub protocol: Option<u32>,
}

/// The answer to `POST /api/v1/captures` (202).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    /// The capture's id.
    pub id: String,
    /// `running`.
    pub state: JobState,
    /// Where to poll it.
    pub status: String,
    /// Where to follow its events.
    pub events: String,
}

/// One capture in `GET /api/v1/captures` (and the answer to a cancel).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSummary {
    /// The capture's id.
    pub id: String,
    /// Where it stands.
    pub state: JobState,
    /// The server.
    pub url: String,
    /// The capture folder, once made.
    pub dir: Option<String>,
    /// Events so far.
    pub events: usize,
}

/// `GET /api/v1/captures`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobList {
    /// The captures of this relay run.
    pub captures: Vec<JobSummary>,
}

/// `GET /api/v1/captures/{id}`: a capture and its events from `since`. `O` is the
/// capture options type, as in [`Info`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Status<O> {
    /// The capture's id.
    pub id: String,
    /// Where it stands.
    pub state: JobState,
    /// What was asked.
    pub options: O,
    /// The capture folder, once made.
    pub dir: Option<String>,
    /// The events from `since`.
    pub events: Vec<Stamped>,
    /// What to pass as `since` next time.
    pub next: usize,
    /// Where `report.json` is, once the capture is done.
    pub report: Option<String>,
}

/// The last message of an event stream (`event: end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct End {
    /// How the capture ended.
    pub state: JobState,
}

/// One file of a capture folder (`GET /api/v1/captures/{id}/files`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureFile {
    /// `/`-separated, relative to the capture folder.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Whether it is a worker trace (what to triage).
    pub trace: bool,
    /// The stage folder it is in, if any.
    pub stage: Option<StageKind>,
    /// Where to download it.
    pub url: String,
}

/// `GET /api/v1/captures/{id}/files`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureFiles {
    /// The capture folder, once made.
    pub dir: Option<String>,
    /// Where the capture stands.
    pub state: JobState,
    /// Its files, sorted by path.
    pub files: Vec<CaptureFile>,
}

/// Any error answer (4xx/5xx).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong and what to do.
    pub error: String,
    /// [`PROTOCOL`].
    pub protocol: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_back_with_their_stamp_and_one_line_each() {
        let e = Stamped {
            seq: 3,
            ms: 840,
            event: Event::Flushing { stage: StageKind::Decode, files: 2, bytes: 1_500_000, complete: 1 },
        };
        let json = serde_json::to_string(&e).expect("json");
        assert_eq!(
            json,
            r#"{"seq":3,"ms":840,"kind":"flushing","stage":"decode","files":2,"bytes":1500000,"complete":1}"#
        );
        let back: Stamped = serde_json::from_str(&json).expect("back");
        assert_eq!(back, e);
        assert_eq!(e.event.to_string(), "decode: flushing: 2 file(s), 1.5 MB on disk, 1 complete");
        let stopped = Event::Stopped { stage: StageKind::Prefill, status: None, note: String::new() };
        assert_eq!(stopped.to_string(), "prefill: /stop_profile not answered");
        let found =
            Event::Discovered { framework: "sglang".into(), model: Some("m".into()), dir: "d".into() };
        assert_eq!(found.to_string(), "server: sglang, model m; capture folder d");
    }

    #[test]
    fn unknown_kinds_and_fields_are_tolerated() {
        let e: Stamped =
            serde_json::from_str(r#"{"seq":0,"ms":1,"kind":"rooflines","gpu":"B200"}"#).expect("other");
        assert_eq!(e.event, Event::Other);
        let e: Stamped = serde_json::from_str(r#"{"seq":1,"ms":2,"kind":"armed","stage":"prefill","new":1}"#)
            .expect("armed");
        assert_eq!(e.event, Event::Armed { stage: StageKind::Prefill });
    }

    #[test]
    fn a_request_sends_only_what_the_form_set() {
        let r = CaptureRequest {
            url: "http://h:1".into(),
            num_steps: Some(2),
            server_trace_path: None,
            ..CaptureRequest::default()
        };
        assert_eq!(serde_json::to_string(&r).expect("json"), r#"{"url":"http://h:1","num_steps":2}"#);
        let full = r#"{"url":"","framework":"auto","workload":"both","num_steps":5,"settle_ms":1000}"#;
        let back: CaptureRequest = serde_json::from_str(full).expect("relay options");
        assert_eq!((back.num_steps, back.workload.as_deref()), (Some(5), Some("both")));
    }
}
