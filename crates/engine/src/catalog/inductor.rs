//! The category of a torch.compile (Inductor) kernel from the ATen operators its name
//! lists ([`crate::names::inductor`]). The category rules alone would go by the first
//! word that happens to match (`triton_poi_fused__to_copy_add_mul_silu_0` is an
//! activation, not a copy), so these kernels are decided here, in this order:
//!
//! 1. a template (`triton_tem_`): `mm`/`addmm`/`bmm`/`baddbmm`/`_scaled_mm`/`_int_mm` →
//!    `gemm`, `convolution` → `conv`, an SDPA or flex-attention operator → `attention`;
//! 2. a normalisation operator (`native_layer_norm`, `native_group_norm`,
//!    `native_batch_norm*`, `rms_norm`…), or RMSNorm/LayerNorm written out
//!    (`rsqrt` with `mean` or `var_mean`) → `norm`;
//! 3. `_softmax`/`_log_softmax` (and their backward), `logsumexp` → `reduction`;
//! 4. `embedding`/`embedding_dense_backward` → `embedding`;
//! 5. an activation (`silu`, `gelu`, `relu`, `sigmoid`, `tanh`, `hardswish`, `mish`,
//!    `softplus`, `elu`, `leaky_relu`, `glu`, or their backward) → `activation`;
//! 6. only copies, views, layout changes and fills (`_to_copy`, `clone`, `view`,
//!    `permute`, `cat`, `slice`, `index`, `constant_pad_nd`, `full`…) → `memory`;
//! 7. otherwise a reduction kernel (`red`/`per`) → `reduction`, a pointwise one → `elementwise`.
//!
//! In a pointwise or reduction kernel `mm`/`addmm`/`convolution` name the extern GEMM or
//! convolution whose epilogue (bias, layout) this kernel is, and a serving framework's
//! custom op (`moe_forward`, `unified_attention_with_output`, `all_reduce`) the op whose
//! input it prepares; they decide nothing (`triton_poi_fused_constant_pad_nd_moe_forward_0`
//! pads the MoE input: `memory`). A
//! template without a known operator, or a name with no operators at all, is left to the
//! category rules.

use crate::names::inductor::{Fused, Kind};
use crate::vocab::Category;

const GEMM: &[&str] = &["mm", "addmm", "bmm", "baddbmm", "_scaled_mm", "_int_mm", "_grouped_mm", "linear"];
const ATTENTION: &[&str] = &[
    "_scaled_dot_product_flash_attention",
    "_scaled_dot_product_efficient_attention",
    "_scaled_dot_product_cudnn_attention",
    "flex_attention",
    "flex",
];
const SOFTMAX: &[&str] = &[
    "_softmax",
    "_log_softmax",
    "_softmax_backward_data",
    "_log_softmax_backward_data",
    "softmax",
    "logsumexp",
];
const ACTIVATION: &[&str] = &[
    "silu",
    "gelu",
    "relu",
    "sigmoid",
    "tanh",
    "hardswish",
    "hardsigmoid",
    "mish",
    "softplus",
    "elu",
    "leaky_relu",
    "glu",
    "silu_backward",
    "gelu_backward",
    "sigmoid_backward",
    "tanh_backward",
    "threshold_backward",
    "hardswish_backward",
    "leaky_relu_backward",
];
/// Operators that move or lay out data without arithmetic.
const MEMORY: &[&str] = &[
    "_to_copy",
    "copy",
    "clone",
    "view",
    "_unsafe_view",
    "_reshape_alias",
    "reshape",
    "permute",
    "transpose",
    "t",
    "expand",
    "unsqueeze",
    "squeeze",
    "slice",
    "select",
    "cat",
    "stack",
    "split",
    "split_with_sizes",
    "unbind",
    "as_strided",
    "alias",
    "detach",
    "index",
    "_unsafe_index",
    "index_select",
    "gather",
    "scatter",
    "slice_scatter",
    "select_scatter",
    "diagonal_scatter",
    "as_strided_scatter",
    "index_put",
    "_unsafe_index_put",
    "constant_pad_nd",
    "full",
    "fill",
    "zeros",
    "ones",
    "empty",
    "new_zeros",
    "new_ones",
    "new_full",
    "new_empty",
    "full_like",
    "zeros_like",
    "ones_like",
    "empty_like",
    "lift_fresh",
    "lift_fresh_copy",
    "repeat",
    "roll",
    "flip",
    "pixel_shuffle",
    "upsample_nearest2d",
    "_upsample_nearest_exact2d",
    "scalar_tensor",
];
/// Operators naming the extern kernel whose epilogue (or input preparation) a pointwise
/// kernel is: GEMMs, convolutions and the serving frameworks' custom ops.
const EXTERN: &[&str] = &[
    "mm",
    "addmm",
    "bmm",
    "baddbmm",
    "convolution",
    "_scaled_mm",
    "_int_mm",
    "linear",
    "moe_forward",
    "moe_forward_shared",
    "unified_attention",
    "unified_attention_with_output",
    "all_reduce",
];

fn has(ops: &[String], set: &[&str]) -> bool {
    ops.iter().any(|o| set.contains(&o.as_str()))
}

/// The category a fused kernel's operators give (`None`: they say nothing; the rules decide).
#[must_use]
pub fn category(fused: &Fused) -> Option<Category> {
    let ops = &fused.ops;
    if ops.is_empty() {
        return None;
    }
    if fused.kind == Kind::Template {
        return if has(ops, GEMM) {
            Some(Category::Gemm)
        } else if has(ops, &["convolution"]) {
            Some(Category::Conv)
        } else if has(ops, ATTENTION) {
            Some(Category::Attention)
        } else {
            None
        };
    }
    let has_op = |name: &str| ops.iter().any(|o| o == name);
    if ops.iter().any(|o| o.ends_with("_norm") || o.contains("_norm_") || o.contains("batch_norm"))
        || (has_op("rsqrt") && (has_op("mean") || has_op("var_mean")))
    {
        return Some(Category::Norm);
    }
    if has(ops, SOFTMAX) {
        return Some(Category::Reduction);
    }
    if has(ops, &["embedding", "embedding_dense_backward"]) {
        return Some(Category::Embedding);
    }
    if has(ops, ACTIVATION) {
        return Some(Category::Activation);
    }
    let data: Vec<&String> = ops.iter().filter(|o| !EXTERN.contains(&o.as_str())).collect();
    if !data.is_empty() && data.iter().all(|o| MEMORY.contains(&o.as_str())) {
        return Some(Category::Memory);
    }
    Some(match fused.kind {
        Kind::Reduction | Kind::Persistent => Category::Reduction,
        Kind::Pointwise | Kind::Template => Category::Elementwise,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::inductor::parse;

    fn of(name: &str) -> Option<Category> {
        parse(name).and_then(|f| category(&f))
    }

    #[test]
    fn the_fused_operators_decide() {
        use Category::*;
        let cases = [
            ("triton_per_fused_add_native_layer_norm_4", Some(Norm)),
            ("triton_red_fused__to_copy_add_mean_mul_pow_rsqrt_0", Some(Norm)),
            ("triton_per_fused_add_native_layer_norm_native_layer_norm_backward_7", Some(Norm)),
            ("triton_poi_fused_mul_silu_1", Some(Activation)),
            ("triton_poi_fused__to_copy_add_mul_silu_0", Some(Activation)),
            ("triton_poi_fused_gelu_mul_2", Some(Activation)),
            ("triton_poi_fused_addmm_gelu_3", Some(Activation)),
            ("triton_tem_fused_addmm_0", Some(Gemm)),
            ("triton_tem_fused_mm_1", Some(Gemm)),
            ("triton_tem_fused_addmm_gelu_2", Some(Gemm)),
            ("triton_tem_fused_convolution_0", Some(Conv)),
            ("triton_per_fused__softmax_0", Some(Reduction)),
            ("triton_red_fused__log_softmax_1", Some(Reduction)),
            ("triton_poi_fused__to_copy_0", Some(Memory)),
            ("triton_poi_fused_clone_view_5", Some(Memory)),
            ("triton_poi_fused_cat_2", Some(Memory)),
            ("triton_poi_fused_add_view_16", Some(Elementwise)),
            ("triton_poi_fused__to_copy_add_mul_3", Some(Elementwise)),
            ("triton_poi_fused_convolution_5", Some(Elementwise)),
            ("triton_red_fused_sum_4", Some(Reduction)),
            ("triton_per_fused_embedding_0", Some(Embedding)),
            ("triton_poi_fused_constant_pad_nd_moe_forward_0", Some(Memory)),
            ("triton_tem_fused_0", None),
            ("triton_poi_fused_0", None),
        ];
        for (name, want) in cases {
            assert_eq!(of(name), want, "{name}");
        }
    }
}
