//! Shared helpers: where the corpus lives, how to read it, and what a test does when it
//! is not there.
//!
//! The real traces live beside the repository in `../shared/traces` (CI has them). On a
//! plain clone without them, a test that needs them starts with [`needs_corpus!`]: it
//! returns at once and says on stderr which test was skipped and why (written past the
//! harness's output capture, so `cargo test` shows it). With
//! `TRACETRIAGE_REQUIRE_CORPUS=1` (set by `scripts/test.sh`, hence CI) a missing corpus
//! fails the test instead.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Starts a test that needs the trace corpus (and `../shared/reference`): returns from
/// the test when they are missing (see the module docs).
#[macro_export]
macro_rules! needs_corpus {
    () => {
        if !$crate::common::corpus_present() {
            return;
        }
    };
}

/// Whether the corpus is there; when it is not, says which test is skipped, or panics
/// when `TRACETRIAGE_REQUIRE_CORPUS` is set.
pub fn corpus_present() -> bool {
    let dir = traces_dir();
    if dir.join("counts.json").is_file()
        || dir.is_dir() && std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some())
    {
        return true;
    }
    let test = std::thread::current().name().unwrap_or("a corpus test").to_owned();
    let why = format!(
        "no trace corpus at {} (the `shared` folder beside the repository; TRACETRIAGE_TRACES names another)",
        dir.display()
    );
    assert!(std::env::var_os("TRACETRIAGE_REQUIRE_CORPUS").is_none(), "{test}: {why}");
    // Once per test (a property test asks once per case).
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !said.contains(&test) {
        let _ = writeln!(std::io::stderr(), "skipped {test}: {why}");
        said.push(test);
    }
    false
}

/// `../shared/reference` beside the repository; `TRACETRIAGE_REFERENCE` names a file in
/// another.
pub fn reference_file(name: &str) -> PathBuf {
    std::env::var_os("TRACETRIAGE_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference").join(name))
}

/// `../shared/traces` beside the repository (CI has it too); `TRACETRIAGE_TRACES` overrides.
pub fn traces_dir() -> PathBuf {
    std::env::var_os("TRACETRIAGE_TRACES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/traces")))
}

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
