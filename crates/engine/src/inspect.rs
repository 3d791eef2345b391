//! `inspect`: what is in a trace, before any triage. Event counts, devices, rank, time
//! span, streams, threads and diagnostics, as one [`Summary`] that renders to text and JSON.

use serde_json::{Value, json};

use crate::format;
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

/// Summarises a loaded trace.
#[must_use]
pub fn summarize(trace: &Trace) -> Summary {
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
    let mut devices_used: Vec<(i64, String)> = Vec::new();
    for s in &streams {
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

impl Summary {
    /// Plain-text rendering for the terminal.
    #[must_use]
    pub fn to_text(&self, title: &str) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!(
            "{title}: {} events, {} of JSON ({} input)",
            format::count(self.events),
            format::bytes(self.json_bytes),
            format::bytes(self.input_bytes)
        ));
        let gpus: Vec<String> = self
            .devices_used
            .iter()
            .map(|(d, n)| if n.is_empty() { format!("device {d}") } else { format!("device {d} ({n})") })
            .collect();
        line(format!(
            "  GPU:        {}{}",
            if gpus.is_empty() { "no GPU activity".to_owned() } else { gpus.join(", ") },
            if self.devices_listed > 0 {
                format!("; {} listed in deviceProperties", self.devices_listed)
            } else {
                String::new()
            }
        ));
        let rank = match (self.rank, self.world_size) {
            (Some(r), Some(w)) => format!("rank {r} of {w}"),
            (Some(r), None) => format!("rank {r}"),
            (None, Some(w)) => format!("world size {w}"),
            (None, None) => "not distributed (no distributedInfo)".to_owned(),
        };
        let backend = self.backend.as_ref().map(|b| format!(" ({b})")).unwrap_or_default();
        line(format!("  rank:       {rank}{backend}"));
        if let Some((lo, hi)) = self.span_ns {
            line(format!(
                "  time span:  {} ({} .. {} µs)",
                format::duration_ns(hi - lo),
                format::micros(lo),
                format::micros(hi)
            ));
        }
        if let Some(base) = self.base_time_ns {
            line(format!("  base time:  {base} ns (baseTimeNanoseconds)"));
        }
        line("  events by phase:".to_owned());
        for (ph, n) in &self.by_phase {
            line(format!("    {ph:<24} {:>12}", format::count(*n)));
        }
        line("  events by category:".to_owned());
        for (cat, n) in &self.by_category {
            line(format!("    {cat:<24} {:>12}", format::count(*n)));
        }
        line(format!("  GPU streams ({}):", self.streams.len()));
        for s in &self.streams {
            line(format!(
                "    device {} stream {:<6} {:>9} kernels {:>7} memcpy {:>6} memset{}  busy Σ {}",
                s.device,
                s.stream,
                format::count(s.kernels),
                format::count(s.memcpy),
                format::count(s.memset),
                if s.sync > 0 { format!(" {:>6} sync", format::count(s.sync)) } else { String::new() },
                format::duration_ns(s.total_ns)
            ));
        }
        line(format!("  CPU threads ({}):", self.threads.len()));
        for t in &self.threads {
            let name = if t.name.is_empty() { String::new() } else { format!(" {}", t.name) };
            line(format!(
                "    pid {} tid {}{name}: {} cpu ops, {} runtime calls, {} python frames, {} annotations",
                t.pid,
                t.tid,
                format::count(t.cpu_ops),
                format::count(t.runtime),
                format::count(t.python),
                format::count(t.annotations)
            ));
        }
        if self.diagnostics.is_empty() {
            line("  diagnostics: none".to_owned());
        } else {
            line("  diagnostics:".to_owned());
            for (sev, id, detail, count, msg) in &self.diagnostics {
                let detail = if detail.is_empty() { String::new() } else { format!(" [{detail}]") };
                line(format!("    {sev:<7} {id}{detail} ×{}: {msg}", format::count(*count)));
            }
        }
        out
    }

    /// JSON rendering (`tracetriage inspect --format json`).
    #[must_use]
    pub fn to_json(&self, file: &str) -> Value {
        let map = |v: &[(String, u64)]| -> Value {
            Value::Object(v.iter().map(|(k, n)| (k.clone(), json!(n))).collect())
        };
        json!({
            "file": file,
            "events": self.events,
            "by_category": map(&self.by_category),
            "by_phase": map(&self.by_phase),
            "json_bytes": self.json_bytes,
            "input_bytes": self.input_bytes,
            "schema_version": self.schema_version,
            "gpu": {
                "devices_used": self.devices_used.iter().map(|(d, n)| json!({"device": d, "name": n})).collect::<Vec<_>>(),
                "devices_listed": self.devices_listed,
            },
            "distributed": {"rank": self.rank, "world_size": self.world_size, "backend": self.backend},
            "time_span_ns": self.span_ns.map(|(lo, hi)| json!({"start": lo, "end": hi, "duration": hi - lo})),
            "base_time_ns": self.base_time_ns,
            "streams": self.streams.iter().map(|s| json!({
                "device": s.device, "stream": s.stream, "kernels": s.kernels, "memcpy": s.memcpy,
                "memset": s.memset, "sync": s.sync, "total_ns": s.total_ns,
            })).collect::<Vec<_>>(),
            "threads": self.threads.iter().map(|t| json!({
                "pid": t.pid, "tid": t.tid, "name": t.name, "cpu_ops": t.cpu_ops, "runtime": t.runtime,
                "python": t.python, "annotations": t.annotations,
            })).collect::<Vec<_>>(),
            "diagnostics": self.diagnostics.iter().map(|(sev, id, detail, count, msg)| json!({
                "kind": id, "severity": sev, "detail": detail, "count": count, "message": msg,
            })).collect::<Vec<_>>(),
        })
    }
}
