//! `tracetriage bundle PATH... -o bundle.md`: many runs in one markdown document, grouped
//! by model and framework as the seed's bundle renderer groups them (anchor-spec §18),
//! with a table of contents and each run's kernel, overlap and fuse tables. Runs are
//! report JSON files or traces triaged on the fly ([`crate::collect`]).

use std::path::PathBuf;

use report::dashboard::bundle;
use report::dashboard::bundle::BundleOptions;
use report::dashboard::bundle::BundleRun;

/// Arguments of `bundle`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The runs and how to triage traces among them.
    #[command(flatten)]
    pub runs: crate::collect::RunArgs,
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
}

/// Runs `bundle`.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let found = args.runs.collect(None)?;
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
            generated: if args.no_date { None } else { native::site::generated_now() },
        },
    );
    crate::output::write(args.output.as_deref(), &text)?;
    if let Some(p) = &args.output {
        eprintln!("tracetriage: wrote {} run(s) to {}", runs.len(), p.display());
    }
    Ok(())
}
