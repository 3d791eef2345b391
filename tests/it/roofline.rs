//! Roofline on real traces: GEMM rows' FLOPs against Σ 2·M·N·K recomputed by an
//! independent reader of the trace JSON (serde_json, its own correlation → External id →
//! op walk), the share of GPU time with a figure, and no row above a datasheet peak on
//! any corpus trace.

use std::collections::HashMap;
use std::path::Path;

use crate::common;
use report::engine::catalog::{GpuSpecs, PeakDtype};
use report::engine::triage::{Input, Options};
use report::engine::vocab::Category;
use serde_json::Value;

const VLLM: &str = "vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz";
const QWEN: &str = "hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz";

fn triage(path: &Path, options: &Options) -> report::Report {
    let trace =
        report::trace::load(&common::read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.display().to_string();
    let inputs = [Input { path: &name, trace: &trace }];
    report::triage::triage_with(&inputs, options, report::engine::Catalog::builtin())
}

fn gpt_oss_config() -> report::engine::analysis::layers::config::ModelConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/configs/gpt-oss-120b.config.json");
    let text = std::fs::read_to_string(&path).unwrap();
    report::engine::analysis::layers::config::ModelConfig::parse(&text).unwrap()
}

/// Σ 2·M·N·K per kernel name over the launches of `aten::mm`, `aten::addmm` and
/// `aten::linear`-style ops, read straight from the trace JSON: kernel → runtime call with
/// its correlation → the shortest cpu_op with the call's External id → its `Input Dims`.
fn independent_gemm_flops(path: &Path) -> HashMap<String, f64> {
    let doc: Value = serde_json::from_slice(&common::gunzip(&common::read(path))).unwrap();
    let events = doc.get("traceEvents").and_then(Value::as_array).unwrap();
    let cat = |e: &Value| e.get("cat").and_then(Value::as_str).unwrap_or("").to_owned();
    let arg = |e: &Value, k: &str| e.get("args").and_then(|a| a.get(k)).cloned();
    let mut ops: HashMap<i64, Vec<&Value>> = HashMap::new();
    let mut runtime_ext: HashMap<i64, i64> = HashMap::new();
    for e in events {
        match cat(e).as_str() {
            "cpu_op" => {
                if let Some(x) = arg(e, "External id").and_then(|v| v.as_i64()) {
                    ops.entry(x).or_default().push(e);
                }
            }
            "cuda_runtime" | "cuda_driver" => {
                if let (Some(c), Some(x)) = (
                    arg(e, "correlation").and_then(|v| v.as_i64()),
                    arg(e, "External id").and_then(|v| v.as_i64()),
                ) {
                    runtime_ext.insert(c, x);
                }
            }
            _ => {}
        }
    }
    let dims = |op: &Value| -> Vec<Vec<f64>> {
        arg(op, "Input Dims")
            .and_then(|d| d.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|a| a.as_array().map(|v| v.iter().filter_map(Value::as_f64).collect()).unwrap_or_default())
            .collect()
    };
    let mut out: HashMap<String, f64> = HashMap::new();
    for e in events.iter().filter(|e| cat(e) == "kernel") {
        let Some(corr) = arg(e, "correlation").and_then(|v| v.as_i64()) else { continue };
        let Some(ext) = runtime_ext.get(&corr) else { continue };
        let Some(op) = ops.get(ext).and_then(|v| {
            v.iter().min_by(|a, b| {
                let d = |x: &Value| x.get("dur").and_then(Value::as_f64).unwrap_or(0.0);
                d(a).total_cmp(&d(b))
            })
        }) else {
            continue;
        };
        let d = dims(op);
        let flops = match op.get("name").and_then(Value::as_str).unwrap_or("") {
            "aten::mm" => 2.0 * d[0][0] * d[0][1] * d[1][1],
            "aten::addmm" => 2.0 * d[1][0] * d[1][1] * d[2][1],
            _ => continue,
        };
        let name = report::engine::names::canonical(e.get("name").and_then(Value::as_str).unwrap_or(""));
        *out.entry(name).or_default() += flops;
    }
    out
}

fn check_gemm_rows(file: &str, options: &Options) {
    let path = common::corpus_file(file);
    let want = independent_gemm_flops(&path);
    assert!(!want.is_empty(), "{file}: GEMM launches with shapes");
    let report = triage(&path, options);
    let mut checked = 0;
    for stage in &report.stages {
        for row in stage.kernels.rows.iter().filter(|r| r.category == Category::Gemm) {
            let Some(&expected) = want.get(&row.name) else { continue };
            let got = row.roofline.flops.unwrap_or_else(|| panic!("{file}: {} has no FLOPs", row.name));
            assert!((got - expected).abs() <= expected * 1e-9, "{file}: {}: {got} vs {expected}", row.name);
            checked += 1;
        }
    }
    assert_eq!(checked, want.len(), "{file}: every GEMM kernel of mm/addmm is a row with its FLOPs");
}

#[test]
fn gemm_rows_have_the_flops_of_their_launches_shapes() {
    testkit::needs_corpus!();
    let all = Options { min_share_pct: 0.0, ..Options::default() };
    check_gemm_rows(QWEN, &all);
    check_gemm_rows(VLLM, &Options { model_config: Some(gpt_oss_config()), ..all });
}

#[test]
fn most_gpu_time_has_a_figure_and_the_report_says_so() {
    testkit::needs_corpus!();
    for (file, config) in [(QWEN, None), (VLLM, Some(gpt_oss_config()))] {
        let options = Options { model_config: config, ..Options::default() };
        let report = triage(&common::corpus_file(file), &options);
        for stage in &report.stages {
            let c = &stage.roofline;
            let share = 100.0 * c.with_figure_ns as f64 / c.total_ns as f64;
            assert!(share > 50.0, "{file} {}: {share:.1}% of GPU time with a figure", stage.label);
            let missing: i64 = c.missing.iter().map(|m| m.ns).sum();
            assert_eq!(c.with_figure_ns + missing, c.total_ns, "every ns has a figure or a reason");
            let line = report::roofline::coverage_line(c).unwrap();
            assert!(line.contains(&format!("figures for {:.1}%", share)), "{line}");
            let md = report::markdown::render_with(&report, report::markdown::Options { roofline: true });
            assert!(md.contains(&line), "the markdown prints the line");
        }
        assert!(
            !report::markdown::render(&report).contains("Roofline:"),
            "the default markdown stays the seed tool's"
        );
    }
    // Without the config, the MoE layers say what they need.
    let report = triage(&common::corpus_file(VLLM), &Options::default());
    let c = &report.stages[0].roofline;
    let no_config =
        c.missing.iter().find(|m| m.reason == report::engine::results::roofline::NoFigure::NoConfig);
    assert!(no_config.is_some_and(|m| m.ns * 2 > c.total_ns), "{:?}", c.missing);
}

#[test]
fn no_row_exceeds_a_datasheet_peak_on_any_corpus_trace() {
    testkit::needs_corpus!();
    let specs = GpuSpecs::builtin();
    let mut files = common::corpus_files();
    files.push(common::traces_dir().join("capture/vllm_gptoss_mi300x_piecewise/graph_execution.json.gz"));
    let mut rows_checked = 0;
    for path in files {
        let options =
            Options { min_share_pct: 0.0, model_config: Some(gpt_oss_config()), ..Options::default() };
        let report = triage(&path, &options);
        for stage in &report.stages {
            for row in &stage.kernels.rows {
                let r = &row.roofline;
                if r.flops.is_none() {
                    continue;
                }
                let gpu = report.inputs.iter().find_map(|i| i.gpu.as_deref()).and_then(|g| specs.find(g));
                let Some(spec) = gpu else { continue };
                let peak = r.peak_dtype.and_then(|d| spec.peak_tflops(d));
                if let (Some(t), Some(p)) = (r.achieved_tflops, peak) {
                    assert!(t <= p, "{}: {} at {t:.1} TFLOP/s over the {p} peak", path.display(), row.name);
                }
                let tb = r.achieved_tbps.unwrap_or(0.0);
                assert!(
                    tb <= spec.hbm_tbps,
                    "{}: {} at {tb:.2} TB/s over {}",
                    path.display(),
                    row.name,
                    spec.hbm_tbps
                );
                rows_checked += 1;
            }
        }
    }
    assert!(rows_checked > 50, "{rows_checked} rows checked");
    // The peak a row runs against exists on its GPU.
    assert!(specs.find("NVIDIA H100 80GB HBM3").and_then(|s| s.peak_tflops(PeakDtype::Bf16)).is_some());
}

/// A decode step whose annotation carries SGLang's aggregates, replaying one attention
/// kernel from a graph (no op shapes) and launching one eager GEMM.
const AGGREGATE_STEP: &str = r#"{"deviceProperties": [{"id": 0, "name": "NVIDIA H100 80GB HBM3"}], "traceEvents": [
  {"ph":"X","cat":"user_annotation","name":"step[DECODE bs=2 g_sq=2 g_sqsq=2 g_sqsk=30 g_sk=30]","pid":1,"tid":1,"ts":0,"dur":100},
  {"ph":"X","cat":"cpu_op","name":"aten::mm","pid":1,"tid":1,"ts":1,"dur":5,"args":{"External id":7,"Input Dims":[[2,4096],[4096,4096]],"Input type":["c10::BFloat16","c10::BFloat16"],"Input Strides":[[4096,1],[1,4096]],"Concrete Inputs":["",""]}},
  {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":2,"dur":2,"args":{"External id":7,"correlation":70}},
  {"ph":"X","cat":"cuda_runtime","name":"cudaGraphLaunch","pid":1,"tid":1,"ts":10,"dur":2,"args":{"correlation":71}},
  {"ph":"X","cat":"kernel","name":"sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n","pid":0,"tid":7,"ts":20,"dur":30,"args":{"device":0,"stream":7,"correlation":70}},
  {"ph":"X","cat":"kernel","name":"flash_fwd_splitkv_kernel","pid":0,"tid":7,"ts":60,"dur":10,"args":{"device":0,"stream":7,"correlation":71}}
]}"#;

#[test]
fn attention_from_step_aggregates_and_the_config() {
    let trace = report::trace::load(AGGREGATE_STEP.as_bytes()).unwrap();
    let inputs = [Input { path: "step.json", trace: &trace }];
    let config = r#"{"num_hidden_layers": 1, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128, "hidden_size": 4096, "torch_dtype": "bfloat16"}"#;
    let options = Options {
        min_share_pct: 0.0,
        model_config: Some(report::engine::analysis::layers::config::ModelConfig::parse(config).unwrap()),
        ..Options::default()
    };
    let report = report::triage::triage_with(&inputs, &options, report::engine::Catalog::builtin());
    let rows = &report.stages[0].kernels.rows;
    let row = |cat: Category| rows.iter().find(|r| r.category == cat).unwrap();
    // 30 query-key pairs per head, 32 heads, d_qk + d_v = 256: 2·32·30·256 FLOPs; q and out
    // of 2 tokens and 30 cached tokens' keys and values of 8 heads, bf16.
    let attention = row(Category::Attention);
    assert_eq!(attention.roofline.flops, Some(2.0 * 32.0 * 30.0 * 256.0));
    assert_eq!(attention.roofline.bytes, Some((2.0 * 32.0 * 256.0 + 30.0 * 8.0 * 256.0) * 2.0));
    assert_eq!(attention.roofline.bound, Some(report::engine::results::roofline::Bound::Memory));
    // The eager GEMM: 2·2·4096·4096 over its 30 µs.
    let gemm = row(Category::Gemm);
    assert_eq!(gemm.roofline.flops, Some(2.0 * 2.0 * 4096.0 * 4096.0));
    let tflops = gemm.roofline.achieved_tflops.unwrap();
    assert!((tflops - 2.0 * 2.0 * 4096.0 * 4096.0 / 30e-6 / 1e12).abs() < 1e-9, "{tflops}");
    assert_eq!(report.stages[0].roofline.with_figure_ns, report.stages[0].roofline.total_ns);
    // Without the config, the attention kernel says what it needs.
    let plain = report::triage::triage_with(&inputs, &Options::default(), report::engine::Catalog::builtin());
    let missing = &plain.stages[0].roofline.missing;
    assert_eq!(
        missing.first().map(|m| m.reason),
        Some(report::engine::results::roofline::NoFigure::NoConfig)
    );
}
