//! `tracetriage triage --all-ranks PATH...`: the all-ranks report of one capture from its
//! traces (loaded on threads, each reduced and dropped as soon as it is loaded, so memory
//! holds one trace per thread plus the reductions), from rank-reduction files (`.ttr`,
//! written by `tracetriage reduce`), or from a mix of both.

use std::path::{Path, PathBuf};
use std::time::Instant;

use native::discover::{self, Ranks};

use crate::output;
use crate::triage::{Args, ReportFormat};

/// Runs `triage --all-ranks`.
pub fn run(args: &Args, catalog: &report::engine::Catalog) -> anyhow::Result<()> {
    let (reduced, rest) = native::reduction::split(&args.paths)?;
    let traces = if rest.is_empty() { Vec::new() } else { discover::discover(&rest, Ranks::All)? };
    let started = Instant::now();
    let all: Vec<PathBuf> = traces.iter().chain(&reduced).cloned().collect();
    // The diffusion backend gate: the logs before any trace is read, then the stacks.
    if let Some(refusal) = report::gate::diffusion_logs(&crate::triage::server_logs(&args.server_log, &all)?)
    {
        return Err(crate::triage::refused(&refusal));
    }
    let files: Vec<&Path> = traces.iter().map(PathBuf::as_path).collect();
    let mut reductions = Vec::with_capacity(all.len());
    let bar = crate::progress::Loads::new(&files, args.quiet);
    let each =
        native::reduction::reduce_each_with(&files, args.load_threads, catalog, &|i, p| bar.update(i, p));
    bar.finish();
    for r in each {
        reductions.push(r?.body);
    }
    for path in &reduced {
        reductions.push(native::reduction::read(path)?);
    }
    // Said first (after the progress bar): the ranks whose traces end early, read from
    // traces or from `.ttr` files alike.
    for r in &reductions {
        crate::triage::warn_if_reduction_cut(r);
    }
    if let Some(refusal) = report::gate::diffusion_reductions(&reductions) {
        return Err(crate::triage::refused(&refusal));
    }
    let took = started.elapsed();
    let options = report::engine::triage::Options {
        framework: args.framework.framework(),
        min_share_pct: args.min_share,
        server_args: all.first().and_then(|f| discover::server_args(f)),
        ..report::engine::triage::Options::default()
    };
    let started = Instant::now();
    let report = report::ranks::reduction::compare_reductions(&reductions, &options);
    let analysed = started.elapsed();
    let text = match args.format {
        ReportFormat::Json => output::json_line(report.to_json()),
        _ => report::ranks::markdown::render(&report),
    };
    output::write(args.output.as_deref(), &text)?;
    if args.timings {
        eprintln!(
            "tracetriage: {} trace(s) ({} as reductions), {} of JSON: load and reduce {:.1} ms, all-ranks analysis {:.1} ms",
            reductions.len(),
            reduced.len(),
            report::format::bytes(reductions.iter().map(|r| r.json_bytes).sum()),
            took.as_secs_f64() * 1e3,
            analysed.as_secs_f64() * 1e3
        );
    }
    Ok(())
}
