//! Which files are traces, on disk: explicit files, or capture folders walked the way
//! capture tools lay them out (per-rank files, `-EXTEND`/`-DECODE` stage files, `prefill/`
//! and `decode/` folders). The rules are the engine's ([`report::engine::discover`]: names, ranks,
//! `merged-*` vs per-rank, content sniff); this module only brings them the files.
//! Candidates are sniffed from their first bytes, never fully parsed. The side files found
//! beside the traces are read here too: `server_args.json`, the model's `config.json` and
//! the server logs of the diffusion backend gate.

use std::path::{Path, PathBuf};

use report::engine::analysis::framework::ServerArgs;
use report::engine::analysis::layers::config::ModelConfig;
pub use report::engine::discover::Ranks;
/// The log file preferred among a folder's logs.
pub use report::gate::SERVER_LOG;

use crate::Error;
use crate::walk::Walk;

/// How deep a capture folder is searched for traces.
pub const DEPTH: usize = 4;
/// How much of a file (inflated, for gzip) the content sniff reads.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The traces named by `paths` (files as given, folders searched [`DEPTH`] levels deep and
/// their traces picked by [`select`]), in report order (stage, rank, name).
///
/// # Errors
/// A path that does not exist, a folder with no trace, or a rank that is absent.
pub fn discover(paths: &[PathBuf], ranks: Ranks) -> Result<Vec<PathBuf>, Error> {
    let mut files: Vec<PathBuf> = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(Error::io("read", path))?;
        if !meta.is_dir() {
            files.push(path.clone());
            continue;
        }
        let found: Vec<PathBuf> =
            Walk::new(DEPTH).files(path)?.into_iter().filter(|p| looks_like_trace(p)).collect();
        if found.is_empty() {
            return Err(Error::NoTraces(path.clone()));
        }
        files.extend(select(&found, ranks).map_err(|cause| Error::Select { dir: path.clone(), cause })?);
    }
    files.dedup();
    Ok(files)
}

/// Whether a file is a trace: the engine's name rules, then a sniff of its first bytes.
#[must_use]
pub fn looks_like_trace(path: &Path) -> bool {
    is_candidate(path) && sniff(path)
}

/// Reads at most [`SNIFF_BYTES`] of text (inflating gzip) and asks the engine whether it
/// starts like a Chrome trace.
#[must_use]
pub fn sniff(path: &Path) -> bool {
    let Ok(head) = crate::load::head(path, SNIFF_BYTES) else { return false };
    // A partial gzip stream is fine for a sniff.
    let text = if head.starts_with(&[0x1f, 0x8b]) {
        report::trace::inflate_prefix(&head, SNIFF_BYTES)
    } else {
        head
    };
    report::engine::discover::sniff_text(&text)
}

/// The traces of one capture among `found`: the engine's [`report::engine::discover::select`]
/// (per-rank files over `merged-*` ones, the ranks asked for, then stage, rank, name).
///
/// # Errors
/// When the rank asked for is absent.
pub fn select(
    found: &[PathBuf],
    ranks: Ranks,
) -> Result<Vec<PathBuf>, report::engine::discover::SelectError> {
    let names: Vec<String> = found.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let picked = report::engine::discover::select(&refs, ranks)?;
    Ok(picked.into_iter().filter_map(|i| found.get(i).cloned()).collect())
}

/// Whether a file can be a trace worth triaging by its name
/// ([`report::engine::discover::candidate_name`]: `*.json[.gz]`, no side file, no vLLM front end).
#[must_use]
pub fn is_candidate(path: &Path) -> bool {
    report::engine::discover::candidate_name(&path.to_string_lossy())
}

/// Whether a file can be the trace of any profiled process by its name, front ends
/// included ([`report::engine::discover::trace_file_name`]).
#[must_use]
pub fn is_trace_file(path: &Path) -> bool {
    report::engine::discover::trace_file_name(&path.to_string_lossy())
}

/// The rank in a file's name ([`report::engine::discover::rank_of`]: `TP-3`, `rank 3`, `worker3`…).
#[must_use]
pub fn rank_of(path: &Path) -> Option<i64> {
    report::engine::discover::rank_of(&path.to_string_lossy())
}

/// The `server_args.json` beside the first trace, or in its parent folder (a capture's
/// `prefill/` and `decode/` folders share one).
#[must_use]
pub fn server_args(first: &Path) -> Option<ServerArgs> {
    let dir = first.parent()?;
    [Some(dir), dir.parent()].into_iter().flatten().find_map(|d| {
        let text = std::fs::read_to_string(d.join("server_args.json")).ok()?;
        ServerArgs::parse(&text)
    })
}

/// The model's `config.json` next to the first trace or one folder up (where a profile
/// folder keeps it beside `server_args.json`), if one parses: `(path, config)`.
#[must_use]
pub fn model_config(first: &Path) -> Option<(PathBuf, ModelConfig)> {
    let dir = first.parent()?;
    [Some(dir), dir.parent()].into_iter().flatten().find_map(|d| {
        let path = d.join("config.json");
        let text = std::fs::read_to_string(&path).ok()?;
        ModelConfig::parse(&text).ok().map(|c| (path, c))
    })
}

/// The server logs beside the traces, for the diffusion backend gate
/// ([`report::gate`]): in each folder holding one of `traces` (in their order, each once),
/// `server.log` when there is one, else every `*.log` file in name order; when none of
/// those folders has a log, a `server.log` one folder up (a capture's `prefill/` and
/// `decode/` folders share one, as they share `server_args.json` and `config.json`). Only
/// `server.log` up there: a folder of runs keeps other runs' `*.log` files.
#[must_use]
pub fn server_logs(traces: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<&Path> = Vec::new();
    for dir in traces.iter().filter_map(|t| t.parent()) {
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    let found: Vec<PathBuf> = dirs.iter().flat_map(|d| logs_in(d)).collect();
    if !found.is_empty() {
        return found;
    }
    let mut up: Vec<&Path> = Vec::new();
    for dir in dirs.iter().filter_map(|d| d.parent()).filter(|d| !d.as_os_str().is_empty()) {
        if !up.contains(&dir) {
            up.push(dir);
        }
    }
    up.iter().map(|d| d.join(SERVER_LOG)).filter(|p| p.is_file()).collect()
}

/// `server.log` in `dir`, else its `*.log` files by name.
fn logs_in(dir: &Path) -> Vec<PathBuf> {
    let listed = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let preferred = dir.join(SERVER_LOG);
    if preferred.is_file() {
        return vec![preferred];
    }
    let Ok(entries) = std::fs::read_dir(listed) else { return Vec::new() };
    let mut logs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| dir.join(e.file_name()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("log")) && p.is_file())
        .collect();
    logs.sort();
    logs
}

/// A server log read for the diffusion backend gate (invalid UTF-8 replaced), named by
/// its path.
///
/// # Errors
/// When it cannot be read.
pub fn server_log(path: &Path) -> Result<report::gate::ServerLog, Error> {
    let bytes = std::fs::read(path).map_err(Error::io("read", path))?;
    Ok(report::gate::ServerLog {
        name: path.display().to_string(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &[u8] = br#"{"traceEvents": [{"ph": "X", "name": "k", "ts": 1, "dur": 1}]}"#;

    #[test]
    fn finds_sniffs_and_selects_like_the_engine() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cap");
        for f in [
            "prefill/x-TP-0.trace.json",
            "prefill/x-TP-1.trace.json",
            "decode/x-rank 0.json",
            "decode/merged-x.trace.json",
            "decode/x.async_llm.1.pt.trace.json",
        ] {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, TRACE).unwrap();
        }
        std::fs::write(dir.join("notes.json"), br#"{"hello": 1}"#).unwrap();
        std::fs::write(dir.join("capture.json"), TRACE).unwrap();
        std::fs::write(dir.join("server_args.json"), br#"{"model_path": "m/x", "tp_size": 2}"#).unwrap();
        let rel = |v: Vec<PathBuf>| -> Vec<String> {
            v.iter().map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect()
        };
        // `rank 0` is a rank (the engine's rule), `merged-*` gives way to per-rank files,
        // stage order is prefill first.
        let got = rel(discover(std::slice::from_ref(&dir), Ranks::Default).unwrap());
        assert_eq!(got, ["prefill/x-TP-0.trace.json", "decode/x-rank 0.json"]);
        let all = rel(discover(std::slice::from_ref(&dir), Ranks::All).unwrap());
        assert_eq!(all.len(), 3, "{all:?}");
        let e = discover(std::slice::from_ref(&dir), Ranks::Only(5)).unwrap_err().to_string();
        assert!(e.contains("no trace of rank 5 (ranks present: 0, 1)"), "{e}");
        let first = dir.join("prefill/x-TP-0.trace.json");
        assert_eq!(server_args(&first).and_then(|a| a.model).as_deref(), Some("m/x"));
        assert_eq!(rank_of(Path::new("a/x-rank 3.json")), Some(3));
        assert!(
            is_trace_file(Path::new("x.async_llm.1.json")) && !is_candidate(Path::new("x.async_llm.1.json"))
        );
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let e = discover(&[empty], Ranks::Default).unwrap_err().to_string();
        assert!(e.starts_with("no trace files in "), "{e}");
    }

    #[test]
    fn server_logs_beside_the_traces_or_one_folder_up() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for f in ["cap/prefill/x-TP-0.trace.json", "cap/decode/x-TP-0.trace.json", "solo/y.json"] {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, TRACE).unwrap();
        }
        let traces = |fs: &[&str]| -> Vec<PathBuf> { fs.iter().map(|f| dir.join(f)).collect() };
        let both = traces(&["cap/prefill/x-TP-0.trace.json", "cap/decode/x-TP-0.trace.json"]);
        assert_eq!(server_logs(&both), Vec::<PathBuf>::new());
        // One folder up, shared by both stage folders: server.log only.
        std::fs::write(dir.join("cap/worker.log"), "b").unwrap();
        assert_eq!(server_logs(&both), Vec::<PathBuf>::new());
        std::fs::write(dir.join("cap/server.log"), "a").unwrap();
        assert_eq!(server_logs(&both), [dir.join("cap/server.log")]);
        // Beside the traces first: every *.log by name (not folders)…
        std::fs::write(dir.join("cap/decode/worker.log"), "b").unwrap();
        std::fs::write(dir.join("cap/decode/launch.LOG"), "c").unwrap();
        std::fs::create_dir(dir.join("cap/decode/dir.log")).unwrap();
        assert_eq!(
            server_logs(&both),
            [dir.join("cap/decode/launch.LOG"), dir.join("cap/decode/worker.log")]
        );
        // …and server.log preferred over the other logs of its folder.
        std::fs::write(dir.join("cap/decode/server.log"), "d").unwrap();
        assert_eq!(server_logs(&both), [dir.join("cap/decode/server.log")]);
        std::fs::write(dir.join("cap/prefill/server.log"), "e").unwrap();
        assert_eq!(
            server_logs(&both),
            [dir.join("cap/prefill/server.log"), dir.join("cap/decode/server.log")],
            "each trace folder's, in the traces' order"
        );
        assert_eq!(server_logs(&traces(&["solo/y.json"])), Vec::<PathBuf>::new());
        let log = server_log(&dir.join("cap/decode/server.log")).unwrap();
        assert_eq!((log.name.ends_with("server.log"), log.text.as_str()), (true, "d"));
        std::fs::write(dir.join("solo/bad.log"), b"ok \xff Using diffusers backend").unwrap();
        let bad = server_log(&dir.join("solo/bad.log")).unwrap();
        assert!(report::gate::diffusion(&bad.text).is_some());
        assert!(server_log(&dir.join("solo/missing.log")).unwrap_err().to_string().contains("cannot read"));
    }
}
