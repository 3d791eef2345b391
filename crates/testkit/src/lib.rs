//! Test support shared by the workspace's test suites (`tests/it`, the CLI's and the
//! relay's): where the real traces are, and what a test that needs them does when they are
//! not there.
//!
//! The corpus lives beside the repository in `../shared/traces` (CI has it);
//! `TRACETRIAGE_TRACES` names another folder. On a plain clone without it, a test that
//! needs it starts with [`needs_corpus!`]: it returns at once and says on stderr which test
//! was skipped and why (written past the test harness's output capture, so `cargo test`
//! shows it). With `TRACETRIAGE_REQUIRE_CORPUS=1` (set by `scripts/test.sh`, hence CI) a
//! missing corpus fails the test instead.
#![allow(clippy::disallowed_methods, clippy::print_stderr)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The folder of the real traces: `TRACETRIAGE_TRACES`, else `../shared/traces` beside the
/// repository.
#[must_use]
pub fn traces_dir() -> PathBuf {
    std::env::var_os("TRACETRIAGE_TRACES")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/traces"), PathBuf::from)
}

/// A file of `../shared/reference` beside the repository; `TRACETRIAGE_REFERENCE` names a
/// file elsewhere.
#[must_use]
pub fn reference_file(name: &str) -> PathBuf {
    std::env::var_os("TRACETRIAGE_REFERENCE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference").join(name),
        PathBuf::from,
    )
}

/// Whether the corpus is there. When it is not: panics if `TRACETRIAGE_REQUIRE_CORPUS` is
/// set, else says once per test (by the harness's thread name) that it is skipped.
///
/// # Panics
/// When the corpus is missing and required.
#[must_use]
pub fn corpus_present() -> bool {
    let dir = traces_dir();
    if std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some()) {
        return true;
    }
    let test = std::thread::current().name().unwrap_or("a corpus test").to_owned();
    let why = format!(
        "no trace corpus at {} (the `shared` folder beside the repository; TRACETRIAGE_TRACES names another)",
        dir.display()
    );
    let required = std::env::var("TRACETRIAGE_REQUIRE_CORPUS").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "{test}: {why}");
    // Once per test: a property test asks once per case.
    static SAID: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !said.contains(&test) {
        let _ = writeln!(std::io::stderr(), "skipped {test}: {why}");
        said.push(test);
    }
    false
}

/// Starts a test that needs the trace corpus: returns from the test when it is missing
/// (see the crate docs).
#[macro_export]
macro_rules! needs_corpus {
    () => {
        if !$crate::corpus_present() {
            return;
        }
    };
}
