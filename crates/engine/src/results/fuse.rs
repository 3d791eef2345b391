//! A stage's fuse-pattern table: which known fused-kernel families the stage already
//! uses, which it runs split although its framework has the fused path, and which
//! in-flight work would apply (rows from the engine's fuse matcher (`analysis::fuse`)), plus at most one
//! near-miss for a family that came close.

use serde::{Deserialize, Serialize};

use crate::catalog::fuse::{Dtype, Origin, Platform};

/// How sure a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The fused path's own kernels are in the trace, or the split family takes at least
    /// the pattern's `likely_share`.
    Confirmed,
    /// Split kernels of the family, below `likely_share`.
    Candidate,
}

impl Confidence {
    /// `Confirmed` / `Candidate`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Confirmed => "Confirmed",
            Confidence::Candidate => "Candidate",
        }
    }
}

/// Whether a row's fused path is in use, in words nobody can misread (`in_use`,
/// `missing`, `partial`, `upstream` in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FuseState {
    /// Only split kernels ran, and the framework's mainline has the fused path.
    Missing,
    /// Both ran: the fused path's kernels and every split group's.
    Partial,
    /// Only split kernels ran; the fused path is upstream or in an open pull request,
    /// not yet in the framework's mainline.
    Upstream,
    /// The fused path's kernels ran (and no complete split ladder beside them).
    InUse,
}

impl FuseState {
    /// The state of a match: `fused` (the fused path's kernels ran), `split` (every split
    /// group has a kernel that ran) and where the fused path lives.
    #[must_use]
    pub fn of(fused: bool, split: bool, origin: Origin) -> FuseState {
        match (fused, split, origin) {
            (true, true, _) => FuseState::Partial,
            (true, false, _) => FuseState::InUse,
            (false, _, Origin::Mainline) => FuseState::Missing,
            (false, _, _) => FuseState::Upstream,
        }
    }

    /// `in_use`, `missing`, `partial`, `upstream` (the JSON value).
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            FuseState::Missing => "missing",
            FuseState::Partial => "partial",
            FuseState::Upstream => "upstream",
            FuseState::InUse => "in_use",
        }
    }
}

/// How close a near miss came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Similarity {
    /// Every split group (three or more) matched; only a gate could not be decided (model
    /// or TP size unknown).
    High,
    /// Every split group matched (fewer than three) with an undecided gate, or every split
    /// group but one matched (three or more groups) and the gates hold.
    Medium,
    /// Every split group but one matched, and a gate could not be decided.
    Low,
}

impl Similarity {
    /// `high`, `medium`, `low`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Similarity::High => "high",
            Similarity::Medium => "medium",
            Similarity::Low => "low",
        }
    }
}

/// A data type the run shows, and what showed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DtypeEvidence {
    /// `fp8`, `fp4` or `int8`.
    pub dtype: Dtype,
    /// `kernel <name>` or `model <name>`.
    pub evidence: String,
}

/// What the gates were checked against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FuseContext {
    /// Framework id (`unknown`: framework-specific patterns were not checked).
    pub framework: String,
    /// Model name, or the model files seen on the Python stacks.
    pub model: Option<String>,
    /// Where `model` came from.
    pub model_source: Option<String>,
    /// Tensor-parallel size.
    pub tp_size: Option<i64>,
    /// Where `tp_size` came from (`server_args.json`, `distributedInfo.world_size`).
    pub tp_source: Option<String>,
    /// GPU platform, when known.
    pub platform: Option<Platform>,
    /// Low-precision data types in the run.
    pub dtypes: Vec<DtypeEvidence>,
}

/// One kernel row of a fuse row's family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FuseKernel {
    /// Canonical kernel name (the kernel table's row key).
    pub name: String,
    /// Its GPU time in the stage, ns.
    pub gpu_ns: i64,
    /// Its share of the stage's kernel time, %.
    pub share_pct: f64,
    /// `fused` (a fused-path signal matched) or the split group's name.
    pub role: String,
    /// Python locations that launched it (`path:line function`), most GPU time first.
    pub locations: Vec<String>,
}

/// One accepted fuse pattern.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "FuseRowJson")]
pub struct FuseRow {
    /// The row's citable id (`decode/fuse/<catalog id>`), unique within its report; written by
    /// the `report` crate (empty in the engine's value and in reports of older builds).
    pub row_id: String,
    /// Catalog id (look it up with `Catalog::entry`).
    pub id: String,
    /// Display name.
    pub pattern: String,
    /// Mainline, upstream or in-flight.
    pub origin: Origin,
    /// The pull request (`owner/repo#N`), for in-flight and PR-backed patterns.
    pub pr: Option<String>,
    /// Confirmed or Candidate.
    pub confidence: Confidence,
    /// Whether the fused path itself is in the trace (else only split kernels matched).
    pub fused_present: bool,
    /// In use, missing, partly (both ran) or upstream / in flight. Reports written before
    /// the field read back with the state `fused_present` and `origin` give (never `partial`).
    pub state: FuseState,
    /// Σ GPU time of the related kernel rows, ns.
    pub gpu_ns: i64,
    /// Its share of the stage's kernel time, %.
    pub share_pct: f64,
    /// The related kernel rows: fused-path rows first, then each split group's.
    pub kernels: Vec<FuseKernel>,
    /// Candidate source paths of the fused path.
    pub paths: Vec<String>,
    /// The catalog's one-line rationale.
    pub rationale: String,
    /// Reference entries about the same family.
    pub refs: Vec<String>,
}

impl FuseRow {
    /// Σ GPU time of the fused path's own kernels, ns.
    #[must_use]
    pub fn fused_ns(&self) -> i64 {
        self.kernels.iter().filter(|k| k.role == "fused").map(|k| k.gpu_ns).sum()
    }

    /// The fused path's share of the row's GPU time, % (0 when the row has none).
    #[must_use]
    pub fn fused_pct(&self) -> f64 {
        if self.gpu_ns > 0 { 100.0 * self.fused_ns() as f64 / self.gpu_ns as f64 } else { 0.0 }
    }
}

/// A fuse row as JSON holds it: `state` is absent in reports written before it existed.
#[derive(Deserialize)]
struct FuseRowJson {
    #[serde(default)]
    row_id: String,
    id: String,
    pattern: String,
    origin: Origin,
    pr: Option<String>,
    confidence: Confidence,
    fused_present: bool,
    #[serde(default)]
    state: Option<FuseState>,
    gpu_ns: i64,
    share_pct: f64,
    kernels: Vec<FuseKernel>,
    paths: Vec<String>,
    rationale: String,
    refs: Vec<String>,
}

impl From<FuseRowJson> for FuseRow {
    fn from(j: FuseRowJson) -> FuseRow {
        FuseRow {
            row_id: j.row_id,
            state: j.state.unwrap_or_else(|| FuseState::of(j.fused_present, false, j.origin)),
            id: j.id,
            pattern: j.pattern,
            origin: j.origin,
            pr: j.pr,
            confidence: j.confidence,
            fused_present: j.fused_present,
            gpu_ns: j.gpu_ns,
            share_pct: j.share_pct,
            kernels: j.kernels,
            paths: j.paths,
            rationale: j.rationale,
            refs: j.refs,
        }
    }
}

/// A catalog family that came close without matching.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NearMiss {
    /// Its citable id (`decode/near-miss/<catalog id>`), unique within its report; written
    /// by the `report` crate (empty in the engine's value and in reports of older builds).
    #[serde(default)]
    pub row_id: String,
    /// Catalog id.
    pub id: String,
    /// Display name.
    pub pattern: String,
    /// How close, computed from which signal groups matched and which gates were undecided.
    pub similarity: Similarity,
    /// Signal groups that matched (`fused path` or split-group names).
    pub matched: Vec<String>,
    /// Split groups with no matching kernel.
    pub missing: Vec<String>,
    /// Gates that could not be decided, as sentences (`the model is unknown; the pattern is for qwen3 models`).
    pub undecided: Vec<String>,
    /// Σ GPU time of the kernels that matched, ns.
    pub gpu_ns: i64,
    /// Its share of the stage's kernel time, %.
    pub share_pct: f64,
}

/// A stage's fuse-pattern table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FuseTable {
    /// Whether the matcher ran for this stage.
    pub computed: bool,
    /// What the gates read.
    #[serde(default)]
    pub context: FuseContext,
    /// Accepted patterns at or above the share cutoff, in acceptance order (priority,
    /// span, rows covered, GPU time, catalog order).
    #[serde(default)]
    pub rows: Vec<FuseRow>,
    /// Accepted patterns below the cutoff (not listed).
    #[serde(default)]
    pub hidden_rows: u64,
    /// Their GPU time, ns.
    #[serde(default)]
    pub hidden_ns: i64,
    /// Patterns the gates let through for this stage.
    #[serde(default)]
    pub patterns_checked: u64,
    /// The closest family that did not match, if any came close.
    #[serde(default)]
    pub near_miss: Option<NearMiss>,
}
