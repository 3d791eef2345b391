//! The report of a run, as `tracetriage triage PATH... --format json` makes it (the same
//! discovery, diffusion backend gate, side files, capture traces and options), from the
//! cache when the same traces and options were asked for before.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use native::discover::{self, Ranks};
use report::engine::analysis::framework::Framework;

use super::cache::{Cache, Key};
use super::params::Source;

/// A report and what the agent should know about how it was made.
pub struct Made {
    /// The report.
    pub report: Arc<report::Report>,
    /// Capture traces that could not be used, and similar warnings.
    pub warnings: Vec<String>,
}

/// The framework named by `text`.
///
/// # Errors
/// An unknown name.
pub fn framework(text: Option<&str>) -> Result<Option<Framework>, String> {
    let name = text.map_or("", str::trim);
    Framework::parse(name).ok_or_else(|| {
        format!("unknown framework {name:?}. Fix: give auto, sglang, vllm, trtllm or tokenspeed")
    })
}

/// The trace files of `paths` (folders discovered as the CLI does).
///
/// # Errors
/// A missing path, a folder without traces, a rank that is not there.
pub fn files(paths: &[PathBuf], rank: Option<i64>) -> Result<Vec<PathBuf>, String> {
    if paths.is_empty() {
        return Err(
            "no trace given. Fix: give `path`, a trace file or profile folder (or an array)".to_owned()
        );
    }
    for p in paths {
        std::fs::metadata(p).map_err(|e| super::errors::io(p, &e))?;
    }
    let ranks = rank.map_or(Ranks::Default, Ranks::Only);
    discover::discover(paths, ranks).map_err(|e| super::errors::load(&e))
}

/// The report of `source`, made now or taken from the cache.
///
/// # Errors
/// What stops the triage: a bad path or argument, a file that is not a trace, a refusal of
/// the diffusion backend gate, a given capture trace that cannot be read.
pub fn report(cache: &mut Cache, source: &Source, min_share_default: f64) -> Result<Made, String> {
    let framework = framework(source.framework.as_deref())?;
    let min_share = source.min_share.unwrap_or(min_share_default);
    if !(0.0..=100.0).contains(&min_share) {
        return Err(format!("min_share must be between 0 and 100, got {min_share}"));
    }
    let files = files(&source.path.list(), source.rank)?;
    let keys: Vec<Key> = files.iter().map(|f| Key::of(f)).collect::<Result<_, _>>()?;
    let key = format!(
        "{keys:?}|{framework:?}|{min_share}|{:?}|{:?}",
        source.capture,
        source.no_capture.unwrap_or(false)
    );
    if let Some(report) = cache.report(&key) {
        return Ok(Made { report, warnings: Vec::new() });
    }
    let mut warnings = Vec::new();
    if let Some(refusal) = report::gate::diffusion_logs(&logs(&files, &mut warnings)) {
        return Err(refused(&refusal));
    }
    let traces: Vec<Arc<report::trace::Trace>> =
        files.iter().map(|f| cache.trace(f)).collect::<Result<_, _>>()?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let inputs = report::engine::triage::Input::zip(&names, &traces);
    if let Some(refusal) = report::gate::diffusion_stacks(&inputs) {
        return Err(refused(&refusal));
    }
    let options = report::engine::triage::Options {
        framework,
        min_share_pct: min_share,
        server_args: files.first().and_then(|f| discover::server_args(f)),
        captures: captures(source, &files, &mut warnings)?,
        model_config: files.first().and_then(|f| discover::model_config(f)).map(|(_, c)| c),
        gpu_specs: None,
    };
    let report = Arc::new(report::triage::triage_with(&inputs, &options, report::engine::Catalog::builtin()));
    cache.keep_report(key, Arc::clone(&report));
    Ok(Made { report, warnings })
}

fn refused(refusal: &report::gate::Refusal) -> String {
    format!(
        "triage refused: {refusal}. Fix: profile the server with SGLang's native diffusion backend; \
         a diffusers-backend trace is not evidence about SGLang's kernels"
    )
}

/// The server logs beside the traces (an unreadable one is a warning).
fn logs(files: &[PathBuf], warnings: &mut Vec<String>) -> Vec<report::gate::ServerLog> {
    let mut out = Vec::new();
    for path in discover::server_logs(files) {
        match discover::server_log(&path) {
            Ok(log) => out.push(log),
            Err(e) => warnings.push(format!("server log not read: {e}")),
        }
    }
    out
}

type Captures = Vec<Arc<report::engine::analysis::capture::CaptureIndex>>;

/// The capture traces: given (each must be readable), found beside the traces (an
/// unreadable one is a warning), or none.
fn captures(source: &Source, files: &[PathBuf], warnings: &mut Vec<String>) -> Result<Captures, String> {
    if source.no_capture.unwrap_or(false) {
        return Ok(Vec::new());
    }
    let given: Vec<PathBuf> = source.capture.iter().flatten().map(PathBuf::from).collect();
    let found = if given.is_empty() {
        native::capture::find(files)
    } else {
        for p in &given {
            std::fs::metadata(p).map_err(|e| {
                format!(
                    "capture trace missing: {}. Fix: give the graph-capture traces the server wrote \
                     (vLLM and SGLang `capture_traces/`, SGLang `graph_capture_profile/`), or leave \
                     `capture` out to look beside the traces",
                    super::errors::io(p, &e)
                )
            })?;
        }
        native::capture::expand(&given).map_err(|e| super::errors::load(&e))?
    };
    let paths: Vec<&Path> = found.iter().map(PathBuf::as_path).collect();
    let mut out = Vec::new();
    for result in native::capture::load(&paths, 0, |p| p.display().to_string()) {
        match result {
            Ok(index) => out.push(index),
            Err(e) if !given.is_empty() => {
                return Err(format!("capture trace not usable: {}", super::errors::load(&e)));
            }
            Err(e) => warnings.push(format!("capture trace not used: {e}")),
        }
    }
    Ok(out)
}
