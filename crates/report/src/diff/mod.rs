//! A/B diff: two reports compared stage by stage — the stage summary, kernel categories,
//! kernel families and kernels side by side with time and share changes, and the kernels
//! only one side ran.
//!
//! API boundary: [`DiffReport`] is the JSON schema of `tracetriage diff --format json`
//! (schema `tracetriage.diff`, documented in `docs/diff-json.md`) and of `#d1.` shared
//! links. It is built by [`diff`] from two [`Report`]s (a fresh triage, a saved report
//! JSON file or a shared link: anything that reads back as a report), so the CLI and the
//! browser compare the same way. Numbers are raw (nanoseconds, percentages) and every
//! change is `B − A`; all display text comes from [`view`] and [`crate::format`].
//!
//! Kernels are matched with the two-trace (mapping) mode's identities
//! ([`engine::names::Keys`]): the canonical row name first, then the
//! normalised name (architecture, tile shapes and numeric template arguments removed).
//! Building a diff never fails: odd or mismatched inputs become notes.

mod build;
pub mod fuse;
pub mod gate;
mod kernels;
pub(crate) mod link;
pub mod markdown;
pub mod view;

pub use build::{DiffOptions, diff};
pub use gate::{Gate, Metric, gate};

use serde::{Deserialize, Serialize};

use crate::Report;
use crate::document::{Body, Document};
use crate::triage::Mode;
use engine::results::overlap::BubbleCause;
use engine::vocab::Category;
use engine::vocab::MatchKind;
use engine::vocab::Stage;

/// The `schema` value of every diff.
pub const DIFF_SCHEMA: &str = "tracetriage.diff";
/// The current diff version.
pub const DIFF_VERSION: u32 = 1;

/// An A/B diff: the envelope plus the comparison.
pub type DiffReport = Document<Diff>;

impl Body for Diff {
    const SCHEMA: &'static str = DIFF_SCHEMA;
    const VERSION: u32 = DIFF_VERSION;
    const KIND: &'static str = "diff";
}

/// Two reports compared: the body of a [`DiffReport`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// The baseline.
    pub a: Side,
    /// The run compared with the baseline.
    pub b: Side,
    /// Rows kept per table (families, kernels, only-in-A, only-in-B), largest change
    /// first; 0 keeps every row.
    pub top: u32,
    /// Compared stages, in A's stage order.
    pub stages: Vec<StageDiff>,
    /// Labels of A's stages that no stage of B was paired with (not compared; stages
    /// `--stage` left out on purpose are not listed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unpaired_a: Vec<String>,
    /// Labels of B's stages that no stage of A was paired with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unpaired_b: Vec<String>,
    /// Things the reader should know (stages without a counterpart, different GPUs, …).
    pub notes: Vec<String>,
}

/// One side of a diff: where its report came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// What was given for this side (a path, a file name, a report file), or the report's
    /// input paths joined with `, `.
    pub source: String,
    /// The report's input trace paths.
    pub inputs: Vec<String>,
    /// The report's mode.
    pub mode: Mode,
    /// The serving framework's label (`SGLang`, …, `unknown`).
    pub framework: String,
    /// Model name or path, when known.
    pub model: Option<String>,
    /// The GPU line of the report's header (`NVIDIA GB300 (device 0), rank 0 of 4`), when known.
    pub gpu: Option<String>,
    /// The report's per-row share cutoff, percent (rows below it are not listed, so they
    /// cannot be compared one by one).
    pub min_share_pct: f64,
    /// The report's stage labels, in its order.
    pub stages: Vec<String>,
}

/// Whether a kernel ran on both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    /// Listed on both sides.
    Both,
    /// Listed in A only.
    OnlyA,
    /// Listed in B only.
    OnlyB,
}

impl Presence {
    /// `both`, `only in A`, `only in B`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Presence::Both => "both",
            Presence::OnlyA => "only in A",
            Presence::OnlyB => "only in B",
        }
    }
}

/// One compared stage pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageDiff {
    /// A's stage.
    pub stage: Stage,
    /// B's stage (the same as `stage` unless the pairing had to fall back, see notes).
    pub b_stage: Stage,
    /// Heading text: `decode`, or `all (A) vs decode (B)` when the stages differ.
    pub label: String,
    /// A's stage label in its report (`decode`, `decode (rank 1)`).
    pub a_label: String,
    /// B's stage label in its report.
    pub b_label: String,
    /// Stage summary figures and their changes.
    pub summary: SummaryDiff,
    /// Idle time (bubbles) per cause, in cause order; causes with time on either side only.
    pub bubbles: Vec<CauseDiff>,
    /// Kernel categories, largest absolute time change first (every category with time).
    pub categories: Vec<GroupDiff>,
    /// Kernel families ([`engine::names::family`], else the normalised name).
    pub families: Rows<GroupDiff>,
    /// Kernels listed on both sides.
    pub kernels: Rows<KernelDiff>,
    /// Kernels listed in A only.
    pub only_a: Rows<KernelDiff>,
    /// Kernels listed in B only.
    pub only_b: Rows<KernelDiff>,
    /// Kernels the reports did not list (below their share cutoff).
    pub unlisted: Unlisted,
    /// Things to know about this pair (different step counts, figures missing, …).
    pub notes: Vec<String>,
    /// A's verdict of the stage and its fix-first list (empty in diffs of older builds).
    #[serde(default)]
    pub a_verdict: SideVerdict,
    /// B's verdict of the stage and its fix-first list.
    #[serde(default)]
    pub b_verdict: SideVerdict,
    /// Fuse patterns either side lists, with their state on both sides (empty in diffs of
    /// older builds).
    #[serde(default)]
    pub fuse: Vec<fuse::FuseDiff>,
}

/// One side's verdict of a stage, as its report writes it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SideVerdict {
    /// The verdict line (`crate::verdict::line`); empty when the report has no verdict
    /// (made before verdicts were computed).
    pub text: String,
    /// The fix-first findings, one line each (`crate::verdict::fix_line`), largest saving
    /// first.
    pub fix_first: Vec<String>,
}

/// Rows of a table, the largest changes kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rows<T> {
    /// Kept rows, largest absolute time change first (then by name).
    pub rows: Vec<T>,
    /// Rows left out by the `top` limit.
    pub omitted: u64,
    /// Their A time, ns.
    pub omitted_a_ns: i64,
    /// Their B time, ns.
    pub omitted_b_ns: i64,
}

/// Kernels below a report's share cutoff: counted in its totals, not listed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Unlisted {
    /// A's unlisted kernels.
    pub a_rows: u64,
    /// Their GPU time, ns.
    pub a_ns: i64,
    /// B's unlisted kernels.
    pub b_rows: u64,
    /// Their GPU time, ns.
    pub b_ns: i64,
}

/// The headline figures of both stages and their change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryDiff {
    /// A's figures.
    pub a: StageFigures,
    /// B's figures.
    pub b: StageFigures,
    /// `B − A` per figure (utilization in percentage points); absent when either side is.
    pub delta: StageFigures,
}

/// Headline figures of one stage (from its summary and its overlap analysis).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageFigures {
    /// GPU wall time of the stage's steps, ns.
    pub span_ns: i64,
    /// Time the GPU was doing anything, ns.
    pub busy_ns: i64,
    /// `busy / span`, percent.
    pub utilization_pct: f64,
    /// Σ GPU activity durations, ns (the share denominator).
    pub kernel_ns: i64,
    /// GPU activities.
    pub launches: i64,
    /// Step windows.
    pub steps: i64,
    /// `busy / steps`, ns, when the stage has steps.
    pub busy_per_step_ns: Option<i64>,
    /// Σ durations of graph-replayed activities, ns.
    pub graph_replay_ns: i64,
    /// Idle time inside the steps (bubbles), ns; absent when the overlap analysis is not in
    /// the report.
    pub idle_ns: Option<i64>,
    /// Idle gaps.
    pub gaps: Option<i64>,
    /// Time with two or more streams busy, ns.
    pub overlap_ns: Option<i64>,
    /// Σ communication kernel time, ns.
    pub comm_ns: Option<i64>,
    /// Communication time no compute hid, ns.
    pub exposed_comm_ns: Option<i64>,
    /// Copy and fill time no other stream hid, ns.
    pub exposed_copy_ns: Option<i64>,
}

/// Idle time of one cause on both sides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CauseDiff {
    /// The cause.
    pub cause: BubbleCause,
    /// A's idle time of this cause, ns.
    pub a_ns: i64,
    /// B's, ns.
    pub b_ns: i64,
    /// `b − a`, ns.
    pub delta_ns: i64,
}

/// One side's figures of a row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    /// GPU time, ns.
    pub gpu_ns: i64,
    /// Percentage of the stage's Σ GPU activity time.
    pub share_pct: f64,
    /// Launches.
    pub launches: u64,
}

/// A category or family on both sides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupDiff {
    /// The category label, or the family key (lower-case, normalised).
    pub key: String,
    /// The category (for a family: its kernel with the most time's).
    pub category: Category,
    /// Listed kernels of the group in A.
    pub a_kernels: u64,
    /// Listed kernels of the group in B.
    pub b_kernels: u64,
    /// A's figures.
    pub a: Amount,
    /// B's figures.
    pub b: Amount,
    /// `b − a` GPU time, ns.
    pub delta_ns: i64,
    /// `b − a` share, percentage points.
    pub delta_share_pct: f64,
}

/// A kernel on both sides (or one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelDiff {
    /// Canonical kernel name (A's when on both sides; for a normalised match A's name with
    /// the most time).
    pub name: String,
    /// Its category.
    pub category: Category,
    /// Which sides list it.
    pub presence: Presence,
    /// How the sides were matched: `exact` (same canonical name), `normalised` (same
    /// normalised name), `none` (one side only).
    #[serde(rename = "match")]
    pub matched: MatchKind,
    /// For a normalised match: A's canonical names, most time first (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub a_names: Vec<String>,
    /// For a normalised match: B's canonical names, most time first (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub b_names: Vec<String>,
    /// A's figures (zero when only in B).
    pub a: Amount,
    /// B's figures (zero when only in A).
    pub b: Amount,
    /// `b − a` GPU time, ns.
    pub delta_ns: i64,
    /// `b − a` share, percentage points.
    pub delta_share_pct: f64,
    /// One side only, and the other side's report hides kernels below its share cutoff:
    /// the kernel may be among them.
    #[serde(default)]
    pub maybe_unlisted: bool,
}

/// The side description of a report.
fn side(report: &Report, source: &str) -> Side {
    let header = super::view::header(report);
    let gpu = header.iter().find(|(label, _)| *label == "GPU").map(|(_, v)| v.clone());
    let inputs: Vec<String> = report.inputs.iter().map(|i| i.path.clone()).collect();
    let source = if source.trim().is_empty() { inputs.join(", ") } else { source.to_owned() };
    Side {
        source,
        inputs,
        mode: report.mode,
        framework: report.framework.label.clone(),
        model: report.model.clone(),
        gpu,
        min_share_pct: report.min_share_pct,
        stages: report.stages.iter().map(|s| s.label.clone()).collect(),
    }
}
