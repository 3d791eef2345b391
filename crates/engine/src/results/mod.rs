//! The values analyses return: serialisable, numbers raw (integer nanoseconds,
//! percentages as numbers), no sentences. The `report` crate wraps them into its versioned
//! documents and renders them.

/// `map_notes` of a value type whose notes are its `notes: Vec<N>` field (`N`: typed
/// [`notes::Note`]s from the engine, sentences once the `report` crate has written them);
/// the other fields are listed once and moved as they are.
macro_rules! map_notes {
    ($t:ident { $($field:ident),* $(,)? }) => {
        impl<N> $t<N> {
            /// The same values with every note turned into another form (a sentence).
            #[must_use]
            pub fn map_notes<M>(self, f: impl FnMut(N) -> M) -> $t<M> {
                let $t { $($field,)* notes } = self;
                $t { $($field,)* notes: notes.into_iter().map(f).collect() }
            }
        }
    };
}
pub(crate) use map_notes;

pub mod capture;
pub mod fuse;
pub mod kernels;
pub mod layers;
pub mod notes;
pub mod overlap;
pub mod ranks;
pub mod roofline;
pub mod triage;
pub mod verdict;

/// `part / whole` as a percentage (0 when `whole` is 0): every share in every table.
#[must_use]
pub fn share(part: i64, whole: i64) -> f64 {
    if whole <= 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}
