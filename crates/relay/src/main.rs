//! `tracetriage-relay`: live capture from running LLM servers (SGLang, vLLM,
//! TensorRT-LLM, TokenSpeed) for the CLI (`capture`) and the browser page (`serve`).
//!
//! Progress goes to stderr, the report to stdout; errors are one line on stderr with a
//! non-zero exit (130 after Ctrl-C).
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods, clippy::disallowed_types)]

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use relay::options::{CaptureOptions, FrameworkChoice, Workload};

/// Capture live PyTorch-profiler traces from an LLM server and triage them.
#[derive(Parser, Debug)]
#[command(name = "tracetriage-relay", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Profile a running server (warm-up, then a few profiled steps per stage), wait for the
    /// trace to be flushed, and print the triage report.
    Capture(Box<CaptureArgs>),
    /// Serve the capture API (and optionally the browser app) on 127.0.0.1.
    Serve(ServeArgs),
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Markdown.
    Md,
    /// The report JSON.
    Json,
}

#[derive(clap::Args, Debug)]
struct CaptureArgs {
    /// Base URL of the inference server, e.g. http://127.0.0.1:30000.
    #[arg(long)]
    url: String,
    /// Serving framework (auto asks the server).
    #[arg(long, value_enum, default_value_t = FrameworkChoice::Auto)]
    framework: FrameworkChoice,
    /// Folder for captures; each capture makes a new subfolder in it.
    #[arg(long)]
    out: PathBuf,
    /// Stages to capture.
    #[arg(long, value_enum, default_value_t = Workload::Both)]
    workload: Workload,
    /// Prompt tokens of each prefill request.
    #[arg(long, default_value_t = 4090)]
    prefill_input_len: u32,
    /// Output tokens of each prefill request.
    #[arg(long, default_value_t = 1)]
    prefill_output_len: u32,
    /// Prompt tokens of the decode request.
    #[arg(long, default_value_t = 1)]
    decode_input_len: u32,
    /// Output tokens of the decode request.
    #[arg(long, default_value_t = 2048)]
    decode_output_len: u32,
    /// Warm-up steps before the profiler is armed.
    #[arg(long, default_value_t = 10)]
    warmup_steps: u32,
    /// Profiled steps per stage.
    #[arg(long, default_value_t = 5)]
    num_steps: u32,
    /// Trace file prefix (SGLang profile_prefix, TokenSpeed profile_id).
    #[arg(long, default_value = "tracetriage")]
    prefix: String,
    /// Where the server writes traces, as this machine sees it: vLLM's torch_profiler_dir,
    /// or TensorRT-LLM's TLLM_TORCH_PROFILE_TRACE file.
    #[arg(long)]
    server_trace_path: Option<PathBuf>,
    /// Budget for one trace's estimated JSON size, MB; bigger plans are shrunk or refused.
    #[arg(long, default_value_t = 500.0)]
    max_trace_mb: f64,
    /// Seconds to wait for the trace to be flushed (default: from the estimate, at least 60).
    #[arg(long)]
    flush_timeout: Option<f64>,
    /// A complete trace must stay unchanged this long (ms) to count as flushed.
    #[arg(long, default_value_t = 1000)]
    settle_ms: u64,
    /// How often to look at the trace while it is written (ms).
    #[arg(long, default_value_t = 200)]
    poll_ms: u64,
    /// Timeout of one request to the server (seconds).
    #[arg(long, default_value_t = 300.0)]
    request_timeout: f64,
    /// Triage every rank's trace, not only the lowest rank's.
    #[arg(long)]
    all_ranks: bool,
    /// Hide kernel rows below this share of GPU time (percent).
    #[arg(long, default_value_t = 1.0)]
    min_share: f64,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address to bind (non-loopback needs --allow-remote).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 8671)]
    port: u16,
    /// Allow binding a non-loopback address (anyone who can reach it and has the token
    /// can start captures).
    #[arg(long)]
    allow_remote: bool,
    /// Serve the built browser app from this folder (e.g. dist/).
    #[arg(long)]
    app: Option<PathBuf>,
    /// An origin allowed to call the API (repeatable), e.g. http://localhost:8080.
    #[arg(long)]
    allow_origin: Vec<String>,
    /// Folder for captures.
    #[arg(long)]
    out: PathBuf,
    /// Use this token instead of a random one (at least 16 letters or digits).
    #[arg(long)]
    token: Option<String>,
}

fn capture(a: &CaptureArgs) -> ExitCode {
    let opts = CaptureOptions {
        url: a.url.clone(),
        framework: a.framework,
        workload: a.workload,
        prefill_input_len: a.prefill_input_len,
        prefill_output_len: a.prefill_output_len,
        decode_input_len: a.decode_input_len,
        decode_output_len: a.decode_output_len,
        warmup_steps: a.warmup_steps,
        num_steps: a.num_steps,
        prefix: a.prefix.clone(),
        server_trace_path: a.server_trace_path.clone(),
        max_trace_mb: a.max_trace_mb,
        flush_timeout_s: a.flush_timeout,
        settle_ms: a.settle_ms,
        poll_ms: a.poll_ms,
        request_timeout_s: a.request_timeout,
        all_ranks: a.all_ranks,
        min_share: a.min_share,
    };
    let sink = |e: relay::progress::Event| eprintln!("tracetriage-relay: {}", e.line());
    let cancel = relay::cancel::Cancel::new();
    match relay::capture::run(&opts, &a.out, &cancel, &sink) {
        Ok(o) => {
            let text = match a.format {
                Format::Md => o.markdown,
                Format::Json => {
                    let mut s = o.report.to_json();
                    s.push('\n');
                    s
                }
            };
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            eprintln!("tracetriage-relay: report written to {}", o.dir.join("report.json").display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tracetriage-relay: error: {}", e.message);
            if let Some(d) = &e.dir {
                eprintln!("tracetriage-relay: capture folder (kept): {}", d.display());
            }
            if e.stop.is_some() { ExitCode::from(130) } else { ExitCode::FAILURE }
        }
    }
}

fn serve(a: &ServeArgs) -> ExitCode {
    let config = relay::serve::Config {
        host: a.host,
        port: a.port,
        allow_remote: a.allow_remote,
        app: a.app.clone(),
        allow_origins: a.allow_origin.clone(),
        out: a.out.clone(),
        token: a.token.clone(),
    };
    let r = relay::serve::run(config, |ready| {
        for w in &ready.warnings {
            eprintln!("tracetriage-relay: WARNING: {w}");
        }
        println!("tracetriage-relay: serving the capture API (protocol {}) at", relay::serve::PROTOCOL);
        println!("    {}", ready.url);
        let _ = std::io::stdout().flush();
        eprintln!("tracetriage-relay: open the URL above (it carries the access token); Ctrl-C stops");
    });
    match r {
        Ok(()) => {
            eprintln!("tracetriage-relay: stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tracetriage-relay: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = relay::cancel::install_signal_handlers() {
        eprintln!("tracetriage-relay: warning: Ctrl-C handling unavailable: {e}");
    }
    match &cli.command {
        Command::Capture(a) => capture(a),
        Command::Serve(a) => serve(a),
    }
}
