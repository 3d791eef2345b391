//! Graph-capture traces: the real vLLM gpt-oss MI300X pair (piecewise graphs) attributed
//! through its capture trace against reviewed golden reports, with and without the
//! capture; and PyTorch's 2026 layout — annotations baked into graphed kernels' args, and
//! graphed kernels moved onto logical lanes.

use std::path::PathBuf;
use std::sync::Arc;

use crate::common;
use crate::golden;
use report::engine::analysis::capture::CaptureIndex;
use report::engine::triage::{Input, Options};
use report::engine::vocab::{Category, Via};

const PAIR: &str = "capture/vllm_gptoss_mi300x_piecewise";
const EXECUTION: &str = "graph_execution.json.gz";
const CAPTURE: &str = "capture_traces/graph_capture_rank_0.1773709679453551615.pt.trace.json.gz";

fn pair_file(rel: &str) -> PathBuf {
    common::traces_dir().join(PAIR).join(rel)
}

fn load(path: &std::path::Path) -> report::trace::Trace {
    report::trace::load(&common::read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The pair's report, shown under paths relative to the repository (as the CLI run from
/// it prints them), with or without its capture trace.
fn pair_report(with_capture: bool) -> report::Report {
    let exec = load(&pair_file(EXECUTION));
    let display = format!("../shared/traces/{PAIR}/{EXECUTION}");
    let mut options = Options::default();
    if with_capture {
        let capture = load(&pair_file(CAPTURE));
        let shown = format!("../shared/traces/{PAIR}/{CAPTURE}");
        options.captures = vec![Arc::new(CaptureIndex::build(&shown, &capture))];
    }
    let inputs = [Input { path: &display, trace: &exec }];
    report::triage::triage_with(&inputs, &options, report::engine::Catalog::builtin())
}

#[test]
fn the_vllm_pair_attributes_graph_replays_through_the_capture() {
    testkit::needs_corpus!();
    let report = pair_report(true);
    assert_eq!(report.captures.len(), 1);
    let info = &report.captures[0];
    assert_eq!((info.rank, info.launches, info.with_stacks), (Some(0), 361, 361));
    assert_eq!(info.roots.len(), 1);
    assert_eq!(
        (info.roots[0].batch, info.roots[0].mode.as_str(), info.roots[0].windows),
        (Some(8192), "PIECEWISE", 25)
    );
    let mut replayed = 0;
    let mut through_capture = 0;
    for stage in &report.stages {
        let c = &stage.coverage;
        assert!(c.capture.computed);
        replayed += stage.summary.graph_replay_ns;
        through_capture += c.capture_ns;
        assert_eq!(c.capture.replayed_ns, stage.summary.graph_replay_ns, "every replay is accounted for");
        assert_eq!(
            c.capture.aligned_ns + c.capture.missed.iter().map(|m| m.ns).sum::<i64>(),
            c.capture.replayed_ns
        );
    }
    assert!(replayed > 0);
    let share = through_capture as f64 / replayed as f64;
    assert!(share >= 0.95, "only {:.1}% of graph-replayed time through capture", share * 100.0);

    // Every replayed row is located through the capture; the MoE, GEMM and norm rows
    // that matter (≥ 2% of GPU time) name their layer functions, not the model's forward.
    // (Inductor's fused pointwise kernels stay in the compiled region of `forward`: that
    // is where their launch was captured.)
    let rows: Vec<&report::triage::KernelRow> =
        report.stages.iter().flat_map(|s| s.kernels.rows.iter()).filter(|r| r.graph_launches > 0).collect();
    assert!(rows.iter().all(|r| r.sites.first().is_some_and(|s| s.via == Via::Capture)));
    let located = |category: Category, function: &str| {
        let of: Vec<_> = rows.iter().filter(|r| r.category == category && r.share_pct >= 2.0).collect();
        assert!(!of.is_empty(), "no {category:?} row");
        for row in of {
            let top = row.sites.first().unwrap_or_else(|| panic!("{}: no site", row.name));
            assert!(!top.location.contains("gpt_oss.py:293"), "{}: {}", row.name, top.location);
            assert!(top.location.contains(function), "{}: {} (wanted {function})", row.name, top.location);
        }
    };
    located(Category::Moe, "triton_kernel_fused_experts");
    located(Category::Gemm, "rocm_unquantized_gemm_impl");
    located(Category::Norm, "rmsnorm");
    let moe = rows.iter().find(|r| r.category == Category::Moe).unwrap();
    assert_eq!(moe.sites[0].cpu_op, "vllm::moe_forward", "the capture-time CPU op");
}

#[test]
fn the_vllm_pair_reports_match_golden_files() {
    testkit::needs_corpus!();
    let mut failures = Vec::new();
    for (with, name) in [
        (true, "capture-vllm-gptoss-mi300x-piecewise.md"),
        // Without the capture folder the execution trace triages as it always did.
        (false, "capture-vllm-gptoss-mi300x-piecewise-without-capture.md"),
    ] {
        let report = pair_report(with);
        failures.extend(golden::check(name, &report::markdown::render(&report)));
        let back = report::Report::from_json(&report.to_json()).unwrap();
        assert_eq!(back, report, "{name}: JSON round trip");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A decode step replaying one graph of two kernels, written the 2026 way: both moved to
/// logical lane 100003 with the hardware stream in `args.original_stream`, and annotated
/// by `mark_kernels` at capture (module and name fields); plus an eager kernel on the
/// hardware stream, and one lane event without its original stream.
const LANES: &str = r#"{"cudaGraphInlineAnnotated": true, "traceEvents": [
  {"ph":"X","cat":"user_annotation","name":"step[DECODE bs=8]","pid":1,"tid":1,"ts":0,"dur":40},
  {"ph":"X","cat":"python_function","name":"/x/sglang/srt/model_executor/cuda_graph_runner.py(700): replay","pid":1,"tid":1,"ts":1,"dur":30},
  {"ph":"X","cat":"cuda_runtime","name":"cudaGraphLaunch","pid":1,"tid":1,"ts":2,"dur":3,"args":{"correlation":11}},
  {"ph":"X","cat":"python_function","name":"/x/sglang/srt/layers/layernorm.py(60): forward","pid":1,"tid":1,"ts":10,"dur":10},
  {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":12,"dur":2,"args":{"correlation":12}},
  {"ph":"X","cat":"kernel","name":"nccl_allgather","pid":0,"tid":100003,"ts":50,"dur":20,"args":{"device":0,"stream":100003,"correlation":11,"graph id":5,"graph node id":21474836501,"name":"all_gather","module_fqn":"model.layers.0.attn","original_stream":7}},
  {"ph":"X","cat":"kernel","name":"gemm_kernel","pid":0,"tid":100003,"ts":72,"dur":30,"args":{"device":0,"stream":100003,"correlation":11,"graph id":5,"graph node id":21474836502,"name":"o_proj","module_fqn":"model.layers.0.attn","original_stream":7}},
  {"ph":"X","cat":"kernel","name":"rmsnorm_kernel","pid":0,"tid":7,"ts":110,"dur":10,"args":{"device":0,"stream":7,"correlation":12,"graph id":0,"graph node id":0}},
  {"ph":"X","cat":"kernel","name":"lost_kernel","pid":0,"tid":100004,"ts":130,"dur":5,"args":{"device":0,"stream":100004,"correlation":11}}
]}"#;

#[test]
fn logical_lanes_use_the_hardware_stream_and_baked_annotations_attribute() {
    let trace = report::trace::load(LANES.as_bytes()).unwrap();
    // The moved kernels are on hardware stream 7, not lane 100003; the one without its
    // original stream keeps the lane (and is flagged).
    assert_eq!(trace.gpu.stream, [7, 7, 7, 100_004]);
    let kinds: Vec<(&str, u64)> = trace.diagnostics.sorted().iter().map(|d| (d.kind.id(), d.count)).collect();
    assert!(kinds.contains(&("logical_lane", 2)), "{kinds:?}");
    assert!(kinds.contains(&("lane_without_stream", 1)), "{kinds:?}");
    assert!(trace.meta.properties.iter().any(|(k, v)| k == "cudaGraphInlineAnnotated" && v == "true"));
    let baked: Vec<&str> =
        trace.gpu.annotation.iter().map(|&s| if s.is_none() { "" } else { trace.str(s) }).collect();
    assert_eq!(baked, ["model.layers.0.attn · all_gather", "model.layers.0.attn · o_proj", "", ""]);

    let inputs = [Input { path: "lanes.trace.json", trace: &trace }];
    let report =
        report::triage::triage_with(&inputs, &Options::default(), report::engine::Catalog::builtin());
    let stage = report.stages.first().expect("a stage");
    let site_of = |kernel: &str| {
        let row = stage.kernels.rows.iter().find(|r| r.name == kernel).unwrap_or_else(|| panic!("{kernel}"));
        row.sites.first().cloned().unwrap()
    };
    let gemm = site_of("gemm_kernel");
    assert_eq!((gemm.location.as_str(), gemm.via), ("model.layers.0.attn · o_proj", Via::Annotation));
    assert_eq!(site_of("nccl_allgather").via, Via::Annotation);
    assert_eq!(site_of("lost_kernel").via, Via::GraphLaunch, "no annotation: the graph launch's frame");
    assert_eq!(site_of("rmsnorm_kernel").via, Via::Direct);
    assert_eq!(stage.coverage.annotation_ns, 50_000);
    let md = report::markdown::render(&report);
    assert!(md.contains("model.layers.0.attn · o_proj [annotation]"), "{md}");
    assert!(md.contains("through baked annotation"), "{md}");
    // The overlap sweep sees hardware stream 7 (and the unresolved lane), not lane
    // 100003: the all-gather shares its stream with the GEMM and cannot hide behind it.
    assert_eq!(stage.overlap.sweep.streams, 2);
    assert_eq!(stage.overlap.sweep.overlap_ns, 0);
}
