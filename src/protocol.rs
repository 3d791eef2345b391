//! The page ↔ worker protocol, shared by both sides (and by an engine worker talking to its
//! child workers): typed requests, their typed answers, progress and errors.
//!
//! Every request travels in an [`Envelope`] with a fresh [`RequestId`], and every message a
//! worker posts about it comes back in a [`Reply`] carrying the same id, so the page hands
//! each answer, progress message or error to the request that asked (`crate::client`).
//! Messages are JSON strings; files travel beside them as `File` objects, which the browser
//! hands over without copying.
//!
//! Adding a message: a request struct and its answer struct here, one variant each in
//! [`ToWorker`] and [`FromWorker`], one line in the `asks!` table (which also gives the
//! request its [`Lane`]), and its handler in the worker's dispatch (`crate::worker`).

use report::engine::timeline::Hover;
use report::engine::timeline::StageSpan;
use report::engine::timeline::Window;
use report::engine::timeline::spots::Spot;
use serde::{Deserialize, Serialize};

/// Identifies one request to a worker; the page hands out a fresh one per request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u64);

/// What the page posts (as JSON, beside the attached files): a request and its id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Echoed on every message about this request.
    pub id: RequestId,
    /// The request.
    pub request: ToWorker,
}

/// Just the id of an envelope, read when the rest of it is malformed (so the error still
/// reaches the request that asked).
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct EnvelopeId {
    /// The request's id.
    pub id: RequestId,
}

/// What a worker posts (as JSON): a message about request `id`, or about the worker itself
/// (`id: None`: [`FromWorker::Ready`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The request this message is about.
    pub id: Option<RequestId>,
    /// The message.
    pub message: FromWorker,
}

/// An extra catalog file chosen by the user (`--catalog` in the CLI).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCatalog {
    /// File name, for error messages.
    pub name: String,
    /// Its TOML text.
    pub text: String,
}

/// Load the attached files and triage them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriageRequest {
    /// Display path of each file (its relative path inside a dropped folder).
    pub paths: Vec<String>,
    /// Per-row share cutoff, percent.
    pub min_share_pct: f64,
    /// `server_args.json` text found beside the traces.
    pub server_args: Option<String>,
    /// An extra catalog file.
    pub catalog: Option<UserCatalog>,
    /// Display path of each graph-capture trace, attached after the traces (see
    /// [`report::engine::analysis::capture::CaptureIndex`]).
    #[serde(default)]
    pub captures: Vec<String>,
    /// A model `config.json` chosen with the traces (its text), for the roofline of MoE
    /// layers and of attention from step aggregates.
    #[serde(default)]
    pub model_config: Option<String>,
    /// Server logs chosen with the traces (their names and text), for the diffusion backend
    /// gate ([`report::gate`]): a log saying the diffusers backend ran refuses the triage.
    #[serde(default)]
    pub server_logs: Vec<report::gate::ServerLog>,
    /// Keep only events overlapping this time range (trace ns): the window offered when
    /// the whole trace would not fit in the tab ([`split_window_offer`]).
    #[serde(default)]
    pub window_ns: Option<(i64, i64)>,
    /// The tab's memory budget, MiB (`None`: [`MEMORY_BUDGET_MIB`]; the page's `?memory=`).
    #[serde(default)]
    pub memory_mib: Option<u64>,
}

/// The engine worker's memory budget, MiB: a trace whose model is estimated not to fit is
/// refused early, with a time window offered instead.
pub const MEMORY_BUDGET_MIB: u64 = 2048;

/// Marks a time window offered at the end of an error message.
const WINDOW_MARK: &str = "\n\u{1}window=";

/// An error message that offers to load the events in `from_ns..=to_ns` instead.
#[must_use]
pub fn with_window_offer(message: &str, window: (i64, i64)) -> String {
    format!("{message}{WINDOW_MARK}{},{}", window.0, window.1)
}

/// The sentence of an error message and the time window it offers, if any
/// ([`with_window_offer`]).
#[must_use]
pub fn split_window_offer(message: &str) -> (&str, Option<(i64, i64)>) {
    let Some((text, tail)) = message.split_once(WINDOW_MARK) else { return (message, None) };
    let window = tail.split_once(',').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    (text, window)
}

/// Two-trace mode: load the attached files and triage them as mapping + formal traces
/// (`tracetriage triage --mapping … --formal …`). Later retriages keep the roles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RolesRequest {
    /// Display path of each file.
    pub paths: Vec<String>,
    /// Role of each file: `mapping` or `formal` (mapping files first).
    pub roles: Vec<String>,
    /// Per-row share cutoff, percent.
    pub min_share_pct: f64,
    /// An extra catalog file.
    pub catalog: Option<UserCatalog>,
    /// Display path of each graph-capture trace, attached after the traces.
    #[serde(default)]
    pub captures: Vec<String>,
}

/// Triage the traces already loaded again (another cutoff or catalog).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetriageRequest {
    /// Per-row share cutoff, percent.
    pub min_share_pct: f64,
    /// An extra catalog file.
    pub catalog: Option<UserCatalog>,
}

/// Load the attached files (all ranks of one capture) and build the all-ranks report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RanksRequest {
    /// Display path of each file.
    pub paths: Vec<String>,
    /// Per-row share cutoff of the kernel spread tables, percent.
    pub min_share_pct: f64,
    /// `server_args.json` text found beside the traces.
    #[serde(default)]
    pub server_args: Option<String>,
    /// Server logs chosen with the traces, for the diffusion backend gate (as
    /// [`TriageRequest::server_logs`]).
    #[serde(default)]
    pub server_logs: Vec<report::gate::ServerLog>,
    /// Display paths of rank-reduction files (`.ttr`), attached after the traces: read
    /// with [`report::ranks::reduction::from_bytes`] and compared with the traces'
    /// reductions.
    #[serde(default)]
    pub reductions: Vec<String>,
}

/// Load and triage two runs (the attached files: A's, then B's) and compare them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffRequest {
    /// Display paths of A's files (the first `a_paths.len()` attachments).
    pub a_paths: Vec<String>,
    /// Display paths of B's files (the rest).
    pub b_paths: Vec<String>,
}

/// Sent by an engine worker to a child engine worker: load the attached file and post it
/// back as `{encoded: ArrayBuffer}` (`report::trace::Trace::to_bytes`, transferred), or
/// with `reduce` its all-ranks reduction (the JSON of a
/// `report::ranks::reduction::RankFile`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EncodeRequest {
    /// Display path of the file.
    pub paths: Vec<String>,
    /// Send the trace's all-ranks reduction instead of the trace.
    #[serde(default)]
    pub reduce: bool,
}

/// Draw a window of an input's timeline as SVG.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineRequest {
    /// Index of the input trace.
    pub input: usize,
    /// The window; `None` draws the busiest step of `stage` (or the whole trace).
    pub window: Option<Window>,
    /// The stage whose busiest step is the default window (`extend/prefill`, `decode`, …).
    pub stage: Option<String>,
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// Colours from the page's CSS: `(name, css colour)`, names `background`, `text`,
    /// `grid`, `overlap`, `idle`, `stage` and category labels.
    pub palette: Vec<(String, String)>,
}

/// What is under the cursor on a drawn timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoverRequest {
    /// Index of the input trace.
    pub input: usize,
    /// The drawn window.
    pub window: Window,
    /// Drawing width, px.
    pub width: u32,
    /// Drawing height, px.
    pub height: u32,
    /// Cursor x, px.
    pub x: f64,
    /// Cursor y, px.
    pub y: f64,
}

/// Where rows of a stage live in time (for Open in Perfetto): each spot's window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpotsRequest {
    /// Index of the input trace.
    pub input: usize,
    /// The stage's label (`extend/prefill`, `decode`, …).
    pub stage: String,
    /// What to look for ([`report::perfetto::row_spot`] of each row).
    pub spots: Vec<Spot>,
}

/// Forward passes and layers of an input (`tracetriage layers`), with the heat map of the
/// pass shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayersRequest {
    /// Index of the input trace.
    pub input: usize,
    /// The model's `config.json` text.
    pub config: Option<String>,
    /// A profile name (`--profile`).
    pub profile: Option<String>,
    /// An anchor substring (`--anchor-kernel`).
    pub anchor: Option<String>,
    /// The pass shown (default: the steady-state pick).
    pub pass: Option<usize>,
    /// A layer of that pass to list kernel by kernel.
    pub layer: Option<usize>,
    /// Heat-map width, px.
    pub width: u32,
    /// Heat-map height, px.
    pub height: u32,
    /// Colours, as for [`TimelineRequest`].
    pub palette: Vec<(String, String)>,
}

/// A request to a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// See [`TriageRequest`].
    Triage(TriageRequest),
    /// See [`RolesRequest`].
    TriageRoles(RolesRequest),
    /// See [`RetriageRequest`].
    Retriage(RetriageRequest),
    /// See [`RanksRequest`].
    Ranks(RanksRequest),
    /// See [`DiffRequest`].
    Diff(DiffRequest),
    /// See [`EncodeRequest`].
    Encode(EncodeRequest),
    /// See [`TimelineRequest`].
    Timeline(TimelineRequest),
    /// See [`HoverRequest`].
    Hover(HoverRequest),
    /// See [`LayersRequest`].
    Layers(LayersRequest),
    /// See [`SpotsRequest`].
    Spots(SpotsRequest),
}

/// Progress of a running load.
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

/// A finished triage: the report JSON and timings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Triaged {
    /// `report::Report` as JSON.
    pub json: String,
    /// Time spent reading and parsing, ms.
    pub load_ms: f64,
    /// Time spent in the triage, ms.
    pub triage_ms: f64,
    /// Bytes of JSON text parsed.
    pub json_bytes: u64,
    /// Size of the worker's WebAssembly memory at the end, bytes.
    pub wasm_memory: u64,
    /// What the page should say beside the report: capture traces that could not be read
    /// (the triage went on without them).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A finished all-ranks report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RanksDone {
    /// `report::ranks::RanksReport` as JSON.
    pub json: String,
    /// Time spent reading and parsing every rank, ms.
    pub load_ms: f64,
    /// Time spent aligning and matching, ms.
    pub analysis_ms: f64,
}

/// A finished A/B diff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffDone {
    /// `report::diff::DiffReport` as JSON.
    pub json: String,
}

/// A drawn timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drawn {
    /// The SVG document (text from the trace is escaped by the renderer).
    pub svg: String,
    /// The window drawn.
    pub window: Window,
    /// The trace's first timestamp: zero of the axis.
    pub origin_ns: i64,
    /// Stage spans and their steps, for one-click zoom.
    pub stages: Vec<StageSpan>,
    /// Number of lanes.
    pub lanes: usize,
}

/// What is under the cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoverFacts {
    /// The activity (`None`: nothing).
    pub hover: Option<Hover>,
}

/// The windows of a stage's spots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spotted {
    /// The stage's span and steps (`None`: the stage has no GPU work on the timeline).
    pub stage: Option<StageSpan>,
    /// Each spot's window, in the request's order (`None`: not found in the stage).
    pub windows: Vec<Option<Window>>,
}

/// A layers report and its heat map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayersDone {
    /// `report::layers::LayersReport` as JSON.
    pub json: String,
    /// The heat map of the pass shown (SVG; text from the trace is escaped).
    pub svg: String,
}

/// A message from a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's engine is loaded and it listens for requests. Messages posted before
    /// this are lost, so the page waits for it.
    Ready,
    /// Progress, at least four times a second while reading.
    Progress(Progress),
    /// See [`Triaged`].
    Report(Triaged),
    /// See [`RanksDone`].
    Ranks(RanksDone),
    /// See [`DiffDone`].
    Diff(DiffDone),
    /// See [`Drawn`].
    Timeline(Drawn),
    /// See [`HoverFacts`].
    Hover(HoverFacts),
    /// See [`LayersDone`].
    Layers(LayersDone),
    /// See [`Spotted`].
    Spots(Spotted),
    /// The request failed; a sentence for the page.
    Error {
        /// What went wrong.
        message: String,
    },
}

impl FromWorker {
    /// Whether this message ends its request (an answer or an error; progress does not).
    #[must_use]
    pub fn is_final(&self) -> bool {
        !matches!(self, FromWorker::Ready | FromWorker::Progress(_))
    }
}

/// Requests that supersede each other: a new request in a lane replaces the one still
/// pending there, whose later messages are dropped (the page shows the newest triage, the
/// newest drawing, the newest hover facts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// Loading and analysing: triage, two-trace triage, retriage, all ranks, diff.
    Analysis,
    /// A timeline drawing.
    Timeline,
    /// Hover facts.
    Hover,
    /// A layers report.
    Layers,
    /// A child worker's load (never sent by the page).
    Encode,
    /// Row windows for Open in Perfetto.
    Spots,
}

impl ToWorker {
    /// The lane this request supersedes others in.
    #[must_use]
    pub fn lane(&self) -> Lane {
        match self {
            ToWorker::Triage(_)
            | ToWorker::TriageRoles(_)
            | ToWorker::Retriage(_)
            | ToWorker::Ranks(_)
            | ToWorker::Diff(_) => Lane::Analysis,
            ToWorker::Encode(_) => Lane::Encode,
            ToWorker::Timeline(_) => Lane::Timeline,
            ToWorker::Hover(_) => Lane::Hover,
            ToWorker::Layers(_) => Lane::Layers,
            ToWorker::Spots(_) => Lane::Spots,
        }
    }
}

/// A request the page sends, paired with the type of its answer.
pub trait Ask: Into<ToWorker> {
    /// What the worker answers.
    type Answer;

    /// The answer in `message`.
    ///
    /// # Errors
    /// The kind of `message` (as on the wire) when it is not this request's answer.
    fn answer(message: FromWorker) -> Result<Self::Answer, String>;
}

/// Pairs each request with its [`ToWorker`] variant and its answer's [`FromWorker`] variant.
macro_rules! asks {
    ($($request:ident => $variant:ident, $answer_variant:ident($answer:ident);)*) => {$(
        impl From<$request> for ToWorker {
            fn from(request: $request) -> ToWorker {
                ToWorker::$variant(request)
            }
        }

        impl Ask for $request {
            type Answer = $answer;

            fn answer(message: FromWorker) -> Result<$answer, String> {
                match message {
                    FromWorker::$answer_variant(answer) => Ok(answer),
                    other => Err(kind(&other)),
                }
            }
        }
    )*};
}

asks! {
    TriageRequest => Triage, Report(Triaged);
    RolesRequest => TriageRoles, Report(Triaged);
    RetriageRequest => Retriage, Report(Triaged);
    RanksRequest => Ranks, Ranks(RanksDone);
    DiffRequest => Diff, Diff(DiffDone);
    TimelineRequest => Timeline, Timeline(Drawn);
    HoverRequest => Hover, Hover(HoverFacts);
    LayersRequest => Layers, Layers(LayersDone);
    SpotsRequest => Spots, Spots(Spotted);
}

impl From<EncodeRequest> for ToWorker {
    fn from(request: EncodeRequest) -> ToWorker {
        ToWorker::Encode(request)
    }
}

/// What the page's handler of a request of type `A` is told.
#[derive(Clone, Debug, PartialEq)]
pub enum Event<A> {
    /// Progress of the request (loads only).
    Progress(Progress),
    /// The answer; the request is finished.
    Answer(A),
    /// The request failed: a sentence for the page; the request is finished.
    Failed(String),
}

impl<A> Event<A> {
    /// The event for a message about a request of type `R`.
    #[must_use]
    pub fn of<R: Ask<Answer = A>>(message: FromWorker) -> Event<A> {
        match message {
            FromWorker::Progress(p) => Event::Progress(p),
            FromWorker::Error { message } => Event::Failed(message),
            other => match R::answer(other) {
                Ok(answer) => Event::Answer(answer),
                Err(kind) => Event::Failed(format!("unexpected answer from the worker: {kind}")),
            },
        }
    }
}

/// A message's kind, as on the wire.
fn kind(message: &FromWorker) -> String {
    serde_json::to_value(message)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_keep_their_wire_form() {
        let envelope = Envelope {
            id: RequestId(7),
            request: RetriageRequest { min_share_pct: 1.0, catalog: None }.into(),
        };
        let text = serde_json::to_string(&envelope).unwrap();
        assert_eq!(text, r#"{"id":7,"request":{"kind":"retriage","min_share_pct":1.0,"catalog":null}}"#);
        assert_eq!(serde_json::from_str::<Envelope>(&text).unwrap(), envelope);
        let id: EnvelopeId = serde_json::from_str(r#"{"id":9,"request":{"kind":"nonsense"}}"#).unwrap();
        assert_eq!(id.id, RequestId(9));
    }

    #[test]
    fn an_error_can_offer_a_time_window() {
        let message = with_window_offer("too large", (-5, 1_000_000_000_000));
        assert_eq!(split_window_offer(&message), ("too large", Some((-5, 1_000_000_000_000))));
        assert_eq!(split_window_offer("plain"), ("plain", None));
    }

    #[test]
    fn replies_carry_the_id_of_their_request() {
        let reply = Reply { id: Some(RequestId(3)), message: FromWorker::Hover(HoverFacts { hover: None }) };
        let text = serde_json::to_string(&reply).unwrap();
        assert_eq!(text, r#"{"id":3,"message":{"kind":"hover","hover":null}}"#);
        assert_eq!(serde_json::from_str::<Reply>(&text).unwrap(), reply);
        let ready: Reply = serde_json::from_str(r#"{"id":null,"message":{"kind":"ready"}}"#).unwrap();
        assert_eq!(ready.message, FromWorker::Ready);
    }

    #[test]
    fn events_are_typed_by_the_request() {
        let drawn = FromWorker::Hover(HoverFacts { hover: None });
        assert_eq!(Event::of::<HoverRequest>(drawn.clone()), Event::Answer(HoverFacts { hover: None }));
        assert_eq!(
            Event::of::<TimelineRequest>(drawn),
            Event::Failed("unexpected answer from the worker: hover".to_owned())
        );
        let error = FromWorker::Error { message: "no".to_owned() };
        assert_eq!(Event::of::<TriageRequest>(error), Event::Failed("no".to_owned()));
        assert!(!FromWorker::Progress(Progress::default()).is_final());
        assert!(FromWorker::Error { message: String::new() }.is_final());
    }
}
