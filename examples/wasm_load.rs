//! The engine's streaming loader alone, built for WebAssembly, for measuring and profiling
//! parse speed outside the browser: Node runs the same V8 engine as Chromium.
//!
//! `scripts/bench-wasm-load.sh` builds it (release, `wasm-bindgen --target nodejs`) and runs
//! `scripts/wasm-load.mjs`, which feeds a trace in 4 MiB slices as the app's worker does.

use wasm_bindgen::prelude::wasm_bindgen;

/// A loader fed from JavaScript.
#[wasm_bindgen]
pub struct WasmLoader(engine::Loader);

#[wasm_bindgen]
impl WasmLoader {
    /// A loader waiting for its first bytes.
    #[wasm_bindgen(constructor)]
    #[must_use]
    pub fn new() -> WasmLoader {
        WasmLoader(engine::Loader::new())
    }

    /// Feeds the next chunk; false when the input is not a trace.
    pub fn push(&mut self, chunk: &[u8]) -> bool {
        self.0.push(chunk).is_ok()
    }

    /// JSON text bytes parsed so far.
    #[must_use]
    pub fn bytes_text(&self) -> f64 {
        self.0.progress().bytes_text as f64
    }

    /// Finishes the load; the number of events read, or -1 on a load error.
    #[must_use]
    pub fn finish(self) -> f64 {
        self.0.finish().map_or(-1.0, |t| t.counts.total as f64)
    }
}

impl Default for WasmLoader {
    fn default() -> Self {
        Self::new()
    }
}
