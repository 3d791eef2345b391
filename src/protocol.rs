//! Messages between the page and the engine worker, as JSON strings (files travel beside
//! them as `File` objects, which the browser hands over without copying).

use report::engine::timeline::Hover;
use report::engine::timeline::StageSpan;
use report::engine::timeline::Window;
use serde::{Deserialize, Serialize};

/// An extra catalog file chosen by the user (`--catalog` in the CLI).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCatalog {
    /// File name, for error messages.
    pub name: String,
    /// Its TOML text.
    pub text: String,
}

/// A request to the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// Load the attached files and triage them.
    Triage {
        /// Display path of each file (its relative path inside a dropped folder).
        paths: Vec<String>,
        /// Per-row share cutoff, percent.
        min_share_pct: f64,
        /// `server_args.json` text found beside the traces.
        server_args: Option<String>,
        /// An extra catalog file.
        catalog: Option<UserCatalog>,
    },
    /// Load the attached files (all ranks of one capture) and build the all-ranks report.
    Ranks {
        /// Display path of each file.
        paths: Vec<String>,
        /// Per-row share cutoff of the kernel spread tables, percent.
        min_share_pct: f64,
        /// `server_args.json` text found beside the traces.
        #[serde(default)]
        server_args: Option<String>,
    },
    /// Sent by an engine worker to a child engine worker: load the attached file and post
    /// it back as `{encoded: ArrayBuffer}` (`report::trace::Trace::to_bytes`, transferred).
    Encode {
        /// Display path of the file.
        paths: Vec<String>,
    },
    /// Load and triage two runs (the attached files: A's, then B's) and compare them.
    Diff {
        /// Display paths of A's files (the first `a_paths.len()` attachments).
        a_paths: Vec<String>,
        /// Display paths of B's files (the rest).
        b_paths: Vec<String>,
    },
    /// Triage the traces already loaded again (another cutoff or catalog).
    Retriage {
        /// Per-row share cutoff, percent.
        min_share_pct: f64,
        /// An extra catalog file.
        catalog: Option<UserCatalog>,
    },
    /// Draw a window of an input's timeline as SVG.
    Timeline {
        /// Index of the input trace.
        input: usize,
        /// The window; `None` draws the busiest step of `stage` (or the whole trace).
        window: Option<Window>,
        /// The stage whose busiest step is the default window (`extend/prefill`, `decode`, …).
        stage: Option<String>,
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
        /// Colours from the page's CSS: `(name, css colour)`, names `background`, `text`,
        /// `grid`, `overlap`, `idle`, `stage` and category labels.
        palette: Vec<(String, String)>,
    },
    /// What is under the cursor on a drawn timeline.
    Hover {
        /// Index of the input trace.
        input: usize,
        /// The drawn window.
        window: Window,
        /// Drawing width, px.
        width: u32,
        /// Drawing height, px.
        height: u32,
        /// Cursor x, px.
        x: f64,
        /// Cursor y, px.
        y: f64,
    },
    /// Two-trace mode: load the attached files and triage them as mapping + formal traces
    /// (`tracetriage triage --mapping … --formal …`). Later `Retriage`s keep the roles.
    TriageRoles {
        /// Display path of each file.
        paths: Vec<String>,
        /// Role of each file: `mapping` or `formal` (mapping files first).
        roles: Vec<String>,
        /// Per-row share cutoff, percent.
        min_share_pct: f64,
        /// An extra catalog file.
        catalog: Option<UserCatalog>,
    },
    /// Forward passes and layers of an input (`tracetriage layers`), with the heat map of
    /// the pass shown.
    Layers {
        /// Index of the input trace.
        input: usize,
        /// The model's `config.json` text.
        config: Option<String>,
        /// A profile name (`--profile`).
        profile: Option<String>,
        /// An anchor substring (`--anchor-kernel`).
        anchor: Option<String>,
        /// Pass, layer and compared layer.
        pass: Option<usize>,
        /// A layer of that pass to list kernel by kernel.
        layer: Option<usize>,
        /// Heat-map width, px.
        width: u32,
        /// Heat-map height, px.
        height: u32,
        /// Colours, as for `Timeline`.
        palette: Vec<(String, String)>,
    },
}

/// Progress of a running triage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Index of the file being read.
    pub file: usize,
    /// Number of files.
    pub files: usize,
    /// Its name.
    pub name: String,
    /// Bytes of it read so far.
    pub bytes_read: u64,
    /// Its size.
    pub bytes_total: u64,
    /// Bytes of all files read so far.
    pub all_read: u64,
    /// Size of all files.
    pub all_total: u64,
    /// JSON text bytes inflated/parsed so far (all files).
    pub bytes_text: u64,
    /// Events parsed so far (all files).
    pub events: u64,
    /// `reading` or `analysing`.
    pub phase: String,
    /// Size of the worker's WebAssembly memory, bytes.
    pub wasm_memory: u64,
    /// Files read at the same time in child workers (0 or 1: one after the other); then
    /// `file` counts the files finished.
    #[serde(default)]
    pub parallel: usize,
}

/// A message from the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's engine is loaded and it listens for requests. Messages posted before
    /// this are lost, so the page waits for it.
    Ready,
    /// Progress, at least four times a second while reading.
    Progress(Progress),
    /// The finished report (report JSON) and timings.
    Report {
        /// `report::Report` as JSON.
        json: String,
        /// Time spent reading and parsing, ms.
        load_ms: f64,
        /// Time spent in the triage, ms.
        triage_ms: f64,
        /// Bytes of JSON text parsed.
        json_bytes: u64,
        /// Size of the worker's WebAssembly memory at the end, bytes.
        wasm_memory: u64,
    },
    /// The finished all-ranks report.
    Ranks {
        /// `report::ranks::RanksReport` as JSON.
        json: String,
        /// Time spent reading and parsing every rank, ms.
        load_ms: f64,
        /// Time spent aligning and matching, ms.
        analysis_ms: f64,
    },
    /// A finished A/B diff.
    Diff {
        /// `report::diff::DiffReport` as JSON.
        json: String,
    },
    /// A drawn timeline.
    Timeline {
        /// The SVG document (text from the trace is escaped by the renderer).
        svg: String,
        /// The window drawn.
        window: Window,
        /// The trace's first timestamp: zero of the axis.
        origin_ns: i64,
        /// Stage spans and their steps, for one-click zoom.
        stages: Vec<StageSpan>,
        /// Number of lanes.
        lanes: usize,
    },
    /// What is under the cursor (`None`: nothing).
    Hover {
        /// The activity.
        hover: Option<Hover>,
    },
    /// A layers report and its heat map.
    Layers {
        /// `report::layers::LayersReport` as JSON.
        json: String,
        /// The heat map of the pass shown (SVG; text from the trace is escaped).
        svg: String,
    },
    /// Loading failed; a sentence for the page.
    Error {
        /// What went wrong.
        message: String,
    },
}
