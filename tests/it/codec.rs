//! Corpus round trips of the worker codec: every trace of `../shared/traces`, encoded with
//! `Trace::to_bytes` and decoded with `Trace::from_bytes`, is the same trace, gives a
//! byte-identical triage report JSON and the same `inspect` output.

use crate::common::corpus_files;

/// The report JSON the CLI prints for `tracetriage triage FILE --format json`.
fn report_json(trace: &report::trace::Trace, name: &str) -> String {
    let inputs = [report::engine::triage::Input { path: name, trace }];
    report::triage::triage_with(
        &inputs,
        &report::engine::triage::Options::default(),
        report::engine::Catalog::builtin(),
    )
    .to_json()
}

/// What `tracetriage inspect` prints, as text and as JSON.
fn inspect(trace: &report::trace::Trace, name: &str) -> (String, String) {
    let s = report::trace::inspect::summarize(trace);
    (report::inspect::text(&s, name), serde_json::to_string_pretty(&report::inspect::json(&s, name)).unwrap())
}

#[test]
fn corpus_traces_round_trip_with_identical_reports() {
    testkit::needs_corpus!();
    let files = corpus_files();
    assert!(files.len() >= 12, "expected the 12 corpus traces, found {}", files.len());
    for path in files {
        let name = format!("../shared/traces/{}", path.file_name().unwrap().to_string_lossy());
        let original =
            report::trace::load(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let bytes = original.to_bytes();
        let decoded = report::trace::Trace::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(decoded == original, "{name}: decoded trace differs from the original");
        assert_eq!(decoded.to_bytes(), bytes, "{name}: re-encoding differs");
        assert_eq!(report_json(&decoded, &name), report_json(&original, &name), "{name}: report JSON");
        assert_eq!(inspect(&decoded, &name), inspect(&original, &name), "{name}: inspect output");
        // Any cut of a real encoding is an error, never a panic or a silently shorter trace.
        for cut in [0, 7, 8, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
            assert!(report::trace::Trace::from_bytes(&bytes[..cut]).is_err(), "{name}: prefix {cut} decoded");
        }
    }
}
