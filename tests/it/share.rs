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

/// A link packed as the encoder packs it, without its shrinking.
fn crafted(report: &report::Report) -> String {
    use std::io::Write;
    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(report.to_json().as_bytes()).unwrap();
    format!("r1.{}", report::share::base64url_encode(&deflate.finish().unwrap()))
}

#[test]
fn links_larger_than_the_encoder_makes_are_refused() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mi300x-hipgraph-excerpt-TP-0-DECODE.trace.json.gz");
    let mut report = report_of(&path, "x.json");
    let stage = report.stages.first_mut().unwrap();
    let first = stage.kernels.rows.first().unwrap().clone();
    stage.kernels.rows = (0..report::share::MAX_ROWS + 1)
        .map(|i| report::engine::results::kernels::KernelRow {
            name: format!("k{i}"),
            row_id: String::new(),
            sites: Vec::new(),
            ..first.clone()
        })
        .collect();
    let link = crafted(&report);
    assert!(
        link.len() <= report::share::MAX_LINK,
        "the row count, not the length, refuses this one: {} > {}",
        link.len(),
        report::share::MAX_LINK
    );
    let err = report::share::decode(&link).unwrap_err();
    assert!(matches!(err, report::share::ShareError::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("table rows, at most 2,000"), "{err}");
    // The app's own encoder shrinks the same report into a link it opens.
    let own = report::share::encode(&report);
    assert!(report::share::decode(&own).is_ok());
}
