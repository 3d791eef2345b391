//! `tracetriage layers TRACE`: forward passes and layers of one device × stream — the
//! all-passes summary, one pass's layers and layer types, one layer's kernels, a
//! comparison of two layers, as text, JSON, compute-flow or Perfetto time ranges.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use report::engine::analysis::layers;
use report::engine::analysis::layers::ModelConfig;
use report::engine::analysis::layers::Options;
use report::engine::analysis::layers::Selection;
use report::engine::catalog::Profiles;
use report::layers::text;

/// Output forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LayersFormat {
    /// Summary, the pass's layers and types, the layer's kernels.
    Text,
    /// The layers report (docs/layers-json.md).
    Json,
    /// The model summary and the layer's kernels in execution order (needs --layer).
    ComputeFlow,
    /// Time ranges of passes and layers for Perfetto.
    Perfetto,
}

/// Arguments of `layers`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A trace file (`.json` or `.json.gz`).
    pub trace: PathBuf,
    /// The model's config.json (layer count, layer types, model summary).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Model profile: dsv4_csa_hca, dsv3_mla or generic (default: from config.json, then
    /// from the trace's kernels, else generic = automatic detection).
    #[arg(long, value_parser = profile)]
    pub profile: Option<String>,
    /// Split layers at kernels whose name contains this text (case-sensitive).
    #[arg(long, value_name = "TEXT")]
    pub anchor_kernel: Option<String>,
    /// The pass to show in detail (default: the steady-state pick).
    #[arg(long, value_name = "N")]
    pub pass: Option<usize>,
    /// A layer of that pass to list kernel by kernel (needed by `--format compute-flow`).
    #[arg(long, value_name = "L", required_if_eq("format", "compute-flow"))]
    pub layer: Option<usize>,
    /// A second layer to compare with --layer.
    #[arg(long, value_name = "M")]
    pub compare_layer: Option<usize>,
    /// Output form.
    #[arg(long, value_enum, default_value_t = LayersFormat::Text)]
    pub format: LayersFormat,
    /// Device to analyse (default: the one with the most GPU time).
    #[arg(long)]
    pub device: Option<i64>,
    /// Stream to analyse (default: the device's stream with the most kernel time).
    #[arg(long)]
    pub stream: Option<i64>,
    /// Also write the pass's layer heat-map as SVG to this file.
    #[arg(long, value_name = "FILE")]
    pub heatmap: Option<PathBuf>,
    /// Write the output to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Print load and analysis times to stderr.
    #[arg(long)]
    pub timings: bool,
}

/// Why the relations of [`Args`] hold, said after clap's message (see [`crate::usage`]).
pub const HINTS: &crate::usage::Hints = &[(
    "--layer ",
    "--format compute-flow lists the kernels of one layer: give --layer L (a layer of the pass)",
)];

/// Parses `--profile`: a built-in model profile.
fn profile(name: &str) -> Result<String, String> {
    match Profiles::builtin().get(name) {
        Some(_) => Ok(name.to_owned()),
        None => Err(format!(
            "unknown profile {name:?}: expected one of {}",
            Profiles::builtin().names().join(", ")
        )),
    }
}

/// Runs `layers`.
///
/// # Errors
/// When the trace or config cannot be read, the profile is unknown, or the selection
/// names a pass or layer that does not exist.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let config = match &args.config {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            Some(ModelConfig::parse(&text).with_context(|| path.display().to_string())?)
        }
        None => None,
    };
    let started = Instant::now();
    let trace = native::load_on(&args.trace, 0)?;
    let loaded = started.elapsed();
    let path = args.trace.display().to_string();
    let options = Options {
        path_stage: report::engine::vocab::stage_from_path(&path),
        path,
        profile: args.profile.clone(),
        anchor: args.anchor_kernel.clone(),
        config,
        device: args.device,
        stream: args.stream,
    };
    let found = layers::analyse(&trace, &options);
    let sel = Selection { pass: args.pass, layer: args.layer, compare: args.compare_layer };
    found.check(&sel)?;
    let doc = report::LayersReport::from(found.report(&sel));
    let analysed = started.elapsed();
    let out = match args.format {
        LayersFormat::Text => text::render(&doc),
        LayersFormat::Json => crate::output::json_line(doc.to_json()),
        LayersFormat::ComputeFlow => text::render_compute_flow(&doc),
        LayersFormat::Perfetto => text::render_perfetto(&doc),
    };
    if let Some(svg_path) = &args.heatmap {
        let palette = report::timeline::Palette::default();
        let svg = report::layers::svg::heatmap(&doc, 960, 360, &palette, args.layer);
        std::fs::write(svg_path, svg).with_context(|| format!("cannot write {}", svg_path.display()))?;
    }
    crate::output::write(args.output.as_deref(), &out)?;
    if args.timings {
        eprintln!(
            "load {:.1} ms, layers {:.1} ms",
            loaded.as_secs_f64() * 1e3,
            (analysed - loaded).as_secs_f64() * 1e3
        );
    }
    Ok(())
}
