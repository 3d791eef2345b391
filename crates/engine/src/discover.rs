//! Which files of a capture to triage: name rules shared by the CLI (directories on disk)
//! and the browser (dropped files and folders). Pure: it sees names, never files.

/// File names that are never traces even though they end in `.json` (`capture.json` is
/// the relay's record of a capture).
const IGNORED: &[&str] =
    &["server_args.json", "capture.json", "metadata.json", "config.json", "report.json", "counts.json"];

/// Which ranks to keep when a capture holds several.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ranks {
    /// Rank 0 if present, else the lowest.
    Default,
    /// One rank.
    Only(i64),
    /// Every rank.
    All,
}

/// Whether a file name can be a trace by its name alone (`*.json` / `*.json.gz`, not a
/// known non-trace such as `server_args.json` or vLLM's `*.async_llm.*` engine trace).
/// Names like `*.trace.json.gz` are certain; other `*.json` names need a content sniff.
/// Graph-capture traces ([`is_capture_path`]) are not candidates: they are read for
/// attribution only, never triaged as a trace or counted as a rank.
#[must_use]
pub fn candidate_name(name: &str) -> bool {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    trace_file_name(file) && !file.to_ascii_lowercase().contains(".async_llm.") && !is_capture_path(name)
}

/// The folders frameworks write graph-capture traces into: vLLM's and SGLang's
/// `capture_traces/`, SGLang's `graph_capture_profile/`.
pub const CAPTURE_FOLDERS: &[&str] = &["capture_traces", "graph_capture_profile"];

/// Whether a path is a graph-capture trace: a trace file inside one of
/// [`CAPTURE_FOLDERS`], or named like SGLang's capture-time trace
/// (`cuda_graph_capture-<Runner>-TP-<r>.json.gz`).
#[must_use]
pub fn is_capture_path(path: &str) -> bool {
    let mut parts = path.split(['/', '\\']).rev();
    let file = parts.next().unwrap_or(path);
    if !trace_file_name(file) {
        return false;
    }
    file.to_ascii_lowercase().starts_with("cuda_graph_capture")
        || parts.any(|folder| CAPTURE_FOLDERS.iter().any(|c| folder.eq_ignore_ascii_case(c)))
}

/// Whether a file name can be the trace of any profiled process by its name alone:
/// `*.json` / `*.json.gz`, not a known non-trace. Unlike [`candidate_name`], vLLM's
/// `*.async_llm.*` front-end traces count (a capture keeps them with the others; they are
/// only not worth triaging).
#[must_use]
pub fn trace_file_name(name: &str) -> bool {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase();
    !IGNORED.contains(&name.as_str()) && (name.ends_with(".json") || name.ends_with(".json.gz"))
}

/// Whether the first bytes of a file (decompressed) look like a Chrome trace.
#[must_use]
pub fn sniff_text(text: &[u8]) -> bool {
    let t = String::from_utf8_lossy(text);
    let trimmed = t.trim_start();
    (trimmed.starts_with('{')
        && (t.contains("\"traceEvents\"")
            || t.contains("\"schemaVersion\"")
            || t.contains("\"deviceProperties\"")))
        || (trimmed.starts_with('[') && t.contains("\"ph\""))
}

/// The file name of a path: what follows its last `/` or `\\`.
#[must_use]
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The rank in a file name: `TP-3`, `tp3`, `rank3`, `rank-3`, `rank_3`, `rank 3`, `worker3`.
#[must_use]
pub fn rank_of(path: &str) -> Option<i64> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path).to_ascii_lowercase();
    for key in ["tp-", "tp", "rank-", "rank_", "rank ", "rank", "worker"] {
        let mut from = 0;
        while let Some(i) = name.get(from..).and_then(|s| s.find(key)).map(|i| i + from) {
            let before_ok = i == 0 || name.as_bytes().get(i - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
            let digits: String =
                name.get(i + key.len()..).unwrap_or("").chars().take_while(char::is_ascii_digit).collect();
            let after = name.as_bytes().get(i + key.len() + digits.len());
            if before_ok && after.is_none_or(|b| !b.is_ascii_alphanumeric()) && !digits.is_empty() {
                return digits.parse().ok();
            }
            from = i + 1;
        }
    }
    None
}

/// Why no file could be selected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// The requested rank is not among the files.
    #[error("no trace of rank {rank} (ranks present: {present})")]
    NoSuchRank {
        /// The rank asked for.
        rank: i64,
        /// The ranks found, comma-separated, or a phrase when none.
        present: String,
    },
}

/// Picks the traces of a capture from candidate paths: per-rank files over `merged-*`
/// ones, the requested ranks, then sorted by (stage, rank, path). Returns indexes into
/// `paths`.
///
/// # Errors
/// When a requested rank is absent.
pub fn select(paths: &[&str], ranks: Ranks) -> Result<Vec<usize>, SelectError> {
    let is_merged = |p: &str| p.rsplit(['/', '\\']).next().unwrap_or(p).starts_with("merged-");
    let mut idx: Vec<usize> =
        (0..paths.len()).filter(|&i| paths.get(i).is_some_and(|p| !is_merged(p))).collect();
    if idx.is_empty() {
        idx = (0..paths.len()).collect();
    }
    let rank = |i: usize| paths.get(i).and_then(|p| rank_of(p));
    let mut known: Vec<i64> = idx.iter().filter_map(|&i| rank(i)).collect();
    crate::order::sort_by(&mut known, Ord::cmp);
    known.dedup();
    let kept: Vec<usize> = match ranks {
        Ranks::All => idx,
        Ranks::Only(r) => {
            let kept: Vec<usize> = idx.into_iter().filter(|&i| rank(i) == Some(r)).collect();
            if kept.is_empty() {
                let present = if known.is_empty() {
                    "none in the file names".to_owned()
                } else {
                    known.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                };
                return Err(SelectError::NoSuchRank { rank: r, present });
            }
            kept
        }
        Ranks::Default => match known.first() {
            Some(&lowest) => idx.into_iter().filter(|&i| rank(i) == Some(lowest)).collect(),
            None => idx,
        },
    };
    let mut keyed: Vec<(u8, i64, &str, usize)> = kept
        .into_iter()
        .filter_map(|i| {
            let p = *paths.get(i)?;
            let stage = crate::vocab::stage_from_path(p).map_or(9, |s| s as u8);
            Some((stage, rank(i).unwrap_or(-1), p, i))
        })
        .collect();
    crate::order::sort_by(&mut keyed, Ord::cmp);
    Ok(keyed.into_iter().map(|(_, _, _, i)| i).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_traces_are_never_candidates() {
        for capture in [
            "prof/capture_traces/graph_capture_rank_0.1773709679453551615.pt.trace.json.gz",
            "prof/capture_traces/bs_32_rank1.json.gz",
            "prof\\graph_capture_profile\\cuda_graph_capture-ModelRunner-TP-0.json.gz",
            "cuda_graph_capture-ModelRunner-TP-3.json.gz",
        ] {
            assert!(is_capture_path(capture), "{capture}");
            assert!(!candidate_name(capture), "{capture}");
        }
        for trace in ["prof/graph_execution.json.gz", "prof/x-TP-0.trace.json.gz", "capture_traces/notes.txt"]
        {
            assert!(!is_capture_path(trace), "{trace}");
        }
        assert!(candidate_name("prof/graph_execution.json.gz"));
    }

    #[test]
    fn ranks_from_names() {
        assert_eq!(rank_of("bs-128-il-2048-1779044554.08832-TP-0-DECODE.trace.json.gz"), Some(0));
        assert_eq!(rank_of("/x/prof-TP-3.trace.json.gz"), Some(3));
        assert_eq!(rank_of("dp0_pp0_tp2_dcp0_ep0_rank2.1776.pt.trace.json.gz"), Some(2));
        assert_eq!(rank_of("rank-5.1234.pt.trace.json.gz"), Some(5));
        assert_eq!(rank_of("rank1_trace.json"), Some(1));
        assert_eq!(rank_of("trace rank 6.json"), Some(6));
        assert_eq!(rank_of("worker0.1623143089861.pt.trace.json.gz"), Some(0));
        assert_eq!(rank_of("trace.json.gz"), None);
        assert_eq!(rank_of("stop.json"), None);
    }

    #[test]
    fn selection() {
        let paths = [
            "c/x-TP-1-DECODE.trace.json.gz",
            "c/x-TP-0-DECODE.trace.json.gz",
            "c/x-TP-0-EXTEND.trace.json.gz",
            "c/merged-x.trace.json.gz",
        ];
        let picked = |r| select(&paths, r).map(|v| v.into_iter().map(|i| paths[i]).collect::<Vec<_>>());
        assert_eq!(picked(Ranks::Default), Ok(vec![paths[2], paths[1]]));
        assert_eq!(picked(Ranks::Only(1)), Ok(vec![paths[0]]));
        assert_eq!(picked(Ranks::All).map(|v| v.len()), Ok(3));
        assert_eq!(picked(Ranks::Only(7)), Err(SelectError::NoSuchRank { rank: 7, present: "0, 1".into() }));
        assert_eq!(select(&["merged-a.json"], Ranks::Default), Ok(vec![0]));
        assert!(candidate_name("a/b/x.pt.trace.json.gz"));
        assert!(!candidate_name("a/server_args.json"));
        assert!(!candidate_name("x.async_llm.123.pt.trace.json.gz"));
        assert!(!candidate_name("x.txt"));
        assert!(!candidate_name("c/capture.json") && !trace_file_name("c/CAPTURE.json"));
        assert!(trace_file_name("d/x.async_llm.123.pt.trace.json.gz"));
        assert!(trace_file_name("d/trace.json") && !trace_file_name("d/x.pickle"));
        assert!(sniff_text(b"\n{\n  \"schemaVersion\": 1"));
        assert!(!sniff_text(b"{\"model\": 1}"));
    }
}
