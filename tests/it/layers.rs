//! Layer and forward-pass analysis: hand-built kernel sequences with known layer
//! boundaries (automatic detection, each model profile, a cold first pass, a mid-trace
//! batch change, no step annotations, a merged two-device trace), the report JSON and the
//! heat-map SVG, and the real Qwen3-30B-A3B traces (48 layers per decode pass, found with
//! no config and no anchor). Golden text outputs: `tests/golden/layers-*.txt`.

use report::engine::analysis::layers;
use report::engine::analysis::layers::ModelConfig;
use report::engine::analysis::layers::Options;
use report::engine::analysis::layers::Selection;
use report::layers::LayersReport;
use report::layers::Method;
use report::layers::PassNote;

use crate::{common, golden};

/// Builds a Kineto-like trace: each kernel is launched by `cudaLaunchKernel` inside an
/// optional step annotation, and runs on the GPU after its launch.
struct Tb {
    events: Vec<String>,
    cpu_us: f64,
    gpu_us: f64,
    corr: u64,
    device: i64,
    stream: i64,
    /// `(name, start ns)` of every kernel, in order.
    kernels: Vec<(String, i64)>,
}

impl Tb {
    fn new() -> Tb {
        Tb {
            events: Vec::new(),
            cpu_us: 1000.0,
            gpu_us: 1010.0,
            corr: 1,
            device: 0,
            stream: 7,
            kernels: Vec::new(),
        }
    }

    /// One kernel of `dur` µs; returns its start in ns.
    fn kernel(&mut self, name: &str, dur: f64) -> i64 {
        let c = self.corr;
        self.corr += 1;
        let pid = 100 + self.device;
        self.events.push(format!(
            r#"{{"ph":"X","cat":"cpu_op","name":"aten::op","pid":{pid},"tid":{pid},"ts":{:.3},"dur":1.5,"args":{{"External id":{c},"Input Dims":[[16,{c}],[{c},64]]}}}}"#,
            self.cpu_us - 0.2
        ));
        self.events.push(format!(
            r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":{pid},"tid":{pid},"ts":{:.3},"dur":1.0,"args":{{"correlation":{c},"External id":{c}}}}}"#,
            self.cpu_us
        ));
        self.gpu_us = self.gpu_us.max(self.cpu_us + 5.0);
        let start_ns = (self.gpu_us * 1000.0).round() as i64;
        self.events.push(format!(
            r#"{{"ph":"X","cat":"kernel","name":{},"pid":{},"tid":{},"ts":{:.3},"dur":{dur:.3},"args":{{"device":{},"stream":{},"correlation":{c},"External id":{c}}}}}"#,
            serde_json::to_string(name).unwrap(),
            self.device,
            self.stream,
            self.gpu_us,
            self.device,
            self.stream
        ));
        self.kernels.push((name.to_owned(), start_ns));
        self.cpu_us += 2.0;
        self.gpu_us += dur + 0.5;
        start_ns
    }

    /// Kernels launched inside a step annotation named `label`.
    fn step(&mut self, label: &str, body: impl FnOnce(&mut Tb)) {
        let start = self.cpu_us - 0.5;
        body(self);
        let pid = 100 + self.device;
        self.events.push(format!(
            r#"{{"ph":"X","cat":"user_annotation","name":{},"pid":{pid},"tid":{pid},"ts":{start:.3},"dur":{:.3}}}"#,
            serde_json::to_string(label).unwrap(),
            self.cpu_us - start
        ));
        // The next step's launches come after a CPU gap.
        self.cpu_us += 50.0;
    }

    fn load(&self) -> report::trace::Trace {
        let json = format!(r#"{{"traceEvents":[{}]}}"#, self.events.join(",\n"));
        report::trace::load(json.as_bytes()).unwrap()
    }
}

/// A Llama-style decode layer: plain RMSNorm first in layer 0, fused add-RMSNorm after.
const LLAMA_LAYER: [(&str, f64); 8] = [
    ("nvjet_tst_128x64_qkv", 6.0),
    ("vllm::rotary_embedding_kernel", 2.0),
    ("flash_fwd_splitkv_kernel", 12.0),
    ("nvjet_tst_64x64_oproj", 5.0),
    ("vllm::fused_add_rms_norm_kernel", 2.0),
    ("nvjet_tst_256x128_gateup", 14.0),
    ("vllm::act_and_mul_kernel", 2.0),
    ("nvjet_tst_128x128_down", 9.0),
];

/// One decode pass of `layers` layers; durations × `scale`; `extra` inserts a kernel after
/// layer 0's norm (a cold first pass); `gemm` renames the GEMMs (a batch change). Returns
/// the start of every layer (its norm kernel).
fn llama_pass(tb: &mut Tb, layers: usize, scale: f64, extra: Option<&str>, gemm: &str) -> Vec<i64> {
    tb.kernel("vectorized_gather_kernel", 3.0 * scale);
    tb.kernel("compute_position_kernel", 1.0 * scale);
    let mut starts = Vec::new();
    for l in 0..layers {
        let norm = if l == 0 { "vllm::rms_norm_kernel" } else { "vllm::fused_add_rms_norm_kernel" };
        starts.push(tb.kernel(norm, 2.0 * scale));
        if l == 0
            && let Some(x) = extra
        {
            tb.kernel(x, 40.0 * scale);
        }
        for (name, d) in LLAMA_LAYER {
            let name = name.replace("nvjet_tst_", &format!("nvjet_tst_{gemm}"));
            tb.kernel(&name, d * scale);
        }
    }
    tb.kernel("vllm::fused_add_rms_norm_kernel", 2.0 * scale);
    tb.kernel("nvjet_tst_256x8_lmhead", 20.0 * scale);
    tb.kernel("argmax_sampling_kernel", 3.0 * scale);
    starts
}

fn analyse(trace: &report::trace::Trace, options: &Options, sel: &Selection) -> LayersReport {
    let found = layers::analyse(trace, options);
    found.check(sel).unwrap();
    LayersReport::from(found.report(sel))
}

fn layer_starts(r: &LayersReport) -> Vec<i64> {
    r.pass.as_ref().unwrap().layers.iter().map(|l| l.start_ns).collect()
}

#[test]
fn automatic_detection_finds_exact_llama_layers() {
    let mut tb = Tb::new();
    let mut expected: Vec<Vec<i64>> = Vec::new();
    for _ in 0..4 {
        tb.step("step[DECODE bs=16]", |tb| expected.push(llama_pass(tb, 6, 1.0, None, "")));
    }
    let trace = tb.load();
    let options = Options { path: "llama.json".into(), ..Options::default() };
    for (p, starts) in expected.iter().enumerate() {
        let r = analyse(&trace, &options, &Selection { pass: Some(p), ..Selection::default() });
        assert_eq!(r.profile.method, Method::Automatic);
        assert_eq!(r.profile.name, "generic");
        assert_eq!(r.passes.len(), 4);
        assert_eq!(layer_starts(&r), *starts, "pass {p}");
        let pass = r.pass.as_ref().unwrap();
        assert!(pass.layers.iter().all(|l| l.kernels == 9), "{:?}", pass.layers);
        assert_eq!(r.passes[p].period, Some(9));
        // Types without config: FIRST, LAYER…, FINAL; every type has a cluster.
        let kinds: Vec<&str> = pass.clusters.iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds, ["FIRST", "LAYER", "FINAL"]);
        assert_eq!(pass.clusters.iter().map(|c| c.layers).sum::<usize>(), 6);
    }
    // The final norm (the same kernel as the layers' first) is not a layer: the last layer
    // ends with its down projection.
    let r = analyse(&trace, &options, &Selection { pass: Some(3), layer: Some(5), ..Selection::default() });
    let last = r.layer.as_ref().unwrap();
    let mut order = last.kernels.clone();
    order.sort_by_key(|k| k.position);
    assert_eq!(order.first().unwrap().short, "vllm::fused_add_rms_norm_kernel");
    assert_eq!(order.last().unwrap().short, "nvjet_tst_128x128_down");
    // Wall = latest end − first start; Σ dur = sum of the 9 kernels.
    let sum: i64 = LLAMA_LAYER.iter().map(|(_, d)| (d * 1000.0) as i64).sum::<i64>() + 2000;
    assert_eq!(last.sum_ns, sum);
    assert!(last.wall_ns >= sum);
}

#[test]
fn a_cold_first_pass_keeps_its_layers_and_is_flagged() {
    let mut tb = Tb::new();
    let mut expected: Vec<Vec<i64>> = Vec::new();
    for p in 0..5 {
        let (scale, extra) = if p == 0 { (3.0, Some("cublas_workspace_init_kernel")) } else { (1.0, None) };
        tb.step("step[DECODE bs=16]", |tb| expected.push(llama_pass(tb, 6, scale, extra, "")));
    }
    let trace = tb.load();
    let options = Options::default();
    let r = analyse(&trace, &options, &Selection { pass: Some(0), ..Selection::default() });
    assert_eq!(r.passes.len(), 5);
    assert!(r.passes.iter().all(|p| p.layers == 6));
    assert_eq!(layer_starts(&r), expected[0]);
    let layers = &r.pass.as_ref().unwrap().layers;
    assert_eq!(layers[0].kernels, 10, "the extra kernel stays in layer 0");
    assert!(layers[1..].iter().all(|l| l.kernels == 9));
    assert!(
        matches!(r.passes[0].notes.first(), Some(PassNote::ColdStart { ratio }) if *ratio > 2.5),
        "{:?}",
        r.passes[0].notes
    );
    for p in &r.passes[1..] {
        assert_eq!(p.notes, vec![PassNote::SteadyState], "pass {}", p.index);
    }
    // The default pass is the first steady one, not the cold one.
    assert_eq!(r.steady_pass, Some(1));
    let r = analyse(&trace, &options, &Selection::default());
    assert_eq!(r.pass.as_ref().unwrap().index, 1);
    assert_eq!(layer_starts(&r), expected[1]);
}

#[test]
fn a_mid_trace_batch_change_starts_a_new_kind() {
    let mut tb = Tb::new();
    let mut expected: Vec<Vec<i64>> = Vec::new();
    for p in 0..8 {
        let (label, scale, gemm) =
            if p < 4 { ("step[DECODE bs=16]", 1.0, "bs16_") } else { ("step[DECODE bs=8]", 0.7, "bs8_") };
        tb.step(label, |tb| expected.push(llama_pass(tb, 6, scale, None, gemm)));
    }
    let trace = tb.load();
    let r = analyse(&trace, &Options::default(), &Selection::default());
    assert_eq!(r.passes.len(), 8);
    for (p, starts) in expected.iter().enumerate() {
        let rp = analyse(&trace, &Options::default(), &Selection { pass: Some(p), ..Selection::default() });
        assert_eq!(layer_starts(&rp), *starts, "pass {p}");
    }
    assert_eq!(r.passes[3].kind, r.passes[0].kind);
    assert_ne!(r.passes[4].kind, r.passes[3].kind);
    assert!(
        r.passes[4].notes.contains(&PassNote::Changed { what: "batch 16 → 8".into() }),
        "{:?}",
        r.passes[4].notes
    );
    // Each kind has its own steady level: no pass of either kind is called slower/faster.
    for p in &r.passes {
        assert!(p.notes.contains(&PassNote::SteadyState), "pass {}: {:?}", p.index, p.notes);
    }
}

#[test]
fn without_step_annotations_a_pass_is_a_run_of_layers() {
    let mut tb = Tb::new();
    let mut expected: Vec<Vec<i64>> = Vec::new();
    for p in 0..3 {
        expected.push(llama_pass(&mut tb, 6, 1.0, None, ""));
        // Sampling and bookkeeping between passes.
        for k in 0..3 {
            tb.kernel(&format!("sampling_bookkeeping_{p}_{k}"), 2.0);
        }
    }
    let trace = tb.load();
    let r = analyse(&trace, &Options::default(), &Selection::default());
    assert_eq!(r.passes.len(), 3);
    for (p, starts) in expected.iter().enumerate() {
        let rp = analyse(&trace, &Options::default(), &Selection { pass: Some(p), ..Selection::default() });
        assert_eq!(layer_starts(&rp), *starts);
        assert_eq!(rp.passes[p].step, "");
    }
    assert!(r.notes.iter().any(|n| n.contains("no step annotations")), "{:?}", r.notes);
}

#[test]
fn an_anchor_kernel_overrides_detection() {
    let mut tb = Tb::new();
    let mut attention: Vec<i64> = Vec::new();
    for _ in 0..2 {
        tb.step("step[DECODE bs=16]", |tb| {
            llama_pass(tb, 5, 1.0, None, "");
        });
    }
    for (name, start) in &tb.kernels {
        if name == "flash_fwd_splitkv_kernel" {
            attention.push(*start);
        }
    }
    let trace = tb.load();
    let options = Options { anchor: Some("flash_fwd".into()), ..Options::default() };
    let r = analyse(&trace, &options, &Selection { pass: Some(1), ..Selection::default() });
    assert_eq!(r.profile.method, Method::Anchors);
    assert_eq!(r.profile.anchor.as_deref(), Some("flash_fwd"));
    assert_eq!(layer_starts(&r), attention[5..10].to_vec());
    // The last block is as long as the others.
    assert!(r.pass.as_ref().unwrap().layers.iter().all(|l| l.kernels == 9));
}

/// A DeepSeek-V4-style layer: an attention half and an FFN half, each closed by mhc_post.
const DSV4_ATTN: [&str; 7] = [
    "mhc_pre_gemm_sqrsum_tilelang_kernel",
    "mhc_pre_big_fuse_tilelang_kernel",
    "fused_norm_rope_kernel",
    "void deep_gemm::sm90_fp8_gemm_1d2d_impl<128u>(float*)",
    "void sm90::decode::sparse_fp8::flash_fwd_splitkv_mla_fp8_sparse_kernel<64>(float*)",
    "void fast_hadamard_transform_kernel<8>(float*)",
    "mhc_post_tilelang_kernel",
];
const DSV4_FFN: [&str; 6] = [
    "mhc_pre_gemm_sqrsum_tilelang_kernel",
    "mhc_pre_big_fuse_tilelang_kernel",
    "moe_fused_gate_kernel",
    "fused_moe_kernel",
    "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)",
    "mhc_post_tilelang_kernel",
];

#[test]
fn the_dsv4_profile_splits_layers_into_halves_at_mhc_post() {
    let mut tb = Tb::new();
    let mut starts: Vec<Vec<(i64, i64)>> = Vec::new();
    for _ in 0..2 {
        tb.step("step[DECODE bs=8]", |tb| {
            tb.kernel("embedding_kernel", 3.0);
            let mut pass = Vec::new();
            for _ in 0..4 {
                let a = DSV4_ATTN.iter().map(|k| tb.kernel(k, 4.0)).min().unwrap();
                let f = DSV4_FFN.iter().map(|k| tb.kernel(k, 5.0)).min().unwrap();
                pass.push((a, f));
            }
            tb.kernel("final_rms_norm_kernel", 2.0);
            tb.kernel("deep_gemm_lm_head", 10.0);
            starts.push(pass);
        });
    }
    let trace = tb.load();
    let config = ModelConfig::parse(
        r#"{"num_hidden_layers": 4, "compress_ratios": [0, 4, 128, 4], "kv_lora_rank": 512}"#,
    )
    .unwrap();
    let options = Options { config: Some(config), ..Options::default() };
    let r = analyse(&trace, &options, &Selection { pass: Some(1), layer: Some(2), compare: Some(1) });
    assert_eq!(r.profile.name, "dsv4_csa_hca");
    assert_eq!(r.profile.source, "config.json");
    assert_eq!((r.profile.method, r.profile.blocks_per_layer), (Method::Anchors, 2));
    assert_eq!(r.profile.anchor_at, "end");
    assert_eq!(r.passes.len(), 2);
    let pass = r.pass.as_ref().unwrap();
    assert_eq!(
        pass.layers.iter().map(|l| l.start_ns).collect::<Vec<_>>(),
        starts[1].iter().map(|s| s.0).collect::<Vec<_>>()
    );
    assert!(pass.layers.iter().all(|l| l.kernels == 13));
    // §22.3 types from compress_ratios, seed precedence, none dropped from the clusters.
    let kinds: Vec<(&str, Option<i64>)> =
        pass.layers.iter().map(|l| (l.kind.as_str(), l.compress_ratio)).collect();
    assert_eq!(
        kinds,
        [("FIRST", Some(0)), ("C4_LIGHT", Some(4)), ("C128_HEAVY", Some(128)), ("FINAL", Some(4))]
    );
    assert_eq!(
        pass.clusters.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(),
        ["FIRST", "C4_LIGHT", "C128_HEAVY", "FINAL"]
    );
    // Profile categories and columns (the seed's MLA/MoE/GEMM/NCCL/MHC/Hadamard).
    assert_eq!(r.columns, ["mla", "moe", "gemm", "communication", "mhc", "hadamard"]);
    let mhc = r.groups().iter().position(|g| g == "mhc").unwrap();
    let per = r.by_group(&pass.layers[1].category_ns);
    assert_eq!(per[mhc], 3 * 4000 + 3 * 5000);
    assert_eq!(pass.layers[1].all_reduces, 1);
    // Halves: attn = the 7 kernels up to the first mhc_post, ffn = the other 6.
    let d = r.layer.as_ref().unwrap();
    let attn = d.kernels.iter().filter(|k| k.block == "attn").count();
    let ffn = d.kernels.iter().filter(|k| k.block == "ffn").count();
    assert_eq!((attn, ffn), (7, 6));
    assert_eq!(d.kind, "C128_HEAVY");
    let keys: Vec<&str> = d.kernels.iter().map(|k| k.key.as_str()).collect();
    assert!(
        keys.contains(&"mla")
            && keys.contains(&"hadamard")
            && keys.contains(&"mhc_post")
            && keys.contains(&"gemm_fp8")
    );
    let c = r.compare.as_ref().unwrap();
    assert_eq!(c.other.layer, 1);
    assert_eq!(c.common, 10);
}

#[test]
fn the_dsv3_profile_splits_at_the_mla_combine_kernel() {
    const LAYER: [&str; 7] = [
        "void flashinfer::norm::RMSNormKernel<8u>(float*)",
        "void deep_gemm::fp8_gemm_kernel<1>(float*)",
        "void smxx::decode::get_mla_metadata_kernel<1>(int*)",
        "void sm90::decode::flash_fwd_splitkv_mla_kernel<1>(float*)",
        "void smxx::decode::flash_fwd_mla_combine_kernel<1>(float*)",
        "moe_fused_gate_kernel",
        "fused_moe_kernel",
    ];
    let mut tb = Tb::new();
    let mut combine: Vec<Vec<i64>> = Vec::new();
    for _ in 0..3 {
        tb.step("step[DECODE bs=4]", |tb| {
            tb.kernel("embedding_kernel", 3.0);
            let mut pass = Vec::new();
            for _ in 0..5 {
                for k in LAYER {
                    let s = tb.kernel(k, 3.0);
                    if k.contains("combine") {
                        pass.push(s);
                    }
                }
            }
            tb.kernel("lm_head_gemm", 9.0);
            combine.push(pass);
        });
    }
    let trace = tb.load();
    // Without config, the profile comes from the trace (its anchor in ≥ 4 kernels).
    let r = analyse(&trace, &Options::default(), &Selection { pass: Some(2), ..Selection::default() });
    assert_eq!((r.profile.name.as_str(), r.profile.source.as_str()), ("dsv3_mla", "trace"));
    assert_eq!(r.profile.anchor_at, "start");
    assert_eq!(layer_starts(&r), combine[2]);
    // Blocks run from one combine to the next; the last ends with the pass.
    let kernels: Vec<u64> = r.pass.as_ref().unwrap().layers.iter().map(|l| l.kernels).collect();
    assert_eq!(kernels, [7, 7, 7, 7, 4]);
    assert!(r.categories.iter().any(|c| c.key == "mla_combine"));
    // `--profile generic` finds the same 5 layers without the anchor (starting at the norm).
    let generic = Options { profile: Some("generic".into()), ..Options::default() };
    let r = analyse(&trace, &generic, &Selection { pass: Some(2), ..Selection::default() });
    assert_eq!(r.profile.method, Method::Automatic);
    assert_eq!(r.passes[2].layers, 5);
}

#[test]
fn the_generic_profile_falls_back_to_an_all_reduce_anchor() {
    // Every layer runs different GEMMs (no repeating sequence), but one all-reduce each.
    let mut tb = Tb::new();
    let mut starts = Vec::new();
    tb.step("step[PREFILL bs=1]", |tb| {
        for l in 0..6 {
            starts.push(tb.kernel("ncclDevKernel_AllReduce_Sum_bf16_RING_LL(x)", 5.0));
            tb.kernel(&format!("gemm_layer_{l}_a"), 5.0);
            tb.kernel(&format!("gemm_layer_{l}_b"), 5.0);
        }
    });
    let trace = tb.load();
    let r = analyse(&trace, &Options::default(), &Selection::default());
    assert_eq!(r.profile.method, Method::Anchors);
    assert_eq!(r.profile.anchor.as_deref(), Some("AllReduce"));
    assert_eq!(layer_starts(&r), starts);
    assert!(r.notes.iter().any(|n| n.contains("No repeating kernel sequence")), "{:?}", r.notes);
}

#[test]
fn a_merged_trace_never_mixes_devices() {
    // Two ranks merged into one file: device 0 runs 6-layer passes, device 1 4-layer passes
    // (more GPU time), each on its own pid and stream.
    let mut tb = Tb::new();
    for _ in 0..3 {
        tb.step("step[DECODE bs=16]", |tb| {
            llama_pass(tb, 6, 1.0, None, "");
        });
    }
    tb.device = 1;
    tb.stream = 9;
    tb.cpu_us = 1000.0;
    tb.gpu_us = 1010.0;
    for _ in 0..3 {
        tb.step("step[DECODE bs=16]", |tb| {
            llama_pass(tb, 4, 3.0, None, "");
        });
    }
    let trace = tb.load();
    let r = analyse(&trace, &Options::default(), &Selection::default());
    assert_eq!((r.input.device, r.input.stream), (Some(1), Some(9)));
    assert!(
        r.passes.iter().all(|p| p.layers == 4),
        "{:?}",
        r.passes.iter().map(|p| p.layers).collect::<Vec<_>>()
    );
    assert_eq!(r.input.other_streams.len(), 1);
    assert_eq!((r.input.other_streams[0].device, r.input.other_streams[0].stream), (0, 7));
    let r = analyse(&trace, &Options { device: Some(0), ..Options::default() }, &Selection::default());
    assert_eq!(r.input.stream, Some(7));
    assert_eq!(r.passes.len(), 3);
    assert!(r.passes.iter().all(|p| p.layers == 6));
}

#[test]
fn config_types_and_layer_count_notes() {
    let mut tb = Tb::new();
    for _ in 0..3 {
        tb.step("step[DECODE bs=16]", |tb| {
            llama_pass(tb, 6, 1.0, None, "");
        });
    }
    let trace = tb.load();
    let moe = ModelConfig::parse(
        r#"{"num_hidden_layers": 6, "num_experts": 8, "first_k_dense_replace": 2, "hidden_size": 4096}"#,
    )
    .unwrap();
    let r = analyse(&trace, &Options { config: Some(moe), ..Options::default() }, &Selection::default());
    let kinds: Vec<&str> = r.pass.as_ref().unwrap().layers.iter().map(|l| l.kind.as_str()).collect();
    assert_eq!(kinds, ["FIRST", "DENSE", "MOE", "MOE", "MOE", "FINAL"]);
    assert_eq!(r.config_layers, Some(6));
    assert!(
        r.model.iter().any(|f| f.label == "Layer types" && f.value == "FIRST 1, DENSE 1, MOE 3, FINAL 1")
    );
    // A config that disagrees with the trace: noted on every pass, generic types.
    let wrong = ModelConfig::parse(r#"{"num_hidden_layers": 32}"#).unwrap();
    let r = analyse(&trace, &Options { config: Some(wrong), ..Options::default() }, &Selection::default());
    assert!(r.passes.iter().all(|p| p.notes.contains(&PassNote::LayerCount { found: 6, expected: 32 })));
    assert!(r.notes.iter().any(|n| n.contains("config.json says 32 layers")));
}

#[test]
fn selections_are_checked_and_json_round_trips() {
    let mut tb = Tb::new();
    for _ in 0..2 {
        tb.step("step[DECODE bs=16]", |tb| {
            llama_pass(tb, 6, 1.0, None, "");
        });
    }
    let trace = tb.load();
    let found = layers::analyse(&trace, &Options::default());
    let err = found.check(&Selection { pass: Some(9), ..Selection::default() }).unwrap_err();
    assert_eq!(err.to_string(), "pass 9 does not exist: the trace has 2 passes (0–1)");
    let err = found.check(&Selection { pass: Some(0), layer: Some(6), ..Selection::default() }).unwrap_err();
    assert_eq!(err.to_string(), "layer 6 does not exist: pass 0 has 6 layers (0–5)");
    assert!(found.check(&Selection { compare: Some(1), ..Selection::default() }).is_err());
    let r = LayersReport::from(found.report(&Selection { pass: Some(1), layer: Some(2), compare: Some(3) }));
    // Input dims come from the launching cpu_op (External id).
    let d = r.layer.as_ref().unwrap();
    assert!(
        d.kernels.iter().all(|k| k.input_dims.as_deref().is_some_and(|s| s.starts_with("[[16,"))),
        "{:?}",
        d.kernels[0]
    );
    let json = r.to_json();
    assert_eq!(LayersReport::from_json(&json).unwrap(), r);
    let newer = json.replacen("\"version\": 1", "\"version\": 99", 1);
    assert!(
        LayersReport::from_json(&newer).unwrap_err().to_string().contains("newer layers report version 99")
    );
    assert!(LayersReport::from_json("{\"schema\": \"tracetriage.report\", \"version\": 1}").is_err());
}

#[test]
fn the_heat_map_escapes_trace_text_and_maps_clicks() {
    let mut tb = Tb::new();
    for _ in 0..2 {
        tb.step("step[DECODE bs=16 <script>&\"x\"]", |tb| {
            llama_pass(tb, 6, 1.0, None, "");
        });
    }
    let trace = tb.load();
    let r = analyse(&trace, &Options::default(), &Selection::default());
    let palette = report::timeline::Palette::default();
    let svg = report::layers::svg::heatmap(&r, 600, 240, &palette, Some(2));
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("&lt;script&gt;&amp;&quot;x&quot;"), "{svg}");
    let rows = report::layers::svg::rows(&r);
    assert!(rows.iter().all(|(_, v)| v.len() == 6));
    let lay = report::layers::svg::layout(&r, 600, 240);
    let x = lay.x_of(3) + lay.cell_width() / 2.0;
    assert_eq!(lay.layer_at(x), Some(3));
    assert_eq!(lay.cell_at(x, lay.y_of(1) + 1.0), Some((3, 1)));
    assert_eq!(lay.cell_at(1.0, lay.y_of(1) + 1.0), None);
}

/// The real Qwen3-30B-A3B traces: 48 layers per decode pass, found with no config and no
/// anchor (each decode graph replay holds 96 fused add-RMSNorm kernels, two per layer).
#[test]
fn qwen3_30b_decode_passes_have_48_layers() {
    testkit::needs_corpus!();
    for (name, decode) in [
        ("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz", 4),
        ("sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz", 5),
    ] {
        let path = common::corpus_file(name);
        let trace = report::trace::load(&common::read(&path)).unwrap();
        let options = Options {
            path: name.into(),
            path_stage: report::engine::vocab::stage_from_path(name),
            ..Options::default()
        };
        let found = layers::analyse(&trace, &options);
        assert_eq!(found.method, Method::Automatic, "{name}");
        assert_eq!(found.profile.name, "generic");
        let decodes: Vec<&layers::Pass> =
            found.passes.iter().filter(|p| p.stage == report::engine::vocab::Stage::Decode).collect();
        assert_eq!(decodes.len(), decode, "{name}");
        assert!(decodes.iter().all(|p| p.layers.len() == 48), "{name}");
        // Every pass of the TP-0 file (8 extend steps too) has 48 layers, all on device 0.
        assert!(found.passes.iter().all(|p| p.layers.len() == 48), "{name}");
        assert_eq!(found.seq.device, 0);
        let r = found.report(&Selection::default());
        assert_eq!(r.input.rank, Some(0));
        let steady = r.steady_pass.unwrap();
        assert_eq!(r.passes[steady].stage, report::engine::vocab::Stage::Decode);
        assert!(r.passes[steady].notes.contains(&PassNote::SteadyState));
    }
}

#[test]
fn golden_layer_reports_of_the_qwen3_traces() {
    testkit::needs_corpus!();
    let mut failures = Vec::new();
    let cases: [(&str, &str, Selection, &str); 4] = [
        (
            "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz",
            "layers-sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.txt",
            Selection::default(),
            "text",
        ),
        (
            "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz",
            "layers-sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0-perfetto.txt",
            Selection { pass: Some(1), ..Selection::default() },
            "perfetto",
        ),
        (
            "sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz",
            "layers-sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.txt",
            Selection { pass: None, layer: Some(0), compare: Some(1) },
            "text",
        ),
        (
            "sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz",
            "layers-sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE-compute-flow.txt",
            Selection { pass: None, layer: Some(47), compare: None },
            "compute-flow",
        ),
    ];
    for (file, golden_name, sel, form) in cases {
        let path = common::corpus_file(file);
        let trace = report::trace::load(&common::read(&path)).unwrap();
        let display = format!("../shared/traces/{file}");
        let options = Options {
            path_stage: report::engine::vocab::stage_from_path(&display),
            path: display,
            ..Options::default()
        };
        let r = analyse(&trace, &options, &sel);
        let text = match form {
            "perfetto" => report::layers::text::render_perfetto(&r),
            "compute-flow" => report::layers::text::render_compute_flow(&r),
            _ => report::layers::text::render(&r),
        };
        failures.extend(golden::check(golden_name, &text));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
