//! Every formula against shapes computed by hand.

use super::*;

/// Arguments with contiguous strides for every tensor (as PyTorch 2 records them).
fn args(dims: &str, types: &str, concrete: &str) -> Args {
    let shapes: serde_json::Value = serde_json::from_str(dims).unwrap_or_default();
    let strides: Vec<serde_json::Value> = shapes
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    let d: Vec<u64> = d
                        .as_array()
                        .map(|v| v.iter().filter_map(serde_json::Value::as_u64).collect())
                        .unwrap_or_default();
                    let mut s = vec![1u64; d.len()];
                    for i in (0..d.len().saturating_sub(1)).rev() {
                        s[i] = s[i + 1] * d[i + 1];
                    }
                    serde_json::json!(s)
                })
                .collect()
        })
        .unwrap_or_default();
    Args::parse(dims, types, concrete, &serde_json::Value::Array(strides).to_string())
}

fn w(name: &str, a: &Args) -> OpWork {
    match work(name, a, &ModelFacts::default()) {
        Ok(w) => w,
        Err(e) => panic!("{name}: {e:?}"),
    }
}

#[test]
fn gemm_mm_addmm_linear() {
    // mm: [8944, 1024] · [1024, 1024], bf16.
    let mm =
        w("aten::mm", &args("[[8944, 1024], [1024, 1024]]", r#"["c10::BFloat16", "c10::BFloat16"]"#, ""));
    assert_eq!(mm.flops, 2.0 * 8944.0 * 1024.0 * 1024.0);
    assert_eq!(mm.bytes, (8944.0 * 1024.0 + 1024.0 * 1024.0 + 8944.0 * 1024.0) * 2.0);
    assert_eq!((mm.peak, mm.class), (PeakDtype::Bf16, Class::Gemm));
    // addmm: bias [640] + [888, 2880] · [2880, 640].
    let addmm = w(
        "aten::addmm",
        &args(
            "[[640], [888, 2880], [2880, 640], [], []]",
            r#"["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "Scalar", "Scalar"]"#,
            r#"["", "", "", "1", "1"]"#,
        ),
    );
    assert_eq!(addmm.flops, 2.0 * 888.0 * 640.0 * 2880.0);
    assert_eq!(addmm.bytes, (640.0 + 888.0 * 2880.0 + 2880.0 * 640.0 + 888.0 * 640.0) * 2.0);
    // linear: x [16, 559, 1024] (M = 16·559), w [4096, 1024], bias [4096]; fp32 runs on FP32.
    let lin = w(
        "aten::linear",
        &args("[[16, 559, 1024], [4096, 1024], [4096]]", r#"["float", "float", "float"]"#, ""),
    );
    let m = 16.0 * 559.0;
    assert_eq!(lin.flops, 2.0 * m * 4096.0 * 1024.0);
    assert_eq!(lin.bytes, (m * 1024.0 + 4096.0 * 1024.0 + 4096.0 + m * 4096.0) * 4.0);
    assert_eq!(lin.peak, PeakDtype::Fp32);
}

#[test]
fn batched_and_broadcast_matmuls() {
    let bmm = w("aten::bmm", &args("[[32, 128, 64], [32, 64, 256]]", r#"["c10::Half", "c10::Half"]"#, ""));
    assert_eq!(bmm.flops, 2.0 * 32.0 * 128.0 * 256.0 * 64.0);
    assert_eq!(bmm.bytes, 32.0 * (128.0 * 64.0 + 64.0 * 256.0 + 128.0 * 256.0) * 2.0);
    assert_eq!(bmm.peak, PeakDtype::Fp16);
    // matmul [1, 32, 1] · [1, 1, 559] (HF rotary): batch 1, M 32, K 1, N 559.
    let mm = w("aten::matmul", &args("[[1, 32, 1], [1, 1, 559]]", r#"["float", "float"]"#, ""));
    assert_eq!(mm.flops, 2.0 * 32.0 * 559.0);
    // matmul of a 4-D activation by a 2-D weight folds the batch: [2, 3, 5, 7] · [7, 11].
    let mm = w("aten::matmul", &args("[[2, 3, 5, 7], [7, 11]]", r#"["float", "float"]"#, ""));
    assert_eq!(mm.flops, 2.0 * 6.0 * 5.0 * 11.0 * 7.0);
}

#[test]
fn fp8_and_fp4_gemms_count_scales_and_packed_values() {
    // _scaled_mm(a fp8 [128, 4096], b fp8 [4096, 1024], scale_a [128, 1] f32, scale_b [1, 1024]
    // f32, bias None, scale_result None, out_dtype 15 = bf16).
    let a = args(
        "[[128, 4096], [4096, 1024], [128, 1], [1, 1024], [], [], [], []]",
        r#"["c10::Float8_e4m3fn", "c10::Float8_e4m3fn", "float", "float", "", "", "Scalar", "Scalar"]"#,
        r#"["", "", "", "", "", "", "15", "False"]"#,
    );
    let s = w("aten::_scaled_mm", &a);
    assert_eq!(s.flops, 2.0 * 128.0 * 1024.0 * 4096.0);
    let scales = (128.0 + 1024.0) * 4.0;
    assert_eq!(s.bytes, 128.0 * 4096.0 + 4096.0 * 1024.0 + scales + 128.0 * 1024.0 * 2.0);
    assert_eq!(s.peak, PeakDtype::Fp8);
    // Packed FP4: [64, 2048] stores K = 4096 values per row; e8m0 block scales (1 per 32).
    let a = args(
        "[[64, 2048], [2048, 512], [64, 128], [128, 512], [], [], [], []]",
        r#"["c10::Float4_e2m1fn_x2", "c10::Float4_e2m1fn_x2", "c10::Float8_e8m0fnu", "c10::Float8_e8m0fnu", "", "", "Scalar", "Scalar"]"#,
        r#"["", "", "", "", "", "", "15", "False"]"#,
    );
    let s = w("aten::_scaled_mm", &a);
    assert_eq!(s.flops, 2.0 * 64.0 * 512.0 * 4096.0);
    assert_eq!(s.bytes, 64.0 * 2048.0 + 2048.0 * 512.0 + 64.0 * 128.0 + 128.0 * 512.0 + 64.0 * 512.0 * 2.0);
    assert_eq!(s.peak, PeakDtype::Fp4);
    // vLLM's cutlass_scaled_mm(out, a, b, a_scales, b_scales, bias): out written once.
    let c = w(
        "_C::cutlass_scaled_mm",
        &args(
            "[[16, 512], [16, 256], [256, 512], [16, 1], [1, 512], []]",
            r#"["c10::BFloat16", "c10::Float8_e4m3fn", "c10::Float8_e4m3fn", "float", "float", ""]"#,
            "",
        ),
    );
    assert_eq!(c.flops, 2.0 * 16.0 * 512.0 * 256.0);
    assert_eq!(c.bytes, 16.0 * 256.0 + 256.0 * 512.0 + (16.0 + 512.0) * 4.0 + 16.0 * 512.0 * 2.0);
}

#[test]
fn attention_with_and_without_a_causal_mask() {
    // SDPA flash: q, k, v [16, 16, 559, 64] bf16, is_causal (argument 4) True.
    let dims = "[[16, 16, 559, 64], [16, 16, 559, 64], [16, 16, 559, 64], [], [], [], []]";
    let types =
        r#"["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "Scalar", "Scalar", "Scalar", "Scalar"]"#;
    let causal = w(
        "aten::_scaled_dot_product_flash_attention",
        &args(dims, types, r#"["", "", "", "0.", "True", "False", "0.125"]"#),
    );
    let full = w(
        "aten::_scaled_dot_product_flash_attention",
        &args(dims, types, r#"["", "", "", "0.", "False", "False", "0.125"]"#),
    );
    let n = 559.0;
    assert_eq!(full.flops, 2.0 * 16.0 * 16.0 * n * n * 128.0);
    assert_eq!(causal.flops, 2.0 * 16.0 * 16.0 * (n * (n + 1.0) / 2.0) * 128.0);
    assert!((causal.flops / full.flops - 0.5).abs() < 0.001, "a causal mask about halves the score work");
    let tensor = 16.0 * 16.0 * n * 64.0 * 2.0;
    assert_eq!(full.bytes, 4.0 * tensor);
    assert_eq!((full.class, full.peak), (Class::Attention, PeakDtype::Bf16));
    // The flash kernel's own op lays tensors out [batch, seq, heads, dim]; causal is arg 8.
    let bshd = args(
        "[[16, 559, 16, 64], [16, 559, 16, 64], [16, 559, 16, 64], [], [], [], [], [], [], [], []]",
        r#"["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "", "", "Scalar", "Scalar", "Scalar", "Scalar", "Scalar", "Scalar"]"#,
        r#"["", "", "", "", "", "559", "559", "0.", "True", "False", "0.125"]"#,
    );
    assert_eq!(w("aten::_flash_attention_forward", &bshd).flops, causal.flops);
    // PyTorch aligns `is_causal` at the top left: one query sees one key (decode calls
    // pass is_causal=False and see them all).
    assert_eq!(score_pairs(1, 1000, true), 1.0);
    assert_eq!(score_pairs(1, 1000, false), 1000.0);
    assert_eq!(score_pairs(4, 2, true), 3.0 + 2.0 * 2.0);
    // Variable-length calls have no per-sequence shapes.
    let varlen = args(
        "[[1000, 16, 64], [1000, 16, 64], [1000, 16, 64], [9], [9], [], [], [], [], [], []]",
        r#"["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "int", "int", "Scalar", "Scalar", "Scalar", "Scalar", "Scalar", "Scalar"]"#,
        "",
    );
    assert_eq!(
        work("aten::_flash_attention_forward", &varlen, &ModelFacts::default()),
        Err(NoWork::NotModelled)
    );
}

#[test]
fn norms_activations_and_elementwise_move_their_tensors() {
    // fused_add_rms_norm(input [888, 2880], residual [888, 2880], weight [2880], eps): both
    // read and written in place, the weight read.
    let n = w(
        "_C::fused_add_rms_norm",
        &args(
            "[[888, 2880], [888, 2880], [2880], []]",
            r#"["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "Scalar"]"#,
            "",
        ),
    );
    let x = 888.0 * 2880.0 * 2.0;
    assert_eq!(n.bytes, (2.0 * x + 2880.0 * 2.0) + 2.0 * x);
    assert_eq!(n.flops, 5.0 * 888.0 * 2880.0);
    assert_eq!((n.class, n.peak), (Class::Memory, PeakDtype::Fp32));
    // rms_norm(out, input, weight, eps): out written, input and weight read.
    let r = w(
        "_C::rms_norm",
        &args(
            "[[8, 64], [8, 64], [64], []]",
            r#"["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "Scalar"]"#,
            "",
        ),
    );
    assert_eq!(r.bytes, (8.0 * 64.0 + 64.0) * 2.0 + 8.0 * 64.0 * 2.0);
    // mul of [16, 559, 1024] by a scalar (a double): one tensor read, one written.
    let m = w("aten::mul", &args("[[16, 559, 1024], []]", r#"["float", "double"]"#, ""));
    let t = 16.0 * 559.0 * 1024.0;
    assert_eq!(m.bytes, 2.0 * t * 4.0 + 8.0, "the 0-d double tensor is read too");
    assert_eq!(m.flops, t);
    // add with broadcasting: [16, 559, 1] + [16, 559, 1024] writes the larger shape.
    let b =
        w("aten::add", &args("[[16, 559, 1], [16, 559, 1024], []]", r#"["float", "float", "Scalar"]"#, ""));
    assert_eq!(b.bytes, (16.0 * 559.0 + t) * 4.0 + t * 4.0);
    // copy_(dst bf16, src f32): src read, dst written.
    let c = w("aten::copy_", &args("[[4, 8], [4, 8], []]", r#"["c10::BFloat16", "float", "Scalar"]"#, ""));
    assert_eq!((c.bytes, c.flops), (32.0 * 4.0 + 32.0 * 2.0, 0.0));
    // silu_and_mul(out [T, I], input [T, 2I]).
    let s = w("_C::silu_and_mul", &args("[[4, 8], [4, 16]]", r#"["c10::BFloat16", "c10::BFloat16"]"#, ""));
    assert_eq!(s.bytes, (64.0 + 32.0) * 2.0);
}

#[test]
fn moe_from_the_config_and_ops_without_formulas() {
    // gpt-oss-120b on TP 8: H 2880, I 2880 / 8, top-4 of 128 experts, MXFP4 weights.
    let model = ModelFacts {
        hidden: Some(2880),
        moe_intermediate: Some(2880),
        top_k: Some(4),
        weight_bytes: Some(4.25 / 8.0),
        tp: 8,
    };
    let a = args("[[888, 3072], [888, 128], []]", r#"["c10::BFloat16", "c10::BFloat16", ""]"#, "");
    let Ok(m) = work("vllm::moe_forward", &a, &model) else { panic!("modelled") };
    let i = 360.0;
    assert_eq!(m.flops, 6.0 * 888.0 * 4.0 * 2880.0 * i);
    let weights = 128.0 * 3.0 * 2880.0 * i * 4.25 / 8.0;
    assert_eq!(m.bytes, weights + 2.0 * 888.0 * 3072.0 * 2.0 + 888.0 * 128.0 * 2.0);
    assert_eq!(m.class, Class::Moe);
    // Decode: 2 tokens reach at most 8 experts.
    let a = args("[[2, 3072], [2, 128], []]", r#"["c10::BFloat16", "c10::BFloat16", ""]"#, "");
    let Ok(d) = work("vllm::moe_forward", &a, &model) else { panic!("modelled") };
    assert_eq!(d.bytes, 8.0 * 3.0 * 2880.0 * i * 4.25 / 8.0 + 2.0 * 2.0 * 3072.0 * 2.0 + 2.0 * 128.0 * 2.0);
    // Triton fused experts record their weights: 16 tokens, top-2 of 8 experts, H 1024,
    // I 512 (w1 gated: 1024 outputs), bf16.
    let fe = args(
        "[[16, 1024], [8, 1024, 1024], [8, 1024, 512], [16, 2], [16, 2]]",
        r#"["c10::BFloat16", "c10::BFloat16", "c10::BFloat16", "float", "int"]"#,
        "",
    );
    let f = w("vllm::inplace_fused_experts", &fe);
    assert_eq!(f.flops, 2.0 * 32.0 * 1024.0 * (1024.0 + 512.0));
    let per_expert = (1024.0 * 1024.0 + 1024.0 * 512.0) * 2.0;
    assert_eq!(f.bytes, 8.0 * per_expert + 2.0 * 16.0 * 1024.0 * 2.0 + 32.0 * 4.0 + 32.0 * 4.0);
    assert_eq!((f.class, f.peak), (Class::Moe, PeakDtype::Bf16));
    // Without a config the MoE op has no figure; an unknown op is not modelled; a known op
    // without recorded shapes has none.
    assert_eq!(work("vllm::moe_forward", &a, &ModelFacts::default()), Err(NoWork::NoConfig));
    assert_eq!(work("my::custom_op", &a, &model), Err(NoWork::NotModelled));
    assert_eq!(work("aten::mm", &Args::default(), &model), Err(NoWork::NoShapes));
    assert_eq!(work("aten::add", &Args::default(), &model), Err(NoWork::NoShapes));
    // Elementwise ops need strides: a legacy trace's broadcast input could be counted many
    // times over.
    let legacy = Args::parse("[[32, 2048, 7, 7], []]", r#"["float", "long int"]"#, "", "");
    assert_eq!(work("aten::div", &legacy, &model), Err(NoWork::NoShapes));
    let broadcast =
        Args::parse("[[32, 2048, 7, 7], []]", r#"["float", "long int"]"#, "", "[[2048, 1, 0, 0], []]");
    let Ok(d) = work("aten::div", &broadcast, &model) else { panic!("modelled") };
    assert_eq!(d.bytes, 32.0 * 2048.0 * 4.0 + 8.0 + 32.0 * 2048.0 * 49.0 * 4.0, "read once, written dense");
}
