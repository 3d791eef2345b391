//! The overlap-opportunity table of a stage (and its timeline summary).
//!
//! Placeholder types: the overlap analysis fills them (see the overlap issue). Until then
//! every stage's table is empty and says so.

use serde::{Deserialize, Serialize};

use super::view::{Column, Table};

/// A stage's overlap-opportunity table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OverlapTable {
    /// Whether the analysis ran for this stage.
    pub computed: bool,
}

/// The presentation table of a stage's overlap rows.
#[must_use]
pub fn table(_overlap: &OverlapTable, _min_share_pct: f64) -> Table {
    Table {
        columns: [
            "Priority",
            "Verdict",
            "Kernel",
            "Python scope",
            "Formal signal",
            "Dep risk",
            "Recommendation",
        ]
        .into_iter()
        .map(|label| Column { label, align: super::view::Align::Left })
        .collect(),
        rows: Vec::new(),
        empty: "Overlap analysis is not available in this build.".to_owned(),
        footer: None,
    }
}
