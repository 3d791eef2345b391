//! Comparing two runs of the dashboard. The comparison itself is the A/B diff
//! ([`crate::diff`]: stages paired by kind, summary figures, categories, kernel
//! families and kernels side by side with `B − A` changes), so the dashboard, the CLI's
//! `diff` and shared diff links agree; this module adds what the dashboard needs around
//! it: whether two entries are runs of the same model, and which is the baseline.

use std::cmp::Ordering;

use super::entry::ManifestEntry;
use crate::Report;
use crate::diff::{self, DiffOptions, DiffReport};

/// Whether two runs can be compared as runs of one model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comparability {
    /// Both name the same model.
    SameModel,
    /// They name different models.
    DifferentModels {
        /// A's model.
        a: String,
        /// B's model.
        b: String,
    },
    /// At least one run does not say which model it ran.
    UnknownModel,
}

impl Comparability {
    /// A sentence for the page (empty for the same model).
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Comparability::SameModel => String::new(),
            Comparability::DifferentModels { a, b } => {
                format!("These runs are of different models ({a} and {b}): the families will not line up.")
            }
            Comparability::UnknownModel => {
                "At least one run does not say which model it ran: check they are the same model.".to_owned()
            }
        }
    }
}

/// Whether `a` and `b` are runs of the same model (model names compared case-insensitively).
#[must_use]
pub fn comparability(a: &ManifestEntry, b: &ManifestEntry) -> Comparability {
    let (ka, kb) = (a.model_key(), b.model_key());
    if ka.is_empty() || kb.is_empty() {
        Comparability::UnknownModel
    } else if ka == kb {
        Comparability::SameModel
    } else {
        Comparability::DifferentModels {
            a: a.model.clone().unwrap_or_default(),
            b: b.model.clone().unwrap_or_default(),
        }
    }
}

/// The baseline first: the earlier capture (undated last), then by id.
#[must_use]
pub fn baseline_first<'a>(
    a: &'a ManifestEntry,
    b: &'a ManifestEntry,
) -> (&'a ManifestEntry, &'a ManifestEntry) {
    let date = |e: &ManifestEntry| e.captured_unix_ns.map_or((1, 0), |t| (0, t));
    match date(a).cmp(&date(b)).then_with(|| a.id.cmp(&b.id)) {
        Ordering::Greater => (b, a),
        _ => (a, b),
    }
}

/// Compares run `b` (report `rb`) with run `a` (report `ra`): the A/B diff with the runs'
/// labels as sources, `top` rows per table (0: all).
#[must_use]
pub fn compare(a: &ManifestEntry, ra: &Report, b: &ManifestEntry, rb: &Report, top: usize) -> DiffReport {
    let name = |e: &ManifestEntry| {
        if e.label.is_empty() { e.id.clone() } else { format!("{} ({})", e.label, e.id) }
    };
    let options = DiffOptions { top, a_source: name(a), b_source: name(b), ..DiffOptions::default() };
    let mut d = diff::diff(ra, rb, &options);
    let why = comparability(a, b).message();
    if !why.is_empty() {
        d.notes.insert(0, why);
    }
    d
}
