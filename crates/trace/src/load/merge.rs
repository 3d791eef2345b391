//! Appends the model one [`Builder`] built from a later stretch of `traceEvents` to the
//! model of the stretch before it, so a trace parsed in pieces on several threads is the
//! trace one sequential pass builds, to the byte.
//!
//! Why the result is identical: a sequential pass interns strings and numbers lanes in
//! first-seen order; the later piece did the same over its own events, so re-interning its
//! strings and lanes in its own order, after everything of the earlier pieces, gives every
//! symbol and lane the number the sequential pass would have given it. Rows are appended in
//! event order; counts add; diagnostics merge as [`crate::Diagnostics::add_n`] would have
//! counted them (the earlier first offset stays). Every table is destructured field by field,
//! so a new column breaks the build here until it is merged too.

use crate::Trace;
use crate::model::{
    Annotations, CpuOps, Flows, GpuOps, Key, PythonFrames, RuntimeCalls, Strings, Sym, TrackId,
};

/// Maps a later piece's symbols and lanes to the earlier piece's.
pub(super) struct Remap {
    syms: Vec<Sym>,
    tracks: Vec<TrackId>,
}

impl Remap {
    /// Interns every string of `later` into `strings`, in `later`'s order; then numbers
    /// `later`'s lanes with `lane` (the builder's lane table), in `later`'s order.
    pub(super) fn new(
        strings: &mut Strings,
        later: &Trace,
        mut lane: impl FnMut(Key, Key) -> TrackId,
    ) -> Remap {
        let syms = later.strings.iter().map(|(_, text)| strings.intern(text)).collect();
        let mut map = Remap { syms, tracks: Vec::new() };
        map.tracks = later.tracks.list.iter().map(|tr| lane(map.key(tr.pid), map.key(tr.tid))).collect();
        map
    }

    fn sym(&self, s: Sym) -> Sym {
        self.syms.get(s.index()).copied().unwrap_or(s)
    }

    fn key(&self, k: Key) -> Key {
        match k {
            Key::Str(s) => Key::Str(self.sym(s)),
            Key::Int(_) => k,
        }
    }

    fn track(&self, t: TrackId) -> TrackId {
        self.tracks.get(t.index()).copied().unwrap_or(t)
    }

    fn syms(&self, into: &mut Vec<Sym>, from: Vec<Sym>) {
        into.extend(from.into_iter().map(|s| self.sym(s)));
    }

    fn lanes(&self, into: &mut Vec<TrackId>, from: Vec<TrackId>) {
        into.extend(from.into_iter().map(|t| self.track(t)));
    }
}

/// Appends the model `t` of the events right after those of `into`, given where `t`'s
/// symbols and lanes went (`map`: see [`Remap::new`]): names, rows, the profiler span, the
/// item count and diagnostics. The category and phase counts are the builder's.
pub(super) fn append(into: &mut Trace, t: Trace, map: &Remap) {
    let tracks = &mut into.tracks;
    tracks.process_names.extend(t.tracks.process_names.into_iter().map(|(k, s)| (map.key(k), map.sym(s))));
    tracks.process_labels.extend(t.tracks.process_labels.into_iter().map(|(k, s)| (map.key(k), map.sym(s))));
    tracks.thread_names.extend(t.tracks.thread_names.into_iter().map(|(k, s)| (map.track(k), map.sym(s))));
    gpu(&mut into.gpu, t.gpu, map);
    runtime(&mut into.runtime, t.runtime, map);
    cpu_ops(&mut into.cpu_ops, t.cpu_ops, map);
    python(&mut into.python, t.python, map);
    annotations(&mut into.annotations, t.annotations, map);
    flows(&mut into.flows, t.flows, map);
    if let Some((start, dur)) = t.meta.profiler_span {
        let span = &mut into.meta.profiler_span;
        if span.is_none_or(|(_, d)| dur > d) {
            *span = Some((start, dur));
        }
    }
    into.counts.total += t.counts.total;
    into.diagnostics.absorb(t.diagnostics);
}

fn gpu(into: &mut GpuOps, from: GpuOps, map: &Remap) {
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
    } = from;
    into.kind.extend(kind);
    map.syms(&mut into.name, name);
    map.lanes(&mut into.track, track);
    into.device.extend(device);
    into.stream.extend(stream);
    into.start_ns.extend(start_ns);
    into.dur_ns.extend(dur_ns);
    into.correlation.extend(correlation);
    into.external_id.extend(external_id);
    into.bytes.extend(bytes);
    map.syms(&mut into.annotation, annotation);
}

fn runtime(into: &mut RuntimeCalls, from: RuntimeCalls, map: &Remap) {
    let RuntimeCalls { name, kind, track, start_ns, dur_ns, correlation, external_id, kernel } = from;
    map.syms(&mut into.name, name);
    into.kind.extend(kind);
    map.lanes(&mut into.track, track);
    into.start_ns.extend(start_ns);
    into.dur_ns.extend(dur_ns);
    into.correlation.extend(correlation);
    into.external_id.extend(external_id);
    map.syms(&mut into.kernel, kernel);
}

fn cpu_ops(into: &mut CpuOps, from: CpuOps, map: &Remap) {
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
    } = from;
    map.syms(&mut into.name, name);
    map.lanes(&mut into.track, track);
    into.start_ns.extend(start_ns);
    into.dur_ns.extend(dur_ns);
    into.external_id.extend(external_id);
    map.syms(&mut into.input_dims, input_dims);
    map.syms(&mut into.input_types, input_types);
    map.syms(&mut into.input_strides, input_strides);
    map.syms(&mut into.concrete_inputs, concrete_inputs);
    map.syms(&mut into.call_stack, call_stack);
}

fn python(into: &mut PythonFrames, from: PythonFrames, map: &Remap) {
    let PythonFrames { name, track, start_ns, dur_ns } = from;
    map.syms(&mut into.name, name);
    map.lanes(&mut into.track, track);
    into.start_ns.extend(start_ns);
    into.dur_ns.extend(dur_ns);
}

fn annotations(into: &mut Annotations, from: Annotations, map: &Remap) {
    let Annotations { name, track, start_ns, dur_ns, external_id, on_gpu } = from;
    map.syms(&mut into.name, name);
    map.lanes(&mut into.track, track);
    into.start_ns.extend(start_ns);
    into.dur_ns.extend(dur_ns);
    into.external_id.extend(external_id);
    into.on_gpu.extend(on_gpu);
}

fn flows(into: &mut Flows, from: Flows, map: &Remap) {
    let Flows { id, phase, kind, track, ts_ns } = from;
    into.id.extend(id);
    into.phase.extend(phase);
    into.kind.extend(kind);
    map.lanes(&mut into.track, track);
    into.ts_ns.extend(ts_ns);
}
