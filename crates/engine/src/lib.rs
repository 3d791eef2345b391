//! tracetriage's engine: the pure triage core.
//!
//! Bytes of a PyTorch-profiler (Kineto) Chrome trace go in, a compact columnar
//! [`Trace`] comes out, and every report is computed from it. The engine does no I/O
//! (no files, clock, threads or environment), so the same code runs natively in the CLI
//! and as WebAssembly in the browser.
//!
//! ```
//! let json = br#"{"traceEvents": [
//!   {"ph": "X", "cat": "kernel", "name": "gemm", "pid": 0, "tid": 7, "ts": 10.5, "dur": 2.0,
//!    "args": {"stream": 7, "correlation": 1}}
//! ]}"#;
//! let trace = engine::load(json).expect("a trace");
//! assert_eq!(trace.gpu.len(), 1);
//! assert_eq!(trace.gpu.start_ns[0], 10_500);
//! ```
//!
//! For input that arrives in pieces (a browser `File` stream), use [`Loader`]:
//! [`Loader::push`] each chunk, then [`Loader::finish`].

pub mod analysis;
pub mod catalog;
pub mod dashboard;
pub mod diagnostics;
mod error;
pub mod load;
pub mod model;

pub use diagnostics::{Diagnostic, DiagnosticKind, Diagnostics, Severity};
pub use error::LoadError;
pub use load::{Loader, Phase, Progress, load};
pub use model::{CodecError, Trace};
pub mod format;
pub mod inspect;
pub mod report;
pub mod timeline;
pub mod triage;

pub use catalog::Catalog;
pub use report::Report;
pub mod discover;
pub mod live;
pub mod share;
