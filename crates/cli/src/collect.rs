//! Gathering the runs of `bundle` and `dashboard`: report JSON files read back (any
//! version this build knows; newer or broken ones skipped with a warning), and traces
//! triaged on the fly. A directory is walked: its report files are runs, and its traces
//! are grouped into captures ([`report::dashboard::runs::group`]: the ranks and stages of
//! one capture), each triaged like `triage DIR` (the default rank, every stage).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use native::discover::{self, Ranks};
use native::walk::Walk;
use report::dashboard::ManifestEntry;

use crate::args::FrameworkArg;

/// The runs to gather and how to triage traces among them (`bundle` and `dashboard`).
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Report JSON files (`triage --format json`), trace files, or folders holding them
    /// (walked four levels deep; the traces of one capture make one run).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Serving framework of traces triaged on the fly.
    #[arg(long, value_enum, ignore_case = true, default_value_t = FrameworkArg::Auto)]
    pub framework: FrameworkArg,
    /// Hide table rows of traces triaged on the fly whose share of GPU time is below this
    /// percentage.
    #[arg(long, default_value_t = 1.0, value_parser = crate::args::percent)]
    pub min_share: f64,
    /// In a capture, triage this rank's traces (default: rank 0, else the lowest).
    #[arg(long)]
    pub rank: Option<i64>,
}

impl RunArgs {
    /// The runs of [`RunArgs::paths`], never walking into `exclude`.
    ///
    /// # Errors
    /// As [`collect`].
    pub fn collect(&self, exclude: Option<PathBuf>) -> anyhow::Result<Collected> {
        let options = Options {
            framework: self.framework.framework(),
            min_share_pct: self.min_share,
            catalog: report::engine::Catalog::builtin(),
            ranks: self.rank.map_or(Ranks::Default, Ranks::Only),
            exclude,
        };
        let found = collect(&self.paths, &options)?;
        warn_skipped(&found.skipped);
        Ok(found)
    }
}

/// How runs are triaged.
pub struct Options<'a> {
    /// Framework override (`None`: detect).
    pub framework: Option<report::engine::analysis::framework::Framework>,
    /// Per-row share cutoff, percent.
    pub min_share_pct: f64,
    /// The fuse catalog.
    pub catalog: &'a report::engine::Catalog,
    /// Which ranks of a capture to triage.
    pub ranks: Ranks,
    /// A directory never walked into (the dashboard's output).
    pub exclude: Option<PathBuf>,
}

/// One run: where it came from and its report.
pub struct Run {
    /// What was given or found: a report file, a trace, or a capture folder.
    pub source: String,
    /// The name of the folder it came from.
    pub folder: String,
    /// The modification time of its (first) file, Unix ns.
    pub mtime_unix_ns: Option<i64>,
    /// Its report.
    pub report: report::Report,
    /// The trace it was triaged from, relative to the path given (its file name for a
    /// trace given by name), when it is one trace file: the dashboard's `trace_url`.
    pub trace: Option<PathBuf>,
}

/// What [`collect`] found.
pub struct Collected {
    /// The runs, in the order found.
    pub runs: Vec<Run>,
    /// One line per file left out (newer or broken reports).
    pub skipped: Vec<String>,
}

/// What a file is, from its first bytes and, for report candidates, its content.
enum Kind {
    Report(Box<report::Report>),
    /// A report this build cannot open: why.
    BadReport(String),
    /// Another tracetriage document (a manifest, a diff).
    OtherDocument,
    /// Anything else: maybe a trace.
    Other,
}

fn mtime(path: &Path) -> Option<i64> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(d.as_nanos()).ok()
}

fn folder_of(path: &Path) -> String {
    path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn classify(path: &Path) -> anyhow::Result<Kind> {
    let head = native::load::head(path, 4096)?;
    if head.starts_with(&[0x1f, 0x8b]) {
        return Ok(Kind::Other);
    }
    let text = String::from_utf8_lossy(&head);
    if text.contains("\"traceEvents\"") || !text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
    {
        return Ok(Kind::Other);
    }
    if text.contains(&format!("\"{}\"", report::REPORT_SCHEMA)) {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        return Ok(match report::dashboard::read_report(&bytes) {
            Ok(r) => Kind::Report(Box::new(r)),
            Err(report::DocumentError::WrongKind { .. }) => Kind::Other,
            Err(why) => Kind::BadReport(why.to_string()),
        });
    }
    if text.contains("\"tracetriage.") {
        return Ok(Kind::OtherDocument);
    }
    Ok(Kind::Other)
}

fn report_run(path: &Path, report: report::Report) -> Run {
    Run {
        source: path.display().to_string(),
        folder: folder_of(path),
        mtime_unix_ns: mtime(path),
        report,
        trace: None,
    }
}

/// Triages one capture (its traces, already selected; `root` is the path given that holds
/// them).
fn trace_run(
    files: &[PathBuf],
    root: &Path,
    source: String,
    folder: String,
    options: &Options<'_>,
) -> anyhow::Result<Run> {
    let triage = report::engine::triage::Options {
        framework: options.framework,
        min_share_pct: options.min_share_pct,
        ..report::engine::triage::Options::default()
    };
    let report = crate::triage::triage_files(files, triage, options.catalog)?;
    let trace = match files {
        [one] if one == root => one.file_name().map(PathBuf::from),
        [one] => one.strip_prefix(root).ok().map(Path::to_path_buf),
        _ => None,
    };
    Ok(Run { source, folder, mtime_unix_ns: files.first().and_then(|f| mtime(f)), report, trace })
}

/// The runs of a directory: its reports, then its captures.
fn collect_dir(dir: &Path, options: &Options<'_>, out: &mut Collected) -> anyhow::Result<()> {
    let mut walk = Walk::new(discover::DEPTH).skip_hidden();
    if let Some(x) = &options.exclude {
        walk = walk.exclude(x);
    }
    let files = walk.files(dir)?;
    let mut traces: Vec<PathBuf> = Vec::new();
    let before = out.runs.len();
    for f in files {
        let name = f.to_string_lossy().to_lowercase();
        if !(name.ends_with(".json") || name.ends_with(".json.gz")) {
            continue;
        }
        match classify(&f)? {
            Kind::Report(r) => out.runs.push(report_run(&f, *r)),
            Kind::BadReport(why) => out.skipped.push(format!("{}: {why}", f.display())),
            Kind::OtherDocument => {}
            Kind::Other => {
                if discover::looks_like_trace(&f) {
                    traces.push(f);
                }
            }
        }
    }
    let names: Vec<String> = traces.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    for group in report::dashboard::runs::group(&refs) {
        let members: Vec<PathBuf> = group.iter().filter_map(|&i| traces.get(i).cloned()).collect();
        let chosen =
            discover::select(&members, options.ranks).with_context(|| format!("in {}", dir.display()))?;
        let Some(first) = chosen.first() else { continue };
        let key = report::dashboard::runs::capture_key(&first.to_string_lossy());
        // A capture of `prefill/` and `decode/` folders is named by the folder above them.
        let (source, folder) = if key.ends_with('/') {
            let capture = first.parent().and_then(Path::parent).unwrap_or(dir);
            (capture.display().to_string(), folder_of(capture))
        } else {
            (first.display().to_string(), folder_of(first))
        };
        out.runs.push(trace_run(&chosen, dir, source, folder, options)?);
    }
    if out.runs.len() == before {
        eprintln!("tracetriage: warning: no report or trace in {}", dir.display());
    }
    Ok(())
}

/// The runs of `paths`: report files, trace files (one run each) and directories.
///
/// # Errors
/// A path that does not exist, a named file that is neither a report nor a trace, or a
/// trace that cannot be read.
pub fn collect(paths: &[PathBuf], options: &Options<'_>) -> anyhow::Result<Collected> {
    let mut out = Collected { runs: Vec::new(), skipped: Vec::new() };
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            collect_dir(path, options, &mut out)?;
            continue;
        }
        match classify(path)? {
            Kind::Report(r) => out.runs.push(report_run(path, *r)),
            Kind::BadReport(why) => out.skipped.push(format!("{}: {why}", path.display())),
            Kind::OtherDocument => {
                bail!("{} is a tracetriage document but not a report (a manifest or a diff?)", path.display())
            }
            Kind::Other => {
                out.runs.push(trace_run(
                    std::slice::from_ref(path),
                    path,
                    path.display().to_string(),
                    folder_of(path),
                    options,
                )?);
            }
        }
    }
    if out.runs.is_empty() && !out.skipped.is_empty() {
        // Every report found was refused: say why, as `diff` does.
        bail!("no report to use: {}", out.skipped.join("; "));
    }
    if out.runs.is_empty() {
        bail!(
            "no report or trace found in {} (give report JSON files, traces or folders holding them)",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(out)
}

/// The manifest entries of `runs`, with unique ids and report paths `<id>.json`
/// ([`native::site::entries`]).
#[must_use]
pub fn entries(runs: &[Run]) -> Vec<ManifestEntry> {
    let refs: Vec<native::site::RunRef<'_>> = runs
        .iter()
        .map(|r| native::site::RunRef {
            source: &r.source,
            folder: &r.folder,
            mtime_unix_ns: r.mtime_unix_ns,
            report: &r.report,
        })
        .collect();
    native::site::entries(&refs)
}

/// Prints the skipped files as warnings.
fn warn_skipped(skipped: &[String]) {
    for s in skipped {
        eprintln!("tracetriage: warning: skipped {s}");
    }
}
