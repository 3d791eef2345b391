//! `tracetriage-relay`: live capture of PyTorch-profiler traces from running LLM servers
//! (SGLang, vLLM, TensorRT-LLM, TokenSpeed), for the CLI and for the browser page.
//!
//! A capture drives the server's own profiler over HTTP (`/start_profile`,
//! `/stop_profile`) around a synthetic workload, waits until the server has flushed the
//! trace completely, and triages it with the engine. [`capture::run`] is the whole
//! protocol; [`serve`] exposes it to the browser as a small token-protected JSON API
//! (docs/relay-api.md). The relay moves bytes and never deletes a trace.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

pub mod cancel;
pub mod capture;
pub mod flush;
pub mod framework;
pub mod graphs;
pub mod guard;
pub mod http;
pub mod launch;
pub mod layout;
pub mod matrix;
pub mod options;
pub mod probe;
pub mod progress;
pub mod serve;
pub mod server_probe;
pub mod triage;
pub mod trtllm;
