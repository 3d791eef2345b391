//! One rank's trace reduced to what the all-ranks comparison needs, as an owned value:
//! the trace can be dropped as soon as it is reduced, so comparing many ranks holds
//! ranks × collectives, not ranks × events. [`super::compare_reductions`] gives the same
//! report from reductions as [`super::compare`] from the traces.
//!
//! A reduction is plain data (serde), so it can be written to a file where the trace is
//! (`tracetriage reduce`, the `report` crate's versioned `tracetriage.rank-reduction`
//! document) and compared on another machine, or sent from a browser worker to another.

use serde::{Deserialize, Serialize};

use crate::analysis::diffusion::DiffusersStacks;
use crate::results::ranks::EndsEarly;
use crate::vocab::{Category, Family, Stage, StageSource};

/// One rank's trace, reduced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankReduction {
    /// The trace's path as given when it was reduced (the browser: the file name).
    pub path: String,
    /// `distributedInfo.rank`, if the trace has it.
    pub distributed_rank: Option<i64>,
    /// `distributedInfo.world_size`, if the trace has it.
    pub world_size: Option<i64>,
    /// GPU name of the compared device (or of the trace's only device).
    pub gpu: Option<String>,
    /// The device whose work is compared (the one with the most GPU time); `None` without
    /// GPU activity.
    pub device: Option<i64>,
    /// Other devices with work: `(device, GPU time ns)`.
    pub other_devices: Vec<(i64, i64)>,
    /// `baseTimeNanoseconds`, if the trace has it.
    pub base_time_ns: Option<i64>,
    /// Events in the file.
    pub events: u64,
    /// Uncompressed JSON bytes.
    pub json_bytes: u64,
    /// The diffusion backend gate's stack evidence, when the trace's Python stacks run
    /// diffusers pipelines under SGLang's diffusion runtime.
    pub diffusers: Option<DiffusersStacks>,
    /// Kernel names (canonical and normalised), referred to by index.
    pub names: Vec<String>,
    /// The stage split of the compared device, in the triage's stage order.
    pub stages: Vec<StageReduction>,
    /// Communication kernels of the compared device in start order (then end, stream,
    /// GPU row).
    pub comms: Vec<CommReduction>,
    /// Set when the trace ends early (cut short): its figures cover only what came before
    /// the cut. Absent from the files of traces that are whole, and of older builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_early: Option<EndsEarly>,
}

/// One stage of one rank.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageReduction {
    /// The stage.
    pub stage: Stage,
    /// How it was decided.
    pub source: StageSource,
    /// GPU wall time of the stage's steps, ns (the triage report's stage summary).
    pub span_ns: i64,
    /// Union of GPU activity intervals, ns.
    pub busy_ns: i64,
    /// `busy / span` as a percentage.
    pub utilization_pct: f64,
    /// Σ GPU activity durations, ns.
    pub kernel_ns: i64,
    /// GPU activities.
    pub launches: u64,
    /// Σ GPU activity durations as written (negative ones included), ns: what the "under
    /// 1% of every rank's GPU time" rule for work outside the stages weighs.
    pub gpu_ns: i64,
    /// Per normalised kernel name, in first-launch order.
    pub kernels: Vec<KernelTotal>,
}

/// One normalised kernel name's total in one stage of one rank.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelTotal {
    /// Normalised name (index into [`RankReduction::names`]).
    pub norm: u32,
    /// Category of its first launch.
    pub category: Category,
    /// Σ durations (negative ones as 0), ns.
    pub ns: i64,
    /// Launches.
    pub launches: u64,
    /// Per canonical name (index into [`RankReduction::names`]): Σ durations, ns, in
    /// first-launch order.
    pub canonical: Vec<(u32, i64)>,
}

/// One communication kernel of one rank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommReduction {
    /// The collective family.
    pub family: Family,
    /// Start as written, ns.
    pub start: i64,
    /// End as written, ns (≥ `start`).
    pub end: i64,
    /// The stage the kernel belongs to on this rank.
    pub stage: Stage,
    /// Normalised name (index into [`RankReduction::names`]).
    pub norm: u32,
    /// Canonical name (index into [`RankReduction::names`]).
    pub canonical: u32,
    /// Where some compute kernel of the rank ran inside `[start, end)`: sorted disjoint
    /// intervals, clipped to the kernel.
    pub compute: Vec<(i64, i64)>,
}

impl RankReduction {
    /// The name at `index` (empty when out of range).
    #[must_use]
    pub fn name(&self, index: u32) -> &str {
        self.names.get(index as usize).map_or("", String::as_str)
    }

    /// The stage `stage`, if this rank has work in it.
    #[must_use]
    pub fn stage(&self, stage: Stage) -> Option<&StageReduction> {
        self.stages.iter().find(|s| s.stage == stage)
    }

    /// Communication kernels of one family, with their index, in start order.
    pub fn comms_of(&self, family: Family) -> impl Iterator<Item = (usize, &CommReduction)> {
        self.comms.iter().enumerate().filter(move |(_, c)| c.family == family)
    }
}

impl CommReduction {
    /// Length of `[a, b)` (inside the kernel) where some compute kernel ran, ns.
    #[must_use]
    pub fn covered(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        self.compute.iter().map(|&(s, e)| (e.min(b) - s.max(a)).max(0)).sum()
    }
}
