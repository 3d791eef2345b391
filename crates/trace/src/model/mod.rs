//! The in-memory trace model: columnar tables of interned events, built once by
//! [`crate::load`] and read by every analysis.
//!
//! Architecture invariant: times are integer nanoseconds (`_ns`), exactly as written in
//! the file (relative to [`TraceMeta::base_time_ns`] when the trace has one). Rows are kept
//! in file order; analyses build the orderings they need. Identifiers that may be absent
//! use [`NO_ID`] and [`Sym::NONE`] rather than `Option`, to keep the columns dense.

mod codec;
mod kinds;
mod strings;
pub(crate) use strings::same_bytes;
mod tables;

pub use codec::{CODEC_MAGIC, CODEC_VERSION, CodecError};
pub use kinds::{FlowKind, FlowPhase, GpuKind, RuntimeKind};
pub use strings::{Strings, Sym};
pub use tables::{Annotations, CpuOps, Flows, GpuOps, PythonFrames, RuntimeCalls};

use crate::diagnostics::Diagnostics;

/// First timestamps at or above this many nanoseconds are taken as Unix time; smaller ones
/// are relative to `baseTimeNanoseconds` or to nothing. 1e17 ns is March 1973.
const EPOCH_SCALE_NS: i64 = 100_000_000_000_000_000;

/// Marks an absent correlation or External id.
pub const NO_ID: u64 = u64::MAX;

/// A `pid` or `tid` as written: Kineto mixes integers and strings in one file.
///
/// Strings that are whole integers (the legacy schema writes CPU tids as `"25738"`)
/// are stored as [`Key::Int`], so they match the same thread written as a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// A numeric id.
    Int(i64),
    /// A textual id such as `"stream 7"` or `"Spans"`.
    Str(Sym),
}

/// Index of a `(pid, tid)` lane in [`Tracks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrackId(pub u32);

impl TrackId {
    /// The track as an index into [`Tracks::list`].
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One `(pid, tid)` lane of the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Track {
    /// Process id (a device ordinal for GPU lanes).
    pub pid: Key,
    /// Thread id (a stream id for GPU lanes).
    pub tid: Key,
}

/// Every lane seen, plus the process and thread names from metadata events.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tracks {
    /// Lanes in first-seen order; [`TrackId`] indexes this.
    pub list: Vec<Track>,
    /// `process_name` metadata: pid → name.
    pub process_names: Vec<(Key, Sym)>,
    /// `process_labels` metadata: pid → labels (`"CPU"`, `"GPU 0"`).
    pub process_labels: Vec<(Key, Sym)>,
    /// `thread_name` metadata: lane → name (`"stream 128 "`, `"thread 1 (python)"`).
    pub thread_names: Vec<(TrackId, Sym)>,
}

impl Tracks {
    /// The lane behind `id`.
    #[must_use]
    pub fn get(&self, id: TrackId) -> Option<&Track> {
        self.list.get(id.index())
    }

    /// The `process_name` of `pid`, if the trace has one.
    #[must_use]
    pub fn process_name(&self, pid: Key) -> Option<Sym> {
        self.process_names.iter().rev().find(|(p, _)| *p == pid).map(|&(_, s)| s)
    }

    /// The `thread_name` of a lane, if the trace has one.
    #[must_use]
    pub fn thread_name(&self, track: TrackId) -> Option<Sym> {
        self.thread_names.iter().rev().find(|(t, _)| *t == track).map(|&(_, s)| s)
    }
}

/// Facts from the trace's top-level keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraceMeta {
    /// `schemaVersion`.
    pub schema_version: Option<i64>,
    /// `baseTimeNanoseconds`: add to a timestamp for absolute epoch nanoseconds.
    pub base_time_ns: Option<i64>,
    /// `deviceProperties`: every GPU visible on the node (not only the one used).
    pub devices: Vec<DeviceProps>,
    /// `distributedInfo`.
    pub distributed: Option<DistributedInfo>,
    /// `traceName`.
    pub trace_name: Option<String>,
    /// `trace_id`.
    pub trace_id: Option<String>,
    /// `displayTimeUnit` (a viewer hint only; `ts`/`dur` are always microseconds).
    pub display_time_unit: Option<String>,
    /// Runtime versions and profiler options (`cuda_runtime_version`, `with_stack`, …) as text.
    pub properties: Vec<(String, String)>,
    /// Other top-level keys, recorded by name only.
    pub other_keys: Vec<String>,
    /// Whether events came in a top-level object (`{"traceEvents": …}`) or a bare array.
    pub bare_array: bool,
    /// The profiler's own span (`cat: "Trace"`), start and duration in ns.
    pub profiler_span: Option<(i64, i64)>,
}

impl TraceMeta {
    /// A top-level property such as `with_stack`, if present.
    #[must_use]
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// One entry of `deviceProperties`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceProps {
    /// Device ordinal.
    pub id: i64,
    /// Marketing name, e.g. `NVIDIA GB300` (may be empty).
    pub name: String,
    /// Streaming multiprocessor (or compute unit) count.
    pub num_sms: Option<i64>,
    /// Compute capability major.
    pub compute_major: Option<i64>,
    /// Compute capability minor.
    pub compute_minor: Option<i64>,
    /// Global memory in bytes.
    pub total_global_mem: Option<u64>,
}

/// `distributedInfo`: where this trace sits in a multi-GPU job.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DistributedInfo {
    /// Communication backend (`nccl`, `gloo`).
    pub backend: Option<String>,
    /// This process's global rank.
    pub rank: Option<i64>,
    /// Number of ranks.
    pub world_size: Option<i64>,
    /// Number of process groups.
    pub pg_count: Option<i64>,
    /// NCCL version as written.
    pub nccl_version: Option<String>,
}

/// How many events of each category and phase the file held, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventCounts {
    /// Items of the `traceEvents` array (including any that were skipped).
    pub total: u64,
    /// Counts per `cat` string exactly as written; `<none>` for events without `cat`.
    pub by_category: Vec<(String, u64)>,
    /// Counts per `ph` string; `<none>` for events without `ph`.
    pub by_phase: Vec<(String, u64)>,
}

impl EventCounts {
    /// The count for one category string.
    #[must_use]
    pub fn category(&self, cat: &str) -> u64 {
        self.by_category.iter().find(|(c, _)| c == cat).map_or(0, |&(_, n)| n)
    }

    /// Categories sorted by name (deterministic output order).
    #[must_use]
    pub fn categories_sorted(&self) -> Vec<(String, u64)> {
        let mut v = self.by_category.clone();
        v.sort();
        v
    }

    /// Phases sorted by name.
    #[must_use]
    pub fn phases_sorted(&self) -> Vec<(String, u64)> {
        let mut v = self.by_phase.clone();
        v.sort();
        v
    }
}

/// A loaded trace: everything the analyses need, and nothing else.
///
/// [`Trace::to_bytes`] and [`Trace::from_bytes`] move it between Web Workers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// Top-level facts.
    pub meta: TraceMeta,
    /// Interned names.
    pub strings: Strings,
    /// `(pid, tid)` lanes and their names.
    pub tracks: Tracks,
    /// GPU activities: kernels, memcpy, memset, GPU-side syncs.
    pub gpu: GpuOps,
    /// CUDA/HIP runtime and driver calls.
    pub runtime: RuntimeCalls,
    /// `cpu_op` (legacy `Operator`) events.
    pub cpu_ops: CpuOps,
    /// `python_function` frames.
    pub python: PythonFrames,
    /// `user_annotation` and `gpu_user_annotation` ranges.
    pub annotations: Annotations,
    /// Flow events (`ac2g`, legacy `async`, `fwdbwd`).
    pub flows: Flows,
    /// Event counts as written in the file.
    pub counts: EventCounts,
    /// What was skipped, adjusted or not understood, and why.
    pub diagnostics: Diagnostics,
    /// Bytes of JSON text parsed (after decompression).
    pub json_bytes: u64,
    /// Bytes of input (compressed size for gzip input).
    pub input_bytes: u64,
}

impl Trace {
    /// The text of an interned string.
    #[must_use]
    pub fn str(&self, sym: Sym) -> &str {
        self.strings.get(sym)
    }

    /// Earliest start and latest end over all timed events, in ns.
    #[must_use]
    pub fn time_span(&self) -> Option<(i64, i64)> {
        let mut lo = i64::MAX;
        let mut hi = i64::MIN;
        let mut widen = |starts: &[i64], durs: &[i64]| {
            for (&s, &d) in starts.iter().zip(durs) {
                lo = lo.min(s);
                hi = hi.max(s.saturating_add(d));
            }
        };
        widen(&self.gpu.start_ns, &self.gpu.dur_ns);
        widen(&self.runtime.start_ns, &self.runtime.dur_ns);
        widen(&self.cpu_ops.start_ns, &self.cpu_ops.dur_ns);
        widen(&self.python.start_ns, &self.python.dur_ns);
        widen(&self.annotations.start_ns, &self.annotations.dur_ns);
        (lo <= hi).then_some((lo, hi))
    }

    /// Unix time (ns) of the trace's first event: `baseTimeNanoseconds` + the first
    /// timestamp when the trace has a base time, the first timestamp itself when it is
    /// epoch-scale (older Kineto traces write epoch microseconds), else `None`.
    #[must_use]
    pub fn start_unix_ns(&self) -> Option<i64> {
        let (first, _) = self.time_span()?;
        match self.meta.base_time_ns {
            Some(base) if base > 0 => Some(base.saturating_add(first)),
            _ => (first >= EPOCH_SCALE_NS).then_some(first),
        }
    }

    /// The `deviceProperties` entry of a device ordinal, if listed.
    #[must_use]
    pub fn device(&self, id: i64) -> Option<&DeviceProps> {
        self.meta.devices.iter().find(|d| d.id == id)
    }
}
