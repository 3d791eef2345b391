//! The tracetriage browser app (Leptos, client-side rendering).
//!
//! The engine runs as WebAssembly in a Web Worker (the same module as the page; the whole
//! worker side is [`worker`]): traces are read from the user's disk in slices and never
//! uploaded, and the page never freezes. The page talks to the worker through [`client`]
//! (typed requests with ids, [`protocol`]), keeps its state in [`state`], and renders the
//! engine's report with the engine's own presentation tables ([`app`], [`components`]), so
//! it shows the same numbers as the CLI.
//!
//! Architecture invariant: no analysis logic lives here. Everything about traces is in the
//! engine; this crate moves bytes ([`io`], [`client`]) and draws what the engine returns.

pub mod app;
pub mod client;
pub mod components;
pub mod fetch;
pub mod io;
pub mod protocol;
pub mod relay;
pub mod state;
pub mod url_state;
pub mod worker;
