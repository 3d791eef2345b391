//! The tools' arguments, as JSON schemas (schemars, through rmcp) and serde types. Every
//! field but the trace path is optional; the defaults keep an answer to a few thousand
//! tokens.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;

/// Rows per table when `limit` is not given: kernels, overlap, fuse, roofline, layers'
/// lists (about 1 KB of JSON per kernel row).
pub const DEFAULT_ROWS: usize = 5;
/// Rows per table of each stage in the `triage` overview.
pub const DEFAULT_OVERVIEW_ROWS: usize = 3;
/// Python sites kept per kernel row (the rest are counted in `sites_left_out`).
pub const SITES_PER_ROW: usize = 1;

/// One trace path, or several.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Paths {
    /// One trace file or profile folder.
    One(String),
    /// Several trace files or folders (one run).
    Many(Vec<String>),
}

impl Paths {
    /// The paths given.
    pub fn list(&self) -> Vec<PathBuf> {
        match self {
            Paths::One(p) => vec![PathBuf::from(p)],
            Paths::Many(ps) => ps.iter().map(PathBuf::from).collect(),
        }
    }
}

/// Which traces and how to triage them (the CLI's `triage` options).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct Source {
    /// A trace file (`.json` or `.json.gz`), a profile folder, or an array of them (one
    /// run). Absolute paths, or relative to the server's working directory.
    pub path: Paths,
    /// Serving framework: `auto` (default), `sglang`, `vllm`, `trtllm`, `tokenspeed`.
    #[serde(default)]
    pub framework: Option<String>,
    /// Hide table rows under this share of GPU time, % (default 1, as the CLI).
    #[serde(default)]
    pub min_share: Option<f64>,
    /// In a folder, keep only this rank's traces (default: rank 0, else the lowest).
    #[serde(default)]
    pub rank: Option<i64>,
    /// Graph-capture traces (files or folders); without it they are looked for beside
    /// the traces, as the CLI does.
    #[serde(default)]
    pub capture: Option<Vec<String>>,
    /// Do not look for capture traces beside the traces.
    #[serde(default)]
    pub no_capture: Option<bool>,
}

/// Arguments of the tools that read one stage's tables.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct StageQuery {
    /// The traces and triage options.
    #[serde(flatten)]
    pub source: Source,
    /// Only this stage: `prefill` (or `extend`), `decode`, `mixed`, `all`, `other`, or a
    /// stage key of the row ids (`decode.1`). Default: every stage.
    #[serde(default)]
    pub stage: Option<String>,
    /// Rows per table (default 5; 3 per table, in brief, in `triage`).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Arguments of `kernels`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct KernelsQuery {
    /// The traces, stage and row limit.
    #[serde(flatten)]
    pub query: StageQuery,
    /// Only kernels of this category (`gemm`, `attention`, `moe`, `communication`, …).
    #[serde(default)]
    pub category: Option<String>,
    /// Only kernels whose name contains this text (any case).
    #[serde(default)]
    pub name: Option<String>,
    /// Only the row with this id (`decode/kernel/<name>`, from an earlier answer).
    #[serde(default)]
    pub id: Option<String>,
}

/// Arguments of `explain`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct ExplainQuery {
    /// The traces and triage options the id came from.
    #[serde(flatten)]
    pub source: Source,
    /// A row id from an earlier answer (`row_id`: `decode/kernel/…`, `decode/fix/…`).
    pub id: String,
}

/// Arguments of `inspect`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct InspectQuery {
    /// A trace file, or an array of them.
    pub path: Paths,
    /// Also the GPU time per kernel category and the kernels no category rule knows.
    #[serde(default)]
    pub kernels: Option<bool>,
}

/// Arguments of `layers`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct LayersQuery {
    /// One trace file.
    pub path: String,
    /// The model's config.json.
    #[serde(default)]
    pub config: Option<String>,
    /// The pass to show in detail (default: the steady-state pick).
    #[serde(default)]
    pub pass: Option<usize>,
    /// A layer of that pass to list kernel by kernel.
    #[serde(default)]
    pub layer: Option<usize>,
    /// A second layer to compare with `layer`.
    #[serde(default)]
    pub compare_layer: Option<usize>,
    /// Rows per list (passes, layers, kernels; default 5).
    #[serde(default)]
    pub limit: Option<usize>,
}

/// Arguments of `diff`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct DiffQuery {
    /// A, the baseline: a trace file, a profile folder or a report JSON file.
    pub a: String,
    /// B, compared with A (changes read B − A).
    pub b: String,
    /// Compare only this stage (`prefill`, `decode`, `mixed`, `all`, `other`).
    #[serde(default)]
    pub stage: Option<String>,
    /// Rows per table, largest absolute time change first (default 3).
    #[serde(default)]
    pub limit: Option<usize>,
    /// In a folder, keep only this rank's traces.
    #[serde(default)]
    pub rank: Option<i64>,
}

/// Arguments of `capture`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct CaptureQuery {
    /// The inference server's base URL (e.g. `http://127.0.0.1:30000`), to start a capture.
    #[serde(default)]
    pub url: Option<String>,
    /// A capture already started (its `id`): report its state instead of starting one.
    #[serde(default)]
    pub job: Option<String>,
    /// `auto`, `sglang`, `vllm`, `trtllm` or `tokenspeed`.
    #[serde(default)]
    pub framework: Option<String>,
    /// `both`, `prefill` or `decode`.
    #[serde(default)]
    pub workload: Option<String>,
    /// Profiled steps per stage.
    #[serde(default)]
    pub num_steps: Option<u32>,
    /// Seconds to wait for the capture to end before answering (default 0, at most 300).
    #[serde(default)]
    pub wait_s: Option<u64>,
}
