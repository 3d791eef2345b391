//! The report: one versioned, serialisable model of a triage, rendered by every front end.
//!
//! API boundary: this is the JSON schema of `tracetriage triage --format json`, of the
//! browser's downloads and of shared links (documented in `docs/report-json.md`). Fields
//! are only added; a change of meaning bumps [`REPORT_VERSION`]. Numbers are raw
//! (nanoseconds, percentages as numbers); all text for display comes from
//! [`view`] so the CLI, the browser and golden files show the same characters.

pub mod csv;
pub mod diff;
pub mod fuse;
pub mod layers;
pub mod markdown;
pub mod overlap;
pub mod ranks;
pub mod view;

use serde::{Deserialize, Serialize};

use crate::analysis::categories::Category;
use crate::analysis::mapping::{MatchKind, Via};
use crate::analysis::stages::{Stage, StageSource};

/// The `schema` value of every report.
pub const REPORT_SCHEMA: &str = "tracetriage.report";
/// The current report version.
pub const REPORT_VERSION: u32 = 1;

/// Single-trace or two-trace (mapping + formal) triage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// One set of traces plays both roles.
    SingleTrace,
    /// Timing from the formal traces, attribution from the mapping traces.
    MappingFormal,
}

impl Mode {
    /// `single-trace` / `mapping-formal`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Mode::SingleTrace => "single-trace",
            Mode::MappingFormal => "mapping-formal",
        }
    }
}

/// The serving framework and how it was recognised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkInfo {
    /// `sglang`, `vllm`, `trtllm`, `tokenspeed` or `unknown`.
    pub id: String,
    /// `SGLang`, `vLLM`, `TensorRT-LLM`, `TokenSpeed` or `unknown`.
    pub label: String,
    /// What decided it: `override`, `trace content`, `file name`, `server_args.json` or `none`.
    pub source: String,
}

/// One input trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputInfo {
    /// The path (or file name in the browser) as given.
    pub path: String,
    /// `trace`, `mapping` or `formal`.
    pub role: String,
    /// Rank from `distributedInfo` (or the file name).
    pub rank: Option<i64>,
    /// World size from `distributedInfo`.
    pub world_size: Option<i64>,
    /// GPU name of the device that ran the work.
    pub gpu: Option<String>,
    /// Device ordinal whose work is reported.
    pub device: Option<i64>,
    /// Stage named by the path, if any.
    pub path_stage: Option<Stage>,
    /// Events in the file.
    pub events: u64,
    /// Uncompressed JSON bytes.
    pub json_bytes: u64,
    /// When the trace was captured: Unix time (ns) of its first event (`baseTimeNanoseconds`
    /// plus the first timestamp, or an epoch-scale first timestamp); `None` when the trace
    /// does not say (and in reports of older builds).
    #[serde(default)]
    pub captured_unix_ns: Option<i64>,
}

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
    /// frame), `mapping` or `self-mapping` (eager launches of the same kernel), `none`.
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
}

/// How much of a stage's GPU time is attributed to a Python location, and how.
/// `direct + graph_launch + mapping + self_mapping + unattributed = total`.
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

/// One stage of one input (or of a merged set of inputs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    /// The stage.
    pub stage: Stage,
    /// Heading text: `extend/prefill`, `decode`, … plus ` (rank N)` when several inputs share a stage.
    pub label: String,
    /// How the stage was decided.
    pub source: StageSource,
    /// Indexes into [`Report::inputs`] that contributed.
    pub inputs: Vec<usize>,
    /// Headline figures.
    pub summary: StageSummary,
    /// The kernel table.
    pub kernels: KernelTable,
    /// The overlap-opportunity table (and timeline summary).
    #[serde(default)]
    pub overlap: overlap::OverlapTable,
    /// The fuse-pattern table.
    #[serde(default)]
    pub fuse: fuse::FuseTable,
    /// Python attribution coverage of the stage's GPU time.
    #[serde(default)]
    pub coverage: Coverage,
}

/// A diagnostic line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticRow {
    /// `warning` or `info`.
    pub severity: String,
    /// Stable id (`truncated`, `unknown_category`, …).
    pub kind: String,
    /// What it applied to.
    pub detail: String,
    /// How many times.
    pub count: u64,
    /// What it means.
    pub message: String,
    /// Which input (index into [`Report::inputs`]).
    pub input: usize,
}

/// A triage report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`REPORT_SCHEMA`].
    pub schema: String,
    /// [`REPORT_VERSION`] at the time of writing.
    pub version: u32,
    /// The tool and its version that wrote it.
    pub generator: String,
    /// Single-trace or mapping-formal.
    pub mode: Mode,
    /// The serving framework (of the formal traces in mapping-formal mode).
    pub framework: FrameworkInfo,
    /// Mapping-formal mode: the mapping traces' framework.
    #[serde(default)]
    pub mapping_framework: Option<FrameworkInfo>,
    /// Model name or path, when the trace or server args give it.
    pub model: Option<String>,
    /// Input traces.
    pub inputs: Vec<InputInfo>,
    /// Per-row share cutoff used by every table, percent.
    pub min_share_pct: f64,
    /// Stages in display order (extend/prefill, decode, mixed, all, other).
    pub stages: Vec<StageReport>,
    /// Things the reader should know (skipped sections, devices not shown, …).
    pub notes: Vec<String>,
    /// What loading skipped or adjusted, per input.
    pub diagnostics: Vec<DiagnosticRow>,
}

/// Why report JSON could not be read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// Not JSON, or not a report.
    #[error("not a tracetriage report: {0}")]
    NotAReport(String),
    /// A report from a newer tracetriage.
    #[error(
        "this report was written by a newer tracetriage (report version {found}, this build reads up to {supported})"
    )]
    TooNew {
        /// The file's version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
}

impl Report {
    /// Serialises to pretty JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads report JSON (a download, a shared link, a dashboard entry).
    ///
    /// # Errors
    /// When the text is not a report or comes from a newer version.
    pub fn from_json(text: &str) -> Result<Report, ReportError> {
        #[derive(Deserialize)]
        struct Head {
            schema: Option<String>,
            version: Option<u32>,
        }
        let head: Head = serde_json::from_str(text).map_err(|e| ReportError::NotAReport(e.to_string()))?;
        if head.schema.as_deref() != Some(REPORT_SCHEMA) {
            return Err(ReportError::NotAReport(format!("`schema` is not {REPORT_SCHEMA:?}")));
        }
        match head.version {
            Some(v) if v > REPORT_VERSION => Err(ReportError::TooNew { found: v, supported: REPORT_VERSION }),
            Some(_) => serde_json::from_str(text).map_err(|e| ReportError::NotAReport(e.to_string())),
            None => Err(ReportError::NotAReport("no `version`".into())),
        }
    }
}
