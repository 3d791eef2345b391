//! How a kernel's Python location was found ([`Via`]) and how it matched eager launches
//! of the same kernel ([`MatchKind`]).

use serde::{Deserialize, Serialize};

/// How an activity's Python location was found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// Its own launch, outside a graph.
    Direct,
    /// The `cudaGraphLaunch` that replayed it (the graph launch's Python frame).
    GraphLaunch,
    /// The launch recorded for it while its graph was captured (a capture trace).
    Capture,
    /// The annotation PyTorch baked into the replayed kernel's args at export
    /// (`cuda_graph_annotations`: module and name fields).
    Annotation,
    /// Eager launches of the same kernel in the mapping traces (two-trace mode).
    Mapping,
    /// Eager launches of the same kernel elsewhere in the same traces.
    SelfMapping,
    /// Nothing: no launch or no Python frame was found.
    #[default]
    None,
}

impl Via {
    /// `direct`, `graph launch`, `capture`, `annotation`, `mapping`, `self-mapping`, `none`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Via::Direct => "direct",
            Via::GraphLaunch => "graph launch",
            Via::Capture => "capture",
            Via::Annotation => "annotation",
            Via::Mapping => "mapping",
            Via::SelfMapping => "self-mapping",
            Via::None => "none",
        }
    }

    /// Whether the location came from another launch of the kernel (mapping or self-mapping).
    #[must_use]
    pub fn is_mapped(self) -> bool {
        matches!(self, Via::Mapping | Via::SelfMapping)
    }
}

/// How a kernel was matched to eager launches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// Same canonical name, launched from one Python location.
    Exact,
    /// Same normalised name or family (architecture, tile shape, numeric template
    /// arguments differ), launched from one Python location.
    Normalised,
    /// Matched (by any identity), but the eager launches come from several Python
    /// locations: each is shown with its share.
    Ambiguous,
    /// Not matched (or not looked up: the activity kept its own attribution).
    #[default]
    None,
}

impl MatchKind {
    /// `exact`, `normalised`, `ambiguous`, `none`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Normalised => "normalised",
            MatchKind::Ambiguous => "ambiguous",
            MatchKind::None => "none",
        }
    }

    /// The less certain of two kinds (`none` < `exact` < `normalised` < `ambiguous`).
    #[must_use]
    pub fn weaker(self, other: MatchKind) -> MatchKind {
        let rank = |m: MatchKind| match m {
            MatchKind::None => 0,
            MatchKind::Exact => 1,
            MatchKind::Normalised => 2,
            MatchKind::Ambiguous => 3,
        };
        if rank(other) > rank(self) { other } else { self }
    }
}
