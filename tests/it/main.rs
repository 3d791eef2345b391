//! tracetriage's integration tests: one test binary (see ARCHITECTURE.md, "Testing").
//!
//! - `categories`: real kernel names from the corpus get the category of what they do.
//! - `corpus`: every real trace in `../shared/traces` loads with the counts an independent
//!   Python count found (`counts.json`).
//! - `golden`: triage reports of the corpus and the fixtures against reviewed files.
//! - `report`: kernel-table facts — seed parity, stages, attribution, fixtures per rule.
//! - `robustness`: truncation at many cut points, byte flips and non-trace inputs never
//!   panic and give the right error or diagnostic.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::disallowed_methods)]

mod categories;
mod common;
mod corpus;
mod golden;
mod report;
mod robustness;
