//! Triage of a capture: pick the traces (per stage, the lowest rank unless all ranks are
//! asked for: the engine's selection rules), load each file ([`native::load`]), and run
//! [`report::triage::triage_with`] with the framework the relay talked to.

use std::path::{Path, PathBuf};

use native::discover::{self, Ranks};

use crate::framework::Kind;
use crate::layout;
use crate::options::StageKind;

/// A triaged capture.
#[derive(Debug)]
pub struct Triaged {
    /// The report.
    pub report: report::Report,
    /// The traces triaged, relative to the capture folder.
    pub traces: Vec<String>,
    /// Files that could not be read as traces, and rank choices.
    pub warnings: Vec<String>,
}

/// Chooses the traces of one stage: worker traces only ([`discover::is_candidate`]: not
/// vLLM's front-end trace), and the lowest rank's unless `all_ranks`
/// ([`discover::select`]).
#[must_use]
pub fn select(files: &[PathBuf], all_ranks: bool) -> Vec<PathBuf> {
    let workers: Vec<PathBuf> = files.iter().filter(|p| discover::is_candidate(p)).cloned().collect();
    let ranks = if all_ranks { Ranks::All } else { Ranks::Default };
    // Only `Ranks::Only` can fail.
    discover::select(&workers, ranks).unwrap_or(workers)
}

/// Triages the captured stages.
///
/// # Errors
/// When no captured file could be read as a trace.
pub fn triage(
    dir: &Path,
    stages: &[(StageKind, Vec<PathBuf>)],
    kind: Kind,
    server_args: Option<report::engine::analysis::framework::ServerArgs>,
    all_ranks: bool,
    min_share: f64,
) -> Result<Triaged, String> {
    let mut names = Vec::new();
    let mut traces = Vec::new();
    let mut warnings = Vec::new();
    for (stage, files) in stages {
        let chosen = select(files, all_ranks);
        if chosen.len() < files.iter().filter(|p| discover::is_candidate(p)).count() {
            warnings.push(format!(
                "{}: triaging rank {} only (the other ranks' traces are kept; --all-ranks triages them all)",
                stage.id(),
                chosen.first().and_then(|p| discover::rank_of(p)).unwrap_or(0)
            ));
        }
        for p in chosen {
            match native::load(&p) {
                Ok(t) => {
                    names.push(layout::relative(dir, &p));
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
    let inputs: Vec<report::engine::triage::Input<'_>> = names
        .iter()
        .zip(&traces)
        .map(|(path, trace)| report::engine::triage::Input { path, trace })
        .collect();
    let options = report::engine::triage::Options {
        framework: Some(kind.engine()),
        min_share_pct: min_share,
        server_args,
        captures: Vec::new(),
    };
    let report = report::triage::triage_with(&inputs, &options, report::engine::Catalog::builtin());
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
