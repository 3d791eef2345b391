//! The engine's streaming loader and triage alone, built for WebAssembly, for measuring and
//! profiling them outside the browser: Node runs the same V8 engine as Chromium.
//!
//! `scripts/bench-wasm-load.sh` builds it (release, `wasm-bindgen --target nodejs`) and runs
//! `scripts/wasm-load.mjs`, which feeds a trace in 4 MiB slices as the app's worker does,
//! then triages it.

use wasm_bindgen::prelude::wasm_bindgen;

/// A loader fed from JavaScript; after [`finish`](WasmLoader::finish) it holds the trace.
#[wasm_bindgen]
pub struct WasmLoader {
    loader: Option<report::trace::Loader>,
    trace: Option<report::trace::Trace>,
}

#[wasm_bindgen]
impl WasmLoader {
    /// A loader waiting for its first bytes.
    #[wasm_bindgen(constructor)]
    #[must_use]
    pub fn new() -> WasmLoader {
        WasmLoader { loader: Some(report::trace::Loader::new()), trace: None }
    }

    /// Feeds the next chunk; false when the input is not a trace (or was finished).
    pub fn push(&mut self, chunk: &[u8]) -> bool {
        self.loader.as_mut().is_some_and(|l| l.push(chunk).is_ok())
    }

    /// JSON text bytes parsed so far.
    #[must_use]
    pub fn bytes_text(&self) -> f64 {
        self.loader.as_ref().map_or(0.0, |l| l.progress().bytes_text as f64)
    }

    /// Finishes the load and keeps the trace; the number of events read, or -1 on a load
    /// error.
    pub fn finish(&mut self) -> f64 {
        self.trace = self.loader.take().and_then(|l| l.finish().ok());
        self.trace.as_ref().map_or(-1.0, |t| t.counts.total as f64)
    }

    /// Triages the trace as the app does (built-in catalog, default options); the length of
    /// the report's JSON, or -1 before a successful [`finish`](WasmLoader::finish).
    #[must_use]
    pub fn triage(&self) -> f64 {
        let Some(trace) = &self.trace else { return -1.0 };
        let inputs = [report::engine::triage::Input { path: "trace.json", trace }];
        let report = report::triage::triage_with(
            &inputs,
            &report::engine::triage::Options::default(),
            report::engine::Catalog::builtin(),
        );
        report.to_json().len() as f64
    }
}

impl Default for WasmLoader {
    fn default() -> Self {
        Self::new()
    }
}
