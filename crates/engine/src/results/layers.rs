//! The layers analysis's values: forward passes and layers of one device × stream, the
//! pass and layer shown in detail, and a layer compared with another. The versioned
//! document (`tracetriage layers --format json`, `docs/layers-json.md`) wraps them.

use serde::{Deserialize, Serialize};

use super::notes::Note;
use crate::vocab::{Category, Stage};

/// The trace and the lane analysed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LayersInput {
    /// The path (or file name in the browser) as given.
    pub path: String,
    /// Device ordinal analysed (`None`: the trace has no kernels).
    pub device: Option<i64>,
    /// Its GPU name, when `deviceProperties` lists it.
    pub gpu: Option<String>,
    /// Rank from `distributedInfo`.
    pub rank: Option<i64>,
    /// World size from `distributedInfo`.
    pub world_size: Option<i64>,
    /// Stream analysed.
    pub stream: Option<i64>,
    /// Kernels on that stream.
    pub kernels: u64,
    /// Every other stream with kernels (this device first), not part of the layers.
    pub other_streams: Vec<StreamRow>,
}

/// Kernels of one device × stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamRow {
    /// Device ordinal.
    pub device: i64,
    /// Stream id.
    pub stream: i64,
    /// Kernels.
    pub kernels: u64,
    /// Σ kernel time, ns.
    pub gpu_ns: i64,
}

/// How layers were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The repeating kernel-name sequence of a layer.
    Automatic,
    /// Anchor kernels (a profile's, or `--anchor-kernel`).
    Anchors,
}

impl Method {
    /// `automatic` / `anchors`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Method::Automatic => "automatic",
            Method::Anchors => "anchors",
        }
    }
}

/// The profile used and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileRow {
    /// Profile name.
    pub name: String,
    /// What chose it: `--profile`, `config.json`, `trace` (its anchor kernel is in the trace) or `fallback`.
    pub source: String,
    /// Automatic or anchors.
    pub method: Method,
    /// The anchor substring, with anchors.
    pub anchor: Option<String>,
    /// Whether the anchor opens (`start`) or closes (`end`) its block.
    pub anchor_at: String,
    /// Blocks per layer.
    pub blocks_per_layer: usize,
    /// A label per block (`attn`, `ffn`; `full` for one block).
    pub half_labels: Vec<String>,
}

/// A `(label, value)` line of the model summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
}

/// A category key of the layer tables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryKey {
    /// Machine key (`mla`, `gemm_fp8`, or an engine category label such as `gemm`).
    pub key: String,
    /// Display label.
    pub label: String,
    /// The column (group) it adds to.
    pub group: String,
    /// The engine category it stands for (colours).
    pub category: Category,
}

/// A note on a pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PassNote {
    /// The first pass of its kind, slower than the steady level.
    ColdStart {
        /// Duration ÷ steady level.
        ratio: f64,
    },
    /// Within the steady band of its kind.
    SteadyState,
    /// More than 1.5× the previous pass of its kind (the seed's "growing").
    Growing {
        /// Duration ÷ previous duration.
        ratio: f64,
    },
    /// Outside the steady band, slower.
    Slower {
        /// Duration ÷ steady level.
        ratio: f64,
    },
    /// Outside the steady band, faster.
    Faster {
        /// Duration ÷ steady level.
        ratio: f64,
    },
    /// The kernel sequence (or the batch) differs from the previous pass of this stage.
    Changed {
        /// What changed, e.g. `batch 16 → 8` or `kernel set`.
        what: String,
    },
    /// The layer count differs from `config.json` or from the other passes.
    LayerCount {
        /// Layers found.
        found: usize,
        /// Layers expected.
        expected: usize,
    },
}

/// One forward pass in the all-passes summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PassRow {
    /// Its citable id (`pass/N`); written by the `report` crate (empty in the engine's value and in
    /// reports of older builds).
    #[serde(default)]
    pub row_id: String,
    /// Pass number (0-based, time order).
    pub index: usize,
    /// The step annotation it sits in (empty without one).
    pub step: String,
    /// Stage of that step (or of the file name).
    pub stage: Stage,
    /// Batch size from the step annotation.
    pub batch: Option<u32>,
    /// First kernel start of the pass (prologue included), ns.
    pub start_ns: i64,
    /// Last kernel end of the pass (epilogue included), ns.
    pub end_ns: i64,
    /// `end − start`, ns.
    pub dur_ns: i64,
    /// First layer's start, ns.
    pub layers_start_ns: i64,
    /// Last layer's end, ns.
    pub layers_end_ns: i64,
    /// Layers found.
    pub layers: usize,
    /// Kernels of the pass.
    pub kernels: u64,
    /// Σ kernel time of the pass, ns.
    pub sum_ns: i64,
    /// Mean layer wall time, ns.
    pub avg_layer_ns: i64,
    /// Layer 0's wall time, ns.
    pub first_layer_ns: i64,
    /// Kernels per layer of the repeating sequence (automatic method).
    pub period: Option<usize>,
    /// Passes of one kind (stage, batch, kernel set) share a number.
    pub kind: usize,
    /// Cold start, steady state, growing, changes.
    pub notes: Vec<PassNote>,
}

/// One layer of a pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerRow {
    /// Its citable id (`pass/N/layer/L`); written by the `report` crate (empty in the engine's value and in
    /// reports of older builds).
    #[serde(default)]
    pub row_id: String,
    /// Layer number within the pass.
    pub index: usize,
    /// Type (`FIRST`, `MOE`, `C4_LIGHT`, `LAYER`, …; anchor-spec §22.3).
    #[serde(rename = "type")]
    pub kind: String,
    /// Compress ratio from `config.json`, when listed.
    pub compress_ratio: Option<i64>,
    /// First kernel start, ns.
    pub start_ns: i64,
    /// Latest kernel end, ns.
    pub end_ns: i64,
    /// `end − start` (max end, not the last kernel by start), ns.
    pub wall_ns: i64,
    /// Σ kernel durations, ns.
    pub sum_ns: i64,
    /// Kernels.
    pub kernels: u64,
    /// All-reduce kernels.
    pub all_reduces: u64,
    /// Σ duration per category key, aligned with [`LayerAnalysis::categories`], ns.
    pub category_ns: Vec<i64>,
}

/// Statistics of the layers of one type in a pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterRow {
    /// Layer type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Layers of the type.
    pub layers: usize,
    /// Mean wall time, ns.
    pub avg_wall_ns: i64,
    /// Mean Σ duration, ns.
    pub avg_sum_ns: i64,
    /// Σ duration of all of them, ns.
    pub sum_ns: i64,
    /// Σ duration per category key, aligned with [`LayerAnalysis::categories`], ns.
    pub category_ns: Vec<i64>,
}

/// The layers of one pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PassDetail {
    /// Pass number.
    pub index: usize,
    /// Its layers.
    pub layers: Vec<LayerRow>,
    /// Per layer type, in the seed's order (`FIRST, FULL_ATTN, C4_LIGHT, C128_HEAVY, HASH,
    /// FINAL`) then the other types by first layer; none dropped.
    pub clusters: Vec<ClusterRow>,
}

/// One kernel of a layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerKernel {
    /// Its citable id (`pass/N/layer/L/kernel/P`, P its position); written by the `report` crate (empty in the engine's value and in
    /// reports of older builds).
    #[serde(default)]
    pub row_id: String,
    /// Position in the layer (execution order, 0-based).
    pub position: usize,
    /// Block label (`attn`, `ffn`, `full`).
    pub block: String,
    /// Canonical kernel name.
    pub name: String,
    /// Short name for tables (namespaces and templates trimmed, ≤ 80 characters).
    pub short: String,
    /// Category key.
    pub key: String,
    /// Start, ns.
    pub start_ns: i64,
    /// Duration, ns.
    pub dur_ns: i64,
    /// Share of the layer's Σ duration, percent.
    pub share_pct: f64,
    /// `Input Dims` of the launching cpu_op (External id, else the launch's), when recorded.
    pub input_dims: Option<String>,
    /// Stream (always the analysed stream).
    pub stream: i64,
}

/// Σ duration and kernels of one category key in a layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySum {
    /// Category key.
    pub key: String,
    /// Σ duration, ns.
    pub dur_ns: i64,
    /// Kernels.
    pub count: u64,
}

/// One layer's kernels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerDetail {
    /// Pass number.
    pub pass: usize,
    /// Layer number.
    pub layer: usize,
    /// Layer type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Compress ratio, when listed.
    pub compress_ratio: Option<i64>,
    /// First kernel start, ns.
    pub start_ns: i64,
    /// Latest kernel end, ns.
    pub end_ns: i64,
    /// `end − start`, ns.
    pub wall_ns: i64,
    /// Σ kernel durations, ns.
    pub sum_ns: i64,
    /// Kernels in hot order: longest first (ties: earlier start, then position).
    pub kernels: Vec<LayerKernel>,
    /// Per category key, most time first (ties: key).
    pub categories: Vec<CategorySum>,
}

/// Two layers side by side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerCompare {
    /// The second layer (the first is [`LayerAnalysis::layer`]).
    pub other: LayerDetail,
    /// Short kernel names both run.
    pub common: usize,
    /// Short names only the first runs, sorted.
    pub only_first: Vec<String>,
    /// Short names only the second runs, sorted.
    pub only_other: Vec<String>,
}

/// What the layers analysis found: the body of the `report` crate's `LayersReport`
/// document. `N` is the note type: typed [`Note`]s from the engine, sentences once rendered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerAnalysis<N = Note> {
    /// Trace, device and stream.
    pub input: LayersInput,
    /// Profile and method.
    pub profile: ProfileRow,
    /// `num_hidden_layers` from `config.json`, when given.
    pub config_layers: Option<usize>,
    /// The architecture summary from `config.json` (empty without one).
    pub model: Vec<Fact>,
    /// Category keys seen, in display order (profile keys first, then engine categories).
    pub categories: Vec<CategoryKey>,
    /// Groups shown as columns of the per-layer text table, in order.
    pub columns: Vec<String>,
    /// The Perfetto time origin: the earliest timestamp in the trace (including the
    /// profiler's own span), ns. Perfetto shows times relative to it.
    pub origin_ns: i64,
    /// Every forward pass, in time order.
    pub passes: Vec<PassRow>,
    /// The pass picked as steady state (the default detail).
    pub steady_pass: Option<usize>,
    /// The pass shown in detail.
    pub pass: Option<PassDetail>,
    /// The layer shown in detail.
    pub layer: Option<LayerDetail>,
    /// The layer compared with it.
    pub compare: Option<LayerCompare>,
    /// Things the reader should know.
    pub notes: Vec<N>,
}

impl<N> LayerAnalysis<N> {
    /// The index of a category key.
    #[must_use]
    pub fn key_index(&self, key: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.key == key)
    }

    /// Groups in display order: [`LayerAnalysis::columns`] first, then the others by first key.
    #[must_use]
    pub fn groups(&self) -> Vec<String> {
        let mut out: Vec<String> = self.columns.clone();
        for c in &self.categories {
            if !out.contains(&c.group) {
                out.push(c.group.clone());
            }
        }
        out
    }

    /// Σ of `category_ns` per group of [`LayerAnalysis::groups`].
    #[must_use]
    pub fn by_group(&self, category_ns: &[i64]) -> Vec<i64> {
        let groups = self.groups();
        let mut out = vec![0i64; groups.len()];
        for (c, ns) in self.categories.iter().zip(category_ns) {
            if let Some(slot) = groups.iter().position(|g| *g == c.group).and_then(|g| out.get_mut(g)) {
                *slot += ns;
            }
        }
        out
    }

    /// The engine category a group stands for (its first key's), for colours.
    #[must_use]
    pub fn group_category(&self, group: &str) -> Category {
        self.categories.iter().find(|c| c.group == group).map_or(Category::Other, |c| c.category)
    }
}

super::map_notes!(LayerAnalysis {
    input,
    profile,
    config_layers,
    model,
    categories,
    columns,
    origin_ns,
    passes,
    steady_pass,
    pass,
    layer,
    compare
});
