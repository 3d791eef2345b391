//! `tracetriage diff A B`: two runs compared stage by stage (stage summary, kernel
//! categories, families and kernels side by side, kernels only in A or only in B). A and B
//! are each a trace file, a profile directory (discovered as `triage` does) or a report
//! JSON file written by `triage --format json`. Traces are triaged with every kernel
//! listed (no share cutoff), so every kernel can be compared.

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
    output::write(args.output.as_deref(), &text)
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
