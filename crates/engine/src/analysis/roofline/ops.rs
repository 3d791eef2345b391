//! The work of one op call (FLOPs and bytes moved) from its recorded arguments, per op
//! family: GEMMs (`2·B·M·N·K`; operands, bias, scales and output at their dtypes' sizes),
//! attention (`2·B·H·pairs·(d_qk + d_v)`, causal masks counted exactly), MoE (from the
//! model's config when the op records no weights), and memory-bound ops (the bytes their
//! tensors read and write). An op without a formula, or without the shapes its formula
//! needs, has no work: never a guess.

use super::args::{Args, Tensor};
use super::dtype::Dtype;
use crate::catalog::PeakDtype;

/// What kind of work an op does: which of its kernels carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Matrix multiplies: the op's GEMM kernels.
    Gemm,
    /// Attention: its attention kernels.
    Attention,
    /// Mixture of experts: its MoE kernels.
    Moe,
    /// Memory-bound work (norms, activations, RoPE, copies, elementwise): every kernel.
    Memory,
}

/// The work of one op call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct OpWork {
    /// Floating-point operations.
    pub flops: f64,
    /// Bytes read and written (compulsory traffic: each tensor once).
    pub bytes: f64,
    /// The peak its math runs against.
    pub peak: PeakDtype,
    /// Which of its kernels carry it.
    pub class: Class,
}

/// Why an op call has no work figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NoWork {
    /// A modelled op whose shapes (or dtypes) were not recorded.
    NoShapes,
    /// A modelled op whose formula needs the model's config (MoE weights).
    NoConfig,
    /// No formula for this op.
    NotModelled,
}

/// What the model's config says that ops do not record: MoE layers hand their weights to
/// the kernels without passing them as op arguments.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct ModelFacts {
    /// `hidden_size`.
    pub hidden: Option<u64>,
    /// The MoE intermediate size (`moe_intermediate_size`, else `intermediate_size`).
    pub moe_intermediate: Option<u64>,
    /// `num_experts_per_tok`.
    pub top_k: Option<u64>,
    /// Bytes per expert weight (`quantization_config`: MXFP4 4.25 bits, FP8 1 byte; else
    /// `torch_dtype`).
    pub weight_bytes: Option<f64>,
    /// Tensor-parallel size the experts' intermediate dimension is split over.
    pub tp: u64,
}

/// The work of a call of op `name` with arguments `a`.
pub(crate) fn work(name: &str, a: &Args, model: &ModelFacts) -> Result<OpWork, NoWork> {
    let shapes = |w: Option<OpWork>| w.ok_or(NoWork::NoShapes);
    match name {
        "aten::mm" => shapes(gemm_2d(a.tensor(0), a.tensor(1), &[], None)),
        "aten::addmm" => shapes(gemm_2d(a.tensor(1), a.tensor(2), &[a.tensor(0)], None)),
        "aten::bmm" => shapes(bmm(a.tensor(0), a.tensor(1), None)),
        "aten::baddbmm" => shapes(bmm(a.tensor(1), a.tensor(2), a.tensor(0))),
        "aten::matmul" => shapes(matmul(a.tensor(0), a.tensor(1))),
        "aten::linear" | "vllm::rocm_unquantized_gemm_impl" | "vllm::rocm_unquantized_gemm" => {
            shapes(linear(a.tensor(0), a.tensor(1), a.tensor(2)))
        }
        "aten::_scaled_mm" => {
            let out = a.int(6).and_then(Dtype::from_scalar_type);
            let extra = [a.tensor(2), a.tensor(3), a.tensor(4), a.tensor(5)];
            shapes(gemm_2d(a.tensor(0), a.tensor(1), &extra, out))
        }
        "_C::cutlass_scaled_mm" => {
            // (out, a, b, a_scales, b_scales, bias): `out` is written, not read.
            let out = a.tensor(0).and_then(|t| t.dtype);
            let extra = [a.tensor(3), a.tensor(4), a.tensor(5)];
            shapes(gemm_2d(a.tensor(1), a.tensor(2), &extra, out))
        }
        "sgl_kernel::fp8_scaled_mm" => {
            // (mat_a, mat_b, scales_a, scales_b, out_dtype, bias)
            let out = a.int(4).and_then(Dtype::from_scalar_type);
            let extra = [a.tensor(2), a.tensor(3), a.tensor(5)];
            shapes(gemm_2d(a.tensor(0), a.tensor(1), &extra, out))
        }
        "aten::_scaled_dot_product_flash_attention" => shapes(sdpa(a, Layout::Bhsd, a.flag(4))),
        "aten::_scaled_dot_product_efficient_attention" | "aten::_scaled_dot_product_cudnn_attention" => {
            shapes(sdpa(a, Layout::Bhsd, a.flag(6)))
        }
        "aten::scaled_dot_product_attention" => shapes(sdpa(a, Layout::Bhsd, a.flag(5))),
        "aten::_flash_attention_forward" => {
            // Variable-length calls (cumulative sequence lengths given) have 3-D inputs and
            // per-sequence lengths only at run time.
            if a.tensor(3).is_some() {
                return Err(NoWork::NotModelled);
            }
            shapes(sdpa(a, Layout::Bshd, a.flag(8)))
        }
        "aten::_efficient_attention_forward" => {
            if a.tensor(4).is_some() {
                return Err(NoWork::NotModelled);
            }
            // custom_mask_type: 0 none, 1 causal from the top left; 2 (bottom right) is
            // not modelled.
            match a.int(9) {
                Some(0) => shapes(sdpa(a, Layout::Bshd, Some(false))),
                Some(1) => shapes(sdpa(a, Layout::Bshd, Some(true))),
                _ => Err(NoWork::NotModelled),
            }
        }
        "vllm::inplace_fused_experts"
        | "vllm::outplace_fused_experts"
        | "sglang::inplace_fused_experts"
        | "sglang::outplace_fused_experts" => shapes(fused_experts(a)),
        "vllm::moe_forward" | "vllm::moe_forward_shared" => {
            if model.hidden.is_none()
                || model.moe_intermediate.is_none()
                || model.top_k.is_none()
                || model.weight_bytes.is_none()
            {
                return Err(NoWork::NoConfig);
            }
            shapes(moe_from_config(a, model))
        }
        _ => memory(name, a),
    }
}

/// `2·M·N·K` for `a[M, K] · b[K, N]` (packed FP4 operands hold two values per element),
/// reading `a`, `b` and `extra` (bias, scales) and writing `M·N` elements of `out` (else
/// `a`'s type).
fn gemm_2d(
    a: Option<&Tensor>,
    b: Option<&Tensor>,
    extra: &[Option<&Tensor>],
    out: Option<Dtype>,
) -> Option<OpWork> {
    let (a, b) = (a?, b?);
    let ([m, k], [_, n]) = (two(a)?, two(b)?);
    gemm(1, m, n, k, a, b, extra, out)
}

/// Batched `a[B, M, K] · b[B, K, N]`, plus a read of `c` (baddbmm).
fn bmm(a: Option<&Tensor>, b: Option<&Tensor>, c: Option<&Tensor>) -> Option<OpWork> {
    let (a, b) = (a?, b?);
    let (&[batch, m, k], &[_, _, n]) = (a.dims.as_slice(), b.dims.as_slice()) else { return None };
    gemm(batch, m, n, k, a, b, &[c], None)
}

/// `torch.matmul` with broadcasting batch dimensions (1-D operands as vectors).
fn matmul(a: Option<&Tensor>, b: Option<&Tensor>) -> Option<OpWork> {
    let (a, b) = (a?, b?);
    let (m, k) = match a.dims.len() {
        0 => return None,
        1 => (1, a.last(0)?),
        _ => (a.last(1)?, a.last(0)?),
    };
    let n = match b.dims.len() {
        0 => return None,
        1 => 1,
        _ => b.last(0)?,
    };
    let batch = a.leading(2).max(b.leading(2));
    gemm(batch, m, n, k, a, b, &[], None)
}

/// `x[…, K] · w[N, K]ᵀ + bias`.
fn linear(x: Option<&Tensor>, w: Option<&Tensor>, bias: Option<&Tensor>) -> Option<OpWork> {
    let (x, w) = (x?, w?);
    let [n, _] = two(w)?;
    let k = x.last(0)?;
    gemm(1, x.leading(1), n, k, x, w, &[bias], None)
}

#[allow(clippy::too_many_arguments, reason = "the GEMM's shape, operands and extras")]
fn gemm(
    batch: u64,
    m: u64,
    n: u64,
    k: u64,
    a: &Tensor,
    b: &Tensor,
    extra: &[Option<&Tensor>],
    out: Option<Dtype>,
) -> Option<OpWork> {
    let at = a.dtype?;
    let k = k.checked_mul(at.values())?;
    let flops = 2.0 * batch as f64 * m as f64 * n as f64 * k as f64;
    let out_type = out.unwrap_or(at);
    let out_bytes = batch as f64 * m as f64 * n as f64 * out_type.bytes();
    let mut bytes = a.bytes()? + b.bytes()? + out_bytes;
    for t in extra.iter().flatten() {
        bytes += t.bytes()?;
    }
    Some(OpWork { flops, bytes, peak: at.matrix_peak()?, class: Class::Gemm })
}

fn two(t: &Tensor) -> Option<[u64; 2]> {
    match t.dims.as_slice() {
        &[x, y] => Some([x, y]),
        _ => None,
    }
}

/// How q/k/v are laid out.
#[derive(Clone, Copy)]
enum Layout {
    /// `[batch, heads, seq, dim]` (SDPA).
    Bhsd,
    /// `[batch, seq, heads, dim]` (the flash and memory-efficient kernels' own ops).
    Bshd,
}

/// Attention from q, k, v (arguments 0–2): `2·B·H·pairs·(d_qk + d_v)` FLOPs, reading q, k,
/// v and writing the output.
fn sdpa(a: &Args, layout: Layout, causal: Option<bool>) -> Option<OpWork> {
    let (q, k, v) = (a.tensor(0)?, a.tensor(1)?, a.tensor(2)?);
    let dims = |t: &Tensor| match (layout, t.dims.as_slice()) {
        (Layout::Bhsd, &[b, h, s, d]) | (Layout::Bshd, &[b, s, h, d]) => Some((b, h, s, d)),
        _ => None,
    };
    let ((b, h, sq, dqk), (_, _, sk, _), (_, _, _, dv)) = (dims(q)?, dims(k)?, dims(v)?);
    let pairs = score_pairs(sq, sk, causal?);
    let qt = q.dtype?;
    let flops = 2.0 * b as f64 * h as f64 * pairs * (dqk + dv) as f64;
    let out = b as f64 * h as f64 * sq as f64 * dv as f64 * qt.bytes();
    let bytes = q.bytes()? + k.bytes()? + v.bytes()? + out;
    Some(OpWork { flops, bytes, peak: qt.matrix_peak()?, class: Class::Attention })
}

/// Query–key pairs scored: `sq·sk`, or with a causal mask aligned at the top left (query
/// `i` sees keys `0..=i`, as `is_causal` in PyTorch) `Σᵢ min(i + 1, sk)`.
#[must_use]
pub(crate) fn score_pairs(sq: u64, sk: u64, causal: bool) -> f64 {
    let (q, k) = (sq as f64, sk as f64);
    if !causal {
        return q * k;
    }
    if sq <= sk { q * (q + 1.0) / 2.0 } else { k * (k + 1.0) / 2.0 + (q - k) * k }
}

/// A MoE layer whose op records only its activations (`vllm::moe_forward(hidden,
/// router_logits, …)`): `T` tokens × `top_k` experts through a gated MLP of the config's
/// intermediate size split over TP ranks: `6·T·k·H·I/tp` FLOPs; the weights of the
/// experts the tokens reach (at most every expert) read once, the activations read and
/// written.
fn moe_from_config(a: &Args, model: &ModelFacts) -> Option<OpWork> {
    let hidden = a.tensor(0)?;
    let experts = a.tensor(1)?.last(0)?;
    let tokens = hidden.leading(1);
    let h = model.hidden?;
    let i = model.moe_intermediate? / model.tp.max(1);
    let k = model.top_k?;
    let ht = hidden.dtype?;
    let routed = tokens.saturating_mul(k);
    let flops = 6.0 * routed as f64 * h as f64 * i as f64;
    let touched = experts.min(routed) as f64;
    let weights = touched * 3.0 * h as f64 * i as f64 * model.weight_bytes?;
    let activations = 2.0 * hidden.bytes()? + a.tensor(1)?.bytes()?;
    Some(OpWork { flops, bytes: weights + activations, peak: ht.matrix_peak()?, class: Class::Moe })
}

/// Triton fused MoE (`fused_experts(hidden[T, H], w1[E, N, H], w2[E, H, I], topk_weights,
/// topk_ids[T, k], …)`): each of the `T·k` routed tokens through its expert's first GEMM
/// (`N` outputs: `2·I` for a gated MLP) and second GEMM; the weights of the experts reached
/// read once, the activations read and written, the routing read.
fn fused_experts(a: &Args) -> Option<OpWork> {
    let (hidden, w1, w2, weights, ids) =
        (a.tensor(0)?, a.tensor(1)?, a.tensor(2)?, a.tensor(3)?, a.tensor(4)?);
    let (&[experts, n, _], &[_, _, i_stored]) = (w1.dims.as_slice(), w2.dims.as_slice()) else { return None };
    let (h, tokens, k) = (hidden.last(0)?, hidden.leading(1), ids.last(0)?);
    // Packed int4 weights halve a stored dimension: the intermediate size then comes from
    // the first GEMM's outputs (gated: N = 2·I).
    let i = match w2.dtype? {
        Dtype::Bf16 | Dtype::F16 | Dtype::F32 | Dtype::F8 => i_stored,
        _ => n / 2,
    };
    let routed = tokens.saturating_mul(k) as f64;
    let flops = 2.0 * routed * h as f64 * (n + i) as f64;
    let touched = (experts as f64).min(routed);
    let per_expert = (w1.bytes()? + w2.bytes()?) / experts.max(1) as f64;
    let bytes = touched * per_expert + 2.0 * hidden.bytes()? + weights.bytes()? + ids.bytes()?;
    let peak = match w1.dtype? {
        Dtype::F8 => PeakDtype::Fp8,
        _ => hidden.dtype?.matrix_peak()?,
    };
    Some(OpWork { flops, bytes, peak, class: Class::Moe })
}

/// How a memory-bound op moves its tensors.
#[derive(Clone, Copy)]
enum Moves {
    /// Reads every tensor argument and writes a new tensor the size and type of the
    /// largest one (elementwise with broadcasting).
    OutOfPlace,
    /// Reads every tensor argument and writes argument 0 in place.
    InPlace,
    /// Writes argument `0` (an output argument), reads the others.
    Into,
    /// Writes argument 0 only.
    Fill,
    /// Reads every argument and writes arguments 0 and 1 in place (fused add + norm).
    InPlaceTwo,
}

/// FLOPs per written element and how the op moves data, for the memory-bound ops.
fn memory_rule(name: &str) -> Option<(f64, Moves)> {
    Some(match name {
        "aten::add" | "aten::sub" | "aten::mul" | "aten::div" | "aten::neg" | "aten::rsqrt" | "aten::exp"
        | "aten::sqrt" | "aten::reciprocal" | "aten::abs" | "aten::maximum" | "aten::minimum"
        | "aten::clamp" | "aten::where" | "aten::pow" | "aten::sigmoid" | "aten::tanh" | "aten::relu"
        | "aten::silu" | "aten::gelu" | "aten::sin" | "aten::cos" => (1.0, Moves::OutOfPlace),
        "aten::clone" | "aten::contiguous" => (0.0, Moves::OutOfPlace),
        "aten::add_" | "aten::sub_" | "aten::mul_" | "aten::div_" | "aten::relu_" | "aten::silu_"
        | "aten::masked_fill_" | "aten::clamp_" => (1.0, Moves::InPlace),
        "aten::copy_" => (0.0, Moves::Into),
        "_C::rms_norm" | "sgl_kernel::rmsnorm" => (4.0, Moves::Into),
        "_C::silu_and_mul"
        | "_C::gelu_and_mul"
        | "_C::gelu_tanh_and_mul"
        | "sgl_kernel::silu_and_mul"
        | "sgl_kernel::gelu_and_mul"
        | "sgl_kernel::gelu_tanh_and_mul" => (4.0, Moves::Into),
        "_C::static_scaled_fp8_quant" | "_C::dynamic_scaled_fp8_quant" => (2.0, Moves::Into),
        "aten::fill_" | "aten::zero_" => (0.0, Moves::Fill),
        "_C::fused_add_rms_norm" | "sgl_kernel::fused_add_rmsnorm" => (5.0, Moves::InPlaceTwo),
        _ => return None,
    })
}

/// Memory-bound ops: the table above, RoPE, KV-cache writes and embedding lookups.
fn memory(name: &str, a: &Args) -> Result<OpWork, NoWork> {
    let done = |flops: f64, bytes: Option<f64>| {
        bytes
            .map(|bytes| OpWork { flops, bytes, peak: PeakDtype::Fp32, class: Class::Memory })
            .ok_or(NoWork::NoShapes)
    };
    match name {
        "_C::rotary_embedding" => {
            // (positions[T], query, key, head_size, cos_sin_cache[max_pos, rot], is_neox):
            // query and key rotated in place, one cache row read per position.
            let (pos, q, k, cache) = (a.tensor(0), a.tensor(1), a.tensor(2), a.tensor(4));
            let bytes = (|| {
                let (pos, q, k, cache) = (pos?, q?, k?, cache?);
                let rows = pos.numel() * cache.last(0)? as f64 * cache.dtype?.bytes();
                Some(pos.bytes()? + 2.0 * (q.bytes()? + k.bytes()?) + rows)
            })();
            let flops = 3.0 * (q.map_or(0.0, Tensor::numel) + k.map_or(0.0, Tensor::numel));
            return done(flops, bytes);
        }
        "_C_cache_ops::reshape_and_cache_flash" | "_C_cache_ops::reshape_and_cache" => {
            // (key, value, key_cache, value_cache, slot_mapping, …): new keys and values
            // read and written into the cache at its type.
            let bytes = (|| {
                let (key, value, cache, slots) = (a.tensor(0)?, a.tensor(1)?, a.tensor(2)?, a.tensor(4)?);
                let stored = (key.numel() + value.numel()) * cache.dtype?.bytes();
                Some(key.bytes()? + value.bytes()? + slots.bytes()? + stored)
            })();
            return done(0.0, bytes);
        }
        "aten::embedding" => {
            // (weight[V, D], indices): one row read and written per index.
            let bytes = (|| {
                let (w, idx) = (a.tensor(0)?, a.tensor(1)?);
                let rows = idx.numel() * w.last(0)? as f64 * w.dtype?.bytes();
                Some(idx.bytes()? + 2.0 * rows)
            })();
            return done(0.0, bytes);
        }
        _ => {}
    }
    let Some((per, moves)) = memory_rule(name) else { return Err(NoWork::NotModelled) };
    // Without strides a broadcast input (stride 0, one element repeated) cannot be told
    // from a dense one, and its bytes would be counted many times over.
    if !a.has_strides {
        return Err(NoWork::NoShapes);
    }
    let tensors: Vec<&Tensor> = a.tensors().collect();
    let sum = |ts: &[&Tensor]| ts.iter().map(|t| t.bytes()).sum::<Option<f64>>();
    let (read, written, elements) = match moves {
        Moves::OutOfPlace => {
            let largest = tensors.iter().max_by(|x, y| x.numel().total_cmp(&y.numel()));
            let out = largest.and_then(|t| t.dense_bytes());
            (sum(&tensors), out, largest.map_or(0.0, |t| t.numel()))
        }
        Moves::InPlace => {
            let first = a.tensor(0);
            (sum(&tensors), first.and_then(Tensor::bytes), first.map_or(0.0, Tensor::numel))
        }
        Moves::Into => {
            let out = a.tensor(0);
            let rest: Vec<&Tensor> = a
                .args
                .iter()
                .skip(1)
                .filter_map(|x| match x {
                    super::args::Arg::Tensor(t) => Some(t),
                    _ => None,
                })
                .collect();
            (sum(&rest), out.and_then(Tensor::bytes), out.map_or(0.0, Tensor::numel))
        }
        Moves::Fill => (Some(0.0), a.tensor(0).and_then(Tensor::bytes), 0.0),
        Moves::InPlaceTwo => {
            let (x, r) = (a.tensor(0), a.tensor(1));
            let written = x.and_then(Tensor::bytes).zip(r.and_then(Tensor::bytes)).map(|(x, r)| x + r);
            (sum(&tensors), written, x.map_or(0.0, Tensor::numel))
        }
    };
    if tensors.is_empty() {
        return Err(NoWork::NoShapes);
    }
    done(per * elements, read.zip(written).map(|(r, w)| r + w))
}

#[cfg(test)]
mod tests;
