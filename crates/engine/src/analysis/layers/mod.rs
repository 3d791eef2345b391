//! Layer and forward-pass analysis (the seed's llm-pipeline-analysis, anchor-spec §22):
//! which forward pass, which layer, which half costs the time.
//!
//! [`analyse`] takes one device × stream of a trace (the device with the most GPU time and
//! its busiest stream unless told; ranks and devices are never mixed), splits its kernels
//! into forward passes (one per step annotation, or runs of layers when there is none) and
//! each pass into layers: at anchor kernels when a model profile (`catalog/profiles.toml`)
//! or `--anchor-kernel` gives one, else automatically from the repeating kernel-name
//! sequence of a layer ([`period`]). [`Layers::report`] turns that into the serialisable
//! [`LayerAnalysis`]: the all-passes summary with cold-start / steady-state notes, one
//! pass's layers with per-category times, layer-type clusters, one layer's kernels and a
//! comparison of two layers.
//!
//! Modules: `sequence` (the kernel sequence and category keys), `segments` (step
//! windows), [`period`] (automatic detection), [`anchors`], `detect` (passes and layers
//! per segment, cached per distinct kernel sequence), `build` (report rows), `steady`
//! (pass kinds and notes), `detail` (one layer's kernels, input dims, comparison),
//! [`config`] (`config.json`: layer count, types, model summary).

pub(crate) mod anchors;
mod build;
pub mod config;
mod detail;
mod detect;
pub(crate) mod period;
mod phase;
mod segments;
pub(crate) mod sequence;
mod steady;

pub use config::{ConfigError, ModelConfig};

use crate::catalog::Catalog;
use crate::catalog::categories::CategoryRules;
use crate::catalog::profiles::{AnchorAt, Profile, Profiles};
use crate::results::layers::{LayerAnalysis, Method};
use crate::results::notes::Note;
use crate::vocab::Stage;
use trace::model::Trace;

/// What to analyse and how.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The trace's path or file name, as shown in the report.
    pub path: String,
    /// A profile name (`--profile`); unknown names fall back with a note (front ends
    /// check them first with [`Profiles::get`]).
    pub profile: Option<String>,
    /// An anchor substring (`--anchor-kernel`), overriding the profile's.
    pub anchor: Option<String>,
    /// The model's `config.json`.
    pub config: Option<ModelConfig>,
    /// The device to analyse (default: the one with the most GPU time).
    pub device: Option<i64>,
    /// The stream to analyse (default: the device's stream with the most kernel time).
    pub stream: Option<i64>,
    /// The stage the file name says (`…-DECODE…`), for passes without a step annotation.
    pub path_stage: Option<Stage>,
}

/// Which pass and layers a report shows in detail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// The pass (default: the steady-state pick).
    pub pass: Option<usize>,
    /// A layer of that pass to list kernel by kernel.
    pub layer: Option<usize>,
    /// A second layer to compare with it.
    pub compare: Option<usize>,
}

/// A selection naming something that does not exist.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// The trace has no forward pass with layers.
    #[error("no forward pass with layers was found (see the notes of the summary)")]
    NoPasses,
    /// A pass number beyond the last.
    #[error("pass {asked} does not exist: the trace has {passes} passes (0–{})", passes.saturating_sub(1))]
    Pass {
        /// The pass asked for.
        asked: usize,
        /// Passes found.
        passes: usize,
    },
    /// A layer number beyond the last.
    #[error("layer {asked} does not exist: pass {pass} has {layers} layers (0–{})", layers.saturating_sub(1))]
    Layer {
        /// The layer asked for.
        asked: usize,
        /// The pass.
        pass: usize,
        /// Its layer count.
        layers: usize,
    },
    /// A comparison without a first layer.
    #[error("--compare-layer needs --layer")]
    CompareNeedsLayer,
}

/// One layer: kernel positions `[lo, hi)` of the sequence, in blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// First kernel.
    pub lo: usize,
    /// One past the last kernel.
    pub hi: usize,
    /// Blocks (halves), each `[start, end)`; one block for whole layers.
    pub blocks: Vec<(usize, usize)>,
}

/// One forward pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pass {
    /// The step annotation's text (empty without one).
    pub step: String,
    /// Its stage.
    pub stage: Stage,
    /// Its batch size, when the annotation says.
    pub batch: Option<u32>,
    /// First kernel of the pass (prologue included).
    pub lo: usize,
    /// One past its last kernel (epilogue included).
    pub hi: usize,
    /// Its layers, in order.
    pub layers: Vec<Layer>,
    /// Kernels per layer of the repeating sequence (automatic method).
    pub period: Option<usize>,
}

/// The detected passes and layers of one device × stream; [`Layers::report`] renders them.
#[derive(Debug)]
pub struct Layers<'a> {
    trace: &'a Trace,
    /// What was asked.
    pub options: Options,
    /// The profile used.
    pub profile: &'a Profile,
    /// What chose it: `--profile`, `config.json`, `trace` or `fallback`.
    pub profile_source: &'static str,
    /// How layers were found.
    pub method: Method,
    /// The anchor used (anchors method).
    pub anchor: Option<String>,
    /// Where the anchor sits in its block.
    pub anchor_at: AnchorAt,
    /// The kernel sequence.
    pub seq: sequence::Sequence,
    /// Kernels per device × stream of the whole trace.
    pub loads: Vec<sequence::StreamLoad>,
    /// The passes, in time order.
    pub passes: Vec<Pass>,
    /// Things the reader should know.
    pub notes: Vec<Note>,
}

/// Analyses `trace` with the built-in profiles and categories.
#[must_use]
pub fn analyse<'a>(trace: &'a Trace, options: &Options) -> Layers<'a> {
    analyse_with(trace, options, Profiles::builtin(), &Catalog::builtin().categories)
}

/// Analyses `trace` with the given profiles and category rules.
#[must_use]
pub fn analyse_with<'a>(
    trace: &'a Trace,
    options: &Options,
    profiles: &'a Profiles,
    rules: &CategoryRules,
) -> Layers<'a> {
    detect::run(trace, options, profiles, rules)
}

impl Layers<'_> {
    /// The trace analysed.
    #[must_use]
    pub fn trace(&self) -> &Trace {
        self.trace
    }

    /// Checks that a selection names existing passes and layers.
    ///
    /// # Errors
    /// When the pass or a layer does not exist, or a comparison has no first layer.
    pub fn check(&self, sel: &Selection) -> Result<(), SelectionError> {
        if sel.compare.is_some() && sel.layer.is_none() {
            return Err(SelectionError::CompareNeedsLayer);
        }
        if self.passes.is_empty() {
            return if sel.pass.is_some() || sel.layer.is_some() {
                Err(SelectionError::NoPasses)
            } else {
                Ok(())
            };
        }
        let pass = match sel.pass {
            Some(p) => p,
            None => steady::pick(self).unwrap_or(0),
        };
        let Some(pp) = self.passes.get(pass) else {
            return Err(SelectionError::Pass { asked: pass, passes: self.passes.len() });
        };
        for l in [sel.layer, sel.compare].into_iter().flatten() {
            if l >= pp.layers.len() {
                return Err(SelectionError::Layer { asked: l, pass, layers: pp.layers.len() });
            }
        }
        Ok(())
    }

    /// The report for a selection (parts that do not exist are left out with a note).
    #[must_use]
    pub fn report(&self, sel: &Selection) -> LayerAnalysis {
        build::report(self, sel)
    }
}
