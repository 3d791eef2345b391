//! `tracetriage`: the native command-line front end of the engine.
//!
//! It reads files (streaming, once), hands bytes to the engine and prints what the engine
//! renders. Errors are one line on stderr and a non-zero exit status.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods, clippy::disallowed_types)]

mod args;
mod bundle;
mod collect;
mod dashboard;
mod diff;
mod inspect;
mod layers;
mod mcp;
mod output;
mod progress;
mod ranks;
mod reduce;
mod triage;
mod usage;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand, ValueEnum};

/// Triage PyTorch-profiler (Kineto) traces of LLM inference servers.
#[derive(Parser, Debug)]
#[command(name = "tracetriage", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Show what is in trace files: event counts, GPU, rank, time span, streams, threads,
    /// diagnostics.
    Inspect {
        /// Trace files (`.json` or `.json.gz`; gzip is detected from the content).
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also list GPU time per kernel category and the kernels no category rule knows
        /// (`other`), with their share of GPU time.
        #[arg(long)]
        kernels: bool,
    },
    /// Triage traces: per stage (extend/prefill, decode), the kernel table with categories,
    /// shares and the Python source and CPU op of each kernel.
    Triage(triage::Args),
    /// Is each kernel at the GPU's limit? Per stage, the kernels ranked by the GPU time
    /// they would save at the achievable roof (FLOPs and bytes from the launching op's
    /// recorded shapes; GPU peaks from catalog/gpus.toml), with what share of GPU time has
    /// a figure and why the rest has none. Takes triage's options.
    Roofline(triage::Args),
    /// Reduce traces to what `triage --all-ranks` needs, one rank-reduction file (`.ttr`)
    /// per trace: run it where the traces are (one job per rank), merge the small files on
    /// one machine with `triage --all-ranks *.ttr`.
    Reduce(reduce::Args),
    /// Forward passes and layers: per-pass summary (cold start, steady state), one pass's
    /// layers with per-category times and layer types, one layer's kernels, two layers
    /// compared, Perfetto time ranges.
    Layers(layers::Args),
    /// Compare two runs (A and B: trace files, profile directories or report JSON files):
    /// per stage, the stage summary, kernel categories, families and kernels side by side
    /// with time and share changes, and kernels only in A or only in B. With
    /// --fail-above PCT, a CI gate: exit status 3 when B regressed by more than PCT% on
    /// any stage.
    Diff(diff::Args),
    /// Many runs (report JSON files, or traces triaged on the fly) in one markdown
    /// document, grouped by model and framework, with a table of contents and each run's
    /// kernel, overlap and fuse tables.
    Bundle(bundle::Args),
    /// A static team dashboard: the browser app, every run's report JSON and a manifest
    /// (`reports/index.json`) in one folder any static host can serve.
    Dashboard(dashboard::Args),
    /// A Model Context Protocol server over stdio for coding agents: the triage, its
    /// tables (every row with a citable `row_id`), inspect, layers, diff and capture as
    /// tools with bounded answers; loaded traces stay cached between calls.
    Mcp(mcp::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let result = match cli.command {
        Command::Inspect { files, format, kernels } => inspect::run(&files, format, kernels),
        Command::Triage(args) => triage::run(&args, triage::View::Triage),
        Command::Roofline(args) => triage::run(&args, triage::View::Roofline),
        Command::Reduce(args) => reduce::run(&args),
        Command::Layers(args) => layers::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Bundle(args) => bundle::run(&args),
        Command::Dashboard(args) => dashboard::run(&args),
        Command::Mcp(args) => mcp::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<Exit>() {
            Some(exit) => {
                eprintln!("tracetriage: {}", exit.message);
                ExitCode::from(exit.status)
            }
            None => {
                eprintln!("tracetriage: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// An end of a command with an exit status of its own (not 1): a regression found by
/// `diff --fail-above` (3), a triage refused by the diffusion backend gate (4). Its
/// message is the one line printed on stderr.
#[derive(Debug)]
pub struct Exit {
    /// The exit status.
    pub status: u8,
    /// The one line said on stderr (after `tracetriage: `).
    pub message: String,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// Help and version as clap prints them; a command-line mistake as one line on stderr
/// (exit status 2).
fn usage_error(e: &clap::Error) -> ExitCode {
    let code = ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
    } else {
        eprintln!("tracetriage: {}", usage::one_line(e, &[triage::HINTS, layers::HINTS, diff::HINTS]));
    }
    code
}
