//! A compact binary form of a loaded [`Trace`], so a trace parsed in one Web Worker can
//! be handed to another (the browser loads the rank files of one capture in parallel and
//! analyses them together in one engine worker).
//!
//! Format (all integers little-endian): the magic `TTRC`, a `u32` [`CODEC_VERSION`], the
//! string table (lengths, then one UTF-8 blob, in id order so every [`Sym`] stays valid),
//! then every other field of the [`Trace`] in declaration order. Columns are written as a
//! `u64` row count followed by the packed values, so encoding and decoding are bulk copies.
//! The encoder destructures every model struct without `..`: adding a field to the model
//! breaks the build here until the codec (and [`CODEC_VERSION`]) are updated.
//!
//! Decoding treats the bytes as untrusted (they crossed a worker boundary and may come from
//! another build): it never panics, and rejects a wrong header, truncated data, lengths
//! larger than the input, out-of-range string or track ids, columns of one table that
//! disagree in length, invalid UTF-8 and unknown enum values with a [`CodecError`].

use super::{
    Annotations, CpuOps, DeviceProps, DistributedInfo, EventCounts, FlowKind, FlowPhase, Flows, GpuKind,
    GpuOps, Key, PythonFrames, RuntimeCalls, RuntimeKind, Strings, Sym, Trace, TraceMeta, Track, TrackId,
    Tracks,
};
use crate::diagnostics::{Diagnostic, DiagnosticKind, Diagnostics};

/// The first four bytes of every encoded trace.
pub const CODEC_MAGIC: [u8; 4] = *b"TTRC";
/// The format version this build writes and reads; bump it whenever the layout changes.
pub const CODEC_VERSION: u32 = 1;

/// Why bytes could not be decoded as a [`Trace`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The input does not start with [`CODEC_MAGIC`].
    #[error("not an encoded trace: expected the magic bytes \"TTRC\", found {found:?}")]
    BadMagic {
        /// The first bytes of the input.
        found: Vec<u8>,
    },
    /// The input was written by a build with another format version.
    #[error("encoded trace has format version {found}; this build reads version {expected} only")]
    UnsupportedVersion {
        /// The version in the input.
        found: u32,
        /// [`CODEC_VERSION`].
        expected: u32,
    },
    /// The input ends before a value is complete.
    #[error(
        "encoded trace is truncated: {what} needs {needed} bytes at offset {offset}, only {available} remain"
    )]
    Truncated {
        /// The value being read.
        what: &'static str,
        /// Byte offset of the value.
        offset: u64,
        /// Bytes the value needs.
        needed: u64,
        /// Bytes left in the input.
        available: u64,
    },
    /// A length prefix promises more items than the remaining bytes can hold.
    #[error(
        "encoded trace is damaged: {what} at offset {offset} declares {len} items, more than the {available} remaining bytes can hold"
    )]
    LengthTooLarge {
        /// The column or list being read.
        what: &'static str,
        /// Byte offset of the length prefix.
        offset: u64,
        /// The declared number of items.
        len: u64,
        /// Bytes left in the input after the prefix.
        available: u64,
    },
    /// A tag, flag or enum code that this build does not know.
    #[error("encoded trace is damaged: invalid value {value} for {what} at offset {offset}")]
    BadValue {
        /// The value being read.
        what: &'static str,
        /// The code found.
        value: u64,
        /// Byte offset of the value.
        offset: u64,
    },
    /// Text that is not valid UTF-8 (or a string length that splits a character).
    #[error("encoded trace is damaged: invalid UTF-8 in {what} at offset {offset}")]
    InvalidUtf8 {
        /// The text being read.
        what: &'static str,
        /// Byte offset of the text.
        offset: u64,
    },
    /// The string lengths do not add up to the size of the text blob.
    #[error("encoded trace is damaged: the string lengths add up to {sum} bytes, the text holds {blob}")]
    StringSizes {
        /// Sum of the lengths.
        sum: u64,
        /// Size of the text blob.
        blob: u64,
    },
    /// The string table holds the same text twice, so ids would not survive re-interning.
    #[error("encoded trace is damaged: string {index} repeats an earlier string")]
    DuplicateString {
        /// Id of the repeated string.
        index: u64,
    },
    /// A string id that is neither in the table nor [`Sym::NONE`].
    #[error(
        "encoded trace is damaged: string id {id} in {what} is out of range (the table has {count} strings)"
    )]
    StringOutOfRange {
        /// The column holding the id.
        what: &'static str,
        /// The id.
        id: u32,
        /// Number of strings in the table.
        count: u64,
    },
    /// A track id that is not an index into the track list.
    #[error(
        "encoded trace is damaged: track id {id} in {what} is out of range (the trace has {count} tracks)"
    )]
    TrackOutOfRange {
        /// The column holding the id.
        what: &'static str,
        /// The id.
        id: u32,
        /// Number of tracks.
        count: u64,
    },
    /// Two columns of one table have different lengths.
    #[error(
        "encoded trace is damaged: column {column} of {table} has {len} rows, the table's first column has {expected}"
    )]
    ColumnLength {
        /// The table.
        table: &'static str,
        /// The disagreeing column.
        column: &'static str,
        /// Its row count.
        len: u64,
        /// The first column's row count.
        expected: u64,
    },
    /// Two diagnostics with the same kind and detail (the model groups them).
    #[error("encoded trace is damaged: diagnostic {kind} {detail:?} appears twice")]
    DuplicateDiagnostic {
        /// The diagnostic's id.
        kind: &'static str,
        /// Its detail.
        detail: String,
    },
    /// Bytes left over after the last field.
    #[error("encoded trace is damaged: {extra} unexpected bytes after the end")]
    TrailingBytes {
        /// How many.
        extra: u64,
    },
}

type Result<T> = core::result::Result<T, CodecError>;

fn len64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

// ---------------------------------------------------------------------------------------
// Encoding

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
    fn dims(&mut self, v: &[[u32; 3]]) {
        self.column(v, |[a, b, c]: [u32; 3]| {
            let (a, b, c) = (a.to_le_bytes(), b.to_le_bytes(), c.to_le_bytes());
            [a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3], c[0], c[1], c[2], c[3]]
        });
    }
}

fn gpu_kind_code(k: GpuKind) -> u8 {
    match k {
        GpuKind::Kernel => 0,
        GpuKind::Memcpy => 1,
        GpuKind::Memset => 2,
        GpuKind::Sync => 3,
    }
}

fn runtime_kind_code(k: RuntimeKind) -> u8 {
    match k {
        RuntimeKind::LaunchKernel => 0,
        RuntimeKind::GraphLaunch => 1,
        RuntimeKind::Memcpy => 2,
        RuntimeKind::Memset => 3,
        RuntimeKind::Synchronize => 4,
        RuntimeKind::Other => 5,
    }
}

fn flow_phase_code(p: FlowPhase) -> u8 {
    match p {
        FlowPhase::Start => 0,
        FlowPhase::Step => 1,
        FlowPhase::Finish => 2,
    }
}

fn flow_kind_code(k: FlowKind) -> u8 {
    match k {
        FlowKind::Launch => 0,
        FlowKind::ForwardBackward => 1,
    }
}

/// Every kind, in code order; `diagnostic_kind_code` is the index into this list.
const DIAGNOSTIC_KINDS: [DiagnosticKind; 19] = [
    DiagnosticKind::Truncated,
    DiagnosticKind::MalformedJson,
    DiagnosticKind::GzipCorrupt,
    DiagnosticKind::GzipChecksum,
    DiagnosticKind::TrailingData,
    DiagnosticKind::NotAnObject,
    DiagnosticKind::MissingPhase,
    DiagnosticKind::UnsupportedPhase,
    DiagnosticKind::MissingTimestamp,
    DiagnosticKind::MissingDuration,
    DiagnosticKind::NegativeDuration,
    DiagnosticKind::UnknownCategory,
    DiagnosticKind::MissingStream,
    DiagnosticKind::BadId,
    DiagnosticKind::BadMetadata,
    DiagnosticKind::Instant,
    DiagnosticKind::Overhead,
    DiagnosticKind::OtherMetadata,
    DiagnosticKind::OtherFlow,
];

fn diagnostic_kind_code(k: DiagnosticKind) -> u8 {
    // Exhaustive on purpose: a new kind is a compile error until it gets a code (append
    // it to `DIAGNOSTIC_KINDS` too; the test `diagnostic_codes_match_the_table` checks).
    match k {
        DiagnosticKind::Truncated => 0,
        DiagnosticKind::MalformedJson => 1,
        DiagnosticKind::GzipCorrupt => 2,
        DiagnosticKind::GzipChecksum => 3,
        DiagnosticKind::TrailingData => 4,
        DiagnosticKind::NotAnObject => 5,
        DiagnosticKind::MissingPhase => 6,
        DiagnosticKind::UnsupportedPhase => 7,
        DiagnosticKind::MissingTimestamp => 8,
        DiagnosticKind::MissingDuration => 9,
        DiagnosticKind::NegativeDuration => 10,
        DiagnosticKind::UnknownCategory => 11,
        DiagnosticKind::MissingStream => 12,
        DiagnosticKind::BadId => 13,
        DiagnosticKind::BadMetadata => 14,
        DiagnosticKind::Instant => 15,
        DiagnosticKind::Overhead => 16,
        DiagnosticKind::OtherMetadata => 17,
        DiagnosticKind::OtherFlow => 18,
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
        grid,
        block,
        bytes,
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
    w.dims(grid);
    w.dims(block);
    w.u64s(bytes);

    let RuntimeCalls { name, kind, driver, track, start_ns, dur_ns, correlation, external_id, cbid } =
        &trace.runtime;
    w.syms(name);
    w.column(kind, |k| [runtime_kind_code(k)]);
    w.bools(driver);
    w.tracks(track);
    w.i64s(start_ns);
    w.i64s(dur_ns);
    w.u64s(correlation);
    w.u64s(external_id);
    w.u32s(cbid);

    let CpuOps { name, track, start_ns, dur_ns, external_id, input_dims, call_stack } = &trace.cpu_ops;
    w.syms(name);
    w.tracks(track);
    w.i64s(start_ns);
    w.i64s(dur_ns);
    w.u64s(external_id);
    w.syms(input_dims);
    w.syms(call_stack);

    let PythonFrames { name, track, start_ns, dur_ns, id, parent } = &trace.python;
    w.syms(name);
    w.tracks(track);
    w.i64s(start_ns);
    w.i64s(dur_ns);
    w.u32s(id);
    w.u32s(parent);

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

// ---------------------------------------------------------------------------------------
// Decoding

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
    fn dims(&mut self, what: &'static str) -> Result<Vec<[u32; 3]>> {
        self.column(what, |b: [u8; 12]| {
            [
                u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                u32::from_le_bytes([b[8], b[9], b[10], b[11]]),
            ]
        })
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
    // Smallest track: two integer keys.
    let n = r.len(18, "tracks")?;
    let mut list = Vec::with_capacity(n);
    for _ in 0..n {
        list.push(Track { pid: limits.key(r, "track pid")?, tid: limits.key(r, "track tid")? });
    }
    limits.tracks = u32::try_from(list.len()).unwrap_or(u32::MAX);
    let named = |r: &mut Reader<'_>, what: &'static str| -> Result<Vec<(Key, Sym)>> {
        let n = r.len(13, what)?;
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
        grid: r.dims("gpu.grid")?,
        block: r.dims("gpu.block")?,
        bytes: r.u64s("gpu.bytes")?,
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
            ("grid", t.grid.len()),
            ("block", t.block.len()),
            ("bytes", t.bytes.len()),
        ],
    )?;
    Ok(t)
}

fn read_runtime(r: &mut Reader<'_>, l: &Limits) -> Result<RuntimeCalls> {
    let t = RuntimeCalls {
        name: l.syms(r, "runtime.name")?,
        kind: r.codes("runtime.kind", runtime_kind)?,
        driver: r.bools("runtime.driver")?,
        track: l.tracks(r, "runtime.track")?,
        start_ns: r.i64s("runtime.start_ns")?,
        dur_ns: r.i64s("runtime.dur_ns")?,
        correlation: r.u64s("runtime.correlation")?,
        external_id: r.u64s("runtime.external_id")?,
        cbid: r.u32s("runtime.cbid")?,
    };
    same_lengths(
        "runtime",
        &[
            ("name", t.name.len()),
            ("kind", t.kind.len()),
            ("driver", t.driver.len()),
            ("track", t.track.len()),
            ("start_ns", t.start_ns.len()),
            ("dur_ns", t.dur_ns.len()),
            ("correlation", t.correlation.len()),
            ("external_id", t.external_id.len()),
            ("cbid", t.cbid.len()),
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
        id: r.u32s("python.id")?,
        parent: r.u32s("python.parent")?,
    };
    same_lengths(
        "python",
        &[
            ("name", t.name.len()),
            ("track", t.track.len()),
            ("start_ns", t.start_ns.len()),
            ("dur_ns", t.dur_ns.len()),
            ("id", t.id.len()),
            ("parent", t.parent.len()),
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

impl Trace {
    /// Encodes the whole trace (every field) in a compact binary form that starts with
    /// [`CODEC_MAGIC`] and [`CODEC_VERSION`]; [`Trace::from_bytes`] reads it back.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
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
        } = self;
        // The tables are written by `write_tables`, which destructures each of them.
        let rows = self.gpu.len() * 116
            + self.runtime.len() * 50
            + self.cpu_ops.len() * 40
            + self.python.len() * 32
            + self.annotations.len() * 33
            + self.flows.len() * 26;
        let mut w = Writer { out: Vec::with_capacity(rows + 4096) };
        w.out.extend_from_slice(&CODEC_MAGIC);
        w.u32(CODEC_VERSION);
        write_strings(&mut w, strings);
        write_meta(&mut w, meta);
        write_tracks(&mut w, tracks);
        write_tables(&mut w, self);
        write_counts(&mut w, counts);
        write_diagnostics(&mut w, diagnostics);
        w.u64(*json_bytes);
        w.u64(*input_bytes);
        w.out
    }

    /// Decodes bytes written by [`Trace::to_bytes`] of this build.
    ///
    /// # Errors
    /// A [`CodecError`] when the bytes are not an encoded trace of this format version, are
    /// truncated, or are inconsistent (ids out of range, columns of unequal length, …).
    pub fn from_bytes(bytes: &[u8]) -> core::result::Result<Trace, CodecError> {
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
}

#[cfg(test)]
mod tests;
