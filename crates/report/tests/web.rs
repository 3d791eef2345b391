//! The engine's load tests, run inside headless Chromium as WebAssembly
//! (`cargo test -p engine --target wasm32-unknown-unknown --test web`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, missing_docs)]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &[u8] =
    include_bytes!("../../../tests/fixtures/mi300x-hipgraph-excerpt-TP-0-DECODE.trace.json.gz");

#[wasm_bindgen_test]
fn loads_a_gzip_trace() {
    let t = report::trace::load(FIXTURE).unwrap();
    assert_eq!(t.gpu.len(), 120);
    assert!(t.python.len() > 100);
    assert_eq!(t.meta.devices.first().map(|d| d.name.as_str()), Some("AMD Instinct MI300X"));
    assert!(!t.diagnostics.has(report::trace::DiagnosticKind::Truncated));
}

#[wasm_bindgen_test]
fn chunked_input_equals_whole_input() {
    let whole = report::trace::load(FIXTURE).unwrap();
    for size in [1usize, 7, 4096, 65536] {
        let mut l = report::trace::Loader::new();
        for c in FIXTURE.chunks(size) {
            l.push(c).unwrap();
        }
        let t = l.finish().unwrap();
        assert_eq!(t.counts, whole.counts);
        assert_eq!(t.gpu.start_ns, whole.gpu.start_ns);
    }
}

#[wasm_bindgen_test]
fn timestamps_keep_nanoseconds() {
    let doc = br#"[{"ph":"X","cat":"kernel","name":"a","pid":0,"tid":7,"ts":1712195495505583.123,"dur":1,"args":{"stream":7}},
                   {"ph":"X","cat":"kernel","name":"b","pid":0,"tid":7,"ts":1712195495505583.124,"dur":1,"args":{"stream":7}}]"#;
    let t = report::trace::load(doc).unwrap();
    assert_eq!(t.gpu.start_ns, [1_712_195_495_505_583_123, 1_712_195_495_505_583_124]);
}

#[wasm_bindgen_test]
fn truncation_and_errors() {
    let t = report::trace::load(&FIXTURE[..FIXTURE.len() / 2]).unwrap();
    assert!(t.diagnostics.has(report::trace::DiagnosticKind::Truncated));
    assert_eq!(report::trace::load(b"").err(), Some(report::trace::LoadError::Empty));
    assert!(
        report::trace::load(b"<!DOCTYPE html><html></html>").unwrap_err().to_string().contains("HTML page")
    );
    assert!(matches!(
        report::trace::load(br#"{"a": 1}"#),
        Err(report::trace::LoadError::NoTraceEvents { .. })
    ));
}

#[wasm_bindgen_test]
fn triage_runs_in_the_browser() {
    let t = report::trace::load(FIXTURE).unwrap();
    let inputs = [report::engine::triage::Input { path: "x-TP-0-DECODE.trace.json.gz", trace: &t }];
    let r = report::triage::triage_with(
        &inputs,
        &report::engine::triage::Options::default(),
        report::engine::Catalog::builtin(),
    );
    assert_eq!(r.stages.len(), 1);
    assert_eq!(r.framework.id, "sglang");
    let back = report::share::decode(&report::share::encode(&r)).unwrap();
    assert_eq!(back, r);
}

#[wasm_bindgen_test]
fn codec_round_trips_in_the_browser() {
    // What the browser does between workers: encode in one, decode in another.
    let t = report::trace::load(FIXTURE).unwrap();
    let bytes = t.to_bytes();
    let back = report::trace::Trace::from_bytes(&bytes).unwrap();
    assert!(back == t, "decoded trace differs");
    assert!(report::trace::Trace::from_bytes(&bytes[..bytes.len() - 1]).is_err());
}
