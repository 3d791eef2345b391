//! `tracetriage reduce TRACE...`: each trace reduced to what the all-ranks report needs,
//! written as a rank-reduction file (`.ttr`, versioned gzip JSON; see
//! `report::ranks::reduction`) that `triage --all-ranks` reads in place of the trace. Run
//! it where the traces are (one job per rank of a batch scheduler), then merge the small
//! files on one machine.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use native::discover::{self, Ranks};

/// Arguments of `reduce`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Trace files or profile directories (every rank's traces of a directory).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The output file (one trace only). Default: beside the trace, named after it
    /// (`x-TP-0.trace.json.gz` → `x-TP-0.trace.ttr`).
    #[arg(short, long, conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Write the reductions into this folder (made if missing) instead of beside their
    /// traces, named after them.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// An extra catalog file (TOML as in catalog/README.md), added to the built-in catalog:
    /// reduce with the catalog you will report with.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// Threads that load traces (0: one per CPU core); each holds one trace at a time.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub load_threads: usize,
}

/// Runs `reduce`: prints each file written.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let files = discover::discover(&args.paths, Ranks::All)?;
    if args.output.is_some() && files.len() != 1 {
        bail!("-o names one file, but there are {} traces: use --out-dir DIR", files.len());
    }
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
    }
    let user_catalog = crate::triage::load_catalog(args.catalog.as_deref())?;
    let catalog = user_catalog.as_ref().unwrap_or_else(|| report::engine::Catalog::builtin());
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    for (path, reduced) in
        paths.iter().zip(native::reduction::reduce_each(&paths, args.load_threads, catalog))
    {
        let file = reduced?;
        crate::triage::warn_if_reduction_cut(&file.body);
        let out = match &args.output {
            Some(o) => o.clone(),
            None => native::reduction::output_for(path, args.out_dir.as_deref()),
        };
        native::reduction::write(&out, &file)?;
        println!("{}", out.display());
    }
    Ok(())
}
