//! `tracetriage triage PATH...`: the triage report (kernel table per stage).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::discover::{self, Ranks};

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown, structured like the seed tool's output.
    Md,
    /// The report JSON (docs/report-json.md).
    Json,
    /// Kernel rows of every stage as CSV.
    Csv,
}

/// Arguments of `triage`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Trace files or profile directories.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Serving framework: auto, sglang, vllm, trtllm, tokenspeed (aliases: sgl, tllm, tensorrt-llm, ts).
    #[arg(long, default_value = "auto")]
    pub framework: String,
    /// Hide table rows whose share of GPU time is below this percentage.
    #[arg(long, default_value_t = 1.0)]
    pub min_share: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// In a directory, keep only this rank's traces (default: rank 0, else the lowest).
    #[arg(long, conflicts_with = "all_ranks")]
    pub rank: Option<i64>,
    /// In a directory, keep every rank's traces.
    #[arg(long)]
    pub all_ranks: bool,
    /// Write the report to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Print load and analysis times to stderr.
    #[arg(long)]
    pub timings: bool,
}

/// Runs `triage`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let Some(framework) = engine::analysis::framework::Framework::parse(&args.framework) else {
        bail!("unknown framework {:?}: use auto, sglang, vllm, trtllm or tokenspeed", args.framework);
    };
    if !(0.0..=100.0).contains(&args.min_share) {
        bail!("--min-share must be between 0 and 100, got {}", args.min_share);
    }
    let ranks = match (args.rank, args.all_ranks) {
        (Some(r), _) => Ranks::Only(r),
        (None, true) => Ranks::All,
        (None, false) => Ranks::Default,
    };
    let files = discover::discover(&args.paths, ranks)?;
    let started = Instant::now();
    let mut traces = Vec::with_capacity(files.len());
    for f in &files {
        traces.push(crate::read::load(f)?);
    }
    let loaded = started.elapsed();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let inputs: Vec<engine::triage::Input<'_>> =
        names.iter().zip(&traces).map(|(path, trace)| engine::triage::Input { path, trace }).collect();
    let options = engine::triage::Options {
        framework,
        min_share_pct: args.min_share,
        server_args: files.first().and_then(|f| discover::server_args(f)),
    };
    let report = engine::triage::triage(&inputs, &options, engine::Catalog::builtin());
    let analysed = started.elapsed() - loaded;
    let text = match args.format {
        ReportFormat::Md => engine::report::markdown::render(&report),
        ReportFormat::Json => {
            let mut s = report.to_json();
            s.push('\n');
            s
        }
        ReportFormat::Csv => engine::report::csv::render(&report),
    };
    match &args.output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?,
        None => print!("{text}"),
    }
    if args.timings {
        let bytes: u64 = traces.iter().map(|t| t.json_bytes).sum();
        eprintln!(
            "tracetriage: {} trace(s), {} of JSON: load {:.1} ms, triage {:.1} ms",
            traces.len(),
            engine::format::bytes(bytes),
            loaded.as_secs_f64() * 1e3,
            analysed.as_secs_f64() * 1e3
        );
    }
    Ok(())
}
