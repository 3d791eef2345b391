//! The all-ranks analysis's values: several traces of one capture (one per rank) side by
//! side, aligned in time, with per-rank figures, collective arrival skew and per-kernel
//! spread. The versioned document (`docs/ranks-json.md`) wraps them.

use serde::{Deserialize, Serialize};

use super::notes::Note;
use crate::vocab::{Family, Stage, StageSource};

/// How the traces were put on one time axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alignment {
    /// Every trace has `baseTimeNanoseconds`: times are `base + ts`, shifted so the
    /// smallest base is 0 (offsets are the differences of the bases).
    BaseTime,
    /// Some trace lacks `baseTimeNanoseconds`: each trace is shifted so the *end* of its
    /// first collective of the first family every rank has meets the reference rank's
    /// (collectives end together once the last rank has arrived).
    FirstCollective,
    /// Neither is possible (one trace, or no collective common to all ranks): times as
    /// written.
    None,
}

impl Alignment {
    /// `base-time`, `first-collective`, `none`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Alignment::BaseTime => "base-time",
            Alignment::FirstCollective => "first-collective",
            Alignment::None => "none",
        }
    }
}

/// One input trace (a rank, or a rank's stage file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankInput {
    /// The path (or file name in the browser) as given.
    pub path: String,
    /// The rank: `distributedInfo.rank`, else from the file name, else the input's
    /// position among inputs without one (after the known ranks).
    pub rank: i64,
    /// Where the rank came from: `distributedInfo`, `file name` or `position`.
    pub rank_source: String,
    /// World size from `distributedInfo`.
    pub world_size: Option<i64>,
    /// GPU name of the device that ran the work.
    pub gpu: Option<String>,
    /// Device ordinal whose work is reported (the one with the most GPU time).
    pub device: Option<i64>,
    /// Stage named by the path, if any (per-stage capture files are aligned per stage).
    pub path_stage: Option<Stage>,
    /// `baseTimeNanoseconds` of the trace, if it has one.
    pub base_time_ns: Option<i64>,
    /// How the trace was aligned.
    pub alignment: Alignment,
    /// Added to the trace's timestamps to put it on the common axis, ns.
    pub offset_ns: i64,
    /// Events in the file.
    pub events: u64,
    /// Uncompressed JSON bytes.
    pub json_bytes: u64,
    /// Set when the trace ends early (cut short): its rank's figures cover only what came
    /// before the cut. Absent when the trace is whole (and in reports of older builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_early: Option<EndsEarly>,
}

/// Where a trace was cut short.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndsEarly {
    /// The byte of its JSON text where it ends, when known.
    pub at_byte: Option<u64>,
}

/// One rank's figures in one stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RankFigures {
    /// The rank.
    pub rank: i64,
    /// Index into [`AllRanks::inputs`] of the trace these figures come from.
    pub input: usize,
    /// GPU wall time of the stage's steps (as the triage report's stage summary), ns.
    pub span_ns: i64,
    /// Union of GPU activity intervals, ns (≤ `span_ns`).
    pub busy_ns: i64,
    /// `busy / span` as a percentage.
    pub utilization_pct: f64,
    /// Σ GPU activity durations, ns.
    pub kernel_ns: i64,
    /// GPU activities.
    pub launches: u64,
    /// Σ durations of communication kernels, ns (`= wait_ns + transfer_ns`).
    pub comm_ns: i64,
    /// Time inside matched collectives before the last rank arrived, ns (≤ `comm_ns`).
    pub wait_ns: i64,
    /// Communication proper: `comm_ns - wait_ns`, ns.
    pub transfer_ns: i64,
    /// Of `transfer_ns`: time no compute kernel of this rank ran, ns.
    pub exposed_ns: i64,
    /// Of `wait_ns`: time no compute kernel of this rank ran, ns.
    pub exposed_wait_ns: i64,
    /// Communication kernels.
    pub collectives: u64,
    /// Matched collectives this rank was the last to enter.
    pub last_arrivals: u64,
}

/// How many collectives of a family one rank has beyond the matched ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankCount {
    /// The rank.
    pub rank: i64,
    /// The count.
    pub count: u64,
}

/// Arrival skew of one collective family in one stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollectiveRow {
    /// The family.
    pub family: Family,
    /// Canonical kernel names of the family in this stage, most time first (the reference
    /// rank's), then by name.
    pub kernels: Vec<String>,
    /// Ranks that ran the family at all (in the whole trace set), ascending.
    pub ranks: Vec<i64>,
    /// Collectives matched across every rank of `ranks` (the n-th kernel of the family on
    /// each rank is one collective).
    pub matched: u64,
    /// Kernels left unmatched, per rank (ranks with none are left out).
    pub unmatched: Vec<RankCount>,
    /// Median arrival skew (last rank's start − first rank's start), ns.
    pub skew_median_ns: i64,
    /// 90th percentile (nearest rank) of the skew, ns.
    pub skew_p90_ns: i64,
    /// Largest skew, ns.
    pub skew_max_ns: i64,
    /// Σ skews, ns.
    pub skew_total_ns: i64,
    /// Median spread of the collectives' end times (last end − first end), ns: small
    /// when the ranks' clocks agree, since a collective ends together on every rank.
    pub end_spread_median_ns: i64,
    /// Per rank of `ranks` (same order): collectives it entered last (ties go to the
    /// lowest rank).
    pub last_counts: Vec<u64>,
    /// The rank that entered last most often (the lowest on ties); `None` without
    /// matched collectives.
    pub last_rank: Option<i64>,
    /// How often `last_rank` was last.
    pub last_count: u64,
    /// Σ over ranks of the matched kernels' durations, ns.
    pub comm_ns: i64,
    /// Σ over ranks of the waiting inside them, ns.
    pub wait_ns: i64,
    /// Matched collectives whose normalised kernel names differ between ranks.
    pub name_mismatches: u64,
}

/// One kernel's total time on every rank.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpreadRow {
    /// Canonical name (of the rank with the most time in it; the rows are keyed by the
    /// normalised name).
    pub name: String,
    /// What the kernel does.
    pub category: crate::vocab::Category,
    /// Per rank, in [`RanksStage::ranks`] order: Σ durations, ns (0 when absent).
    pub per_rank_ns: Vec<i64>,
    /// Per rank: launches.
    pub per_rank_launches: Vec<u64>,
    /// Smallest per-rank total, ns.
    pub min_ns: i64,
    /// Median per-rank total, ns (mean of the middle two for an even count, rounded down).
    pub median_ns: i64,
    /// Largest per-rank total, ns.
    pub max_ns: i64,
    /// The rank with the smallest total (lowest on ties).
    pub min_rank: i64,
    /// The rank with the largest total (lowest on ties).
    pub max_rank: i64,
    /// `(max - min) / median` as a percentage (0 when the median is 0).
    pub spread_pct: f64,
    /// The median's share of the Σ of every row's median, percent.
    pub share_pct: f64,
}

/// The per-kernel spread table of a stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpreadTable {
    /// Rows whose median share is at or above the cutoff, most median time first.
    pub rows: Vec<SpreadRow>,
    /// Rows below the cutoff.
    pub hidden_rows: u64,
    /// Their Σ median time, ns.
    pub hidden_ns: i64,
    /// Σ of every row's median time (the share denominator), ns.
    pub total_ns: i64,
}

/// One stage across ranks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RanksStage {
    /// The stage.
    pub stage: Stage,
    /// Heading text (`extend/prefill`, `decode`, `all`, …).
    pub label: String,
    /// How the stage was decided (on the first rank's trace).
    pub source: StageSource,
    /// Ranks with work in this stage, ascending.
    pub ranks: Vec<i64>,
    /// Per-rank figures, in `ranks` order.
    pub figures: Vec<RankFigures>,
    /// Collective families, in family order.
    pub collectives: Vec<CollectiveRow>,
    /// Per-kernel spread over ranks.
    pub kernels: SpreadTable,
}

/// What the all-ranks comparison found: the body of the `report` crate's `RanksReport`
/// document. `N` is the note type: typed [`Note`]s from the engine, sentences once rendered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllRanks<N = Note> {
    /// Model name or path, when server args give it.
    pub model: Option<String>,
    /// Input traces, by (rank, stage named by the path, path).
    pub inputs: Vec<RankInput>,
    /// Per-row share cutoff of the spread tables, percent.
    pub min_share_pct: f64,
    /// Stages in display order.
    pub stages: Vec<RanksStage>,
    /// Things the reader should know (unmatched collectives, missing base times, …).
    pub notes: Vec<N>,
}

super::map_notes!(AllRanks { model, inputs, min_share_pct, stages });
