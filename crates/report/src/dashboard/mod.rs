//! The team dashboard and the markdown bundle, pure side: a manifest of many reports
//! (one small entry per run, enough to list, filter, sort and chart them without loading
//! each report), a
//! comparison of two runs, the trend chart and the bundle. Pure like the rest of the
//! engine: the CLI finds and writes the files, the browser fetches them.
//!
//! - [`entry`]: [`ManifestEntry`] of a report; [`mod@manifest`]: the `tracetriage.manifest`
//!   document and its reader (bad entries skipped with a reason).
//! - [`filter`]: filter text and sorting by any column; [`view`]: the run list as a table.
//! - [`compare`]: two runs of one model through the A/B diff.
//! - [`trend`]: a figure over runs by date, as SVG.
//! - [`bundle`]: many reports as one markdown document (anchor-spec §18).
//! - [`runs`]: which traces of a folder make one run; [`ids`]: ids, anchors, path checks;
//!   [`date`]: capture dates; [`synthetic`]: generated runs for benchmarks.

pub mod bundle;
pub mod compare;
pub mod date;
pub mod entry;
pub mod filter;
pub mod ids;
pub mod manifest;
pub mod runs;
pub mod synthetic;
pub mod trend;
pub mod view;

pub use entry::{EntryOptions, EntrySource, ManifestEntry};
pub use manifest::{
    MANIFEST_SCHEMA, MANIFEST_VERSION, Manifest, ManifestRead, Runs, new_manifest, read_manifest,
};

/// Reads a report file of any version (upgraded when older; newer, broken and other
/// files refused with the reason).
///
/// # Errors
/// What is wrong with the file, as a [`crate::DocumentError`].
pub fn read_report(bytes: &[u8]) -> Result<crate::Report, crate::DocumentError> {
    crate::Report::from_bytes(bytes)
}
