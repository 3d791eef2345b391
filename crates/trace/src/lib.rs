//! tracetriage's bottom layer: bytes of a PyTorch-profiler (Kineto) Chrome trace in, a
//! compact columnar [`Trace`] out.
//!
//! ```
//! let json = br#"{"traceEvents": [
//!   {"ph": "X", "cat": "kernel", "name": "gemm", "pid": 0, "tid": 7, "ts": 10.5, "dur": 2.0,
//!    "args": {"stream": 7, "correlation": 1}}
//! ]}"#;
//! let trace = trace::load(json).expect("a trace");
//! assert_eq!(trace.gpu.len(), 1);
//! assert_eq!(trace.gpu.start_ns[0], 10_500);
//! ```
//!
//! For input that arrives in pieces (a browser `File` stream), use [`Loader`]:
//! [`Loader::push`] each chunk, then [`Loader::finish`]. [`Trace::to_bytes`] and
//! [`Trace::from_bytes`] move a loaded trace between workers.
//!
//! The crate does no I/O (no files, clock, threads or environment), so the same code runs
//! natively and as WebAssembly. Loading fails ([`LoadError`]) only when the input is not a
//! trace at all; damage inside a trace is counted in [`Diagnostics`].

#![warn(unreachable_pub)]

pub mod diagnostics;
mod error;
pub mod inspect;
mod load;
pub mod model;

pub use diagnostics::{Diagnostic, DiagnosticKind, Diagnostics, Severity};
pub use error::LoadError;
pub use load::{
    Estimate, GzipText, ItemsAt, Loader, MAX_EVENT_BYTES, Phase, Piece, Progress, Splitter, find_boundary,
    gzip_text_bytes, inflate_prefix, load, parse_items,
};
pub use model::{CodecError, Trace};
