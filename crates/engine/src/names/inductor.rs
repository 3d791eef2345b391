//! torch.compile (Inductor) kernel names: `triton_{poi,red,per,tem}_fused_<ops>_<n>`.
//!
//! Inductor names a generated Triton kernel after its kind (`poi` pointwise, `red`
//! reduction, `per` persistent reduction, `tem` template: a GEMM/conv/attention template
//! with a fused epilogue), then `fused`, then the sorted, de-duplicated ATen operators
//! the kernel was fused from (`torch/_inductor/utils.py` `get_fused_kernel_name`, default
//! `descriptive_names = "original_aten"`), then a running number. Operators are joined
//! with `_` and many contain `_` themselves (`native_layer_norm`, `_to_copy`), so the
//! list is split with a vocabulary of multi-word ATen operators; an unknown multi-word
//! operator comes out as its words, which changes no decision below.

/// The kind of an Inductor kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `triton_poi_`: pointwise.
    Pointwise,
    /// `triton_red_`: a looped reduction.
    Reduction,
    /// `triton_per_`: a persistent (one-block) reduction.
    Persistent,
    /// `triton_tem_`: a template (GEMM, convolution, flex attention) plus its epilogue.
    Template,
}

/// A parsed Inductor kernel name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fused {
    /// The kernel's kind.
    pub kind: Kind,
    /// The fused ATen operators, in the name's order (`_to_copy`, `add`, `native_layer_norm`).
    pub ops: Vec<String>,
}

/// Multi-word ATen operators (overload packet names) that occur in Inductor kernel names.
const MULTI_WORD: &[&str] = &[
    "_to_copy",
    "_softmax",
    "_log_softmax",
    "_softmax_backward_data",
    "_log_softmax_backward_data",
    "native_layer_norm",
    "native_layer_norm_backward",
    "native_group_norm",
    "native_group_norm_backward",
    "native_batch_norm",
    "native_batch_norm_backward",
    "_native_batch_norm_legit",
    "_native_batch_norm_legit_functional",
    "_native_batch_norm_legit_no_training",
    "_fused_rms_norm",
    "rms_norm",
    "layer_norm",
    "group_norm",
    "batch_norm",
    "var_mean",
    "_unsafe_view",
    "_unsafe_index",
    "_unsafe_index_put",
    "_reshape_alias",
    "index_put",
    "index_select",
    "index_add",
    "scatter_add",
    "scatter_reduce",
    "slice_scatter",
    "select_scatter",
    "diagonal_scatter",
    "as_strided",
    "as_strided_scatter",
    "constant_pad_nd",
    "embedding_dense_backward",
    "new_zeros",
    "new_ones",
    "new_empty",
    "new_full",
    "full_like",
    "zeros_like",
    "ones_like",
    "empty_like",
    "scalar_tensor",
    "lift_fresh",
    "lift_fresh_copy",
    "split_with_sizes",
    "clamp_min",
    "clamp_max",
    "gelu_backward",
    "silu_backward",
    "sigmoid_backward",
    "tanh_backward",
    "threshold_backward",
    "hardswish_backward",
    "leaky_relu",
    "leaky_relu_backward",
    "native_dropout",
    "native_dropout_backward",
    "max_pool2d_with_indices",
    "max_pool2d_with_indices_backward",
    "avg_pool2d",
    "avg_pool2d_backward",
    "_adaptive_avg_pool2d",
    "_adaptive_avg_pool2d_backward",
    "upsample_nearest2d",
    "upsample_bilinear2d",
    "_upsample_nearest_exact2d",
    "bitwise_and",
    "bitwise_or",
    "bitwise_not",
    "bitwise_xor",
    "logical_and",
    "logical_or",
    "logical_not",
    "masked_fill",
    "_scaled_mm",
    "_int_mm",
    "_grouped_mm",
    "_scaled_dot_product_flash_attention",
    "_scaled_dot_product_efficient_attention",
    "_scaled_dot_product_cudnn_attention",
    "convolution_backward",
    "pixel_shuffle",
    // Serving-framework custom ops that appear in a piecewise-compiled graph (vLLM's
    // `torch.ops.vllm.moe_forward`, `unified_attention_with_output`, `all_reduce`).
    "moe_forward",
    "moe_forward_shared",
    "unified_attention",
    "unified_attention_with_output",
    "all_reduce",
];

/// Parses an Inductor kernel name (a base name; `None` for anything else).
///
/// `triton_per_fused__to_copy_add_mean_mul_pow_rsqrt_3` gives a persistent reduction of
/// `_to_copy`, `add`, `mean`, `mul`, `pow`, `rsqrt`.
#[must_use]
pub fn parse(base: &str) -> Option<Fused> {
    let base = super::looked_at(base);
    let rest = base.strip_prefix("triton_")?;
    let (kind, rest) = match rest.get(..4)? {
        "poi_" => (Kind::Pointwise, rest.get(4..)?),
        "red_" => (Kind::Reduction, rest.get(4..)?),
        "per_" => (Kind::Persistent, rest.get(4..)?),
        "tem_" => (Kind::Template, rest.get(4..)?),
        _ => return None,
    };
    let rest = rest.strip_prefix("fused")?;
    let rest = rest.strip_prefix('_').unwrap_or(rest);
    let mut tokens: Vec<&str> = rest.split('_').collect();
    if tokens.last().is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())) {
        tokens.pop();
    }
    if !tokens.iter().all(|t| t.chars().all(|c| c.is_ascii_alphanumeric())) {
        return None;
    }
    Some(Fused { kind, ops: split_ops(&tokens) })
}

/// Greedy longest match of the multi-word vocabulary over `_`-separated tokens (an empty
/// token is the leading `_` of the next operator).
fn split_ops(tokens: &[&str]) -> Vec<String> {
    let mut ops = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let mut best = None;
        for j in (i + 1..=tokens.len()).rev() {
            let candidate = tokens.get(i..j).map(|t| t.join("_")).unwrap_or_default();
            if j > i + 1 && MULTI_WORD.contains(&candidate.as_str()) {
                best = Some((j, candidate));
                break;
            }
        }
        let (next, op) = best.unwrap_or_else(|| (i + 1, tokens.get(i).copied().unwrap_or("").to_owned()));
        if !op.is_empty() {
            ops.push(op);
        }
        i = next;
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(name: &str) -> Vec<String> {
        parse(name).map(|f| f.ops).unwrap_or_default()
    }

    #[test]
    fn splits_multi_word_operators_and_drops_the_number() {
        assert_eq!(ops("triton_per_fused_add_native_layer_norm_4"), ["add", "native_layer_norm"]);
        assert_eq!(
            ops("triton_red_fused__to_copy_add_mean_mul_pow_rsqrt_0"),
            ["_to_copy", "add", "mean", "mul", "pow", "rsqrt"]
        );
        assert_eq!(ops("triton_poi_fused_mul_silu_1"), ["mul", "silu"]);
        assert_eq!(ops("triton_tem_fused_addmm_gelu_2"), ["addmm", "gelu"]);
        assert_eq!(parse("triton_tem_fused_mm_0").map(|f| f.kind), Some(Kind::Template));
        assert_eq!(parse("triton_poi_fused_convolution_5").map(|f| f.kind), Some(Kind::Pointwise));
        assert_eq!(ops("triton_poi_fused_0"), Vec::<String>::new());
        // vLLM piecewise compile (capture trace of the corpus): a custom op in the list.
        assert_eq!(ops("triton_poi_fused_constant_pad_nd_moe_forward_0"), ["constant_pad_nd", "moe_forward"]);
    }

    #[test]
    fn other_triton_names_are_not_inductor_names() {
        assert_eq!(parse("triton__0d1d2d3d"), None);
        assert_eq!(parse("triton_poi_0"), None);
        assert_eq!(parse("_fwd_kernel"), None);
        assert_eq!(parse("matmul_kernel"), None);
    }
}
