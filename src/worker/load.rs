//! Loading the attached files into the worker's state: in child workers when several files
//! come at once and children are available ([`super::children`]), else one after the other
//! with [`super::reader`], with progress summed over all files.

use js_sys::Array;
use wasm_bindgen::JsCast;

use super::reader::{Meter, read_file};
use super::scope::{Pacer, Replies, now};
use super::state::{self, Loaded};
use crate::protocol::{FromWorker, Progress};

/// Reads the files into the engine, replacing what was loaded.
pub(super) async fn load(
    files: &Array,
    paths: &[String],
    server_args: Option<String>,
    replies: Replies,
) -> Result<(), String> {
    let files: Vec<web_sys::File> = files.iter().filter_map(|f| f.dyn_into().ok()).collect();
    if files.is_empty() {
        return Err("no file to read".into());
    }
    state::with(|s| {
        s.loaded = None;
        s.started_at = now();
    });
    let all_total: u64 = files.iter().map(|f| f.size() as u64).sum();
    let progress = Progress { files: files.len(), all_total, phase: "reading".into(), ..Progress::default() };
    let mut meter =
        Meter { progress, pacer: Pacer::new(), replies, files_before: 0, text_before: 0, events_before: 0 };
    let mut traces = Vec::with_capacity(files.len());
    if files.len() > 1 && super::children::available() {
        let names: Vec<String> = files
            .iter()
            .enumerate()
            .map(|(i, f)| paths.get(i).cloned().unwrap_or_else(|| f.name()))
            .collect();
        if let Some((all, children)) = super::children::load_all(&files, &names, replies).await? {
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
    replies.send(FromWorker::Progress(progress));
    let timelines = vec![None; traces.len()];
    state::with(|s| {
        s.loaded = Some(Loaded { traces, server_args, timelines });
        s.loaded_at = now();
    });
    Ok(())
}
