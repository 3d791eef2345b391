//! The tracetriage browser app (Leptos, client-side rendering).
//!
//! The engine runs as WebAssembly in a Web Worker (the same module as the page, started by
//! [`worker::spawn`]; logic in [`worker`]): traces are read from the user's disk in slices and never uploaded, and the
//! page never freezes. The page ([`app`]) renders the engine's report with the engine's
//! own presentation tables, so it shows the same numbers as the CLI.
//!
//! Architecture invariant: no analysis logic lives here. Everything about traces is in the
//! engine; this crate moves bytes ([`io`]) and draws what the engine returns.

pub mod app;
pub mod components;
pub mod io;
pub mod protocol;
pub mod relay;
pub mod state;
pub mod worker;
