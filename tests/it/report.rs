//! Facts of the kernel-table report: parity with the seed tool where it is right, and the
//! stage, attribution and category rules where it is not.

use std::path::PathBuf;

use report::Report;
use report::engine::triage::Input;
use report::engine::triage::Options;
use report::engine::vocab::Stage;
use report::engine::vocab::StageSource;
use report::triage::triage_with as triage;

use crate::common;
use crate::golden::report_of;

fn fixture(rel: &str) -> Report {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    report_of(&path, rel)
}

fn corpus(name: &str) -> Report {
    report_of(&common::corpus_file(name), name)
}

fn synthetic(path: &str, json: &str) -> Report {
    let trace = report::trace::load(json.as_bytes()).unwrap();
    triage(&[Input { path, trace: &trace }], &Options::default(), report::engine::Catalog::builtin())
}

/// Rows of the first markdown table after `heading` in a seed output: (name, GPU time text, share, launches).
fn seed_rows(text: &str, heading: &str) -> Vec<(String, String, f64, u64)> {
    let mut lines = text.lines().skip_while(|l| *l != heading).skip(1);
    let mut rows = Vec::new();
    for line in lines.by_ref().skip(2) {
        if !line.starts_with("| ") {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        rows.push((
            cells[0].to_owned(),
            cells[2].to_owned(),
            cells[3].trim_end_matches('%').parse().unwrap(),
            cells[4].replace(',', "").parse().unwrap(),
        ));
    }
    rows
}

#[test]
fn decode_rows_equal_the_seed_tools() {
    testkit::needs_corpus!();
    let name = "sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE";
    let seed = std::fs::read_to_string(
        common::traces_dir().join(format!("../reference/seed-outputs/{name}.trace.txt")),
    )
    .unwrap();
    let seed = seed_rows(&seed, "##### decode");
    assert!(seed.len() > 15, "parsed the seed's decode table");
    let report = corpus(&format!("{name}.trace.json.gz"));
    assert_eq!(report.stages.len(), 1);
    let stage = &report.stages[0];
    assert_eq!(stage.stage, Stage::Decode);
    assert_eq!(stage.source, StageSource::Path);
    let ours = &stage.kernels.rows;
    assert_eq!(ours.len(), seed.len(), "same rows above the 1.0% cutoff");
    for (name, time, share, launches) in &seed {
        let row = ours.iter().find(|r| &r.name == name).unwrap_or_else(|| panic!("missing row {name}"));
        assert_eq!(&report::format::ms(row.gpu_ns), time, "{name}: GPU time");
        assert_eq!(row.launches, *launches, "{name}: launches");
        assert!((row.share_pct - share).abs() <= 0.1, "{name}: share {} vs {share}", row.share_pct);
    }
}

#[test]
fn sglang_trace_with_both_step_kinds_has_both_sections() {
    testkit::needs_corpus!();
    let report = corpus("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz");
    let stages: Vec<Stage> = report.stages.iter().map(|s| s.stage).collect();
    assert_eq!(stages, [Stage::Prefill, Stage::Decode], "the seed tool misses the extend section");
    assert_eq!(report.stages[0].summary.steps, 8);
    assert_eq!(report.stages[1].summary.steps, 4);
    assert!(report.stages.iter().all(|s| s.source == StageSource::Annotations));
    assert_eq!(report.framework.id, "sglang");
}

#[test]
fn stages_follow_the_launch_not_the_gpu_time() {
    // The decode kernel runs after the CPU step window has closed; it still belongs to decode.
    let r = synthetic(
        "run.json",
        r#"{"traceEvents": [
        {"ph":"X","cat":"user_annotation","name":"step[EXTEND bs=1 toks=128]","pid":1,"tid":1,"ts":0,"dur":100},
        {"ph":"X","cat":"user_annotation","name":"step[DECODE bs=1]","pid":1,"tid":1,"ts":200,"dur":50},
        {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":10,"dur":2,"args":{"correlation":1}},
        {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":240,"dur":2,"args":{"correlation":2}},
        {"ph":"X","cat":"kernel","name":"prefill_gemm","pid":0,"tid":7,"ts":20,"dur":50,"args":{"correlation":1,"stream":7}},
        {"ph":"X","cat":"kernel","name":"decode_gemm","pid":0,"tid":7,"ts":300,"dur":10,"args":{"correlation":2,"stream":7}}
    ]}"#,
    );
    let names: Vec<(Stage, &str)> = r
        .stages
        .iter()
        .flat_map(|s| s.kernels.rows.iter().map(move |row| (s.stage, row.name.as_str())))
        .collect();
    assert_eq!(names, [(Stage::Prefill, "prefill_gemm"), (Stage::Decode, "decode_gemm")]);
}

#[test]
fn vllm_annotations_and_whole_words() {
    let mk = |annotation: &str| {
        synthetic(
            "t.json",
            &format!(
                r#"{{"traceEvents": [
                {{"ph":"X","cat":"user_annotation","name":"{annotation}","pid":1,"tid":1,"ts":0,"dur":100}},
                {{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":10,"dur":2,"args":{{"correlation":1}}}},
                {{"ph":"X","cat":"kernel","name":"k","pid":0,"tid":7,"ts":20,"dur":50,"args":{{"correlation":1,"stream":7}}}}
            ]}}"#
            ),
        )
        .stages
        .iter()
        .map(|s| s.stage)
        .collect::<Vec<_>>()
    };
    assert_eq!(mk("execute_context_1(888)_generation_0(0)"), [Stage::Prefill]);
    assert_eq!(mk("execute_context_0(0)_generation_16(16)"), [Stage::Decode]);
    assert_eq!(mk("execute_context_1(512)_generation_15(15)"), [Stage::Mixed]);
    assert_eq!(mk("prefill"), [Stage::Prefill]);
    assert_eq!(mk("model.decode"), [Stage::Decode]);
    // `decoder` is not decode: the seed tool gave encoder/decoder traces a decode section.
    assert_eq!(mk("TransformerDecoderLayer"), [Stage::All]);
}

#[test]
fn fixtures_cover_each_stage_rule() {
    let by_name = fixture("tests/fixtures/mi300x-hipgraph-excerpt-TP-0-DECODE.trace.json.gz");
    assert_eq!(
        by_name.stages.iter().map(|s| (s.stage, s.source)).collect::<Vec<_>>(),
        [(Stage::Decode, StageSource::Path)]
    );
    let by_dir = fixture("tests/fixtures/prefill/hta-a100-cudagraph-excerpt.trace.json.gz");
    assert_eq!(
        by_dir.stages.iter().map(|s| (s.stage, s.source)).collect::<Vec<_>>(),
        [(Stage::Prefill, StageSource::Path)]
    );
    let by_annotation = fixture("tests/fixtures/vllm-b200-excerpt.pt.trace.json.gz");
    assert_eq!(
        by_annotation.stages.iter().map(|s| (s.stage, s.source)).collect::<Vec<_>>(),
        [(Stage::Prefill, StageSource::Annotations)]
    );
    assert_eq!(by_annotation.framework.id, "vllm");
    let legacy = fixture("tests/fixtures/kineto-resnet50-legacy-excerpt.pt.trace.json.gz");
    assert_eq!(
        legacy.stages.iter().map(|s| (s.stage, s.source)).collect::<Vec<_>>(),
        [(Stage::All, StageSource::None)]
    );
}

#[test]
fn graph_replays_are_attributed_to_the_graph_launch_site() {
    let r = fixture("tests/fixtures/mi300x-hipgraph-excerpt-TP-0-DECODE.trace.json.gz");
    let rows = &r.stages[0].kernels.rows;
    let replayed: Vec<_> = rows.iter().filter(|row| row.graph_launches > 0).collect();
    assert!(!replayed.is_empty());
    for row in replayed {
        let site = row.sites.iter().find(|s| s.graph).unwrap();
        assert!(site.location.starts_with("python/sglang/"), "{}: {}", row.name, site.location);
        assert_ne!(site.cpu_op, "hipGraphLaunch");
    }
    let stage = &r.stages[0].summary;
    assert!(stage.graph_replay_ns > stage.kernel_ns / 2);
}

#[test]
fn legacy_schema_gets_ops_and_call_stack_locations() {
    let r = fixture("tests/fixtures/kineto-resnet50-legacy-excerpt.pt.trace.json.gz");
    let rows = &r.stages[0].kernels.rows;
    assert!(rows.iter().any(|row| row.sites.iter().any(|s| s.cpu_op.starts_with("aten::"))));
    assert!(
        rows.iter().any(|row| row.sites.iter().any(|s| s.location.contains(".py:"))),
        "locations from `Call stack`"
    );
    assert!(rows.iter().any(|row| row.category == report::engine::vocab::Category::Conv));
}

#[test]
fn cpu_op_column_never_shows_a_launch_api() {
    testkit::needs_corpus!();
    for (name, r) in crate::golden::corpus_reports() {
        for stage in &r.stages {
            for row in &stage.kernels.rows {
                for site in &row.sites {
                    let op = site.cpu_op.as_str();
                    let api = [
                        "cudaLaunch",
                        "cudaGraphLaunch",
                        "cuLaunch",
                        "hipLaunch",
                        "hipGraphLaunch",
                        "hipExtModuleLaunch",
                    ];
                    assert!(!api.iter().any(|a| op.starts_with(a)), "{name}: {}: cpu op {op}", row.name);
                }
            }
        }
    }
}

#[test]
fn framework_is_honest() {
    testkit::needs_corpus!();
    for (file, want) in [
        ("hta_v100_2rank_ddp_rank1_large.trace.json.gz", "unknown"),
        ("kineto_resnet50_v100_legacy_schema.pt.trace.json.gz", "unknown"),
        ("deepseek-v3_train_h800_ep64_rank0.trace.json.gz", "unknown"),
        ("hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz", "unknown"),
        ("sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz", "sglang"),
        ("vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz", "vllm"),
    ] {
        assert_eq!(corpus(file).framework.id, want, "{file}");
    }
}

#[test]
fn cutoff_hides_rows_and_says_so() {
    testkit::needs_corpus!();
    let path = common::corpus_file("vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz");
    let trace = report::trace::load(&common::read(&path)).unwrap();
    let at = |min: f64| {
        let o = Options { min_share_pct: min, ..Options::default() };
        triage(&[Input { path: "v.json", trace: &trace }], &o, report::engine::Catalog::builtin())
    };
    let all = at(0.0);
    let some = at(1.0);
    let (a, s) = (&all.stages[0].kernels, &some.stages[0].kernels);
    assert_eq!(a.hidden_rows, 0);
    assert_eq!(a.rows.len() as u64, s.rows.len() as u64 + s.hidden_rows);
    assert_eq!(a.total_ns, s.total_ns);
    assert_eq!(s.hidden_ns, a.rows.iter().filter(|r| r.share_pct < 1.0).map(|r| r.gpu_ns).sum::<i64>());
    assert!(s.rows.iter().all(|r| r.share_pct >= 1.0));
    let md = report::markdown::render(&some);
    assert!(md.contains(&format!("{} more kernels below the 1.0% share cutoff", s.hidden_rows)), "{md}");
}

/// GPU time outside every step window: above 1% of the trace's kernel time it is a section
/// of its own (`outside steps`, with its kernel table, in the report model so markdown,
/// JSON and the browser show it); below, a note.
#[test]
fn gpu_time_outside_the_steps_is_a_section_when_it_is_large() {
    let mk = |outside_us: u32| {
        synthetic(
            "run.json",
            &format!(
                r#"{{"traceEvents": [
            {{"ph":"X","cat":"user_annotation","name":"step[DECODE bs=1]","pid":1,"tid":1,"ts":0,"dur":100}},
            {{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":10,"dur":2,"args":{{"correlation":1}}}},
            {{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":500,"dur":2,"args":{{"correlation":2}}}},
            {{"ph":"X","cat":"kernel","name":"decode_gemm","pid":0,"tid":7,"ts":20,"dur":1000,"args":{{"correlation":1,"stream":7}}}},
            {{"ph":"X","cat":"kernel","name":"warmup_copy_kernel","pid":0,"tid":7,"ts":1100,"dur":{outside_us},"args":{{"correlation":2,"stream":7}}}}
        ]}}"#
            ),
        )
    };
    let big = mk(50);
    let outside: Vec<_> = big.stages.iter().filter(|s| s.stage == Stage::Other).collect();
    assert_eq!(outside.len(), 1, "a section of its own");
    assert_eq!(outside[0].label, "outside steps");
    assert_eq!(outside[0].kernels.rows[0].name, "warmup_copy_kernel");
    let md = report::markdown::render(&big);
    assert!(md.contains("outside steps"), "{md}");
    let small = mk(5);
    assert!(small.stages.iter().all(|s| s.stage != Stage::Other), "0.5%: no section");
    assert!(
        small.notes.iter().any(|n| n.contains("ran outside every stage window")),
        "but a note: {:?}",
        small.notes
    );
}
