//! Encoding: every field of a [`Trace`], destructured without `..` so that a new model
//! field is a compile error here until it is written (and [`super::CODEC_VERSION`] bumped).

use super::{
    CODEC_MAGIC, CODEC_VERSION, diagnostic_kind_code, flow_kind_code, flow_phase_code, gpu_kind_code, len64,
    runtime_kind_code,
};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{
    Annotations, CpuOps, DeviceProps, DistributedInfo, EventCounts, Flows, GpuOps, Key, PythonFrames,
    RuntimeCalls, Strings, Sym, Trace, TraceMeta, Track, TrackId, Tracks,
};

/// Appends values to the output buffer.
struct Writer {
    out: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(len64(n));
    }
    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }
    fn opt_i64(&mut self, v: Option<i64>) {
        match v {
            Some(x) => {
                self.u8(1);
                self.i64(x);
            }
            None => self.u8(0),
        }
    }
    fn opt_u64(&mut self, v: Option<u64>) {
        match v {
            Some(x) => {
                self.u8(1);
                self.u64(x);
            }
            None => self.u8(0),
        }
    }
    fn opt_str(&mut self, v: Option<&str>) {
        match v {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
    fn key(&mut self, k: Key) {
        match k {
            Key::Int(v) => {
                self.u8(0);
                self.i64(v);
            }
            Key::Str(s) => {
                self.u8(1);
                self.u32(s.0);
            }
        }
    }

    /// A column: row count, then `N` bytes per value from `bytes`.
    fn column<T: Copy, const N: usize>(&mut self, values: &[T], bytes: impl Fn(T) -> [u8; N]) {
        self.len(values.len());
        self.out.reserve(values.len().saturating_mul(N));
        for &v in values {
            self.out.extend_from_slice(&bytes(v));
        }
    }
    fn i64s(&mut self, v: &[i64]) {
        self.column(v, i64::to_le_bytes);
    }
    fn u64s(&mut self, v: &[u64]) {
        self.column(v, u64::to_le_bytes);
    }
    fn u32s(&mut self, v: &[u32]) {
        self.column(v, u32::to_le_bytes);
    }
    fn syms(&mut self, v: &[Sym]) {
        self.column(v, |s: Sym| s.0.to_le_bytes());
    }
    fn tracks(&mut self, v: &[TrackId]) {
        self.column(v, |t: TrackId| t.0.to_le_bytes());
    }
    fn bools(&mut self, v: &[bool]) {
        self.column(v, |b: bool| [u8::from(b)]);
    }
}

fn write_strings(w: &mut Writer, strings: &Strings) {
    let mut lens: Vec<u32> = Vec::with_capacity(strings.len());
    let mut total = 0usize;
    for (_, text) in strings.iter() {
        lens.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        total = total.saturating_add(text.len());
    }
    w.u32s(&lens);
    w.len(total);
    w.out.reserve(total);
    for (_, text) in strings.iter() {
        w.out.extend_from_slice(text.as_bytes());
    }
}

fn write_meta(w: &mut Writer, meta: &TraceMeta) {
    let TraceMeta {
        schema_version,
        base_time_ns,
        devices,
        distributed,
        trace_name,
        trace_id,
        display_time_unit,
        properties,
        other_keys,
        bare_array,
        profiler_span,
    } = meta;
    w.opt_i64(*schema_version);
    w.opt_i64(*base_time_ns);
    w.len(devices.len());
    for device in devices {
        let DeviceProps { id, name, num_sms, compute_major, compute_minor, total_global_mem } = device;
        w.i64(*id);
        w.str(name);
        w.opt_i64(*num_sms);
        w.opt_i64(*compute_major);
        w.opt_i64(*compute_minor);
        w.opt_u64(*total_global_mem);
    }
    match distributed {
        Some(d) => {
            let DistributedInfo { backend, rank, world_size, pg_count, nccl_version } = d;
            w.u8(1);
            w.opt_str(backend.as_deref());
            w.opt_i64(*rank);
            w.opt_i64(*world_size);
            w.opt_i64(*pg_count);
            w.opt_str(nccl_version.as_deref());
        }
        None => w.u8(0),
    }
    w.opt_str(trace_name.as_deref());
    w.opt_str(trace_id.as_deref());
    w.opt_str(display_time_unit.as_deref());
    w.len(properties.len());
    for (k, v) in properties {
        w.str(k);
        w.str(v);
    }
    w.len(other_keys.len());
    for k in other_keys {
        w.str(k);
    }
    w.bool(*bare_array);
    match profiler_span {
        Some((start, dur)) => {
            w.u8(1);
            w.i64(*start);
            w.i64(*dur);
        }
        None => w.u8(0),
    }
}

fn write_tracks(w: &mut Writer, tracks: &Tracks) {
    let Tracks { list, process_names, process_labels, thread_names } = tracks;
    w.len(list.len());
    for &Track { pid, tid } in list {
        w.key(pid);
        w.key(tid);
    }
    for pairs in [process_names, process_labels] {
        w.len(pairs.len());
        for &(key, sym) in pairs {
            w.key(key);
            w.u32(sym.0);
        }
    }
    w.len(thread_names.len());
    for &(track, sym) in thread_names {
        w.u32(track.0);
        w.u32(sym.0);
    }
}

fn write_tables(w: &mut Writer, trace: &Trace) {
    let GpuOps {
        kind,
        name,
        track,
        device,
        stream,
        start_ns,
        dur_ns,
        correlation,
        external_id,
        bytes,
        annotation,
    } = &trace.gpu;
    w.column(kind, |k| [gpu_kind_code(k)]);
    w.syms(name);
    w.tracks(track);
    w.i64s(device);
    w.i64s(stream);
    w.i64s(start_ns);
    w.i64s(dur_ns);
    w.u64s(correlation);
    w.u64s(external_id);
    w.u64s(bytes);
    w.syms(annotation);

    let RuntimeCalls { name, kind, track, start_ns, dur_ns, correlation, external_id, kernel } =
        &trace.runtime;
    w.syms(name);
    w.column(kind, |k| [runtime_kind_code(k)]);
    w.tracks(track);
    w.i64s(start_ns);
    w.i64s(dur_ns);
    w.u64s(correlation);
    w.u64s(external_id);
    w.syms(kernel);

    let CpuOps {
        name,
        track,
        start_ns,
        dur_ns,
        external_id,
        input_dims,
        input_types,
        input_strides,
        concrete_inputs,
        call_stack,
    } = &trace.cpu_ops;
    w.syms(name);
    w.tracks(track);
    w.i64s(start_ns);
    w.i64s(dur_ns);
    w.u64s(external_id);
    w.syms(input_dims);
    w.syms(input_types);
    w.syms(input_strides);
    w.syms(concrete_inputs);
    w.syms(call_stack);

    let PythonFrames { name, track, start_ns, dur_ns } = &trace.python;
    w.syms(name);
    w.tracks(track);
    w.i64s(start_ns);
    w.i64s(dur_ns);

    let Annotations { name, track, start_ns, dur_ns, external_id, on_gpu } = &trace.annotations;
    w.syms(name);
    w.tracks(track);
    w.i64s(start_ns);
    w.i64s(dur_ns);
    w.u64s(external_id);
    w.bools(on_gpu);

    let Flows { id, phase, kind, track, ts_ns } = &trace.flows;
    w.u64s(id);
    w.column(phase, |p| [flow_phase_code(p)]);
    w.column(kind, |k| [flow_kind_code(k)]);
    w.tracks(track);
    w.i64s(ts_ns);
}

fn write_counts(w: &mut Writer, counts: &EventCounts) {
    let EventCounts { total, by_category, by_phase } = counts;
    w.u64(*total);
    for list in [by_category, by_phase] {
        w.len(list.len());
        for (text, n) in list {
            w.str(text);
            w.u64(*n);
        }
    }
}

fn write_diagnostics(w: &mut Writer, diagnostics: &Diagnostics) {
    let entries = diagnostics.entries();
    w.len(entries.len());
    for entry in entries {
        let Diagnostic { kind, detail, count, first_offset } = entry;
        w.u8(diagnostic_kind_code(*kind));
        w.str(detail);
        w.u64(*count);
        w.opt_u64(*first_offset);
    }
}

/// [`Trace::to_bytes`].
pub(super) fn encode(trace: &Trace) -> Vec<u8> {
    let Trace {
        meta,
        strings,
        tracks,
        gpu: _,
        runtime: _,
        cpu_ops: _,
        python: _,
        annotations: _,
        flows: _,
        counts,
        diagnostics,
        json_bytes,
        input_bytes,
    } = trace;
    // The tables are written by `write_tables`, which destructures each of them.
    let rows = trace.gpu.len() * 116
        + trace.runtime.len() * 50
        + trace.cpu_ops.len() * 40
        + trace.python.len() * 32
        + trace.annotations.len() * 33
        + trace.flows.len() * 26;
    let mut w = Writer { out: Vec::with_capacity(rows + 4096) };
    w.out.extend_from_slice(&CODEC_MAGIC);
    w.u32(CODEC_VERSION);
    write_strings(&mut w, strings);
    write_meta(&mut w, meta);
    write_tracks(&mut w, tracks);
    write_tables(&mut w, trace);
    write_counts(&mut w, counts);
    write_diagnostics(&mut w, diagnostics);
    w.u64(*json_bytes);
    w.u64(*input_bytes);
    w.out
}
