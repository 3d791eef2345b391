//! A stage's overlap-opportunity table: what sits exposed on the GPU's critical path
//! (communication no compute hides, copies, idle gaps) and what could be hidden by overlap
//! or removed by fusion, plus the stage's sweep figures, its idle-gap (bubble) breakdown
//! and a compact timeline strip of its busiest step. Filled by
//! `analysis::overlap`; the JSON form is documented in `docs/report-json.md`.

use serde::{Deserialize, Serialize};

use crate::vocab::Category;

/// A stage's overlap-opportunity table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OverlapTable {
    /// Whether the analysis ran for this stage (false in reports of older builds).
    pub computed: bool,
    /// Figures of the stage-wide interval sweep.
    pub sweep: SweepFigures,
    /// Rows at or above the share cutoff, by priority, then by recoverable time (most
    /// first), then in selection order (exposed work first).
    pub rows: Vec<OverlapRow>,
    /// Candidate rows below the cutoff (not listed).
    pub hidden_rows: u64,
    /// Their GPU time, ns.
    pub hidden_ns: i64,
    /// Headroom rows at or above the cutoff folded away as serial: neither communication
    /// nor a transfer, on a single busy stream (no other stream had work in any step they
    /// ran in), so nothing could overlap them.
    pub serial_folded_rows: u64,
    /// Their GPU time, ns.
    pub serial_folded_ns: i64,
    /// Idle gaps inside the stage's steps, by cause.
    pub bubbles: Bubbles,
    /// A compact strip picture of the stage's busiest step.
    pub timeline: Option<TimelineSummary>,
}

/// Figures of the stage-wide sweep over every kernel, copy and fill on every stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SweepFigures {
    /// GPU wall time of the stage's steps (as in the stage summary), ns.
    pub span_ns: i64,
    /// Union of all activity intervals, ns.
    pub busy_ns: i64,
    /// Time with at least two streams active, ns.
    pub overlap_ns: i64,
    /// Idle time inside the steps (`span − busy`), ns.
    pub idle_ns: i64,
    /// Σ activity durations, ns.
    pub kernel_ns: i64,
    /// Streams (device × stream lanes) with work in the stage.
    pub streams: u32,
    /// The most streams active at once.
    pub max_concurrent_streams: u32,
    /// Σ durations of communication kernels, ns.
    pub comm_ns: i64,
    /// Communication time during which no compute ran on another stream, ns.
    pub exposed_comm_ns: i64,
    /// Σ durations of copies and fills (memory category), ns.
    pub copy_ns: i64,
    /// Copy and fill time during which no other stream was busy, ns.
    pub exposed_copy_ns: i64,
}

/// The seed tool's verdict of a row, plus one for idle gaps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Mostly exposed: hiding or removing it would shorten the stage.
    Headroom,
    /// Communication that compute hides in part, with exposed time still worth a look.
    PartlyExposed,
    /// Mostly hidden already: little to gain.
    LowRoiHidden,
    /// The GPU sat idle inside the stage's steps.
    Bubbles,
}

impl Verdict {
    /// `headroom`, `partly-exposed`, `low-roi-hidden`, `bubbles`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Headroom => "headroom",
            Verdict::PartlyExposed => "partly-exposed",
            Verdict::LowRoiHidden => "low-roi-hidden",
            Verdict::Bubbles => "bubbles",
        }
    }
}

/// Dependency risk from the row's same-stream neighbours (anchor-spec §11.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DepRisk {
    /// No tight, dependent-looking neighbour.
    Low,
    /// A tight neighbour that looks like a data dependency.
    High,
    /// A tight neighbour whose source is unknown (graph replays, unresolved launches).
    Unclear,
    /// Not applicable (bubble rows).
    None,
}

impl DepRisk {
    /// `low`, `high`, `unclear`, `-`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            DepRisk::Low => "low",
            DepRisk::High => "high",
            DepRisk::Unclear => "unclear",
            DepRisk::None => "-",
        }
    }
}

/// What to try for a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recommendation {
    /// Run it beside compute on another stream.
    TryOverlap,
    /// Fuse it into a neighbour.
    TryFusion,
    /// Check what it depends on before moving it.
    CheckDeps,
    /// Not worth it.
    Skip,
    /// A collective that is probably waiting for peer ranks: triage all ranks.
    LoadAllRanks,
    /// Launch-bound idle time outside graphs: capture the step in a CUDA/HIP graph.
    TryGraphs,
    /// Idle time behind synchronising calls or blocking copies: remove the sync.
    AvoidSync,
    /// Idle time while the CPU ran Python or operator code: move work off the critical path.
    ReduceCpuWork,
}

impl Recommendation {
    /// The display text.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Recommendation::TryOverlap => "try overlap",
            Recommendation::TryFusion => "try fusion",
            Recommendation::CheckDeps => "check deps",
            Recommendation::Skip => "skip",
            Recommendation::LoadAllRanks => "load all ranks",
            Recommendation::TryGraphs => "try CUDA graphs",
            Recommendation::AvoidSync => "avoid sync",
            Recommendation::ReduceCpuWork => "reduce CPU work",
        }
    }
}

/// One row: a kernel family (canonical name × category), or the stage's idle gaps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverlapRow {
    /// The row's citable id (`decode/overlap/<kernel>`), unique within its report; written by
    /// the `report` crate (empty in the engine's value and in reports of older builds).
    #[serde(default)]
    pub row_id: String,
    /// 1 (most promising) to 5.
    pub priority: u8,
    /// Why the row is here.
    pub verdict: Verdict,
    /// Canonical kernel name, or `GPU idle (bubbles)`.
    pub kernel: String,
    /// The family's category (`None` for bubbles).
    pub category: Option<Category>,
    /// The Python location that launched most of its GPU time, or `unmapped`.
    pub python_scope: String,
    /// Whether that location is a graph launch (the kernels are replays).
    pub graph: bool,
    /// How that location was found: `direct`, `graph-launch`, `mapping`, `self-mapping`
    /// (eager twins of the kernel, see the kernel table's sites) or `none`.
    #[serde(default)]
    pub via: crate::vocab::Via,
    /// Activities (or gaps, for bubbles).
    pub launches: u64,
    /// Σ durations (idle time for bubbles), ns.
    pub total_ns: i64,
    /// Time no other stream was busy, ns.
    pub exclusive_ns: i64,
    /// Time another stream was busy (`total − exclusive`), ns.
    pub hidden_ns: i64,
    /// Time compute ran on another stream, ns.
    pub hidden_by_compute_ns: i64,
    /// Time on the critical path: for communication, time no compute hid; otherwise the
    /// exclusive time; for bubbles, the idle time. ns.
    pub exposed_ns: i64,
    /// Time that could actually be recovered, ns: for communication and for transfers
    /// (copies and fills that could move to a copy engine) the exposed time; for other
    /// headroom rows the exclusive time (they are listed only when another stream had work
    /// in their steps); 0 for low-ROI-hidden rows; for bubbles the idle time except gaps
    /// inside graph replays and before work already queued (GPU-side waits). 0 in reports
    /// of older builds.
    #[serde(default)]
    pub recoverable_ns: i64,
    /// `total` as a percentage of the stage's busy time (of its wall time for bubbles).
    pub share_pct: f64,
    /// Dependency risk.
    pub dep_risk: DepRisk,
    /// The seed's signal text (`serial risk low`, `prev-side serial risk`, …).
    pub dep_signal: String,
    /// What to try.
    pub recommendation: Recommendation,
    /// For a communication family that probably waits on peer ranks.
    pub waiting: Option<Waiting>,
    /// For copies and fills: directions and the syncs that forced them.
    pub copies: Option<Copies>,
}

/// Why a collective looks like it is waiting for other ranks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Waiting {
    /// Its exposed time as a share of the stage's busy time, percent.
    pub share_pct: f64,
    /// Its longest launch, ns.
    pub max_ns: i64,
    /// Its median launch, ns.
    pub median_ns: i64,
}

/// What a copy family moved and what forced it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Copies {
    /// Per direction, most time first.
    pub directions: Vec<CopyDirection>,
    /// Synchronising calls right after the copies' launches, most copies first.
    pub syncs: Vec<SyncCause>,
}

/// Copies of one direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopyDirection {
    /// `HtoD`, `DtoH`, `DtoD`, `PtoP`, `HtoH`, `copy` (direction not named), `fill` or
    /// `copy kernel`.
    pub direction: String,
    /// How many.
    pub launches: u64,
    /// Their GPU time, ns.
    pub gpu_ns: i64,
}

/// A sync that made the CPU wait for copies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncCause {
    /// The API (`cudaStreamSynchronize`, or a synchronous `cudaMemcpy` itself).
    pub api: String,
    /// The Python location of the copies' launches (or `unresolved`).
    pub location: String,
    /// Copies followed by it.
    pub copies: u64,
}

/// Causes of idle time, most specific first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BubbleCause {
    /// Between two kernels of one CUDA/HIP-graph replay: GPU-side, not the CPU.
    Graph,
    /// The next work was already launched when the gap began: a GPU-side wait
    /// (stream/event dependency, launch latency).
    Queued,
    /// The CPU was inside a launch API (`cudaLaunchKernel`, `cudaGraphLaunch`).
    Launch,
    /// The CPU was inside a synchronize call.
    Sync,
    /// The CPU was inside a memcpy/memset call.
    Memcpy,
    /// The CPU was inside an operator (dispatch, allocation) but no runtime call.
    CpuOp,
    /// The CPU ran Python between operators.
    Python,
    /// Nothing was recorded on the launching threads.
    Unrecorded,
}

impl BubbleCause {
    /// Every cause, in display order.
    pub const ALL: [BubbleCause; 8] = [
        BubbleCause::Graph,
        BubbleCause::Queued,
        BubbleCause::Launch,
        BubbleCause::Sync,
        BubbleCause::Memcpy,
        BubbleCause::CpuOp,
        BubbleCause::Python,
        BubbleCause::Unrecorded,
    ];

    /// Short display text.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            BubbleCause::Graph => "inside graph replays",
            BubbleCause::Queued => "work already queued (GPU-side wait)",
            BubbleCause::Launch => "CPU in launch API",
            BubbleCause::Sync => "CPU in synchronize",
            BubbleCause::Memcpy => "CPU in memcpy/memset call",
            BubbleCause::CpuOp => "CPU in operator code",
            BubbleCause::Python => "Python between ops",
            BubbleCause::Unrecorded => "nothing recorded",
        }
    }
}

/// Idle gaps inside the stage's steps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bubbles {
    /// Σ idle time, ns (equals the sweep's `idle_ns`).
    pub idle_ns: i64,
    /// Number of gaps.
    pub gaps: u64,
    /// Idle time per cause, in [`BubbleCause::ALL`] order, causes with time only.
    pub causes: Vec<CauseShare>,
    /// The longest gaps (up to three), longest first.
    pub largest: Vec<BubbleGap>,
}

/// Idle time of one cause.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CauseShare {
    /// The cause.
    pub cause: BubbleCause,
    /// Idle time, ns.
    pub ns: i64,
}

/// One idle gap.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BubbleGap {
    /// Start, ns (trace time).
    pub start_ns: i64,
    /// Length, ns.
    pub dur_ns: i64,
    /// Its main cause.
    pub cause: BubbleCause,
}

/// A strip picture of one step: per stream, one glyph per time bin.
///
/// Each glyph is the category with the most time in that bin on that stream
/// ([`crate::vocab::Category::glyph`]: `G` gemm, `A` attention, `=` communication, `+` memory, …;
/// `.` idle); `overlap` has `^` where two or more streams were busy in the bin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineSummary {
    /// The step's annotation text (empty when the stage has no steps).
    pub step: String,
    /// Window start, ns (trace time).
    pub start_ns: i64,
    /// Window end, ns.
    pub end_ns: i64,
    /// Width of one bin, ns.
    pub bin_ns: i64,
    /// One strip per stream, in device and stream order.
    pub lanes: Vec<StripLane>,
    /// Streams with work in the window not shown (beyond the first twelve).
    pub lanes_omitted: u32,
    /// `^` per bin with two or more streams busy, space otherwise.
    pub overlap: String,
}

/// One stream's strip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StripLane {
    /// Device ordinal.
    pub device: i64,
    /// Stream id.
    pub stream: i64,
    /// Busy time of the stream in the window, ns.
    pub busy_ns: i64,
    /// One glyph per bin.
    pub strip: String,
}

impl TimelineSummary {
    /// The strip of a lane as merged segments `(start_ns, end_ns, category)`, idle bins left out.
    #[must_use]
    pub fn segments(&self, lane: &StripLane) -> Vec<(i64, i64, Category)> {
        let mut out: Vec<(i64, i64, Category)> = Vec::new();
        for (b, ch) in lane.strip.chars().enumerate() {
            let Some(cat) = crate::vocab::Category::of_glyph(ch) else { continue };
            let b = i64::try_from(b).unwrap_or(i64::MAX);
            let start = self.start_ns.saturating_add(b.saturating_mul(self.bin_ns));
            let end = start.saturating_add(self.bin_ns).min(self.end_ns);
            match out.last_mut() {
                Some(last) if last.1 == start && last.2 == cat => last.1 = end,
                _ => out.push((start, end, cat)),
            }
        }
        out
    }
}
