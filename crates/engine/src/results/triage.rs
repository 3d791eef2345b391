//! What a triage returns: per input, per stage, the kernel, overlap and fuse tables, the
//! attribution coverage, notes and load diagnostics.

use serde::{Deserialize, Serialize};

use super::capture::CaptureInfo;
use super::fuse::FuseTable;
use super::kernels::{Coverage, KernelTable, StageSummary};
use super::notes::Note;
use super::overlap::OverlapTable;
use super::roofline::RooflineCoverage;
use super::verdict::{Fix, StageVerdict, TraceHealth};
use crate::vocab::{Stage, StageSource};

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

/// One stage of one input (or of a merged set of inputs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    /// The stage.
    pub stage: Stage,
    /// Heading text: `extend/prefill`, `decode`, … plus ` (rank N)` when several inputs share a stage.
    pub label: String,
    /// How the stage was decided.
    pub source: StageSource,
    /// Indexes into [`Triage::inputs`] that contributed.
    pub inputs: Vec<usize>,
    /// Headline figures.
    pub summary: StageSummary,
    /// The kernel table.
    pub kernels: KernelTable,
    /// The overlap-opportunity table (and timeline summary).
    #[serde(default)]
    pub overlap: OverlapTable,
    /// The fuse-pattern table.
    #[serde(default)]
    pub fuse: FuseTable,
    /// Python attribution coverage of the stage's GPU time.
    #[serde(default)]
    pub coverage: Coverage,
    /// How much of the stage's GPU time has a roofline figure.
    #[serde(default)]
    pub roofline: RooflineCoverage,
    /// What bounds the stage, and its GPU time by category.
    #[serde(default)]
    pub verdict: StageVerdict,
    /// What to fix first: up to five findings, largest estimated saving first.
    #[serde(default)]
    pub fix_first: Vec<Fix>,
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
    /// Which input (index into [`Triage::inputs`]); 0 for a capture trace's row.
    pub input: usize,
    /// A capture trace's row: index into [`Triage::captures`] (then `input` means nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<usize>,
    /// A `truncated` row: the byte of the JSON text where the input ends, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl DiagnosticRow {
    /// The load diagnostics of a trace as rows of input `input`, warnings first.
    #[must_use]
    pub fn of(trace: &trace::model::Trace, input: usize) -> Vec<DiagnosticRow> {
        trace
            .diagnostics
            .sorted()
            .iter()
            .map(|d| DiagnosticRow {
                severity: match d.kind.severity() {
                    trace::Severity::Warning => "warning",
                    trace::Severity::Info => "info",
                }
                .to_owned(),
                kind: d.kind.id().to_owned(),
                detail: d.detail.clone(),
                count: d.count,
                message: d.kind.describe().to_owned(),
                input,
                capture: None,
                offset: if d.kind == trace::DiagnosticKind::Truncated { d.first_offset } else { None },
            })
            .collect()
    }
}

/// What a triage found: the body of the `report` crate's `Report` document. `N` is the
/// note type: typed [`Note`]s from the engine, sentences once rendered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Triage<N = Note> {
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
    /// Graph-capture traces given, whose recorded launches attribute graph replays.
    #[serde(default)]
    pub captures: Vec<CaptureInfo>,
    /// Per-row share cutoff used by every table, percent.
    pub min_share_pct: f64,
    /// Stages in display order (extend/prefill, decode, mixed, all, other).
    pub stages: Vec<StageReport>,
    /// What limits the inputs' evidence, each with its fix.
    #[serde(default)]
    pub health: Vec<TraceHealth>,
    /// Things the reader should know (skipped sections, devices not shown, …).
    pub notes: Vec<N>,
    /// What loading skipped or adjusted, per input.
    pub diagnostics: Vec<DiagnosticRow>,
}

super::map_notes!(Triage {
    mode,
    framework,
    mapping_framework,
    model,
    inputs,
    captures,
    min_share_pct,
    stages,
    health,
    diagnostics
});
