//! The worker's side of the browser: its global scope, clock and memory size, and posting
//! messages about a request (each carries the request's id) with paced progress.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::protocol::{FromWorker, Progress, Reply, RequestId};

/// This worker's global scope (`None` on the page).
pub(crate) fn scope() -> Option<web_sys::DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>().ok()
}

/// Milliseconds since this worker started.
pub(crate) fn now() -> f64 {
    scope().and_then(|s| s.performance()).map_or(0.0, |p| p.now())
}

/// Current size of this worker's WebAssembly memory, bytes.
pub(crate) fn wasm_memory() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0, |b| u64::from(b.byte_length()))
}

/// Posts messages about one request (`id: None`: about the worker itself).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Replies {
    id: Option<RequestId>,
}

impl Replies {
    /// Messages about request `id`.
    pub(crate) fn to(id: RequestId) -> Replies {
        Replies { id: Some(id) }
    }

    /// Messages about no request in particular (`ready`, an unreadable request).
    pub(crate) fn unaddressed() -> Replies {
        Replies { id: None }
    }

    /// Posts `message` to whoever started this worker.
    pub(crate) fn send(self, message: FromWorker) {
        let reply = Reply { id: self.id, message };
        if let (Some(s), Ok(text)) = (scope(), serde_json::to_string(&reply)) {
            let _ = s.post_message(&JsValue::from_str(&text));
        }
    }

    /// Posts `progress` with this worker's current wasm memory.
    pub(crate) fn progress(self, progress: &mut Progress) {
        progress.wasm_memory = wasm_memory();
        self.send(FromWorker::Progress(progress.clone()));
    }
}

/// Minimum time between progress messages, ms (the page's bar still moves ≥ 4× a second).
const PROGRESS_EVERY_MS: f64 = 100.0;

/// Paces progress messages: at most one per [`PROGRESS_EVERY_MS`] unless forced.
pub(crate) struct Pacer {
    last: f64,
}

impl Pacer {
    /// A pacer whose first message is due at once.
    pub(crate) fn new() -> Pacer {
        Pacer { last: f64::NEG_INFINITY }
    }

    /// Whether a message is due now (or `force`d); if so, counts it as sent.
    pub(crate) fn due(&mut self, force: bool) -> bool {
        let t = now();
        if !force && t - self.last < PROGRESS_EVERY_MS {
            return false;
        }
        self.last = t;
        true
    }
}
