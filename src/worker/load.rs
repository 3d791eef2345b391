//! Loading the attached files into the worker's state: in child workers when several files
//! come at once and children are available ([`super::children`]), else one after the other
//! with [`super::reader`], with progress summed over all files.
//!
//! For the all-ranks report, [`reduce`] reads the files the same way but keeps only each
//! trace's reduction (made in the child, or here as soon as the trace is read), so the
//! worker holds reductions, not traces; rank-reduction files (`.ttr`) dropped with them
//! are read as they are.
//!
//! Graph-capture traces attached after the traces are read first, one at a time, each
//! indexed ([`CaptureIndex::build`]) and dropped at once, so a capture trace is never held
//! beside the traces; one that cannot be read becomes a warning and the load goes on.

use std::sync::Arc;

use js_sys::Array;
use report::engine::analysis::capture::CaptureIndex;
use wasm_bindgen::JsCast;

use super::children::Sends;
use super::reader::{Meter, Sizing, read_file};
use super::scope::{Pacer, Replies, now};
use super::state::{self, Loaded};
use crate::protocol::{FromWorker, Progress};

/// Display paths of the attached files: the traces', then the capture traces' (the last
/// `captures.len()` files).
#[derive(Clone, Copy)]
pub(super) struct Names<'a> {
    /// One per trace file, in the files' order.
    pub traces: &'a [String],
    /// One per graph-capture trace file.
    pub captures: &'a [String],
}

impl<'a> Names<'a> {
    /// Trace files only.
    pub(super) fn traces(traces: &'a [String]) -> Names<'a> {
        Names { traces, captures: &[] }
    }
}

/// What reading the capture traces gave.
#[derive(Default)]
struct Captured {
    /// The capture traces read, indexed.
    indexes: Vec<Arc<CaptureIndex>>,
    /// Their JSON text, bytes.
    json_bytes: u64,
    /// The ones that could not be read, one sentence each.
    warnings: Vec<String>,
}

/// Reads the files into the engine, replacing what was loaded.
pub(super) async fn load(
    files: &Array,
    names: Names<'_>,
    server_args: Option<String>,
    replies: Replies,
    sizing: Sizing,
) -> Result<(), String> {
    let files: Vec<web_sys::File> = files.iter().filter_map(|f| f.dyn_into().ok()).collect();
    let (trace_files, capture_files) = files.split_at(files.len().saturating_sub(names.captures.len()));
    if trace_files.is_empty() {
        return Err("no file to read".into());
    }
    state::with(|s| {
        s.loaded = None;
        s.started_at = now();
    });
    let all_total: u64 = files.iter().map(|f| f.size() as u64).sum();
    let progress = Progress { files: files.len(), all_total, phase: "reading".into(), ..Progress::default() };
    let mut meter = Meter {
        progress,
        pacer: Pacer::new(),
        replies,
        files_before: 0,
        text_before: 0,
        events_before: 0,
        sizing,
    };
    let captured = read_captures(capture_files, names.captures, &mut meter).await;
    let traces = read_traces(trace_files, names.traces, capture_files.len(), &mut meter).await?;
    let mut progress = meter.progress;
    progress.phase = "analysing".into();
    progress.all_read = all_total;
    progress.bytes_text = meter.text_before;
    progress.events = meter.events_before;
    replies.send(FromWorker::Progress(progress));
    let timelines = vec![None; traces.len()];
    let Captured { indexes: captures, json_bytes: capture_bytes, warnings } = captured;
    state::with(|s| {
        s.loaded = Some(Loaded {
            traces,
            server_args,
            timelines,
            captures,
            capture_bytes,
            warnings,
            model_config: None,
        });
        s.loaded_at = now();
    });
    Ok(())
}

/// Reads each capture trace (files `0..` of the load's progress) into its index, dropping
/// the trace; one that cannot be read is skipped with a warning.
async fn read_captures(files: &[web_sys::File], names: &[String], meter: &mut Meter) -> Captured {
    let mut out = Captured::default();
    // A capture trace is small and read whole.
    let sizing = meter.sizing;
    meter.sizing.window_ns = None;
    for (i, file) in files.iter().enumerate() {
        let name = names.get(i).cloned().unwrap_or_else(|| file.name());
        meter.begin(i, &name, file);
        match read_file(file, &name, meter).await {
            Ok(trace) => {
                meter.done(file, Some(&trace));
                out.json_bytes += trace.json_bytes;
                out.indexes.push(Arc::new(CaptureIndex::build(&name, &trace)));
            }
            Err(e) => {
                meter.done(file, None);
                out.warnings.push(format!("Capture trace not used: {e}"));
            }
        }
    }
    meter.sizing = sizing;
    out
}

/// Reads the trace files (files `first..` of the load's progress): in child workers when
/// that helps, else one after the other.
async fn read_traces(
    files: &[web_sys::File],
    paths: &[String],
    first: usize,
    meter: &mut Meter,
) -> Result<Vec<(String, report::trace::Trace)>, String> {
    let mut traces = Vec::with_capacity(files.len());
    if files.len() > 1 && super::children::available() {
        let names: Vec<String> = files
            .iter()
            .enumerate()
            .map(|(i, f)| paths.get(i).cloned().unwrap_or_else(|| f.name()))
            .collect();
        let before = Progress {
            file: first,
            all_read: meter.files_before,
            bytes_text: meter.text_before,
            events: meter.events_before,
            ..meter.progress.clone()
        };
        let decode = |b: &[u8]| report::trace::Trace::from_bytes(b).map_err(|e| e.to_string());
        if let Some((all, children)) =
            super::children::load_all(files, &names, meter.replies, &before, Sends::Trace, decode).await?
        {
            traces = all;
            meter.files_before += files.iter().map(|f| f.size() as u64).sum::<u64>();
            meter.text_before += traces.iter().map(|(_, t)| t.json_bytes).sum::<u64>();
            meter.events_before += traces.iter().map(|(_, t)| t.counts.total).sum::<u64>();
            meter.progress.parallel = children;
            meter.progress.file = first + traces.len();
        }
    }
    for (i, file) in files.iter().enumerate().skip(traces.len()) {
        let name = paths.get(i).cloned().unwrap_or_else(|| file.name());
        meter.begin(first + i, &name, file);
        let trace = read_file(file, &name, meter).await?;
        meter.done(file, Some(&trace));
        traces.push((name, trace));
    }
    Ok(traces)
}

/// Reads the trace files and reduces each for the all-ranks report as soon as it is read
/// (in child workers when that helps, else one after the other here), dropping the
/// traces, then reads the rank-reduction files (`.ttr`, the last `reduced.len()` files)
/// with [`report::ranks::reduction::from_bytes`]; what was loaded before is dropped first.
/// The reductions (the traces', then the files'), and the load's time, ms.
pub(super) async fn reduce(
    files: &Array,
    paths: &[String],
    reduced: &[String],
    replies: Replies,
) -> Result<(Vec<report::engine::ranks::RankReduction>, f64), String> {
    let files: Vec<web_sys::File> = files.iter().filter_map(|f| f.dyn_into().ok()).collect();
    if files.is_empty() {
        return Err("no file to read".into());
    }
    let started = now();
    state::with(|s| s.loaded = None);
    let (trace_files, reduction_files) = files.split_at(files.len().saturating_sub(reduced.len()));
    let names: Vec<String> = trace_files
        .iter()
        .enumerate()
        .map(|(i, f)| paths.get(i).cloned().unwrap_or_else(|| f.name()))
        .collect();
    let all_total: u64 = files.iter().map(|f| f.size() as u64).sum();
    let progress = Progress { files: files.len(), all_total, phase: "reading".into(), ..Progress::default() };
    let mut out = Vec::with_capacity(files.len());
    if trace_files.len() > 1 && super::children::available() {
        let decode =
            |b: &[u8]| report::ranks::reduction::from_bytes(b).map(|f| f.body).map_err(|e| e.to_string());
        if let Some((all, _)) =
            super::children::load_all(trace_files, &names, replies, &progress, Sends::Reduction, decode)
                .await?
        {
            out = all.into_iter().map(|(_, r)| r).collect();
        }
    }
    let mut meter = Meter {
        progress,
        pacer: Pacer::new(),
        replies,
        files_before: trace_files.iter().take(out.len()).map(|f| f.size() as u64).sum(),
        text_before: 0,
        events_before: 0,
        sizing: Sizing::default(),
    };
    for (i, file) in trace_files.iter().enumerate().skip(out.len()) {
        let name = names.get(i).cloned().unwrap_or_else(|| file.name());
        meter.begin(i, &name, file);
        let trace = read_file(file, &name, &mut meter).await?;
        meter.done(file, Some(&trace));
        let input = report::engine::triage::Input { path: &name, trace: &trace };
        out.push(report::engine::ranks::reduce(&input, report::engine::Catalog::builtin()));
    }
    for (i, file) in reduction_files.iter().enumerate() {
        let name = reduced.get(i).cloned().unwrap_or_else(|| file.name());
        meter.begin(trace_files.len() + i, &name, file);
        out.push(read_reduction(file, &name).await?);
        meter.done(file, None);
    }
    let mut progress = meter.progress;
    progress.phase = "analysing".into();
    progress.all_read = all_total;
    replies.send(FromWorker::Progress(progress));
    Ok((out, now() - started))
}

/// Reads a rank-reduction file (`.ttr`) with the report crate's reader; its error names
/// the file, as the CLI's does.
async fn read_reduction(
    file: &web_sys::File,
    name: &str,
) -> Result<report::engine::ranks::RankReduction, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("{name}: the browser could not read the file"))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    report::ranks::reduction::from_bytes(&bytes).map(|f| f.body).map_err(|e| format!("{name}: {e}"))
}
