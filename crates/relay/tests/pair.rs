//! Issue 25 against fake servers: a two-server capture (graphs off / on) giving the
//! mapping + formal report, refused pairs, graph-capture traces collected and used, and
//! the diffusion backend gate stopping a capture while it runs.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types, missing_docs)]

mod common;

use std::path::{Path, PathBuf};

use common::fake::{Config, Fake, Kind};
use common::{Tmp, capture, capture_dir, stderr, stdout, trace};
use serde_json::Value;

const MI300X: &str = "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz";
const HF: &str = "hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz";

fn sglang(graphs: Option<bool>, source: &str) -> Fake {
    let mut cfg = Config::new(Kind::Sglang, vec![(trace(source), trace(source))]);
    cfg.graphs = graphs;
    Fake::start(cfg)
}

const SMALL: &[&str] =
    &["--warmup-steps", "2", "--num-steps", "3", "--prefill-input-len", "64", "--decode-output-len", "64"];

fn pair(mapping: &Fake, formal: &Fake, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args =
        vec!["--mapping-url", &mapping.url, "--formal-url", &formal.url, "--out", out.to_str().unwrap()];
    args.extend_from_slice(SMALL);
    args.extend_from_slice(extra);
    let o = capture(&args);
    mapping.join_writers();
    formal.join_writers();
    o
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The mapping + formal triage of exactly the captured files, done here.
fn expected_pair_report(dir: &Path, mapping: &[String], formal: &[String]) -> report::Report {
    let load = |rels: &[String]| -> Vec<report::trace::Trace> {
        rels.iter().map(|r| report::trace::load(&std::fs::read(dir.join(r)).unwrap()).unwrap()).collect()
    };
    let (mt, ft) = (load(mapping), load(formal));
    let mi = report::engine::triage::Input::zip(mapping, &mt);
    let fi = report::engine::triage::Input::zip(formal, &ft);
    let args = std::fs::read_to_string(dir.join("formal/server_args.json")).unwrap();
    let options = report::engine::triage::Options {
        framework: Some(report::engine::analysis::framework::Framework::Sglang),
        min_share_pct: 1.0,
        server_args: report::engine::analysis::framework::ServerArgs::parse(&args),
        ..report::engine::triage::Options::default()
    };
    report::Report::from(report::engine::triage::triage_mapping_formal(
        &mi,
        &fi,
        &options,
        report::engine::Catalog::builtin(),
    ))
}

#[test]
fn two_servers_graphs_off_and_on_give_the_mapping_formal_report() {
    testkit::needs_corpus!();
    let (mapping, formal) = (sglang(Some(false), HF), sglang(Some(true), MI300X));
    let out = Tmp::new("pair");
    let o = pair(&mapping, &formal, out.path(), &[]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    // Each server got the whole workload, one after the other, and its profile stopped.
    for f in [&mapping, &formal] {
        let calls = f.calls();
        assert_eq!(calls.iter().filter(|c| *c == "POST /start_profile").count(), 2, "{calls:?}");
        assert!(calls.contains(&"GET /server_info".to_owned()));
    }
    let dir = capture_dir(out.path());
    assert!(dir.file_name().unwrap().to_string_lossy().starts_with("sglang-pair-"), "{}", dir.display());
    let files = common::files_under(&dir);
    // In capture order: prefill, then decode.
    let traces = |side: &str| -> Vec<String> {
        ["prefill/", "decode/"]
            .iter()
            .filter_map(|st| {
                files
                    .iter()
                    .find(|f| f.starts_with(&format!("{side}{st}")) && f.ends_with("-TP-0.trace.json.gz"))
            })
            .cloned()
            .collect()
    };
    let (m, f) = (traces("mapping/"), traces("formal/"));
    assert_eq!((m.len(), f.len()), (2, 2), "{files:?}");
    for want in ["mapping/server_args.json", "formal/server_args.json", "capture.json", "report.json"] {
        assert!(files.contains(&want.to_owned()), "{want} missing: {files:?}");
    }
    assert!(!files.iter().any(|f| f.starts_with("mapping/capture.json") || f.starts_with("formal/report")));
    // The report is the two-trace triage of exactly those files.
    let expected = expected_pair_report(&dir, &m, &f);
    let written = std::fs::read_to_string(dir.join("report.json")).unwrap();
    assert_eq!(written, format!("{}\n", expected.to_json()));
    assert_eq!(stdout(&o), report::markdown::render(&expected));
    let record = json(&dir.join("capture.json"));
    assert_eq!(record["mode"], "mapping-formal");
    assert_eq!(record["outcome"], "done");
    assert_eq!(record["mapping"]["graphs"]["setting"], "off");
    assert_eq!(record["formal"]["graphs"]["setting"], "on");
    assert_eq!(record["mapping"]["url"], mapping.url.as_str());
    assert_eq!(record["formal"]["stages"].as_array().unwrap().len(), 2);
    assert!(err.contains("two-server capture: mapping"), "{err}");
    // The formal server runs graphs without capture traces: the plan line says how to get them.
    assert!(
        err.contains("--enable-profile-cuda-graph") && err.contains("SGLANG_GRAPH_BATCH_CAPTURE=1"),
        "{err}"
    );
}

#[test]
fn a_swapped_or_identical_pair_is_refused_with_the_flags_to_change() {
    let out = Tmp::new("pair-refused");
    let (on, off) = (sglang(Some(true), MI300X), sglang(Some(false), MI300X));
    let (on2, off2) = (sglang(Some(true), MI300X), sglang(Some(false), MI300X));
    let o = pair(&on, &off, out.path(), &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("refused: the pair is swapped"), "{err}");
    assert!(err.contains("--disable-cuda-graph --disable-piecewise-cuda-graph"), "{err}");
    let o = pair(&on, &on2, out.path(), &[]);
    assert!(stderr(&o).contains("both servers have CUDA graphs on"), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("restart {} with --disable-cuda-graph", on.url)), "{}", stderr(&o));
    let o = pair(&off, &off2, out.path(), &[]);
    assert!(stderr(&o).contains("both servers have CUDA graphs off"), "{}", stderr(&o));
    // Nothing was armed nor made.
    for f in [&on, &off, &on2, &off2] {
        assert!(
            !f.calls().iter().any(|c| c.contains("_profile") || c.contains("/generate")),
            "{:?}",
            f.calls()
        );
    }
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none(), "no capture folder");
}

#[test]
fn a_side_that_does_not_report_its_graphs_is_a_warning() {
    testkit::needs_corpus!();
    let (mapping, formal) = (sglang(None, HF), sglang(Some(true), MI300X));
    let out = Tmp::new("pair-unknown");
    let o = pair(&mapping, &formal, out.path(), &["--workload", "prefill"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("WARNING") || err.contains("does not say whether it runs CUDA graphs"), "{err}");
    assert!(
        err.contains("must have been started with --disable-cuda-graph --disable-piecewise-cuda-graph"),
        "{err}"
    );
}

fn capture_pair_dir() -> PathBuf {
    common::traces().join("capture/vllm_gptoss_mi300x_piecewise")
}

/// vLLM with `capture_torch_profiler`: the capture traces in its torch_profiler_dir's
/// `capture_traces/` are copied (the server's stay) and attribute the graph replays.
#[test]
fn vllm_capture_traces_are_copied_and_used() {
    testkit::needs_corpus!();
    let src = capture_pair_dir();
    let server_dir = Tmp::new("vllm-capture-server");
    std::fs::create_dir_all(server_dir.path().join("capture_traces")).unwrap();
    let name = "graph_capture_rank_0.1773709679453551615.pt.trace.json.gz";
    std::fs::copy(src.join("capture_traces").join(name), server_dir.path().join("capture_traces").join(name))
        .unwrap();
    let exec = src.join("graph_execution.json.gz");
    let mut cfg = Config::new(Kind::Vllm, vec![(exec.clone(), exec)]);
    cfg.server_path = Some(server_dir.path().to_owned());
    let fake = Fake::start(cfg);
    let out = Tmp::new("vllm-capture-out");
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--server-trace-path",
        server_dir.path().to_str().unwrap(),
        "--workload",
        "decode",
        "--warmup-steps",
        "2",
        "--decode-output-len",
        "64",
    ]);
    fake.join_writers();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let dir = capture_dir(out.path());
    assert!(dir.join("capture_traces").join(name).is_file(), "copied into the capture");
    assert!(server_dir.path().join("capture_traces").join(name).is_file(), "the server's stays");
    assert!(err.contains("graph attribution through 1 capture trace(s)"), "{err}");
    let md = stdout(&o);
    assert!(md.contains("through capture"), "the coverage line names the capture traces:\n{md}");
    let report = json(&dir.join("report.json"));
    assert_eq!(report["captures"][0]["path"], format!("capture_traces/{name}"));
}

/// SGLang writes its capture traces where it runs, not into the capture folder: the user
/// names them with --capture-traces; without them the plan line names the flags.
#[test]
fn capture_traces_named_with_the_option_are_copied_and_their_absence_is_explained() {
    testkit::needs_corpus!();
    let elsewhere = Tmp::new("sglang-capture-traces");
    let folder = elsewhere.path().join("graph_capture_profile");
    std::fs::create_dir_all(&folder).unwrap();
    let mine = folder.join("cuda_graph_capture-CudaGraphRunner-TP-0.json.gz");
    std::fs::copy(trace(MI300X), &mine).unwrap();
    let fake = sglang(Some(true), MI300X);
    let out = Tmp::new("sglang-capture-out");
    let mut args = vec!["--url", &fake.url, "--out", out.path().to_str().unwrap(), "--workload", "prefill"];
    args.extend_from_slice(SMALL);
    let with = [args.clone(), vec!["--capture-traces", folder.to_str().unwrap()]].concat();
    let o = capture(&with);
    fake.join_writers();
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = capture_dir(out.path());
    assert!(dir.join("graph_capture_profile/cuda_graph_capture-CudaGraphRunner-TP-0.json.gz").is_file());
    assert!(mine.is_file(), "copied, not moved");
    assert!(stderr(&o).contains("graph attribution through 1 capture trace(s)"), "{}", stderr(&o));

    let out = Tmp::new("sglang-no-capture-out");
    args[3] = out.path().to_str().unwrap();
    let o = capture(&args);
    fake.join_writers();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let plan = err.lines().find(|l| l.contains("prefill: plan: ")).unwrap();
    assert!(
        plan.contains("no graph-capture traces") && plan.contains("--enable-profile-cuda-graph"),
        "{plan}"
    );
}

/// The server log gets the diffusers fallback line once profiling starts: the capture
/// stops at once with the gate's refusal, and /stop_profile still follows.
#[test]
fn a_diffusers_fallback_in_the_log_mid_capture_stops_it() {
    testkit::needs_corpus!();
    let logs = Tmp::new("live-log");
    let log = logs.path().join("server.log");
    std::fs::write(&log, "[x] server started\n").unwrap();
    let mut cfg = Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]);
    cfg.log = Some((log.clone(), "[x] Falling back to diffusers backend.".to_owned()));
    let fake = Fake::start(cfg);
    let out = Tmp::new("live-log-out");
    let mut args = vec![
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--server-log",
        log.to_str().unwrap(),
    ];
    args.extend_from_slice(&["--workload", "prefill", "--warmup-steps", "2", "--num-steps", "5"]);
    args.extend_from_slice(&["--prefill-input-len", "64"]);
    let o = capture(&args);
    fake.join_writers();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let want =
        format!("error: refused: {} line 2 logged \"Falling back to diffusers backend\"", log.display());
    assert!(err.contains(&want), "{err}");
    assert!(err.contains("seen in the log while profiling the prefill stage"), "{err}");
    let calls = fake.calls();
    let start = calls.iter().position(|c| c == "POST /start_profile").unwrap();
    let after: Vec<&String> = calls[start + 1..].iter().collect();
    assert_eq!(
        after.first().map(|s| s.as_str()),
        Some("POST /stop_profile"),
        "stopped before any profiled request: {calls:?}"
    );
    assert!(!after.iter().any(|c| c.as_str() == "POST /generate"), "{calls:?}");
    let record = json(&capture_dir(out.path()).join("capture.json"));
    assert_eq!(record["outcome"], "failed");
}

/// A vLLM pair sharing one torch_profiler_dir (the captures run one after the other), the
/// formal server with `capture_torch_profiler`'s `capture_traces/`: its graph replays are
/// attributed through the capture traces, which land in `formal/` only.
#[test]
fn a_vllm_pair_with_capture_traces() {
    testkit::needs_corpus!();
    let src = capture_pair_dir();
    let shared = Tmp::new("vllm-pair-shared");
    std::fs::create_dir_all(shared.path().join("capture_traces")).unwrap();
    let name = "graph_capture_rank_0.1773709679453551615.pt.trace.json.gz";
    std::fs::copy(src.join("capture_traces").join(name), shared.path().join("capture_traces").join(name))
        .unwrap();
    let start = |graphs: bool, source: PathBuf| {
        let mut cfg = Config::new(Kind::Vllm, vec![(source.clone(), source)]);
        cfg.server_path = Some(shared.path().to_owned());
        cfg.graphs = Some(graphs);
        Fake::start(cfg)
    };
    let mapping = start(false, trace("vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz"));
    let formal = start(true, src.join("graph_execution.json.gz"));
    let out = Tmp::new("vllm-pair-out");
    let o = pair(
        &mapping,
        &formal,
        out.path(),
        &["--workload", "decode", "--server-trace-path", shared.path().to_str().unwrap()],
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let dir = capture_dir(out.path());
    assert!(dir.file_name().unwrap().to_string_lossy().starts_with("vllm-pair-"));
    assert!(dir.join("formal/capture_traces").join(name).is_file());
    assert!(!dir.join("mapping/capture_traces").exists(), "the mapping side runs eager");
    assert!(shared.path().join("capture_traces").join(name).is_file(), "copied, not moved");
    let report = json(&dir.join("report.json"));
    assert_eq!(report["mode"], "mapping-formal");
    assert_eq!(report["captures"][0]["path"], format!("formal/capture_traces/{name}"));
    assert!(stdout(&o).contains("through capture"), "{}", stdout(&o));
    let record = json(&dir.join("capture.json"));
    assert_eq!(record["mapping"]["graphs"]["source"], "/server_info model_config.enforce_eager=true");
}
