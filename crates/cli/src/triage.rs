//! `tracetriage triage PATH...`: the triage report (kernel, overlap and fuse tables per
//! stage), optionally followed by ASCII timelines (`--timeline`, `--window START..END`).
//! `tracetriage triage --mapping PATH... --formal PATH...`: two-trace mode (timing from the
//! formal traces, Python attribution of graph-replayed kernels from the mapping traces).
//! `tracetriage triage --all-ranks PATH...`: the all-ranks report of one capture.
//! Every form passes the diffusion backend gate first ([`report::gate`]: `--server-log`, or
//! the logs beside the traces, then the traces' Python stacks): a refused triage ends with
//! one line on stderr and exit status 4.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use native::discover::{self, Ranks};

use crate::args::FrameworkArg;
use crate::output;

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

/// Arguments of `triage`. Which go together is said to clap (`requires`,
/// `conflicts_with`, the `traces` group); [`HINTS`] says why when a command line breaks it.
#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("traces").args(["paths", "mapping", "formal"]).multiple(true).required(true))]
pub struct Args {
    /// Trace files or profile directories (single-trace mode).
    #[arg(conflicts_with_all = ["mapping", "formal"])]
    pub paths: Vec<PathBuf>,
    /// Two-trace mode: traces (files or directories) captured with CUDA graphs off, whose
    /// eager launches give graph-replayed kernels of the formal traces their Python
    /// location. Needs --formal.
    #[arg(long, value_name = "PATH", num_args = 1.., requires = "formal")]
    pub mapping: Vec<PathBuf>,
    /// Two-trace mode: traces (files or directories) of the real serving config, which the
    /// tables and timing come from. Needs --mapping.
    #[arg(long, value_name = "PATH", num_args = 1.., requires = "mapping")]
    pub formal: Vec<PathBuf>,
    /// Graph-capture traces (files or folders; vLLM's and SGLang's `capture_traces/`,
    /// SGLang's `graph_capture_profile/`): graph-replayed kernels take the Python location
    /// and CPU op recorded when their graph was captured. Without it, those folders are
    /// looked for beside the traces and one level up.
    #[arg(long, value_name = "PATH", num_args = 1.., conflicts_with = "no_capture")]
    pub capture: Vec<PathBuf>,
    /// Do not look for capture traces beside the traces.
    #[arg(long)]
    pub no_capture: bool,
    /// Serving framework (aliases: sgl, tllm, tensorrt-llm, ts; any case).
    #[arg(long, value_enum, ignore_case = true, default_value_t = FrameworkArg::Auto)]
    pub framework: FrameworkArg,
    /// Hide table rows whose share of GPU time is below this percentage.
    #[arg(long, default_value_t = 1.0, value_parser = crate::args::percent)]
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
    /// Each trace is reduced and dropped as soon as it is loaded. Rank-reduction files
    /// (`.ttr`, from `tracetriage reduce`) and folders of them are read in place of
    /// traces, alone or mixed with traces.
    #[arg(long, conflicts_with_all = ["mapping", "formal", "timeline", "window"])]
    pub all_ranks: bool,
    /// Threads that load traces (0: one per CPU core): files load side by side, and a gzip
    /// file inflates on a second thread while the first parses when one is to spare.
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
    /// No progress bar on stderr (there is none either when stderr is not a terminal).
    #[arg(short, long)]
    pub quiet: bool,
    /// The model's config.json, for the roofline of MoE layers (expert sizes, top-k,
    /// weight type) and of attention from step aggregates (heads, head size, layers).
    /// Without it, a config.json beside the traces or one folder up is used.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The inference server's log (repeat for several). Diffusion backend gate: when a
    /// line says the run used the diffusers backend (`Falling back to diffusers backend`,
    /// `Using diffusers backend`, `Loaded diffusers pipeline`), the triage is refused with
    /// one line on stderr and exit status 4: the trace is not native SGLang diffusion
    /// evidence. Without it, `server.log` beside the traces (else every `*.log` there, else
    /// a `server.log` one folder up) is read. Traces whose Python stacks run
    /// `diffusers/pipelines/` under SGLang's diffusion runtime are refused the same way.
    #[arg(long, value_name = "FILE")]
    pub server_log: Vec<PathBuf>,
    /// GPU peaks of your own (TOML as catalog/gpus.toml): an entry with a built-in id
    /// replaces it, a new id is added.
    #[arg(long, value_name = "FILE")]
    pub gpu_spec: Option<PathBuf>,
    /// Markdown: add the roofline columns to the kernel tables (work, achieved rate,
    /// fraction of the achievable roof, bound) and the roofline coverage line. JSON and
    /// CSV always have them.
    #[arg(long)]
    pub roofline: bool,
    /// After the report, print an ASCII timeline of each stage's busiest step (one row per
    /// stream, characters by category, overlap marked). Markdown output only.
    #[arg(long)]
    pub timeline: bool,
    /// The timeline's window instead: START..END in milliseconds after the trace's first
    /// event (e.g. `120.5..135`). Implies --timeline.
    #[arg(long, value_name = "START..END", value_parser = Window::parse)]
    pub window: Option<Window>,
    /// After the report, an "Open in Perfetto" section: per stage, deep links into the
    /// Perfetto UI (default https://ui.perfetto.dev, or the URL given as `--perfetto=URL`
    /// for a self-hosted UI) that show the stage, its busiest step, its steps and its top
    /// rows (`#!/?visStart=…&visEnd=…`, trace nanoseconds). Open the trace file in the UI,
    /// then follow a link. Markdown output only.
    #[arg(long, value_name = "URL", num_args = 0..=1, require_equals = true,
          default_missing_value = report::perfetto::DEFAULT_UI, conflicts_with = "all_ranks")]
    pub perfetto: Option<String>,
}

/// Why the relations of [`Args`] hold, said after clap's message (see [`crate::usage`]).
pub const HINTS: &crate::usage::Hints = &[
    ("--rank ", "--rank keeps one rank's traces and --all-ranks every rank's: give one of them"),
    (
        "--all-ranks",
        "--all-ranks compares the ranks of one capture: give its directory or files as plain paths, \
         without --mapping/--formal, --timeline or --window",
    ),
    ("<PATHS|", "no traces given: tracetriage triage PATH... (or --mapping PATH... --formal PATH...)"),
    (
        "[PATHS]",
        "trace paths cannot be combined with --mapping/--formal: give all traces as --mapping PATH... \
         --formal PATH... (two-trace mode) or as plain paths (single-trace mode)",
    ),
    ("--formal", "--mapping needs --formal: two-trace mode takes both (--mapping PATH... --formal PATH...)"),
    ("--mapping", "--formal needs --mapping: two-trace mode takes both (--mapping PATH... --formal PATH...)"),
];

/// `--window START..END`, milliseconds after the trace's first event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Start, ms.
    pub start_ms: f64,
    /// End, ms (after the start).
    pub end_ms: f64,
}

impl Window {
    /// Parses `START..END`.
    ///
    /// # Errors
    /// Not two numbers, or the end not after the start.
    pub fn parse(text: &str) -> Result<Window, String> {
        let Some((a, b)) = text.split_once("..") else {
            return Err(format!(
                "--window must be START..END in milliseconds (e.g. 120.5..135), got {text:?}"
            ));
        };
        let num = |s: &str| {
            s.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                format!(
                    "--window: {s:?} is not a number of milliseconds (expected START..END, e.g. 120.5..135)"
                )
            })
        };
        let (start_ms, end_ms) = (num(a)?, num(b)?);
        if end_ms <= start_ms {
            return Err(format!("--window: the end ({end_ms} ms) must come after the start ({start_ms} ms)"));
        }
        Ok(Window { start_ms, end_ms })
    }
}

impl Args {
    /// Whether ASCII timelines follow the report.
    fn timeline(&self) -> bool {
        self.timeline || self.window.is_some()
    }

    /// Whether this is two-trace mode.
    fn two_trace(&self) -> bool {
        !self.mapping.is_empty()
    }

    /// The rules clap cannot say: they depend on `--format`'s value.
    fn check_format(&self) -> anyhow::Result<()> {
        if self.perfetto.is_some() && self.format != ReportFormat::Md {
            bail!("--perfetto prints markdown links: use it with --format md");
        }
        if self.timeline() && self.format != ReportFormat::Md {
            bail!(
                "--timeline and --window print text: use them with --format md (the JSON report carries each stage's timeline strip)"
            );
        }
        if self.all_ranks && self.format == ReportFormat::Csv {
            bail!("--all-ranks prints markdown or JSON (--format md or json)");
        }
        Ok(())
    }

    fn ranks(&self) -> Ranks {
        match (self.rank, self.all_ranks) {
            (Some(r), _) => Ranks::Only(r),
            (None, true) => Ranks::All,
            (None, false) => Ranks::Default,
        }
    }
}

/// The traces of one run, loaded, in report order: mapping traces first, then the formal
/// (or single-trace) ones.
struct Loaded {
    names: Vec<String>,
    traces: Vec<report::trace::Trace>,
    /// How many of them are mapping traces.
    mapping: usize,
    server_args: Option<report::engine::analysis::framework::ServerArgs>,
    /// The model's config.json: given, else found beside the traces.
    model_config: Option<report::engine::analysis::layers::config::ModelConfig>,
    /// Capture traces, read into indexes.
    captures: Vec<std::sync::Arc<report::engine::analysis::capture::CaptureIndex>>,
    took: Duration,
}

impl Loaded {
    fn inputs(&self) -> Vec<report::engine::triage::Input<'_>> {
        inputs(&self.names, &self.traces)
    }

    fn json_bytes(&self) -> u64 {
        self.traces.iter().map(|t| t.json_bytes).sum()
    }
}

/// The engine's inputs: names beside their traces.
pub fn inputs<'a>(
    names: &'a [String],
    traces: &'a [report::trace::Trace],
) -> Vec<report::engine::triage::Input<'a>> {
    report::engine::triage::Input::zip(names, traces)
}

fn load(args: &Args) -> anyhow::Result<Loaded> {
    let ranks = args.ranks();
    let mapping = discover::discover(&args.mapping, ranks)?;
    let formal = discover::discover(if args.two_trace() { &args.formal } else { &args.paths }, ranks)?;
    let started = Instant::now();
    let all: Vec<PathBuf> = mapping.iter().chain(&formal).cloned().collect();
    // The diffusion backend gate: the logs before any trace is read, then the stacks.
    if let Some(refusal) = report::gate::diffusion_logs(&server_logs(&args.server_log, &all)?) {
        return Err(refused(&refusal));
    }
    let files: Vec<&Path> = all.iter().map(PathBuf::as_path).collect();
    let bar = crate::progress::Loads::new(&files, args.quiet);
    let loaded = native::load_each_with(&files, args.load_threads, |_, t| t, &|i, p| bar.update(i, p));
    bar.finish();
    let traces = loaded.into_iter().collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    for (name, trace) in names.iter().zip(&traces) {
        warn_if_cut(name, trace);
    }
    if let Some(refusal) = report::gate::diffusion_stacks(&inputs(&names, &traces)) {
        return Err(refused(&refusal));
    }
    let captures = load_captures(args, &formal)?;
    Ok(Loaded {
        names,
        traces,
        captures,
        mapping: mapping.len(),
        // The formal side's server args first, as the seed does.
        server_args: formal.first().or(mapping.first()).and_then(|f| discover::server_args(f)),
        model_config: load_model_config(args.config.as_deref(), formal.first())?,
        took: started.elapsed(),
    })
}

/// Says first, on stderr, that a trace ends early (the exit status stays 0): one line
/// naming the file and the byte of its JSON where it ends.
pub(crate) fn warn_if_cut(name: &str, trace: &report::trace::Trace) {
    if let Some(cut) =
        trace.diagnostics.entries().iter().find(|d| d.kind == report::trace::DiagnosticKind::Truncated)
    {
        eprintln!("{}", cut_line(name, cut.first_offset));
    }
}

/// [`warn_if_cut`] for a rank reduction (all ranks, `reduce`), which keeps where its trace
/// ends early (`ends_early`).
pub(crate) fn warn_if_reduction_cut(r: &report::engine::ranks::RankReduction) {
    if let Some(cut) = r.ends_early {
        eprintln!("{}", cut_line(&r.path, cut.at_byte));
    }
}

/// The stderr line for `name`, which ends early at byte `at` (when known).
fn cut_line(name: &str, at: Option<u64>) -> String {
    match at {
        Some(at) => format!(
            "tracetriage: warning: {name} ends early at byte {}: the GPU events after it are missing",
            report::format::count(at)
        ),
        None => format!("tracetriage: warning: {name} ends early: the GPU events after the cut are missing"),
    }
}

/// The exit status of a triage refused by the diffusion backend gate.
pub const REFUSED_STATUS: u8 = 4;

/// A refusal of the diffusion backend gate, as the error that ends the command.
pub(crate) fn refused(refusal: &report::gate::Refusal) -> anyhow::Error {
    crate::Exit { status: REFUSED_STATUS, message: refusal.to_string() }.into()
}

/// The server logs of the diffusion backend gate: `--server-log FILE`s (an unreadable one
/// is an error), else those found beside `traces` ([`native::discover::server_logs`]; an
/// unreadable one is skipped with a warning).
pub(crate) fn server_logs(
    given: &[PathBuf],
    traces: &[PathBuf],
) -> anyhow::Result<Vec<report::gate::ServerLog>> {
    if !given.is_empty() {
        return Ok(given.iter().map(|p| discover::server_log(p)).collect::<Result<_, _>>()?);
    }
    let mut logs = Vec::new();
    for path in discover::server_logs(traces) {
        match discover::server_log(&path) {
            Ok(log) => logs.push(log),
            Err(e) => eprintln!("tracetriage: warning: server log not read: {e}"),
        }
    }
    Ok(logs)
}

/// `--config FILE` (an unreadable or broken one is an error), else a config.json beside
/// `first`.
fn load_model_config(
    given: Option<&Path>,
    first: Option<&PathBuf>,
) -> anyhow::Result<Option<report::engine::analysis::layers::config::ModelConfig>> {
    let Some(path) = given else { return Ok(first.and_then(|f| discover::model_config(f)).map(|(_, c)| c)) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let config = report::engine::analysis::layers::config::ModelConfig::parse(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.0))?;
    Ok(Some(config))
}

/// The built-in GPU peaks with `--gpu-spec FILE` laid over them, when given.
pub fn load_gpu_specs(
    path: Option<&Path>,
) -> anyhow::Result<Option<std::sync::Arc<report::engine::catalog::GpuSpecs>>> {
    let Some(path) = path else { return Ok(None) };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read GPU specs {}", path.display()))?;
    let specs = report::engine::catalog::GpuSpecs::builtin_with(&path.display().to_string(), &text)?;
    Ok(Some(std::sync::Arc::new(specs)))
}

/// The capture traces of a run: `--capture` (an unreadable one is an error), else those
/// found beside the formal (or single-trace) traces (an unreadable one is skipped with a
/// warning), none with `--no-capture`.
fn load_captures(
    args: &Args,
    traces: &[PathBuf],
) -> anyhow::Result<Vec<std::sync::Arc<report::engine::analysis::capture::CaptureIndex>>> {
    if args.no_capture {
        return Ok(Vec::new());
    }
    if args.capture.is_empty() {
        return Ok(found_captures(traces, args.load_threads));
    }
    let files = native::capture::expand(&args.capture)?;
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let loaded = native::capture::load(&paths, args.load_threads, |p| p.display().to_string());
    Ok(loaded.into_iter().collect::<Result<_, _>>()?)
}

/// The capture traces found beside `traces` ([`native::capture::find`]), read; one that
/// cannot be read is skipped with a warning.
fn found_captures(
    traces: &[PathBuf],
    threads: usize,
) -> Vec<std::sync::Arc<report::engine::analysis::capture::CaptureIndex>> {
    let files = native::capture::find(traces);
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let mut out = Vec::new();
    for result in native::capture::load(&paths, threads, |p| p.display().to_string()) {
        match result {
            Ok(index) => out.push(index),
            Err(e) => eprintln!("tracetriage: warning: capture trace not used: {e}"),
        }
    }
    out
}

/// The built-in catalog plus `--catalog FILE`, when given.
pub(crate) fn load_catalog(path: Option<&Path>) -> anyhow::Result<Option<report::engine::Catalog>> {
    let Some(path) = path else { return Ok(None) };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read catalog {}", path.display()))?;
    Ok(Some(report::engine::Catalog::builtin_with(&path.display().to_string(), &text)?))
}

/// Which view of the triage a command prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// `triage`: the report.
    Triage,
    /// `roofline`: the roofline view (markdown), or the report JSON.
    Roofline,
}

/// Runs `triage` (or `roofline`).
pub fn run(args: &Args, view: View) -> anyhow::Result<()> {
    args.check_format()?;
    if view == View::Roofline && (args.all_ranks || args.timeline() || args.format == ReportFormat::Csv) {
        bail!("roofline prints markdown or the report JSON (--format md or json), one rank at a time");
    }
    let user_catalog = load_catalog(args.catalog.as_deref())?;
    let catalog = user_catalog.as_ref().unwrap_or_else(|| report::engine::Catalog::builtin());
    if args.all_ranks {
        return crate::ranks::run(args, catalog);
    }
    let loaded = load(args)?;
    let started = Instant::now();
    let options = report::engine::triage::Options {
        framework: args.framework.framework(),
        min_share_pct: args.min_share,
        server_args: loaded.server_args.clone(),
        captures: loaded.captures.clone(),
        model_config: loaded.model_config.clone(),
        gpu_specs: load_gpu_specs(args.gpu_spec.as_deref())?,
    };
    let inputs = loaded.inputs();
    let (text, what, analysed) = {
        let report = if args.two_trace() {
            let (mapping, formal) = inputs.split_at(loaded.mapping);
            report::Report::from(report::engine::triage::triage_mapping_formal(
                mapping, formal, &options, catalog,
            ))
        } else {
            report::triage::triage_with(&inputs, &options, catalog)
        };
        let analysed = started.elapsed();
        let text = match (view, args.format) {
            (View::Roofline, ReportFormat::Md) => report::markdown::render_roofline(&report),
            _ => render(args, &report, &loaded, catalog),
        };
        (text, "triage", analysed)
    };
    output::write(args.output.as_deref(), &text)?;
    if args.timings {
        eprintln!(
            "tracetriage: {} trace(s), {} of JSON: load {:.1} ms, {what} {:.1} ms",
            loaded.traces.len(),
            report::format::bytes(loaded.json_bytes()),
            loaded.took.as_secs_f64() * 1e3,
            analysed.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// The report in the format asked for.
fn render(
    args: &Args,
    report: &report::Report,
    loaded: &Loaded,
    catalog: &report::engine::Catalog,
) -> String {
    match args.format {
        ReportFormat::Md => {
            let options = report::markdown::Options { roofline: args.roofline };
            let mut text = report::markdown::render_with(report, options);
            if args.timeline() {
                text += &timelines(report, &loaded.names, &loaded.traces, args.window, catalog);
            }
            if let Some(base) = &args.perfetto {
                text += &perfetto(report, &loaded.names, &loaded.traces, base, catalog);
            }
            text
        }
        ReportFormat::Json => output::json_line(report.to_json()),
        ReportFormat::Csv => {
            use report::csv::CsvTable;
            use report::csv::render_table;
            let which = match args.table {
                CsvTableArg::Kernels => CsvTable::Kernels,
                CsvTableArg::Overlap => CsvTable::Overlap,
                CsvTableArg::Fuse => CsvTable::Fuse,
            };
            render_table(report, which)
        }
    }
}

/// The ASCII timelines: per input, each stage's busiest step, or the chosen window.
fn timelines(
    report: &report::Report,
    names: &[String],
    traces: &[report::trace::Trace],
    window: Option<Window>,
    catalog: &report::engine::Catalog,
) -> String {
    const WIDTH: usize = 110;
    let mut out = String::from("\nTimeline\n");
    for (index, (name, trace)) in names.iter().zip(traces).enumerate() {
        let tl = report::engine::timeline::Timeline::of(trace, name, catalog);
        let views = match window {
            Some(w) => vec![(
                report::engine::discover::file_name(name).to_owned(),
                report::engine::timeline::Window::from_ms(tl.origin_ns, w.start_ms, w.end_ms),
            )],
            None => busiest_steps(report, index, &tl),
        };
        for (heading, w) in views {
            out.push_str(&format!("##### {heading}\n```text\n"));
            out.push_str(&report::timeline::ascii::render(&tl, w, WIDTH));
            out.push_str("```\n");
        }
    }
    out
}

/// The "Open in Perfetto" section: deep links per stage of each input.
fn perfetto(
    report: &report::Report,
    names: &[String],
    traces: &[report::trace::Trace],
    base: &str,
    catalog: &report::engine::Catalog,
) -> String {
    let timelines: Vec<report::engine::timeline::Timeline> = names
        .iter()
        .zip(traces)
        .map(|(name, trace)| report::engine::timeline::Timeline::of(trace, name, catalog))
        .collect();
    let inputs: Vec<(&str, &report::engine::timeline::Timeline)> =
        names.iter().map(String::as_str).zip(&timelines).collect();
    report::perfetto::markdown(report, &inputs, base)
}

/// Each stage of input `index` with its busiest step (or all of its GPU work).
fn busiest_steps(
    report: &report::Report,
    index: usize,
    tl: &report::engine::timeline::Timeline,
) -> Vec<(String, report::engine::timeline::Window)> {
    let mut views = Vec::new();
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
    views
}

/// Loads trace files and triages them in single-trace mode, as `triage PATH...` does (the
/// server arguments beside the first file), for commands that triage on the fly
/// (`bundle`, `dashboard`, `diff`).
///
/// # Errors
/// When a file cannot be read or is not a trace.
pub fn triage_files(
    files: &[PathBuf],
    options: report::engine::triage::Options,
    catalog: &report::engine::Catalog,
) -> anyhow::Result<report::Report> {
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let traces = native::load_all(&paths, 1)?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let captures = if options.captures.is_empty() { found_captures(files, 1) } else { options.captures };
    let options = report::engine::triage::Options {
        server_args: files.first().and_then(|f| discover::server_args(f)),
        captures,
        model_config: options
            .model_config
            .or_else(|| files.first().and_then(|f| discover::model_config(f)).map(|(_, c)| c)),
        ..options
    };
    Ok(report::triage::triage_with(&inputs(&names, &traces), &options, catalog))
}
