//! Shared helpers: where the corpus lives and how to read it (finding it, and skipping a
//! test on a plain clone without it, is `testkit`'s: `testkit::needs_corpus!()`).

use std::path::PathBuf;

pub use testkit::{corpus_present, reference_file, traces_dir};

/// Every `*.trace.json.gz` of the corpus, sorted by name.
pub fn corpus_files() -> Vec<PathBuf> {
    let dir = traces_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the trace corpus must be at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
        .collect();
    files.sort();
    files
}

/// A corpus file by name.
pub fn corpus_file(name: &str) -> PathBuf {
    traces_dir().join(name)
}

/// Reads a file (tests only; the engine itself never does I/O).
pub fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Decompresses gzip bytes with an independent decoder (flate2), so tests can build
/// plain-JSON variants of the corpus.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}
