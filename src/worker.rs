//! The engine worker: receives `File`s, reads them in 1 MiB slices into the engine's
//! streaming loader (no whole-file copy, no JS string), triages, and posts progress and the
//! report back. Runs off the main thread, so the page stays responsive.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::protocol::{FromWorker, Progress, ToWorker};

/// Slice size read from a `File` at a time.
const SLICE: f64 = 1024.0 * 1024.0;
/// Minimum time between progress messages, ms (at least 4 per second are sent).
const PROGRESS_EVERY_MS: f64 = 100.0;

fn scope() -> Option<web_sys::DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>().ok()
}

fn now() -> f64 {
    scope().and_then(|s| s.performance()).map_or(0.0, |p| p.now())
}

/// Current size of this worker's WebAssembly memory, bytes.
fn wasm_memory() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0, |b| u64::from(b.byte_length()))
}

fn post(msg: &FromWorker) {
    if let (Some(s), Ok(text)) = (scope(), serde_json::to_string(msg)) {
        let _ = s.post_message(&JsValue::from_str(&text));
    }
}

/// Installs the message handler. Called once by the worker binary.
pub fn start() {
    let Some(scope) = scope() else { return };
    let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let data = ev.data();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(message) = handle(data).await {
                post(&FromWorker::Error { message });
            }
        });
    });
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&FromWorker::Ready);
}

async fn handle(data: JsValue) -> Result<(), String> {
    let request = Reflect::get(&data, &JsValue::from_str("request"))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("the page sent a malformed request")?;
    let request: ToWorker =
        serde_json::from_str(&request).map_err(|e| format!("the page sent a malformed request: {e}"))?;
    let files: Array = Reflect::get(&data, &JsValue::from_str("files"))
        .ok()
        .and_then(|v| v.dyn_into().ok())
        .unwrap_or_default();
    match request {
        ToWorker::Triage { paths, min_share_pct, server_args } => {
            triage(&files, &paths, min_share_pct, server_args).await
        }
    }
}

async fn triage(
    files: &Array,
    paths: &[String],
    min_share_pct: f64,
    server_args: Option<String>,
) -> Result<(), String> {
    let files: Vec<web_sys::File> = files.iter().filter_map(|f| f.dyn_into().ok()).collect();
    if files.is_empty() {
        return Err("no file to read".into());
    }
    let started = now();
    let all_total: u64 = files.iter().map(|f| f.size() as u64).sum();
    let mut progress =
        Progress { files: files.len(), all_total, phase: "reading".into(), ..Progress::default() };
    let mut last_post = f64::NEG_INFINITY;
    let mut traces = Vec::with_capacity(files.len());
    let mut buf: Vec<u8> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let name = paths.get(i).cloned().unwrap_or_else(|| file.name());
        let size = file.size();
        progress.file = i;
        progress.name.clone_from(&name);
        progress.bytes_total = size as u64;
        progress.bytes_read = 0;
        let mut loader = engine::Loader::new();
        let mut offset = 0.0;
        let text_before = progress.bytes_text;
        let events_before = progress.events;
        while offset < size {
            let end = (offset + SLICE).min(size);
            let blob = file
                .slice_with_f64_and_f64(offset, end)
                .map_err(|_| format!("{name}: the browser could not read the file"))?;
            let buffer = JsFuture::from(blob.array_buffer())
                .await
                .map_err(|_| format!("{name}: the browser could not read the file"))?;
            let bytes = Uint8Array::new(&buffer);
            buf.resize(bytes.length() as usize, 0);
            bytes.copy_to(&mut buf);
            loader.push(&buf).map_err(|e| format!("{name}: {e}"))?;
            offset = end;
            let p = loader.progress();
            progress.bytes_read = offset as u64;
            progress.bytes_text = text_before + p.bytes_text;
            progress.events = events_before + p.events;
            let t = now();
            if t - last_post >= PROGRESS_EVERY_MS {
                last_post = t;
                progress.all_read =
                    files.iter().take(i).map(|f| f.size() as u64).sum::<u64>() + progress.bytes_read;
                progress.wasm_memory = wasm_memory();
                post(&FromWorker::Progress(progress.clone()));
            }
        }
        let trace = loader.finish().map_err(|e| format!("{name}: {e}"))?;
        traces.push((name, trace));
    }
    let loaded = now();
    progress.phase = "analysing".into();
    progress.all_read = all_total;
    post(&FromWorker::Progress(progress.clone()));
    let inputs: Vec<engine::triage::Input<'_>> =
        traces.iter().map(|(path, trace)| engine::triage::Input { path, trace }).collect();
    let options = engine::triage::Options {
        framework: None,
        min_share_pct,
        server_args: server_args.as_deref().and_then(engine::analysis::framework::ServerArgs::parse),
    };
    let report = engine::triage::triage(&inputs, &options, engine::Catalog::builtin());
    let done = now();
    post(&FromWorker::Report {
        json: report.to_json(),
        load_ms: loaded - started,
        triage_ms: done - loaded,
        json_bytes: traces.iter().map(|(_, t)| t.json_bytes).sum(),
        wasm_memory: wasm_memory(),
    });
    Ok(())
}
