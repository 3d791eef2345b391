//! A fake inference server process: the same fakes the relay's own tests use
//! (`tests/common/fake.rs`, built from the servers' real HTTP APIs), for the browser
//! end-to-end test of live capture and for `tracetriage-relay launch` / `matrix` tests,
//! which start it as an ordinary server command. It prints its URL and serves until killed.
//!
//! ```text
//! fake_server KIND PREFILL_TRACE DECODE_TRACE [server flags...]
//! ```
//!
//! The server flags are those `launch` appends, read as the real servers read them: `--port`
//! (default: a free one), the model (`--model-path`, else the first plain word),
//! `--profiler-config` (vLLM: its `torch_profiler_dir`; without it the profiler endpoints
//! answer 404, as vLLM's do), and for TensorRT-LLM the environment
//! `TLLM_TORCH_PROFILE_TRACE` with `TLLM_PROFILE_START_STOP` (without them, 404). Other
//! flags are logged and ignored. Test knobs: `--fake-startup-ms N` (listen only after N
//! ms), `--fake-start-status N` (`/start_profile` answers N), `--fake-ignore-term` (SIGTERM
//! does not stop it), `--fake-child` (forks a `sleep` that must go with its process group),
//! `graphs=on|graphs=off` (the server reports its CUDA graph setting in SGLang's
//! `/server_info`, for a two-server capture).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]

#[path = "../tests/common/fake.rs"]
#[allow(dead_code)]
mod fake;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Flags followed by a value.
const VALUED: &[&str] = &[
    "--port",
    "--host",
    "--model-path",
    "--tp-size",
    "--tensor-parallel-size",
    "--tp_size",
    "--profiler-config",
    "--backend",
    "--extra_llm_api_options",
    "--fake-startup-ms",
    "--fake-start-status",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = match args.first().map(String::as_str) {
        Some("vllm") => fake::Kind::Vllm,
        Some("trtllm") => fake::Kind::Trtllm,
        Some("tokenspeed") => fake::Kind::Tokenspeed,
        _ => fake::Kind::Sglang,
    };
    let prefill = PathBuf::from(args.get(1).expect("PREFILL_TRACE"));
    let decode = PathBuf::from(args.get(2).expect("DECODE_TRACE"));
    let mut cfg = fake::Config::new(kind, vec![(prefill, decode)]);
    let (mut port, mut startup_ms) = (0u16, 0u64);
    let (mut ignore_term, mut child) = (false, false);
    let mut model: Option<String> = None;
    let mut profiler_config: Option<serde_json::Value> = None;
    let mut rest = args.iter().skip(3);
    while let Some(a) = rest.next() {
        if VALUED.contains(&a.as_str()) {
            let v = rest.next().cloned().unwrap_or_default();
            match a.as_str() {
                "--port" => port = v.parse().unwrap(),
                "--model-path" => model = Some(v),
                "--profiler-config" => profiler_config = serde_json::from_str(&v).ok(),
                "--fake-startup-ms" => startup_ms = v.parse().unwrap(),
                "--fake-start-status" => cfg.start_status = v.parse().ok(),
                _ => {}
            }
        } else if a == "--fake-ignore-term" {
            ignore_term = true;
        } else if a == "--fake-child" {
            child = true;
        } else if let Some(g) = a.strip_prefix("graphs=") {
            cfg.graphs = Some(g == "on");
        } else if !a.starts_with('-') && model.is_none() {
            model = Some(a.clone());
        }
    }
    if let Some(m) = model {
        cfg.model = m;
    }
    match kind {
        fake::Kind::Vllm => {
            let dir =
                profiler_config.as_ref().and_then(|c| c["torch_profiler_dir"].as_str().map(PathBuf::from));
            cfg.profiler = dir.is_some();
            cfg.server_path = dir;
        }
        fake::Kind::Trtllm => {
            let trace = std::env::var("TLLM_TORCH_PROFILE_TRACE").ok().map(PathBuf::from);
            cfg.profiler = trace.is_some() && std::env::var("TLLM_PROFILE_START_STOP").is_ok();
            cfg.server_path = trace;
        }
        _ => {}
    }
    eprintln!("fake {kind:?} server: args {:?}", &args[3.min(args.len())..]);
    if ignore_term {
        signal_hook::flag::register(signal_hook::consts::SIGTERM, std::sync::Arc::default()).unwrap();
        eprintln!("fake server: ignoring SIGTERM");
    }
    if child {
        let mut c = std::process::Command::new("sleep").arg("600").spawn().unwrap();
        eprintln!("fake server: child {}", c.id());
        std::thread::spawn(move || c.wait());
    }
    std::thread::sleep(Duration::from_millis(startup_ms));
    let server = fake::Fake::start_on(cfg, port);
    println!("{}", server.url);
    std::io::stdout().flush().unwrap();
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
