//! tracetriage's native edge: the one place where the CLI and the relay touch files on the
//! engine's behalf.
//!
//! - [`mod@load`]: a trace file streamed once through [`report::trace::Loader`] in 1 MiB chunks
//!   (with progress), and [`load_all`]: several files on threads.
//! - [`walk::Walk`]: folders walked the same way everywhere (sorted, depth-limited).
//! - [`capture`]: graph-capture traces found beside the traces (`capture_traces/`,
//!   `graph_capture_profile/`) or named, read into the engine's capture indexes.
//! - [`discover`]: which files of a capture are traces, by the engine's own rules
//!   ([`report::engine::discover`]: names, ranks, `merged-*`, content sniff), and the
//!   side files beside them: `server_args.json`, `config.json` and the server logs of the
//!   diffusion backend gate.
//!
//! - [`reduction`]: rank-reduction files (`.ttr`): traces reduced as they load (each
//!   dropped once reduced), reductions written and read back.
//! - [`site`]: a static dashboard site written to a folder (the app, the reports, the
//!   manifest), for the CLI's `dashboard` and the relay's `matrix`.
//!
//! Errors are one [`Error`] type whose message is one line naming the file.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

pub mod capture;
pub mod discover;
mod error;
pub mod load;
pub mod reduction;
pub mod site;
pub mod walk;

pub use error::Error;
pub use load::{load, load_all, load_each, load_each_with, load_on, load_on_with, load_with};
