//! `tracetriage-relay capture` against faithful fake servers (one per framework) and the
//! faults the relay must survive: the exact requests it sends, the files it keeps, and the
//! report it writes.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::fake::{self, Config, Fake, Kind};
use common::{Tmp, capture, capture_dir, stderr, stdout, trace};
use serde_json::Value;

const SGL_PREFILL: [&str; 2] = [
    "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz",
    "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-1.trace.json.gz",
];
const SGL_DECODE: &str = "sglang_gb300_qwen3-30b-a3b_lora_bs128-TP-0-DECODE.trace.json.gz";
const VLLM: &str = "vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz";
const MI300X: &str = "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz";
const HF: &str = "hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz";

fn sglang_sources() -> Vec<(PathBuf, PathBuf)> {
    SGL_PREFILL.iter().map(|p| (trace(p), trace(SGL_DECODE))).collect()
}

fn bodies(f: &Fake, path: &str) -> Vec<Value> {
    f.log().iter().filter(|r| r.path == path).map(|r| r.json()).collect()
}

/// The prompt's first word (the unique marker) and its word count.
fn prompt_of(v: &Value) -> (String, usize) {
    let text = v["text"].as_str().or_else(|| v["prompt"].as_str()).unwrap();
    (text.split_whitespace().next().unwrap().to_owned(), text.split_whitespace().count())
}

fn lines(o: &std::process::Output) -> String {
    stderr(o)
}

fn assert_progress(err: &str, stage: &str, warmup: &str, probes: &str) {
    for want in [
        format!("{stage}: warm-up {warmup}"),
        format!("{stage}: plan: "),
        format!("{stage}: armed"),
        format!("{stage}: probes {probes}"),
        format!("{stage}: /stop_profile"),
        format!("{stage}: flushing"),
        format!("{stage}: collected"),
    ] {
        assert!(err.contains(&want), "missing {want:?} in:\n{err}");
    }
}

/// The report the relay printed and wrote is the engine's triage of exactly the captured
/// files, and stdout is its markdown.
fn assert_report(dir: &Path, rels: &[&str], framework: &str, out: &str) {
    let written = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let expected = common::expected_report(dir, rels, framework);
    assert_eq!(written, format!("{}\n", expected.to_json()), "report.json differs from the engine's triage");
    assert_eq!(out, report::markdown::render(&expected));
    let got: Value = serde_json::from_str(&written).unwrap();
    let paths: Vec<&str> =
        got["inputs"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert_eq!(paths, rels);
    assert_eq!(got["framework"]["id"], framework);
}

#[test]
fn sglang_both_stages() {
    testkit::needs_corpus!();
    let fake = Fake::start(Config::new(Kind::Sglang, sglang_sources()));
    let out = Tmp::new("sglang");
    let o = capture(&["--url", &fake.url, "--out", out.path().to_str().unwrap(), "--flush-timeout", "20"]);
    fake.join_writers();
    let err = lines(&o);
    assert!(o.status.success(), "{err}");

    // Exactly these requests, in this order.
    let mut want = vec!["GET /v1/models", "GET /server_info"];
    want.extend(["POST /generate"; 10]);
    want.push("POST /start_profile");
    want.extend(["POST /generate"; 5]);
    want.push("POST /stop_profile");
    want.extend(["POST /generate", "POST /generate", "POST /start_profile", "POST /stop_profile"]);
    assert_eq!(fake.calls(), want);

    let dir = capture_dir(out.path());
    assert!(dir.file_name().unwrap().to_string_lossy().starts_with("sglang-"));
    let starts = bodies(&fake, "/start_profile");
    for (body, stage) in starts.iter().zip(["prefill", "decode"]) {
        let expected = serde_json::json!({
            "output_dir": dir.join(stage).to_str().unwrap(),
            "num_steps": "6",
            "activities": ["CPU", "GPU"],
            "with_stack": true,
            "record_shapes": false,
            "profile_by_stage": false,
            "merge_profiles": false,
            "profile_prefix": format!("tracetriage-{stage}"),
        });
        assert_eq!(body, &expected);
    }
    assert!(fake.log().iter().filter(|r| r.path == "/stop_profile").all(|r| r.body.is_empty()));

    // Prompts: 4090 words first, then calibrated to the server's token count (4090 words →
    // 4092 tokens here, so 4088 words); every prompt starts with its own marker.
    let gens = bodies(&fake, "/generate");
    let prefill: Vec<(String, usize)> = gens[..15].iter().map(prompt_of).collect();
    assert_eq!(prefill[0].1, 4090);
    assert!(
        prefill[1..].iter().all(|p| p.1 == 4088),
        "{:?}",
        prefill.iter().map(|p| p.1).collect::<Vec<_>>()
    );
    let mut markers: Vec<&String> = gens
        .iter()
        .map(|g| g["text"].as_str().unwrap())
        .map(|t| t.split(' ').next().unwrap())
        .map(|m| Box::leak(Box::new(m.to_owned())) as &String)
        .collect();
    markers.sort();
    markers.dedup();
    assert_eq!(markers.len(), gens.len(), "prompt markers repeat");
    assert!(gens[..15].iter().all(|g| g["sampling_params"]["max_new_tokens"] == 1 && g["stream"] == false));
    assert_eq!(gens[15]["sampling_params"]["max_new_tokens"], 10);
    assert_eq!(
        (gens[16]["sampling_params"]["max_new_tokens"].as_u64(), gens[16]["stream"].as_bool()),
        (Some(2048), Some(true))
    );
    assert!(gens.iter().all(|g| g["sampling_params"]["ignore_eos"] == true && g["sampling_params"]["temperature"] == 0.0));

    // Files: server_args.json is /server_info; each stage holds both ranks' traces, byte for byte.
    let args: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("server_args.json")).unwrap()).unwrap();
    assert_eq!(args["model_path"], "Qwen/Qwen3-30B-A3B");
    let files = common::files_under(&dir);
    let traces: Vec<&String> = files.iter().filter(|f| f.ends_with(".trace.json.gz")).collect();
    assert_eq!(traces.len(), 4, "{files:?}");
    for t in &traces {
        let rank = if t.contains("-TP-1.") { 1 } else { 0 };
        let src = if t.starts_with("decode/") { trace(SGL_DECODE) } else { trace(SGL_PREFILL[rank]) };
        assert!(fake::same_bytes(&dir.join(t), &src), "{t} is not a complete copy of {}", src.display());
        assert!(
            t.starts_with("prefill/tracetriage-prefill-") || t.starts_with("decode/tracetriage-decode-"),
            "{t}"
        );
    }
    assert!(files.contains(&"capture.json".to_owned()) && files.contains(&"report.json".to_owned()));

    // The report: rank 0 of each stage.
    let rel =
        |stage: &str| traces.iter().find(|t| t.starts_with(stage) && t.contains("-TP-0.")).unwrap().as_str();
    assert_report(&dir, &[rel("prefill/"), rel("decode/")], "sglang", &stdout(&o));
    assert_progress(&err, "prefill", "10/10", "5/5 requests");
    assert_progress(&err, "decode", "1/1", "5/5 decode steps");
    assert!(err.contains("server-side: SGLang stops after num_steps=\"6\""), "{err}");
    assert!(err.contains("done: "), "{err}");

    // capture.json records the plan and every request.
    let rec: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("capture.json")).unwrap()).unwrap();
    assert_eq!(rec["outcome"], "done");
    assert_eq!(rec["requests"].as_array().unwrap().len(), want.len());
    assert_eq!(rec["stages"][0]["estimate"]["steps"], 5);
    assert_eq!(rec["stages"][0]["stop_status"], 200);
}

#[test]
fn vllm_moves_new_traces_from_its_own_folder() {
    testkit::needs_corpus!();
    let server_dir = Tmp::new("vllm-server");
    // An older trace in the server's folder is not part of the capture and is left alone.
    let old = server_dir.path().join("rank0.1.pt.trace.json.gz");
    std::fs::copy(trace(MI300X), &old).unwrap();
    let mut cfg = Config::new(Kind::Vllm, vec![(trace(VLLM), trace(VLLM))]);
    cfg.server_path = Some(server_dir.path().to_owned());
    let fake = Fake::start(cfg);
    let out = Tmp::new("vllm-out");
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--server-trace-path",
        server_dir.path().to_str().unwrap(),
        "--warmup-steps",
        "3",
        "--flush-timeout",
        "20",
    ]);
    fake.join_writers();
    let err = lines(&o);
    assert!(o.status.success(), "{err}");
    // Discovery, then the graph setting (vLLM says it only at /server_info in dev mode).
    let mut want = vec!["GET /v1/models", "GET /server_info?config_format=json"];
    want.extend(["POST /v1/completions"; 3]);
    want.push("POST /start_profile");
    want.extend(["POST /v1/completions"; 5]);
    want.push("POST /stop_profile");
    want.extend([
        "POST /v1/completions",
        "POST /v1/completions",
        "POST /start_profile",
        "POST /stop_profile",
    ]);
    assert_eq!(fake.calls(), want);
    // No body to the profiler endpoints; OpenAI bodies name the model.
    assert!(fake.log().iter().filter(|r| r.path.ends_with("_profile")).all(|r| r.body.is_empty()));
    let comps = bodies(&fake, "/v1/completions");
    assert!(comps.iter().all(|c| c["model"] == "openai/gpt-oss-120b" && c["ignore_eos"] == true));
    assert_eq!((comps[8]["max_tokens"].as_u64(), comps[8]["stream"].as_bool()), (Some(3), Some(false)));
    assert_eq!((comps[9]["max_tokens"].as_u64(), comps[9]["stream"].as_bool()), (Some(2048), Some(true)));
    // 4090 words gave 4091 tokens: one word fewer afterwards.
    assert_eq!(prompt_of(&comps[0]).1, 4090);
    assert_eq!(prompt_of(&comps[1]).1, 4089);

    // Moved: worker and front-end traces of each stage; the old trace stayed.
    let dir = capture_dir(out.path());
    assert!(old.exists());
    assert_eq!(common::files_under(server_dir.path()), vec!["rank0.1.pt.trace.json.gz"]);
    let files = common::files_under(&dir);
    for stage in ["prefill", "decode"] {
        let worker = files.iter().find(|f| f.starts_with(stage) && f.contains("/rank0.")).unwrap();
        assert!(fake::same_bytes(&dir.join(worker), &trace(VLLM)));
        assert!(files.iter().any(|f| f.starts_with(stage) && f.contains(".async_llm.")), "{files:?}");
    }
    let rel =
        |stage: &str| files.iter().find(|f| f.starts_with(stage) && f.contains("/rank0.")).unwrap().as_str();
    assert_report(&dir, &[rel("prefill/"), rel("decode/")], "vllm", &stdout(&o));
    assert!(err.contains("client-side: vLLM does not bound the profiled steps"), "{err}");
    let args: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("server_args.json")).unwrap()).unwrap();
    assert_eq!(args["model"], "openai/gpt-oss-120b");
    assert_progress(&err, "decode", "1/1", "5/5 decode steps");
}

#[test]
fn trtllm_fixed_trace_path_plain_json() {
    testkit::needs_corpus!();
    let server_dir = Tmp::new("trt-server");
    let trace_file = server_dir.path().join("trace.json");
    let mut cfg = Config::new(Kind::Trtllm, vec![(trace(HF), trace(MI300X))]);
    cfg.server_path = Some(trace_file.clone());
    cfg.plain = true;
    let fake = Fake::start(cfg);
    let out = Tmp::new("trt-out");
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--server-trace-path",
        trace_file.to_str().unwrap(),
        "--warmup-steps",
        "2",
        "--flush-timeout",
        "20",
    ]);
    fake.join_writers();
    let err = lines(&o);
    assert!(o.status.success(), "{err}");
    let mut want = vec!["GET /v1/models"];
    want.extend(["POST /v1/completions"; 2]);
    want.push("POST /start_profile");
    want.extend(["POST /v1/completions"; 5]);
    want.push("POST /stop_profile");
    want.extend([
        "POST /v1/completions",
        "POST /v1/completions",
        "POST /start_profile",
        "POST /stop_profile",
    ]);
    assert_eq!(fake.calls(), want);
    // Each stage's file was moved away before the next stage rewrote the fixed path.
    let dir = capture_dir(out.path());
    assert!(!trace_file.exists());
    assert_eq!(
        std::fs::read(dir.join("prefill/trace.json")).unwrap(),
        fake::gunzip(&std::fs::read(trace(HF)).unwrap())
    );
    assert_eq!(
        std::fs::read(dir.join("decode/trace.json")).unwrap(),
        fake::gunzip(&std::fs::read(trace(MI300X)).unwrap())
    );
    assert_report(&dir, &["prefill/trace.json", "decode/trace.json"], "trtllm", &stdout(&o));
    assert!(err.contains("client-side: TensorRT-LLM does not bound"), "{err}");
}

#[test]
fn tokenspeed_profile_id_and_output_dir() {
    testkit::needs_corpus!();
    let fake = Fake::start(Config::new(Kind::Tokenspeed, vec![(trace(MI300X), trace(MI300X))]));
    let out = Tmp::new("ts");
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--workload",
        "prefill",
        "--warmup-steps",
        "2",
        "--prefix",
        "ts-triage",
        "--num-steps",
        "3",
        "--prefill-input-len",
        "64",
    ]);
    fake.join_writers();
    let err = lines(&o);
    assert!(o.status.success(), "{err}");
    let mut want = vec!["GET /v1/models", "GET /server_info", "GET /get_server_info"];
    want.extend(["POST /v1/completions"; 2]);
    want.push("POST /start_profile");
    want.extend(["POST /v1/completions"; 3]);
    want.push("POST /stop_profile");
    assert_eq!(fake.calls(), want);
    let dir = capture_dir(out.path());
    let start = &bodies(&fake, "/start_profile")[0];
    assert_eq!(
        start,
        &serde_json::json!({
            "output_dir": dir.join("prefill").to_str().unwrap(),
            "activities": ["CPU", "GPU"],
            "with_stack": true,
            "record_shapes": false,
            "profile_id": "ts-triage-prefill",
        })
    );
    assert!(fake::same_bytes(&dir.join("prefill/ts-triage-prefill-TP-0.trace.json.gz"), &trace(MI300X)));
    assert_report(&dir, &["prefill/ts-triage-prefill-TP-0.trace.json.gz"], "tokenspeed", &stdout(&o));
}

// ---- faults ----

#[test]
fn a_server_log_saying_diffusers_backend_refuses_the_triage_and_keeps_the_traces() {
    testkit::needs_corpus!();
    let logs = Tmp::new("diffusers-log");
    let log = logs.path().join("sglang-server.log");
    std::fs::write(
        &log,
        "[2026-01-05 10:00:00] server_args=ServerArgs(...)\n\
         [2026-01-05 10:00:01] Could not resolve native configuration for model '/models/flux'.\n\
         [2026-01-05 10:00:01] Falling back to diffusers backend.\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let fake = Fake::start(Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]));
        let out = Tmp::new("diffusers");
        let mut args = vec![
            "--url",
            &fake.url,
            "--out",
            out.path().to_str().unwrap(),
            "--workload",
            "prefill",
            "--warmup-steps",
            "2",
            "--num-steps",
            "3",
            "--prefill-input-len",
            "64",
        ];
        args.extend_from_slice(extra);
        let o = capture(&args);
        fake.join_writers();
        (o, capture_dir(out.path()), out)
    };
    let (o, dir, _out) = run(&["--server-log", log.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let want = format!(
        "tracetriage-relay: error: refused: {} line 3 logged \"Falling back to diffusers backend\": the run used the diffusers backend, so its trace is not native SGLang diffusion evidence",
        log.display()
    );
    assert!(err.contains(&want), "{err}");
    // The log is read as the capture goes (issue 25): a line already there stops it at the
    // first warm-up request, before anything is armed.
    assert!(err.contains("(seen in the log during the prefill warm-up; nothing was armed)"), "{err}");
    assert!(stdout(&o).is_empty(), "no report");
    assert!(!dir.join("report.json").exists(), "no report.json");
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("capture.json")).unwrap()).unwrap();
    assert_eq!(record["outcome"], "failed");
    assert!(record["message"].as_str().unwrap().starts_with("refused: "), "{record}");
    assert_eq!(record["options"]["server_log"], log.to_str().unwrap());

    // A clean log, and a log that cannot be read (a warning: the triage goes on).
    let clean = logs.path().join("clean.log");
    std::fs::write(&clean, "Using native SGLang backend\n").unwrap();
    let (o, dir, _out) = run(&["--server-log", clean.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("report.json").exists());
    let missing = logs.path().join("missing.log");
    let (o, _, _out) = run(&["--server-log", missing.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("server log not read, the diffusion backend gate did not see it"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn server_down_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = Tmp::new("down");
    let o = capture(&["--url", &format!("http://127.0.0.1:{port}"), "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("cannot reach the server at http://127.0.0.1:"), "{err}");
    assert!(err.contains("connection refused"), "{err}");
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "no capture folder for an unreachable server"
    );
}

#[test]
fn vllm_without_profiler_config_says_what_to_change() {
    testkit::needs_corpus!();
    let server_dir = Tmp::new("vllm-noprof");
    let mut cfg = Config::new(Kind::Vllm, vec![(trace(VLLM), trace(VLLM))]);
    cfg.profiler = false;
    cfg.server_path = Some(server_dir.path().to_owned());
    let fake = Fake::start(cfg);
    let out = Tmp::new("vllm-noprof-out");
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--server-trace-path",
        server_dir.path().to_str().unwrap(),
        "--warmup-steps",
        "1",
        "--workload",
        "prefill",
        "--prefill-input-len",
        "8",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("refused POST /start_profile with 404"), "{err}");
    assert!(err.contains("--profiler-config"), "{err}");
    // Start failed: nothing to stop.
    assert!(!fake.calls().iter().any(|c| c == "POST /stop_profile"), "{:?}", fake.calls());
    // A missing --server-trace-path is caught before any request is sent to the workload.
    let o = capture(&["--url", &fake.url, "--out", out.path().to_str().unwrap()]);
    assert!(stderr(&o).contains("--server-trace-path"), "{}", stderr(&o));
}

#[test]
fn trtllm_without_the_environment_names_it() {
    testkit::needs_corpus!();
    let server_dir = Tmp::new("trt-noenv");
    let mut cfg = Config::new(Kind::Trtllm, vec![(trace(MI300X), trace(MI300X))]);
    cfg.profiler = false;
    cfg.server_path = Some(server_dir.path().join("trace.json"));
    let fake = Fake::start(cfg);
    let out = Tmp::new("trt-noenv-out");
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--server-trace-path",
        server_dir.path().join("trace.json").to_str().unwrap(),
        "--warmup-steps",
        "0",
        "--workload",
        "prefill",
        "--prefill-input-len",
        "8",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("TLLM_PROFILE_START_STOP") && err.contains("TLLM_TORCH_PROFILE_TRACE"), "{err}");
}

#[test]
fn start_profile_500_is_reported_and_nothing_is_stopped() {
    testkit::needs_corpus!();
    let mut cfg = Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]);
    cfg.start_status = Some(500);
    let fake = Fake::start(cfg);
    let out = Tmp::new("start500");
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--workload",
        "prefill",
        "--warmup-steps",
        "1",
        "--prefill-input-len",
        "8",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("SGLang refused POST /start_profile with 500: Internal Server Error"), "{err}");
    assert!(err.contains("another profile may be running"), "{err}");
    assert_eq!(fake.calls().last().unwrap(), "POST /start_profile");
    // The capture folder and what it had are kept.
    let dir = capture_dir(out.path());
    assert!(dir.join("server_args.json").is_file() && dir.join("capture.json").is_file());
    let rec: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("capture.json")).unwrap()).unwrap();
    assert_eq!(rec["outcome"], "failed");
}

#[test]
fn start_profile_404_on_tokenspeed() {
    testkit::needs_corpus!();
    let mut cfg = Config::new(Kind::Tokenspeed, vec![(trace(MI300X), trace(MI300X))]);
    cfg.start_status = Some(404);
    let fake = Fake::start(cfg);
    let out = Tmp::new("start404");
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--workload",
        "prefill",
        "--warmup-steps",
        "1",
        "--prefill-input-len",
        "8",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("with 404") && err.contains("no /start_profile and /stop_profile"), "{err}");
}

#[test]
fn a_flush_that_never_completes_times_out_and_keeps_the_partial_file() {
    testkit::needs_corpus!();
    let mut cfg = Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]);
    cfg.truncate = true;
    let fake = Fake::start(cfg);
    let out = Tmp::new("trunc");
    let started = Instant::now();
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--workload",
        "prefill",
        "--warmup-steps",
        "1",
        "--prefill-input-len",
        "8",
        "--flush-timeout",
        "1.5",
    ]);
    fake.join_writers();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(started.elapsed() < Duration::from_secs(15));
    assert!(err.contains("was not completely flushed within 2 s") || err.contains("within 1 s"), "{err}");
    assert!(err.contains("gzip stream not finished"), "{err}");
    assert!(err.contains("Nothing was deleted"), "{err}");
    // /stop_profile was sent, and the partial file is still there.
    assert!(fake.calls().contains(&"POST /stop_profile".to_owned()));
    let dir = capture_dir(out.path());
    let partial = common::files_under(&dir).into_iter().find(|f| f.ends_with(".trace.json.gz")).unwrap();
    let len = std::fs::metadata(dir.join(&partial)).unwrap().len();
    assert_eq!(len, std::fs::metadata(trace(MI300X)).unwrap().len() / 2);
}

#[test]
fn server_dying_mid_capture_keeps_what_was_flushed() {
    testkit::needs_corpus!();
    let mut cfg = Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]);
    cfg.die_after_start = true;
    let fake = Fake::start(cfg);
    let out = Tmp::new("die");
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--workload",
        "prefill",
        "--warmup-steps",
        "1",
        "--prefill-input-len",
        "8",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("the server stopped answering during the prefill capture"), "{err}");
    assert!(err.contains("/stop_profile not delivered"), "{err}");
    assert!(err.contains("Nothing was deleted"), "{err}");
    let dir = capture_dir(out.path());
    assert!(dir.join("server_args.json").is_file());
    let rec: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("capture.json")).unwrap()).unwrap();
    assert_eq!(rec["outcome"], "failed");
    // The relay did try to stop the profiler.
    let tried: Vec<&Value> =
        rec["requests"].as_array().unwrap().iter().filter(|r| r["path"] == "/stop_profile").collect();
    assert_eq!(tried.len(), 1, "{rec}");
    assert!(tried[0]["status"].is_null());
}

#[test]
fn a_plan_over_budget_is_refused_before_arming() {
    testkit::needs_corpus!();
    let mut cfg = Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]);
    cfg.request_delay = Duration::from_millis(40);
    let fake = Fake::start(cfg);
    let out = Tmp::new("budget");
    // One 40 ms prefill request ≈ 300 MB/s × 0.04 s = 12 MB of JSON: over a 5 MB budget.
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--workload",
        "prefill",
        "--warmup-steps",
        "3",
        "--prefill-input-len",
        "8",
        "--max-trace-mb",
        "5",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("refused: the prefill capture is estimated at"), "{err}");
    assert!(err.contains("Nothing was armed"), "{err}");
    assert!(err.contains("REFUSED"), "{err}");
    assert!(!fake.calls().iter().any(|c| c.ends_with("_profile")), "{:?}", fake.calls());
}

#[test]
fn a_plan_over_budget_is_shrunk_when_a_step_fits() {
    testkit::needs_corpus!();
    let mut cfg = Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]);
    cfg.request_delay = Duration::from_millis(100);
    let fake = Fake::start(cfg);
    let out = Tmp::new("shrink");
    // A request takes ≥ 100 ms: ≥ 30 MB each at 300 MB/s, plus 2 MB fixed, so a 100 MB
    // budget fits at most 3 of the 5 (and at least 1 while a request takes < 0.32 s).
    let o = capture(&[
        "--url",
        &fake.url,
        "--out",
        out.path().to_str().unwrap(),
        "--workload",
        "prefill",
        "--warmup-steps",
        "3",
        "--prefill-input-len",
        "8",
        "--max-trace-mb",
        "100",
        "--flush-timeout",
        "20",
    ]);
    fake.join_writers();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("shrunk from 5 to "), "{err}");
    let probes = fake
        .calls()
        .iter()
        .skip_while(|c| *c != "POST /start_profile")
        .filter(|c| *c == "POST /generate")
        .count();
    assert!((1..=3).contains(&probes), "{probes} probes under the budget");
    let start = &bodies(&fake, "/start_profile")[0];
    assert_eq!(start["num_steps"], (probes + 1).to_string());
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_armed_still_sends_stop_profile() {
    testkit::needs_corpus!();
    let mut cfg = Config::new(Kind::Sglang, vec![(trace(MI300X), trace(MI300X))]);
    cfg.request_delay = Duration::from_millis(400);
    let fake = Fake::start(cfg);
    let out = Tmp::new("sigint");
    let child = common::relay()
        .args(["capture", "--url", &fake.url, "--out", out.path().to_str().unwrap(), "--workload", "prefill"])
        .args(["--warmup-steps", "0", "--prefill-input-len", "8", "--max-trace-mb", "100000"])
        .args(common::FAST)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !fake.calls().iter().any(|c| c == "POST /start_profile") {
        assert!(Instant::now() < deadline, "never armed: {:?}", fake.calls());
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    let status = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted (Ctrl-C) while profiling the prefill stage"), "{err}");
    let calls = fake.calls();
    let start = calls.iter().position(|c| c == "POST /start_profile").unwrap();
    assert!(calls[start..].iter().any(|c| c == "POST /stop_profile"), "{calls:?}");
}
