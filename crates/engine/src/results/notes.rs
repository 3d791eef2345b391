//! Notes: what an analysis wants the reader to know (work left out, a choice it made,
//! something it could not do), as data. The `report` crate turns each into a sentence;
//! nothing here is text for display.

use crate::vocab::Family;

/// One thing the reader should know about a triage, an all-ranks comparison or a layers
/// analysis. Paths are the inputs' paths as given (the renderer shows their file names).
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    // ---- triage
    /// Two-trace mode without any mapping trace.
    NoMappingTraces,
    /// The mapping traces have no eager launch with a Python location.
    MappingAttributesNothing,
    /// What the mapping traces offer.
    MappingTraces {
        /// Eager launches with a Python location.
        launches: u64,
        /// Distinct kernels among them.
        kernels: u64,
        /// Their GPU time, ns.
        gpu_ns: i64,
    },
    /// An input ran GPU work on a device the triage does not follow (not shown).
    OtherDevice {
        /// The input's path.
        path: String,
        /// The other device.
        device: i64,
        /// Its GPU time, ns.
        gpu_ns: i64,
        /// The device the report follows.
        followed: i64,
    },
    /// An input ran GPU work on a device the all-ranks comparison does not follow (not
    /// compared).
    OtherDeviceNotCompared {
        /// The input's path.
        path: String,
        /// The other device.
        device: i64,
        /// Its GPU time, ns.
        gpu_ns: i64,
        /// The device the comparison follows.
        followed: i64,
    },
    /// An input has no GPU activity.
    NoGpuActivity {
        /// The input's path.
        path: String,
        /// Whether it was a mapping input (it had nothing to map from).
        mapping: bool,
        /// Whether the input ends early (then it ends before any GPU event, as far as read).
        cut: bool,
    },
    /// An input's GPU time outside every stage window, too small to show as a stage.
    OutsideStages {
        /// The input's path.
        path: String,
        /// That time, ns.
        gpu_ns: i64,
        /// Its share of the input's GPU time, %.
        share_pct: f64,
    },
    // ---- all ranks
    /// No traces at all.
    NoTraces,
    /// Traces of one rank only: nothing to compare across ranks.
    OnlyOneRank,
    /// A second trace of a rank for one stage.
    SecondTraceOfRank {
        /// The left-out input's path.
        path: String,
        /// Its rank.
        rank: i64,
    },
    /// Work outside every stage window on all ranks, too small to show.
    OutsideStagesOnRanks {
        /// The most any rank ran there, ns.
        max_ns: i64,
        /// The rank that ran the most.
        rank: i64,
    },
    /// The traces could not be aligned: no base times and no collective common to all.
    NotAligned {
        /// Traces without `baseTimeNanoseconds`.
        missing: usize,
        /// All traces.
        traces: usize,
    },
    /// The traces were aligned on the end of their first collective of a family.
    AlignedOnFirstCollective {
        /// Traces without `baseTimeNanoseconds`.
        missing: usize,
        /// All traces.
        traces: usize,
        /// The family aligned on.
        family: Family,
    },
    /// A collective family runs on some ranks only.
    FamilyOnSomeRanks {
        /// The family.
        family: Family,
        /// The ranks it runs on.
        ranks: Vec<i64>,
        /// Ranks compared.
        of: usize,
    },
    /// Ranks ran different numbers of one family's kernels.
    UnevenCollectives {
        /// The family.
        family: Family,
        /// `(rank, kernels)` per rank running it.
        counts: Vec<(i64, u64)>,
        /// How many of each were matched (the least).
        matched: u64,
    },
    // ---- layers
    /// `--profile` named no known profile.
    UnknownProfile {
        /// The name given.
        name: String,
        /// The known profile names.
        known: Vec<String>,
    },
    /// No profile at all: the built-in fallback is shown.
    NoProfile,
    /// The trace has no GPU kernels.
    NoKernels,
    /// The device asked for (`--device`) has no kernels.
    NoKernelsOnDevice {
        /// The device.
        device: i64,
    },
    /// The device and stream asked for (`--device`, `--stream`) have no kernels.
    NoKernelsOnStream {
        /// The device.
        device: i64,
        /// The stream.
        stream: i64,
    },
    /// Kernels of the stream outside every step annotation.
    OutsideSteps {
        /// How many.
        kernels: u64,
        /// The stream.
        stream: i64,
    },
    /// No repeating sequence: layers split at a fallback anchor.
    AnchorFallback {
        /// The anchor used.
        anchor: String,
    },
    /// No layers: the anchor names too few kernels.
    NoLayersAtAnchor {
        /// The anchor.
        anchor: String,
        /// Kernels of the stream whose name contains it.
        kernels: u64,
        /// The stream.
        stream: i64,
    },
    /// No layers: no repeating kernel sequence.
    NoRepeatingSequence,
    /// No step annotations: a pass is a run of consecutive layers.
    NoStepAnnotations,
    /// The pass asked for does not exist.
    NoSuchPass {
        /// The pass asked for.
        pass: usize,
        /// Passes in the trace.
        passes: usize,
    },
    /// The layer asked for does not exist in the pass.
    NoSuchLayer {
        /// The layer asked for.
        layer: usize,
        /// The pass.
        pass: usize,
        /// Layers in it.
        layers: usize,
    },
    /// `config.json`'s layer count differs from the pass's.
    LayerCountMismatch {
        /// `num_hidden_layers`.
        config: usize,
        /// The pass.
        pass: usize,
        /// Its layers.
        found: usize,
    },
}
