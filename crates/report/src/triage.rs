//! The report: one versioned document of a triage, rendered by every front end.
//!
//! API boundary: this is the JSON schema of `tracetriage triage --format json`, of the
//! browser's downloads and of shared links (documented in `docs/report-json.md`): the
//! [`crate::Document`] envelope around the engine's [`Triage`] with its notes as sentences.
//! Fields are only added; a change of meaning bumps [`REPORT_VERSION`]. Numbers are raw
//! (nanoseconds, percentages as numbers); all text for display comes from
//! [`crate::view`] so the CLI, the browser and golden files show the same characters.

use engine::Catalog;
use engine::triage::{Input, Options};

pub use engine::results::capture::{CaptureCoverage, CaptureInfo, CaptureMiss, CaptureMissTime, CaptureRoot};
pub use engine::results::fuse::FuseTable;
pub use engine::results::kernels::{Coverage, KernelRow, KernelSite, KernelTable, StageSummary};
pub use engine::results::triage::{DiagnosticRow, FrameworkInfo, InputInfo, Mode, StageReport, Triage};

crate::document::noted_document! {
    /// A triage report: the envelope plus what the triage found, notes as sentences.
    Report = Triage, REPORT_SCHEMA = "tracetriage.report", REPORT_VERSION = 1, kind "report",
    finish finish
}

/// Completes a report's body: the verdicts' and findings' sentences, then every row's
/// citable id ([`crate::ids`]).
fn finish(body: &mut Triage<String>) {
    crate::verdict::write(body);
    crate::ids::assign(body);
}

/// The report of one set of traces (single-trace mode) with the built-in catalog.
#[must_use]
pub fn triage(inputs: &[Input<'_>], options: &Options) -> Report {
    triage_with(inputs, options, Catalog::builtin())
}

/// The report of one set of traces (single-trace mode) with a given catalog. The two-trace
/// and role-tagged triages are `Report::from` of [`engine::triage::triage_mapping_formal`]
/// and [`engine::triage::triage_with_roles`].
#[must_use]
pub fn triage_with(inputs: &[Input<'_>], options: &Options, catalog: &Catalog) -> Report {
    Report::from(engine::triage::triage(inputs, options, catalog))
}
