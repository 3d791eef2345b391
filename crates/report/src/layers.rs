//! The layers report: forward passes and layers of one device × stream, serialisable and
//! versioned (`docs/layers-json.md`), rendered by `tracetriage layers` and the browser's
//! layer tab from the same numbers.
//!
//! API boundary: this is the JSON of `tracetriage layers --format json`. Fields are only
//! added; a change of meaning bumps [`LAYERS_VERSION`]. The [`Document`] envelope around the
//! engine's [`LayerAnalysis`]. Numbers are raw (integer
//! nanoseconds, percentages as numbers); display text comes from [`view`] and
//! [`crate::format`]; [`svg`] draws the layer heat-map.

pub mod svg;
pub mod text;
pub mod view;

use engine::results::notes::Note;

use crate::document::{Body, Document};
use crate::notes::sentence;

pub use engine::results::layers::*;

/// A layers report: the envelope plus what the layers analysis found, notes as sentences.
pub type LayersReport = Document<LayerAnalysis<String>>;

/// The `schema` value of every layers report.
pub const LAYERS_SCHEMA: &str = "tracetriage.layers";
/// The current layers-report version.
pub const LAYERS_VERSION: u32 = 1;

impl Body for LayerAnalysis<String> {
    const SCHEMA: &'static str = LAYERS_SCHEMA;
    const VERSION: u32 = LAYERS_VERSION;
    const KIND: &'static str = "layers report";
}

impl From<LayerAnalysis<Note>> for LayersReport {
    fn from(a: LayerAnalysis<Note>) -> LayersReport {
        Document::new(a.map_notes(sentence))
    }
}
