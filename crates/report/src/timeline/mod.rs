//! The overlap timeline drawn: [`svg`] for the browser (plotters' SVG backend, text
//! written without measuring fonts, so it runs in a Web Worker), with the words around it
//! in [`labels`], and [`ascii`] for the CLI's `--timeline`. Both draw the engine's
//! [`engine::timeline::Timeline`] model over a time window, binned into columns so a
//! drawing is bounded by its width.

pub mod ascii;
pub mod labels;
pub mod svg;

pub use svg::{Palette, Rgb};

#[cfg(test)]
mod tests;
