//! The all-ranks report: several traces of one capture (one per rank) side by side,
//! aligned in time, with per-rank figures, collective arrival skew and per-kernel spread.
//!
//! API boundary: this is the JSON schema of `tracetriage triage --all-ranks --format json`
//! (documented in `docs/ranks-json.md`): the [`Document`] envelope around the engine's
//! [`AllRanks`], versioned on its own ([`RANKS_VERSION`]). Numbers are raw (nanoseconds,
//! percentages as numbers); all display text comes from [`view`] and [`crate::format`],
//! so the CLI and the browser show the same characters.

pub mod markdown;
pub mod view;

use engine::Catalog;
use engine::results::notes::Note;
use engine::triage::{Input, Options};

use crate::document::{Body, Document};
use crate::notes::sentence;

pub use engine::results::ranks::*;

/// An all-ranks report: the envelope plus the comparison, notes as sentences.
pub type RanksReport = Document<AllRanks<String>>;

/// The `schema` value of every all-ranks report.
pub const RANKS_SCHEMA: &str = "tracetriage.ranks";
/// The current all-ranks report version.
pub const RANKS_VERSION: u32 = 1;

impl Body for AllRanks<String> {
    const SCHEMA: &'static str = RANKS_SCHEMA;
    const VERSION: u32 = RANKS_VERSION;
    const KIND: &'static str = "all-ranks report";
}

impl From<AllRanks<Note>> for RanksReport {
    fn from(r: AllRanks<Note>) -> RanksReport {
        Document::new(r.map_notes(sentence))
    }
}

/// The all-ranks report of `inputs` (one trace per rank, any order).
#[must_use]
pub fn compare(inputs: &[Input<'_>], options: &Options, catalog: &Catalog) -> RanksReport {
    RanksReport::from(engine::ranks::compare(inputs, options, catalog))
}
