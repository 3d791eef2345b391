//! The verdict of a stage (what bounds it), its GPU time by category, the ranked list of
//! what to fix first with an upper-bound saving each, and the trace's health (what limits
//! its evidence). Filled by `analysis::verdict` from the figures the other tables already
//! hold; the rules are documented there and in `docs/report-json.md`. No sentences: the
//! `report` crate writes the verdict line and each finding's text.

use serde::{Deserialize, Serialize};

use super::overlap::BubbleCause;
use super::roofline::Bound;
use crate::vocab::{Category, Family, Via};

/// GPU time of one category in a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryTime {
    /// The category.
    pub category: Category,
    /// Σ durations of its activities, ns.
    pub gpu_ns: i64,
    /// Share of the stage's Σ GPU activity time, %.
    pub share_pct: f64,
}

/// A kernel named by a verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedKernel {
    /// Canonical kernel name (the kernel table's row key).
    pub name: String,
    /// Its demangled base name without namespaces (`all_reduce_two_shot_kernel`).
    pub short: String,
    /// Its GPU time in the stage, ns.
    pub gpu_ns: i64,
    /// Its share of the stage's Σ GPU activity time, %.
    pub share_pct: f64,
}

/// How a group of kernels sits under the roofline (time-weighted over the kernels with a
/// figure).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoofRead {
    /// What bounds most of the figured time (two thirds or more of it).
    pub bound: Bound,
    /// Time-weighted achieved rate over the achievable roof (1.0 is at the roof).
    pub roof_fraction: f64,
    /// Share of the group's GPU time that has a figure, %.
    pub figured_pct: f64,
}

/// A collective that looks like it waits for peer ranks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeerWait {
    /// Its longest launch, ns.
    pub max_ns: i64,
    /// Its median launch, ns.
    pub median_ns: i64,
}

/// What bounds a stage. The first rule that holds decides (see `analysis::verdict`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reading {
    /// The stage ran no GPU work.
    #[default]
    Empty,
    /// Communication no compute hides takes a large share of the GPU's busy time.
    Communication {
        /// The collective family of the largest communication kernel.
        family: Family,
        /// That kernel.
        kernel: NamedKernel,
        /// All communication as a share of the stage's Σ GPU time, %.
        comm_share_pct: f64,
        /// Of the communication time, how much no compute hid, %.
        exposed_pct: f64,
        /// Exposed communication as a share of the GPU's busy time, %.
        busy_share_pct: f64,
        /// Set when the kernel's longest launch dwarfs its median (or it alone is exposed
        /// for a quarter of the busy time): it likely waits for peer ranks.
        waiting: Option<PeerWait>,
    },
    /// The GPU sat idle inside the steps while the CPU launched, synchronised or ran Python.
    Launch {
        /// Idle time inside the steps as a share of their wall time, %.
        idle_pct: f64,
        /// Of the idle time, how much the CPU-side causes explain, %.
        cpu_pct: f64,
        /// The largest CPU-side cause.
        cause: BubbleCause,
        /// Its share of the idle time, %.
        cause_pct: f64,
        /// Share of the stage's GPU time replayed by CUDA/HIP graphs, %.
        graph_pct: f64,
    },
    /// One category of kernels takes most of the GPU time.
    Kernels {
        /// The category.
        category: Category,
        /// Its share of the stage's Σ GPU time, %.
        share_pct: f64,
        /// Its largest kernels (up to three, together at least 80% of the category's time
        /// when three suffice), most time first.
        top: Vec<NamedKernel>,
        /// Kernels of the category in the stage.
        kernels: u64,
        /// How its kernels sit under the roofline, when enough of its time has a figure.
        roof: Option<RoofRead>,
    },
    /// No category dominates, but most of the figured kernel time is bound one way.
    Roofline {
        /// The roofline reading of all kernels with a figure.
        roof: RoofRead,
    },
    /// Nothing dominates.
    Balanced {
        /// The three largest categories.
        top: Vec<CategoryTime>,
    },
}

/// Where a finding came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixKind {
    /// Communication no compute hides (overlap table).
    ExposedComm,
    /// A collective waiting for peer ranks (overlap table).
    PeerWait,
    /// Copies or fills on the critical path (overlap table).
    Copies,
    /// Copy kernels (PyTorch's copy, cat and cast kernels) on the critical path (overlap table).
    CopyKernels,
    /// Idle GPU time while the CPU launched, ran Python or operator code (bubbles).
    LaunchGaps,
    /// Idle GPU time behind synchronising calls or blocking copies (bubbles).
    SyncGaps,
    /// Split kernels of a family whose fused path exists (fuse table).
    Fuse,
    /// A kernel far below its roof (kernel table, roofline).
    BelowRoof,
}

/// Which table row a finding points at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowRef {
    /// `overlap`, `fuse` or `kernels`.
    pub table: String,
    /// The row's key: the kernel name, the catalog id, or `GPU idle (bubbles)`.
    pub key: String,
}

/// One thing to fix, with an upper bound of what it would save.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// The finding's citable id (`decode/fix/<kind>/<subject>`), unique within its report;
    /// written by the `report` crate (empty in the engine's value and in older reports).
    #[serde(default)]
    pub row_id: String,
    /// Where it came from.
    pub kind: FixKind,
    /// What it is about: a kernel name, a fuse pattern's name, or `GPU idle`.
    pub subject: String,
    /// Its category, when it is a kernel.
    pub category: Option<Category>,
    /// Estimated saving over the whole stage (upper bound), ns.
    pub saving_ns: i64,
    /// The same per step (`saving / steps`; the whole stage when it has no steps), ns.
    pub per_step_ns: i64,
    /// The saving as a share of the stage's wall time, %.
    pub stage_pct: f64,
    /// The Python location that launched it (`unmapped` when unknown).
    pub location: String,
    /// Whether that location is a graph launch (the kernels are replays).
    pub graph: bool,
    /// How that location was found.
    pub via: Via,
    /// The catalog entry id (fuse findings) or the overlap table's recommendation label.
    pub basis: String,
    /// Figures of the estimate's model: a count (launches or split kernels) and a ratio
    /// (roof fraction, exposed share) where the model has them.
    pub count: u64,
    /// See `count`.
    pub ratio: Option<f64>,
    /// The row it comes from.
    pub row: RowRef,
    /// The finding as one line with its estimate's model (written by the `report` crate;
    /// empty in the engine's value).
    #[serde(default)]
    pub text: String,
}

/// A stage's verdict.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StageVerdict {
    /// Whether it was computed (false in reports of older builds).
    pub computed: bool,
    /// What bounds the stage.
    pub reading: Reading,
    /// The verdict as one line (written by the `report` crate; empty in the engine's value).
    pub text: String,
    /// GPU time by category, most first.
    pub categories: Vec<CategoryTime>,
}

/// One thing that limits a trace's evidence, with what it means and how to fix it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceHealth {
    /// Which input (index into the triage's inputs).
    pub input: usize,
    /// What was found.
    #[serde(flatten)]
    pub finding: Health,
    /// What it limits (written by the `report` crate; empty in the engine's value).
    #[serde(default)]
    pub text: String,
    /// How to record a better trace (written by the `report` crate).
    #[serde(default)]
    pub fix: String,
}

/// What limits a trace's evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Health {
    /// No Python stacks: locations are `record_function` scopes or nothing.
    NoStacks {
        /// The framework id (the fix depends on it).
        framework: String,
    },
    /// CPU ops carry no `Input Dims`: no roofline, no shapes.
    NoShapes {
        /// The framework id.
        framework: String,
    },
    /// Only GPU activity was recorded: no CPU ops, runtime calls or Python frames.
    GpuOnly,
    /// Graph replays whose kernels point at the graph launch only: no capture traces.
    GraphWithoutCapture {
        /// Share of the GPU time replayed by graphs, %.
        graph_pct: f64,
        /// The framework id.
        framework: String,
    },
    /// Steps ran while the GPU stream recorded no activity: dropped activity.
    DroppedActivity {
        /// Steps with CPU work but no GPU activity, among steps of stages with GPU work.
        steps: u64,
        /// All steps of those stages.
        of: u64,
    },
    /// ROCm graph launches without flows to the replayed kernels.
    RocmGraphWithoutFlows {
        /// `hipGraphLaunch` calls.
        launches: u64,
    },
    /// GPU activities on PyTorch's logical graph lanes instead of streams.
    LogicalLanes {
        /// Activities put back on their stream (`original_stream`).
        moved: u64,
        /// Activities on a logical lane without a stream.
        without_stream: u64,
    },
    /// The trace was cut or damaged: events after the damage are missing.
    Damaged {
        /// The diagnostic kind (`truncated`, `gzip_corrupt`, `malformed_json`, …).
        diagnostic: String,
    },
}
