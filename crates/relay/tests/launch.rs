//! `tracetriage-relay launch`, `matrix` and `trtllm-override` as commands, with the fake
//! servers started as ordinary server processes (the `fake_server` example, built by
//! `cargo test -p relay`): the server is started with its framework's flags, waited for,
//! captured, and stopped, its whole process group gone afterwards, also when the capture
//! fails or the server ignores SIGTERM.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::disallowed_types, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Tmp, relay, stderr, stdout, trace};

const MI300X: &str = "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz";
const HF: &str = "hf_qwen1.5-0.5b-chat_h100_bs16_fwd.trace.json.gz";

/// The fake server program (`target/<profile>/examples/fake_server`).
fn fake_bin() -> String {
    let exe = std::env::current_exe().unwrap();
    let p = exe.parent().unwrap().parent().unwrap().join("examples").join("fake_server");
    assert!(p.is_file(), "{} missing: cargo build -p relay --example fake_server", p.display());
    p.display().to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether process `pid` still runs (a zombie does not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
}

/// Whether any live process is in group `pgid`.
fn group_alive(pgid: u32) -> bool {
    std::fs::read_dir("/proc").unwrap().filter_map(Result::ok).any(|e| {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { return false };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
        let Some((_, rest)) = stat.rsplit_once(')') else { return false };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        fields.first() != Some(&"Z") && fields.get(2) == Some(&pgid.to_string().as_str())
    })
}

/// The number after `key` in `text`.
fn number_after(text: &str, key: &str) -> u32 {
    let at = text.find(key).unwrap_or_else(|| panic!("{key:?} not in {text}")) + key.len();
    text[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

/// A TOML string.
fn q(s: &str) -> String {
    format!("{s:?}")
}

fn command(kind: &str, prefill: &Path, decode: &Path, extra: &[&str]) -> String {
    let mut items =
        vec![q(&fake_bin()), q(kind), q(&prefill.display().to_string()), q(&decode.display().to_string())];
    items.extend(extra.iter().map(|s| q(s)));
    format!("[{}]", items.join(", "))
}

const FAST: &[&str] = &[
    "--settle-ms",
    "150",
    "--poll-ms",
    "20",
    "--request-timeout",
    "20",
    "--warmup-steps",
    "2",
    "--flush-timeout",
    "20",
];

fn launch(spec: &Path, out: &Path, extra: &[&str]) -> Output {
    relay().arg("launch").arg(spec).arg("--out").arg(out).args(FAST).args(extra).output().unwrap()
}

/// The capture folders under `out` (not the server traces).
fn captures(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap() != "server-traces")
        .collect();
    v.sort();
    v
}

#[test]
fn launch_starts_waits_captures_and_stops_the_whole_group() {
    testkit::needs_corpus!();
    let tmp = Tmp::new("launch-sglang");
    let spec = tmp.path().join("sglang.toml");
    let port = free_port();
    let cmd =
        command("sglang", &trace(MI300X), &trace(MI300X), &["--fake-startup-ms", "600", "--fake-child"]);
    std::fs::write(
        &spec,
        format!("framework = \"sglang\"\nmodel = \"Qwen/Qwen3-8B\"\nport = {port}\ncommand = {cmd}\n"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = launch(&spec, &out, &[]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("waiting for http://127.0.0.1:"), "{err}");
    assert!(err.contains("server ready") && err.contains("server stopped (SIGTERM)"), "{err}");
    assert!(stdout(&o).contains("Kernel Table"), "{}", stdout(&o));
    let dirs = captures(&out);
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let dir = &dirs[0];
    assert!(dir.join("report.json").is_file());
    // The server's output is the capture's server.log, with the flags launch gave it.
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap();
    assert!(
        log.contains("\"--model-path\", \"Qwen/Qwen3-8B\"")
            && log.contains(&format!("\"--port\", \"{port}\"")),
        "{log}"
    );
    assert!(log.contains("\"--tp-size\", \"1\""), "{log}");
    assert!(!log.contains("--disable-cuda-graph"), "graphs stay on in a formal run: {log}");
    let capture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("capture.json")).unwrap()).unwrap();
    assert_eq!(capture["outcome"], "done");
    // Stopped: the server and the child it forked are gone.
    let pgid = number_after(&err, "server process group ");
    let child = number_after(&log, "fake server: child ");
    assert!(!group_alive(pgid), "process group {pgid} still has processes");
    assert!(!alive(child), "the server's child {child} survived");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the port still answers");
}

#[test]
fn a_failed_capture_still_stops_a_server_that_ignores_sigterm() {
    testkit::needs_corpus!();
    let tmp = Tmp::new("launch-fail");
    let spec = tmp.path().join("vllm.toml");
    let port = free_port();
    let cmd = command(
        "vllm",
        &trace(MI300X),
        &trace(MI300X),
        &["--fake-start-status", "500", "--fake-ignore-term"],
    );
    std::fs::write(&spec, format!("framework = \"vllm\"\nmodel = \"m\"\nport = {port}\nstop_grace_s = 1\ncommand = {cmd}\n[mapping]\nargs = [\"--mapping-only\"]\n")).unwrap();
    let out = tmp.path().join("out");
    let o = launch(&spec, &out, &["--mapping", "--workload", "prefill"]);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("error: vllm-mapping:"), "{err}");
    assert!(err.contains("SIGKILL after the grace period"), "{err}");
    let pgid = number_after(&err, "server process group ");
    assert!(!group_alive(pgid), "process group {pgid} still has processes");
    // The log went into the kept capture folder; the mapping run had its flags.
    let dir = &captures(&out)[0];
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap();
    assert!(
        log.contains("--enforce-eager")
            && log.contains("--mapping-only")
            && log.contains("--profiler-config"),
        "{log}"
    );
    assert!(log.contains("ignoring SIGTERM"), "{log}");
}

#[test]
fn a_server_that_exits_early_is_reported_with_its_log_tail() {
    let tmp = Tmp::new("launch-exit");
    let spec = tmp.path().join("s.toml");
    std::fs::write(&spec, "framework = \"sglang\"\nmodel = \"m\"\nport = 9\ncommand = [\"sh\", \"-c\", \"echo CUDA out of memory >&2; exit 3\"]\n").unwrap();
    let out = tmp.path().join("out");
    let o = launch(&spec, &out, &[]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("the server exited (exit status: 3) before it answered"), "{err}");
    assert!(err.contains("CUDA out of memory"), "the log's tail is shown: {err}");
    // No capture folder: the log stays in --out.
    assert!(captures(&out).is_empty());
    assert!(
        std::fs::read_dir(&out).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".server.log"))
    );
}

#[test]
fn dry_run_prints_commands_and_environment() {
    let tmp = Tmp::new("launch-dry");
    let spec = tmp.path().join("t.toml");
    std::fs::write(&spec, "framework = \"trtllm\"\nmodel = \"M\"\nport = 8000\ntp = 2\n").unwrap();
    let o = relay()
        .arg("launch")
        .arg(&spec)
        .args(["--out", "/srv/caps", "--dry-run", "--mapping"])
        .output()
        .unwrap();
    let text = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(text.contains("TLLM_PROFILE_START_STOP=11-15 TLLM_TORCH_PROFILE_TRACE=/srv/caps/server-traces/trtllm-mapping/trace-prefill.json"), "{text}");
    assert!(text.contains("TLLM_PROFILE_START_STOP=12-16"), "{text}");
    assert!(text.contains("trtllm-serve serve M --backend pytorch --host 127.0.0.1 --port 8000 --tp_size 2 --extra_llm_api_options"), "{text}");
    assert!(text.contains("cuda_graph_config: null"), "{text}");
    assert!(!Path::new("/srv/caps").exists() || captures(Path::new("/srv/caps")).is_empty());
}

#[test]
fn matrix_runs_each_framework_and_bundles_them_with_the_failure() {
    testkit::needs_corpus!();
    let tmp = Tmp::new("matrix");
    let app = tmp.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("index.html"), "<html><head><title>t</title></head><body></body></html>")
        .unwrap();
    let (m, h) = (trace(MI300X), trace(HF));
    let servers = [
        ("sglang", command("sglang", &m, &m, &[])),
        ("vllm", command("vllm", &m, &m, &["--fake-start-status", "500"])),
        ("trtllm", command("trtllm", &h, &m, &[])),
    ];
    let mut text = String::from(
        "model = \"Qwen/Qwen3-8B\"\nmapping = true\ntitle = \"Qwen3-8B matrix\"\n[capture]\nwarmup_steps = 2\nsettle_ms = 150\n\
         poll_ms = 20\nrequest_timeout_s = 20.0\nflush_timeout_s = 20.0\n",
    );
    for (fw, cmd) in &servers {
        text.push_str(&format!(
            "[[server]]\nframework = \"{fw}\"\nport = {}\nstop_grace_s = 2\ncommand = {cmd}\n",
            free_port()
        ));
    }
    let spec = tmp.path().join("matrix.toml");
    std::fs::write(&spec, text).unwrap();
    let out = tmp.path().join("m");
    let o = relay()
        .arg("matrix")
        .arg(&spec)
        .arg("--out")
        .arg(&out)
        .arg("--app")
        .arg(&app)
        .arg("--no-date")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(!o.status.success(), "one framework failed: {err}");
    assert!(err.contains("1 of 3 framework(s) failed"), "{err}");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("matrix.json")).unwrap()).unwrap();
    let status: Vec<&str> =
        record["frameworks"].as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["mapping-formal", "failed", "mapping-formal"], "{err}");
    // TensorRT-LLM: one server per stage and variant; the others one per variant.
    assert_eq!(record["frameworks"][2]["captures"].as_array().unwrap().len(), 4);
    assert_eq!(record["frameworks"][0]["captures"].as_array().unwrap().len(), 2);
    let runs: Vec<String> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(runs.len(), 2, "{runs:?}");
    let bundle = std::fs::read_to_string(out.join("bundle.md")).unwrap();
    assert!(bundle.starts_with("# Qwen3-8B matrix\n"), "{bundle}");
    assert!(bundle.contains("SGLang · sglang") && bundle.contains("TensorRT-LLM · trtllm"), "{bundle}");
    assert!(
        bundle.contains("## Runs that failed\n\n- **vllm** (failed): formal capture failed: vllm-formal:"),
        "{bundle}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("site/reports/index.json")).unwrap()).unwrap();
    assert_eq!(manifest["entries"].as_array().unwrap().len(), 2);
    assert!(std::fs::read_to_string(out.join("site/index.html")).unwrap().contains(native::site::MARKER));
    // A second matrix into the same folder is refused before anything starts.
    let again = relay().arg("matrix").arg(&spec).arg("--out").arg(&out).output().unwrap();
    assert!(!again.status.success() && stderr(&again).contains("is not empty"), "{}", stderr(&again));
    // Every server of the matrix is gone.
    for pgid in err.match_indices("server process group ").map(|(i, k)| number_after(&err[i..], k)) {
        assert!(!group_alive(pgid), "process group {pgid} survived");
    }
}

#[test]
fn trtllm_override_writes_a_patched_copy_once() {
    let tmp = Tmp::new("override");
    let src = tmp.path().join("py_executor.py");
    std::fs::write(
        &src,
        "        enable_torch_trace = bool(torch_trace_path and profile_start_stop)\n        if enable_torch_trace:\n            torch_profiler = torch.profiler.profile(activities=activities,\n                                                    record_shapes=True,\n                                                    with_modules=True)\n",
    )
    .unwrap();
    let out = tmp.path().join("patched.py");
    let run = |from: &Path| {
        relay().arg("trtllm-override").arg("--source").arg(from).arg("-o").arg(&out).output().unwrap()
    };
    let o = run(&src);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), out.display().to_string());
    assert!(
        stderr(&o).contains(&format!(
            "-v {}:/usr/local/lib/python3.12/dist-packages/tensorrt_llm/_torch/pyexecutor/py_executor.py",
            out.display()
        )),
        "{}",
        stderr(&o)
    );
    let first = std::fs::read_to_string(&out).unwrap();
    assert!(first.contains("with_stack=True)") && first.contains("self.dist.rank == 0"), "{first}");
    let copy = tmp.path().join("again.py");
    std::fs::copy(&out, &copy).unwrap();
    let o = run(&copy);
    assert!(stderr(&o).contains("already patched"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), first);
    std::fs::write(&src, "print('not the executor')\n").unwrap();
    let o = run(&src);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("torch.profiler.profile("), "{}", stderr(&o));
}

#[test]
fn ctrl_c_while_waiting_stops_the_server_and_exits_130() {
    use std::io::{BufRead, BufReader};
    testkit::needs_corpus!();
    let tmp = Tmp::new("launch-int");
    let spec = tmp.path().join("s.toml");
    let cmd = command("sglang", &trace(MI300X), &trace(MI300X), &["--fake-startup-ms", "60000"]);
    std::fs::write(
        &spec,
        format!("framework = \"sglang\"\nmodel = \"m\"\nport = {}\ncommand = {cmd}\n", free_port()),
    )
    .unwrap();
    let mut child = relay()
        .arg("launch")
        .arg(&spec)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("waiting for") {
            break;
        }
    }
    let pgid = number_after(&seen, "server process group ");
    assert!(group_alive(pgid));
    let sent =
        std::process::Command::new("kill").args(["-s", "INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    for line in lines {
        seen.push_str(&line.unwrap());
        seen.push('\n');
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("interrupted while waiting for the server"), "{seen}");
    assert!(!group_alive(pgid), "process group {pgid} survived Ctrl-C");
}
