//! The corpus test: all real traces load, with exactly the counts of `counts.json`.

use crate::common;

#[test]
fn every_corpus_trace_matches_independent_counts() {
    testkit::needs_corpus!();
    let counts_path = common::traces_dir().join("counts.json");
    let expected: serde_json::Value = serde_json::from_slice(&common::read(&counts_path)).unwrap();
    let expected = expected.as_object().unwrap();
    let files = common::corpus_files();
    assert_eq!(files.len(), 12, "the corpus has 12 traces");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let want = expected.get(&name).unwrap_or_else(|| panic!("{name} missing from counts.json"));
        let trace = report::trace::load(&common::read(&path)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(trace.counts.total, want["events"].as_u64().unwrap(), "{name}: total events");
        let mut got_cats: Vec<(String, u64)> = trace.counts.categories_sorted();
        let mut want_cats: Vec<(String, u64)> = want["by_category"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        want_cats.sort();
        got_cats.sort();
        assert_eq!(got_cats, want_cats, "{name}: counts by category");
        let mut want_ph: Vec<(String, u64)> = want["by_phase"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        want_ph.sort();
        assert_eq!(trace.counts.phases_sorted(), want_ph, "{name}: counts by phase");
        assert!(!trace.diagnostics.has(report::trace::DiagnosticKind::Truncated), "{name}: not truncated");
        assert!(!trace.diagnostics.has(report::trace::DiagnosticKind::MalformedJson), "{name}: well-formed");
        // Every event is either in the model or counted in diagnostics.
        let kept = (trace.gpu.len()
            + trace.runtime.len()
            + trace.cpu_ops.len()
            + trace.python.len()
            + trace.annotations.len()
            + trace.flows.len()) as u64;
        let metadata_kept = (trace.tracks.process_names.len()
            + trace.tracks.thread_names.len()
            + trace.tracks.process_labels.len()) as u64;
        let skipped: u64 =
            trace.diagnostics.sorted().iter().filter(|d| is_per_event(d.kind)).map(|d| d.count).sum();
        let spans = u64::from(trace.meta.profiler_span.is_some());
        let profiler_spans = trace.counts.category("Trace");
        assert_eq!(
            kept + metadata_kept + skipped + profiler_spans,
            trace.counts.total,
            "{name}: kept {kept} + metadata {metadata_kept} + skipped {skipped} + spans {profiler_spans} (seen {spans})"
        );
    }
}

/// Diagnostics that count whole skipped events (others count adjustments).
fn is_per_event(kind: report::trace::DiagnosticKind) -> bool {
    use report::trace::DiagnosticKind as D;
    matches!(
        kind,
        D::NotAnObject
            | D::MissingPhase
            | D::UnsupportedPhase
            | D::MissingTimestamp
            | D::UnknownCategory
            | D::Instant
            | D::Overhead
            | D::OtherMetadata
            | D::OtherFlow
    )
}

#[test]
fn plain_and_gzip_give_the_same_trace() {
    testkit::needs_corpus!();
    let path = common::corpus_file("sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz");
    let gz = common::read(&path);
    let plain = common::gunzip(&gz);
    let a = report::trace::load(&gz).unwrap();
    let b = report::trace::load(&plain).unwrap();
    assert_eq!(a.counts, b.counts);
    assert_eq!(a.gpu.start_ns, b.gpu.start_ns);
    assert_eq!(a.gpu.name.len(), b.gpu.name.len());
    assert_eq!(a.diagnostics, b.diagnostics);
    assert_eq!(b.json_bytes, plain.len() as u64);
}
