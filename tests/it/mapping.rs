//! Two-trace triage (mapping + formal) and self-mapping of graph-replayed kernels.
//!
//! Hand-built pairs cover each match kind (exact, normalised, ambiguous) and a kernel the
//! mapping trace lacks; the real SGLang traces check self-mapping against an independent
//! count of eager twins and a mapping-formal report across two runs.

use std::collections::BTreeMap;

use report::Report;
use report::StageReport;
use report::engine::triage::Input;
use report::engine::triage::Options;
use report::engine::triage::Role;
use report::engine::vocab::MatchKind;
use report::engine::vocab::Via;
use report::triage::KernelRow;
use report::triage::Mode;

use crate::common;

/// Builds a small Kineto trace: Python frames, cpu_ops, launches and kernels on one
/// thread and one stream, one call after the other.
#[derive(Default)]
struct Trace {
    events: Vec<String>,
    corr: u32,
    t: u64,
}

impl Trace {
    fn push(&mut self, e: String) {
        self.events.push(e);
    }

    /// A step annotation around the calls made inside `f`.
    fn step(&mut self, name: &str, f: impl FnOnce(&mut Self)) {
        let start = self.t;
        f(self);
        let end = self.t;
        self.push(format!(
            r#"{{"ph":"X","cat":"user_annotation","name":"{name}","pid":1,"tid":1,"ts":{start},"dur":{}}}"#,
            end - start
        ));
        self.t += 10;
    }

    /// One eager launch of `kernel` from Python `frame` inside cpu_op `op`.
    fn eager(&mut self, frame: &str, op: &str, kernel: &str, dur: u64) {
        self.corr += 1;
        let (t, c) = (self.t, self.corr);
        self.push(format!(
            r#"{{"ph":"X","cat":"python_function","name":"/srv/python/sglang/srt/{frame}","pid":1,"tid":1,"ts":{t},"dur":50}}"#
        ));
        self.push(format!(
            r#"{{"ph":"X","cat":"cpu_op","name":"{op}","pid":1,"tid":1,"ts":{},"dur":30,"args":{{"External id":{c}}}}}"#,
            t + 5
        ));
        self.push(format!(
            r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":{},"dur":5,"args":{{"External id":{c},"correlation":{c}}}}}"#,
            t + 10
        ));
        self.kernel(kernel, t + 20, dur, c);
        self.t += 60 + dur;
    }

    /// One graph launch from `frame` replaying `kernels` back to back.
    fn graph(&mut self, frame: &str, kernels: &[(&str, u64)]) {
        self.corr += 1;
        let (t, c) = (self.t, self.corr);
        self.push(format!(
            r#"{{"ph":"X","cat":"python_function","name":"/srv/python/sglang/srt/{frame}","pid":1,"tid":1,"ts":{t},"dur":20}}"#
        ));
        self.push(format!(
            r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaGraphLaunch","pid":1,"tid":1,"ts":{},"dur":5,"args":{{"correlation":{c}}}}}"#,
            t + 5
        ));
        let mut at = t + 20;
        for &(k, dur) in kernels {
            self.kernel(k, at, dur, c);
            at += dur;
        }
        self.t = at + 20;
    }

    fn kernel(&mut self, name: &str, ts: u64, dur: u64, corr: u32) {
        self.kernel_on(7, name, ts, dur, corr);
    }

    fn kernel_on(&mut self, stream: u32, name: &str, ts: u64, dur: u64, corr: u32) {
        self.push(format!(
            r#"{{"ph":"X","cat":"kernel","name":"{name}","pid":0,"tid":{stream},"ts":{ts},"dur":{dur},"args":{{"device":0,"stream":{stream},"correlation":{corr}}}}}"#
        ));
    }

    /// A short eager kernel on stream 9, launched now and running beside the next call's
    /// first kernel (the time does not advance).
    fn beside(&mut self, kernel: &str, dur: u64) {
        self.corr += 1;
        let (t, c) = (self.t, self.corr);
        self.push(format!(
            r#"{{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":{},"dur":5,"args":{{"correlation":{c}}}}}"#,
            t + 10
        ));
        self.kernel_on(9, kernel, t + 20, dur, c);
    }

    fn load(&self) -> report::trace::Trace {
        let json = format!(r#"{{"traceEvents":[{}]}}"#, self.events.join(","));
        report::trace::load(json.as_bytes()).unwrap()
    }
}

const RMSNORM: &str =
    "void flashinfer::norm::FusedAddRMSNormKernel<8u, __nv_bfloat16>(__nv_bfloat16*, unsigned int)";
const NVJET_MAPPING: &str = "nvjet_sm90_tst_128x64_64x6_2x1_v_bz_TNT";
const NVJET_FORMAL: &str = "nvjet_sm103_tst_256x16_64x6_2x1_2cta_v_bz_TNT";
const ADD: &str = "void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float>, std::array<char*, 3ul> >(int, at::native::CUDAFunctor_add<float>, std::array<char*, 3ul>)";
const MISSING: &str = "fused_moe_kernel";
const RUNNER: &str = "model_executor/model_runner.py(3191): _forward_raw";

/// Mapping (graphs off): the norm from one place, the GEMM under another tile/arch name,
/// the add from two places (3:1 GPU time).
fn mapping_trace() -> report::trace::Trace {
    let mut m = Trace::default();
    m.step("step[DECODE bs=16]", |m| {
        m.eager("layers/layernorm.py(64): forward_cuda", "sgl_kernel::fused_add_rmsnorm", RMSNORM, 10);
        m.eager("layers/linear.py(120): forward", "aten::mm", NVJET_MAPPING, 20);
        m.eager("models/qwen3.py(88): forward", "aten::add", ADD, 30);
        m.eager("layers/rotary_embedding.py(40): forward", "aten::add_", ADD, 10);
    });
    m.load()
}

/// Formal (graphs on): every kernel replayed by one graph launch, plus an eager add whose
/// own site stays. With `beside`, a short kernel on a second stream runs beside the replay
/// (so its rows are not serial and stay in the overlap table).
fn formal_trace_with(beside: bool) -> report::trace::Trace {
    let mut f = Trace::default();
    f.step("step[DECODE bs=128]", |f| {
        if beside {
            f.beside("ncclDevKernel_AllGather_RING_LL", 5);
        }
        f.graph(RUNNER, &[(RMSNORM, 40), (NVJET_FORMAL, 80), (ADD, 100), (MISSING, 200), (RMSNORM, 40)]);
        f.eager("managers/scheduler.py(900): run_batch", "aten::add", ADD, 20);
    });
    f.load()
}

fn formal_trace() -> report::trace::Trace {
    formal_trace_with(false)
}

fn row<'a>(stage: &'a StageReport, name: &str) -> &'a KernelRow {
    stage.kernels.rows.iter().find(|r| r.name == report::engine::names::canonical(name)).unwrap()
}

fn options() -> Options {
    Options { min_share_pct: 0.0, ..Options::default() }
}

fn two_trace() -> Report {
    two_trace_of(formal_trace())
}

fn two_trace_of(f: report::trace::Trace) -> Report {
    let m = mapping_trace();
    let mapping = [Input { path: "graph-off/mapping.trace.json", trace: &m }];
    let formal = [Input { path: "graph-on/formal.trace.json", trace: &f }];
    report::Report::from(report::engine::triage::triage_mapping_formal(
        &mapping,
        &formal,
        &options(),
        report::engine::Catalog::builtin(),
    ))
}

#[test]
fn exact_normalised_and_missing_kernels_of_a_pair() {
    let r = two_trace();
    assert_eq!(r.mode, Mode::MappingFormal);
    let roles: Vec<&str> = r.inputs.iter().map(|i| i.role.as_str()).collect();
    assert_eq!(roles, ["mapping", "formal"]);
    assert_eq!(r.stages.len(), 1, "only the formal trace has stage sections");
    let decode = &r.stages[0];
    assert_eq!(decode.inputs, [1]);

    // Exact: same name, one eager location; its cpu_op comes along.
    let norm = row(decode, RMSNORM);
    assert_eq!((norm.via, norm.matched), (Via::Mapping, MatchKind::Exact));
    assert_eq!(norm.sites.len(), 1);
    let s = &norm.sites[0];
    assert_eq!(s.location, "python/sglang/srt/layers/layernorm.py:64 forward_cuda");
    assert_eq!(s.cpu_op, "sgl_kernel::fused_add_rmsnorm");
    assert!(s.graph, "the formal launches are still replays");
    assert_eq!((s.launches, s.gpu_ns, s.share_pct), (2, 80_000, 100.0));

    // Normalised: another architecture and tile shape.
    let gemm = row(decode, NVJET_FORMAL);
    assert_eq!((gemm.via, gemm.matched), (Via::Mapping, MatchKind::Normalised));
    assert_eq!(gemm.sites[0].location, "python/sglang/srt/layers/linear.py:120 forward");
    assert_eq!(gemm.sites[0].cpu_op, "aten::mm");

    // Missing from the mapping trace: keeps the graph launch's site.
    let moe = row(decode, MISSING);
    assert_eq!((moe.via, moe.matched), (Via::GraphLaunch, MatchKind::None));
    assert_eq!(moe.sites[0].location, "python/sglang/srt/model_executor/model_runner.py:3191 _forward_raw");
    assert_eq!(moe.sites[0].via, Via::GraphLaunch);

    // Coverage: 80 + 80 + 100 mapped (the add is ambiguous), 200 through the graph launch,
    // 20 direct (the eager add keeps its own site).
    let c = &decode.coverage;
    assert_eq!(c.total_ns, decode.summary.kernel_ns);
    assert_eq!(
        (c.direct_ns, c.graph_launch_ns, c.mapping_ns, c.self_mapping_ns, c.unattributed_ns),
        (20_000, 200_000, 260_000, 0, 0)
    );
    assert_eq!((c.exact_ns, c.normalised_ns, c.ambiguous_ns), (80_000, 80_000, 100_000));
}

#[test]
fn ambiguous_matches_show_every_location_with_its_share() {
    let r = two_trace();
    let add = row(&r.stages[0], ADD);
    assert_eq!(add.matched, MatchKind::Ambiguous);
    // 100 µs replayed, split 3:1 as in the mapping; the eager 20 µs keep their own site.
    let sites: Vec<(&str, Via, MatchKind, i64, u64)> =
        add.sites.iter().map(|s| (s.location.as_str(), s.via, s.matched, s.gpu_ns, s.launches)).collect();
    assert_eq!(
        sites,
        [
            ("python/sglang/srt/models/qwen3.py:88 forward", Via::Mapping, MatchKind::Ambiguous, 75_000, 1),
            (
                "python/sglang/srt/layers/rotary_embedding.py:40 forward",
                Via::Mapping,
                MatchKind::Ambiguous,
                25_000,
                0
            ),
            (
                "python/sglang/srt/managers/scheduler.py:900 run_batch",
                Via::Direct,
                MatchKind::None,
                20_000,
                1
            ),
        ]
    );
    assert_eq!(add.sites.iter().map(|s| s.gpu_ns).sum::<i64>(), add.gpu_ns);
    let md = report::markdown::render(&r);
    let line =
        md.lines().find(|l| l.starts_with("| void at::native::vectorized_elementwise_kernel")).unwrap();
    assert!(
        line.contains("python/sglang/srt/models/qwen3.py:88 forward [mapped, ambiguous] (site share 62%)"),
        "{line}"
    );
    assert!(line.contains("rotary_embedding.py:40 forward [mapped, ambiguous] (site share 21%)"), "{line}");
}

#[test]
fn header_lists_both_sets_and_coverage_per_stage() {
    let md = report::markdown::render(&two_trace());
    let head: Vec<&str> = md.lines().take(5).collect();
    assert_eq!(
        head,
        [
            "Triage View",
            "Mode: mapping-formal",
            "Framework: SGLang (from trace content)",
            "Mapping traces: graph-off/mapping.trace.json",
            "Formal traces: graph-on/formal.trace.json",
        ]
    );
    // 480 µs: 20 direct, 200 through the graph launch, 260 mapped (80 exact, 80 normalised,
    // 100 ambiguous).
    assert!(md.contains(
        "Python attribution of GPU time: direct 4.2% · through graph launch 41.7% · through mapping 54.2% · unattributed 0.0% (mapped matches: exact 30.8%, normalised name 30.8%, ambiguous 38.5%)"
    ), "{md}");
    assert!(md.contains("[mapped, normalised name]"), "{md}");
}

#[test]
fn overlap_and_fuse_tables_see_the_mapped_locations() {
    // A second stream works beside the replay: a single busy stream would fold the rows.
    let r = two_trace_of(formal_trace_with(true));
    let decode = &r.stages[0];
    assert_eq!(decode.overlap.serial_folded_rows, 0);
    assert!(decode.overlap.rows.iter().any(|r| r.kernel == report::engine::names::canonical(RMSNORM)));
    // The fuse matcher reads the rows' mapped locations (anchor-spec §13 step 3).
    let fused =
        decode.fuse.rows.iter().find(|f| f.kernels.iter().any(|k| k.name.contains("FusedAddRMSNorm")));
    let fused = fused.expect("the fused add+RMSNorm kernel is a confirmed pattern");
    let k = fused.kernels.iter().find(|k| k.name.contains("FusedAddRMSNorm")).unwrap();
    assert_eq!(k.locations, ["python/sglang/srt/layers/layernorm.py:64 forward_cuda"]);
    // Overlap rows take their Python scope from the same sources.
    for row in &decode.overlap.rows {
        if row.kernel == report::engine::names::canonical(RMSNORM) {
            assert_eq!(row.python_scope, "python/sglang/srt/layers/layernorm.py:64 forward_cuda");
            assert_eq!(row.via, Via::Mapping);
        }
        if row.kernel == MISSING {
            assert_eq!(row.via, Via::GraphLaunch);
        }
    }
    assert!(decode.overlap.rows.iter().any(|r| r.kernel == MISSING), "the long MoE kernel is exposed");
    // Alone on its stream, the same replay is a serial chain: its compute rows fold away.
    let serial = two_trace();
    let o = &serial.stages[0].overlap;
    assert!(o.serial_folded_rows > 0 && !o.rows.iter().any(|r| r.kernel == MISSING), "{:?}", o.rows);
}

#[test]
fn matching_prefers_the_same_stage() {
    // The mapping launches the norm from one place in prefill and another in decode.
    let mut m = Trace::default();
    m.step("step[EXTEND bs=2 toks=4096]", |m| {
        m.eager("layers/layernorm.py(10): forward_prefill", "aten::norm", RMSNORM, 50);
    });
    m.step("step[DECODE bs=16]", |m| {
        m.eager("layers/layernorm.py(20): forward_decode", "aten::norm", RMSNORM, 5);
    });
    let m = m.load();
    let mut f = Trace::default();
    f.step("step[EXTEND bs=2 toks=4096]", |f| f.graph(RUNNER, &[(RMSNORM, 40), (ADD, 10)]));
    f.step("step[DECODE bs=16]", |f| f.graph(RUNNER, &[(RMSNORM, 4), (ADD, 1)]));
    let f = f.load();
    let inputs = [
        (Role::Mapping, Input { path: "m.json", trace: &m }),
        (Role::Formal, Input { path: "f.json", trace: &f }),
    ];
    let r = report::Report::from(report::engine::triage::triage_with_roles(
        &inputs,
        &options(),
        report::engine::Catalog::builtin(),
    ));
    assert_eq!(r.mode, Mode::MappingFormal);
    let locations: Vec<(String, String)> =
        r.stages.iter().map(|s| (s.label.clone(), row(s, RMSNORM).sites[0].location.clone())).collect();
    assert_eq!(
        locations,
        [
            (
                "extend/prefill".to_owned(),
                "python/sglang/srt/layers/layernorm.py:10 forward_prefill".to_owned()
            ),
            ("decode".to_owned(), "python/sglang/srt/layers/layernorm.py:20 forward_decode".to_owned()),
        ]
    );
    // The add is in no mapping stage: it keeps the graph launch's site.
    for s in &r.stages {
        assert_eq!(row(s, ADD).via, Via::GraphLaunch);
    }
}

#[test]
fn self_mapping_uses_eager_launches_of_the_same_trace() {
    let mut t = Trace::default();
    t.step("step[EXTEND bs=2 toks=4096]", |t| {
        t.eager("layers/layernorm.py(64): forward_cuda", "sgl_kernel::fused_add_rmsnorm", RMSNORM, 30);
    });
    t.step("step[DECODE bs=16]", |t| t.graph(RUNNER, &[(RMSNORM, 10), (MISSING, 50)]));
    let t = t.load();
    let r = report::triage::triage_with(
        &[Input { path: "t.json", trace: &t }],
        &options(),
        report::engine::Catalog::builtin(),
    );
    assert_eq!(r.mode, Mode::SingleTrace);
    assert_eq!(r.inputs[0].role, "trace");
    let decode = r.stages.iter().find(|s| s.label == "decode").unwrap();
    let norm = row(decode, RMSNORM);
    assert_eq!((norm.via, norm.matched), (Via::SelfMapping, MatchKind::Exact));
    assert_eq!(norm.sites[0].location, "python/sglang/srt/layers/layernorm.py:64 forward_cuda");
    assert_eq!(row(decode, MISSING).via, Via::GraphLaunch, "no eager twin: not self-mapped");
    assert_eq!((decode.coverage.self_mapping_ns, decode.coverage.graph_launch_ns), (10_000, 50_000));
    let md = report::markdown::render(&r);
    assert!(md.contains("forward_cuda [self-mapped]"), "{md}");
    assert!(md.contains(
        "Python attribution of GPU time: direct 0.0% · through graph launch 83.3% · through self-mapping 16.7% · unattributed 0.0% (mapped matches: exact 100.0%)"
    ), "{md}");
    // The report reads back with the new fields.
    assert_eq!(Report::from_json(&r.to_json()).unwrap(), r);
}

#[test]
fn an_empty_mapping_side_is_said() {
    let f = formal_trace();
    let formal = [Input { path: "f.json", trace: &f }];
    let r = report::Report::from(report::engine::triage::triage_mapping_formal(
        &[],
        &formal,
        &options(),
        report::engine::Catalog::builtin(),
    ));
    assert!(r.notes.iter().any(|n| n.starts_with("No mapping traces were given")), "{:?}", r.notes);
    // The formal's own eager add still self-maps the replayed add.
    assert_eq!(row(&r.stages[0], ADD).sites[0].via, Via::SelfMapping);
}

// ---- Real traces -------------------------------------------------------------------------

const BS16: &str = "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz";
const BS128_DECODE: &str = "sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz";

fn stage_id(s: report::engine::vocab::Stage) -> &'static str {
    match s {
        report::engine::vocab::Stage::Prefill => "prefill",
        report::engine::vocab::Stage::Decode => "decode",
        _ => "other",
    }
}

fn ns(v: &serde_json::Value) -> i64 {
    (v.as_f64().unwrap() * 1000.0).round() as i64
}

/// Launches and GPU time per (stage, canonical kernel name).
type PerKernel = BTreeMap<(String, String), (u64, i64)>;

/// Graph-replayed GPU time per (stage, canonical name) that has an eager twin, computed
/// from the trace JSON alone: launches by correlation, Python frames around the launch,
/// stages from the `step[…]` windows around the launch (else around the kernel), twins by
/// the three identity keys.
fn expected_self_mapped(json: &serde_json::Value) -> (PerKernel, usize, usize) {
    let events = json["traceEvents"].as_array().unwrap();
    let cat = |e: &serde_json::Value| e["cat"].as_str().unwrap_or("").to_owned();
    let mut runtime: BTreeMap<u64, &serde_json::Value> = BTreeMap::new();
    let mut frames: Vec<(i64, i64, i64, i64)> = Vec::new();
    let mut windows: Vec<(bool, i64, i64, String)> = Vec::new();
    for e in events {
        match cat(e).as_str() {
            "cuda_runtime" | "cuda_driver" => {
                if let Some(c) = e["args"]["correlation"].as_u64() {
                    runtime.entry(c).or_insert(e);
                }
            }
            "python_function" => frames.push((
                e["pid"].as_i64().unwrap_or(-1),
                e["tid"].as_i64().unwrap_or(-1),
                ns(&e["ts"]),
                ns(&e["ts"]) + ns(&e["dur"]),
            )),
            c @ ("user_annotation" | "gpu_user_annotation") => {
                let name = e["name"].as_str().unwrap();
                let stage = if name.starts_with("step[EXTEND") {
                    "prefill"
                } else if name.starts_with("step[DECODE") {
                    "decode"
                } else {
                    continue;
                };
                windows.push((
                    c == "gpu_user_annotation",
                    ns(&e["ts"]),
                    ns(&e["ts"]) + ns(&e["dur"]),
                    stage.to_owned(),
                ));
            }
            _ => {}
        }
    }
    let stage_at = |gpu: bool, t: i64| {
        windows
            .iter()
            .filter(|w| w.0 == gpu && w.1 <= t && t <= w.2)
            .min_by_key(|w| w.2 - w.1)
            .map(|w| w.3.clone())
    };
    // (name, graph, has Python frame at launch, stage, dur)
    let mut activities: Vec<(String, bool, bool, String, i64)> = Vec::new();
    for e in events {
        if !matches!(cat(e).as_str(), "kernel" | "gpu_memcpy" | "gpu_memset") {
            continue;
        }
        let launch = e["args"]["correlation"].as_u64().and_then(|c| runtime.get(&c));
        let graph = launch.is_some_and(|l| l["name"] == "cudaGraphLaunch");
        let python = launch.is_some_and(|l| {
            let (pid, tid, t) =
                (l["pid"].as_i64().unwrap_or(-2), l["tid"].as_i64().unwrap_or(-2), ns(&l["ts"]));
            frames.iter().any(|&(p, th, s, end)| p == pid && th == tid && s <= t && t <= end)
        });
        let stage = launch
            .and_then(|l| stage_at(false, ns(&l["ts"])))
            .or_else(|| stage_at(true, ns(&e["ts"])))
            .unwrap_or_else(|| "other".to_owned());
        activities.push((e["name"].as_str().unwrap().to_owned(), graph, python, stage, ns(&e["dur"])));
    }
    let keys = |n: &str| {
        [
            Some(report::engine::names::canonical(n)),
            Some(report::engine::names::normalized(n)).filter(|k| !k.is_empty()),
            report::engine::names::family(n),
        ]
    };
    let mut eager: [std::collections::BTreeSet<String>; 3] = Default::default();
    for (name, graph, python, _, _) in &activities {
        if !graph && *python {
            for (tier, k) in keys(name).into_iter().enumerate() {
                if let Some(k) = k {
                    eager[tier].insert(k);
                }
            }
        }
    }
    let mut out: PerKernel = BTreeMap::new();
    let (mut replayed, mut eager_n) = (0, 0);
    for (name, graph, python, stage, dur) in &activities {
        if !graph {
            eager_n += 1;
            continue;
        }
        replayed += 1;
        let twin = keys(name)
            .iter()
            .enumerate()
            .any(|(tier, k)| k.as_ref().is_some_and(|k| eager[tier].contains(k)));
        let _ = python;
        if twin {
            let e = out.entry((stage.clone(), report::engine::names::canonical(name))).or_insert((0, 0));
            e.0 += 1;
            e.1 += dur;
        }
    }
    (out, replayed, eager_n)
}

#[test]
fn self_mapping_on_the_sglang_trace_attributes_exactly_the_kernels_with_eager_twins() {
    testkit::needs_corpus!();
    let path = common::corpus_file(BS16);
    let bytes = common::read(&path);
    let json: serde_json::Value = serde_json::from_slice(&common::gunzip(&bytes)).unwrap();
    let (expected, replayed, eager) = expected_self_mapped(&json);
    // The trace as the issue describes it (kernels, copies and fills all count here).
    let kernels = json["traceEvents"].as_array().unwrap().iter().filter(|e| e["cat"] == "kernel").count();
    assert_eq!(kernels, 10_770);
    assert_eq!(replayed, 9_984);
    assert_eq!(eager, 10_770 - 9_984 + 585, "786 eager kernels plus 585 copies and fills");
    assert!(!expected.is_empty());

    let trace = report::trace::load(&bytes).unwrap();
    let r = report::triage::triage_with(
        &[Input { path: BS16, trace: &trace }],
        &options(),
        report::engine::Catalog::builtin(),
    );
    // Self-mapped launches and time per (stage, kernel row), from the report.
    let mut actual: PerKernel = BTreeMap::new();
    for s in &r.stages {
        for row in &s.kernels.rows {
            for site in row.sites.iter().filter(|x| x.via == Via::SelfMapping) {
                assert!(site.graph, "{}: only graph replays are self-mapped here", row.name);
                let e = actual.entry((stage_id(s.stage).to_owned(), row.name.clone())).or_insert((0, 0));
                e.0 += site.launches;
                e.1 += site.gpu_ns;
            }
            let graph_sites = row.sites.iter().filter(|x| x.graph && x.via == Via::GraphLaunch).count();
            let mapped = row.sites.iter().any(|x| x.via == Via::SelfMapping);
            assert!(
                !(mapped && graph_sites > 0),
                "{}: all or none of a kernel's replays are mapped",
                row.name
            );
        }
    }
    // The report leaves out work outside the stage windows (0.3% of GPU time).
    let shown: PerKernel =
        expected.iter().filter(|((stage, _), _)| stage != "other").map(|(k, v)| (k.clone(), *v)).collect();
    assert_eq!(actual, shown);
    // The coverage line states that share, per stage.
    let md = report::markdown::render(&r);
    for s in &r.stages {
        let want: i64 = shown.iter().filter(|((st, _), _)| st == stage_id(s.stage)).map(|(_, v)| v.1).sum();
        assert_eq!(s.coverage.self_mapping_ns, want, "{}", s.label);
        let c = &s.coverage;
        assert_eq!(c.total_ns, s.summary.kernel_ns);
        assert_eq!(
            c.direct_ns + c.graph_launch_ns + c.mapping_ns + c.self_mapping_ns + c.unattributed_ns,
            c.total_ns
        );
        let share = report::format::pct(report::format::share(want, c.total_ns));
        let line = md
            .lines()
            .skip_while(|l| *l != "Kernel Table")
            .skip_while(|l| *l != format!("##### {}", s.label))
            .find(|l| l.starts_with("Python attribution of GPU time:"))
            .unwrap();
        assert!(line.contains(&format!("through self-mapping {share}")), "{line}");
    }
}

#[test]
fn mapping_formal_across_two_sglang_runs_states_coverage_per_stage() {
    testkit::needs_corpus!();
    let m = report::trace::load(&common::read(&common::corpus_file(BS16))).unwrap();
    let f = report::trace::load(&common::read(&common::corpus_file(BS128_DECODE))).unwrap();
    let mapping = [Input { path: BS16, trace: &m }];
    let formal = [Input { path: BS128_DECODE, trace: &f }];
    let r = report::Report::from(report::engine::triage::triage_mapping_formal(
        &mapping,
        &formal,
        &Options::default(),
        report::engine::Catalog::builtin(),
    ));
    assert_eq!(r.mode, Mode::MappingFormal);
    assert_eq!(r.stages.len(), 1);
    let decode = &r.stages[0];
    let c = &decode.coverage;
    assert_eq!(
        c.self_mapping_ns + c.direct_ns + c.graph_launch_ns + c.mapping_ns + c.unattributed_ns,
        c.total_ns
    );
    assert!(c.mapping_ns > 0, "some formal kernels have eager twins in the mapping run");
    // Every mapped row has mapped sites and a match kind; every site's share adds up.
    let all = report::Report::from(report::engine::triage::triage_mapping_formal(
        &mapping,
        &formal,
        &options(),
        report::engine::Catalog::builtin(),
    ));
    let mut mapped_ns = 0;
    for row in &all.stages[0].kernels.rows {
        assert_eq!(row.sites.iter().map(|s| s.gpu_ns).sum::<i64>(), row.gpu_ns, "{}", row.name);
        let mapped: i64 = row.sites.iter().filter(|s| s.via == Via::Mapping).map(|s| s.gpu_ns).sum();
        if mapped > 0 {
            assert_ne!(row.matched, MatchKind::None, "{}", row.name);
        }
        mapped_ns += mapped;
    }
    assert_eq!(mapped_ns, all.stages[0].coverage.mapping_ns);
    let md = report::markdown::render(&r);
    assert!(md.contains("Mapping traces: sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz"));
    assert!(md.contains("Formal traces: sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz"));
    let line = md.lines().find(|l| l.starts_with("Python attribution of GPU time:")).unwrap();
    assert!(
        line.contains(&format!(
            "through mapping {}",
            report::format::pct(report::format::share(c.mapping_ns, c.total_ns))
        )),
        "{line}"
    );
}
