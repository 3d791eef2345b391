//! Roofline figures in a report: per kernel row its work, achieved rates and how close
//! they come to the GPU's achievable roof; per stage how much GPU time has a figure and
//! why the rest has none.

use serde::{Deserialize, Serialize};

use crate::catalog::PeakDtype;

/// What limits a kernel at its arithmetic intensity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bound {
    /// Intensity at or above the ridge point: the math units.
    Compute,
    /// Below the ridge point: memory bandwidth.
    Memory,
}

impl Bound {
    /// `compute` or `memory`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Bound::Compute => "compute",
            Bound::Memory => "memory",
        }
    }
}

/// A kernel row's roofline figures (all `None` when none of its launches has one).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RowRoofline {
    /// Σ FLOPs of its launches with a figure.
    pub flops: Option<f64>,
    /// Σ bytes moved by them.
    pub bytes: Option<f64>,
    /// FLOPs per byte.
    pub intensity: Option<f64>,
    /// FLOPs over those launches' own GPU time, TFLOP/s.
    pub achieved_tflops: Option<f64>,
    /// Bytes over that time, TB/s.
    pub achieved_tbps: Option<f64>,
    /// Achieved rate over the achievable roof at this intensity (the GPU's datasheet
    /// peaks times its achievable fractions): 1.0 is at the roof.
    pub roof_fraction: Option<f64>,
    /// What limits it.
    pub bound: Option<Bound>,
    /// The peak its math runs against.
    pub peak_dtype: Option<PeakDtype>,
    /// GPU time of the launches with a figure, ns.
    pub roofline_ns: i64,
    /// GPU time it would save at the achievable roof, ns.
    pub headroom_ns: Option<i64>,
}

/// Why a kernel launch has no roofline figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoFigure {
    /// Its op has a formula but the trace recorded no shapes for it (profile with
    /// `record_shapes=True`).
    NoShapes,
    /// Its op's formula needs the model's `config.json` (MoE layers, attention from step
    /// aggregates).
    NoConfig,
    /// No formula for its op.
    NotModelled,
    /// A graph replay not aligned with a capture trace: its op is unknown.
    GraphReplay,
    /// No CPU op linked to its launch (by the launch's External id).
    NoOp,
    /// Its launch was not recorded (no runtime event with its correlation id).
    NoLaunch,
    /// A helper kernel of an op whose work is counted on its main kernels.
    Helper,
    /// A copy or fill activity (bound by its link, not the roofline).
    CopyOrFill,
}

impl NoFigure {
    /// Words for the coverage line.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            NoFigure::NoShapes => "no shapes recorded",
            NoFigure::NoConfig => "needs the model's config.json",
            NoFigure::NotModelled => "op not modelled",
            NoFigure::GraphReplay => "graph replay not attributed",
            NoFigure::NoOp => "no CPU op linked to its launch",
            NoFigure::NoLaunch => "launch not recorded",
            NoFigure::Helper => "helper kernel of a modelled op",
            NoFigure::CopyOrFill => "copy or fill",
        }
    }
}

/// GPU time without a figure, for one reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoFigureTime {
    /// Why.
    pub reason: NoFigure,
    /// GPU time, ns.
    pub ns: i64,
}

/// GPU time of kernels whose op has no formula, per op.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpTime {
    /// The op.
    pub op: String,
    /// GPU time, ns.
    pub ns: i64,
}

/// How much of a stage's GPU time has a roofline figure.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RooflineCoverage {
    /// Whether it was computed (false in reports of older builds).
    pub computed: bool,
    /// The GPU spec the roofs come from (`catalog/gpus.toml` id), when the GPU is known.
    pub gpu_id: Option<String>,
    /// Its label.
    pub gpu_label: Option<String>,
    /// Σ GPU activity time of the stage, ns.
    pub total_ns: i64,
    /// Of it, with a figure, ns.
    pub with_figure_ns: i64,
    /// The rest by reason, most time first.
    pub missing: Vec<NoFigureTime>,
    /// The ops without a formula that cost the most GPU time (at most 5).
    pub unmodelled: Vec<OpTime>,
}
