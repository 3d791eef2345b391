//! The values analyses return: serialisable, numbers raw (integer nanoseconds,
//! percentages as numbers), no sentences. The `report` crate wraps them into its versioned
//! documents and renders them.

pub mod fuse;
pub mod kernels;
pub mod layers;
pub mod notes;
pub mod overlap;
pub mod ranks;
pub mod triage;

/// `part / whole` as a percentage (0 when `whole` is 0): every share in every table.
#[must_use]
pub fn share(part: i64, whole: i64) -> f64 {
    if whole <= 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}
