//! The all-ranks report: several traces of one capture (one per rank) side by side,
//! aligned in time, with per-rank figures, collective arrival skew and per-kernel spread.
//!
//! API boundary: this is the JSON schema of `tracetriage triage --all-ranks --format json`
//! (documented in `docs/ranks-json.md`): the [`crate::Document`] envelope around the engine's
//! [`AllRanks`], versioned on its own ([`RANKS_VERSION`]). Numbers are raw (nanoseconds,
//! percentages as numbers); all display text comes from [`view`] and [`crate::format`],
//! so the CLI and the browser show the same characters.

pub mod markdown;
pub mod reduction;
pub mod view;

use engine::Catalog;
use engine::triage::{Input, Options};

pub use engine::results::ranks::*;

crate::document::noted_document! {
    /// An all-ranks report: the envelope plus the comparison, notes as sentences.
    RanksReport = AllRanks, RANKS_SCHEMA = "tracetriage.ranks", RANKS_VERSION = 1, kind "ranks report"
}

/// The all-ranks report of `inputs` (one trace per rank, any order).
#[must_use]
pub fn compare(inputs: &[Input<'_>], options: &Options, catalog: &Catalog) -> RanksReport {
    RanksReport::from(engine::ranks::compare(inputs, options, catalog))
}
