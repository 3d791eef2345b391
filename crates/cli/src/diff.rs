//! `tracetriage diff A B`: two runs compared stage by stage (stage summary, kernel
//! categories, families and kernels side by side, kernels only in A or only in B). A and B
//! are each a trace file, a profile directory (discovered as `triage` does) or a report
//! JSON file written by `triage --format json`. Traces are triaged with every kernel
//! listed (no share cutoff), so every kernel can be compared.
//!
//! `--fail-above PCT [--metric busy|wall|kernel-time]` makes it a CI gate
//! ([`report::diff::gate`]): the diff is written as usual, then one verdict line goes to
//! stderr and the exit status is 3 when B regressed by more than PCT% on any stage.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use native::discover::{self, Ranks};

use crate::output;

/// Diff output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Markdown tables per stage.
    #[value(alias = "md")]
    Markdown,
    /// The diff JSON (docs/diff-json.md).
    Json,
    /// A shared-link fragment (`#d1.…`, at most 8 KB): append it to the browser app's URL
    /// to open the compare view.
    Link,
}

/// A stage to compare alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StageArg {
    /// Extend / prefill.
    #[value(alias = "extend")]
    Prefill,
    /// Decode.
    Decode,
    /// Mixed prefill and decode steps.
    Mixed,
    /// Traces without a stage split.
    All,
    /// Work outside every stage window.
    Other,
}

impl StageArg {
    fn stage(self) -> report::engine::vocab::Stage {
        use report::engine::vocab::Stage;
        match self {
            StageArg::Prefill => Stage::Prefill,
            StageArg::Decode => Stage::Decode,
            StageArg::Mixed => Stage::Mixed,
            StageArg::All => Stage::All,
            StageArg::Other => Stage::Other,
        }
    }
}

/// The stage figure `--fail-above` compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MetricArg {
    /// Time the GPU was busy in the stage (the stage summary's busy time).
    Busy,
    /// GPU wall time of the stage's steps (the stage span).
    Wall,
    /// Σ GPU kernel (activity) time of the stage.
    KernelTime,
}

impl MetricArg {
    fn metric(self) -> report::diff::Metric {
        match self {
            MetricArg::Busy => report::diff::Metric::Busy,
            MetricArg::Wall => report::diff::Metric::Wall,
            MetricArg::KernelTime => report::diff::Metric::KernelTime,
        }
    }
}

/// Why the relations of [`Args`] hold, said after clap's message (see [`crate::usage`]).
pub const HINTS: &crate::usage::Hints = &[(
    "--fail-above",
    "--metric picks the figure the --fail-above gate compares: give --fail-above PCT with it",
)];

/// The exit status of `diff --fail-above` when B regressed.
pub const REGRESSION_STATUS: u8 = 3;

/// Arguments of `diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A, the baseline: a trace file, a profile directory or a report JSON file.
    pub a: PathBuf,
    /// B, compared with A (changes read B − A): a trace file, a profile directory or a
    /// report JSON file.
    pub b: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,
    /// Rows per table (families, kernels, only in A, only in B), largest absolute time
    /// change first; 0 shows every row.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Compare only this stage (a side without a stage split is used as a whole).
    #[arg(long, value_enum)]
    pub stage: Option<StageArg>,
    /// In a directory, keep only this rank's traces (default: rank 0, else the lowest).
    #[arg(long)]
    pub rank: Option<i64>,
    /// Write the diff to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// CI gate: after writing the diff, exit with status 3 when B regressed by more than
    /// PCT percent (strictly) on any compared stage, in the --metric figure; else exit 0.
    /// Either way one verdict line goes to stderr (`tracetriage: regression: …` or
    /// `tracetriage: within threshold: …`). A stage from nothing to some time counts as a
    /// regression; a stage on one side only is named in the verdict and never counts.
    #[arg(long, value_name = "PCT", value_parser = crate::args::threshold)]
    pub fail_above: Option<f64>,
    /// The figure --fail-above compares per stage: busy (GPU busy time), wall (the stage's
    /// GPU wall time) or kernel-time (Σ kernel time).
    #[arg(long, value_enum, default_value_t = MetricArg::Busy, requires = "fail_above")]
    pub metric: MetricArg,
}

/// Runs `diff`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let ranks = args.rank.map_or(Ranks::Default, Ranks::Only);
    let a = report_of(&args.a, ranks).with_context(|| format!("A ({})", args.a.display()))?;
    let b = report_of(&args.b, ranks).with_context(|| format!("B ({})", args.b.display()))?;
    let options = report::diff::DiffOptions {
        stage: args.stage.map(StageArg::stage),
        top: args.top,
        a_source: args.a.display().to_string(),
        b_source: args.b.display().to_string(),
    };
    let d = report::diff::diff(&a, &b, &options);
    let text = match args.format {
        DiffFormat::Markdown => report::diff::markdown::render(&d),
        DiffFormat::Json => output::json_line(d.to_json()),
        DiffFormat::Link => format!("#{}\n", report::share::encode_diff(&d)),
    };
    output::write(args.output.as_deref(), &text)?;
    let Some(threshold) = args.fail_above else { return Ok(()) };
    let gate = report::diff::gate(&d, args.metric.metric(), threshold);
    if gate.failed() {
        return Err(crate::Exit { status: REGRESSION_STATUS, message: gate.verdict() }.into());
    }
    eprintln!("tracetriage: {}", gate.verdict());
    Ok(())
}

/// The report of one side: read back from report JSON, or triaged from its traces.
fn report_of(path: &Path, ranks: Ranks) -> anyhow::Result<report::Report> {
    if path.is_file() && starts_with_schema(path)? {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        if text.contains(&format!("\"{}\"", report::diff::DIFF_SCHEMA)) && !text.contains("\"traceEvents\"") {
            bail!(
                "{} is a tracetriage diff; give a trace, a profile directory or a report JSON file",
                path.display()
            );
        }
        return report::Report::from_json(&text).with_context(|| path.display().to_string());
    }
    let files = discover::discover(&[path.to_path_buf()], ranks)?;
    let options =
        report::engine::triage::Options { min_share_pct: 0.0, ..report::engine::triage::Options::default() };
    crate::triage::triage_files(&files, options, report::engine::Catalog::builtin())
}

/// Whether a file is a tracetriage JSON document (its first key is `schema`), not a trace.
fn starts_with_schema(path: &Path) -> anyhow::Result<bool> {
    let head = native::load::head(path, 4096)?;
    let text = String::from_utf8_lossy(&head);
    let rest = text.trim_start_matches('\u{feff}').trim_start();
    Ok(rest.strip_prefix('{').is_some_and(|r| r.trim_start().starts_with("\"schema\"")))
}
