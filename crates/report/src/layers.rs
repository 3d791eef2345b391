//! The layers report: forward passes and layers of one device × stream, serialisable and
//! versioned (`docs/layers-json.md`), rendered by `tracetriage layers` and the browser's
//! layer tab from the same numbers.
//!
//! API boundary: this is the JSON of `tracetriage layers --format json`: the
//! [`crate::Document`] envelope around the engine's [`LayerAnalysis`]. Fields are only added;
//! a change of meaning bumps [`LAYERS_VERSION`]. Numbers are raw (integer nanoseconds,
//! percentages as numbers); display text comes from [`view`] and [`crate::format`]; [`svg`]
//! draws the layer heat-map.

pub mod svg;
pub mod text;
pub mod view;

pub use engine::results::layers::*;

crate::document::noted_document! {
    /// A layers report: the envelope plus what the layers analysis found, notes as sentences.
    LayersReport = LayerAnalysis, LAYERS_SCHEMA = "tracetriage.layers", LAYERS_VERSION = 1, kind "layers report",
    finish crate::ids::assign_layers
}
