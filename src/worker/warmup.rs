//! The warm-up worker: while the page waits for the user to choose a trace, it runs the
//! engine's load and analysis on the bundled sample a few times, so that V8 has optimised
//! the hot WebAssembly functions before the user's file arrives.
//!
//! Why: V8 first runs each WebAssembly function in its baseline tier and optimises a
//! function once it has done enough work, but a call already running never switches to
//! the optimised code. The analysis runs each of its long loops in one call per load, so on
//! a cold page the whole analysis of a large trace ran in the baseline tier (about 25%
//! slower than optimised). The page, its engine worker and this worker share one compiled
//! module ([`super::spawn`]), and so the optimised code.
//!
//! It is this same module, started by the page with `?warm` ([`crate::client::warm_up`]).
//! It says `"warm"` when done (or `{error}` when the sample could not be fetched) and is then
//! terminated by the page, which also terminates it as soon as the user asks for anything
//! (it must never compete with a real load for the CPU).

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::inflater::{BATCH, PIECE};
use super::scope::scope;

/// Loads and triages of the sample (about 0.2 s each): with two, the 1 GiB analysis that
/// followed took about 505 ms, with four about 475 ms (635 ms cold).
const ROUNDS: usize = 4;

/// Whether this worker was started as the warm-up worker (`?warm`).
pub(super) fn is_warmup() -> bool {
    super::spawn::switches().iter().any(|kv| kv == "warm")
}

/// Warms up, then tells the page.
pub(super) fn start() {
    let Some(scope) = scope() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let message = match warm_up(&scope).await {
            Ok(()) => Ok(JsValue::from_str("warm")),
            Err(why) => super::inflater::message(&[("error", JsValue::from_str(&why))]),
        };
        if let Ok(message) = message {
            let _ = scope.post_message(&message);
        }
    });
}

/// Fetches the sample and runs [`ROUNDS`] loads and triages of it.
async fn warm_up(scope: &web_sys::DedicatedWorkerGlobalScope) -> Result<(), String> {
    let failed = || "could not fetch the sample trace".to_owned();
    let response = JsFuture::from(scope.fetch_with_str(crate::io::SAMPLE_URL)).await.map_err(|_| failed())?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| failed())?;
    if !response.ok() {
        return Err(format!("could not fetch the sample trace (HTTP {})", response.status()));
    }
    let buffer =
        JsFuture::from(response.array_buffer().map_err(|_| failed())?).await.map_err(|_| failed())?;
    let gzip = Uint8Array::new(&buffer).to_vec();
    for _ in 0..ROUNDS {
        triage(&gzip)?;
    }
    Ok(())
}

/// One load and triage of a gzip trace along the page's path: inflated in pieces as the
/// inflater does, parsed in batches as the engine worker does, triaged and encoded.
fn triage(gzip: &[u8]) -> Result<(), String> {
    let mut gz = report::trace::GzipText::new();
    let mut text = Vec::new();
    for piece in gzip.chunks(PIECE) {
        gz.push(piece, &mut text).map_err(|e| e.to_string())?;
    }
    let mut loader = report::trace::Loader::for_inflated_gzip();
    loader.add_compressed_bytes(gzip.len() as u64);
    for batch in text.chunks(BATCH) {
        loader.push(batch).map_err(|e| e.to_string())?;
    }
    let trace = loader.finish().map_err(|e| e.to_string())?;
    let inputs = [report::engine::triage::Input { path: "sample", trace: &trace }];
    let report = report::triage::triage(&inputs, &report::engine::triage::Options::default());
    std::hint::black_box(report.to_json());
    Ok(())
}
