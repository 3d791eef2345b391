//! tracetriage's report layer: the engine's values as versioned documents and as text,
//! tables and pictures, the same for every front end.
//!
//! The top of the pure core (`trace` ← `engine` ← `report`; the CLI, the relay and the
//! browser app sit on this crate and name the lower ones only through its re-exports
//! [`engine`] and [`trace`]). It owns:
//!
//! - the documents: [`Report`] (a triage), [`RanksReport`], [`LayersReport`],
//!   [`DiffReport`] and the dashboard [`dashboard::Manifest`], each a
//!   [`Document`] (one envelope, one read/write with version upgrades, one
//!   [`DocumentError`]);
//! - every sentence and number a reader sees: [`notes`] (the engine's notes as sentences),
//!   [`mod@format`] (durations, shares, counts) and the views, which turn documents into
//!   [`Table`]s of display cells that render themselves as markdown, text and CSV
//!   ([`view`], [`overlap`], [`fuse`], [`layers`], [`ranks`], [`diff`]);
//! - [`markdown`] and [`csv`] of a whole report, [`inspect`] text, a [`catalog`] entry's
//!   text, the SVG and ASCII [`timeline`], [`share`] links and the team [`dashboard`]'s
//!   data;
//! - citable rows ([`ids`]): every table row's stable `row_id`;
//! - the [`gate`]s that refuse a triage (the diffusion backend gate: a server log line or
//!   Python stacks showing the diffusers backend ran) and the diff's CI gate
//!   ([`diff::gate`]).
//!
//! It does no I/O, so the same code runs natively and as WebAssembly.
//!
//! ```
//! let json = br#"{"traceEvents": [
//!   {"ph": "X", "cat": "kernel", "name": "gemm", "pid": 0, "tid": 7, "ts": 10.5, "dur": 2.0,
//!    "args": {"stream": 7, "correlation": 1}}
//! ]}"#;
//! let trace = report::trace::load(json).expect("a trace");
//! let inputs = [report::engine::triage::Input { path: "x.json", trace: &trace }];
//! let r = report::triage::triage(&inputs, &report::engine::triage::Options::default());
//! assert!(report::markdown::render(&r).contains("| gemm |"));
//! assert_eq!(report::Report::from_json(&r.to_json()), Ok(r));
//! ```

#![warn(unreachable_pub)]

pub mod catalog;
pub mod csv;
pub mod dashboard;
pub mod diff;
pub mod document;
pub mod format;
pub mod fragment;
pub mod fuse;
pub mod gate;
pub mod ids;
pub mod inspect;
pub mod layers;
pub mod live;
pub mod markdown;
pub mod notes;
pub mod overlap;
pub mod perfetto;
pub mod ranks;
pub mod roofline;
pub mod share;
pub mod table;
pub mod timeline;
pub mod triage;
pub mod verdict;
pub mod view;

pub use engine;
pub use engine::trace;

pub use diff::DiffReport;
pub use document::{Document, DocumentError};
pub use layers::LayersReport;
pub use ranks::RanksReport;
pub use table::{Align, Cell, Column, Table};
pub use triage::{REPORT_SCHEMA, REPORT_VERSION, Report, StageReport};
