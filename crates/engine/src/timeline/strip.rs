//! Glyph strips: binned lanes as one character per column ([`Category::glyph`], `.` idle)
//! and `^` where two or more lanes overlap. The report's per-stage timeline summary and the
//! CLI's ASCII timeline are made of them.

use super::bins::Bins;
use crate::vocab::Category;

/// Streams shown at most; the rest are counted in `lanes_omitted`.
pub const MAX_LANES: usize = 12;

/// Columns of a strip for `lanes` streams: 120, or 80 beyond eight streams.
#[must_use]
pub fn columns(lanes: usize) -> usize {
    if lanes > 8 { 80 } else { 120 }
}

/// Renders binned lanes as strings: a lane's glyph per column, `.` when idle.
#[must_use]
pub fn strip(b: &Bins, lane: usize) -> String {
    b.cells
        .get(lane)
        .map(|cells| cells.iter().map(|c| c.top.map_or('.', Category::glyph)).collect())
        .unwrap_or_default()
}

/// `^` per overlapped column, space otherwise.
#[must_use]
pub fn overlap_strip(b: &Bins) -> String {
    (0..b.n).map(|c| if b.overlapped(c) { '^' } else { ' ' }).collect()
}
