//! The pipelined load (inflate on one thread, parse on another) gives exactly the trace of
//! the sequential load — the same codec bytes — on every corpus trace, on truncated and
//! damaged copies of them, on multi-member gzip, and the same error on files that are not
//! traces.

// Tests read and write files.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::io::Write;
use std::path::{Path, PathBuf};

use native::load::parallel::Split;
use native::load::pipelined;

/// Every `*.json.gz` of the corpus, sorted.
fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(testkit::traces_dir())
        .expect("the corpus folder")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
        .collect();
    files.sort();
    files
}

/// The ways a file is loaded on several threads: pipelined (inflate beside the parse), and
/// parsed in pieces by 3 workers (small pieces: many cuts even in a small trace) and by 2.
const SPLITS: [Option<Split>; 3] =
    [None, Some(Split { workers: 3, piece: 64 << 10 }), Some(Split { workers: 2, piece: 1 << 20 })];

/// A load of `path` on several threads: the trace's codec bytes (or the error message) and
/// the pieces parsed on other threads and appended.
fn threaded(path: &Path, split: Option<Split>) -> (Result<Vec<u8>, String>, u64) {
    let mut pieces = 0;
    let t = pipelined::load_split(path, split, &mut |p| pieces = pieces.max(p.pieces));
    (t.map(|t| t.to_bytes()).map_err(|e| e.to_string()), pieces)
}

/// The sequential load of `path` and the pipelined one.
fn both(path: &Path) -> (Result<Vec<u8>, String>, Result<Vec<u8>, String>) {
    let sequential = native::load(path).map(|t| t.to_bytes()).map_err(|e| e.to_string());
    (sequential, threaded(path, None).0)
}

/// Every threaded load of `path` gives the sequential load's result.
fn assert_same(path: &Path, what: &str) {
    let sequential = native::load(path).map(|t| t.to_bytes()).map_err(|e| e.to_string());
    for split in SPLITS {
        assert!(
            sequential == threaded(path, split).0,
            "{what}: the {split:?} load differs from the sequential one"
        );
    }
}

fn gz(text: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text).expect("gzip into memory");
    e.finish().expect("gzip into memory")
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).expect("a corpus file inflates");
    out
}

#[test]
fn every_corpus_trace_loads_the_same_pipelined() {
    testkit::needs_corpus!();
    let files = corpus();
    assert!(files.len() >= 12, "expected the corpus traces, found {}", files.len());
    for path in &files {
        let mut updates = 0u32;
        let piped = pipelined::load(path, &mut |_| updates += 1).map(|t| t.to_bytes());
        let sequential = native::load(path).map(|t| t.to_bytes());
        let (Ok(piped), Ok(sequential)) = (piped, sequential) else {
            panic!("{}: a corpus trace failed to load", path.display());
        };
        assert!(piped == sequential, "{}: the pipelined load differs", path.display());
        assert!(updates >= 1, "{}: progress was reported", path.display());
    }
}

#[test]
fn truncated_damaged_and_multi_member_copies_load_the_same_pipelined() {
    testkit::needs_corpus!();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let source =
        corpus().into_iter().find(|p| p.to_string_lossy().contains("vllm_b200")).expect("the vLLM trace");
    let bytes = std::fs::read(&source).expect("the vLLM trace");
    let write = |name: &str, data: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, data).expect("a temporary file");
        p
    };
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 9, bytes.len() - 1] {
        let p = write(&format!("cut-{cut}.trace.json.gz"), bytes.get(..cut).unwrap_or_default());
        let (sequential, _) = both(&p);
        assert!(sequential.is_ok(), "a cut trace still loads (its diagnostics say it was cut)");
        assert_same(&p, &format!("cut at {cut}"));
    }
    let mut flipped = bytes.clone();
    if let Some(b) = flipped.get_mut(bytes.len() / 2) {
        *b ^= 0x55;
    }
    assert_same(&write("flipped.trace.json.gz", &flipped), "a flipped byte");
    let mut padded = bytes.clone();
    padded.extend_from_slice(b"garbage after the stream");
    assert_same(&write("trailing.trace.json.gz", &padded), "bytes after the stream");
    // Two members (as `cat a.gz b.gz` makes): a clean stream, the whole text.
    let text = gunzip(&bytes);
    let half = text.len() / 2;
    let mut two = gz(text.get(..half).unwrap_or_default());
    two.extend_from_slice(&gz(text.get(half..).unwrap_or_default()));
    let (sequential, piped) = both(&write("two-members.trace.json.gz", &two));
    assert!(sequential.is_ok() && sequential == piped, "two members: the same trace");
    assert_same(&write("two-members.trace.json.gz", &two), "two members");
    // Plain JSON, whole and cut in the middle of an event.
    let plain = write("plain.trace.json", &text);
    assert_same(&plain, "plain JSON");
    assert!(threaded(&plain, SPLITS[1]).1 > 10, "plain JSON was parsed in pieces");
    assert_same(
        &write("cut.trace.json", text.get(..text.len() * 2 / 3).unwrap_or_default()),
        "cut plain JSON",
    );
}

#[test]
fn every_corpus_trace_loads_the_same_in_pieces() {
    testkit::needs_corpus!();
    for path in &corpus() {
        let trace = native::load(path).expect("a corpus trace loads");
        let sequential = Ok(trace.to_bytes());
        for split in SPLITS.into_iter().flatten() {
            let (bytes, pieces) = threaded(path, Some(split));
            assert!(bytes == sequential, "{}: the {split:?} load differs", path.display());
            // Most pieces are cut at real boundaries and appended, not parsed again.
            let expected = trace.json_bytes / split.piece as u64 / 2;
            assert!(pieces >= expected, "{}: {pieces} pieces appended with {split:?}", path.display());
        }
    }
}

#[test]
fn files_that_are_not_traces_fail_the_same_way() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let cases: [(&str, Vec<u8>); 4] = [
        ("page.json.gz", gz(b"<!DOCTYPE html><html><body>nope</body></html>")),
        ("object.json.gz", gz(br#"{"schema": 1, "rows": []}"#)),
        ("empty.json.gz", gz(b"")),
        ("plain.json", b"<html></html>".to_vec()),
    ];
    for (name, data) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, data).expect("a temporary file");
        let (sequential, piped) = both(&p);
        assert!(sequential.is_err(), "{name} is not a trace");
        assert_eq!(sequential, piped, "{name}");
        assert_same(&p, name);
    }
    let missing = dir.path().join("missing.json.gz");
    let (sequential, piped) = both(&missing);
    assert!(sequential.is_err() && sequential == piped, "a missing file");
}
