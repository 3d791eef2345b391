//! Rank-reduction files (`.ttr`, [`report::ranks::reduction`]): traces reduced on threads
//! as they load (each trace dropped once reduced), reductions written and read back, and
//! the `.ttr` files among the paths given to `--all-ranks`.

use std::path::{Path, PathBuf};

use report::engine::ranks::RankReduction;
use report::ranks::reduction::{self, REDUCTION_EXTENSION, RankFile};

use crate::Error;
use crate::walk::Walk;

/// Whether `path` is named like a rank-reduction file (`*.ttr`).
#[must_use]
pub fn is_reduction(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case(REDUCTION_EXTENSION))
}

/// Splits the paths given to `--all-ranks` into rank-reduction files and the rest: a
/// `.ttr` file is one; a folder holding `.ttr` files (as deep as traces are looked for)
/// stands for those, sorted; anything else (trace files, folders of traces) is left for
/// [`crate::discover::discover`].
///
/// # Errors
/// A path that does not exist, or a folder that cannot be listed.
pub fn split(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Error> {
    let (mut reductions, mut rest) = (Vec::new(), Vec::new());
    for path in paths {
        let meta = std::fs::metadata(path).map_err(Error::io("read", path))?;
        if !meta.is_dir() {
            if is_reduction(path) {
                reductions.push(path.clone())
            } else {
                rest.push(path.clone())
            }
            continue;
        }
        let found: Vec<PathBuf> =
            Walk::new(crate::discover::DEPTH).files(path)?.into_iter().filter(|p| is_reduction(p)).collect();
        if found.is_empty() {
            rest.push(path.clone());
        } else {
            reductions.extend(found);
        }
    }
    reductions.dedup();
    Ok((reductions, rest))
}

/// Reads a `.ttr` file.
///
/// # Errors
/// When it cannot be read, or is not a rank reduction this build reads (newer, damaged,
/// another kind of file).
pub fn read(path: &Path) -> Result<RankReduction, Error> {
    let bytes = std::fs::read(path).map_err(Error::io("read", path))?;
    reduction::from_bytes(&bytes)
        .map(|file| file.body)
        .map_err(|cause| Error::Reduction { path: path.to_path_buf(), cause })
}

/// Writes `file` to `path` as a `.ttr` file (gzip-compressed JSON).
///
/// # Errors
/// When the file cannot be written.
pub fn write(path: &Path, file: &RankFile) -> Result<(), Error> {
    std::fs::write(path, reduction::to_bytes(file)).map_err(Error::io("write", path))
}

/// Loads trace files on `threads` threads (0: one per core) and reduces each as soon as it
/// is loaded, dropping the trace: at most one trace per thread is held. Each reduction
/// keeps its path as displayed. One result per path, in the order given.
pub fn reduce_each(
    paths: &[&Path],
    threads: usize,
    catalog: &report::engine::Catalog,
) -> Vec<Result<RankFile, Error>> {
    reduce_each_with(paths, threads, catalog, &|_, _| {})
}

/// [`reduce_each`], calling `progress` as each load goes (see [`crate::load_each_with`]).
pub fn reduce_each_with(
    paths: &[&Path],
    threads: usize,
    catalog: &report::engine::Catalog,
    progress: &(dyn Fn(usize, &report::trace::Progress) + Sync),
) -> Vec<Result<RankFile, Error>> {
    crate::load_each_with(
        paths,
        threads,
        |path, trace| {
            let name = path.display().to_string();
            reduction::reduce(&report::engine::triage::Input { path: &name, trace: &trace }, catalog)
        },
        progress,
    )
}

/// The default output of reducing `trace`: beside it, its name with `.gz` and `.json`
/// taken off and `.ttr` added (`x-TP-0.trace.json.gz` → `x-TP-0.trace.ttr`).
#[must_use]
pub fn output_for(trace: &Path, dir: Option<&Path>) -> PathBuf {
    let name = trace.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut stem = name.as_str();
    for suffix in [".gz", ".json"] {
        if stem.len() > suffix.len() && stem.to_ascii_lowercase().ends_with(suffix) {
            stem = stem.get(..stem.len() - suffix.len()).unwrap_or(stem);
        }
    }
    let file = format!("{stem}.{REDUCTION_EXTENSION}");
    match dir {
        Some(d) => d.join(file),
        None => trace.with_file_name(file),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_named_after_the_trace() {
        let p = Path::new("a/x-TP-0.trace.json.gz");
        assert_eq!(output_for(p, None), Path::new("a/x-TP-0.trace.ttr"));
        assert_eq!(output_for(p, Some(Path::new("out"))), Path::new("out/x-TP-0.trace.ttr"));
        assert_eq!(output_for(Path::new("rank1.JSON"), None), Path::new("rank1.ttr"));
        assert_eq!(output_for(Path::new("odd"), None), Path::new("odd.ttr"));
    }

    #[test]
    fn folders_of_reductions_stand_for_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("red")).unwrap();
        std::fs::create_dir(d.join("traces")).unwrap();
        for f in ["red/b.ttr", "red/a.ttr", "traces/x-TP-0.trace.json", "c.TTR", "y.json"] {
            std::fs::write(d.join(f), b"{}").unwrap();
        }
        let given = ["red", "traces", "c.TTR", "y.json"].map(|p| d.join(p));
        let (reductions, rest) = split(&given).unwrap();
        assert_eq!(reductions, [d.join("red/a.ttr"), d.join("red/b.ttr"), d.join("c.TTR")]);
        assert_eq!(rest, [d.join("traces"), d.join("y.json")]);
        let err = read(&d.join("red/a.ttr")).unwrap_err().to_string();
        assert!(err.contains("a.ttr") && err.contains("rank reduction"), "{err}");
        assert!(split(&[d.join("missing")]).is_err());
    }
}
