//! Tests of the timeline model and the hit test on small hand-built traces (corpus traces
//! are in `tests/it/overlap.rs`; the SVG and ASCII renderings are tested in `report`).

use super::*;
use crate::Catalog;

/// Stream 7: gemm 0..100 µs, all-reduce 100..300; stream 9: copy 10..60; a decode step
/// annotation around the launches (`tests/fixtures/timeline-small.trace.json`).
fn small() -> Timeline {
    let json = include_str!("../../../../tests/fixtures/timeline-small.trace.json");
    let trace = trace::load(json.as_bytes()).expect("trace");
    Timeline::of(&trace, "x.json", Catalog::builtin())
}

#[test]
fn model_has_sorted_lanes_stages_and_sites() {
    let tl = small();
    assert_eq!(tl.lanes.iter().map(|l| (l.stream, l.len())).collect::<Vec<_>>(), [(7, 2), (9, 1)]);
    assert_eq!(tl.lanes[0].label, "stream 7");
    assert_eq!(tl.lanes[0].category, [Category::Gemm, Category::Communication]);
    assert_eq!(tl.lanes[0].max_end_ns, [100_000, 300_000]);
    assert_eq!(tl.stages.len(), 1);
    assert_eq!(tl.stages[0].stage, Stage::Decode);
    assert_eq!(tl.stages[0].steps[0].name, "step[DECODE bs=4]");
    assert_eq!(tl.busiest_step(Stage::Decode), Some(Window::new(0, 300_000)));
    assert_eq!(tl.busiest_step(Stage::Prefill), None);
    let h = tl.hover(0, 0);
    assert_eq!(h.site.as_deref(), Some("python/sglang/srt/layers/linear.py:120 forward"));
}

#[test]
fn hit_test_finds_the_kernel_under_the_cursor() {
    let tl = small();
    let w = Window::new(0, 400_000);
    let layout = Layout::new(520, 200, tl.lanes.len());
    // 400 µs over 400 px: 1 µs per px (left edge at 120 px).
    assert_eq!(layout.plot_width(), 392.0);
    let x = |t: i64| layout.x_at(w, t);
    let h = tl.hit(w, 520, 0, x(150_000)).expect("the all-reduce");
    assert!(h.name.contains("AllReduce"), "{}", h.name);
    assert_eq!((h.dur_ns, h.stream, h.category), (200_000, 7, Category::Communication));
    let h = tl.hit(w, 520, 1, x(30_000)).expect("the copy");
    assert_eq!(h.stream, 9);
    // Stream 9 is idle at 200 µs, and nothing is within two pixels.
    assert_eq!(tl.hit(w, 520, 1, x(200_000)), None);
    // One pixel after the copy ends still finds it.
    assert_eq!(tl.hit(w, 520, 1, x(61_000)).map(|h| h.stream), Some(9));
    // Outside the plot or past the last lane.
    assert_eq!(tl.hit(w, 520, 0, 10.0), None);
    assert_eq!(tl.hit(w, 520, 5, x(150_000)), None);
    assert_eq!(tl.lane_at(200, layout.lane_top(1) + 2.0), Some(1));
    assert_eq!(tl.lane_at(200, 5.0), None);
}

#[test]
fn glyphs_round_trip() {
    for c in Category::ALL {
        assert_eq!(Category::of_glyph(c.glyph()), Some(c));
    }
    assert_eq!(Category::of_glyph('.'), None);
}

#[test]
fn windows_zoom_around_an_anchor_and_pan() {
    let w = Window::new(1_000_000, 2_000_000);
    let z = w.zoomed(4.0, 1_500_000);
    assert_eq!(z, Window::new(1_375_000, 1_625_000), "the anchor stays in the middle");
    assert_eq!(w.zoomed(2.0, 1_000_000), Window::new(1_000_000, 1_500_000), "the left edge stays");
    assert_eq!(w.zoomed(1e9, 1_500_000).len_ns(), 1_000, "never below 1 µs");
    assert_eq!(w.zoomed(f64::NAN, 0), w);
    assert_eq!(w.shifted(-500_000), Window::new(500_000, 1_500_000));
    assert_eq!(Window::from_ms(10, 0.5, 1.25), Window::new(500_010, 1_250_010));
    assert_eq!(Window::new(5, 3).len_ns(), 1);
}

#[test]
fn an_empty_timeline_has_no_hits_or_steps() {
    let tl = Timeline::default();
    assert_eq!(tl.hit(tl.full(), 300, 0, 150.0), None);
    assert_eq!(tl.busiest_step(Stage::Decode), None);
}
