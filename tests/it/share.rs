//! Shared links: every corpus report fits a link, and the link renders the same numbers.

use crate::golden::report_of;

#[test]
fn corpus_reports_fit_a_link_and_round_trip() {
    testkit::needs_corpus!();
    for (name, report) in crate::golden::corpus_reports() {
        let link = report::share::encode(&report);
        assert!(link.len() <= report::share::LINK_BUDGET, "{name}: link is {} bytes", link.len());
        let back = report::share::decode(&format!("#{link}")).unwrap();
        // The rows the link keeps carry the same numbers.
        for (a, b) in report.stages.iter().zip(&back.stages) {
            assert_eq!(a.summary, b.summary, "{name}");
            for (ra, rb) in a.kernels.rows.iter().zip(&b.kernels.rows) {
                assert_eq!(
                    (ra.gpu_ns, ra.launches, ra.share_pct),
                    (rb.gpu_ns, rb.launches, rb.share_pct),
                    "{name}"
                );
            }
        }
        if back != report {
            assert!(
                back.notes.iter().any(|n| n.starts_with("Shared link:")),
                "{name}: a trimmed link says so"
            );
        }
        println!("{name}: {} bytes", link.len());
    }
}

#[test]
fn a_small_report_round_trips_exactly() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mi300x-hipgraph-excerpt-TP-0-DECODE.trace.json.gz");
    let report = report_of(&path, "x.json");
    let back = report::share::decode(&report::share::encode(&report)).unwrap();
    assert_eq!(back, report);
    // The page's view parameters after the payload are not part of the link.
    let with_view = format!("#{}&tab=decode&q=nccl%20x", report::share::encode(&report));
    assert_eq!(report::share::decode(&with_view).unwrap(), report);
    assert_eq!(report::fragment::parse(&with_view).q.as_deref(), Some("nccl x"));
}
