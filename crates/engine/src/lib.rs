//! tracetriage's engine: a loaded [`Trace`] in, analysis values out.
//!
//! The middle layer: it reads what the `trace` crate loaded and computes everything a
//! report shows — the stage split, attribution (through CUDA-graph replays and mapping),
//! the kernel, overlap and fuse tables, layers, all-ranks alignment and the timeline
//! model — as plain values ([`results`]). It writes no sentences and formats no numbers:
//! the `report` crate wraps these values into versioned documents and renders them. It
//! does no I/O (no files, clock, threads or environment), so the same code runs natively
//! and as WebAssembly.
//!
//! ```
//! let json = br#"{"traceEvents": [
//!   {"ph": "X", "cat": "kernel", "name": "gemm", "pid": 0, "tid": 7, "ts": 10.5, "dur": 2.0,
//!    "args": {"stream": 7, "correlation": 1}}
//! ]}"#;
//! let trace = trace::load(json).expect("a trace");
//! let inputs = [engine::triage::Input { path: "x.json", trace: &trace }];
//! let t = engine::triage::triage(&inputs, &engine::triage::Options::default(), engine::Catalog::builtin());
//! assert_eq!(t.stages.len(), 1);
//! assert_eq!(t.stages[0].kernels.rows[0].name, "gemm");
//! ```
//!
//! Layers inside the crate, lowest first (no module names one of a later group;
//! `tests/it/tidy.rs` checks): [`vocab`], [`names`], [`order`] ← [`catalog`], [`discover`] ←
//! [`results`], [`timeline`] ← [`analysis`] ← [`triage`] ← [`ranks`].

#![warn(unreachable_pub)]

pub mod analysis;
pub mod catalog;
pub mod discover;
pub mod names;
pub mod order;
pub mod ranks;
pub mod results;
pub mod timeline;
pub mod triage;
pub mod vocab;

pub use catalog::Catalog;
pub use trace;
pub use trace::Trace;
