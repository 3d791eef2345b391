//! The fuse-pattern table of a stage.
//!
//! Placeholder types: the fuse matcher fills them (see the fuse-catalog issue). Until then
//! every stage's table is empty and says so.

use serde::{Deserialize, Serialize};

use super::view::{Column, Table};

/// A stage's fuse-pattern table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FuseTable {
    /// Whether the matcher ran for this stage.
    pub computed: bool,
}

/// The presentation table of a stage's fuse rows.
#[must_use]
pub fn table(_fuse: &FuseTable, _min_share_pct: f64) -> Table {
    Table {
        columns: [
            "Pattern",
            "Confidence",
            "Related GPU time",
            "Share",
            "Evidence kernels",
            "Current kernel Python location",
            "Candidate fused Python path",
            "Rationale",
        ]
        .into_iter()
        .map(|label| Column { label, align: super::view::Align::Left })
        .collect(),
        rows: Vec::new(),
        empty: "Fuse-pattern matching is not available in this build.".to_owned(),
        footer: None,
    }
}
