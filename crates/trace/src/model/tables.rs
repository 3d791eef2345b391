//! Columnar event tables. Each table is a struct of equal-length column vectors; row `i`
//! of a table is the `i`-th element of every column.

use super::{FlowKind, FlowPhase, GpuKind, RuntimeKind, Sym, TrackId};

/// GPU activities: kernels, copies, fills and GPU-side waits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GpuOps {
    /// What each activity is.
    pub kind: Vec<GpuKind>,
    /// Kernel name, or `Memcpy HtoD (Pinned -> Device)` style text for copies.
    pub name: Vec<Sym>,
    /// The `(pid, tid)` lane the event was written on.
    pub track: Vec<TrackId>,
    /// Device ordinal (`args.device`, else the pid).
    pub device: Vec<i64>,
    /// Stream id (`args.stream`, else the tid, else parsed from `"stream N"`).
    pub stream: Vec<i64>,
    /// Start time, ns.
    pub start_ns: Vec<i64>,
    /// Duration, ns (may be 0).
    pub dur_ns: Vec<i64>,
    /// CUPTI/roctracer correlation id of the launching runtime call, or [`super::NO_ID`].
    pub correlation: Vec<u64>,
    /// External id linking to the enclosing cpu_op, or [`super::NO_ID`].
    pub external_id: Vec<u64>,
    /// Bytes moved or filled (copies and fills; 0 otherwise).
    pub bytes: Vec<u64>,
    /// Baked graph annotation of a graph-replayed activity (PyTorch's
    /// `cuda_graph_annotations` export: `module_fqn`/`module_name` and `name`, ` · `-joined),
    /// or [`Sym::NONE`].
    pub annotation: Vec<Sym>,
}

impl GpuOps {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// Whether the table is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    /// End time of row `i`, ns.
    #[must_use]
    pub fn end_ns(&self, i: usize) -> i64 {
        match (self.start_ns.get(i), self.dur_ns.get(i)) {
            (Some(s), Some(d)) => s.saturating_add(*d),
            _ => 0,
        }
    }
}

/// CUDA/HIP runtime and driver API calls.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuntimeCalls {
    /// API name (`cudaLaunchKernel`, `hipGraphLaunch`, …).
    pub name: Vec<Sym>,
    /// What the call does, from its name.
    pub kind: Vec<RuntimeKind>,
    /// CPU lane.
    pub track: Vec<TrackId>,
    /// Start time, ns.
    pub start_ns: Vec<i64>,
    /// Duration, ns.
    pub dur_ns: Vec<i64>,
    /// Correlation id shared with the GPU work it launched, or [`super::NO_ID`].
    pub correlation: Vec<u64>,
    /// External id of the enclosing cpu_op, or [`super::NO_ID`].
    pub external_id: Vec<u64>,
    /// The kernel a launch call names (`args.kernel`: every launch in a graph-capture
    /// trace, and AMD launches), or [`Sym::NONE`].
    pub kernel: Vec<Sym>,
}

impl RuntimeCalls {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// Whether the table is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }
}

/// CPU operators (`cpu_op`, legacy `Operator`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CpuOps {
    /// Operator name (`aten::mm`, `sgl_kernel::fwd`, …).
    pub name: Vec<Sym>,
    /// CPU lane.
    pub track: Vec<TrackId>,
    /// Start time, ns.
    pub start_ns: Vec<i64>,
    /// Duration, ns.
    pub dur_ns: Vec<i64>,
    /// External id shared with runtime calls and kernels, or [`super::NO_ID`].
    pub external_id: Vec<u64>,
    /// `Input Dims` as compact JSON text, or [`Sym::NONE`].
    pub input_dims: Vec<Sym>,
    /// `Input type` as JSON text (one dtype or kind per argument: `c10::BFloat16`,
    /// `Scalar`, `TensorList`, empty), or [`Sym::NONE`].
    pub input_types: Vec<Sym>,
    /// `Input Strides` as JSON text (elements per step of each dimension; 0 for a
    /// broadcast dimension), or [`Sym::NONE`].
    pub input_strides: Vec<Sym>,
    /// `Concrete Inputs` as JSON text (each scalar argument's value, empty for tensors),
    /// or [`Sym::NONE`].
    pub concrete_inputs: Vec<Sym>,
    /// Legacy `Call stack` (`;`-joined `file(line): func`), or [`Sym::NONE`].
    pub call_stack: Vec<Sym>,
}

impl CpuOps {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// Whether the table is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }
}

/// Python frames (`python_function`, present with `with_stack=True`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PythonFrames {
    /// `path/to/file.py(123): func`, `<built-in method …>` or `nn.Module: Linear_0`.
    pub name: Vec<Sym>,
    /// Lane (Python tids are often 0 rather than the OS tid).
    pub track: Vec<TrackId>,
    /// Start time, ns.
    pub start_ns: Vec<i64>,
    /// Duration, ns.
    pub dur_ns: Vec<i64>,
}

impl PythonFrames {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// Whether the table is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }
}

/// `user_annotation` (CPU) and `gpu_user_annotation` (GPU lane) ranges.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Annotations {
    /// Annotation text (`step[DECODE bs=16]`, `ProfilerStep#3`, …).
    pub name: Vec<Sym>,
    /// Lane.
    pub track: Vec<TrackId>,
    /// Start time, ns.
    pub start_ns: Vec<i64>,
    /// Duration, ns.
    pub dur_ns: Vec<i64>,
    /// External id, or [`super::NO_ID`].
    pub external_id: Vec<u64>,
    /// Whether it is a `gpu_user_annotation` (spans GPU work on a stream lane).
    pub on_gpu: Vec<bool>,
}

impl Annotations {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// Whether the table is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }
}

/// Flow events (`ph` `s`/`t`/`f`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flows {
    /// Flow id (equals the correlation id for launch flows).
    pub id: Vec<u64>,
    /// Which end.
    pub phase: Vec<FlowPhase>,
    /// What the flow links.
    pub kind: Vec<FlowKind>,
    /// Lane.
    pub track: Vec<TrackId>,
    /// Time, ns.
    pub ts_ns: Vec<i64>,
}

impl Flows {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Whether the table is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }
}
