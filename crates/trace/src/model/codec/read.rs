//! Decoding: untrusted bytes back into a [`Trace`], checking every length, id, code and
//! UTF-8 text; any inconsistency is a [`CodecError`], never a panic.

use super::{
    CODEC_MAGIC, CODEC_VERSION, CodecError, DIAGNOSTIC_KINDS, Result, flow_kind_code, flow_phase_code,
    gpu_kind_code, len64, runtime_kind_code,
};
use crate::diagnostics::{Diagnostic, DiagnosticKind, Diagnostics};
use crate::model::{
    Annotations, CpuOps, DeviceProps, DistributedInfo, EventCounts, FlowKind, FlowPhase, Flows, GpuKind,
    GpuOps, Key, PythonFrames, RuntimeCalls, RuntimeKind, Strings, Sym, Trace, TraceMeta, Track, TrackId,
    Tracks,
};

/// Reads values from the input, checking every length against what remains.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn offset(&self) -> u64 {
        len64(self.pos)
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let slice =
            self.pos.checked_add(n).and_then(|end| self.bytes.get(self.pos..end)).ok_or_else(|| {
                CodecError::Truncated {
                    what,
                    offset: self.offset(),
                    needed: len64(n),
                    available: len64(self.remaining()),
                }
            })?;
        self.pos += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N]> {
        let slice = self.take(N, what)?;
        slice.first_chunk::<N>().copied().ok_or_else(|| CodecError::Truncated {
            what,
            offset: self.offset(),
            needed: len64(N),
            available: len64(slice.len()),
        })
    }

    fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }
    fn u32(&mut self, what: &'static str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    fn u64(&mut self, what: &'static str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    fn i64(&mut self, what: &'static str) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    /// A length prefix of items at least `item_size` bytes each, checked against the input.
    fn len(&mut self, item_size: usize, what: &'static str) -> Result<usize> {
        let offset = self.offset();
        let len = self.u64(what)?;
        let available = self.remaining();
        let fits = usize::try_from(len)
            .ok()
            .filter(|&n| n.checked_mul(item_size.max(1)).is_some_and(|bytes| bytes <= available));
        fits.ok_or_else(|| CodecError::LengthTooLarge { what, offset, len, available: len64(available) })
    }

    fn bad(&self, what: &'static str, value: u64, at: u64) -> CodecError {
        CodecError::BadValue { what, value, offset: at }
    }

    fn flag(&mut self, what: &'static str) -> Result<bool> {
        let at = self.offset();
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(self.bad(what, u64::from(v), at)),
        }
    }

    fn text(&mut self, what: &'static str) -> Result<&'a str> {
        let n = self.len(1, what)?;
        let offset = self.offset();
        let bytes = self.take(n, what)?;
        core::str::from_utf8(bytes).map_err(|_| CodecError::InvalidUtf8 { what, offset })
    }
    fn string(&mut self, what: &'static str) -> Result<String> {
        self.text(what).map(str::to_owned)
    }
    fn opt<T>(&mut self, what: &'static str, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.flag(what)? { read(self).map(Some) } else { Ok(None) }
    }
    fn opt_i64(&mut self, what: &'static str) -> Result<Option<i64>> {
        self.opt(what, |r| r.i64(what))
    }
    fn opt_u64(&mut self, what: &'static str) -> Result<Option<u64>> {
        self.opt(what, |r| r.u64(what))
    }
    fn opt_string(&mut self, what: &'static str) -> Result<Option<String>> {
        self.opt(what, |r| r.string(what))
    }

    /// A column of `N`-byte values.
    fn column<T, const N: usize>(
        &mut self,
        what: &'static str,
        value: impl Fn([u8; N]) -> T,
    ) -> Result<Vec<T>> {
        let n = self.len(N, what)?;
        let bytes = self.take(n.saturating_mul(N), what)?;
        let (chunks, _) = bytes.as_chunks::<N>();
        Ok(chunks.iter().map(|&c| value(c)).collect())
    }
    fn i64s(&mut self, what: &'static str) -> Result<Vec<i64>> {
        self.column(what, i64::from_le_bytes)
    }
    fn u64s(&mut self, what: &'static str) -> Result<Vec<u64>> {
        self.column(what, u64::from_le_bytes)
    }
    fn u32s(&mut self, what: &'static str) -> Result<Vec<u32>> {
        self.column(what, u32::from_le_bytes)
    }
    /// A column of one-byte codes mapped by `decode` (`None` = unknown code).
    fn codes<T>(&mut self, what: &'static str, decode: impl Fn(u8) -> Option<T>) -> Result<Vec<T>> {
        let n = self.len(1, what)?;
        let at = self.offset();
        let bytes = self.take(n, what)?;
        let mut out = Vec::with_capacity(n);
        for (i, &b) in bytes.iter().enumerate() {
            match decode(b) {
                Some(v) => out.push(v),
                None => return Err(self.bad(what, u64::from(b), at.saturating_add(len64(i)))),
            }
        }
        Ok(out)
    }
    fn bools(&mut self, what: &'static str) -> Result<Vec<bool>> {
        self.codes(what, |b| match b {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        })
    }
}

/// What the decoder checks ids against.
struct Limits {
    strings: u32,
    tracks: u32,
}

impl Limits {
    fn sym(&self, sym: Sym, what: &'static str) -> Result<Sym> {
        if sym.0 < self.strings || sym.is_none() {
            Ok(sym)
        } else {
            Err(CodecError::StringOutOfRange { what, id: sym.0, count: u64::from(self.strings) })
        }
    }
    fn syms(&self, r: &mut Reader<'_>, what: &'static str) -> Result<Vec<Sym>> {
        let v = r.column(what, |b| Sym(u32::from_le_bytes(b)))?;
        if let Some(&bad) = v.iter().find(|s| s.0 >= self.strings && !s.is_none()) {
            return Err(CodecError::StringOutOfRange { what, id: bad.0, count: u64::from(self.strings) });
        }
        Ok(v)
    }
    fn track(&self, id: TrackId, what: &'static str) -> Result<TrackId> {
        if id.0 < self.tracks {
            Ok(id)
        } else {
            Err(CodecError::TrackOutOfRange { what, id: id.0, count: u64::from(self.tracks) })
        }
    }
    fn tracks(&self, r: &mut Reader<'_>, what: &'static str) -> Result<Vec<TrackId>> {
        let v = r.column(what, |b| TrackId(u32::from_le_bytes(b)))?;
        if let Some(&bad) = v.iter().find(|t| t.0 >= self.tracks) {
            return Err(CodecError::TrackOutOfRange { what, id: bad.0, count: u64::from(self.tracks) });
        }
        Ok(v)
    }
    fn key(&self, r: &mut Reader<'_>, what: &'static str) -> Result<Key> {
        let at = r.offset();
        match r.u8(what)? {
            0 => Ok(Key::Int(r.i64(what)?)),
            1 => Ok(Key::Str(self.sym(Sym(r.u32(what)?), what)?)),
            v => Err(r.bad(what, u64::from(v), at)),
        }
    }
}

/// Checks that every column of a table has the first column's length.
fn same_lengths(table: &'static str, columns: &[(&'static str, usize)]) -> Result<()> {
    let Some(&(_, expected)) = columns.first() else { return Ok(()) };
    match columns.iter().find(|&&(_, len)| len != expected) {
        Some(&(column, len)) => {
            Err(CodecError::ColumnLength { table, column, len: len64(len), expected: len64(expected) })
        }
        None => Ok(()),
    }
}

fn read_header(r: &mut Reader<'_>) -> Result<()> {
    let magic = r.array::<4>("magic").map_err(|_| CodecError::BadMagic { found: r.bytes.to_vec() })?;
    if magic != CODEC_MAGIC {
        return Err(CodecError::BadMagic { found: magic.to_vec() });
    }
    let version = r.u32("version")?;
    if version != CODEC_VERSION {
        return Err(CodecError::UnsupportedVersion { found: version, expected: CODEC_VERSION });
    }
    Ok(())
}

fn read_strings(r: &mut Reader<'_>) -> Result<Strings> {
    let lens = r.u32s("string lengths")?;
    let blob_len = r.len(1, "string text")?;
    let offset = r.offset();
    let blob = r.take(blob_len, "string text")?;
    let blob =
        core::str::from_utf8(blob).map_err(|_| CodecError::InvalidUtf8 { what: "string text", offset })?;
    let sum: u64 = lens.iter().map(|&l| u64::from(l)).sum();
    if sum != len64(blob.len()) {
        return Err(CodecError::StringSizes { sum, blob: len64(blob.len()) });
    }
    // Re-intern in id order from an empty table: `Strings::new` is itself "empty table,
    // then intern the empty string", so this rebuilds any table the loader made.
    let mut strings = Strings::default();
    let mut start = 0usize;
    for (index, &len) in lens.iter().enumerate() {
        let end = start.saturating_add(len as usize);
        let text = blob.get(start..end).ok_or(CodecError::InvalidUtf8 { what: "string text", offset })?;
        let sym = strings.intern(text);
        if sym.index() != index {
            return Err(CodecError::DuplicateString { index: len64(index) });
        }
        start = end;
    }
    Ok(strings)
}

fn read_meta(r: &mut Reader<'_>) -> Result<TraceMeta> {
    let schema_version = r.opt_i64("schema version")?;
    let base_time_ns = r.opt_i64("base time")?;
    // Smallest device: id, empty name, four absent options.
    let n = r.len(8 + 8 + 4, "devices")?;
    let mut devices = Vec::with_capacity(n);
    for _ in 0..n {
        devices.push(DeviceProps {
            id: r.i64("device id")?,
            name: r.string("device name")?,
            num_sms: r.opt_i64("device SM count")?,
            compute_major: r.opt_i64("device compute major")?,
            compute_minor: r.opt_i64("device compute minor")?,
            total_global_mem: r.opt_u64("device memory")?,
        });
    }
    let distributed = r.opt("distributed info", |r| {
        Ok(DistributedInfo {
            backend: r.opt_string("distributed backend")?,
            rank: r.opt_i64("distributed rank")?,
            world_size: r.opt_i64("distributed world size")?,
            pg_count: r.opt_i64("distributed pg count")?,
            nccl_version: r.opt_string("distributed NCCL version")?,
        })
    })?;
    let trace_name = r.opt_string("trace name")?;
    let trace_id = r.opt_string("trace id")?;
    let display_time_unit = r.opt_string("display time unit")?;
    let n = r.len(16, "properties")?;
    let mut properties = Vec::with_capacity(n);
    for _ in 0..n {
        properties.push((r.string("property key")?, r.string("property value")?));
    }
    let n = r.len(8, "other keys")?;
    let mut other_keys = Vec::with_capacity(n);
    for _ in 0..n {
        other_keys.push(r.string("other key")?);
    }
    let bare_array = r.flag("bare array flag")?;
    let profiler_span =
        r.opt("profiler span", |r| Ok((r.i64("profiler span start")?, r.i64("profiler span dur")?)))?;
    Ok(TraceMeta {
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
    })
}

fn read_tracks(r: &mut Reader<'_>, limits: &mut Limits) -> Result<Tracks> {
    // Smallest track: two string keys (tag + id each).
    let n = r.len(10, "tracks")?;
    let mut list = Vec::with_capacity(n);
    for _ in 0..n {
        list.push(Track { pid: limits.key(r, "track pid")?, tid: limits.key(r, "track tid")? });
    }
    limits.tracks = u32::try_from(list.len()).unwrap_or(u32::MAX);
    let named = |r: &mut Reader<'_>, what: &'static str| -> Result<Vec<(Key, Sym)>> {
        // Smallest entry: a string key (tag + id) and a name id.
        let n = r.len(9, what)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let key = limits.key(r, what)?;
            v.push((key, limits.sym(Sym(r.u32(what)?), what)?));
        }
        Ok(v)
    };
    let process_names = named(r, "process names")?;
    let process_labels = named(r, "process labels")?;
    let n = r.len(8, "thread names")?;
    let mut thread_names = Vec::with_capacity(n);
    for _ in 0..n {
        let track = limits.track(TrackId(r.u32("thread name track")?), "thread names")?;
        thread_names.push((track, limits.sym(Sym(r.u32("thread name")?), "thread names")?));
    }
    Ok(Tracks { list, process_names, process_labels, thread_names })
}

fn gpu_kind(b: u8) -> Option<GpuKind> {
    [GpuKind::Kernel, GpuKind::Memcpy, GpuKind::Memset, GpuKind::Sync]
        .into_iter()
        .find(|&k| gpu_kind_code(k) == b)
}

fn runtime_kind(b: u8) -> Option<RuntimeKind> {
    [
        RuntimeKind::LaunchKernel,
        RuntimeKind::GraphLaunch,
        RuntimeKind::Memcpy,
        RuntimeKind::Memset,
        RuntimeKind::Synchronize,
        RuntimeKind::Other,
        RuntimeKind::BeginCapture,
        RuntimeKind::EndCapture,
    ]
    .into_iter()
    .find(|&k| runtime_kind_code(k) == b)
}

fn flow_phase(b: u8) -> Option<FlowPhase> {
    [FlowPhase::Start, FlowPhase::Step, FlowPhase::Finish].into_iter().find(|&p| flow_phase_code(p) == b)
}

fn flow_kind(b: u8) -> Option<FlowKind> {
    [FlowKind::Launch, FlowKind::ForwardBackward].into_iter().find(|&k| flow_kind_code(k) == b)
}

fn read_gpu(r: &mut Reader<'_>, l: &Limits) -> Result<GpuOps> {
    let t = GpuOps {
        kind: r.codes("gpu.kind", gpu_kind)?,
        name: l.syms(r, "gpu.name")?,
        track: l.tracks(r, "gpu.track")?,
        device: r.i64s("gpu.device")?,
        stream: r.i64s("gpu.stream")?,
        start_ns: r.i64s("gpu.start_ns")?,
        dur_ns: r.i64s("gpu.dur_ns")?,
        correlation: r.u64s("gpu.correlation")?,
        external_id: r.u64s("gpu.external_id")?,
        bytes: r.u64s("gpu.bytes")?,
        annotation: l.syms(r, "gpu.annotation")?,
    };
    same_lengths(
        "gpu",
        &[
            ("kind", t.kind.len()),
            ("name", t.name.len()),
            ("track", t.track.len()),
            ("device", t.device.len()),
            ("stream", t.stream.len()),
            ("start_ns", t.start_ns.len()),
            ("dur_ns", t.dur_ns.len()),
            ("correlation", t.correlation.len()),
            ("external_id", t.external_id.len()),
            ("bytes", t.bytes.len()),
            ("annotation", t.annotation.len()),
        ],
    )?;
    Ok(t)
}

fn read_runtime(r: &mut Reader<'_>, l: &Limits) -> Result<RuntimeCalls> {
    let t = RuntimeCalls {
        name: l.syms(r, "runtime.name")?,
        kind: r.codes("runtime.kind", runtime_kind)?,
        track: l.tracks(r, "runtime.track")?,
        start_ns: r.i64s("runtime.start_ns")?,
        dur_ns: r.i64s("runtime.dur_ns")?,
        correlation: r.u64s("runtime.correlation")?,
        external_id: r.u64s("runtime.external_id")?,
        kernel: l.syms(r, "runtime.kernel")?,
    };
    same_lengths(
        "runtime",
        &[
            ("name", t.name.len()),
            ("kind", t.kind.len()),
            ("track", t.track.len()),
            ("start_ns", t.start_ns.len()),
            ("dur_ns", t.dur_ns.len()),
            ("correlation", t.correlation.len()),
            ("external_id", t.external_id.len()),
            ("kernel", t.kernel.len()),
        ],
    )?;
    Ok(t)
}

fn read_cpu_ops(r: &mut Reader<'_>, l: &Limits) -> Result<CpuOps> {
    let t = CpuOps {
        name: l.syms(r, "cpu_ops.name")?,
        track: l.tracks(r, "cpu_ops.track")?,
        start_ns: r.i64s("cpu_ops.start_ns")?,
        dur_ns: r.i64s("cpu_ops.dur_ns")?,
        external_id: r.u64s("cpu_ops.external_id")?,
        input_dims: l.syms(r, "cpu_ops.input_dims")?,
        input_types: l.syms(r, "cpu_ops.input_types")?,
        input_strides: l.syms(r, "cpu_ops.input_strides")?,
        concrete_inputs: l.syms(r, "cpu_ops.concrete_inputs")?,
        call_stack: l.syms(r, "cpu_ops.call_stack")?,
    };
    same_lengths(
        "cpu_ops",
        &[
            ("name", t.name.len()),
            ("track", t.track.len()),
            ("start_ns", t.start_ns.len()),
            ("dur_ns", t.dur_ns.len()),
            ("external_id", t.external_id.len()),
            ("input_dims", t.input_dims.len()),
            ("input_types", t.input_types.len()),
            ("input_strides", t.input_strides.len()),
            ("concrete_inputs", t.concrete_inputs.len()),
            ("call_stack", t.call_stack.len()),
        ],
    )?;
    Ok(t)
}

fn read_python(r: &mut Reader<'_>, l: &Limits) -> Result<PythonFrames> {
    let t = PythonFrames {
        name: l.syms(r, "python.name")?,
        track: l.tracks(r, "python.track")?,
        start_ns: r.i64s("python.start_ns")?,
        dur_ns: r.i64s("python.dur_ns")?,
    };
    same_lengths(
        "python",
        &[
            ("name", t.name.len()),
            ("track", t.track.len()),
            ("start_ns", t.start_ns.len()),
            ("dur_ns", t.dur_ns.len()),
        ],
    )?;
    Ok(t)
}

fn read_annotations(r: &mut Reader<'_>, l: &Limits) -> Result<Annotations> {
    let t = Annotations {
        name: l.syms(r, "annotations.name")?,
        track: l.tracks(r, "annotations.track")?,
        start_ns: r.i64s("annotations.start_ns")?,
        dur_ns: r.i64s("annotations.dur_ns")?,
        external_id: r.u64s("annotations.external_id")?,
        on_gpu: r.bools("annotations.on_gpu")?,
    };
    same_lengths(
        "annotations",
        &[
            ("name", t.name.len()),
            ("track", t.track.len()),
            ("start_ns", t.start_ns.len()),
            ("dur_ns", t.dur_ns.len()),
            ("external_id", t.external_id.len()),
            ("on_gpu", t.on_gpu.len()),
        ],
    )?;
    Ok(t)
}

fn read_flows(r: &mut Reader<'_>, l: &Limits) -> Result<Flows> {
    let t = Flows {
        id: r.u64s("flows.id")?,
        phase: r.codes("flows.phase", flow_phase)?,
        kind: r.codes("flows.kind", flow_kind)?,
        track: l.tracks(r, "flows.track")?,
        ts_ns: r.i64s("flows.ts_ns")?,
    };
    same_lengths(
        "flows",
        &[
            ("id", t.id.len()),
            ("phase", t.phase.len()),
            ("kind", t.kind.len()),
            ("track", t.track.len()),
            ("ts_ns", t.ts_ns.len()),
        ],
    )?;
    Ok(t)
}

fn read_counts(r: &mut Reader<'_>) -> Result<EventCounts> {
    let total = r.u64("event total")?;
    let pairs = |r: &mut Reader<'_>, what: &'static str| -> Result<Vec<(String, u64)>> {
        let n = r.len(16, what)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push((r.string(what)?, r.u64(what)?));
        }
        Ok(v)
    };
    let by_category = pairs(r, "counts by category")?;
    let by_phase = pairs(r, "counts by phase")?;
    Ok(EventCounts { total, by_category, by_phase })
}

fn read_diagnostics(r: &mut Reader<'_>) -> Result<Diagnostics> {
    // Smallest entry: kind, empty detail, count, absent offset.
    let n = r.len(1 + 8 + 8 + 1, "diagnostics")?;
    let mut entries = Vec::with_capacity(n);
    for _ in 0..n {
        let at = r.offset();
        let code = r.u8("diagnostic kind")?;
        let kind = *DIAGNOSTIC_KINDS
            .get(usize::from(code))
            .ok_or_else(|| r.bad("diagnostic kind", u64::from(code), at))?;
        entries.push(Diagnostic {
            kind,
            detail: r.string("diagnostic detail")?,
            count: r.u64("diagnostic count")?,
            first_offset: r.opt_u64("diagnostic offset")?,
        });
    }
    let mut keys: Vec<(DiagnosticKind, &str)> = entries.iter().map(|d| (d.kind, d.detail.as_str())).collect();
    keys.sort_unstable();
    if let Some(pair) = keys.windows(2).find(|w| w.first() == w.get(1)) {
        let (kind, detail) = pair.first().copied().unwrap_or((DiagnosticKind::Truncated, ""));
        return Err(CodecError::DuplicateDiagnostic { kind: kind.id(), detail: detail.to_owned() });
    }
    Ok(Diagnostics::from_entries(entries))
}

/// [`Trace::from_bytes`].
pub(super) fn decode(bytes: &[u8]) -> Result<Trace> {
    let mut r = Reader { bytes, pos: 0 };
    read_header(&mut r)?;
    let strings = read_strings(&mut r)?;
    let mut limits = Limits { strings: u32::try_from(strings.len()).unwrap_or(u32::MAX), tracks: 0 };
    let meta = read_meta(&mut r)?;
    let tracks = read_tracks(&mut r, &mut limits)?;
    let gpu = read_gpu(&mut r, &limits)?;
    let runtime = read_runtime(&mut r, &limits)?;
    let cpu_ops = read_cpu_ops(&mut r, &limits)?;
    let python = read_python(&mut r, &limits)?;
    let annotations = read_annotations(&mut r, &limits)?;
    let flows = read_flows(&mut r, &limits)?;
    let counts = read_counts(&mut r)?;
    let diagnostics = read_diagnostics(&mut r)?;
    let json_bytes = r.u64("JSON size")?;
    let input_bytes = r.u64("input size")?;
    if r.remaining() > 0 {
        return Err(CodecError::TrailingBytes { extra: len64(r.remaining()) });
    }
    Ok(Trace {
        meta,
        strings,
        tracks,
        gpu,
        runtime,
        cpu_ops,
        python,
        annotations,
        flows,
        counts,
        diagnostics,
        json_bytes,
        input_bytes,
    })
}
