//! Truncation, damage and non-trace inputs: never a panic, always a clear answer.

use proptest::prelude::*;
use report::trace::DiagnosticKind;
use report::trace::LoadError;

use crate::common;

const SMALL: &str = "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz";

fn small_gz() -> Vec<u8> {
    common::read(&common::corpus_file(SMALL))
}

/// Cut points spread over the whole input, plus the first and last few bytes.
fn cut_points(len: usize, n: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = (1..n).map(|i| i * len / n).collect();
    cuts.extend(1..24.min(len));
    cuts.extend(len.saturating_sub(24)..len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

#[test]
fn every_gzip_prefix_loads_and_reports_truncated() {
    testkit::needs_corpus!();
    let gz = small_gz();
    let full = report::trace::load(&gz).unwrap().counts.total;
    let mut last = 0;
    for cut in cut_points(gz.len(), 150) {
        let trace = report::trace::load(&gz[..cut]).unwrap_or_else(|e| panic!("cut {cut}: {e}"));
        assert!(trace.diagnostics.has(DiagnosticKind::Truncated), "cut {cut}");
        assert!(trace.counts.total <= full);
        assert!(trace.counts.total >= last, "longer prefixes keep at least as many events");
        last = trace.counts.total;
    }
}

#[test]
fn every_plain_prefix_loads_and_reports_truncated() {
    testkit::needs_corpus!();
    let plain = common::gunzip(&small_gz());
    let first = plain.iter().position(|b| !b.is_ascii_whitespace()).unwrap();
    let full = report::trace::load(&plain).unwrap();
    for cut in cut_points(plain.len(), 300).into_iter().filter(|&c| c > first) {
        let trace = report::trace::load(&plain[..cut]).unwrap_or_else(|e| panic!("cut {cut}: {e}"));
        assert!(trace.diagnostics.has(DiagnosticKind::Truncated), "cut {cut}");
        // Complete events before the cut are kept: kernels form a prefix of the full list.
        let n = trace.gpu.len();
        assert_eq!(trace.gpu.start_ns[..], full.gpu.start_ns[..n], "cut {cut}");
    }
    // A whitespace-only prefix is not a trace.
    assert!(report::trace::load(&plain[..first]).is_err() || first == 0);
}

#[test]
fn non_traces_give_clear_errors() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty file", vec![], "empty"),
        ("html page", b"<!doctype html>\n<html><head><title>404</title></head></html>".to_vec(), "HTML page"),
        ("png image", vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], "binary data"),
        ("json without traceEvents", br#"{"model": "qwen", "layers": 48}"#.to_vec(), "traceEvents"),
        ("json string", br#""just a string""#.to_vec(), "not a trace"),
        ("zip archive", b"PK\x03\x04\x14\x00\x00\x00".to_vec(), "zip archive"),
    ];
    for (what, bytes, needle) in cases {
        let err: LoadError = report::trace::load(&bytes).expect_err(what);
        let msg = err.to_string();
        assert!(msg.contains(needle), "{what}: {msg}");
        assert!(!msg.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, .. ProptestConfig::default() })]

    /// Random byte flips in gzip input never panic.
    #[test]
    fn byte_flips_in_gzip_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        if !crate::common::corpus_present() {
            return Ok(());
        }
        let mut gz = small_gz();
        for (at, byte) in &flips {
            let i = at.index(gz.len());
            gz[i] ^= byte | 1;
        }
        let _ = report::trace::load(&gz);
    }

    /// Random byte flips in plain JSON never panic, and events after the damage are
    /// mostly recovered (parsing resynchronises at the next event).
    #[test]
    fn byte_flips_in_json_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        if !crate::common::corpus_present() {
            return Ok(());
        }
        let mut plain = common::gunzip(&small_gz());
        for (at, byte) in &flips {
            let i = at.index(plain.len());
            plain[i] ^= byte | 1;
        }
        if let Ok(trace) = report::trace::load(&plain) {
            prop_assert!(trace.counts.total <= 2058 + 8);
        }
    }

    /// Arbitrary bytes never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = report::trace::load(&bytes);
    }
}
