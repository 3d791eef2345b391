//! tracetriage's integration tests: one test binary (see ARCHITECTURE.md, "Testing").
//!
//! - `corpus`: every real trace in `../shared/traces` loads with the counts an independent
//!   Python count found (`counts.json`).
//! - `robustness`: truncation at many cut points, byte flips and non-trace inputs never
//!   panic and give the right error or diagnostic.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::disallowed_methods)]

mod common;
mod corpus;
mod robustness;
