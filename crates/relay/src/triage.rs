//! Triage of a capture: pick the traces (per stage, the lowest rank unless all ranks are
//! asked for), stream each file through the engine's [`engine::Loader`] in 1 MiB chunks,
//! and run [`engine::triage::triage`] with the framework the relay talked to.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::framework::Kind;
use crate::layout;
use crate::options::StageKind;

/// A triaged capture.
#[derive(Debug)]
pub struct Triaged {
    /// The report.
    pub report: engine::Report,
    /// The traces triaged, relative to the capture folder.
    pub traces: Vec<String>,
    /// Files that could not be read as traces, and rank choices.
    pub warnings: Vec<String>,
}

/// Loads one trace file, streaming.
///
/// # Errors
/// When the file cannot be read or is not a trace.
pub fn load(path: &Path) -> Result<engine::Trace, String> {
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut loader = engine::Loader::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        loader.push(buf.get(..n).unwrap_or(&[])).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    loader.finish().map_err(|e| format!("{}: {e}", path.display()))
}

/// Chooses the traces of one stage: worker traces only, and the lowest rank unless
/// `all_ranks`.
#[must_use]
pub fn select(files: &[PathBuf], all_ranks: bool) -> Vec<PathBuf> {
    let mut workers: Vec<(Option<i64>, PathBuf)> = files
        .iter()
        .filter(|p| layout::is_worker_trace(p))
        .map(|p| (layout::rank_of(p), p.clone()))
        .collect();
    workers.sort_by(|a, b| (a.0.unwrap_or(i64::MAX), &a.1).cmp(&(b.0.unwrap_or(i64::MAX), &b.1)));
    if all_ranks {
        return workers.into_iter().map(|(_, p)| p).collect();
    }
    let lowest = workers.iter().find_map(|(r, _)| *r);
    workers.into_iter().filter(|(r, _)| lowest.is_none() || *r == lowest).map(|(_, p)| p).collect()
}

/// Triages the captured stages.
///
/// # Errors
/// When no captured file could be read as a trace.
pub fn triage(
    dir: &Path,
    stages: &[(StageKind, Vec<PathBuf>)],
    kind: Kind,
    server_args: Option<engine::analysis::framework::ServerArgs>,
    all_ranks: bool,
    min_share: f64,
) -> Result<Triaged, String> {
    let mut names = Vec::new();
    let mut traces = Vec::new();
    let mut warnings = Vec::new();
    for (stage, files) in stages {
        let chosen = select(files, all_ranks);
        if chosen.len() < files.iter().filter(|p| layout::is_worker_trace(p)).count() {
            warnings.push(format!(
                "{}: triaging rank {} only (the other ranks' traces are kept; --all-ranks triages them all)",
                stage.id(),
                chosen.first().and_then(|p| layout::rank_of(p)).unwrap_or(0)
            ));
        }
        for p in chosen {
            match load(&p) {
                Ok(t) => {
                    let rel = p.strip_prefix(dir).unwrap_or(&p);
                    names.push(
                        rel.components()
                            .map(|c| c.as_os_str().to_string_lossy())
                            .collect::<Vec<_>>()
                            .join("/"),
                    );
                    traces.push(t);
                }
                Err(e) => warnings.push(format!("not triaged (kept on disk): {e}")),
            }
        }
    }
    if traces.is_empty() {
        return Err(format!(
            "no captured file could be read as a trace ({}); the files are kept in {}",
            if warnings.is_empty() { "none arrived".to_owned() } else { warnings.join("; ") },
            dir.display()
        ));
    }
    let inputs: Vec<engine::triage::Input<'_>> =
        names.iter().zip(&traces).map(|(path, trace)| engine::triage::Input { path, trace }).collect();
    let options =
        engine::triage::Options { framework: Some(kind.engine()), min_share_pct: min_share, server_args };
    let report = engine::triage::triage(&inputs, &options, engine::Catalog::builtin());
    Ok(Triaged { report, traces: names, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_the_lowest_rank_and_skips_front_end_traces() {
        let files: Vec<PathBuf> = [
            "d/tt-decode-1.5-TP-1.trace.json.gz",
            "d/tt-decode-1.5-TP-0.trace.json.gz",
            "d/host_1.async_llm.5.pt.trace.json.gz",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(select(&files, false), vec![PathBuf::from("d/tt-decode-1.5-TP-0.trace.json.gz")]);
        assert_eq!(select(&files, true).len(), 2);
    }
}
