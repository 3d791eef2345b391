//! `tracetriage-relay probe` against fake servers: a healthy one passes every check; an
//! empty-text one, a down one and one without profiler endpoints each fail with the reason.
//! The probe never starts a profile.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types, missing_docs)]

mod common;

use common::fake::{Config, Fake, Kind};
use common::{relay, stdout};
use serde_json::Value;

fn probe(url: &str, extra: &[&str]) -> std::process::Output {
    relay().args(["probe", "--url", url, "--request-timeout", "20"]).args(extra).output().unwrap()
}

fn fake(kind: Kind, f: impl FnOnce(&mut Config)) -> Fake {
    // The probe never asks for a trace; any file will do as the source.
    let src = std::path::PathBuf::from("/nonexistent.trace.json.gz");
    let mut cfg = Config::new(kind, vec![(src.clone(), src)]);
    f(&mut cfg);
    Fake::start(cfg)
}

fn no_profile_started(f: &Fake) {
    assert!(!f.calls().iter().any(|c| c.contains("start_profile")), "{:?}", f.calls());
}

#[test]
fn a_healthy_sglang_server_passes_every_check() {
    let f = fake(Kind::Sglang, |_| {});
    let o = probe(&f.url, &[]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    for (line, name) in lines.iter().zip(["up", "server", "generate", "latency", "profiler"]) {
        assert!(line.starts_with(&format!("ok   {name}: ")), "{out}");
    }
    assert!(lines[1].contains("SGLang") && lines[1].contains("Qwen/Qwen3-30B-A3B"), "{out}");
    assert!(lines[3].contains("time to first token") && lines[3].contains("per token"), "{out}");
    assert!(lines[4].contains("OPTIONS /stop_profile answered 405"), "{out}");
    no_profile_started(&f);
    // The probe never runs /stop_profile: a profile someone else is taking goes on.
    assert!(
        !f.calls().iter().any(|c| c == "GET /stop_profile" || c == "POST /stop_profile"),
        "{:?}",
        f.calls()
    );
    // Three streamed requests timed after the greedy one.
    let streamed = f.log().iter().filter(|r| r.path == "/generate" && r.json()["stream"] == true).count();
    assert_eq!(streamed, 3);
}

#[test]
fn a_healthy_vllm_server_passes_and_json_carries_the_figures() {
    let f = fake(Kind::Vllm, |_| {});
    let o = probe(&f.url, &["--format", "json"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["framework"], "vllm");
    assert_eq!(v["model"], "openai/gpt-oss-120b");
    assert!(v["ttft_ms"].as_f64().unwrap() > 0.0 && v["per_token_ms"].as_f64().unwrap() > 0.0, "{v}");
    let profiler = &v["checks"][4];
    assert_eq!(profiler["name"], "profiler");
    assert!(profiler["detail"].as_str().unwrap().contains("/openapi.json"), "{v}");
    no_profile_started(&f);
}

#[test]
fn empty_text_fails_the_generate_check() {
    let f = fake(Kind::Sglang, |c| c.empty_text = true);
    let o = probe(&f.url, &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let line = out.lines().find(|l| l.contains("generate:")).unwrap();
    assert!(
        line.starts_with("FAIL generate: POST /generate") && line.contains("returned empty text"),
        "{out}"
    );
    assert!(out.lines().any(|l| l.starts_with("ok   up:")), "{out}");
}

#[test]
fn a_server_that_is_down_fails_with_the_reason() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let o = probe(&format!("http://127.0.0.1:{port}"), &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("FAIL up: the server does not answer"), "{out}");
    assert_eq!(lines.len(), 5, "{out}");
    assert!(
        lines[1..].iter().all(|l| l.starts_with("FAIL") && l.contains("not run: the server is not up")),
        "{out}"
    );
}

#[test]
fn a_server_without_profiler_endpoints_fails_with_what_to_change() {
    // vLLM started without --profiler-config: /openapi.json lists no profiler routes.
    let f = fake(Kind::Vllm, |c| c.profiler = false);
    let o = probe(&f.url, &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let line = out.lines().find(|l| l.contains("profiler:")).unwrap();
    assert!(line.starts_with("FAIL profiler: /start_profile and /stop_profile not listed"), "{out}");
    assert!(line.contains("--profiler-config"), "{out}");
    assert!(out.lines().filter(|l| l.starts_with("ok  ")).count() == 4, "{out}");
    // TensorRT-LLM without the profiling environment: OPTIONS /stop_profile is a 404.
    let f = fake(Kind::Trtllm, |c| c.profiler = false);
    let out = stdout(&probe(&f.url, &[]));
    let line = out.lines().find(|l| l.contains("profiler:")).unwrap();
    assert!(
        line.starts_with("FAIL profiler: OPTIONS /stop_profile answered 404")
            && line.contains("TLLM_PROFILE_START_STOP"),
        "{out}"
    );
    no_profile_started(&f);
}
