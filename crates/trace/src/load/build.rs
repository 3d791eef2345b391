//! Turns scanned events into the columnar model: decides each event's kind from its
//! phase and category, interns names, and counts whatever it skips.

use rustc_hash::FxHashMap;

use super::event::{IntArg, RawEvent, RawKey};
use super::scan::RawStr;
use crate::diagnostics::DiagnosticKind as D;
use crate::model::same_bytes;
use crate::model::{FlowKind, FlowPhase, GpuKind, Key, NO_ID, RuntimeKind, Sym, Trace, Track, TrackId};

/// What a `cat` value means, matched case-insensitively and by alias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Gpu(GpuKind),
    Runtime,
    CpuOp,
    Python,
    Annotation { on_gpu: bool },
    Flow(FlowKind),
    Instant,
    ProfilerSpan,
    Overhead,
    Unknown,
}

fn classify_category(cat: &str) -> Class {
    match cat.to_ascii_lowercase().as_str() {
        "kernel" => Class::Gpu(GpuKind::Kernel),
        "gpu_memcpy" | "memcpy" => Class::Gpu(GpuKind::Memcpy),
        "gpu_memset" | "memset" => Class::Gpu(GpuKind::Memset),
        "cuda_sync" => Class::Gpu(GpuKind::Sync),
        "cuda_runtime" | "runtime" | "hip_runtime" => Class::Runtime,
        "cuda_driver" | "driver" | "hip_driver" => Class::Runtime,
        "cpu_op" | "operator" => Class::CpuOp,
        "python_function" => Class::Python,
        "user_annotation" => Class::Annotation { on_gpu: false },
        "gpu_user_annotation" => Class::Annotation { on_gpu: true },
        "ac2g" | "async" | "async_cpu_to_gpu" => Class::Flow(FlowKind::Launch),
        "fwdbwd" => Class::Flow(FlowKind::ForwardBackward),
        "cpu_instant_event" => Class::Instant,
        "trace" => Class::ProfilerSpan,
        "overhead" => Class::Overhead,
        _ => Class::Unknown,
    }
}

/// A category or phase string seen in the file, with its running count.
struct Seen {
    raw: Vec<u8>,
    text: String,
    class: Class,
    count: u64,
}

/// Accumulates the model while events stream in.
pub(crate) struct Builder {
    pub trace: Trace,
    tracks: FxHashMap<(Key, Key), TrackId>,
    last_track: Option<((Key, Key), TrackId)>,
    cats: Vec<Seen>,
    no_cat: u64,
    phases: Vec<Seen>,
    no_phase: u64,
    last_cat: usize,
    /// Index in `cats` of the current event's category (`None` when it has none).
    current_cat: Option<usize>,
    runtime_kinds: FxHashMap<Sym, RuntimeKind>,
    /// Only events overlapping this time range are kept (`Loader::keep_window`).
    pub window: Option<(i64, i64)>,
}

fn id_of(arg: IntArg, trace: &mut Trace, offset: u64) -> u64 {
    match arg {
        IntArg::Value(v) => u64::try_from(v).unwrap_or(NO_ID),
        IntArg::Bad => {
            trace.diagnostics.add(D::BadId, "", Some(offset));
            NO_ID
        }
        IntArg::Absent | IntArg::Null => NO_ID,
    }
}

impl Builder {
    pub(crate) fn new() -> Self {
        Builder {
            trace: Trace { strings: crate::model::Strings::new(), ..Trace::default() },
            tracks: FxHashMap::default(),
            last_track: None,
            cats: Vec::new(),
            no_cat: 0,
            phases: Vec::new(),
            no_phase: 0,
            last_cat: 0,
            current_cat: None,
            runtime_kinds: FxHashMap::default(),
            window: None,
        }
    }

    fn intern(&mut self, s: RawStr<'_>) -> Sym {
        if s.escaped {
            let text = s.text();
            self.trace.strings.intern(&text)
        } else {
            self.trace.strings.intern_bytes(s.raw)
        }
    }

    fn key(&mut self, k: Option<RawKey<'_>>) -> Key {
        match k {
            Some(RawKey::Int(v)) => Key::Int(v),
            Some(RawKey::Str(s)) => Key::Str(self.intern(s)),
            None => Key::Str(Sym::EMPTY),
        }
    }

    pub(super) fn track(&mut self, pid: Key, tid: Key) -> TrackId {
        if let Some((k, id)) = self.last_track
            && k == (pid, tid)
        {
            return id;
        }
        let next = TrackId(u32::try_from(self.trace.tracks.list.len()).unwrap_or(u32::MAX));
        let id = *self.tracks.entry((pid, tid)).or_insert_with(|| {
            self.trace.tracks.list.push(Track { pid, tid });
            next
        });
        self.last_track = Some(((pid, tid), id));
        id
    }

    /// Counts the category and returns its class.
    fn category(&mut self, cat: Option<RawStr<'_>>) -> Class {
        let Some(cat) = cat else {
            self.no_cat += 1;
            self.current_cat = None;
            return Class::Unknown;
        };
        self.current_cat = Some(self.last_cat);
        if let Some(seen) = self.cats.get_mut(self.last_cat)
            && same_bytes(&seen.raw, cat.raw)
        {
            seen.count += 1;
            return seen.class;
        }
        if let Some(i) = self.cats.iter().position(|s| same_bytes(&s.raw, cat.raw)) {
            self.last_cat = i;
            self.current_cat = Some(i);
            if let Some(seen) = self.cats.get_mut(i) {
                seen.count += 1;
                return seen.class;
            }
        }
        let text = cat.text().into_owned();
        let class = classify_category(&text);
        self.last_cat = self.cats.len();
        self.current_cat = Some(self.last_cat);
        self.cats.push(Seen { raw: cat.raw.to_vec(), text, class, count: 1 });
        class
    }

    fn phase(&mut self, ph: Option<RawStr<'_>>) -> u8 {
        let Some(ph) = ph else {
            self.no_phase += 1;
            return 0;
        };
        if let Some(seen) = self.phases.iter_mut().find(|s| same_bytes(&s.raw, ph.raw)) {
            seen.count += 1;
        } else {
            self.phases.push(Seen {
                raw: ph.raw.to_vec(),
                text: ph.text().into_owned(),
                class: Class::Unknown,
                count: 1,
            });
        }
        match ph.raw {
            [c] => *c,
            _ => b'?',
        }
    }

    /// Counts an item of `traceEvents` that could not be read as an event.
    pub(crate) fn count_unreadable(&mut self) {
        self.trace.counts.total += 1;
    }

    /// Adds one event; `offset` is its position in the JSON text (for diagnostics).
    pub(crate) fn add(&mut self, ev: RawEvent<'_>, offset: u64) {
        self.trace.counts.total += 1;
        let class = self.category(ev.cat);
        let ph = self.phase(ev.ph);
        let o = Some(offset);
        match ph {
            b'X' => self.complete(class, ev, offset),
            b's' | b'f' | b't' => self.flow(class, ph, ev, offset),
            b'i' | b'I' => {
                let detail = match ev.name {
                    Some(n) if n.raw == b"[memory]" => "[memory]",
                    _ => "marker",
                };
                self.trace.diagnostics.add(D::Instant, detail, o);
            }
            b'M' => self.metadata(ev, offset),
            0 => self.trace.diagnostics.add(D::MissingPhase, "", o),
            _ => {
                let detail = format!("ph={}", ev.ph.map(|p| p.text().into_owned()).unwrap_or_default());
                self.trace.diagnostics.add(D::UnsupportedPhase, &detail, o);
            }
        }
    }

    fn times(&mut self, ev: &RawEvent<'_>, offset: u64, what: &str) -> Option<(i64, i64)> {
        let Some(Some(ts)) = ev.ts else {
            self.trace.diagnostics.add(D::MissingTimestamp, what, Some(offset));
            return None;
        };
        if ts < 0 {
            // Kept: the times are consistent among themselves and may still be read.
            self.trace.diagnostics.add(D::NegativeTimestamp, what, Some(offset));
        }
        let dur = match ev.dur {
            Some(Some(d)) if d >= 0 => d,
            Some(Some(_)) => {
                self.trace.diagnostics.add(D::NegativeDuration, what, Some(offset));
                0
            }
            _ => {
                self.trace.diagnostics.add(D::MissingDuration, what, Some(offset));
                0
            }
        };
        if self.outside(ts, dur) {
            return None;
        }
        Some((ts, dur))
    }

    /// Whether `ts..ts + dur` misses the window.
    fn outside(&self, ts: i64, dur: i64) -> bool {
        self.window.is_some_and(|(from, to)| ts.saturating_add(dur) < from || ts > to)
    }

    fn cat_text(&self) -> String {
        match self.current_cat.and_then(|i| self.cats.get(i)) {
            Some(seen) => seen.text.clone(),
            None => "<none>".to_owned(),
        }
    }

    fn complete(&mut self, class: Class, ev: RawEvent<'_>, offset: u64) {
        let what = match class {
            Class::Unknown | Class::Flow(_) | Class::Instant => {
                let detail = format!("cat={}", self.cat_text());
                self.trace.diagnostics.add(D::UnknownCategory, &detail, Some(offset));
                return;
            }
            Class::Overhead => {
                self.trace.diagnostics.add(D::Overhead, "", Some(offset));
                return;
            }
            Class::Gpu(k) => k.label(),
            Class::Runtime => "runtime",
            Class::CpuOp => "cpu_op",
            Class::Python => "python_function",
            Class::Annotation { .. } => "annotation",
            Class::ProfilerSpan => "Trace",
        };
        let Some((ts, dur)) = self.times(&ev, offset, what) else { return };
        let pid = self.key(ev.pid);
        let tid = self.key(ev.tid);
        let track = self.track(pid, tid);
        let name = ev.name.map_or(Sym::EMPTY, |n| self.intern(n));
        let a = &ev.args;
        match class {
            Class::Gpu(kind) => self.gpu(kind, name, track, pid, tid, ts, dur, &ev, offset),
            Class::Runtime => {
                let kind = *self
                    .runtime_kinds
                    .entry(name)
                    .or_insert_with(|| RuntimeKind::classify(self.trace.strings.get(name)));
                let correlation = id_of(a.correlation, &mut self.trace, offset);
                let external_id = id_of(a.external_id, &mut self.trace, offset);
                let r = &mut self.trace.runtime;
                r.name.push(name);
                r.kind.push(kind);
                r.track.push(track);
                r.start_ns.push(ts);
                r.dur_ns.push(dur);
                r.correlation.push(correlation);
                r.external_id.push(external_id);
                let kernel = a.kernel.map_or(Sym::NONE, |k| self.intern(k));
                self.trace.runtime.kernel.push(kernel);
            }
            Class::CpuOp => {
                let external_id = id_of(a.external_id, &mut self.trace, offset);
                let mut raw = |v: Option<&[u8]>| match v {
                    Some(raw) => self.trace.strings.intern_bytes(raw),
                    None => Sym::NONE,
                };
                let input_dims = raw(a.input_dims);
                let input_types = raw(a.input_types);
                let input_strides = raw(a.input_strides);
                let concrete_inputs = raw(a.concrete_inputs);
                let call_stack = match a.call_stack {
                    Some(s) => self.intern(s),
                    None => Sym::NONE,
                };
                let c = &mut self.trace.cpu_ops;
                c.name.push(name);
                c.track.push(track);
                c.start_ns.push(ts);
                c.dur_ns.push(dur);
                c.external_id.push(external_id);
                c.input_dims.push(input_dims);
                c.input_types.push(input_types);
                c.input_strides.push(input_strides);
                c.concrete_inputs.push(concrete_inputs);
                c.call_stack.push(call_stack);
            }
            Class::Python => {
                let p = &mut self.trace.python;
                p.name.push(name);
                p.track.push(track);
                p.start_ns.push(ts);
                p.dur_ns.push(dur);
            }
            Class::Annotation { on_gpu } => {
                let external_id = id_of(a.external_id, &mut self.trace, offset);
                let an = &mut self.trace.annotations;
                an.name.push(name);
                an.track.push(track);
                an.start_ns.push(ts);
                an.dur_ns.push(dur);
                an.external_id.push(external_id);
                an.on_gpu.push(on_gpu);
            }
            Class::ProfilerSpan => {
                let span = &mut self.trace.meta.profiler_span;
                if span.is_none_or(|(_, d)| dur > d) {
                    *span = Some((ts, dur));
                }
            }
            Class::Unknown | Class::Flow(_) | Class::Instant | Class::Overhead => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn gpu(
        &mut self,
        kind: GpuKind,
        name: Sym,
        track: TrackId,
        pid: Key,
        tid: Key,
        ts: i64,
        dur: i64,
        ev: &RawEvent<'_>,
        offset: u64,
    ) {
        let a = &ev.args;
        let device = a.device.value().or(match pid {
            Key::Int(p) => Some(p),
            Key::Str(_) => None,
        });
        // A logical lane (PyTorch's graph lanes) is never a hardware stream: the hardware
        // stream is `args.original_stream`; a lane without it is counted.
        let lane = matches!(tid, Key::Int(t) if t >= LOGICAL_LANE_BASE);
        let stream = if let Some(s) = a.original_stream.value() {
            self.trace.diagnostics.add(D::LogicalLane, kind.label(), Some(offset));
            Some(s)
        } else {
            if lane {
                self.trace.diagnostics.add(D::LaneWithoutStream, kind.label(), Some(offset));
            }
            a.stream.value().or(match tid {
                Key::Int(t) => Some(t),
                Key::Str(s) => stream_from_text(self.trace.strings.get(s)),
            })
        };
        let annotation = if a.graph_node.value().is_some_and(|n| n != 0) { self.baked(a) } else { Sym::NONE };
        let stream = stream.unwrap_or_else(|| {
            self.trace.diagnostics.add(D::MissingStream, kind.label(), Some(offset));
            0
        });
        let correlation = id_of(a.correlation, &mut self.trace, offset);
        let external_id = id_of(a.external_id, &mut self.trace, offset);
        let bytes = a.bytes.value().and_then(|b| u64::try_from(b).ok()).unwrap_or(0);
        let g = &mut self.trace.gpu;
        g.kind.push(kind);
        g.name.push(name);
        g.track.push(track);
        g.device.push(device.unwrap_or(0));
        g.stream.push(stream);
        g.start_ns.push(ts);
        g.dur_ns.push(dur);
        g.correlation.push(correlation);
        g.external_id.push(external_id);
        g.bytes.push(bytes);
        g.annotation.push(annotation);
    }

    /// The baked annotation of a graph-replayed activity: its module and name fields (or
    /// a bare-string annotation), ` · `-joined; [`Sym::NONE`] when it has none.
    fn baked(&mut self, a: &super::event::RawArgs<'_>) -> Sym {
        let parts: Vec<String> = [a.module, a.name, a.annotation]
            .into_iter()
            .flatten()
            .map(|s| s.text().trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if parts.is_empty() { Sym::NONE } else { self.trace.strings.intern(&parts.join(" · ")) }
    }

    fn flow(&mut self, class: Class, ph: u8, ev: RawEvent<'_>, offset: u64) {
        let Class::Flow(kind) = class else {
            let detail = format!("cat={}", self.cat_text());
            self.trace.diagnostics.add(D::OtherFlow, &detail, Some(offset));
            return;
        };
        let Some(Some(ts)) = ev.ts else {
            self.trace.diagnostics.add(D::MissingTimestamp, "flow", Some(offset));
            return;
        };
        if self.outside(ts, 0) {
            return;
        }
        let id = match ev.id {
            Some(RawKey::Int(v)) if v >= 0 => v.unsigned_abs(),
            Some(RawKey::Str(s)) => match parse_hex_id(s.raw) {
                Some(v) => v,
                None => {
                    self.trace.diagnostics.add(D::BadId, "flow id", Some(offset));
                    return;
                }
            },
            _ => {
                self.trace.diagnostics.add(D::BadId, "flow id", Some(offset));
                return;
            }
        };
        let pid = self.key(ev.pid);
        let tid = self.key(ev.tid);
        let track = self.track(pid, tid);
        let phase = match ph {
            b's' => FlowPhase::Start,
            b't' => FlowPhase::Step,
            _ => FlowPhase::Finish,
        };
        let f = &mut self.trace.flows;
        f.id.push(id);
        f.phase.push(phase);
        f.kind.push(kind);
        f.track.push(track);
        f.ts_ns.push(ts);
    }

    fn metadata(&mut self, ev: RawEvent<'_>, offset: u64) {
        let kind = ev.name.map(|n| n.raw).unwrap_or_default();
        let value = match kind {
            b"process_labels" => ev.args.labels,
            _ => ev.args.name,
        };
        let pid = self.key(ev.pid);
        match (kind, value) {
            (b"process_name", Some(v)) => {
                let v = self.intern(v);
                self.trace.tracks.process_names.push((pid, v));
            }
            (b"process_labels", Some(v)) => {
                let v = self.intern(v);
                self.trace.tracks.process_labels.push((pid, v));
            }
            (b"thread_name", Some(v)) => {
                let tid = self.key(ev.tid);
                let track = self.track(pid, tid);
                let v = self.intern(v);
                self.trace.tracks.thread_names.push((track, v));
            }
            _ => {
                let detail = ev.name.map(|n| n.text().into_owned()).unwrap_or_default();
                self.trace.diagnostics.add(D::OtherMetadata, &detail, Some(offset));
            }
        }
    }

    /// Appends `later`, built from the events right after this builder's last one: the
    /// trace one pass over both stretches would have built (see [`super::merge`]).
    pub(crate) fn absorb(&mut self, later: Builder) {
        let Builder { trace, cats, no_cat, phases, no_phase, .. } = later;
        for seen in cats {
            match self.cats.iter_mut().find(|s| s.raw == seen.raw) {
                Some(s) => s.count += seen.count,
                None => self.cats.push(seen),
            }
        }
        for seen in phases {
            match self.phases.iter_mut().find(|s| s.raw == seen.raw) {
                Some(s) => s.count += seen.count,
                None => self.phases.push(seen),
            }
        }
        self.no_cat += no_cat;
        self.no_phase += no_phase;
        let mut strings = core::mem::take(&mut self.trace.strings);
        let map = super::merge::Remap::new(&mut strings, &trace, |pid, tid| self.track(pid, tid));
        self.trace.strings = strings;
        super::merge::append(&mut self.trace, trace, &map);
    }

    /// Moves the counts into the trace and returns it.
    pub(crate) fn finish(mut self) -> Trace {
        let mut by_category: Vec<(String, u64)> = self.cats.drain(..).map(|s| (s.text, s.count)).collect();
        if self.no_cat > 0 {
            by_category.push(("<none>".to_owned(), self.no_cat));
        }
        merge_duplicates(&mut by_category);
        let mut by_phase: Vec<(String, u64)> = self.phases.drain(..).map(|s| (s.text, s.count)).collect();
        if self.no_phase > 0 {
            by_phase.push(("<none>".to_owned(), self.no_phase));
        }
        merge_duplicates(&mut by_phase);
        self.trace.counts.by_category = by_category;
        self.trace.counts.by_phase = by_phase;
        self.trace
    }
}

/// Escaped and plain spellings of one string are counted under one key.
fn merge_duplicates(v: &mut Vec<(String, u64)>) {
    v.sort();
    v.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            earlier.1 += later.1;
            true
        } else {
            false
        }
    });
}

/// The first `tid` of PyTorch's logical graph lanes (CUPTI-monitor export): GPU activities
/// written on `tid` ≥ this are on a display lane, not a hardware stream.
pub(crate) const LOGICAL_LANE_BASE: i64 = 100_000;

/// `"stream 7"` → 7 (legacy GPU tids).
fn stream_from_text(text: &str) -> Option<i64> {
    let digits = text.trim().strip_prefix("stream")?.trim();
    digits.parse().ok()
}

/// Flow ids written as strings: decimal or `0x…` hex.
fn parse_hex_id(raw: &[u8]) -> Option<u64> {
    let text = core::str::from_utf8(raw).ok()?.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_match_case_insensitively_and_by_alias() {
        assert_eq!(classify_category("Kernel"), Class::Gpu(GpuKind::Kernel));
        assert_eq!(classify_category("Memcpy"), Class::Gpu(GpuKind::Memcpy));
        assert_eq!(classify_category("Operator"), Class::CpuOp);
        assert_eq!(classify_category("Runtime"), Class::Runtime);
        assert_eq!(classify_category("async"), Class::Flow(FlowKind::Launch));
        assert_eq!(classify_category("async_cpu_to_gpu"), Class::Flow(FlowKind::Launch));
        assert_eq!(classify_category("cuda_profiler_range"), Class::Unknown);
    }

    #[test]
    fn legacy_stream_tids() {
        assert_eq!(stream_from_text("stream 7"), Some(7));
        assert_eq!(stream_from_text("stream 128 "), Some(128));
        assert_eq!(stream_from_text("Spans"), None);
        assert_eq!(parse_hex_id(b"0x1f"), Some(31));
        assert_eq!(parse_hex_id(b"42"), Some(42));
        assert_eq!(parse_hex_id(b"zz"), None);
    }
}
