//! The dashboard's manifest and version handling on real reports: manifest entries of
//! corpus reports, the manifest written and read back, entries and report files of other
//! versions (older ones upgraded or refused with the reason, newer and broken ones skipped
//! without losing the rest), and the generated runs of the benchmark.

use report::DocumentError;
use report::REPORT_VERSION;
use report::Report;
use report::dashboard::EntryOptions;
use report::dashboard::EntrySource;
use report::dashboard::ManifestEntry;
use report::dashboard::manifest::MANIFEST_VERSION;
use report::dashboard::new_manifest;
use report::dashboard::read_manifest;
use report::dashboard::read_report;
use serde_json::{Value, json};

use crate::common;
use crate::golden::report_of;

const SMALL: [&str; 3] = [
    "sglang_mi300x_qwen3-8b_decode_hipgraph_cropped.trace.json.gz",
    "deepseek-v3_train_h800_ep64_rank0.trace.json.gz",
    "vllm_b200_gpt-oss_tp8_eager_rank0.trace.json.gz",
];

fn reports() -> Vec<(String, Report)> {
    SMALL.iter().map(|n| ((*n).to_owned(), report_of(&common::corpus_file(n), n))).collect()
}

fn entry_of(name: &str, report: &Report) -> ManifestEntry {
    let id = report::dashboard::ids::slug(&report::dashboard::entry::label_of(name));
    let src = EntrySource {
        report: format!("{id}.json"),
        id,
        source: name.to_owned(),
        folder: "traces".to_owned(),
        file_mtime_unix_ns: Some(1_700_000_000_000_000_000),
    };
    ManifestEntry::from_report(report, &src, EntryOptions::default())
}

#[test]
fn corpus_entries_carry_the_reports_figures() {
    testkit::needs_corpus!();
    for (name, report) in reports() {
        let e = entry_of(&name, &report);
        assert_eq!(e.framework, report.framework.id, "{name}");
        assert_eq!(e.stages.len(), report.stages.len(), "{name}");
        let busy: i64 = report.stages.iter().map(|s| s.summary.busy_ns).sum();
        let span: i64 = report.stages.iter().map(|s| s.summary.span_ns).sum();
        assert_eq!((e.busy_ns, e.span_ns), (busy, span), "{name}");
        assert!((e.utilization_pct - 100.0 * busy as f64 / span as f64).abs() < 1e-6, "{name}");
        // The top family is at least as large as the largest kernel row, and its share is
        // of the run's GPU time.
        let top = e.top_family.as_ref().unwrap();
        let largest = report.stages.iter().flat_map(|s| &s.kernels.rows).map(|r| r.gpu_ns).max().unwrap();
        assert!(top.gpu_ns >= largest, "{name}: {} < {largest}", top.gpu_ns);
        assert!((top.share_pct - 100.0 * top.gpu_ns as f64 / e.gpu_ns as f64).abs() < 1e-6, "{name}");
        for s in &e.stages {
            assert!(s.families.len() <= report::dashboard::entry::DEFAULT_FAMILIES);
            assert!(s.families.windows(2).all(|w| w[0].gpu_ns >= w[1].gpu_ns), "{name}: families by time");
        }
        // The date: from the trace when it has one, else the file's.
        match report.inputs.iter().filter_map(|i| i.captured_unix_ns).min() {
            Some(t) => assert_eq!(e.captured_unix_ns, Some(t)),
            None => assert_eq!(e.captured_unix_ns, Some(1_700_000_000_000_000_000)),
        }
    }
}

#[test]
fn manifest_of_corpus_reports_round_trips() {
    testkit::needs_corpus!();
    let entries: Vec<ManifestEntry> = reports().iter().map(|(n, r)| entry_of(n, r)).collect();
    let m = new_manifest("corpus", entries);
    let read = read_manifest(m.to_json().as_bytes()).unwrap();
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    assert_eq!(read.manifest, m);
    assert_eq!(read.manifest.entries.len(), SMALL.len());
}

#[test]
fn a_trace_url_is_kept_and_older_manifests_without_it_still_read() {
    testkit::needs_corpus!();
    let mut entries: Vec<ManifestEntry> = reports().iter().map(|(n, r)| entry_of(n, r)).collect();
    entries[0].trace_url = Some("https://h.example/t/a.trace.json.gz".into());
    let m = new_manifest("t", entries);
    let json = m.to_json();
    assert_eq!(json.matches("\"trace_url\"").count(), 1, "written only when known");
    let read = read_manifest(json.as_bytes()).unwrap();
    assert_eq!(read.manifest, m);
    // A manifest of an older build has no such key: every run reads, with no trace.
    let mut v: Value = serde_json::from_str(&json).unwrap();
    for e in v["entries"].as_array_mut().unwrap() {
        e.as_object_mut().unwrap().remove("trace_url");
    }
    let old = read_manifest(v.to_string().as_bytes()).unwrap();
    assert!(old.skipped.is_empty(), "{:?}", old.skipped);
    assert!(old.manifest.entries.iter().all(|e| e.trace_url.is_none()));
    assert_eq!(old.manifest.envelope.version, MANIFEST_VERSION);
}

#[test]
fn manifest_reader_keeps_good_entries_and_says_why_it_skipped_others() {
    testkit::needs_corpus!();
    let entries: Vec<ManifestEntry> = reports().iter().map(|(n, r)| entry_of(n, r)).collect();
    let mut v: Value = serde_json::from_str(&new_manifest("t", entries).to_json()).unwrap();
    let list = v["entries"].as_array_mut().unwrap();
    let mut newer = list[0].clone();
    newer["id"] = json!("newer");
    newer["report"] = json!("newer.json");
    newer["report_version"] = json!(REPORT_VERSION + 1);
    let mut escape = list[0].clone();
    escape["id"] = json!("escape");
    escape["report"] = json!("../../etc/passwd.json");
    let duplicate = list[1].clone();
    let mut wrong_type = list[2].clone();
    wrong_type["id"] = json!("wrong");
    wrong_type["stages"] = json!("decode");
    list.extend([newer, escape, duplicate, json!(42), wrong_type]);
    let read = read_manifest(v.to_string().as_bytes()).unwrap();
    assert_eq!(read.manifest.entries.len(), SMALL.len(), "the good entries are all kept");
    let reasons: Vec<(usize, String)> = read.skipped.iter().map(|s| (s.index, s.reason.clone())).collect();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert!(reasons[0].1.contains(&format!("newer report version {}", REPORT_VERSION + 1)), "{reasons:?}");
    assert!(reasons[1].1.contains("bad report path"), "{reasons:?}");
    assert_eq!(reasons[2].1, "duplicate id");
    assert_eq!(reasons[3].1, "not an object");
    assert_eq!(read.skipped[4].id.as_deref(), Some("wrong"));
    assert_eq!(reasons.iter().map(|r| r.0).collect::<Vec<_>>(), [3, 4, 5, 6, 7]);
}

#[test]
fn whole_manifests_of_other_versions_or_broken() {
    testkit::needs_corpus!();
    let m = new_manifest("t", Vec::new()).to_json();
    let newer = m.replace(
        &format!("\"version\":{MANIFEST_VERSION}"),
        &format!("\"version\":{}", MANIFEST_VERSION + 1),
    );
    let err = read_manifest(newer.as_bytes()).unwrap_err();
    assert_eq!(
        err,
        DocumentError::Newer { kind: "manifest", found: MANIFEST_VERSION + 1, supported: MANIFEST_VERSION }
    );
    assert!(err.to_string().contains("update tracetriage"), "{err}");
    assert!(matches!(read_manifest(&m.as_bytes()[..m.len() - 3]), Err(DocumentError::Broken { .. })));
    let not_list = m.replace("\"entries\":[]", "\"entries\":{}");
    assert!(matches!(read_manifest(not_list.as_bytes()), Err(DocumentError::Broken { .. })));
    let report = reports().remove(0).1.to_json();
    let err = read_manifest(report.as_bytes()).unwrap_err();
    assert!(
        matches!(err, DocumentError::WrongKind { ref reason, .. } if reason.contains("a report file")),
        "{err}"
    );
}

#[test]
fn report_files_of_other_versions_and_damaged_ones() {
    testkit::needs_corpus!();
    let (_, report) = reports().remove(0);
    let text = report.to_json();
    // This version reads back exactly.
    assert_eq!(read_report(text.as_bytes()), Ok(report.clone()));
    let mut v: Value = serde_json::from_str(&text).unwrap();
    // Newer: refused, with both versions named.
    v["version"] = json!(REPORT_VERSION + 1);
    let out = read_report(v.to_string().as_bytes()).unwrap_err();
    assert_eq!(
        out,
        DocumentError::Newer { kind: "report", found: REPORT_VERSION + 1, supported: REPORT_VERSION }
    );
    assert!(out.to_string().contains("update tracetriage"), "{out}");
    // Older than any this build knows (version 1 is the first): broken, saying why.
    v["version"] = json!(0);
    let out = read_report(v.to_string().as_bytes()).unwrap_err();
    assert!(out.to_string().contains("older than any this build reads"), "{out}");
    // Truncated anywhere after its schema: broken, never a panic, never a report (before
    // the schema nothing says it was a report).
    let after_schema = text.find("tracetriage.report").unwrap() + 20;
    assert_eq!(read_report(&text.as_bytes()[..10]).unwrap_err().id(), "wrong-kind");
    for cut in [after_schema, text.len() / 3, text.len() / 2, text.len() - 1] {
        let out = read_report(&text.as_bytes()[..cut]).unwrap_err();
        assert_eq!(out.id(), "broken", "cut at {cut}: {out}");
    }
    // A field of the wrong type: broken, naming the problem.
    v["version"] = json!(REPORT_VERSION);
    v["stages"] = json!("decode");
    assert_eq!(read_report(v.to_string().as_bytes()).unwrap_err().id(), "broken");
    // A trace is not a report.
    let trace = common::gunzip(&common::read(&common::corpus_file(SMALL[0])));
    assert!(read_report(&trace).unwrap_err().to_string().contains("a trace, not a report"));
}

#[test]
fn generated_runs_are_reports_and_deterministic() {
    let a: Vec<Report> = (0..200).map(|i| report::dashboard::synthetic::report(i, 7).unwrap()).collect();
    let b: Vec<Report> = (0..200).map(|i| report::dashboard::synthetic::report(i, 7).unwrap()).collect();
    assert_eq!(a, b);
    let models: std::collections::BTreeSet<_> = a.iter().filter_map(|r| r.model.clone()).collect();
    assert!(models.len() >= 4, "{models:?}");
    for (i, r) in a.iter().enumerate() {
        let e = entry_of(&report::dashboard::synthetic::source(i), r);
        assert!(e.top_family.is_some() && e.coverage_pct.is_some());
        assert!((0.0..=100.0).contains(&e.utilization_pct));
    }
}
