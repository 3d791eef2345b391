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
use relay::options::CaptureOptions;

mod runners_cli;

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
    /// Start a server from a spec with its framework's profiler flags, wait until it
    /// answers, capture, and stop it.
    Launch(Box<runners_cli::LaunchArgs>),
    /// One model across several frameworks: formal and mapping captures, triaged, then one
    /// markdown bundle and a dashboard site.
    Matrix(runners_cli::MatrixArgs),
    /// Write a TensorRT-LLM py_executor.py whose profiler records Python stacks, with the
    /// torch trace on rank 0 only.
    TrtllmOverride(runners_cli::OverrideArgs),
    /// Check a server before capturing: up, framework and model, non-empty greedy text,
    /// latency, profiler endpoints (one line per check; exit 0 only when all pass).
    Probe(relay::server_probe::ProbeOptions),
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
    /// What to capture (the same options as the API's JSON).
    #[command(flatten)]
    options: CaptureOptions,
    /// Folder for captures; each capture makes a new subfolder in it.
    #[arg(long)]
    out: PathBuf,
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
    let sink = |e: relay::progress::Event| eprintln!("tracetriage-relay: {e}");
    let cancel = relay::cancel::Cancel::new();
    match relay::capture::run(&a.options, &a.out, &cancel, &sink) {
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
        println!("tracetriage-relay: serving the capture API (protocol {}) at", report::live::PROTOCOL);
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

fn probe(a: &relay::server_probe::ProbeOptions) -> ExitCode {
    let p = relay::server_probe::probe(a);
    let text = match a.format {
        relay::server_probe::Format::Text => p.lines(),
        relay::server_probe::Format::Json => {
            serde_json::to_string_pretty(&p).map_or_else(|_| "{}\n".to_owned(), |s| format!("{s}\n"))
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    if p.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = relay::cancel::install_signal_handlers() {
        eprintln!("tracetriage-relay: warning: Ctrl-C handling unavailable: {e}");
    }
    match &cli.command {
        Command::Capture(a) => capture(a),
        Command::Serve(a) => serve(a),
        Command::Launch(a) => runners_cli::launch(a),
        Command::Matrix(a) => runners_cli::matrix(a),
        Command::TrtllmOverride(a) => runners_cli::trtllm_override(a),
        Command::Probe(a) => probe(a),
    }
}
