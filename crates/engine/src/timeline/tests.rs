//! Tests of the timeline model, the SVG, the hit test and the ASCII rendering on small
//! hand-built traces (corpus traces are in `tests/it/overlap.rs`).

use super::*;
use crate::Catalog;

/// Stream 7: gemm 0..100 µs, all-reduce 100..300; stream 9: copy 10..60; a decode step
/// annotation around the launches.
fn small() -> Timeline {
    let json = r#"{"traceEvents":[
      {"ph":"X","cat":"user_annotation","name":"step[DECODE bs=4]","pid":1,"tid":1,"ts":0,"dur":50},
      {"ph":"X","cat":"python_function","name":"/x/python/sglang/srt/layers/linear.py(120): forward","pid":1,"tid":1,"ts":0,"dur":40},
      {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":1,"dur":1,"args":{"correlation":1}},
      {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":2,"dur":1,"args":{"correlation":2}},
      {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":3,"dur":1,"args":{"correlation":3}},
      {"ph":"X","cat":"kernel","name":"nvjet_tst_128x64","pid":0,"tid":7,"ts":0,"dur":100,"args":{"stream":7,"correlation":1,"device":0}},
      {"ph":"X","cat":"kernel","name":"ncclDevKernel_AllReduce_Sum_bf16_RING_LL","pid":0,"tid":7,"ts":100,"dur":200,"args":{"stream":7,"correlation":2,"device":0}},
      {"ph":"X","cat":"kernel","name":"void at::native::direct_copy_kernel_cuda","pid":0,"tid":9,"ts":10,"dur":50,"args":{"stream":9,"correlation":3,"device":0}}
    ]}"#;
    let trace = crate::load(json.as_bytes()).expect("trace");
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
fn svg_draws_lanes_kernels_and_shading() {
    let tl = small();
    let svg = svg::render(&tl, Window::new(0, 400_000), 520, 200, &Palette::default());
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
    assert_eq!(svg.matches("<svg").count(), 1);
    // Every tag is closed or self-closing.
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    assert!(svg.contains("\nstream 7\n</text>") && svg.contains("\nstream 9\n</text>"));
    assert!(svg.contains("\ndecode\n</text>"), "the stage band is labelled");
    // Kernel colours from the palette: gemm, communication, memory.
    for c in [Category::Gemm, Category::Communication, Category::Memory] {
        let Rgb(r, g, b) = Palette::default().category(c);
        assert!(svg.contains(&format!("fill=\"#{r:02X}{g:02X}{b:02X}\"")), "{c:?} drawn");
    }
    // A custom palette is used as given.
    let mut dark = Palette::default();
    dark.set_category(Category::Communication, Rgb::parse("#123456").expect("hex"));
    let svg = svg::render(&tl, Window::new(0, 400_000), 520, 200, &dark);
    assert!(svg.contains("fill=\"#123456\""));
    // Overlap shading (10..60 µs) and no idle shading (the step has no gap).
    let Rgb(r, g, b) = Palette::default().overlap;
    assert!(svg.contains(&format!("fill=\"#{r:02X}{g:02X}{b:02X}\"")));
}

#[test]
fn colours_parse_from_css_text() {
    assert_eq!(Rgb::parse("#fff"), Some(Rgb(255, 255, 255)));
    assert_eq!(Rgb::parse(" #1f77b4 "), Some(Rgb(0x1f, 0x77, 0xb4)));
    assert_eq!(Rgb::parse("rgb(12, 34, 56)"), Some(Rgb(12, 34, 56)));
    assert_eq!(Rgb::parse("rgba(12 34 56 / 0.5)"), Some(Rgb(12, 34, 56)));
    assert_eq!(Rgb::parse("blue"), None);
    assert_eq!(Rgb::parse("#12345"), None);
}

#[test]
fn many_tiny_kernels_merge_into_few_rectangles() {
    // 5,000 kernels of 1 µs with 1 µs gaps on one stream: 10 ms drawn in 400 px.
    let mut events = Vec::new();
    for k in 0..5_000 {
        let name = if k % 2 == 0 { "rmsnorm_kernel" } else { "nvjet_tst_64x8" };
        events.push(format!(
            r#"{{"ph":"X","cat":"kernel","name":"{name}","pid":0,"tid":7,"ts":{},"dur":1,"args":{{"stream":7,"device":0}}}}"#,
            k * 2
        ));
    }
    let trace =
        crate::load(format!(r#"{{"traceEvents":[{}]}}"#, events.join(",")).as_bytes()).expect("trace");
    let tl = Timeline::of(&trace, "x.json", Catalog::builtin());
    let svg = svg::render(&tl, tl.full(), 520, 120, &Palette::default());
    let rects = svg.matches("<rect").count();
    assert!(rects <= 400 + 10, "{rects} rectangles for 5,000 kernels");
    assert!(svg.len() < 60_000, "{} bytes", svg.len());
    let text = ascii::render(&tl, tl.full(), 100);
    assert!(text.lines().any(|l| l.starts_with("stream 7") && l.len() <= 100), "{text}");
}

#[test]
fn ascii_has_a_row_per_busy_stream_a_legend_and_overlap_marks() {
    let tl = small();
    let text = ascii::render(&tl, Window::new(0, 300_000), 70);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("window 0.0000–0.3000 ms"), "{text}");
    assert!(lines[1].trim_end().ends_with("0.3000"), "the last mark is the window end: {text}");
    let row = |label: &str| lines.iter().find(|l| l.starts_with(label)).copied().unwrap_or_default();
    let s7 = row("stream 7");
    let s9 = row("stream 9");
    let body = |l: &str| l.get(9..).unwrap_or_default().to_owned();
    // 300 µs over 61 columns: gemm then the all-reduce on stream 7, the copy early on 9.
    assert!(body(s7).starts_with("GGGG") && body(s7).trim_end().ends_with("===="), "{text}");
    assert!(body(s9).contains("++") && body(s9).trim_end().ends_with('.'), "{text}");
    assert!(body(row("overlap")).contains("^^^"), "{text}");
    assert!(row("legend:").contains("G gemm") && row("legend:").contains("= communication"));
    assert!(row("legend:").contains("+ memory"));
    assert!(text.contains("longest in window:") && text.contains("AllReduce"));
    assert!(row("steps").contains('|'), "the step start is marked: {text}");
    let empty = ascii::render(&tl, Window::new(1_000_000, 2_000_000), 70);
    assert!(empty.contains("no GPU activity in this window"));
}

#[test]
fn glyphs_round_trip() {
    for c in Category::ALL {
        assert_eq!(category_of_glyph(glyph(c)), Some(c));
    }
    assert_eq!(category_of_glyph('.'), None);
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
fn an_empty_timeline_still_renders() {
    let tl = Timeline::default();
    let svg = svg::render(&tl, tl.full(), 0, 0, &Palette::default());
    assert!(
        svg.starts_with("<svg width=\"40\" height=\"48\"") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    assert_eq!(tl.hit(tl.full(), 300, 0, 150.0), None);
    assert!(ascii::render(&tl, tl.full(), 80).contains("no GPU activity in this window"));
    assert_eq!(tl.busiest_step(Stage::Decode), None);
}
