//! `inspect`: what is in a trace, before any triage. Event counts, devices, rank, time
//! span, streams, threads and diagnostics, as one [`Summary`] that renders to text and JSON.

use crate::model::{GpuKind, Key, Trace};

/// Activity on one GPU stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSummary {
    /// Device ordinal.
    pub device: i64,
    /// Stream id.
    pub stream: i64,
    /// Kernels, copies, fills and syncs on it.
    pub kernels: u64,
    /// Copies.
    pub memcpy: u64,
    /// Fills.
    pub memset: u64,
    /// GPU-side syncs.
    pub sync: u64,
    /// Σ durations, ns.
    pub total_ns: i64,
}

/// Activity on one CPU thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadSummary {
    /// Process id as text.
    pub pid: String,
    /// Thread id as text.
    pub tid: String,
    /// `process_name` / `thread_name` joined, if known.
    pub name: String,
    /// cpu_op events.
    pub cpu_ops: u64,
    /// Runtime/driver calls.
    pub runtime: u64,
    /// Python frames.
    pub python: u64,
    /// Annotations.
    pub annotations: u64,
}

/// Everything `tracetriage inspect` prints for one trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Items of `traceEvents`.
    pub events: u64,
    /// Counts by `cat`, sorted by category name.
    pub by_category: Vec<(String, u64)>,
    /// Counts by `ph`, sorted.
    pub by_phase: Vec<(String, u64)>,
    /// Device ordinals that ran GPU work, with their `deviceProperties` name where listed.
    pub devices_used: Vec<(i64, String)>,
    /// Number of devices listed in `deviceProperties`.
    pub devices_listed: usize,
    /// Rank, world size and backend from `distributedInfo`.
    pub rank: Option<i64>,
    /// World size.
    pub world_size: Option<i64>,
    /// Backend.
    pub backend: Option<String>,
    /// Earliest start and latest end, ns.
    pub span_ns: Option<(i64, i64)>,
    /// `baseTimeNanoseconds`.
    pub base_time_ns: Option<i64>,
    /// `schemaVersion`.
    pub schema_version: Option<i64>,
    /// GPU streams, sorted by (device, stream).
    pub streams: Vec<StreamSummary>,
    /// CPU threads with events, sorted by (pid, tid).
    pub threads: Vec<ThreadSummary>,
    /// Uncompressed JSON bytes.
    pub json_bytes: u64,
    /// Input bytes.
    pub input_bytes: u64,
    /// `(severity, id, detail, count, message)` per diagnostic, in display order.
    pub diagnostics: Vec<(String, String, String, u64, String)>,
}

fn key_text(trace: &Trace, key: Key) -> String {
    match key {
        Key::Int(v) => v.to_string(),
        Key::Str(s) => trace.str(s).to_owned(),
    }
}

/// Activity per GPU stream, sorted by (device, stream).
fn streams(trace: &Trace) -> Vec<StreamSummary> {
    let mut streams: Vec<StreamSummary> = Vec::new();
    let g = &trace.gpu;
    let mut order: Vec<usize> = (0..g.len()).collect();
    order.sort_by_key(|&i| (g.device.get(i).copied(), g.stream.get(i).copied()));
    for i in order {
        let (Some(&device), Some(&stream), Some(&kind), Some(&dur)) =
            (g.device.get(i), g.stream.get(i), g.kind.get(i), g.dur_ns.get(i))
        else {
            continue;
        };
        if streams.last().is_none_or(|s| (s.device, s.stream) != (device, stream)) {
            streams.push(StreamSummary {
                device,
                stream,
                kernels: 0,
                memcpy: 0,
                memset: 0,
                sync: 0,
                total_ns: 0,
            });
        }
        if let Some(s) = streams.last_mut() {
            match kind {
                GpuKind::Kernel => s.kernels += 1,
                GpuKind::Memcpy => s.memcpy += 1,
                GpuKind::Memset => s.memset += 1,
                GpuKind::Sync => s.sync += 1,
            }
            s.total_ns += dur;
        }
    }
    streams
}

/// The devices that ran work, with their `deviceProperties` names.
fn devices_used(trace: &Trace, streams: &[StreamSummary]) -> Vec<(i64, String)> {
    let mut devices_used: Vec<(i64, String)> = Vec::new();
    for s in streams {
        if devices_used.last().is_none_or(|(d, _)| *d != s.device) {
            let name = trace.device(s.device).map(|d| d.name.clone()).unwrap_or_default();
            devices_used.push((s.device, name));
        }
    }
    // When kernels name a device that deviceProperties does not list (the MI300X file
    // says device 9 but lists only id 0), a single listed device is still the GPU.
    if let [only] = trace.meta.devices.as_slice() {
        for (_, name) in devices_used.iter_mut().filter(|(_, n)| n.is_empty()) {
            name.clone_from(&only.name);
        }
    }
    devices_used
}

/// CPU threads with events, sorted by (pid, tid).
fn threads(trace: &Trace) -> Vec<ThreadSummary> {
    let mut threads: Vec<ThreadSummary> = Vec::new();
    let mut per_track = vec![[0u64; 4]; trace.tracks.list.len()];
    let mut bump = |tracks: &[crate::model::TrackId], col: usize| {
        for t in tracks {
            if let Some(row) = per_track.get_mut(t.index())
                && let Some(c) = row.get_mut(col)
            {
                *c += 1;
            }
        }
    };
    bump(&trace.cpu_ops.track, 0);
    bump(&trace.runtime.track, 1);
    bump(&trace.python.track, 2);
    let cpu_annotations: Vec<crate::model::TrackId> = trace
        .annotations
        .track
        .iter()
        .zip(&trace.annotations.on_gpu)
        .filter(|(_, g)| !**g)
        .map(|(t, _)| *t)
        .collect();
    bump(&cpu_annotations, 3);
    let mut tracks: Vec<(usize, &crate::model::Track)> = trace.tracks.list.iter().enumerate().collect();
    tracks.sort_by_key(|(_, t)| (t.pid, t.tid));
    for (i, t) in tracks {
        let Some(&[cpu_ops, runtime, python, annotations]) = per_track.get(i) else { continue };
        if cpu_ops + runtime + python + annotations == 0 {
            continue;
        }
        let process = trace.tracks.process_name(t.pid).map(|s| trace.str(s).trim().to_owned());
        let thread = u32::try_from(i)
            .ok()
            .and_then(|i| trace.tracks.thread_name(crate::model::TrackId(i)))
            .map(|s| trace.str(s).trim().to_owned());
        let name =
            [process, thread].into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" / ");
        threads.push(ThreadSummary {
            pid: key_text(trace, t.pid),
            tid: key_text(trace, t.tid),
            name,
            cpu_ops,
            runtime,
            python,
            annotations,
        });
    }
    threads
}

/// Summarises a loaded trace.
#[must_use]
pub fn summarize(trace: &Trace) -> Summary {
    let streams = streams(trace);
    let devices_used = devices_used(trace, &streams);
    let threads = threads(trace);
    let dist = trace.meta.distributed.as_ref();
    Summary {
        events: trace.counts.total,
        by_category: trace.counts.categories_sorted(),
        by_phase: trace.counts.phases_sorted(),
        devices_used,
        devices_listed: trace.meta.devices.len(),
        rank: dist.and_then(|d| d.rank),
        world_size: dist.and_then(|d| d.world_size),
        backend: dist.and_then(|d| d.backend.clone()),
        span_ns: trace.time_span(),
        base_time_ns: trace.meta.base_time_ns,
        schema_version: trace.meta.schema_version,
        streams,
        threads,
        json_bytes: trace.json_bytes,
        input_bytes: trace.input_bytes,
        diagnostics: trace
            .diagnostics
            .sorted()
            .into_iter()
            .map(|d| {
                let severity = match d.kind.severity() {
                    crate::Severity::Info => "info",
                    crate::Severity::Warning => "warning",
                };
                (
                    severity.to_owned(),
                    d.kind.id().to_owned(),
                    d.detail.clone(),
                    d.count,
                    d.kind.describe().to_owned(),
                )
            })
            .collect(),
    }
}
