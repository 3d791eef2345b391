//! Capture traces in a report: what each held, and per stage how its graph-replayed time
//! was matched with their recorded launches.

use serde::{Deserialize, Serialize};

/// One capture root: the graphs of one batch size and mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureRoot {
    /// Batch size it was captured for (`capture_<bs>_…`, SGLang's `bs_<bs>_…` file name).
    pub batch: Option<u32>,
    /// Mode word (`PIECEWISE`, `FULL`, `DECODE`…), empty when unknown.
    pub mode: String,
    /// Capture windows (graphs, or pieces of a piecewise graph).
    pub windows: usize,
    /// Launches recorded in its windows.
    pub launches: usize,
}

/// One capture trace given to the triage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureInfo {
    /// The path (or file name in the browser) as given.
    pub path: String,
    /// Its rank: `distributedInfo`, else the file name.
    pub rank: Option<i64>,
    /// Its capture roots, in capture order.
    pub roots: Vec<CaptureRoot>,
    /// Launches recorded inside capture windows.
    pub launches: usize,
    /// Of them, launches with a Python location (not only a `record_function` scope).
    pub with_stacks: usize,
}

/// Why a graph-replayed activity was not aligned with a launch recorded in a capture trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum CaptureMiss {
    /// No capture trace of this rank was given.
    NoCapture,
    /// No capture root with as many windows as the step's graph launches, for its batch
    /// size or a larger one.
    NoRoot {
        /// The step's graph batch size, when its annotation says it.
        batch: Option<u32>,
        /// Graph launches in the step.
        launches: usize,
    },
    /// Its window recorded no launch of this kernel at this place.
    NotRecorded,
}

/// One reason graph-replayed time was not aligned, with that time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaptureMissTime {
    /// Why.
    #[serde(flatten)]
    pub why: CaptureMiss,
    /// Graph-replayed GPU time it covers, ns.
    pub ns: i64,
}

/// How a stage's graph-replayed time was matched with capture traces (only when capture
/// traces were given).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaptureCoverage {
    /// Whether capture traces were given (false: nothing below applies).
    pub computed: bool,
    /// Σ graph-replayed GPU time of the stage, ns.
    pub replayed_ns: i64,
    /// Of it, aligned with a recorded launch, ns.
    pub aligned_ns: i64,
    /// The rest by reason, most time first.
    pub missed: Vec<CaptureMissTime>,
    /// Whether the captured launches had no Python stacks (their `record_function` scope
    /// stands in; vLLM's `torch_profiler_with_stack` turns stacks on).
    pub without_stacks: bool,
}
