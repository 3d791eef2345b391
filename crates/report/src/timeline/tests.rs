//! Tests of the SVG and ASCII timelines on small hand-built traces (the model and hit test
//! are tested in `engine`).

use engine::Catalog;
use engine::timeline::{Timeline, Window};
use engine::vocab::Category;

use super::svg::{Palette, Rgb};
use super::{ascii, svg};

/// The hand-built trace the engine's timeline tests use too: stream 7 runs a gemm
/// (0–100 µs) then an all-reduce (100–300 µs), stream 9 a copy (10–60 µs), inside a decode
/// step annotation.
const SMALL: &str = include_str!("../../../../tests/fixtures/timeline-small.trace.json");

fn small() -> Timeline {
    Timeline::of(&engine::trace::load(SMALL.as_bytes()).expect("trace"), "x.json", Catalog::builtin())
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
    let trace = engine::trace::load(format!(r#"{{"traceEvents":[{}]}}"#, events.join(",")).as_bytes())
        .expect("trace");
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
fn an_empty_timeline_still_renders() {
    let tl = Timeline::default();
    let svg = svg::render(&tl, tl.full(), 0, 0, &Palette::default());
    assert!(
        svg.starts_with("<svg width=\"40\" height=\"48\"") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    assert!(ascii::render(&tl, tl.full(), 80).contains("no GPU activity in this window"));
}
