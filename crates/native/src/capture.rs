//! Graph-capture traces on disk: found in the `capture_traces/` and
//! `graph_capture_profile/` folders beside the execution traces (or one level up), or
//! named explicitly, and read into the engine's [`CaptureIndex`] one file at a time (each
//! trace is dropped as soon as its index is built).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use report::engine::analysis::capture::CaptureIndex;
use report::engine::discover::{CAPTURE_FOLDERS, trace_file_name};

use crate::Error;
use crate::walk::Walk;

/// How deep a capture folder is searched (SGLang nests none; one level of slack).
const DEPTH: usize = 1;

/// The capture traces that belong with `traces`: the trace files of every
/// [`CAPTURE_FOLDERS`] folder in a trace's own folder or the one above it, sorted, each
/// once.
#[must_use]
pub fn find(traces: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for t in traces {
        let Some(dir) = t.parent() else { continue };
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        for base in [Some(dir), dir.parent()].into_iter().flatten() {
            for name in CAPTURE_FOLDERS {
                let d = base.join(name);
                if d.is_dir() && !dirs.contains(&d) {
                    dirs.push(d);
                }
            }
        }
    }
    let mut out: Vec<PathBuf> = Vec::new();
    for d in dirs {
        let files = Walk::new(DEPTH).lenient().files(&d).unwrap_or_default();
        out.extend(files.into_iter().filter(|p| trace_file_name(&p.to_string_lossy())));
    }
    out.sort();
    out.dedup();
    out
}

/// The capture traces named by `paths`: files as given, folders' trace files.
///
/// # Errors
/// A path that does not exist, or a folder with no trace file.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(Error::io("read", p))?;
        if !meta.is_dir() {
            out.push(p.clone());
            continue;
        }
        let found: Vec<PathBuf> = Walk::new(DEPTH + 1)
            .files(p)?
            .into_iter()
            .filter(|f| trace_file_name(&f.to_string_lossy()))
            .collect();
        if found.is_empty() {
            return Err(Error::NoTraces(p.clone()));
        }
        out.extend(found);
    }
    out.dedup();
    Ok(out)
}

/// Reads capture traces on `threads` threads (0: one per core) into indexes, in the
/// order given; `name` is the path each index reports (e.g. relative to a capture).
pub fn load(
    paths: &[&Path],
    threads: usize,
    name: impl Fn(&Path) -> String + Sync,
) -> Vec<Result<Arc<CaptureIndex>, Error>> {
    crate::load::load_each(paths, threads, |path, trace| Arc::new(CaptureIndex::build(&name(path), &trace)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_capture_folders_beside_or_above_the_traces() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for f in [
            "prof/decode/x-TP-0.trace.json.gz",
            "prof/capture_traces/bs_32_rank0.json.gz",
            "prof/capture_traces/notes.txt",
            "prof/decode/graph_capture_profile/cuda_graph_capture-ModelRunner-TP-0.json.gz",
            "other/capture_traces/bs_8_rank0.json.gz",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, b"{}").unwrap();
        }
        let found = find(&[root.join("prof/decode/x-TP-0.trace.json.gz")]);
        let rel: Vec<String> =
            found.iter().map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(
            rel,
            [
                "prof/capture_traces/bs_32_rank0.json.gz",
                "prof/decode/graph_capture_profile/cuda_graph_capture-ModelRunner-TP-0.json.gz"
            ]
        );
        assert_eq!(expand(&[root.join("prof/capture_traces")]).unwrap().len(), 1);
        assert!(expand(&[root.join("missing")]).unwrap_err().to_string().starts_with("cannot read "));
    }
}
