//! `tracetriage triage PATH...`: the triage report (kernel, overlap and fuse tables per
//! stage), optionally followed by ASCII timelines (`--timeline`, `--window START..END`).
//! `tracetriage triage --mapping PATH... --formal PATH...`: two-trace mode (timing from the
//! formal traces, Python attribution of graph-replayed kernels from the mapping traces).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};

use native::discover::{self, Ranks};

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown, structured like the seed tool's output.
    Md,
    /// The report JSON (docs/report-json.md).
    Json,
    /// One table of every stage as CSV (`--table` picks which; kernels by default).
    Csv,
}

/// The table `--format csv` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvTableArg {
    /// The kernel table.
    Kernels,
    /// The overlap-opportunity table.
    Overlap,
    /// The fuse-pattern table.
    Fuse,
}

/// Arguments of `triage`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Trace files or profile directories (single-trace mode).
    pub paths: Vec<PathBuf>,
    /// Two-trace mode: traces (files or directories) captured with CUDA graphs off, whose
    /// eager launches give graph-replayed kernels of the formal traces their Python
    /// location. Needs --formal.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub mapping: Vec<PathBuf>,
    /// Two-trace mode: traces (files or directories) of the real serving config, which the
    /// tables and timing come from. Needs --mapping.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub formal: Vec<PathBuf>,
    /// Serving framework: auto, sglang, vllm, trtllm, tokenspeed (aliases: sgl, tllm, tensorrt-llm, ts).
    #[arg(long, default_value = "auto")]
    pub framework: String,
    /// Hide table rows whose share of GPU time is below this percentage.
    #[arg(long, default_value_t = 1.0)]
    pub min_share: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// With `--format csv`: which table to write (kernels, overlap or fuse).
    #[arg(long, value_enum, default_value_t = CsvTableArg::Kernels)]
    pub table: CsvTableArg,
    /// In a directory, keep only this rank's traces (default: rank 0, else the lowest).
    #[arg(long, conflicts_with = "all_ranks")]
    pub rank: Option<i64>,
    /// All ranks of one capture: keep every rank's traces (of a directory, or the files
    /// given), load them in parallel, align them in time and report per rank GPU busy,
    /// waiting and exposed communication, per collective family the arrival skew and the
    /// rank that arrived last, and per kernel the spread over ranks (markdown or JSON).
    #[arg(long)]
    pub all_ranks: bool,
    /// Threads that load traces at once (0: one per CPU core).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub load_threads: usize,
    /// Write the report to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// An extra catalog file (fuse patterns and reference entries, TOML as in
    /// catalog/README.md), added to the built-in catalog.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Print load and analysis times to stderr.
    #[arg(long)]
    pub timings: bool,
    /// After the report, print an ASCII timeline of each stage's busiest step (one row per
    /// stream, characters by category, overlap marked). Markdown output only.
    #[arg(long)]
    pub timeline: bool,
    /// The timeline's window instead: START..END in milliseconds after the trace's first
    /// event (e.g. `120.5..135`). Implies --timeline.
    #[arg(long, value_name = "START..END")]
    pub window: Option<String>,
}

/// Parses `START..END` (milliseconds).
fn parse_window(text: &str) -> anyhow::Result<(f64, f64)> {
    let Some((a, b)) = text.split_once("..") else {
        bail!("--window must be START..END in milliseconds (e.g. 120.5..135), got {text:?}");
    };
    let num = |s: &str| {
        s.trim().parse::<f64>().ok().filter(|v| v.is_finite()).with_context(|| {
            format!("--window: {s:?} is not a number of milliseconds (expected START..END, e.g. 120.5..135)")
        })
    };
    let (start, end) = (num(a)?, num(b)?);
    if end <= start {
        bail!("--window: the end ({end} ms) must come after the start ({start} ms)");
    }
    Ok((start, end))
}

/// The ASCII timelines: per input, each stage's busiest step, or the chosen window.
fn timelines(
    report: &engine::Report,
    names: &[String],
    traces: &[engine::Trace],
    window: Option<(f64, f64)>,
    catalog: &engine::Catalog,
) -> String {
    const WIDTH: usize = 110;
    let mut out = String::from("\nTimeline\n");
    for (index, (name, trace)) in names.iter().zip(traces).enumerate() {
        let tl = engine::timeline::Timeline::of(trace, name, catalog);
        let who = engine::report::view::short_name(name);
        let mut views: Vec<(String, engine::timeline::Window)> = Vec::new();
        match window {
            Some((a, b)) => views.push((who.clone(), engine::timeline::Window::from_ms(tl.origin_ns, a, b))),
            None => {
                for stage in report.stages.iter().filter(|s| s.inputs.contains(&index)) {
                    let Some(span) = tl.stages.iter().find(|s| s.stage == stage.stage) else { continue };
                    let step = span
                        .steps
                        .iter()
                        .find(|s| s.start_ns == span.busiest.start_ns && s.end_ns == span.busiest.end_ns)
                        .map(|s| s.name.as_str())
                        .filter(|n| !n.is_empty());
                    let heading = match step {
                        Some(step) => format!("{} · busiest step {step}", stage.label),
                        None => format!("{} · all of its GPU work", stage.label),
                    };
                    views.push((heading, span.busiest));
                }
            }
        }
        for (heading, w) in views {
            out.push_str(&format!("##### {heading}\n```text\n"));
            out.push_str(&engine::timeline::ascii::render(&tl, w, WIDTH));
            out.push_str("```\n");
        }
    }
    out
}

/// The built-in catalog plus `--catalog FILE`, when given.
fn load_catalog(path: Option<&std::path::Path>) -> anyhow::Result<Option<engine::Catalog>> {
    let Some(path) = path else { return Ok(None) };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read catalog {}", path.display()))?;
    Ok(Some(engine::Catalog::builtin_with(&path.display().to_string(), &text)?))
}

/// Runs `triage`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let Some(framework) = engine::analysis::framework::Framework::parse(&args.framework) else {
        bail!("unknown framework {:?}: use auto, sglang, vllm, trtllm or tokenspeed", args.framework);
    };
    if !(0.0..=100.0).contains(&args.min_share) {
        bail!("--min-share must be between 0 and 100, got {}", args.min_share);
    }
    let user_catalog = load_catalog(args.catalog.as_deref())?;
    let catalog = user_catalog.as_ref().unwrap_or_else(|| engine::Catalog::builtin());
    let window = args.window.as_deref().map(parse_window).transpose()?;
    let timeline = args.timeline || window.is_some();
    if timeline && args.format != ReportFormat::Md {
        bail!(
            "--timeline and --window print text: use them with --format md (the JSON report carries each stage's timeline strip)"
        );
    }
    let ranks = match (args.rank, args.all_ranks) {
        (Some(r), _) => Ranks::Only(r),
        (None, true) => Ranks::All,
        (None, false) => Ranks::Default,
    };
    let two = !args.mapping.is_empty() || !args.formal.is_empty();
    if two && !args.paths.is_empty() {
        bail!(
            "trace paths cannot be combined with --mapping/--formal: give all traces as --mapping PATH... --formal PATH... (two-trace mode) or as plain paths (single-trace mode)"
        );
    }
    match (args.mapping.is_empty(), args.formal.is_empty()) {
        (false, true) => {
            bail!("--mapping needs --formal: two-trace mode takes both (--mapping PATH... --formal PATH...)")
        }
        (true, false) => {
            bail!("--formal needs --mapping: two-trace mode takes both (--mapping PATH... --formal PATH...)")
        }
        _ => {}
    }
    if args.all_ranks && two {
        bail!(
            "--all-ranks compares the ranks of one capture: give its directory or files as plain paths, not --mapping/--formal"
        );
    }
    if args.all_ranks && (timeline || args.format == ReportFormat::Csv) {
        bail!("--all-ranks prints markdown or JSON (--format md or json), without --timeline/--window");
    }
    if !two && args.paths.is_empty() {
        bail!("no traces given: tracetriage triage PATH... (or --mapping PATH... --formal PATH...)");
    }
    let mapping_files = discover::discover(&args.mapping, ranks)?;
    let formal_files =
        if two { discover::discover(&args.formal, ranks)? } else { discover::discover(&args.paths, ranks)? };
    let started = Instant::now();
    // Report order: mapping traces first, then the formal (or single-trace) ones.
    let files: Vec<&PathBuf> = mapping_files.iter().chain(&formal_files).collect();
    let paths: Vec<&std::path::Path> = files.iter().map(|f| f.as_path()).collect();
    let traces = native::load_all(&paths, args.load_threads)?;
    let loaded = started.elapsed();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let inputs: Vec<engine::triage::Input<'_>> =
        names.iter().zip(&traces).map(|(path, trace)| engine::triage::Input { path, trace }).collect();
    let options = engine::triage::Options {
        framework,
        min_share_pct: args.min_share,
        // The formal side's server args first, as the seed does.
        server_args: formal_files.first().or(mapping_files.first()).and_then(|f| discover::server_args(f)),
    };
    if args.all_ranks && !two {
        return all_ranks(args, &inputs, &options, catalog, loaded, started);
    }
    let report = if two {
        let (mapping, formal) = inputs.split_at(mapping_files.len());
        engine::triage::triage_mapping_formal(mapping, formal, &options, catalog)
    } else {
        engine::triage::triage(&inputs, &options, catalog)
    };
    let analysed = started.elapsed() - loaded;
    let text = match args.format {
        ReportFormat::Md if timeline => {
            engine::report::markdown::render(&report) + &timelines(&report, &names, &traces, window, catalog)
        }
        ReportFormat::Md => engine::report::markdown::render(&report),
        ReportFormat::Json => {
            let mut s = report.to_json();
            s.push('\n');
            s
        }
        ReportFormat::Csv => {
            use engine::report::csv::{CsvTable, render_table};
            let which = match args.table {
                CsvTableArg::Kernels => CsvTable::Kernels,
                CsvTableArg::Overlap => CsvTable::Overlap,
                CsvTableArg::Fuse => CsvTable::Fuse,
            };
            render_table(&report, which)
        }
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

/// `--all-ranks`: the all-ranks report of the loaded traces.
fn all_ranks(
    args: &Args,
    inputs: &[engine::triage::Input<'_>],
    options: &engine::triage::Options,
    catalog: &engine::Catalog,
    loaded: std::time::Duration,
    started: Instant,
) -> anyhow::Result<()> {
    let report = engine::analysis::ranks::report(inputs, options, catalog);
    let analysed = started.elapsed() - loaded;
    let text = match args.format {
        ReportFormat::Json => {
            let mut s = report.to_json();
            s.push('\n');
            s
        }
        _ => engine::report::ranks::markdown::render(&report),
    };
    match &args.output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?,
        None => print!("{text}"),
    }
    if args.timings {
        let bytes: u64 = inputs.iter().map(|i| i.trace.json_bytes).sum();
        eprintln!(
            "tracetriage: {} trace(s), {} of JSON: load {:.1} ms, all-ranks analysis {:.1} ms",
            inputs.len(),
            engine::format::bytes(bytes),
            loaded.as_secs_f64() * 1e3,
            analysed.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// Loads trace files and triages them in single-trace mode, as `triage PATH...` does (the
/// server arguments beside the first file), for commands that triage on the fly
/// (`bundle`, `dashboard`).
///
/// # Errors
/// When a file cannot be read or is not a trace.
pub fn triage_files(
    files: &[PathBuf],
    framework: Option<engine::analysis::framework::Framework>,
    min_share_pct: f64,
    catalog: &engine::Catalog,
) -> anyhow::Result<engine::Report> {
    let mut traces = Vec::with_capacity(files.len());
    for f in files {
        traces.push(native::load(f)?);
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let inputs: Vec<engine::triage::Input<'_>> =
        names.iter().zip(&traces).map(|(path, trace)| engine::triage::Input { path, trace }).collect();
    let options = engine::triage::Options {
        framework,
        min_share_pct,
        server_args: files.first().and_then(|f| discover::server_args(f)),
    };
    Ok(engine::triage::triage(&inputs, &options, catalog))
}
