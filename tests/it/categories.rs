//! Kernel categories on real names: a table of kernel names copied verbatim from the corpus
//! traces, each with the category of what the kernel does (judged from the name and, where
//! the name alone is not enough, from the trace's CPU-side stack), plus specific cases the
//! seed tool got wrong and cases that are not in the corpus.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use report::engine::catalog::Catalog;
use report::engine::vocab::Category;
use report::engine::vocab::Category::Activation;
use report::engine::vocab::Category::Attention;
use report::engine::vocab::Category::Communication;
use report::engine::vocab::Category::Conv;
use report::engine::vocab::Category::Elementwise;
use report::engine::vocab::Category::Embedding;
use report::engine::vocab::Category::Gemm;
use report::engine::vocab::Category::Memory;
use report::engine::vocab::Category::Metadata;
use report::engine::vocab::Category::Moe;
use report::engine::vocab::Category::Norm;
use report::engine::vocab::Category::Quantization;
use report::engine::vocab::Category::Reduction;
use report::engine::vocab::Category::Rope;
use report::engine::vocab::Category::Sampling;
use report::engine::vocab::Category::Ssm;
use report::trace::model::GpuKind;

use crate::common;

const DSV3: &str = "deepseek-v3_train_h800_ep64_rank0.trace.json.gz";
const HF_QWEN: &str = "hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz";
const HTA_A100: &str = "hta_a100_16rank_train_cudagraph_rank0.trace.json.gz";
const HTA_V100: &str = "hta_v100_2rank_ddp_rank1_large.trace.json.gz";
const RESNET: &str = "kineto_resnet50_v100_legacy_schema.pt.trace.json.gz";
const SGL_LORA: &str = "sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz";
const SGL_TP0: &str = "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz";
const SGL_TP1: &str = "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-1.trace.json.gz";
const SGL_TP2: &str = "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-2.trace.json.gz";
const SGL_TP3: &str = "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-3.trace.json.gz";
const MI300X: &str = "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz";
const VLLM_B200: &str = "vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz";

/// (trace the name was copied from, expected category, the kernel name exactly as written
/// in that trace). Notes on the less obvious rows:
/// - trtllm-gen `bmm_…_dynB…` / `…_dynBatch…` kernels are the expert GEMMs of a routed MoE
///   (vLLM launches them from `trtllm_fp4_block_scale_moe`), so they are `moe`, not `gemm`.
/// - DeepSeek's `cuda::topk_sum_and_topk_idx`, `unique_group_indices`, `aux_fi`,
///   `get_fused_mapping`, `expand_to_fused…` and `reduce_fused…` are the MoE gate,
///   aux-loss statistics and permute/unpermute around the grouped GEMM: `moe`.
/// - `fill_tensormaps_kernel` writes TMA descriptors for the grouped GEMM: `moe`, not a fill.
/// - `masked_fill` is a select (`where(mask, value, x)`): `elementwise`, not `memory`.
/// - `_chunked_embedding_lora_a_kernel` looks up LoRA-A rows by token id: `embedding`.
/// - `cunn_ClassNLLCriterion_*` is the loss (a reduction over the batch) and its gradient.
const TABLE: &[(&str, Category, &str)] = &[
    // DeepSeek-V3 training, H800: FA3, DeepEP, FP8 grouped GEMM, DeepSeek MoE helpers.
    (
        DSV3,
        Attention,
        r"void flash::compute_attn_ws<Flash_fwd_kernel_traits<192, 128, 128, 12, 2, false, 1, cutlass::bfloat16_t, 128>, true, flash::SingleTileScheduler, flash::SeqLenTraits<true> >(flash::CollectiveMainloopFwd<Flash_fwd_kernel_traits<192, 128, 128, 12, 2, false, 1, cutlass::bfloat16_t, 128>, true, flash::SeqLenTraits<true> >::Params, flash::CollectiveEpilogueFwd<Flash_fwd_kernel_traits<192, 128, 128, 12, 2, false, 1, cutlass::bfloat16_t, 128>, flash::SeqLenTraits<true> >::Params, flash::SingleTileScheduler::Params, flash::SeqLenTraits<true>, flash::SeqLenTraits<true>)",
    ),
    (
        DSV3,
        Attention,
        r"void cutlass::device_kernel<flash::FlashAttnBwd<flash::CollectiveMainloopBwd<2, cute::tuple<cute::C<1>, cute::C<1>, cute::C<1> >, cute::tuple<cute::C<64>, cute::C<128>, cute::C<192> >, cute::tuple<cute::C<64>, cute::C<128>, cute::C<128> >, cutlass::bfloat16_t, float, cutlass::arch::Sm90, true, true, false, false, false, 1, 2, 1>, flash::CollectiveEpilogueBwd<cute::tuple<cute::C<64>, cute::C<128>, cute::C<192> >, cute::tuple<cute::C<64>, cute::C<128>, cute::C<128> >, 2, cutlass::bfloat16_t, 256, true>, flash::SingleTileSchedulerBwd> >(flash::FlashAttnBwd<flash::CollectiveMainloopBwd<2, cute::tuple<cute::C<1>, cute::C<1>, cute::C<1> >, cute::tuple<cute::C<64>, cute::C<128>, cute::C<192> >, cute::tuple<cute::C<64>, cute::C<128>, cute::C<128> >, cutlass::bfloat16_t, float, cutlass::arch::Sm90, true, true, false, false, false, 1, 2, 1>, flash::CollectiveEpilogueBwd<cute::tuple<cute::C<64>, cute::C<128>, cute::C<192> >, cute::tuple<cute::C<64>, cute::C<128>, cute::C<128> >, 2, cutlass::bfloat16_t, 256, true>, flash::SingleTileSchedulerBwd>::Params)",
    ),
    (
        DSV3,
        Attention,
        r"void cutlass::device_kernel<flash::FlashAttnBwdPreprocess<cute::tuple<cute::C<64>, cute::C<192> >, cute::tuple<cute::C<64>, cute::C<128> >, cutlass::bfloat16_t, float, cutlass::arch::Sm90, true, true> >(flash::FlashAttnBwdPreprocess<cute::tuple<cute::C<64>, cute::C<192> >, cute::tuple<cute::C<64>, cute::C<128> >, cutlass::bfloat16_t, float, cutlass::arch::Sm90, true, true>::Params)",
    ),
    (
        DSV3,
        Attention,
        r"void cutlass::device_kernel<flash::FlashAttnBwdPostprocessConvertdQ<cute::tuple<cute::C<64>, cute::C<192> >, cutlass::bfloat16_t, float, cutlass::arch::Sm90, 256, cute::ComposedLayout<cute::Swizzle<3, 4, 3>, cute::smem_ptr_flag_bits<32>, cute::Layout<cute::tuple<cute::C<192>, cute::tuple<cute::C<32>, cute::C<2> > >, cute::tuple<cute::C<32>, cute::tuple<cute::C<1>, cute::C<6144> > > > >, cute::TiledMMA<cute::MMA_Atom<cute::SM90_64x96x16_F32BF16BF16_SS<(cute::GMMA::Major)0, (cute::GMMA::Major)1, (cute::GMMA::ScaleIn)1, (cute::GMMA::ScaleIn)1> >, cute::Layout<cute::tuple<cute::C<1>, cute::C<2>, cute::C<1> >, cute::tuple<cute::C<0>, cute::C<1>, cute::C<0> > >, cute::tuple<cute::Underscore, cute::Underscore, cute::Underscore> >, false> >(flash::FlashAttnBwdPostprocessConvertdQ<cute::tuple<cute::C<64>, cute::C<192> >, cutlass::bfloat16_t, float, cutlass::arch::Sm90, 256, cute::ComposedLayout<cute::Swizzle<3, 4, 3>, cute::smem_ptr_flag_bits<32>, cute::Layout<cute::tuple<cute::C<192>, cute::tuple<cute::C<32>, cute::C<2> > >, cute::tuple<cute::C<32>, cute::tuple<cute::C<1>, cute::C<6144> > > > >, cute::TiledMMA<cute::MMA_Atom<cute::SM90_64x96x16_F32BF16BF16_SS<(cute::GMMA::Major)0, (cute::GMMA::Major)1, (cute::GMMA::ScaleIn)1, (cute::GMMA::ScaleIn)1> >, cute::Layout<cute::tuple<cute::C<1>, cute::C<2>, cute::C<1> >, cute::tuple<cute::C<0>, cute::C<1>, cute::C<0> > >, cute::tuple<cute::Underscore, cute::Underscore, cute::Underscore> >, false>::Params)",
    ),
    (
        DSV3,
        Moe,
        r"void cutlass::device_kernel<dpsk::grouped_gemm::cuda::fp8_dptp128c_acc::GemmKernel>(dpsk::grouped_gemm::cuda::fp8_dptp128c_acc::GemmKernel::Params)",
    ),
    (
        DSV3,
        Moe,
        r"void cutlass::device_kernel<dpsk::grouped_gemm::cuda::fp8_ptp128c::GemmKernel>(dpsk::grouped_gemm::cuda::fp8_ptp128c::GemmKernel::Params)",
    ),
    (
        DSV3,
        Moe,
        r"void cutlass::device_kernel<dpsk::grouped_gemm::cuda::m_grouped_fp8_ptp128c::GemmKernel>(dpsk::grouped_gemm::cuda::m_grouped_fp8_ptp128c::GemmKernel::Params)",
    ),
    (
        DSV3,
        Moe,
        r"dpsk::grouped_gemm::cuda::utils::fill_tensormaps_kernel(CUtensorMap_st, CUtensorMap_st*, void*, int, long)",
    ),
    (
        DSV3,
        Moe,
        r"void cuda::clean_and_count_expert<512>(long const*, int*, int*, int*, int*, int*, int, int, int, int)",
    ),
    (
        DSV3,
        Moe,
        r"void cuda::get_fused_mapping<512>(long const*, int*, int*, int*, int*, int*, int*, int const*, int, int, int)",
    ),
    (
        DSV3,
        Moe,
        r"cuda::expand_to_fused_with_scales_impl(int4 const*, int4*, float const*, float*, int const*, int const*, int, int, int, int, int)",
    ),
    (
        DSV3,
        Moe,
        r"void cuda::reduce_fused_impl<__nv_bfloat16, false, false>(int4 const*, float const*, int const*, int4*, int, int, int, __nv_fp8_interpretation_t, float const*, float const*)",
    ),
    (DSV3, Moe, r"void cuda::topk_sum_and_topk_idx<16, 64>(float const*, long*, int, int, int, int, int)"),
    (DSV3, Moe, r"cuda::unique_group_indices_impl(long*, int, int, int)"),
    (DSV3, Moe, r"cuda::aux_fi_impl(long const*, float*, int, int, int, int)"),
    (
        DSV3,
        Communication,
        r"void dpsk::ep::internode::dispatch<false, 8, true, 8>(int4*, float*, long*, float*, dpsk::ep::internode::SourceMeta*, int4 const*, float const*, long const*, float const*, int*, int*, int*, int*, int const*, int const*, int const*, int const*, int, int, int, int, int, bool const*, void*, int, int, void**, int, int, int, int, int*)",
    ),
    (
        DSV3,
        Communication,
        r"void dpsk::ep::internode::combine<false, 8, __nv_bfloat16, 8, 2, 16, 24>(int4*, float*, bool const*, int4 const*, float const*, int4 const*, int4 const*, int const*, int const*, dpsk::ep::internode::SourceMeta const*, int const*, int const*, int const*, int, int, int, int, void*, int, int, void**, int, int, int, int, int*)",
    ),
    (
        DSV3,
        Communication,
        r"void dpsk::ep::internode::notify_dispatch<false, 8>(int const*, long*, int, int const*, int*, int const*, int*, int, bool const*, int, int, int, int, int, int, int, int*, int*, int*, int*, void*, void**, int**, int, int, int*, int)",
    ),
    (
        DSV3,
        Communication,
        r"void dpsk::ep::internode::cached_notify<false>(int, int, int, int, int*, int, int, int const*, int const*, int*, void*, void**, int**, int, int, int, int*, bool, int)",
    ),
    (
        DSV3,
        Communication,
        r"void dpsk::ep::cuda::get_dispatch_layout<256, 32, 8>(long const*, int*, int*, int*, bool*, int, int, int, int)",
    ),
    (
        DSV3,
        Norm,
        r"void layer_norm::ln_fwd_kernel<layer_norm::Kernel_traits<__nv_bfloat16, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, float, unsigned int, 7168u, 1u, 1u, 4u, 16u, layer_norm::Kernel_traits_base<7168u, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, float, unsigned int, 128u> >, false, false, false, true>(layer_norm::FwdParams)",
    ),
    (
        DSV3,
        Norm,
        r"void layer_norm::ln_bwd_kernel<layer_norm::Kernel_traits<__nv_bfloat16, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, float, unsigned int, 1536u, 1u, 1u, 4u, 8u, layer_norm::Kernel_traits_base<1536u, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, float, unsigned int, 128u> >, false, false, false, true>(layer_norm::BwdParams)",
    ),
    (
        DSV3,
        Norm,
        r"void layer_norm::ln_bwd_finalize_kernel<layer_norm::Kernel_traits_finalize<512u, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, float, unsigned int, false, 1024u, 4u, layer_norm::Kernel_traits_base<512u, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, __nv_bfloat16, float, unsigned int, 1024u> >, false, true>(layer_norm::BwdParams)",
    ),
    (DSV3, Rope, r"rotary_kernel"),
    (
        DSV3,
        Activation,
        r"void cuda::swiglu_forward_with_weight_and_per_token_cast_to_fp8_with_channels_impl<__nv_bfloat16, true, false, 128>(unsigned char*, __nv_bfloat16 const*, int const*, float const*, int, int, float*, int const*, float, __nv_fp8_interpretation_t)",
    ),
    (
        DSV3,
        Activation,
        r"void cuda::swiglu_backward<__nv_bfloat16>(void const*, void const*, void*, int, int)",
    ),
    (
        DSV3,
        Activation,
        r"void cuda::swiglu_and_per_channel_cast_and_transpose<256, 128, false>(void const*, unsigned char*, float*, int, int, float, __nv_fp8_interpretation_t)",
    ),
    (
        DSV3,
        Activation,
        r"void cuda::swiglu_weight_backward_with_weight_impl<__nv_bfloat16>(float*, __nv_bfloat16 const*, __nv_bfloat16 const*, int const*, int, int)",
    ),
    (
        DSV3,
        Activation,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::sigmoid_backward_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#2}::operator()() const::{lambda(float, float)#1}, at::detail::Array<char*, 3> >(int, at::native::sigmoid_backward_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#2}::operator()() const::{lambda(float, float)#1}, at::detail::Array<char*, 3>)",
    ),
    (
        DSV3,
        Quantization,
        r"void cuda::per_token_cast_to_fp8_with_channels<__nv_bfloat16, 128, false, 128, false>(__nv_bfloat16 const*, int, unsigned char*, float*, int, int, int, int, bool, float, __nv_fp8_interpretation_t)",
    ),
    (
        DSV3,
        Quantization,
        r"void cuda::per_channel_cast_and_transpose<256, 128, true, true, true, false, true>(void const*, float const*, int const*, int const*, unsigned char*, float*, int, int, float, __nv_fp8_interpretation_t)",
    ),
    (
        DSV3,
        Quantization,
        r"void cuda::cast_back_impl<__nv_fp8x2_e4m3>(void const*, void*, float const*, int, int, int, int)",
    ),
    (
        DSV3,
        Quantization,
        r"void cuda::per_token_cast_back_special_fmt_impl<3>(void const*, void*, float const*, long, long)",
    ),
    (
        DSV3,
        Quantization,
        r"void cuda::per_token_cast_to_fp8_with_fp8_special_fmt<__nv_bfloat16, 128, 3>(__nv_bfloat16 const*, void*, float*, int, bool, float)",
    ),
    (
        DSV3,
        Gemm,
        r"sm90_xmma_gemm_bf16f32_bf16f32_f32_nt_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_kernel__5x_cublas",
    ),
    (DSV3, Memory, r"_copy_tensor_kernel"),
    (
        DSV3,
        Memory,
        r"void cuda::batched_transpose<512, 128, 1, 1>(unsigned char const*, unsigned char*, int, int, int)",
    ),
    (
        DSV3,
        Memory,
        r"void dpsk::grouped_gemm::cuda::utils::transpose<512, 128, 4, 4>(unsigned char const*, unsigned char*, int, int, int, int)",
    ),
    (
        DSV3,
        Memory,
        r"void at::native::_scatter_gather_elementwise_kernel<128, 4, at::native::_cuda_scatter_gather_internal_kernel<true, float>::operator()<at::native::ReduceAdd>(at::TensorIterator&, long, long, long, at::native::ReduceAdd const&)::{lambda(int)#1}>(int, at::native::_cuda_scatter_gather_internal_kernel<true, float>::operator()<at::native::ReduceAdd>(at::TensorIterator&, long, long, long, at::native::ReduceAdd const&)::{lambda(int)#1})",
    ),
    (
        DSV3,
        Memory,
        r"void at::native::_scatter_gather_elementwise_kernel<128, 4, at::native::_cuda_scatter_fill_internal_kernel<at::native::OpaqueType<1> >::operator()<at::native::TensorAssign>(at::TensorIterator&, at::native::OpaqueType<1>, long, long, long, at::native::TensorAssign const&)::{lambda(int)#1}>(int, at::native::_cuda_scatter_fill_internal_kernel<at::native::OpaqueType<1> >::operator()<at::native::TensorAssign>(at::TensorIterator&, at::native::OpaqueType<1>, long, long, long, at::native::TensorAssign const&)::{lambda(int)#1})",
    ),
    (
        DSV3,
        Elementwise,
        r"_ZN2at6native54_GLOBAL__N__d8ceb000_21_DistributionNormal_cu_17e44f7d43distribution_elementwise_grid_stride_kernelIfLi4EZNS0_9templates4cuda20normal_and_transformIffLm4EPNS_17CUDAGeneratorImplEZZZNS4_13normal_kernelIS7_EEvRKNS_10TensorBaseEddT_ENKUlvE_clEvENKUlvE0_clEvEUlfE_EEvRNS_18TensorIteratorBaseET2_T3_EUlP24curandStatePhilox4_32_10E0_ZNS1_27distribution_nullary_kernelIffLi4ES7_SM_SF_EEvSH_SI_RKSJ_T4_EUlifE_EEviNS_15PhiloxCudaStateET1_SI_",
    ),
    (
        DSV3,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::masked_fill_kernel(at::TensorIterator&, c10::Scalar const&)::{lambda()#1}::operator()() const::{lambda()#7}::operator()() const::{lambda(float, bool)#1}, at::detail::Array<char*, 3> >(int, at::native::(anonymous namespace)::masked_fill_kernel(at::TensorIterator&, c10::Scalar const&)::{lambda()#1}::operator()() const::{lambda()#7}::operator()() const::{lambda(float, bool)#1}, at::detail::Array<char*, 3>)",
    ),
    (
        DSV3,
        Reduction,
        r"void at::native::sbtopk::gatherTopK<float, unsigned int, 2, false>(at::cuda::detail::TensorInfo<float, unsigned int>, unsigned int, unsigned int, bool, unsigned int, unsigned int, at::cuda::detail::TensorInfo<float, unsigned int>, unsigned int, at::cuda::detail::TensorInfo<long, unsigned int>, unsigned int, float*)",
    ),
    (
        DSV3,
        Reduction,
        r"void at::native::reduce_kernel<128, 4, at::native::ReduceOp<c10::BFloat16, at::native::func_wrapper_t<c10::BFloat16, at::native::sum_functor<c10::BFloat16, float, c10::BFloat16>::operator()(at::TensorIterator&)::{lambda(float, float)#1}>, unsigned int, c10::BFloat16, 4> >(at::native::ReduceOp<c10::BFloat16, at::native::func_wrapper_t<c10::BFloat16, at::native::sum_functor<c10::BFloat16, float, c10::BFloat16>::operator()(at::TensorIterator&)::{lambda(float, float)#1}>, unsigned int, c10::BFloat16, 4>)",
    ),
    // HuggingFace Qwen1.5-0.5B forward, H100: eager PyTorch.
    (
        HF_QWEN,
        Attention,
        r"void pytorch_flash::flash_fwd_kernel<pytorch_flash::Flash_fwd_kernel_traits<64, 128, 128, 4, false, false, cutlass::bfloat16_t, pytorch_flash::Flash_kernel_traits<64, 128, 128, 4, cutlass::bfloat16_t> >, false, true, false, false, false, true, false>(pytorch_flash::Flash_fwd_params)",
    ),
    (
        HF_QWEN,
        Gemm,
        r"sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute_segment_k_off_kernel__5x_cublas",
    ),
    (
        HF_QWEN,
        Gemm,
        r"void cutlass::Kernel2<cutlass_80_simt_sgemm_128x32_8x5_nn_align1>(cutlass_80_simt_sgemm_128x32_8x5_nn_align1::Params)",
    ),
    (
        HF_QWEN,
        Activation,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::silu_kernel(at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#6}::operator()() const::{lambda(c10::BFloat16)#1}, std::array<char*, 2ul> >(int, at::native::(anonymous namespace)::silu_kernel(at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#6}::operator()() const::{lambda(c10::BFloat16)#1}, std::array<char*, 2ul>)",
    ),
    (
        HF_QWEN,
        Memory,
        r"void at::native::(anonymous namespace)::indexSelectLargeIndex<c10::BFloat16, long, unsigned int, 2, 2, -2, true>(at::cuda::detail::TensorInfo<c10::BFloat16, unsigned int>, at::cuda::detail::TensorInfo<c10::BFloat16 const, unsigned int>, at::cuda::detail::TensorInfo<long const, unsigned int>, int, int, unsigned int, unsigned int, long)",
    ),
    (
        HF_QWEN,
        Memory,
        r"void at::native::(anonymous namespace)::CatArrayBatchedCopy<at::native::(anonymous namespace)::OpaqueType<2u>, unsigned int, 4, 64, 64>(at::native::(anonymous namespace)::OpaqueType<2u>*, at::native::(anonymous namespace)::CatArrInputTensorMetadata<at::native::(anonymous namespace)::OpaqueType<2u>, unsigned int, 64, 64>, at::native::(anonymous namespace)::TensorSizeStride<unsigned int, 4u>, int, unsigned int)",
    ),
    (
        HF_QWEN,
        Memory,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::bfloat16_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda(float)#1}, std::array<char*, 2ul> >(int, at::native::bfloat16_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda(float)#1}, std::array<char*, 2ul>)",
    ),
    (
        HF_QWEN,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::rsqrt_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#2}::operator()() const::{lambda(float)#1}, std::array<char*, 2ul> >(int, at::native::rsqrt_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#2}::operator()() const::{lambda(float)#1}, std::array<char*, 2ul>)",
    ),
    (
        HF_QWEN,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::pow_tensor_scalar_kernel_impl<float, float>(at::TensorIteratorBase&, float)::{lambda(float)#1}, std::array<char*, 2ul> >(int, at::native::(anonymous namespace)::pow_tensor_scalar_kernel_impl<float, float>(at::TensorIteratorBase&, float)::{lambda(float)#1}, std::array<char*, 2ul>)",
    ),
    (
        HF_QWEN,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::cos_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#2}::operator()() const::{lambda(float)#1}, std::array<char*, 2ul> >(int, at::native::cos_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#2}::operator()() const::{lambda(float)#1}, std::array<char*, 2ul>)",
    ),
    (
        HF_QWEN,
        Elementwise,
        r"void at::native::elementwise_kernel<128, 4, at::native::gpu_kernel_impl_nocast<at::native::CUDAFunctor_add<c10::BFloat16> >(at::TensorIteratorBase&, at::native::CUDAFunctor_add<c10::BFloat16> const&)::{lambda(int)#1}>(int, at::native::gpu_kernel_impl_nocast<at::native::CUDAFunctor_add<c10::BFloat16> >(at::TensorIteratorBase&, at::native::CUDAFunctor_add<c10::BFloat16> const&)::{lambda(int)#1})",
    ),
    (
        HF_QWEN,
        Reduction,
        r"void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float, at::native::MeanOps<float, float, float, float>, unsigned int, float, 4> >(at::native::ReduceOp<float, at::native::MeanOps<float, float, float, float>, unsigned int, float, 4>)",
    ),
    (
        HF_QWEN,
        Reduction,
        r"void at::native::reduce_kernel<512, 1, at::native::ReduceOp<bool, at::native::func_wrapper_t<bool, at::native::and_kernel_cuda(at::TensorIterator&)::{lambda()#1}::operator()() const::{lambda()#12}::operator()() const::{lambda(bool, bool)#1}>, unsigned int, bool, 4> >(at::native::ReduceOp<bool, at::native::func_wrapper_t<bool, at::native::and_kernel_cuda(at::TensorIterator&)::{lambda()#1}::operator()() const::{lambda()#12}::operator()() const::{lambda(bool, bool)#1}>, unsigned int, bool, 4>)",
    ),
    // TorchRec-style training, A100: fbgemm embeddings, cub sorts, Adam.
    (
        HTA_A100,
        Communication,
        r"ncclKernel_SendRecv_RING_SIMPLE_Sum_int8_t(ncclDevComm*, unsigned long, ncclWork*)",
    ),
    (
        HTA_A100,
        Embedding,
        r"void split_embedding_codegen_forward_unweighted_kernel<float, float, float, false, long, 1ul, 16ul>(at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 2ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, fbgemm_gpu::FixedDivisor, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, long, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<float, 2ul, at::RestrictPtrTraits, long>)",
    ),
    (
        HTA_A100,
        Embedding,
        r"void split_embedding_codegen_forward_weighted_kernel<float, float, float, false, long, 1ul, 16ul>(at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 2ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, fbgemm_gpu::FixedDivisor, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, long, at::GenericPackedTensorAccessor<at::AccumulateType<float, true>::type, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<float, 2ul, at::RestrictPtrTraits, long>)",
    ),
    (
        HTA_A100,
        Embedding,
        r"void split_embedding_backward_codegen_rowwise_adagrad_unweighted_kernel_warp_per_row_1<float, float, float, 1ul, 16>(at::GenericPackedTensorAccessor<float, 2ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 2ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, int, bool, at::PhiloxCudaState, fbgemm_gpu::FixedDivisor, at::GenericPackedTensorAccessor<at::AccumulateType<float, true>::type, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<at::AccumulateType<float, true>::type, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, float, float, float, long)",
    ),
    (
        HTA_A100,
        Embedding,
        r"split_embedding_backward_codegen_find_long_segments(at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, int, int, bool)",
    ),
    (
        HTA_A100,
        Embedding,
        r"void split_embedding_codegen_grad_indice_weights_kernel<float, float, float, 1ul>(at::GenericPackedTensorAccessor<float, 2ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 1ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<float, 2ul, at::RestrictPtrTraits, long>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<at::AccumulateType<float, true>::type, 1ul, at::RestrictPtrTraits, int>)",
    ),
    (
        HTA_A100,
        Embedding,
        r"void bounds_check_indices_kernel<long, false>(at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, int const*, long, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, fbgemm_gpu::FixedDivisor)",
    ),
    (
        HTA_A100,
        Embedding,
        r"void fbgemm_gpu::_block_bucketize_sparse_features_cuda_kernel1<int, int>(int, int, int const*, int, int const*, int const*, int*)",
    ),
    (
        HTA_A100,
        Embedding,
        r"void fbgemm_gpu::permute_2D_lengths_kernel<int>(int, int, int const*, int const*, int*)",
    ),
    (
        HTA_A100,
        Embedding,
        r"void permute_pooled_embs_kernel<float>(float const*, long const*, long const*, long const*, float*, long, long, long)",
    ),
    (
        HTA_A100,
        Embedding,
        r"void linearize_index_kernel<long>(at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<int, 1ul, at::RestrictPtrTraits, int>, at::GenericPackedTensorAccessor<long, 1ul, at::RestrictPtrTraits, int>)",
    ),
    (HTA_A100, Gemm, r"ampere_sgemm_128x64_nn"),
    (
        HTA_A100,
        Gemm,
        r"void cutlass::Kernel<cutlass_80_tensorop_s1688gemm_256x128_32x3_nt_align1>(cutlass_80_tensorop_s1688gemm_256x128_32x3_nt_align1::Params)",
    ),
    (
        HTA_A100,
        Gemm,
        r"void gemv2T_kernel_val<int, int, float, float, float, float, 128, 16, 2, 2, false, false, cublasGemvParams<cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float>, float> >(cublasGemvParams<cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float const>, cublasGemvTensorStridedBatched<float>, float>, float, float)",
    ),
    (
        HTA_A100,
        Reduction,
        r"void cub::DeviceRadixSortOnesweepKernel<cub::DeviceRadixSortPolicy<long, int, int>::Policy800, false, long, int, int, int>(int*, int*, int*, int const*, long*, long const*, int*, int const*, int, int, int)",
    ),
    (
        HTA_A100,
        Reduction,
        r"void cub::DeviceReduceByKeyKernel<cub::DispatchReduceByKey<long*, long*, cub::ConstantInputIterator<int, int>, int*, int*, cub::Equality, cub::Sum, int>::PtxReduceByKeyPolicy, long*, long*, cub::ConstantInputIterator<int, int>, int*, int*, cub::ReduceByKeyScanTileState<int, int, true>, cub::Equality, cub::Sum, int>(long*, long*, cub::ConstantInputIterator<int, int>, int*, int*, cub::ReduceByKeyScanTileState<int, int, true>, int, cub::Equality, cub::Sum, int)",
    ),
    (
        HTA_A100,
        Reduction,
        r"void cub::DeviceScanInitKernel<cub::ScanTileState<int, true> >(cub::ScanTileState<int, true>, int)",
    ),
    (
        HTA_A100,
        Elementwise,
        r"void multi_tensor_apply_kernel<TensorListMetadata<4>, AdamFunctor<float>, float, float, float, float, float, float, float, float, adamMode_t, float, int, int, int>(int, int volatile*, TensorListMetadata<4>, AdamFunctor<float>, float, float, float, float, float, float, float, float, adamMode_t, float, int, int, int)",
    ),
    (
        HTA_A100,
        Elementwise,
        r"void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl<at::native::(anonymous namespace)::where_kernel_impl(at::TensorIterator&)::{lambda()#1}::operator()() const::{lambda()#7}::operator()() const::{lambda(bool, float, float)#1}>(at::TensorIteratorBase&, at::native::(anonymous namespace)::where_kernel_impl(at::TensorIterator&)::{lambda()#1}::operator()() const::{lambda()#7}::operator()() const::{lambda(bool, float, float)#1} const&)::{lambda(int)#1}>(int, at::native::gpu_kernel_impl<at::native::(anonymous namespace)::where_kernel_impl(at::TensorIterator&)::{lambda()#1}::operator()() const::{lambda()#7}::operator()() const::{lambda(bool, float, float)#1}>(at::TensorIteratorBase&, at::native::(anonymous namespace)::where_kernel_impl(at::TensorIterator&)::{lambda()#1}::operator()() const::{lambda()#7}::operator()() const::{lambda(bool, float, float)#1} const&)::{lambda(int)#1})",
    ),
    (
        HTA_A100,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::log2_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#1}::operator()() const::{lambda(double)#1}, at::detail::Array<char*, 2> >(int, at::native::log2_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#1}::operator()() const::{lambda(double)#1}, at::detail::Array<char*, 2>)",
    ),
    (
        HTA_A100,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::AbsFunctor<double>, at::detail::Array<char*, 2> >(int, at::native::AbsFunctor<double>, at::detail::Array<char*, 2>)",
    ),
    (
        HTA_A100,
        Activation,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::sigmoid_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#2}::operator()() const::{lambda(float)#1}, at::detail::Array<char*, 2> >(int, at::native::sigmoid_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#2}::operator()() const::{lambda(float)#1}, at::detail::Array<char*, 2>)",
    ),
    (
        HTA_A100,
        Memory,
        r"void at::native::(anonymous namespace)::CatArrayBatchedCopy<long, unsigned int, 2, 128, 1>(long*, at::native::(anonymous namespace)::CatArrInputTensorMetadata<long, unsigned int, 128, 1>, at::native::(anonymous namespace)::TensorSizeStride<unsigned int, 4u>, int, unsigned int)",
    ),
    (
        HTA_A100,
        Memory,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<long>, at::detail::Array<char*, 1> >(int, at::native::FillFunctor<long>, at::detail::Array<char*, 1>)",
    ),
    // DDP training, V100: cuBLAS sgemm, NCCL all-reduce.
    (HTA_V100, Communication, r"ncclKernel_AllReduce_RING_LL_Sum_float(ncclWorkElem)"),
    (
        HTA_V100,
        Activation,
        r"void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl<at::native::tanh_backward_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#4}::operator()() const::{lambda(float, float)#1}>(at::TensorIteratorBase&, at::native::tanh_backward_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#4}::operator()() const::{lambda(float, float)#1} const&)::{lambda(int)#1}>(int, at::native::gpu_kernel_impl<at::native::tanh_backward_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#4}::operator()() const::{lambda(float, float)#1}>(at::TensorIteratorBase&, at::native::tanh_backward_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#4}::operator()() const::{lambda(float, float)#1} const&)::{lambda(int)#1})",
    ),
    (
        HTA_V100,
        Activation,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::tanh_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#4}::operator()() const::{lambda(float)#1}, at::detail::Array<char*, 2> >(int, at::native::tanh_kernel_cuda(at::TensorIteratorBase&)::{lambda()#2}::operator()() const::{lambda()#4}::operator()() const::{lambda(float)#1}, at::detail::Array<char*, 2>)",
    ),
    (
        HTA_V100,
        Activation,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::BinaryFunctor<float, float, float, at::native::(anonymous namespace)::threshold_kernel_impl<float>(at::TensorIteratorBase&, float, float)::{lambda(float, float)#1}>, at::detail::Array<char*, 3> >(int, at::native::BinaryFunctor<float, float, float, at::native::(anonymous namespace)::threshold_kernel_impl<float>(at::TensorIteratorBase&, float, float)::{lambda(float, float)#1}>, at::detail::Array<char*, 3>)",
    ),
    (HTA_V100, Gemm, r"volta_sgemm_128x64_tn"),
    (HTA_V100, Gemm, r"volta_sgemm_32x32_sliced1x4_nt"),
    (
        HTA_V100,
        Gemm,
        r"void magma_sgemmEx_kernel<float, float, float, true, false, 6, 4, 6, 3, 4>(int, int, int, Tensor, int, Tensor, int, Tensor, int, Tensor, int, int, int, float const*, float const*, float, float, int, cublasLtEpilogue_t, int, void const*, long)",
    ),
    (
        HTA_V100,
        Gemm,
        r"void epilogue::impl::globalKernel<float, float, float, true, true>(int, int, long, float*, cublasLtEpilogue_t, int, float*, long, void*, long, long, long, float*, long, int*)",
    ),
    (
        HTA_V100,
        Gemm,
        r"void splitKreduce_kernel<float, float, float, float, true, true, false>(cublasSplitKParams<float>, float const*, float const*, float*, float const*, float const*, float const*, float const*, float*, void*, long, float*, int*)",
    ),
    (
        HTA_V100,
        Reduction,
        r"void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float, at::native::WelfordOps<float, float, int, float, thrust::pair<float, float> >, unsigned int, float, 2> >(at::native::ReduceOp<float, at::native::WelfordOps<float, float, int, float, thrust::pair<float, float> >, unsigned int, float, 2>)",
    ),
    (
        HTA_V100,
        Reduction,
        r"void at::native::reduce_kernel<256, 2, at::native::ReduceOp<float, at::native::func_wrapper_t<float, at::native::sum_functor<float, float, float>::operator()(at::TensorIterator&)::{lambda(float, float)#1}>, unsigned int, float, 4> >(at::native::ReduceOp<float, at::native::func_wrapper_t<float, at::native::sum_functor<float, float, float>::operator()(at::TensorIterator&)::{lambda(float, float)#1}>, unsigned int, float, 4>)",
    ),
    (
        HTA_V100,
        Memory,
        r"void at::native::(anonymous namespace)::CatArrayBatchedCopy<float, unsigned int, 2, 64, 64>(float*, at::native::(anonymous namespace)::CatArrInputTensorMetadata<float, unsigned int, 64, 64>, at::native::(anonymous namespace)::TensorSizeStride<unsigned int, 4u>, int, unsigned int)",
    ),
    (
        HTA_V100,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::launch_clamp_scalar(at::TensorIteratorBase&, c10::Scalar, c10::Scalar, at::native::detail::ClampLimits)::{lambda()#1}::operator()() const::{lambda()#14}::operator()() const::{lambda(float)#1}, at::detail::Array<char*, 2> >(int, at::native::(anonymous namespace)::launch_clamp_scalar(at::TensorIteratorBase&, c10::Scalar, c10::Scalar, at::native::detail::ClampLimits)::{lambda()#1}::operator()() const::{lambda()#14}::operator()() const::{lambda(float)#1}, at::detail::Array<char*, 2>)",
    ),
    // ResNet-50 training, V100 (legacy schema): cuDNN convolutions and batch norm.
    (RESNET, Conv, r"volta_scudnn_winograd_128x128_ldg1_ldg4_relu_tile148t_nt_v1"),
    (RESNET, Conv, r"volta_scudnn_128x64_relu_interior_nn_v1"),
    (RESNET, Conv, r"volta_scudnn_128x32_sliced1x4_ldg4_relu_exp_medium_nhwc_tn_v1"),
    (RESNET, Conv, r"volta_scudnn_128x128_stridedB_splitK_medium_nn_v1"),
    (
        RESNET,
        Conv,
        r"void implicit_convolve_sgemm<float, float, 128, 5, 5, 3, 3, 3, 1, false, true, true>(int, int, int, float const*, int, float*, float const*, kernel_conv_params, unsigned long long, int, float, float, int, float const*, float const*, bool, int, int)",
    ),
    (
        RESNET,
        Conv,
        r"void explicit_convolve_sgemm<float, int, 1024, 5, 5, 3, 3, 3, 0, false>(int, int, int, float const*, int, float const*, int, float*, kernel_conv_params, unsigned long long, int, unsigned long long, int, float, float, int, float const*, float const*)",
    ),
    (
        RESNET,
        Conv,
        r"void cudnn::cnn::wgrad_alg0_engine<float, 128, 6, 7, 3, 3, 5, false, 512>(int, int, int, float const*, int, float*, float const*, kernel_grad_params, unsigned long long, int, float, int, int, int, int)",
    ),
    (
        RESNET,
        Conv,
        r"void cudnn::detail::dgrad_engine<float, 512, 6, 5, 3, 3, 3, false>(int, int, int, float const*, int, float const*, int, float*, kernel_grad_params, unsigned long long, int, unsigned long long, int, float, int, int, int)",
    ),
    (
        RESNET,
        Conv,
        r"void cudnn::cnn::im2col4d_kernel<float, long>(cudnn::cnn::im2col4d_params, cudnnConvolutionStruct, cudnnTensor4dStruct, float const*, float*)",
    ),
    (
        RESNET,
        Conv,
        r"void cudnn::winograd_nonfused::winogradForwardData4x4<float, float>(cudnn::winograd_nonfused::WinogradDataParams<float, float>)",
    ),
    (
        RESNET,
        Conv,
        r"void cudnn::winograd::generateWinogradTilesKernel<0, float, float>(cudnn::winograd::GenerateWinogradTilesParams<float, float>)",
    ),
    (RESNET, Conv, r"cask_cudnn::computeOffsetsKernel(cask_cudnn::ComputeOffsetsParams)"),
    (RESNET, Conv, r"cask_cudnn::computeWgradSplitKOffsetsKernel(cask_cudnn::ComputeSplitKOffsetsParams)"),
    (
        RESNET,
        Norm,
        r"void cudnn::bn_fw_tr_1C11_kernel_NCHW<float, float, 512, true, 1>(cudnnTensorStruct, float const*, cudnnTensorStruct, float*, float const*, float const*, float, float, float*, float*, float*, float*, float, float)",
    ),
    (
        RESNET,
        Norm,
        r"void cudnn::bn_bw_1C11_singleread<float, 512, true, 1, 2, 0>(float, float, float, float, cudnnTensorStruct, float const*, cudnnTensorStruct, float const*, cudnnTensorStruct, float*, float const*, float*, float*, float const*, float const*, float, cudnn::reduced_divisor, int, cudnn::reduced_divisor, cudnn::bnBwPersistentState*, int, float, float, float, int, float, cudnnStatus_t*, bool)",
    ),
    (
        RESNET,
        Memory,
        r"void nchwToNhwcKernel<float, float, float, true, false, (cudnnKernelDataType_t)0>(int, int, int, int, float const*, float*, float, float)",
    ),
    (
        RESNET,
        Memory,
        r"void at::native::unrolled_elementwise_kernel<at::native::copy_device_to_device(at::TensorIterator&, bool)::{lambda()#2}::operator()() const::{lambda()#8}::operator()() const::{lambda(float)#1}, at::detail::Array<char*, 2>, OffsetCalculator<1, unsigned int>, char*, at::native::memory::LoadWithoutCast, at::detail::Array<char*, 2>::StoreWithoutCast>(int, at::native::copy_device_to_device(at::TensorIterator&, bool)::{lambda()#2}::operator()() const::{lambda()#8}::operator()() const::{lambda(float)#1}, at::detail::Array<char*, 2>, OffsetCalculator<1, unsigned int>, char*, at::native::memory::LoadWithoutCast, at::detail::Array<char*, 2>::StoreWithoutCast)",
    ),
    (
        RESNET,
        Reduction,
        r"void (anonymous namespace)::softmax_warp_forward<float, float, float, 10, true>(float*, float const*, int, int, int)",
    ),
    (
        RESNET,
        Reduction,
        r"void at::native::(anonymous namespace)::max_pool_forward_nchw<float, float>(int, float const*, int, int, int, int, int, int, int, int, int, int, int, int, int, int, float*, long*)",
    ),
    (
        RESNET,
        Reduction,
        r"void cunn_ClassNLLCriterion_updateOutput_kernel<float, float>(float*, float*, float*, long*, float*, int, int, int, int, long)",
    ),
    (
        RESNET,
        Reduction,
        r"void cunn_ClassNLLCriterion_updateGradInput_kernel<float>(float*, float*, long*, float*, float*, int, int, int, int, long)",
    ),
    (
        RESNET,
        Elementwise,
        r"void cudnn::ops::scalePackedTensor_kernel<float, float>(cudnnTensor4dStruct, float*, float)",
    ),
    (
        RESNET,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::MulScalarFunctor<float, float>, at::detail::Array<char*, 2> >(int, at::native::MulScalarFunctor<float, float>, at::detail::Array<char*, 2>)",
    ),
    (
        RESNET,
        Activation,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::threshold_kernel_impl<float>(at::TensorIteratorBase&, float, float)::{lambda(float, float)#1}, at::detail::Array<char*, 3> >(int, at::native::threshold_kernel_impl<float>(at::TensorIteratorBase&, float, float)::{lambda(float, float)#1}, at::detail::Array<char*, 3>)",
    ),
    // SGLang Qwen3-30B-A3B LoRA decode, GB300: Triton MoE and LoRA kernels.
    (SGL_LORA, Embedding, r"_chunked_embedding_lora_a_kernel"),
    (SGL_LORA, Gemm, r"_chunked_lora_shrink_kernel"),
    (SGL_LORA, Gemm, r"_chunked_lora_expand_kernel"),
    (SGL_LORA, Gemm, r"nvjet_sm103_tst_64x32_64x16_2x4_2cta_h_bz_splitK_TNT"),
    (SGL_LORA, Moe, r"_moe_lora_shrink_splitk_kernel"),
    (SGL_LORA, Moe, r"fused_moe_kernel"),
    (SGL_LORA, Moe, r"_fused_sanitize_expert_ids_kernel"),
    (SGL_LORA, Moe, r"_fused_virtual_topk_ids_kernel"),
    (
        SGL_LORA,
        Moe,
        r"void topkGatingSoftmax<__nv_bfloat16, 8, 128, 4, 16>(__nv_bfloat16 const*, bool const*, float*, int, int*, int, int, int, bool, float, float const*)",
    ),
    (
        SGL_LORA,
        Moe,
        r"void moe_align_block_size_kernel<int>(int const*, int*, int*, int*, int, int, unsigned long, int*, bool, int, int)",
    ),
    (
        SGL_LORA,
        Moe,
        r"void moe_sum_reduce_kernel<c10::BFloat16, 8>(c10::BFloat16 const*, c10::BFloat16*, long, long, long, long, long, at::OpMathType<c10::BFloat16>::type)",
    ),
    (
        SGL_LORA,
        Moe,
        r"void moe::count_and_sort_expert_tokens_kernel<int>(int const*, int*, int*, unsigned long)",
    ),
    (
        SGL_LORA,
        Attention,
        r"kernel_cutlass_kernel_flash_attncuteflash_fwd_sm100FlashAttentionForwardSm100_object_at__tensor0000o811121013_tensor0000o11101213_tensor0000o10111213_tensorptrbf16gmemalign16o8i64div8i64d_0",
    ),
    (SGL_LORA, Communication, r"ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)"),
    (
        SGL_LORA,
        Activation,
        r"void (anonymous namespace)::act_and_mul_kernel<__nv_bfloat16, ((anonymous namespace)::ActivationKind)0, true, false>((anonymous namespace)::ActivationParams)",
    ),
    (SGL_LORA, Metadata, r"_fused_metadata_kernel_general"),
    (SGL_LORA, Memory, r"memcpy32_post"),
    (
        SGL_LORA,
        Memory,
        r"void at::native::index_elementwise_kernel<128, 4, at::native::index_fill_kernel_impl<at::native::OpaqueType<4> >(at::TensorIterator&, long, long, long, at::native::OpaqueType<4>)::{lambda(int)#1}>(long, at::native::index_fill_kernel_impl<at::native::OpaqueType<4> >(at::TensorIterator&, long, long, long, at::native::OpaqueType<4>)::{lambda(int)#1})",
    ),
    (
        SGL_LORA,
        Reduction,
        r"void at::native::(anonymous namespace)::searchsorted_cuda_kernel<int, long>(long*, int const*, int const*, long const*, long, long, long, bool, bool)",
    ),
    // SGLang Qwen3-30B-A3B TP4, GB300. The four ranks hold the same kernel names; each rank
    // cites different ones.
    (
        SGL_TP0,
        Moe,
        r"bmm_Bfloat16_Bfloat16Bfloat16_Fp32_t128x64x128u2_s5_et128x64_m256x64x16_c2x1x1_16dp256b_rM_BN_transOut_schPd2x1x2x3_bN_tma_tmaSf_rgTma_clmp_swiGlu_dynB_sm100f",
    ),
    (
        SGL_TP0,
        Moe,
        r"bmm_Bfloat16_Bfloat16Bfloat16_Fp32_t128x8x128u2_s6_et128x8_m128x8x16_c1x1x1_16dp256b_rM_BN_transOut_schPd2x1x2x3_bN_rgTma_clmp_dynB_sm100f",
    ),
    (
        SGL_TP0,
        Norm,
        r"kernel_cutlass_kernel_flashinfernormkernelsrmsnormRMSNormKernel_object_at__tensorptrbf16gmemalign128o204820481_tensorptrbf16gmemalign16o20481_tensorptrbf16gmemalign128o204820481___True_4__0",
    ),
    (
        SGL_TP0,
        Norm,
        r"void (anonymous namespace)::fused_qknorm_warp<128l, true, __nv_bfloat16>((anonymous namespace)::QKNormParams)",
    ),
    (
        SGL_TP0,
        Attention,
        r"fmhaSm103aKernel_QkvBfloat16OBfloat16H128PagedKvCausalP64VarSeqQ128Kv128PersistentContext",
    ),
    (
        SGL_TP0,
        Attention,
        r"fmhaSm100fKernel_QkvBfloat16OBfloat16H128PagedKvCausalP64MultiCtasKvVarSeqQ8Kv128StaticSwapsAbForGen",
    ),
    (
        SGL_TP0,
        Communication,
        r"void (anonymous namespace)::all_reduce_two_shot_kernel<__nv_bfloat16, 4u, true>(host::distributed::AllReduceData const*, (anonymous namespace)::AllReduceParams, device::distributed::PullController)",
    ),
    (
        SGL_TP0,
        Sampling,
        r"void at::native::reduce_kernel<512, 1, at::native::ReduceOp<float, at::native::ArgMaxOps<float>, unsigned int, long, 4, 4> >(at::native::ReduceOp<float, at::native::ArgMaxOps<float>, unsigned int, long, 4, 4>)",
    ),
    (
        SGL_TP1,
        Moe,
        r"void moe::dev::routing::routingCustom::routingIndicesDynBlockKernel<moe::dev::routing::routingCustom::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, 8, moe::dev::routing::TopKExpertSelect<moe::dev::routing::NoOpPreprocess, moe::dev::routing::SoftmaxPostprocess> > >(moe::dev::routing::routingCustom::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, 8, moe::dev::routing::TopKExpertSelect<moe::dev::routing::NoOpPreprocess, moe::dev::routing::SoftmaxPostprocess> >)",
    ),
    (
        SGL_TP1,
        Moe,
        r"void moe::dev::routing::routingCustom::routingIndicesHistogramScoresKernel<moe::dev::routing::routingCustom::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, 8, moe::dev::routing::TopKExpertSelect<moe::dev::routing::NoOpPreprocess, moe::dev::routing::SoftmaxPostprocess> > >(moe::dev::routing::routingCustom::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, 8, moe::dev::routing::TopKExpertSelect<moe::dev::routing::NoOpPreprocess, moe::dev::routing::SoftmaxPostprocess> >)",
    ),
    (
        SGL_TP1,
        Moe,
        r"void moe::dev::routing::routingInitExpertCounts<moe::dev::routing::routingCustom::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, 8, moe::dev::routing::TopKExpertSelect<moe::dev::routing::NoOpPreprocess, moe::dev::routing::NoOpPostprocess> > >(moe::dev::routing::routingCustom::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, 8, moe::dev::routing::TopKExpertSelect<moe::dev::routing::NoOpPreprocess, moe::dev::routing::NoOpPostprocess> >)",
    ),
    (
        SGL_TP1,
        Moe,
        r"void moe::dev::finalize::finalizeKernel<moe::dev::finalize::KernelParams<cutlass::bfloat16_t, cutlass::bfloat16_t, 4, true> >(moe::dev::finalize::KernelParams<cutlass::bfloat16_t, cutlass::bfloat16_t, 4, true>)",
    ),
    (
        SGL_TP1,
        Norm,
        r"kernel_cutlass_kernel_flashinfernormkernelsfused_add_rmsnormFusedAddRMSNormKernel_object_at__tensorptrbf16gmemalign128o204820481_tensorptrbf16gmemalign128o204820481_tensorptrbf16gmemalign_0",
    ),
    (
        SGL_TP1,
        Rope,
        r"void (anonymous namespace)::fused_rope_store_kernel<true, 128l, true, __nv_bfloat16, long, 16u>((anonymous namespace)::FusedRopeStoreParams)",
    ),
    (
        SGL_TP1,
        Communication,
        r"void (anonymous namespace)::all_reduce_one_shot_push_kernel<__nv_bfloat16, 4u, true>((anonymous namespace)::AllReducePushData, device::distributed::PushController)",
    ),
    (SGL_TP1, Memory, r"memcpy128"),
    (SGL_TP2, Gemm, r"nvjet_sm103_tst_160x192_64x6_1x2_2cta_h_bz_TNN"),
    (SGL_TP2, Gemm, r"nvjet_sm103_tst_32x64_64x16_4x1_v_bz_splitK_TNN"),
    (
        SGL_TP2,
        Gemm,
        r"void cublasLt::splitKreduce_kernel<32, 16, int, float, __nv_bfloat16, float, __nv_bfloat16, false, float, __nv_bfloat16, __nv_bfloat16, true, false, false, false>(cublasLt::cublasSplitKParams<float>, float const*, __nv_bfloat16 const*, float*, __nv_bfloat16*, float const*, float const*, __nv_bfloat16 const*, float const*, __nv_bfloat16*, void*, long, float*, int*, float*, float*, float const*, float const*, float const*, float const*, float const*)",
    ),
    (
        SGL_TP2,
        Communication,
        r"void flashinfer::trtllm_allreduce_fusion::allreduce_fusion_kernel_oneshot_lamport<(flashinfer::trtllm_allreduce_fusion::AllReduceFusionPattern)1, __nv_bfloat16, 4, false, false>(flashinfer::trtllm_allreduce_fusion::AllReduceFusionParams<__nv_bfloat16>)",
    ),
    (
        SGL_TP2,
        Norm,
        r"void flashinfer::norm::RMSNormKernel<8u, __nv_bfloat16>(__nv_bfloat16*, __nv_bfloat16*, __nv_bfloat16*, unsigned int, unsigned int, unsigned int, float, float)",
    ),
    (SGL_TP2, Metadata, r"write_req_to_token_pool_triton"),
    (SGL_TP2, Metadata, r"alloc_extend_kernel"),
    (SGL_TP2, Metadata, r"compute_position_kernel"),
    (SGL_TP3, Elementwise, r"triton_poi_fused_add_bitwise_and_bitwise_not_bitwise_or_ge_lt_mul_sub_0"),
    (
        SGL_TP3,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::BinaryFunctor<bool, bool, bool, at::native::BitwiseOrFunctor<bool> >, std::array<char*, 3ul> >(int, at::native::BinaryFunctor<bool, bool, bool, at::native::BitwiseOrFunctor<bool> >, std::array<char*, 3ul>)",
    ),
    (
        SGL_TP3,
        Elementwise,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::BUnaryFunctor<int, int, int, at::native::binary_internal::div_floor_kernel_cuda(at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#3}::operator()() const::{lambda(int, int)#1}>, std::array<char*, 2ul> >(int, at::native::BUnaryFunctor<int, int, int, at::native::binary_internal::div_floor_kernel_cuda(at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#3}::operator()() const::{lambda(int, int)#1}>, std::array<char*, 2ul>)",
    ),
    (
        SGL_TP3,
        Memory,
        r"void at::native::(anonymous namespace)::CatArrayBatchedCopy_vectorized<at::native::(anonymous namespace)::OpaqueType<8u>, unsigned int, 1, 128, 1, 16, 2>(char*, at::native::(anonymous namespace)::CatArrInputTensorMetadata<at::native::(anonymous namespace)::OpaqueType<8u>, unsigned int, 128, 1>, at::native::(anonymous namespace)::TensorSizeStride<unsigned int, 4u>, int, unsigned int)",
    ),
    (
        SGL_TP3,
        Memory,
        r"void at::native::index_elementwise_kernel<128, 4, at::native::gpu_index_kernel<at::native::index_put_kernel_impl<at::native::OpaqueType<8> >(at::TensorIterator&, c10::ArrayRef<long>, c10::ArrayRef<long>)::{lambda(char*, char const*, long)#1}>(at::TensorIteratorBase&, c10::ArrayRef<long>, c10::ArrayRef<long>, at::native::index_put_kernel_impl<at::native::OpaqueType<8> >(at::TensorIterator&, c10::ArrayRef<long>, c10::ArrayRef<long>)::{lambda(char*, char const*, long)#1} const&, bool)::{lambda(int)#1}>(long, at::native::gpu_index_kernel<at::native::index_put_kernel_impl<at::native::OpaqueType<8> >(at::TensorIterator&, c10::ArrayRef<long>, c10::ArrayRef<long>)::{lambda(char*, char const*, long)#1}>(at::TensorIteratorBase&, c10::ArrayRef<long>, c10::ArrayRef<long>, at::native::index_put_kernel_impl<at::native::OpaqueType<8> >(at::TensorIterator&, c10::ArrayRef<long>, c10::ArrayRef<long>)::{lambda(char*, char const*, long)#1} const&, bool)::{lambda(int)#1})",
    ),
    (
        SGL_TP3,
        Memory,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<int>, std::array<char*, 1ul> >(int, at::native::FillFunctor<int>, std::array<char*, 1ul>)",
    ),
    (
        SGL_TP3,
        Reduction,
        r"void at_cuda_detail::cub::detail::scan::DeviceScanKernel<at_cuda_detail::cub::detail::scan::policy_hub<long, long, long, unsigned int, std::plus<long> >::Policy1000, long const*, long*, at_cuda_detail::cub::ScanTileState<long, true>, std::plus<long>, at_cuda_detail::cub::NullType, unsigned int, long, false, at_cuda_detail::cub::NullType>(long const*, long*, at_cuda_detail::cub::ScanTileState<long, true>, int, std::plus<long>, at_cuda_detail::cub::NullType, unsigned int)",
    ),
    (
        SGL_TP3,
        Norm,
        r"void flashinfer::norm::FusedAddRMSNormKernel<8u, __nv_bfloat16>(__nv_bfloat16*, __nv_bfloat16*, __nv_bfloat16*, unsigned int, unsigned int, unsigned int, float, float)",
    ),
    // SGLang Qwen3-8B decode, MI300X (ROCm): hipBLASLt, aiter, paged attention.
    (
        MI300X,
        Gemm,
        r"Cijk_Alik_Bljk_BBS_BH_Bias_HA_S_SAV_UserArgs_MT16x32x512_MI16x16x1_SN_LDSB1_AFC1_AFEM1_AFEM1_ASEM1_CLR1_CADS0_DTLA0_DTLB0_DTVA0_DTVB0_EPS0_FDSI0_GRPM1_GRVWA8_GRVWB8_GSUAMBSK_GLS0_ISA942_IU1_K1_LDSTI0_LBSPPA1024_LBSPPB2048_LBSPPM0_LPA16_LPB16_LPM0_LRVW8_LWPMn1_MIAV0_MIWT1_2_MO40_NTn1_NTA0_NTB0_NTC0_NTD4_NTM0_NEPBS16_NLCA1_NLCB1_ONLL1_PGR2_PLR1_PKA1_SIA3_SS1_SPO0_SRVW0_SSO0_SVW1_SK0_SKFTR0_SKXCCM0_TLDS1_ULSGRO0_USL1_UIOFGRO0_USFGROn1_VSn1_VWA1_VWB2_WSGRA0_WSGRB0_WS64_WG16_4_4",
    ),
    (
        MI300X,
        Gemm,
        r"Cijk_Alik_Bljk_BBS_BH_Bias_HA_S_SAV_UserArgs_MT256x48x64_MI16x16x1_SN_LDSB1_AFC1_AFEM1_AFEM1_ASEM1_CLR1_CADS0_DTLA0_DTLB0_DTVA0_DTVB0_EPS0_FDSI0_GRPM1_GRVWA8_GRVWB4_GSUAMBSK_GLS0_ISA942_IU1_K1_LDSTI0_LBSPPA512_LBSPPB128_LBSPPM0_LPA16_LPB16_LPM0_LRVW8_LWPMn1_MIAV0_MIWT4_3_MO40_NTn1_NTA0_NTB0_NTC0_NTD4_NTM0_NEPBS16_NLCA1_NLCB1_ONLL1_PGR2_PLR1_PKA1_SIA3_SS1_SPO0_SRVW0_SSO0_SVW4_SK0_SKFTR0_SKXCCM0_TLDS1_ULSGRO0_USL1_UIOFGRO0_USFGROn1_VSn1_VWA4_VWB1_WSGRA0_WSGRB0_WS64_WG64_4_1",
    ),
    (
        MI300X,
        Attention,
        r"void paged_attention_ll4mi_QKV_mfma16_kernel<0, __hip_bfloat16, __hip_bfloat16, (vllm::Fp8KVCacheDataType)0, 1, 128, 256, false, 4, 1, ck_tile::ComposedAttention<0u, false> >(__hip_bfloat16 const*, __hip_bfloat16 const*, __hip_bfloat16 const*, float, int const*, int const*, int const*, float const*, int, int, int, int, float*, float*, __hip_bfloat16*, float, float, float const*, float const*, float const*, ck_tile::ComposedAttention<0u, false> const*)",
    ),
    (
        MI300X,
        Attention,
        r"void paged_attention_ll4mi_reduce_kernel<__hip_bfloat16, __hip_bfloat16, 128, 128, 256, 3, false>(__hip_bfloat16*, float const*, float const*, __hip_bfloat16 const*, int const*, int const*, int, int, float const*)",
    ),
    (
        MI300X,
        Norm,
        r"_ZN5aiter24add_rmsnorm_quant_kernelIDF16bDF16bLi64ELi8ELb0ELb0ELb1ELi1EEEvPT0_PT_PfS4_S4_S4_diiiiiiib",
    ),
    (
        MI300X,
        Activation,
        r"_ZN7sgl_hip10activation18act_and_mul_kernelI14__hip_bfloat16TnPFT_RKS3_EXadL_Z4siluIS2_ES3_S5_EEEEvPS3_PS4_i",
    ),
    (
        MI300X,
        Rope,
        r"void rotary_embedding_kernel<c10::BFloat16, true>(long const*, c10::BFloat16*, c10::BFloat16*, c10::BFloat16 const*, int, long, long, long, int, int, int)",
    ),
    (
        MI300X,
        Memory,
        r"void (anonymous namespace)::store_kvcache<2048l, 4, false, long>((anonymous namespace)::StoreKVCacheParams)",
    ),
    (
        MI300X,
        Memory,
        r"void at::native::elementwise_kernel_manual_unroll<128, 8, at::native::gpu_kernel_impl_nocast<at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#12}::operator()() const::{lambda(c10::BFloat16)#1}>(at::TensorIteratorBase&, at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#12}::operator()() const::{lambda(c10::BFloat16)#1} const&)::{lambda(int, bool)#1}>(int, at::native::gpu_kernel_impl_nocast<at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#12}::operator()() const::{lambda(c10::BFloat16)#1}>(at::TensorIteratorBase&, at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#12}::operator()() const::{lambda(c10::BFloat16)#1} const&)::{lambda(int, bool)#1})",
    ),
    (
        MI300X,
        Memory,
        r"void at::native::vectorized_elementwise_kernel<4, at::native::bfloat16tofloat32_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda(c10::BFloat16)#1}, std::array<char*, 2ul> >(int, at::native::bfloat16tofloat32_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda(c10::BFloat16)#1}, std::array<char*, 2ul>)",
    ),
    (
        MI300X,
        Memory,
        r"void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous namespace)::TensorListMetadata<2>, at::native::(anonymous namespace)::CopyFunctor<int, long, 2, 1, 1>, at::native::Copy<int, long> >(at::native::(anonymous namespace)::TensorListMetadata<2>, at::native::(anonymous namespace)::CopyFunctor<int, long, 2, 1, 1>, at::native::Copy<int, long>)",
    ),
    (MI300X, Metadata, r"create_flashinfer_kv_indices_triton"),
    (
        MI300X,
        Metadata,
        r"void (anonymous namespace)::clamp_position_kernel<long>(long*, long const*, unsigned long)",
    ),
    (
        MI300X,
        Metadata,
        r"void (anonymous namespace)::resolve_future_token_ids_kernel<long>(long*, long const*, unsigned long)",
    ),
    (
        MI300X,
        Reduction,
        r"void rocprim::ROCPRIM_400200_NS::detail::trampoline_kernel<rocprim::ROCPRIM_400200_NS::detail::wrapped_scan_config<rocprim::ROCPRIM_400200_NS::default_config, long>, (rocprim::ROCPRIM_400200_NS::detail::target_arch)942, rocprim::ROCPRIM_400200_NS::detail::scan_impl<(rocprim::ROCPRIM_400200_NS::detail::lookback_scan_determinism)0, false, false, rocprim::ROCPRIM_400200_NS::default_config, long const*, long*, long, std::plus<long>, long>(void*, unsigned long&, long const*, long*, long, unsigned long, std::plus<long>, ihipStream_t*, bool)::{lambda(auto:1, auto:2)#1}::operator()<std::integral_constant<bool, false>, std::integral_constant<bool, true> >(std::integral_constant<bool, false>, std::integral_constant<bool, true>) const::{lambda(auto:1)#2}, rocprim::ROCPRIM_400200_NS::detail::default_config_selector>(rocprim::ROCPRIM_400200_NS::detail::scan_impl<(rocprim::ROCPRIM_400200_NS::detail::lookback_scan_determinism)0, false, false, rocprim::ROCPRIM_400200_NS::default_config, long const*, long*, long, std::plus<long>, long>(void*, unsigned long&, long const*, long*, long, unsigned long, std::plus<long>, ihipStream_t*, bool)::{lambda(auto:1, auto:2)#1}::operator()<std::integral_constant<bool, false>, std::integral_constant<bool, true> >(std::integral_constant<bool, false>, std::integral_constant<bool, true>) const::{lambda(auto:1)#2})",
    ),
    (
        MI300X,
        Elementwise,
        r"void (anonymous namespace)::elementwise_kernel_with_index<int, at::native::arange_cuda_out(c10::Scalar const&, c10::Scalar const&, c10::Scalar const&, at::Tensor&)::{lambda()#1}::operator()() const::{lambda()#4}::operator()() const::{lambda(long)#1}>(int, at::native::arange_cuda_out(c10::Scalar const&, c10::Scalar const&, c10::Scalar const&, at::Tensor&)::{lambda()#1}::operator()() const::{lambda()#4}::operator()() const::{lambda(long)#1}, function_traits<at::native::arange_cuda_out(c10::Scalar const&, c10::Scalar const&, c10::Scalar const&, at::Tensor&)::{lambda()#1}::operator()() const::{lambda()#4}::operator()() const::{lambda(long)#1}>::result_type*)",
    ),
    // vLLM gpt-oss TP8, B200: trtllm-gen MXFP4 MoE, fmha, nvjet.
    (
        VLLM_B200,
        Moe,
        r"bmm_MxE4m3_MxE2m1MxE4m3_Fp32_t128x16x256u2_s3_et128x16_m128x16x32_cga1x1x1_16dp256b_rM_TN_transOut_schedP2x1x2x3_biasM_bN_tma_tmaOpt_clmp_swiGlu_dynBatch_sm100f",
    ),
    (
        VLLM_B200,
        Moe,
        r"bmm_Bfloat16_MxE2m1MxE4m3_Fp32_t128x16x256u2_s3_et128x16_m128x16x32_cga1x1x1_16dp256b_rM_TN_transOut_schedP2x1x2x3_biasM_bN_tmaOpt_clmp_dynBatch_sm100f",
    ),
    (
        VLLM_B200,
        Moe,
        r"void moe::dev::routing::routingRenormalize::routingIndicesHistogramScoresKernel<moe::dev::routing::routingRenormalize::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, false, true, true> >(moe::dev::routing::routingRenormalize::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, false, true, true>)",
    ),
    (
        VLLM_B200,
        Moe,
        r"void moe::dev::routing::routingIndicesOffsetsKernel<moe::dev::routing::routingRenormalize::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, false, true, true> >(moe::dev::routing::routingRenormalize::KernelParams<__nv_bfloat16, __nv_bfloat16, 128, false, true, true>)",
    ),
    (
        VLLM_B200,
        Attention,
        r"fmhaSm100aKernel_QkvE4m3OBfloat16H64PagedKvSlidingOrChunkedCausalP16VarSeqQ128Kv128PersistentContext",
    ),
    (
        VLLM_B200,
        Attention,
        r"fmhaSm100aKernel_QkvE4m3OBfloat16H64PagedKvCausalP16VarSeqQ128Kv128PersistentContext",
    ),
    (VLLM_B200, Gemm, r"nvjet_tst_144x128_64x6_2x1_v_bz_bias_TNN"),
    (
        VLLM_B200,
        Communication,
        r"void (anonymous namespace)::multimem_all_reduce_kernel<c10::BFloat16, 16>(c10::BFloat16*, unsigned long, unsigned int**, unsigned long, unsigned long)",
    ),
    (VLLM_B200, Communication, r"ncclDevKernel_AllGather_RING_LL(ncclDevKernelArgsStorage<4096ul>)"),
    (
        VLLM_B200,
        Norm,
        r"std::enable_if<(((8)>(0)))&&vllm::_typeConvert<c10::BFloat16>::exists, void>::type vllm::fused_add_rms_norm_kernel<c10::BFloat16, 8>(c10::BFloat16*, long, c10::BFloat16*, c10::BFloat16 const*, float, int, int)",
    ),
    (
        VLLM_B200,
        Norm,
        r"void vllm::rms_norm_kernel<c10::BFloat16, 8, 2>(c10::BFloat16*, c10::BFloat16 const*, long, long, long, long, long, c10::BFloat16 const*, float, int, int)",
    ),
    (
        VLLM_B200,
        Rope,
        r"void vllm::rotary_embedding_kernel<c10::BFloat16, true>(long const*, c10::BFloat16*, c10::BFloat16*, c10::BFloat16 const*, int, long, long, long, int, int, int)",
    ),
    (
        VLLM_B200,
        Quantization,
        r"void tensorrt_llm::kernels::quantize_with_block_size<(tensorrt_llm::BlockScaleQuantizationType)2, __nv_bfloat16, 32, true>(int, int, int, int, __nv_bfloat16 const*, float const*, unsigned int*, unsigned int*, flashinfer::QuantizationSFLayout)",
    ),
    (
        VLLM_B200,
        Quantization,
        r"void vllm::scaled_fp8_quant_kernel_strided<c10::BFloat16, c10::Float8_e4m3fn>(c10::Float8_e4m3fn*, c10::BFloat16 const*, float const*, int, long, long)",
    ),
    (
        VLLM_B200,
        Memory,
        r"void vllm::reshape_and_cache_flash_kernel<__nv_bfloat16, unsigned char, (vllm::Fp8KVCacheDataType)1>(__nv_bfloat16 const*, __nv_bfloat16 const*, unsigned char*, unsigned char*, long const*, long, long, long, long, long, int, int, int, float const*, float const*)",
    ),
    (
        VLLM_B200,
        Memory,
        r"void at::native::vectorized_gather_kernel<16, long>(char*, char*, long*, int, long, long, long, long, bool)",
    ),
    (VLLM_B200, Metadata, r"_copy_page_indices_kernel"),
];

/// Categories that occur among the corpus' kernels (no corpus kernel is SSM, and none should
/// be left as "other").
const CORPUS_CATEGORIES: [Category; 15] = [
    Attention,
    Gemm,
    Moe,
    Communication,
    Norm,
    Rope,
    Activation,
    Quantization,
    Sampling,
    Memory,
    Elementwise,
    Reduction,
    Conv,
    Embedding,
    Metadata,
];

fn classify(kind: GpuKind, name: &str) -> Category {
    Catalog::builtin().categories.classify(kind, name)
}

/// Runs every case and fails once, listing every mismatch.
fn check_all<'a>(cases: impl IntoIterator<Item = (GpuKind, Category, &'a str)>) {
    let mut wrong = Vec::new();
    let mut n = 0;
    for (kind, want, name) in cases {
        n += 1;
        let got = classify(kind, name);
        if got != want {
            let base = report::engine::names::base_name(name).base;
            let shown: String = name.chars().take(160).collect();
            wrong.push(format!(
                "  want {:<13} got {:<13} base `{base}`\n      {shown}",
                want.label(),
                got.label()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {n} kernel names have the wrong category:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn real_kernel_names_get_the_category_of_what_they_do() {
    testkit::needs_corpus!();
    // The table itself: enough distinct names, from every trace, over every corpus category.
    let distinct: HashSet<&str> = TABLE.iter().map(|&(_, _, name)| name).collect();
    assert_eq!(distinct.len(), TABLE.len(), "table names are distinct");
    assert!(TABLE.len() >= 120, "the table holds {} names", TABLE.len());
    let files: BTreeSet<&str> = TABLE.iter().map(|&(file, _, _)| file).collect();
    let corpus: BTreeSet<String> = common::corpus_files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files.iter().map(|f| (*f).to_owned()).collect::<BTreeSet<_>>(),
        corpus,
        "every trace is cited"
    );
    let categories: BTreeSet<Category> = TABLE.iter().map(|&(_, category, _)| category).collect();
    assert_eq!(categories, CORPUS_CATEGORIES.into_iter().collect(), "every corpus category is covered");

    check_all(TABLE.iter().map(|&(_, category, name)| (GpuKind::Kernel, category, name)));
}

/// Kernel names of one trace, as the engine loads them (the loader itself is checked
/// against independent counts in `corpus`).
fn kernel_names(file: &str) -> HashSet<String> {
    let trace = report::trace::load(&common::read(&common::corpus_file(file))).unwrap();
    (0..trace.gpu.len())
        .filter(|&i| trace.gpu.kind[i] == GpuKind::Kernel)
        .map(|i| trace.str(trace.gpu.name[i]).to_owned())
        .collect()
}

#[test]
fn table_names_are_verbatim_kernel_names_of_their_traces() {
    testkit::needs_corpus!();
    let mut by_file: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &(file, _, name) in TABLE {
        by_file.entry(file).or_default().push(name);
    }
    let mut missing = Vec::new();
    for (file, names) in by_file {
        let kernels = kernel_names(file);
        for name in names {
            if !kernels.contains(name) {
                missing.push(format!("  {file}: {}", name.chars().take(160).collect::<String>()));
            }
        }
    }
    assert!(missing.is_empty(), "not kernel names of the trace they cite:\n{}", missing.join("\n"));
}

/// FlashAttention-3 forward as FA3 builds name it: `cutlass::device_kernel` around the
/// `enable_sm90_or_later` gate around `flash::FlashAttnFwdSm90`.
const FA3_FWD: &str = r"void cutlass::device_kernel<flash::enable_sm90_or_later<flash::FlashAttnFwdSm90<flash::CollectiveMainloopFwdSm90<2, cute::tuple<cute::C<1>, cute::C<1>, cute::C<1> >, cute::tuple<cute::C<128>, cute::C<128>, cute::C<128> >, 128, cutlass::bfloat16_t, float, cutlass::arch::Sm90, true, false, false, true, false, false, true, true, false, true, false, false>, flash::CollectiveEpilogueFwd<cute::tuple<cute::C<128>, cute::C<128>, cute::C<128> >, cute::tuple<cute::C<1>, cute::C<1>, cute::C<1> >, cutlass::bfloat16_t, cutlass::arch::Sm90, 256, true, true, false, false>, flash::VarlenDynamicPersistentTileScheduler<128, 128, 256, 128, false, true, true, true, true, true> > > >(flash::FlashAttnFwdSm90<flash::CollectiveMainloopFwdSm90<2, cute::tuple<cute::C<1>, cute::C<1>, cute::C<1> >, cute::tuple<cute::C<128>, cute::C<128>, cute::C<128> >, 128, cutlass::bfloat16_t, float, cutlass::arch::Sm90, true, false, false, true, false, false, true, true, false, true, false, false>, flash::CollectiveEpilogueFwd<cute::tuple<cute::C<128>, cute::C<128>, cute::C<128> >, cute::tuple<cute::C<1>, cute::C<1>, cute::C<1> >, cutlass::bfloat16_t, cutlass::arch::Sm90, 256, true, true, false, false>, flash::VarlenDynamicPersistentTileScheduler<128, 128, 256, 128, false, true, true, true, true, true> >::Params)";

#[test]
fn specific_cases() {
    // Kineto cuts long names at 1010 bytes with no marker; the cut FA3 name is still attention.
    let fa3_cut = FA3_FWD.get(..1010).unwrap();
    let cases: &[(GpuKind, Category, &str)] = &[
        // FlashAttention-3 forward (seed: gemm).
        (GpuKind::Kernel, Attention, FA3_FWD),
        (GpuKind::Kernel, Attention, fa3_cut),
        // CuTe-DSL FlashInfer RMSNorm, verbatim from the SGLang GB300 traces (seed: gemm).
        (
            GpuKind::Kernel,
            Norm,
            r"kernel_cutlass_kernel_flashinfernormkernelsrmsnormRMSNormKernel_object_at__tensorptrbf16gmemalign128o204820481_tensorptrbf16gmemalign16o20481_tensorptrbf16gmemalign128o204820481___True_4__0",
        ),
        // TRT-LLM / FlashInfer XQA decode attention and trtllm-gen fmha.
        (GpuKind::Kernel, Attention, "kernel_mha"),
        (
            GpuKind::Kernel,
            Attention,
            r"kernel_mha(unsigned int, float, __nv_bfloat16*, float const*, KVCacheList<true>, unsigned int, float, unsigned int*, void*)",
        ),
        (
            GpuKind::Kernel,
            Attention,
            r"fmhaSm100aKernel_QkvE4m3OBfloat16H64PagedKvCausalP16VarSeqQ128Kv128PersistentContext",
        ),
        (
            GpuKind::Kernel,
            Attention,
            r"fmhaSm100fKernel_QkvBfloat16OBfloat16H128PagedKvCausalP64MultiCtasKvVarSeqQ8Kv128StaticSwapsAbForGen",
        ),
        // QK-norm, verbatim from the SGLang GB300 traces (seed: other).
        (
            GpuKind::Kernel,
            Norm,
            r"void (anonymous namespace)::fused_qknorm_warp<128l, true, __nv_bfloat16>((anonymous namespace)::QKNormParams)",
        ),
        // cuDNN convolutions whose names mention relu (seed: activation).
        (GpuKind::Kernel, Conv, "volta_scudnn_winograd_128x128_ldg1_ldg4_relu_tile148t_nt_v1"),
        (GpuKind::Kernel, Conv, "cudnn_infer_ampere_scudnn_128x64_relu_interior_nn_v1"),
        (
            GpuKind::Kernel,
            Conv,
            "sm80_xmma_fprop_implicit_gemm_tf32f32_tf32f32_f32_nhwckrsc_nchw_tilesize128x128x16_stage4_warpsize2x2x1_g1_tensor16x8x8_relu_kernel",
        ),
        // `gemm` / `fbgemm_gpu` only inside the template or argument list: the base name decides.
        (
            GpuKind::Kernel,
            Memory,
            r"void (anonymous namespace)::elementwise_copy_kernel<__nv_bfloat16, fbgemm_gpu::gemm::FixedDivisor>(__nv_bfloat16 const*, __nv_bfloat16*, long, fbgemm_gpu::gemm::FixedDivisor)",
        ),
        (
            GpuKind::Kernel,
            Memory,
            r"void at::native::vectorized_elementwise_kernel<4, at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#12}::operator()() const::{lambda(c10::BFloat16)#1}, std::array<char*, 2ul> >(int, at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#12}::operator()() const::{lambda(c10::BFloat16)#1}, std::array<char*, 2ul>, cutlass::gemm::GemmCoord)",
        ),
        (
            GpuKind::Kernel,
            Elementwise,
            r"void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float>, std::array<char*, 3ul> >(int, at::native::CUDAFunctor_add<float>, std::array<char*, 3ul>, fbgemm_gpu::gemm_params)",
        ),
        // State-space layers (no corpus trace has one); causal_conv1d is Mamba's, not a conv.
        (
            GpuKind::Kernel,
            Ssm,
            r"void selective_scan_fwd_kernel<Selective_Scan_fwd_kernel_traits<32, 4, true, true, true, false, true, c10::BFloat16, float, c10::BFloat16> >(SSMParamsBase)",
        ),
        (
            GpuKind::Kernel,
            Ssm,
            r"void causal_conv1d_fwd_kernel<Causal_conv1d_fwd_kernel_traits<128, 4, true, c10::BFloat16, c10::BFloat16> >(ConvParamsBase)",
        ),
        (GpuKind::Kernel, Ssm, "chunk_gated_delta_rule_fwd_kernel_h_blockdim64"),
        // Memcpy/memset activities are memory whatever their name says (names from the corpus).
        (GpuKind::Memcpy, Memory, "Memcpy HtoD (Pageable -> Device)"),
        (GpuKind::Memcpy, Memory, "Memcpy DtoD (Device -> Device)"),
        (GpuKind::Memcpy, Memory, "Memcpy DtoH (Device -> Pinned)"),
        (GpuKind::Memset, Memory, "Memset (Device)"),
        (GpuKind::Memset, Memory, "Memset (Unknown)"),
        // The kind decides, not the text: a copy named like a GEMM is still a copy.
        (GpuKind::Memcpy, Memory, "nvjet_tst_64x8_64x16_4x2_h_bz_TNT"),
    ];
    // The same text is not memory when it is a kernel: the memcpy result is not a default.
    assert_eq!(classify(GpuKind::Kernel, "nvjet_tst_64x8_64x16_4x2_h_bz_TNT"), Gemm);
    check_all(cases.iter().copied());
}

/// Kernel families of 2026 that no corpus trace holds, each name as its library spells it
/// (library source, public profiles, the issue's own examples). The comment before each
/// group says where the naming comes from.
const NEW_FAMILIES: &[(Category, &str)] = &[
    // Triton flash attention: the tutorial's / AMD's `attn_fwd` (29% of a ROCm run in
    // the issue), `_attn_fwd`, SGLang/LightLLM/vLLM prefix-prefill `_fwd_kernel`, SGLang
    // decode `_fwd_kernel_stage1/2`, `_fwd_grouped_kernel_stage1`, vLLM unified attention.
    (Attention, "attn_fwd"),
    (Attention, "_attn_fwd"),
    (Attention, "_attn_bwd_dkdv"),
    (Attention, "_fwd_kernel"),
    (Attention, "_fwd_kernel_stage1"),
    (Attention, "_fwd_grouped_kernel_stage1"),
    (Attention, "_fwd_kernel_stage2"),
    (Attention, "kernel_unified_attention_2d"),
    (Attention, "kernel_unified_attention_3d"),
    // Triton's matmul tutorial and its descendants.
    (Gemm, "matmul_kernel"),
    // FlashAttention 2 split-KV and its combine, FA2 backward.
    (
        Attention,
        r"void flash_fwd_splitkv_kernel<Flash_fwd_kernel_traits<128, 64, 128, 4, false, false, cutlass::bfloat16_t, Flash_kernel_traits<128, 64, 128, 4, cutlass::bfloat16_t> >, false, false, false, false, true, true, false, false>(Flash_fwd_params)",
    ),
    (
        Attention,
        r"void flash_fwd_splitkv_combine_kernel<Flash_fwd_kernel_traits<128, 64, 128, 4, false, false, cutlass::bfloat16_t, Flash_kernel_traits<128, 64, 128, 4, cutlass::bfloat16_t> >, 4, 1, true>(Flash_fwd_params)",
    ),
    (Attention, "flash_bwd_dq_dk_dv_loop_seqk_parallel_kernel"),
    // FlashInfer: paged prefill, merge of partial states, POD, RoPE, sampling.
    (
        Attention,
        "void flashinfer::MergeStatesKernel<8u, 16u, 8u, 4u, __nv_bfloat16, __nv_bfloat16>(__nv_bfloat16*, float*, __nv_bfloat16*, float*, unsigned int, unsigned int)",
    ),
    (Attention, "void flashinfer::BatchPODWithKVCacheTensorKernel<128u, 64u, 4u>(flashinfer::PODParams)"),
    (
        Rope,
        "void flashinfer::BatchQKApplyRotaryPosIdsCosSinCacheHeadParallelismKernel<true, 128u, 8u, 16u, __nv_bfloat16, long>(__nv_bfloat16*)",
    ),
    (
        Sampling,
        "void flashinfer::sampling::TopKTopPSamplingFromProbKernel<1024u, (cub::BlockScanAlgorithm)2, (cub::BlockReduceAlgorithm)2, 4u, false, float, int>(float*, int*)",
    ),
    // TensorRT-LLM fmha v2 and XQA.
    (Attention, "fmha_v2_flash_attention_bf16_64_128_S_qkv_128_causal_sm90_kernel_nl_tiled"),
    (Attention, "void xqa_kernel_dt_bf16_d_128_beam_1_kvt_bf16_nqpkv_8_m_8_sm_90(float, __nv_bfloat16*)"),
    // cuDNN SDPA (attention although its names say fprop, which would otherwise be conv).
    (Attention, "cudnn_generated_fort_native_sdpa_sm80_flash_fprop_wmma_f16_knob_3_64x64x64_4x1x1_kernel0_0"),
    // composable_kernel tile: `ck_tile::kentry<launch bounds…, Kernel, …>` unwraps to Kernel.
    (
        Attention,
        "void ck_tile::kentry<256, 1, ck_tile::FmhaBwdDQDKDVKernel<ck_tile::BlockFmhaBwdDQDKDVPipelineKRKTRVR<ck_tile::BlockFmhaBwdPipelineProblem<ck_tile::bf16_t> > > >(ck_tile::FmhaBwdDQDKDVKernel<ck_tile::BlockFmhaBwdDQDKDVPipelineKRKTRVR<ck_tile::BlockFmhaBwdPipelineProblem<ck_tile::bf16_t> > >::Kargs)",
    ),
    (
        Norm,
        "void ck_tile::kentry<1, ck_tile::Rmsnorm2dFwd<ck_tile::Rmsnorm2dFwdPipelineOnePass<ck_tile::Rmsnorm2dFwdPipelineProblem<ck_tile::bf16_t, ck_tile::bf16_t> > > >(ck_tile::Rmsnorm2dFwd<ck_tile::Rmsnorm2dFwdPipelineOnePass<ck_tile::Rmsnorm2dFwdPipelineProblem<ck_tile::bf16_t, ck_tile::bf16_t> > >::Kargs)",
    ),
    (
        Moe,
        "void ck_tile::kentry<2, ck_tile::MoeSortingKernel<ck_tile::MoeSortingProblemEx<int, float, 2, true, false, false, true, 0> >, ck_tile::MoeSortingKernel<ck_tile::MoeSortingProblemEx<int, float, 2, true, false, false, true, 0> >::Kargs>(ck_tile::MoeSortingKernel<ck_tile::MoeSortingProblemEx<int, float, 2, true, false, false, true, 0> >::Kargs)",
    ),
    (
        Moe,
        "void ck_tile::kentry<1, ck_tile::GroupedGemmKernel<ck_tile::GemmSpatiallyLocalTilePartitioner<ck_tile::sequence<256, 256, 64> > > >(ck_tile::GroupedGemmKernel<ck_tile::GemmSpatiallyLocalTilePartitioner<ck_tile::sequence<256, 256, 64> > >::Kargs)",
    ),
    (
        Moe,
        "void ck_tile::kentry<2, ck_tile::MoeFlatmmKernel<ck_tile::GemmSpatiallyLocalTilePartitioner<ck_tile::sequence<16, 128, 256> > > >(ck_tile::MoeFlatmmKernel<ck_tile::GemmSpatiallyLocalTilePartitioner<ck_tile::sequence<16, 128, 256> > >::Kargs)",
    ),
    (
        Gemm,
        "void ck::kernel_gemm_xdl_cshuffle_v3<ck::GridwiseGemm_xdl_cshuffle_v3<ck::tensor_layout::gemm::RowMajor>, true, (ck::InMemoryDataOperationEnum)0, 1, (ck::TailNumber)0>(ck::GridwiseGemm_xdl_cshuffle_v3<ck::tensor_layout::gemm::RowMajor>::Argument)",
    ),
    (
        Conv,
        "void ck::kernel_grouped_conv_fwd_multiple_abd_xdl_cshuffle<ck::GridwiseGemmMultipleABD_xdl_cshuffle<ck::half_t>, ck::half_t>(ck::half_t const*)",
    ),
    // hipBLASLt / Tensile.
    (
        Gemm,
        "Cijk_Ailk_Bljk_HHS_BH_MT128x128x32_MI32x32x8x1_SN_1LDSB0_APM1_ABV0_ACED0_AF0EM1_AF1EM1_AMAS3_ASE_ASGT_ASLT",
    ),
    // aiter (AMD): MoE, MoE routing, MLA decode, activation, cross-device all-reduce.
    (Moe, "aiter::fmoe_bf16_pertokenFp8_g1u1_vs_silu_1tg_ps_32x512"),
    (
        Moe,
        "void aiter::grouped_topk_kernel<c10::BFloat16, float __vector(4), 8, true, true, false>(c10::BFloat16*, c10::BFloat16 const*, float*, int*, unsigned long, int, int, int, float)",
    ),
    (Moe, "_ZN5aiter27mxfp4_quant_moe_sort_kernelIDF16bN4opus5fp4_tELi256ELi32EEEvPT0_PhPKT_"),
    (Attention, "aiter::mla_dec_stage1_bf16_a16w16_subQ16_mqa16"),
    (
        Activation,
        "void aiter::swiglu_act_and_mul_kernel<std::bfloat16_t, std::bfloat16_t, 8>(std::bfloat16_t*, std::bfloat16_t const*, int)",
    ),
    (
        Communication,
        "void aiter::cross_device_reduce_1stage<__hip_bfloat16, 8>(aiter::RankData*, aiter::RankSignals, aiter::Signal*, __hip_bfloat16*, int, int)",
    ),
    // vLLM ROCm skinny GEMMs.
    (
        Gemm,
        "void wvSplitK_hf_sml_<__hip_bfloat16, 64, 1, 16, 8, 4, 4>(int, int, int, int, int, int, __hip_bfloat16 const*, __hip_bfloat16 const*, __hip_bfloat16*, int, int)",
    ),
    (Gemm, "void LLGemm1_kernel<__hip_bfloat16, 4>(float4 const*, float4 const*, float4*, int)"),
    // HIP runtime copies and fills.
    (Memory, "__amd_rocclr_copyBuffer"),
    (Memory, "__amd_rocclr_fillBufferAligned"),
    // MIOpen convolutions: implicit-GEMM assembly and the naive fallback.
    (
        Conv,
        "igemm_fwd_gtcx3_nhwc_fp16_bx0_ex1_bt128x128x32_wt32x32x8_ws1x1_wr2x2_ta1x8x2x1_1x4x1x64_tb1x8x2x1_1x4x1x64_gkgs",
    ),
    (
        Conv,
        "igemm_wrw_gtcx3_nhwc_bf16_bx0_ex0_bt256x128x32_wt32x32x8_ws2x1_wr2x2_ta1x4x4x1_1x8x1x32_tb1x4x2x1_1x8x1x32",
    ),
    (Conv, "naive_conv_ab_nonpacked_fwd_nchw_half_double_half"),
    (Norm, "MIOpenBatchNormFwdTrainSpatial"),
    // cuDNN's CUTLASS convolutions (`cutlass__5x_cudnn::Kernel<…fprop…>`) and xmma dgrad/wgrad.
    (
        Conv,
        "void cutlass__5x_cudnn::Kernel<cutlass_tensorop_s1688fprop_optimized_tf32_64x64_16x10_nhwc_align4>(cutlass_tensorop_s1688fprop_optimized_tf32_64x64_16x10_nhwc_align4::Params)",
    ),
    (
        Conv,
        "void cutlass__5x_cudnn::Kernel<cutlass_tensorop_bf16_s16816fprop_optimized_bf16_64x64_32x10_nhwc_align8>(cutlass_tensorop_bf16_s16816fprop_optimized_bf16_64x64_32x10_nhwc_align8::Params)",
    ),
    (
        Conv,
        "sm80_xmma_dgrad_implicit_gemm_bf16bf16_bf16f32_f32_nhwckrsc_nhwc_tilesize128x128x32_stage4_warpsize2x2x1_g1_tensor16x8x16_kernel",
    ),
    (
        Conv,
        "sm90_xmma_wgrad_implicit_gemm_bf16bf16_bf16f32_f32_nhwckrsc_nhwc_tilesize128x128x64_warpgroupsize1x1x1_g1_execute_kernel__5x_cudnn",
    ),
    // LayerNorm/GroupNorm helpers of PyTorch (diffusion, vision models).
    (
        Norm,
        "void at::native::(anonymous namespace)::GammaBetaBackwardCUDAKernel_32x32<float, float>(long, long, float const*, float const*, float const*, float const*, float*, float*)",
    ),
    (
        Norm,
        "void at::native::(anonymous namespace)::GammaBetaBackwardCUDAKernelTemplate<float, float, 32u, 1u, 32u, true, true, false>(long, long, float const*, float const*, float const*, float const*, float*, float*)",
    ),
    (
        Norm,
        "void at::native::(anonymous namespace)::RowwiseMomentsCUDAKernel<float, float>(long, float, float const*, float*, float*)",
    ),
    (
        Norm,
        "void at::native::(anonymous namespace)::ComputeFusedParamsCUDAKernel<float>(long, long, long, float const*, float const*, float const*, float const*, float*, float*)",
    ),
    (Norm, "void group_norm_silu_nhwc_kernel<__half>(__half const*, __half*, __half const*)"),
    // triton_kernels (gpt-oss MoE): matmul_ogs, its finalize scatter (not a copy), routing.
    (Moe, "_finalize_matmul_scatter_bf16_16x128"),
    (Moe, "_matmul_ogs_NNT_bf16xbf16xmxfp4_16x256x128x1_swiglu"),
    (Moe, "_routing_compute_indx"),
    (Moe, "_sum_bitmatrix_rows"),
    // DeepGEMM: dense (GemmType 0) is gemm, grouped (1, 2, 3) is the MoE expert GEMM.
    (
        Gemm,
        "void deep_gemm::sm90_fp8_gemm_1d2d_impl<(cute::UMMA::Major)0, 0u, 4096u, 1024u, 1u, 256u, 128u, 128u, 128u, 128u, 128u, 3u, 128u, 256u, 2u, true, 132u, (deep_gemm::GemmType)0, deep_gemm::epilogue::transform::EpilogueIdentity>(float*, int*, unsigned int, unsigned int, unsigned int)",
    ),
    (
        Moe,
        "void deep_gemm::sm90_fp8_gemm_1d2d_impl<(cute::UMMA::Major)0, 0u, 4096u, 7168u, 32u, 64u, 128u, 128u, 128u, 128u, 128u, 5u, 128u, 256u, 1u, false, 132u, (deep_gemm::GemmType)2, deep_gemm::epilogue::transform::EpilogueIdentity>(float*, int*, unsigned int, unsigned int, unsigned int)",
    ),
    // Marlin / Machete (vLLM mixed-precision GEMMs); Marlin MoE is moe.
    (
        Gemm,
        "void marlin::Marlin<(vllm::ScalarTypeId)5, 256, 1, 8, 8, true, 4, 8, false>(int4 const*, int4 const*, int4*)",
    ),
    (
        Moe,
        "void marlin_moe_wna16::Marlin<(vllm::ScalarTypeId)5, 256, 1, 8, 8, true, 4, 8, false>(int4 const*, int4 const*, int4*)",
    ),
    (
        Gemm,
        "void cutlass::device_kernel<machete::MacheteKernelTemplate<cutlass::bfloat16_t, cutlass::vllm_uint4b8_t>::KernelType>(machete::MacheteKernelTemplate<cutlass::bfloat16_t, cutlass::vllm_uint4b8_t>::KernelType::Params)",
    ),
    // CUTLASS grouped GEMM (MoE expert GEMMs in vLLM/SGLang cutlass_moe).
    (
        Moe,
        "void cutlass::Kernel<cutlass::gemm::kernel::GemmGrouped<cutlass::gemm::threadblock::MmaMultistage<cutlass::bfloat16_t> > >(cutlass::gemm::kernel::GemmGrouped<cutlass::gemm::threadblock::MmaMultistage<cutlass::bfloat16_t> >::Params)",
    ),
    // vLLM / SGLang bookkeeping.
    (Metadata, "_compute_slot_mapping_kernel"),
    (Metadata, "void vllm::advance_step_flashinfer_kernel(int, int, int, long*, long const*)"),
    // Communication: NVSHMEM, MSCCL++, ROCm quick reduce, DeepEP low-latency, RCCL.
    (Communication, "void nvshmemi_transfer_rma_nbi_translate_kernel<(nvshmemi_op_t)0>(void*)"),
    (Communication, "void mscclpp::allreduce8<__nv_bfloat16>(__nv_bfloat16*)"),
    (
        Communication,
        "void quickreduce::allreduce_prototype_twoshot<quickreduce::CodecFP<__hip_bfloat16> >(quickreduce::CodecFP<__hip_bfloat16> const*)",
    ),
    (Communication, "void deep_ep::internode_ll::dispatch<false, false, 7168>(void*, float*, int*, long*)"),
    (Communication, "ncclDevKernel_Generic_4(ncclDevKernelArgsStorage<4096ul>)"),
    // torch.compile (Inductor): the fused operators decide (catalog/inductor.rs).
    (Norm, "triton_per_fused_add_native_layer_norm_4"),
    (Norm, "triton_red_fused__to_copy_add_mean_mul_pow_rsqrt_0"),
    (Activation, "triton_poi_fused__to_copy_add_mul_silu_0"),
    (Gemm, "triton_tem_fused_addmm_gelu_2"),
    (Reduction, "triton_per_fused__softmax_0"),
    (Memory, "triton_poi_fused_clone_view_5"),
    (Elementwise, "triton_poi_fused_add_view_16"),
];

#[test]
fn kernel_families_not_in_the_corpus() {
    check_all(NEW_FAMILIES.iter().map(|&(category, name)| (GpuKind::Kernel, category, name)));
}
