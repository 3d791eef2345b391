//! The verdict, fix-first list and trace health: on the four SGLang GB300 traces the
//! verdicts name the dominant family and the waiting all-reduce; every corpus stage has a
//! verdict whose figures agree with its tables; the health findings fire on synthetic
//! traces that lack stacks, shapes, CPU activity or GPU activity of some steps.

use report::Report;
use report::engine::results::verdict::{FixKind, Health, Reading};
use report::engine::vocab::{Category, Family, Stage};

use crate::common;
use crate::golden::report_of;

fn corpus(name: &str) -> Report {
    report_of(&common::corpus_file(name), name)
}

fn stage(r: &Report, stage: Stage) -> &report::StageReport {
    r.stages.iter().find(|s| s.stage == stage).unwrap_or_else(|| panic!("no {stage:?} stage"))
}

#[test]
fn gb300_extend_verdicts_name_the_waiting_all_reduce() {
    testkit::needs_corpus!();
    for rank in 0..4 {
        let name = format!("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-{rank}.trace.json.gz");
        let r = corpus(&name);
        let s = stage(&r, Stage::Prefill);
        let Reading::Communication { family, kernel, waiting, busy_share_pct, .. } = &s.verdict.reading
        else {
            panic!("{name}: extend should be communication-bound: {}", s.verdict.text)
        };
        assert_eq!(*family, Family::AllReduce, "{name}");
        assert_eq!(kernel.short, "all_reduce_two_shot_kernel", "{name}");
        // The reading is the sweep's: exposed communication over busy time.
        let sweep = &s.overlap.sweep;
        let expected = 100.0 * sweep.exposed_comm_ns as f64 / sweep.busy_ns as f64;
        assert!((busy_share_pct - expected).abs() < 1e-9, "{name}");
        // The all-reduce's longest launch dwarfs its median on every rank (18–26×): the
        // verdict says it waits for peers, with the row's own figures.
        let row = s.overlap.rows.iter().find(|o| o.kernel == kernel.name).expect("its overlap row");
        let w = row.waiting.as_ref().expect("the row reads as waiting");
        assert!(w.max_ns >= 8 * w.median_ns, "{name}: {} vs {}", w.max_ns, w.median_ns);
        assert_eq!(waiting.as_ref().map(|x| (x.max_ns, x.median_ns)), Some((w.max_ns, w.median_ns)));
        assert!(s.verdict.text.starts_with("extend/prefill: communication-bound"), "{}", s.verdict.text);
        assert!(s.verdict.text.contains("likely waiting on peer ranks"), "{}", s.verdict.text);
        // The first finding is about that all-reduce, and the wait and its overlappable
        // rest never add up to more than its exposed time.
        let first = s.fix_first.first().expect("a finding");
        assert_eq!(first.subject, kernel.name, "{name}");
        let about: i64 = s.fix_first.iter().filter(|f| f.subject == kernel.name).map(|f| f.saving_ns).sum();
        assert!(about <= row.exposed_ns, "{name}: {about} > {}", row.exposed_ns);
        assert!(s.fix_first.iter().any(|f| f.kind == FixKind::PeerWait), "{name}");
    }
}

#[test]
fn gb300_decode_verdicts_name_the_dominant_family() {
    testkit::needs_corpus!();
    for rank in 0..4 {
        let name = format!("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-{rank}.trace.json.gz");
        let r = corpus(&name);
        let s = stage(&r, Stage::Decode);
        match &s.verdict.reading {
            Reading::Communication { family, .. } => {
                assert_eq!(*family, Family::AllReduce, "{name}");
                assert!(s.overlap.sweep.exposed_comm_ns * 4 >= s.overlap.sweep.busy_ns, "{name}");
            }
            Reading::Kernels { category, .. } => {
                // Rank 1 hides more of its communication: its MoE kernels lead.
                assert_eq!(*category, Category::Moe, "{name}");
                let top = s.verdict.categories.iter().find(|c| c.category != Category::Communication);
                assert_eq!(top.map(|c| c.category), Some(Category::Moe), "{name}");
            }
            other => panic!("{name}: decode should name a family: {other:?}"),
        }
        assert!(s.verdict.text.starts_with("decode: "), "{}", s.verdict.text);
    }
}

#[test]
fn every_corpus_stage_has_a_verdict_whose_findings_are_bounded_and_ranked() {
    testkit::needs_corpus!();
    for (name, report) in crate::golden::corpus_reports() {
        for s in &report.stages {
            assert!(s.verdict.computed, "{name}");
            assert!(!s.verdict.text.is_empty(), "{name}");
            assert!(s.fix_first.len() <= 5, "{name}");
            let cat: i64 = s.verdict.categories.iter().map(|c| c.gpu_ns).sum();
            assert_eq!(cat, s.kernels.total_ns, "{name}: categories add up to the kernel time");
            for w in s.fix_first.windows(2) {
                assert!(w[0].saving_ns >= w[1].saving_ns, "{name}: ranked by saving");
            }
            let span = s.summary.span_ns.max(s.summary.busy_ns);
            for f in &s.fix_first {
                assert!(
                    f.saving_ns > 0 && f.saving_ns <= span,
                    "{name}: {} saves {}",
                    f.subject,
                    f.saving_ns
                );
                assert!(!f.text.is_empty() && f.text.contains("up to"), "{name}: {}", f.text);
                // Each points at a row of its table.
                let found = match f.row.table.as_str() {
                    "overlap" => s.overlap.rows.iter().any(|r| r.kernel == f.row.key),
                    "fuse" => s.fuse.rows.iter().any(|r| r.id == f.row.key),
                    "kernels" => true,
                    other => panic!("{name}: table {other}"),
                };
                assert!(found, "{name}: {} points at no row", f.subject);
            }
        }
    }
}

fn triage_json(json: &str) -> Report {
    let trace = report::trace::load(json.as_bytes()).expect("a trace");
    let inputs = [report::engine::triage::Input { path: "synthetic.json", trace: &trace }];
    report::triage::triage(&inputs, &report::engine::triage::Options::default())
}

/// Kernel `k` of a step: a launch at `t` µs with correlation `c`.
fn launch(t: u32, c: u32, with_kernel: bool) -> String {
    let mut s = format!(
        r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":{t},"dur":2,"args":{{"correlation":{c},"External id":{c}}}}},
{{"ph":"X","cat":"cpu_op","name":"aten::mm","pid":1,"tid":1,"ts":{t0},"dur":4,"args":{{"External id":{c},"Input Dims":[[8,16],[16,32]],"Input type":["float","float"]}}}}"#,
        t0 = t.saturating_sub(1)
    );
    if with_kernel {
        s.push_str(&format!(
            r#",
{{"ph":"X","cat":"kernel","name":"gemm_kernel","pid":0,"tid":7,"ts":{},"dur":20,"args":{{"stream":7,"correlation":{c},"device":0}}}}"#,
            t + 5
        ));
    }
    s
}

/// Four steps of one launch each; steps 3 and 4 lose their GPU side when `drop` is set.
fn steps(drop: bool) -> String {
    let mut events: Vec<String> = Vec::new();
    for k in 0..4u32 {
        let t = 100 + k * 100;
        events.push(format!(
            r#"{{"ph":"X","cat":"user_annotation","name":"execute_context_0(0)_generation_8(8)","pid":1,"tid":1,"ts":{t},"dur":60}}"#
        ));
        events.push(launch(t + 10, k + 1, !(drop && k >= 2)));
    }
    format!(r#"{{"traceEvents":[{}]}}"#, events.join(",\n"))
}

#[test]
fn health_says_when_steps_lost_their_gpu_activity() {
    let clean = triage_json(&steps(false));
    assert!(
        !clean.health.iter().any(|h| matches!(h.finding, Health::DroppedActivity { .. })),
        "{:?}",
        clean.health
    );
    let dropped = triage_json(&steps(true));
    let h = dropped
        .health
        .iter()
        .find(|h| matches!(h.finding, Health::DroppedActivity { .. }))
        .unwrap_or_else(|| panic!("{:?}", dropped.health));
    assert_eq!(h.finding, Health::DroppedActivity { steps: 2, of: 4 });
    assert!(h.text.contains("2 of 4 steps") && !h.fix.is_empty(), "{h:?}");
    assert!(report::markdown::render(&dropped).contains("Trace Health"));
}

#[test]
fn health_names_missing_stacks_shapes_and_cpu_activity() {
    // Shapes recorded but no Python stacks.
    let r = triage_json(&steps(false));
    let kinds: Vec<&Health> = r.health.iter().map(|h| &h.finding).collect();
    assert!(kinds.iter().any(|h| matches!(h, Health::NoStacks { .. })), "{kinds:?}");
    assert!(!kinds.iter().any(|h| matches!(h, Health::NoShapes { .. })), "{kinds:?}");
    // No shapes either.
    let r = triage_json(&steps(false).replace(r#""Input Dims":[[8,16],[16,32]],"#, ""));
    assert!(r.health.iter().any(|h| matches!(h.finding, Health::NoShapes { .. })), "{:?}", r.health);
    // GPU activity only.
    let gpu_only = r#"{"traceEvents":[{"ph":"X","cat":"kernel","name":"k","pid":0,"tid":7,"ts":1,"dur":5,"args":{"stream":7}}]}"#;
    let r = triage_json(gpu_only);
    let kinds: Vec<&Health> = r.health.iter().map(|h| &h.finding).collect();
    assert_eq!(kinds, [&Health::GpuOnly], "stacks and shapes are not asked of a GPU-only trace");
    assert!(r.health[0].fix.contains("ProfilerActivity.CPU"));
}

#[test]
fn health_of_a_corpus_trace_with_graphs_asks_for_capture_traces() {
    testkit::needs_corpus!();
    let r = corpus("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz");
    let h = r
        .health
        .iter()
        .find(|h| matches!(h.finding, Health::GraphWithoutCapture { .. }))
        .expect("graph replays without capture traces");
    assert!(h.fix.contains("--enable-profile-cuda-graph"), "{}", h.fix);
    // The same trace's JSON carries the verdicts, findings and health with their text.
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    let stage = &json["stages"][0];
    assert!(stage["verdict"]["text"].as_str().is_some_and(|t| t.contains("communication-bound")));
    assert_eq!(stage["verdict"]["reading"]["kind"], "communication");
    assert!(stage["fix_first"][0]["text"].as_str().is_some_and(|t| t.contains("up to")));
    assert_eq!(json["health"][0]["kind"], "graph-without-capture");
}
