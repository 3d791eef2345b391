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

/// The first `n` items of the fixture's `traceEvents`, from its first `cpu_op` on (so
/// `Concrete Inputs` with empty strings are among them), each as its own text.
fn excerpt_events(n: usize) -> Vec<Vec<u8>> {
    let gz = common::read(std::path::Path::new("tests/fixtures/vllm-b200-excerpt.pt.trace.json.gz"));
    let text = common::gunzip(&gz);
    let find = |from: usize, needle: &[u8]| {
        from + text[from..].windows(needle.len()).position(|w| w == needle).unwrap()
    };
    let array = find(0, b"\"traceEvents\"");
    let first_op = find(array, b"\"cat\":\"cpu_op\"");
    let mut start = text[..first_op].iter().rposition(|&b| b == b'{').unwrap();
    let mut events = Vec::new();
    while events.len() < n {
        let next = report::trace::find_boundary(&text, start + 1).unwrap();
        let end = text[..next].iter().rposition(|&b| b == b'}').unwrap() + 1;
        events.push(text[start..end].to_vec());
        start = next;
    }
    events
}

/// Every timed row of a trace, as (table, time): what an event leaves in the model.
fn rows(t: &report::trace::Trace) -> Vec<(u8, i64)> {
    let tables: [(u8, &[i64]); 6] = [
        (0, &t.gpu.start_ns),
        (1, &t.runtime.start_ns),
        (2, &t.cpu_ops.start_ns),
        (3, &t.python.start_ns),
        (4, &t.annotations.start_ns),
        (5, &t.flows.ts_ns),
    ];
    let mut out: Vec<(u8, i64)> =
        tables.iter().flat_map(|(k, ts)| ts.iter().map(move |&v| (*k, v))).collect();
    out.sort_unstable();
    out
}

/// Rows of `full` that `damaged` lacks (a multiset difference).
fn lost(full: &[(u8, i64)], damaged: &[(u8, i64)]) -> Vec<(u8, i64)> {
    let mut have = damaged.to_vec();
    let mut out = Vec::new();
    for row in full {
        match have.iter().position(|r| r == row) {
            Some(i) => {
                have.swap_remove(i);
            }
            None => out.push(*row),
        }
    }
    out
}

/// Issue 27, item 3: a single damaged structural byte (`"` `{` `}` `[` `]` `,` `:`) inside
/// `traceEvents`, replaced by a space or an `x` or deleted, loses at most the event it is
/// in; a byte between two events (the `}` `,` `{` of their boundary) at most those two.
#[test]
fn one_damaged_structural_byte_loses_at_most_its_event() {
    let events = excerpt_events(40);
    let head = b"{\"traceEvents\":[".to_vec();
    let mut doc = head.clone();
    let mut spans = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            doc.push(b',');
        }
        spans.push((doc.len(), doc.len() + e.len()));
        doc.extend_from_slice(e);
    }
    doc.extend_from_slice(b"],\"traceName\":\"x\"}");
    let full = rows(&report::trace::load(&doc).unwrap());
    let alone: Vec<Vec<(u8, i64)>> = events
        .iter()
        .map(|e| {
            let one = [&b"["[..], e, b"]"].concat();
            report::trace::load(&one).map(|t| rows(&t)).unwrap_or_default()
        })
        .collect();
    assert!(full.len() > 30, "the excerpt leaves rows: {}", full.len());
    let (first, last) = (spans[0].0, spans[spans.len() - 1].1);
    let mut checked = 0;
    for p in first..last {
        if !b"\"{}[],:".contains(&doc[p]) {
            continue;
        }
        // The events a byte may take with it: its own, and at a boundary the next one.
        let i = spans.iter().position(|&(s, e)| p < e && p + 1 >= s).unwrap();
        let boundary = p + 1 == spans[i].1 || doc[p] == b',' && p == spans[i].1;
        let mut may: Vec<(u8, i64)> = alone[i].clone();
        if boundary && i + 1 < alone.len() {
            may.extend(&alone[i + 1]);
        }
        if p == spans[i].0 && i > 0 {
            may.extend(&alone[i - 1]);
        }
        for alt in [Some(b' '), Some(b'x'), None] {
            let mut damaged = doc.clone();
            match alt {
                Some(b) => damaged[p] = b,
                None => {
                    damaged.remove(p);
                }
            }
            let trace = report::trace::load(&damaged).unwrap_or_else(|e| panic!("byte {p} ({alt:?}): {e}"));
            let gone = lost(&full, &rows(&trace));
            let unexplained = lost(&gone, &may);
            assert!(
                unexplained.is_empty(),
                "byte {p} {:?} → {alt:?} in event {i}: lost {unexplained:?} of other events; {}",
                doc[p] as char,
                String::from_utf8_lossy(&doc[spans[i].0..spans[i].1.min(spans[i].0 + 300)])
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} damaged inputs");
}
