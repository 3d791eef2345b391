//! The engine worker: receives `File`s, reads them into the engine's streaming loader
//! (`reader`: gzip inflated beside it by an inflater worker, no whole-file copy, no JS
//! string), triages, and posts progress and the report back. It keeps the loaded traces, so the page can ask for timelines, hover facts
//! or a triage with another catalog without reading the files again. Runs off the main
//! thread, so the page stays responsive.

pub mod children;
pub mod extra;
mod inbox;
pub mod inflater;
pub mod reader;
pub mod spawn;

use std::cell::RefCell;

use engine::timeline::{Palette, Rgb, Timeline, Window};
use js_sys::{Array, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::protocol::{FromWorker, Progress, ToWorker, UserCatalog};
use crate::worker::reader::{Meter, read_file};

/// What the worker holds after a triage.
struct Loaded {
    traces: Vec<(String, engine::Trace)>,
    server_args: Option<String>,
    timelines: Vec<Option<Timeline>>,
}

thread_local! {
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

pub(crate) fn scope() -> Option<web_sys::DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>().ok()
}

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

pub(crate) fn post(msg: &FromWorker) {
    if let (Some(s), Ok(text)) = (scope(), serde_json::to_string(msg)) {
        let _ = s.post_message(&JsValue::from_str(&text));
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

/// Posts `progress` with this worker's current wasm memory.
pub(crate) fn post_progress(progress: &mut Progress) {
    progress.wasm_memory = wasm_memory();
    post(&FromWorker::Progress(progress.clone()));
}

/// Installs the message handler and says `ready`. Called once by the worker binary.
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
        ToWorker::Triage { paths, min_share_pct, server_args, catalog } => {
            let extra = user_catalog(catalog.as_ref())?;
            crate::worker::extra::set_roles(None);
            load(&files, &paths, server_args).await?;
            triage(min_share_pct, extra.as_ref().unwrap_or_else(|| engine::Catalog::builtin()), 0.0)
        }
        ToWorker::Ranks { paths, min_share_pct, server_args } => {
            load(&files, &paths, server_args).await?;
            ranks(min_share_pct)
        }
        ToWorker::Diff { a_paths, b_paths } => {
            let (a_files, b_files) = (Array::new(), Array::new());
            for (i, f) in files.iter().enumerate() {
                if i < a_paths.len() {
                    a_files.push(&f)
                } else {
                    b_files.push(&f)
                };
            }
            load(&a_files, &a_paths, None).await?;
            let a = loaded_report()?;
            load(&b_files, &b_paths, None).await?;
            let b = loaded_report()?;
            let options = engine::report::diff::DiffOptions {
                top: 20,
                a_source: a_paths.join(", "),
                b_source: b_paths.join(", "),
                ..engine::report::diff::DiffOptions::default()
            };
            post(&FromWorker::Diff { json: engine::report::diff::diff(&a, &b, &options).to_json() });
            Ok(())
        }
        ToWorker::Encode { paths } => {
            load(&files, &paths, None).await?;
            let loaded = LOADED.with(|l| l.borrow_mut().take()).ok_or("no trace is loaded")?;
            let (_, trace) = loaded.traces.first().ok_or("no trace is loaded")?;
            crate::worker::children::post_encoded(trace)
        }
        ToWorker::Retriage { min_share_pct, catalog } => {
            let extra = user_catalog(catalog.as_ref())?;
            triage(min_share_pct, extra.as_ref().unwrap_or_else(|| engine::Catalog::builtin()), now())
        }
        ToWorker::Timeline { input, window, stage, width, height, palette } => {
            timeline(input, window, stage.as_deref(), width, height, &palette)
        }
        ToWorker::TriageRoles { paths, roles, min_share_pct, catalog } => {
            let extra = user_catalog(catalog.as_ref())?;
            let mapping = crate::worker::extra::check_roles(&roles, files.length() as usize)?;
            load(&files, &paths, None).await?;
            crate::worker::extra::set_roles(Some(mapping));
            triage(min_share_pct, extra.as_ref().unwrap_or_else(|| engine::Catalog::builtin()), 0.0)
        }
        ToWorker::Layers { input, config, profile, anchor, pass, layer, width, height, palette: spec } => {
            let msg = LOADED.with(|l| {
                let l = l.borrow();
                let (path, trace) =
                    l.as_ref().ok_or("no trace is loaded")?.traces.get(input).ok_or("no such input")?;
                let request = crate::worker::extra::LayersRequest {
                    config,
                    profile,
                    anchor,
                    pass,
                    layer,
                    width,
                    height,
                };
                crate::worker::extra::layers(path, trace, &request, &palette(&spec))
            })?;
            post(&msg);
            Ok(())
        }
        ToWorker::Hover { input, window, width, height, x, y } => {
            let hover = LOADED.with(|l| {
                let l = l.borrow();
                let tl = l.as_ref()?.timelines.get(input)?.as_ref()?;
                let lane = tl.lane_at(height, y)?;
                tl.hit(window, width, lane, x)
            });
            post(&FromWorker::Hover { hover });
            Ok(())
        }
    }
}

/// The built-in catalog plus the user's file, when one was chosen (`None`: built-in only).
fn user_catalog(c: Option<&UserCatalog>) -> Result<Option<engine::Catalog>, String> {
    c.map(|c| engine::Catalog::builtin_with(&c.name, &c.text).map_err(|e| e.to_string())).transpose()
}

/// Reads the files into the engine (replacing what was loaded).
async fn load(files: &Array, paths: &[String], server_args: Option<String>) -> Result<(), String> {
    let files: Vec<web_sys::File> = files.iter().filter_map(|f| f.dyn_into().ok()).collect();
    if files.is_empty() {
        return Err("no file to read".into());
    }
    LOADED.with(|l| *l.borrow_mut() = None);
    let all_total: u64 = files.iter().map(|f| f.size() as u64).sum();
    let progress = Progress { files: files.len(), all_total, phase: "reading".into(), ..Progress::default() };
    let mut meter =
        Meter { progress, pacer: Pacer::new(), files_before: 0, text_before: 0, events_before: 0 };
    let mut traces = Vec::with_capacity(files.len());
    START.with(|s| s.set(now()));
    if files.len() > 1 && crate::worker::children::available() {
        let names: Vec<String> = files
            .iter()
            .enumerate()
            .map(|(i, f)| paths.get(i).cloned().unwrap_or_else(|| f.name()))
            .collect();
        if let Some((all, children)) = crate::worker::children::load_all(&files, &names).await? {
            traces = all;
            meter.text_before = traces.iter().map(|(_, t)| t.json_bytes).sum();
            meter.events_before = traces.iter().map(|(_, t)| t.counts.total).sum();
            meter.progress.parallel = children;
        }
    }
    for (i, file) in files.iter().enumerate().skip(traces.len()) {
        let name = paths.get(i).cloned().unwrap_or_else(|| file.name());
        meter.progress.file = i;
        meter.progress.name.clone_from(&name);
        meter.progress.bytes_total = file.size() as u64;
        meter.progress.bytes_read = 0;
        let trace = read_file(file, &name, &mut meter).await?;
        meter.files_before += file.size() as u64;
        meter.text_before += trace.json_bytes;
        meter.events_before += trace.counts.total;
        traces.push((name, trace));
    }
    let mut progress = meter.progress;
    progress.phase = "analysing".into();
    progress.all_read = all_total;
    progress.bytes_text = meter.text_before;
    progress.events = meter.events_before;
    post(&FromWorker::Progress(progress));
    let timelines = vec![None; traces.len()];
    LOADED.with(|l| *l.borrow_mut() = Some(Loaded { traces, server_args, timelines }));
    LOADED_AT.with(|s| s.set(now()));
    Ok(())
}

thread_local! {
    static START: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
    static LOADED_AT: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// Triages what is loaded and posts the report. `started` is when the request began (0:
/// the load's own start).
fn triage(min_share_pct: f64, catalog: &engine::Catalog, started: f64) -> Result<(), String> {
    let analysis_start = now();
    let (json, json_bytes) = LOADED.with(|l| {
        let l = l.borrow();
        let l = l.as_ref().ok_or("no trace is loaded")?;
        let inputs: Vec<engine::triage::Input<'_>> =
            l.traces.iter().map(|(path, trace)| engine::triage::Input { path, trace }).collect();
        let options = engine::triage::Options {
            framework: None,
            min_share_pct,
            server_args: l.server_args.as_deref().and_then(engine::analysis::framework::ServerArgs::parse),
        };
        let report = match crate::worker::extra::roles() {
            Some(mapping) => {
                let (m, f) = inputs.split_at(mapping.min(inputs.len()));
                engine::triage::triage_mapping_formal(m, f, &options, catalog)
            }
            None => engine::triage::triage(&inputs, &options, catalog),
        };
        Ok::<_, String>((report.to_json(), l.traces.iter().map(|(_, t)| t.json_bytes).sum()))
    })?;
    let done = now();
    let (load_ms, triage_ms) = if started > 0.0 {
        (0.0, done - analysis_start)
    } else {
        (LOADED_AT.with(std::cell::Cell::get) - START.with(std::cell::Cell::get), done - analysis_start)
    };
    post(&FromWorker::Report { json, load_ms, triage_ms, json_bytes, wasm_memory: wasm_memory() });
    Ok(())
}

/// The triage of what is loaded with every kernel listed (as `tracetriage diff` does).
fn loaded_report() -> Result<engine::Report, String> {
    LOADED.with(|l| {
        let l = l.borrow();
        let l = l.as_ref().ok_or("no trace is loaded")?;
        let inputs: Vec<engine::triage::Input<'_>> =
            l.traces.iter().map(|(path, trace)| engine::triage::Input { path, trace }).collect();
        let options = engine::triage::Options { min_share_pct: 0.0, ..engine::triage::Options::default() };
        Ok(engine::triage::triage(&inputs, &options, engine::Catalog::builtin()))
    })
}

/// Builds the all-ranks report of what is loaded (one trace per rank) and posts it.
fn ranks(min_share_pct: f64) -> Result<(), String> {
    let analysis_start = now();
    let json = LOADED.with(|l| {
        let l = l.borrow();
        let l = l.as_ref().ok_or("no trace is loaded")?;
        let inputs: Vec<engine::triage::Input<'_>> =
            l.traces.iter().map(|(path, trace)| engine::triage::Input { path, trace }).collect();
        let options = engine::triage::Options {
            min_share_pct,
            server_args: l.server_args.as_deref().and_then(engine::analysis::framework::ServerArgs::parse),
            ..engine::triage::Options::default()
        };
        Ok::<_, String>(
            engine::analysis::ranks::report(&inputs, &options, engine::Catalog::builtin()).to_json(),
        )
    })?;
    let load_ms = LOADED_AT.with(std::cell::Cell::get) - START.with(std::cell::Cell::get);
    post(&FromWorker::Ranks { json, load_ms, analysis_ms: now() - analysis_start });
    Ok(())
}

fn palette(spec: &[(String, String)]) -> Palette {
    let mut p = Palette::default();
    for (name, css) in spec {
        let Some(rgb) = Rgb::parse(css) else { continue };
        match name.as_str() {
            "background" => p.background = rgb,
            "text" => p.text = rgb,
            "grid" => p.grid = rgb,
            "overlap" => p.overlap = rgb,
            "idle" => p.idle = rgb,
            "stage" => p.stage = rgb,
            label => {
                if let Some(c) =
                    engine::analysis::categories::Category::ALL.iter().find(|c| c.label() == label)
                {
                    p.set_category(*c, rgb);
                }
            }
        }
    }
    p
}

fn timeline(
    input: usize,
    window: Option<Window>,
    stage: Option<&str>,
    width: u32,
    height: u32,
    spec: &[(String, String)],
) -> Result<(), String> {
    let msg = LOADED.with(|l| {
        let mut l = l.borrow_mut();
        let l = l.as_mut().ok_or("no trace is loaded")?;
        let (path, trace) = l.traces.get(input).ok_or("no such input")?;
        let slot = l.timelines.get_mut(input).ok_or("no such input")?;
        let tl = slot.get_or_insert_with(|| Timeline::of(trace, path, engine::Catalog::builtin()));
        let window = window.unwrap_or_else(|| {
            stage
                .and_then(|label| tl.stages.iter().find(|s| s.label == label))
                .map_or_else(|| tl.full(), |s| s.busiest)
        });
        let svg = engine::timeline::svg::render(
            tl,
            window,
            width.clamp(200, 4000),
            height.clamp(80, 4000),
            &palette(spec),
        );
        Ok::<_, String>(FromWorker::Timeline {
            svg,
            window,
            origin_ns: tl.origin_ns,
            stages: tl.stages.clone(),
            lanes: tl.lanes.len(),
        })
    })?;
    post(&msg);
    Ok(())
}
