//! Open in Perfetto on a real trace: the deep links of `tracetriage triage --perfetto`
//! carry exactly the windows the engine computes, every window lies inside the trace, each
//! step link is one of the timeline's steps, and the table rows' kernels are found on the
//! timeline under the names the tables use.

use report::engine::timeline::{Timeline, Window};

use crate::common;
use crate::golden::report_of;

const TRACE: &str = "sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz";

/// The `(visStart, visEnd)` of every deep link in `text`.
fn links(text: &str, base: &str) -> Vec<Window> {
    text.lines()
        .filter_map(|l| l.split(&format!("{base}#!/?visStart=")).nth(1))
        .map(|rest| {
            let (start, end) = rest.split_once("&visEnd=").expect("visEnd");
            Window { start_ns: start.parse().expect("visStart ns"), end_ns: end.parse().expect("visEnd ns") }
        })
        .collect()
}

#[test]
fn perfetto_links_carry_the_engine_windows_inside_the_trace() {
    testkit::needs_corpus!();
    let path = common::corpus_file(TRACE);
    let report = report_of(&path, TRACE);
    let trace = report::trace::load(&common::read(&path)).expect("trace");
    let tl = Timeline::of(&trace, TRACE, report::engine::Catalog::builtin());
    let (first, last) = trace.time_span().expect("a time span");
    let base = "https://perfetto.example/ui";
    let text = report::perfetto::markdown(&report, &[(TRACE, &tl)], base);
    assert!(text.starts_with("\n## Open in Perfetto\n"), "{text}");

    let expected: Vec<report::perfetto::Labelled> =
        report.stages.iter().flat_map(|s| report::perfetto::stage_windows(s, &tl)).collect();
    assert!(expected.len() >= 4, "{text}");
    let found = links(&text, base);
    assert_eq!(found, expected.iter().map(|l| l.window).collect::<Vec<_>>(), "{text}");

    for w in &found {
        assert!(
            first <= w.start_ns && w.start_ns < w.end_ns && w.end_ns <= last,
            "{w:?} outside {first}..{last}"
        );
    }
    for stage in &report.stages {
        let span = tl.stage_span(stage.stage).expect("every reported stage is on the timeline");
        let mine = report::perfetto::stage_windows(stage, &tl);
        assert_eq!(mine[0].window, Window::new(span.start_ns, span.end_ns), "the stage");
        assert_eq!(mine[1].window, span.busiest, "the busiest step");
        let steps: Vec<_> = mine.iter().filter(|l| l.label.starts_with("step ")).collect();
        assert_eq!(steps.len(), span.steps.len().min(report::perfetto::STEP_CAP));
        for s in &steps {
            assert!(span.steps.iter().any(|t| t.window() == s.window), "{} is not a step", s.label);
        }
        // The kernel table's rows are found on the timeline by their names.
        for row in stage.kernels.rows.iter().take(5) {
            let w = tl.kernel_window(stage.stage, &row.name);
            assert!(w.is_some(), "{}: kernel {} not on the timeline", stage.label, row.name);
        }
        if span.steps.len() > report::perfetto::STEP_CAP {
            let more = span.steps.len() - report::perfetto::STEP_CAP;
            assert!(text.contains(&format!("- … {more} more steps")), "{text}");
        }
    }
    // Each fix-first finding has its link.
    let fixes: usize = report.stages.iter().map(|s| s.fix_first.len()).sum();
    assert_eq!(text.matches("- fix first: ").count(), fixes, "{text}");
}
