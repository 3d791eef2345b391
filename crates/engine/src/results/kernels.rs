//! A stage's kernel table and headline figures: GPU time per kernel with its category,
//! share, launches and the Python sites that launched it.

use serde::{Deserialize, Serialize};

use super::capture::CaptureCoverage;
use super::roofline::RowRoofline;
use crate::vocab::{Category, MatchKind, Via};

/// Headline figures of a stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageSummary {
    /// First GPU activity start, ns.
    pub start_ns: i64,
    /// Last GPU activity end, ns.
    pub end_ns: i64,
    /// GPU wall time of the stage's steps (Σ per-step GPU extents; the extent of all work
    /// when the stage has no step windows), ns.
    pub span_ns: i64,
    /// Union of GPU activity intervals (time the GPU was doing anything), ns.
    pub busy_ns: i64,
    /// Σ GPU activity durations (kernels, copies, fills), ns.
    pub kernel_ns: i64,
    /// GPU activities.
    pub launches: u64,
    /// Σ durations of activities replayed by CUDA/HIP graphs, ns.
    pub graph_replay_ns: i64,
    /// Step windows (annotations) in the stage.
    pub steps: u64,
    /// `busy / span` as a percentage.
    pub utilization_pct: f64,
}

/// One Python site that launched a kernel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelSite {
    /// Normalised location, or `unresolved`.
    pub location: String,
    /// Framework frames, outermost first, ` -> `-joined (empty when none).
    pub stack: String,
    /// Launches from this site.
    pub launches: u64,
    /// GPU time of those launches, ns.
    pub gpu_ns: i64,
    /// Percentage of the row's GPU time.
    pub share_pct: f64,
    /// The most common cpu_op around those launches (empty when none).
    pub cpu_op: String,
    /// Whether these launches are graph replays.
    pub graph: bool,
    /// How the location was found: `direct`, `graph-launch` (the replaying graph launch's
    /// frame), `capture` (the launch recorded in a capture trace), `annotation` (baked into
    /// the replay's args), `mapping` or `self-mapping` (eager launches of the same kernel),
    /// `none`.
    #[serde(default)]
    pub via: Via,
    /// For mapped sites: how the kernel matched its eager twins (`exact`, `normalised`,
    /// `ambiguous`); `none` otherwise.
    #[serde(default, rename = "match")]
    pub matched: MatchKind,
}

/// One row of a kernel table: all launches of one kernel name in a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelRow {
    /// The row's citable id (`decode/kernel/<name>`), unique within its report; written by
    /// the `report` crate (empty in the engine's value and in reports of older builds).
    #[serde(default)]
    pub row_id: String,
    /// Canonical kernel name (argument list of `void …(…)` signatures removed).
    pub name: String,
    /// What the kernel does.
    pub category: Category,
    /// Σ durations, ns.
    pub gpu_ns: i64,
    /// Percentage of the stage's Σ GPU activity time.
    pub share_pct: f64,
    /// Launches (activities).
    pub launches: u64,
    /// Launches that were graph replays.
    pub graph_launches: u64,
    /// Python sites, most GPU time first.
    pub sites: Vec<KernelSite>,
    /// How the site with the most GPU time was found (`none` without sites).
    #[serde(default)]
    pub via: Via,
    /// The least certain match kind among the row's mapped sites; `none` when no site was
    /// mapped.
    #[serde(default, rename = "match")]
    pub matched: MatchKind,
    /// Roofline figures (`flops`, `bytes`, `achieved_tflops`, … at the row's top level;
    /// `null` where unknown).
    #[serde(flatten, default)]
    pub roofline: RowRoofline,
}

/// How much of a stage's GPU time is attributed to a Python location, and how.
/// `direct + capture + annotation + graph_launch + mapping + self_mapping + unattributed = total`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Coverage {
    /// Whether it was computed (false in reports of older builds).
    pub computed: bool,
    /// Σ GPU activity time of the stage, ns.
    pub total_ns: i64,
    /// Launched eagerly from a known Python location, ns.
    pub direct_ns: i64,
    /// Graph replays attributed to the graph launch's Python location, ns.
    pub graph_launch_ns: i64,
    /// Graph replays attributed to the launch recorded while the graph was captured, ns.
    pub capture_ns: i64,
    /// Graph replays attributed to the annotation baked into their args, ns.
    pub annotation_ns: i64,
    /// Of the attributed time, how much is attributed to a `record_function` scope
    /// rather than a Python frame (traces recorded without Python stacks), ns.
    pub scope_ns: i64,
    /// Whether the trace has no Python stacks (no `python_function` frames, no legacy
    /// `Call stack`): locations are `record_function` scopes at best.
    pub without_stacks: bool,
    /// How graph-replayed time was matched with capture traces.
    pub capture: CaptureCoverage,
    /// Attributed through the mapping traces' eager launches, ns.
    pub mapping_ns: i64,
    /// Attributed through eager launches elsewhere in the same traces, ns.
    pub self_mapping_ns: i64,
    /// No Python location, ns.
    pub unattributed_ns: i64,
    /// Of the mapped time (`mapping + self_mapping`): matched exactly, ns.
    pub exact_ns: i64,
    /// … matched by normalised name or family, ns.
    pub normalised_ns: i64,
    /// … matched eager launches from several locations (shares shown), ns.
    pub ambiguous_ns: i64,
}

/// A stage's kernel table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KernelTable {
    /// Rows at or above the share cutoff, most GPU time first.
    pub rows: Vec<KernelRow>,
    /// Rows below the cutoff (not listed).
    pub hidden_rows: u64,
    /// Their GPU time, ns.
    pub hidden_ns: i64,
    /// Σ GPU time of all rows (the share denominator), ns.
    pub total_ns: i64,
}
