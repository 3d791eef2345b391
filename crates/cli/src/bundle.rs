//! `tracetriage bundle PATH... -o bundle.md`: many runs in one markdown document, grouped
//! by model and framework as the seed's bundle renderer groups them (anchor-spec §18),
//! with a table of contents and each run's kernel, overlap and fuse tables. Runs are
//! report JSON files or traces triaged on the fly ([`crate::collect`]).

use std::path::PathBuf;

use anyhow::Context;
use engine::dashboard::bundle::{self, BundleOptions, BundleRun};

use native::discover::Ranks;

/// Arguments of `bundle`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Report JSON files (`triage --format json`), trace files, or folders holding them
    /// (walked four levels deep; the traces of one capture make one run).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write the bundle to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// The document's title.
    #[arg(long, default_value = bundle::DEFAULT_TITLE)]
    pub title: String,
    /// Leave out the table of contents.
    #[arg(long)]
    pub no_toc: bool,
    /// Leave out the "Generated on" line (for reproducible output; `SOURCE_DATE_EPOCH` also
    /// fixes it).
    #[arg(long)]
    pub no_date: bool,
    /// Serving framework of traces triaged on the fly: auto, sglang, vllm, trtllm, tokenspeed.
    #[arg(long, default_value = "auto")]
    pub framework: String,
    /// Hide table rows of traces triaged on the fly whose share of GPU time is below this
    /// percentage.
    #[arg(long, default_value_t = 1.0)]
    pub min_share: f64,
    /// In a capture, triage this rank's traces (default: rank 0, else the lowest).
    #[arg(long)]
    pub rank: Option<i64>,
}

/// The "Generated on" text: `SOURCE_DATE_EPOCH` (seconds) when set, else now.
pub fn generated_now() -> Option<String> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s.trim().parse::<i64>().ok()?,
        Err(_) => {
            let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
            i64::try_from(d.as_secs()).ok()?
        }
    };
    let iso = engine::dashboard::date::iso(secs.saturating_mul(1_000_000_000));
    Some(format!("{} UTC", iso.trim_end_matches('Z').replace('T', " ")))
}

/// Runs `bundle`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if !(0.0..=100.0).contains(&args.min_share) {
        anyhow::bail!("--min-share must be between 0 and 100, got {}", args.min_share);
    }
    let options = crate::collect::Options {
        framework: crate::collect::framework(&args.framework)?,
        min_share_pct: args.min_share,
        catalog: engine::Catalog::builtin(),
        ranks: args.rank.map_or(Ranks::Default, Ranks::Only),
        exclude: None,
    };
    let found = crate::collect::collect(&args.paths, &options)?;
    crate::collect::warn_skipped(&found.skipped);
    let entries = crate::collect::entries(&found.runs);
    let runs: Vec<BundleRun<'_>> = entries
        .iter()
        .zip(&found.runs)
        .map(|(entry, run)| BundleRun { entry, report: &run.report })
        .collect();
    let text = bundle::render(
        &runs,
        &BundleOptions {
            title: args.title.clone(),
            toc: !args.no_toc,
            generated: if args.no_date { None } else { generated_now() },
        },
    );
    match &args.output {
        Some(p) => {
            std::fs::write(p, &text).with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("tracetriage: wrote {} run(s) to {}", runs.len(), p.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}
