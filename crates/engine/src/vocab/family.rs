//! Collective families: which kind of collective a communication kernel runs, from the
//! words of its demangled base name (NCCL `ncclDevKernel_AllReduce_…`, custom
//! `all_reduce_two_shot_kernel`, FlashInfer `allreduce_fusion_kernel_oneshot_lamport`,
//! DeepEP `dispatch` / `combine`). Only kernels the category rules call communication are
//! asked; the n-th kernel of one family on each rank is taken to be the same collective.

use serde::{Deserialize, Serialize};

use crate::names;

/// The kind of a collective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// All-reduce (NCCL, custom one/two-shot, multimem, Lamport fusion).
    AllReduce,
    /// All-gather.
    AllGather,
    /// Reduce-scatter.
    ReduceScatter,
    /// All-to-all, including expert-parallel dispatch / combine.
    AllToAll,
    /// Broadcast.
    Broadcast,
    /// Reduce to one rank.
    Reduce,
    /// Point-to-point send / receive.
    SendRecv,
    /// Any other communication kernel (barriers, notifications, …).
    Other,
}

impl Family {
    /// Every family, in display order.
    pub const ALL: [Family; 8] = [
        Family::AllReduce,
        Family::AllGather,
        Family::ReduceScatter,
        Family::AllToAll,
        Family::Broadcast,
        Family::Reduce,
        Family::SendRecv,
        Family::Other,
    ];

    /// Display label: `all-reduce`, `send/recv`, `other communication`, ….
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Family::AllReduce => "all-reduce",
            Family::AllGather => "all-gather",
            Family::ReduceScatter => "reduce-scatter",
            Family::AllToAll => "all-to-all",
            Family::Broadcast => "broadcast",
            Family::Reduce => "reduce",
            Family::SendRecv => "send/recv",
            Family::Other => "other communication",
        }
    }

    /// The family of a communication kernel's name (the name as written).
    #[must_use]
    pub fn of_name(name: &str) -> Family {
        let base = names::base_name(name).base;
        // Separators removed, so `all_reduce`, `AllReduce` and `all-reduce` read alike.
        let w: String =
            base.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        let lower = base.to_ascii_lowercase();
        if w.contains("reducescatter") {
            Family::ReduceScatter
        } else if w.contains("allreduce") || w.contains("crossdevicereduce") || w.contains("lamport") {
            Family::AllReduce
        } else if w.contains("allgather") {
            Family::AllGather
        } else if w.contains("alltoall")
            || ((lower.contains("::ep::") || w.contains("deepep"))
                && (w.contains("dispatch") || w.contains("combine")))
        {
            Family::AllToAll
        } else if w.contains("broadcast") || w.contains("bcast") {
            Family::Broadcast
        } else if w.contains("sendrecv") || w.contains("send") || w.contains("recv") {
            Family::SendRecv
        } else if w.contains("reduce") {
            Family::Reduce
        } else {
            Family::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Family::{self, *};

    #[test]
    fn real_communication_kernels_get_their_family() {
        for (name, family) in [
            (
                "void (anonymous namespace)::all_reduce_two_shot_kernel<__nv_bfloat16, 4u, true>(host::dist)",
                AllReduce,
            ),
            (
                "void (anonymous namespace)::all_reduce_one_shot_push_kernel<__nv_bfloat16, 4u, true>",
                AllReduce,
            ),
            (
                "void flashinfer::trtllm_allreduce_fusion::allreduce_fusion_kernel_oneshot_lamport<(flashinfer::X)1>(int)",
                AllReduce,
            ),
            ("void (anonymous namespace)::multimem_all_reduce_kernel<c10::BFloat16, 16>", AllReduce),
            ("ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", AllReduce),
            ("ncclKernel_AllReduce_RING_LL_Sum_float(ncclWorkElem)", AllReduce),
            ("void vllm::cross_device_reduce_1stage<half, 8>", AllReduce),
            ("ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)", AllGather),
            ("ncclDevKernel_ReduceScatter_Sum_bf16_RING_LL(x)", ReduceScatter),
            ("ncclKernel_SendRecv_RING_SIMPLE_Sum_int8_t(ncclDevComm*, unsigned long, ncclWork*)", SendRecv),
            ("ncclDevKernel_Broadcast_RING_LL(x)", Broadcast),
            ("ncclDevKernel_Reduce_Sum_f32_RING_LL(x)", Reduce),
            ("void dpsk::ep::internode::dispatch<true, 8>(int*)", AllToAll),
            ("void deep_ep::intranode::combine<8>(int*)", AllToAll),
            ("ncclDevKernel_AllToAll_RING(x)", AllToAll),
            ("void dpsk::ep::internode::cached_notify<8>(int*)", Other),
        ] {
            assert_eq!(Family::of_name(name), family, "{name}");
        }
    }

    #[test]
    fn labels_are_distinct() {
        let mut labels: Vec<&str> = Family::ALL.iter().map(|f| f.label()).collect();
        crate::order::sort_by(&mut labels, Ord::cmp);
        labels.dedup();
        assert_eq!(labels.len(), Family::ALL.len());
    }
}
