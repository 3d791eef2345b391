//! Closed sets of event kinds, decided once at load time.

/// What a GPU activity is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GpuKind {
    /// A kernel (`cat: kernel`, legacy `Kernel`).
    Kernel,
    /// A copy (`gpu_memcpy`, legacy `Memcpy`).
    Memcpy,
    /// A fill (`gpu_memset`, legacy `Memset`).
    Memset,
    /// A GPU-side wait (`cuda_sync`: `Event Sync`, `Stream Wait Event`, …).
    Sync,
}

impl GpuKind {
    /// A short lower-case label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            GpuKind::Kernel => "kernel",
            GpuKind::Memcpy => "memcpy",
            GpuKind::Memset => "memset",
            GpuKind::Sync => "sync",
        }
    }
}

/// What a CUDA/HIP runtime or driver call does, from its API name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuntimeKind {
    /// Launches one kernel (`cudaLaunchKernel`, `cuLaunchKernelEx`, `hipLaunchKernel`, …).
    LaunchKernel,
    /// Replays a captured graph (`cudaGraphLaunch`, `hipGraphLaunch`).
    GraphLaunch,
    /// Enqueues or performs a copy (`cudaMemcpyAsync`, …).
    Memcpy,
    /// Enqueues a fill (`cudaMemsetAsync`, …).
    Memset,
    /// Blocks the CPU on the GPU (`cudaDeviceSynchronize`, `cudaStreamSynchronize`, …).
    Synchronize,
    /// Starts capturing a stream into a graph (`cudaStreamBeginCapture`,
    /// `hipStreamBeginCapture`): launches until the matching end are recorded, not run.
    BeginCapture,
    /// Ends a stream capture (`cudaStreamEndCapture`, `hipStreamEndCapture`).
    EndCapture,
    /// Anything else (`cudaEventRecord`, `cudaGetDevice`, …).
    Other,
}

impl RuntimeKind {
    /// Classifies a runtime/driver API name.
    #[must_use]
    pub fn classify(name: &str) -> RuntimeKind {
        // Graph launches first: `cudaGraphLaunch` also contains "Launch".
        if name.contains("GraphLaunch") {
            RuntimeKind::GraphLaunch
        } else if name.contains("LaunchKernel")
            || name.contains("LaunchCooperativeKernel")
            || name == "cuLaunchGrid"
        {
            RuntimeKind::LaunchKernel
        } else if name.contains("StreamBeginCapture") {
            RuntimeKind::BeginCapture
        } else if name.contains("StreamEndCapture") {
            RuntimeKind::EndCapture
        } else if name.contains("Synchronize") {
            RuntimeKind::Synchronize
        } else if name.contains("Memcpy") || name.contains("MemcpyAsync") {
            RuntimeKind::Memcpy
        } else if name.contains("Memset") {
            RuntimeKind::Memset
        } else {
            RuntimeKind::Other
        }
    }

    /// Whether this call puts work on the GPU that the GPU table can show.
    #[must_use]
    pub fn launches_work(self) -> bool {
        matches!(
            self,
            RuntimeKind::LaunchKernel | RuntimeKind::GraphLaunch | RuntimeKind::Memcpy | RuntimeKind::Memset
        )
    }
}

/// Which end of a flow an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlowPhase {
    /// `ph: "s"`.
    Start,
    /// `ph: "t"`.
    Step,
    /// `ph: "f"`.
    Finish,
}

/// What a flow links.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlowKind {
    /// CPU launch → GPU activity (`ac2g`, legacy `async`, 2022 `async_cpu_to_gpu`).
    Launch,
    /// Forward op → its autograd backward (`fwdbwd`).
    ForwardBackward,
}

#[cfg(test)]
mod tests {
    use super::RuntimeKind::{self, *};

    #[test]
    fn runtime_names_classify() {
        for (name, kind) in [
            ("cudaLaunchKernel", LaunchKernel),
            ("cudaLaunchKernelExC", LaunchKernel),
            ("cuLaunchKernel", LaunchKernel),
            ("cuLaunchKernelEx", LaunchKernel),
            ("hipLaunchKernel", LaunchKernel),
            ("hipExtModuleLaunchKernel", LaunchKernel),
            ("hipModuleLaunchKernel", LaunchKernel),
            ("cudaLaunchCooperativeKernel", LaunchKernel),
            ("cudaGraphLaunch", GraphLaunch),
            ("hipGraphLaunch", GraphLaunch),
            ("cuGraphLaunch", GraphLaunch),
            ("cudaMemcpyAsync", Memcpy),
            ("hipMemcpyWithStream", Memcpy),
            ("cudaMemsetAsync", Memset),
            ("cudaDeviceSynchronize", Synchronize),
            ("cudaStreamSynchronize", Synchronize),
            ("cudaEventSynchronize", Synchronize),
            ("cudaStreamBeginCapture", BeginCapture),
            ("hipStreamBeginCapture", BeginCapture),
            ("cudaStreamBeginCaptureToGraph", BeginCapture),
            ("cudaStreamEndCapture", EndCapture),
            ("hipStreamEndCapture", EndCapture),
            ("cudaStreamIsCapturing", Other),
            ("cudaStreamWaitEvent", Other),
            ("cudaEventRecord", Other),
            ("cudaGetDevice", Other),
            ("INVALID", Other),
        ] {
            assert_eq!(RuntimeKind::classify(name), kind, "{name}");
        }
    }
}
