//! Tests of the timeline model and the hit test on small hand-built traces (corpus traces
//! are in `tests/it/overlap.rs`; the SVG and ASCII renderings are tested in `report`).

use super::*;
use crate::Catalog;
use spots::Spot;

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

/// One primary lane with launches of `k` at 10 µs (5 µs long) and 130 µs (20 µs long), a
/// second device's lane with a longer `k` launch, two steps (0..100 µs, 120..200 µs) and a
/// launch of `k2` at 250 µs, after both steps.
fn spotted() -> Timeline {
    let lane = |primary: bool, launches: &[(i64, i64, u32)]| {
        let mut l = Lane { primary, ..Lane::default() };
        for &(s, d, n) in launches {
            let end = l.max_end_ns.last().copied().unwrap_or(i64::MIN).max(s + d);
            l.start_ns.push(s);
            l.dur_ns.push(d);
            l.max_end_ns.push(end);
            l.category.push(Category::Gemm);
            l.name.push(n);
            l.site.push(u32::MAX);
        }
        l
    };
    let step = |s: i64, e: i64| StepSpan { name: String::new(), start_ns: s, end_ns: e, gpu_ns: e - s };
    Timeline {
        lanes: vec![
            lane(true, &[(10_000, 5_000, 0), (130_000, 20_000, 0), (250_000, 1_000, 1)]),
            lane(false, &[(20_000, 90_000, 0)]),
        ],
        stages: vec![StageSpan {
            stage: Stage::Decode,
            label: "decode".into(),
            start_ns: 0,
            end_ns: 260_000,
            steps: vec![step(0, 100_000), step(120_000, 200_000)],
            busiest: Window::new(0, 100_000),
        }],
        names: vec!["k".into(), "k2".into()],
        ..Timeline::default()
    }
}

#[test]
fn a_kernel_row_opens_at_the_step_of_its_longest_launch() {
    let tl = spotted();
    // The 20 µs launch at 130 µs wins; the other device's 90 µs launch is not followed.
    assert_eq!(tl.kernel_window(Stage::Decode, "k"), Some(Window::new(120_000, 200_000)));
    // Outside every step: the launch with at least 10 µs of context on each side.
    assert_eq!(tl.kernel_window(Stage::Decode, "k2"), Some(Window::new(240_000, 261_000)));
    assert_eq!(tl.kernel_window(Stage::Decode, "absent"), None);
    assert_eq!(tl.kernel_window(Stage::Prefill, "k"), None);
    // Many rows at once (one pass) place each row as alone, repeats and unknowns included.
    assert_eq!(
        tl.kernel_windows(Stage::Decode, &["k2", "absent", "k", "k2"]),
        [
            Some(Window::new(240_000, 261_000)),
            None,
            Some(Window::new(120_000, 200_000)),
            Some(Window::new(240_000, 261_000))
        ]
    );
    let gap = Spot::Gap { start_ns: 100_000, dur_ns: 5_000 };
    let spots = [Spot::Kernel { name: "k".into() }, gap.clone()];
    assert_eq!(
        tl.spot_windows(Stage::Decode, &spots),
        [tl.kernel_window(Stage::Decode, "k"), tl.spot_window(Stage::Decode, &gap)]
    );
    let span = tl.stage_span(Stage::Decode).expect("decode");
    assert_eq!(span.step_at(100_000), None, "a step's end is not inside it");
    assert_eq!(span.step_at(120_000).map(StepSpan::window), Some(Window::new(120_000, 200_000)));
    assert_eq!(span.window(), Window::new(0, 260_000));
}

#[test]
fn a_gap_opens_with_context_inside_its_step() {
    let tl = spotted();
    // 10 µs gap at 60 µs: 20 µs each side.
    assert_eq!(tl.gap_window(Stage::Decode, 60_000, 10_000), Window::new(40_000, 90_000));
    // Near the step's end: clipped to it.
    assert_eq!(tl.gap_window(Stage::Decode, 90_000, 8_000), Window::new(74_000, 100_000));
    // In no step: not clipped.
    assert_eq!(tl.gap_window(Stage::Decode, 105_000, 5_000), Window::new(95_000, 120_000));
    assert_eq!(spots::padded(0, 1_000_000), Window::new(-2_000_000, 3_000_000));
}

#[test]
fn in_a_stage_of_one_step_a_kernel_opens_at_its_launch() {
    // The small trace's decode stage is one step: the step would be the whole stage.
    let tl = small();
    assert_eq!(tl.stages[0].steps.len(), 1);
    let gemm = tl.lanes[0].name[0] as usize;
    let (start, dur) = (tl.lanes[0].start_ns[0], tl.lanes[0].dur_ns[0]);
    assert_eq!(tl.kernel_window(Stage::Decode, &tl.names[gemm]), Some(spots::padded(start, dur)));
    assert_ne!(tl.kernel_window(Stage::Decode, &tl.names[gemm]), tl.busiest_step(Stage::Decode));
}
