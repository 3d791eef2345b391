#!/usr/bin/env python3
"""Writes the hand-built fuse-catalog fixtures of tests/catalog/ (tiny Kineto traces).

Each fixture is a trace of a few kernels, each launched by a `cudaLaunchKernel` inside a
cpu_op inside a Python frame, on a process named after the serving framework, with the
model file, GPU, platform and world size a pattern's gates need. `positive/<id>.json`
must produce exactly the fuse row `<id>` (tests/it/catalog.rs checks it);
`positive/<id>--split.json` the same pattern from its split kernels; `negative/*.json`
are the seed tool's false positives, which must not produce the pattern they name.

Run from the repository root: python3 tests/catalog/make_fixtures.py
The output is deterministic (sorted keys, fixed timestamps).
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

PROCESS = {
    "sglang": "sglang::scheduler_TP0",
    "vllm": "VllmWorker-vllm rank 0",
    "trtllm": "tensorrt_llm PyExecutor",
    "tokenspeed": "tokenspeed::scheduler_TP0",
}
ROOT = {
    "sglang": "python/sglang/srt",
    "vllm": "vllm",
    "trtllm": "tensorrt_llm/_torch",
    "tokenspeed": "python/tokenspeed/runtime",
}


def trace(framework, kernels, model=None, world=None, rocm=False):
    """kernels: list of (name, cpu_op or None, (path, line, func) or None)."""
    events = [
        {"ph": "M", "name": "process_name", "pid": 100, "tid": 0, "args": {"name": PROCESS[framework]}},
    ]
    root = ROOT[framework]
    model_path = f"{root}/models/{model}.py" if model else f"{root}/model_executor/model_runner.py"
    span = 200 * len(kernels) + 100
    events.append({"ph": "X", "cat": "python_function", "name": f"{model_path}(10): forward",
                   "pid": 100, "tid": 1, "ts": 0, "dur": span,
                   "args": {"Python id": 1, "Python parent id": None}})
    for i, (name, op, py) in enumerate(kernels, start=1):
        t = 200 * i
        if py:
            path, line, func = py
            events.append({"ph": "X", "cat": "python_function", "name": f"{path}({line}): {func}",
                           "pid": 100, "tid": 1, "ts": t, "dur": 20,
                           "args": {"Python id": 1 + i, "Python parent id": 1}})
        if op:
            events.append({"ph": "X", "cat": "cpu_op", "name": op, "pid": 100, "tid": 1,
                           "ts": t + 1, "dur": 18, "args": {"External id": i}})
        launch = "hipLaunchKernel" if rocm else "cudaLaunchKernel"
        events.append({"ph": "X", "cat": "cuda_runtime", "name": launch, "pid": 100, "tid": 1,
                       "ts": t + 2, "dur": 5, "args": {"correlation": i, "External id": i}})
        cat = "gpu_memset" if name.startswith("Memset") else "kernel"
        events.append({"ph": "X", "cat": cat, "name": name, "pid": 0, "tid": 7, "ts": t + 10,
                       "dur": 100, "args": {"device": 0, "stream": 7, "correlation": i, "External id": i}})
    doc = {"schemaVersion": 1}
    if rocm:
        doc["hip_runtime_version"] = 60342134
        doc["deviceProperties"] = [{"id": 0, "name": "AMD Instinct MI300X"}]
    else:
        doc["cuda_runtime_version"] = 12090
        doc["deviceProperties"] = [{"id": 0, "name": "NVIDIA H100 80GB HBM3"}]
    if world:
        doc["distributedInfo"] = {"backend": "nccl", "rank": 0, "world_size": world}
    doc["traceEvents"] = events
    return doc


def k(name, op=None, py=None):
    return (name, op, py)


# One fixture per pattern of catalog/fuse.toml, from its fused path unless noted.
POSITIVE = {
    "sglang-fused-add-rmsnorm": dict(framework="sglang", kernels=[k("void flashinfer::norm::FusedAddRMSNormKernel<8u, __nv_bfloat16>(__nv_bfloat16*, unsigned int)", "sgl_kernel::fused_add_rmsnorm")]),
    "sglang-flashinfer-allreduce-fusion": dict(framework="sglang", world=2, kernels=[k("void flashinfer::trtllm_allreduce_fusion::allreduce_fusion_kernel_oneshot_lamport<(flashinfer::trtllm_allreduce_fusion::AllReduceFusionPattern)1, __nv_bfloat16, 4, false, false>(flashinfer::trtllm_allreduce_fusion::AllReduceFusionParams<__nv_bfloat16>)")]),
    "sglang-flashinfer-allreduce-fusion--split": dict(framework="sglang", world=2, kernels=[
        k("void (anonymous namespace)::all_reduce_two_shot_kernel<__nv_bfloat16, 4u, true>(int)", "sgl_kernel::all_reduce"),
        k("void flashinfer::norm::RMSNormKernel<8u, __nv_bfloat16>(__nv_bfloat16*, unsigned int)", "sgl_kernel::rmsnorm")]),
    "sglang-aiter-allreduce-fusion": dict(framework="sglang", world=2, rocm=True, kernels=[k("void aiter::custom_fused_ar_rms_kernel<__hip_bfloat16, 8>(int)", "aiter::custom_fused_ar_rms")]),
    "sglang-fused-act-and-mul": dict(framework="sglang", kernels=[k("void sglang::act_and_mul_kernel<__nv_bfloat16, (sglang::ActivationKind)0, true>(__nv_bfloat16*, int)", "sglang::silu_and_mul")]),
    "sglang-inplace-qk-rmsnorm": dict(framework="sglang", kernels=[k("void sglang::fused_qknorm_warp<128l, true, __nv_bfloat16>(sglang::QKNormParams)", "sglang::fused_inplace_qknorm", ("python/sglang/srt/models/utils.py", 416, "apply_qk_norm"))]),
    "sglang-fused-qknorm-rope": dict(framework="sglang", kernels=[k("void sglang::fused_qk_norm_rope_kernel<128, __nv_bfloat16>(int)")]),
    "sglang-fused-qk-rope-reshape-kv-write": dict(framework="sglang", kernels=[k("fused_qk_rope_reshape_and_cache_kernel")]),
    "sglang-fused-qk-rope-reshape-kv-write--split": dict(framework="sglang", kernels=[
        k("void rotary_embedding_kernel<c10::BFloat16, true>(long const*, c10::BFloat16*)"),
        k("void (anonymous namespace)::store_kvcache<2048l, 4, false, long>(int)")]),
    "sglang-fused-rope-kv-store": dict(framework="sglang", kernels=[k("void (anonymous namespace)::fused_rope_store_kernel<true, 128l, true, __nv_bfloat16, long, 16u>(FusedRopeStoreParams)")]),
    "sglang-fused-decode-metadata": dict(framework="sglang", kernels=[k("_normal_decode_set_metadata_kernel", None, ("python/sglang/srt/layers/attention/flashattention_backend.py", 900, "normal_decode_set_metadata"))]),
    "sglang-nsa-fused-metadata-copy": dict(framework="sglang", kernels=[k("void fused_metadata_copy_kernel<int>(int)")]),
    "sglang-deepseek-mla-fused-proj-norm-rope": dict(framework="sglang", model="deepseek_v2", kernels=[k("fused_qkv_a_proj_with_mqa_kernel")]),
    "sglang-fused-qk-rope-cat-mla-cache": dict(framework="sglang", model="deepseek_v2", kernels=[k("fused_qk_rope_cat_and_cache_mla_kernel")]),
    "sglang-qwen3-fused-qknorm-mrope-kv-write": dict(framework="sglang", model="qwen3", rocm=True, kernels=[k("_ZN5aiter46fused_qk_norm_mrope_3d_cache_pts_quant_shuffleI14__hip_bfloat16EEvPT_")]),
    "sglang-qwen3-fused-qknorm-mrope-kv-write--split": dict(framework="sglang", model="qwen3", rocm=True, kernels=[
        k("void aiter::rmsnorm_kernel<__hip_bfloat16, 128>(int)", "aiter::rms_norm", ("python/sglang/srt/models/utils.py", 416, "apply_qk_norm")),
        k("void rotary_embedding_kernel<c10::BFloat16, true>(long const*, c10::BFloat16*)"),
        k("void (anonymous namespace)::store_kvcache<2048l, 4, false, long>(int)")]),
    "sglang-fused-moe-router": dict(framework="sglang", kernels=[k("fused_moe_router_kernel")]),
    "sglang-fused-moe-grouped-topk-gate": dict(framework="sglang", kernels=[k("void moe_fused_gate_kernel<float, 256, 8>(int)")]),
    "sglang-qwen-shared-expert-append": dict(framework="sglang", kernels=[k("_fused_append_shared_experts_with_weights_kernel")]),
    "sglang-fused-moe-sum-allreduce": dict(framework="sglang", world=2, kernels=[k("fuse_sum_all_reduce_kernel")]),
    "sglang-fused-moe-act-quant": dict(framework="sglang", kernels=[k("void silu_and_mul_scaled_fp4_experts_kernel<__nv_bfloat16>(int)")]),
    "sglang-deepseek-rmsnorm-quant-comm-prep": dict(framework="sglang", model="deepseek_v2", kernels=[k("_fused_rms_fp8_group_quant_kernel")]),
    "sglang-nsa-fused-topk-transform": dict(framework="sglang", kernels=[k("void fast_topk_transform_fused_kernel<2048>(int)")]),
    "sglang-nsa-fused-quant-index-k-store": dict(framework="sglang", kernels=[k("fused_store_index_k_cache_kernel")]),
    "sglang-fused-temperature-softmax": dict(framework="sglang", kernels=[k("fused_temperature_softmax_kernel")]),
    "sglang-fused-temperature-softmax--split": dict(framework="sglang", kernels=[
        k("void at::native::vectorized_elementwise_kernel<4, at::native::BinaryFunctor<float, float, float, at::native::binary_internal::DivFunctor<float> >, std::array<char*, 3ul> >(int)", "aten::div_", ("python/sglang/srt/layers/sampler.py", 80, "forward")),
        k("void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, float, float, float, at::native::(anonymous namespace)::SoftMaxForwardEpilogue>(float*, float const*, int)", "aten::softmax", ("python/sglang/srt/layers/sampler.py", 85, "forward"))]),
    "sglang-fused-logit-softcap": dict(framework="sglang", kernels=[k("fused_softcap_kernel")]),
    "sglang-pr20667-qwen35-qknorm-rope-kv-write": dict(framework="sglang", model="qwen3_5", rocm=True, kernels=[k("_ZN5aiter42fused_qk_norm_rope_cache_pts_quant_shuffleI14__hip_bfloat16EEvPT_")]),
    "sglang-pr22392-cutlass-fp8-scaled-mm": dict(framework="sglang", kernels=[k("void sgl_kernel::fp8_scaled_mm_kernel<cutlass::float_e4m3_t>(int)", "sgl_kernel::fp8_scaled_mm")]),
    "sglang-ltx2-fused-ada-values": dict(framework="sglang", model="dits/ltx_2", kernels=[k("ltx2_ada_values9_kernel")]),
    "sglang-ltx2-fused-ada-values--split": dict(framework="sglang", model="dits/ltx_2", kernels=[
        k("void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<c10::BFloat16>, std::array<char*, 3ul> >(int)", "aten::add", ("python/sglang/multimodal_gen/runtime/models/dits/ltx_2.py", 300, "get_ada_values")),
        k("void at::native::unrolled_elementwise_kernel<at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)>(int)", "aten::slice", ("python/sglang/multimodal_gen/runtime/models/dits/ltx_2.py", 305, "get_ada_values"))]),
    "sglang-ltx2-residual-gate-add": dict(framework="sglang", model="dits/ltx_2", kernels=[k("void diffusion_residual_gate_add_kernel<__nv_bfloat16>(int)")]),
    "tokenspeed-cutedsl-mla": dict(framework="tokenspeed", model="deepseek_v3", kernels=[k("tokenspeed_mla_decode_kernel")]),
    "tokenspeed-mla-kv-pack-fp8-quant": dict(framework="tokenspeed", model="deepseek_v3", kernels=[k("_mla_kv_pack_quantize_fp8_kernel")]),
    "tokenspeed-fused-topk-topp": dict(framework="tokenspeed", kernels=[k("void fused_topk_topp_renorm_kernel<float>(int)")]),
    "tokenspeed-persistent-lm-head-gemm": dict(framework="tokenspeed", model="qwen3", kernels=[k("void lm_head_gemm_kernel<__nv_bfloat16>(int)")]),
    "tokenspeed-persistent-lm-head-gemm--split": dict(framework="tokenspeed", model="qwen3", kernels=[k("nvjet_sm100_tst_256x8_64x6_2x1_v_bz_TNT", "aten::mm", ("python/tokenspeed/runtime/layers/logits_processor.py", 120, "_compute_lm_head"))]),
    "tokenspeed-nvfp4-gemm-swiglu-quant": dict(framework="tokenspeed", kernels=[k("kernel_cutlass_nvfp4_gemm_swiglu_nvfp4_quant_0")]),
    "vllm-attention-quant": dict(framework="vllm", kernels=[
        k("void vllm::merge_attn_states_kernel<__nv_bfloat16, 128u>(int)"),
        k("void vllm::scaled_fp8_quant_kernel<c10::BFloat16, c10::Float8_e4m3fn>(int)", "_C::static_scaled_fp8_quant", ("vllm/_custom_ops.py", 1678, "scaled_fp8_quant"))]),
    "vllm-dsv32-fused-indexer-proj": dict(framework="vllm", kernels=[k("wk_weights_proj_gemm_kernel")]),
    "vllm-rmsnorm-quant": dict(framework="vllm", kernels=[k("void vllm::fused_add_rms_norm_static_fp8_quant_kernel<c10::BFloat16, c10::Float8_e4m3fn>(int)", "_C::fused_add_rms_norm_static_fp8_quant")]),
    "vllm-silu-mul-quant": dict(framework="vllm", kernels=[k("void vllm::silu_mul_quant_fp4_kernel<c10::BFloat16>(int)")]),
    "vllm-dsv3-router-gemm": dict(framework="vllm", kernels=[k("void dsv3_router_gemm_kernel<float, 8>(int)", "_moe_C::dsv3_router_gemm")]),
    "vllm-gpt-oss-router-gemm": dict(framework="vllm", model="gpt_oss", kernels=[k("void gpt_oss_router_gemm_kernel<__nv_bfloat16>(int)")]),
    "vllm-deepseek-fused-qkv-a-proj": dict(framework="vllm", model="deepseek_v2", kernels=[k("void dsv3_fused_a_gemm_kernel<__nv_bfloat16>(int)")]),
    "vllm-pr38621-qknorm-rope-cache-quant": dict(framework="vllm", kernels=[k("void vllm::fused_qk_norm_rope_cache_quant_fp8_kernel<c10::BFloat16>(int)")]),
    "vllm-minimax-allreduce-rmsnorm": dict(framework="vllm", model="minimax_m2", kernels=[k("void minimax_allreduce_rms_kernel<__nv_bfloat16>(int)")]),
    "vllm-fused-add-rmsnorm": dict(framework="vllm", kernels=[k("std::enable_if<(((8)>(0)))&&vllm::_typeConvert<c10::BFloat16>::exists, void>::type vllm::fused_add_rms_norm_kernel<c10::BFloat16, 8>(c10::BFloat16*, long, c10::BFloat16*, c10::BFloat16 const*, float, int, int)", "_C::fused_add_rms_norm", ("vllm/_custom_ops.py", 334, "fused_add_rms_norm"))]),
    "vllm-fused-act-and-mul": dict(framework="vllm", kernels=[k("void vllm::act_and_mul_kernel<c10::BFloat16, &(c10::BFloat16 vllm::silu_kernel<c10::BFloat16>(c10::BFloat16 const&)), true>(c10::BFloat16*, c10::BFloat16 const*, int)", "_C::silu_and_mul")]),
    "trtllm-flashinfer-fused-add-rmsnorm": dict(framework="trtllm", kernels=[k("void flashinfer::norm::FusedAddRMSNormKernel<8u, __nv_bfloat16>(__nv_bfloat16*, unsigned int)", "trtllm::flashinfer_fused_add_rmsnorm")]),
    "trtllm-triton-add-rmsnorm-fp8-quant": dict(framework="trtllm", kernels=[k("triton_fused_add_rms_norm_quant_fp8_kernel")]),
    "trtllm-flashinfer-rmsnorm": dict(framework="trtllm", kernels=[k("void flashinfer::norm::RMSNormKernel<8u, __nv_bfloat16>(__nv_bfloat16*, unsigned int)", "trtllm::flashinfer_rmsnorm")]),
    "trtllm-flashinfer-act-gate": dict(framework="trtllm", kernels=[k("void flashinfer::activation::act_and_mul_kernel<__nv_bfloat16, &silu>(__nv_bfloat16*, int)", "trtllm::flashinfer_silu_and_mul")]),
}

# The seed tool's false positives (anchor-spec §10, §23.8).
NEGATIVE = {
    # BF16 GEMMs on nvjet plus the memcpy128/memset the seed took for "PR #22392 CUTLASS FP8 scaled MM replacing nvjet".
    "bf16-nvjet-memcpy128": dict(framework="sglang", kernels=[
        k("nvjet_sm90_tst_128x256_64x4_2x1_v_bz_TNT", "aten::mm", ("python/sglang/srt/layers/linear.py", 120, "forward")),
        k("nvjet_sm90_tst_64x8_64x16_4x2_h_bz_TNT", "aten::mm", ("python/sglang/srt/layers/linear.py", 120, "forward")),
        k("memcpy128", None, ("python/sglang/srt/layers/linear.py", 121, "forward")),
        k("Memset (Device)", "aten::zero_", ("python/sglang/srt/layers/linear.py", 122, "forward"))]),
    # A RoPE kernel named `…CosSinCache…` next to a QK norm, for a Qwen3 model: the seed's
    # `cache` made it a KV-cache write.
    "rope-cossincache": dict(framework="sglang", model="qwen3", kernels=[
        k("void flashinfer::BatchQKApplyRotaryPosIdsCosSinCacheKernel<true, 128u, 8u, 16u, __nv_bfloat16, long>(int)", "sgl_kernel::apply_rope_pos_ids_cos_sin_cache"),
        k("void flashinfer::norm::RMSNormKernel<8u, __nv_bfloat16>(__nv_bfloat16*, unsigned int)", "sgl_kernel::rmsnorm", ("python/sglang/srt/models/utils.py", 416, "apply_qk_norm"))]),
    # A QK-norm kernel launched from an `rmsnorm` CPU op next to an all-reduce (TP 2): the
    # seed's haystack held the CPU op, so the kernel became the RMSNorm half of the
    # all-reduce fusion family.
    "qknorm-under-rmsnorm-op": dict(framework="sglang", world=2, kernels=[
        k("void sglang::fused_qknorm_warp<128l, true, __nv_bfloat16>(sglang::QKNormParams)", "sgl_kernel::rmsnorm"),
        k("void (anonymous namespace)::all_reduce_two_shot_kernel<__nv_bfloat16, 4u, true>(int)", "sgl_kernel::all_reduce")]),
}


def write(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")


def main():
    for name, spec in sorted(POSITIVE.items()):
        write(os.path.join(HERE, "positive", f"{name}.json"), trace(**spec))
    for name, spec in sorted(NEGATIVE.items()):
        write(os.path.join(HERE, "negative", f"{name}.json"), trace(**spec))
    print(f"{len(POSITIVE)} positive, {len(NEGATIVE)} negative fixtures")


if __name__ == "__main__":
    main()
