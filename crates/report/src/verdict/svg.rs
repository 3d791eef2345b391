//! A stage's GPU time by category (`StageVerdict::categories`) as one stacked horizontal
//! bar, drawn with plotters' SVG backend like the timeline and the roofline (no fonts are
//! measured, so it runs on the page or in a Web Worker alike; the caller gives the
//! [`Palette`], whose category colours are the timeline's).
//!
//! The drawing has no background: its only `<rect>`s are the bar's segments, one per
//! category in the order given (most time first), each as wide as its share of the
//! stage's GPU time (at least one pixel, so a tiny category is still there). A segment
//! wide enough for it carries its category and share; the legend under the bar names every
//! category with its share and time beside a round swatch. Its words are the category
//! labels and formatted numbers; plotters escapes every text it writes.

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, RGBAColor};

use crate::format;
use crate::timeline::svg::{Palette, Rgb};
use engine::results::verdict::CategoryTime;
use engine::vocab::Category;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Margin around the drawing, px.
const MARGIN: f64 = 8.0;
/// Height of the bar, px.
const BAR: f64 = 26.0;
/// Font size of the labels, px.
const LABEL: f64 = 11.0;
/// Height of one legend row, px.
const LEGEND_ROW: f64 = 16.0;

/// One bar segment as drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Its category.
    pub category: Category,
    /// Left edge, px from the drawing's left edge.
    pub x: f64,
    /// Width, px.
    pub width: f64,
    /// Its share of the stage's GPU time, %.
    pub share_pct: f64,
}

/// A drawn category bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// The SVG document.
    pub svg: String,
    /// The segments, in the order of the categories given.
    pub segments: Vec<Segment>,
    /// Height of the drawing, px (it grows with the legend's rows).
    pub height: u32,
}

/// What one segment shows.
#[derive(Clone, Debug, PartialEq)]
struct Item {
    category: Category,
    /// The segment's label (`gemm 52.1%`).
    label: String,
    /// The legend's label (`gemm 52.1% · 12.34 ms`).
    legend: String,
    gpu_ns: i64,
    share_pct: f64,
}

fn items(categories: &[CategoryTime]) -> Vec<Item> {
    categories
        .iter()
        .map(|c| {
            let label = format!("{} {}", c.category.label(), format::pct(c.share_pct));
            let legend = format!("{label} · {}", format::ms(c.gpu_ns));
            Item { category: c.category, label, legend, gpu_ns: c.gpu_ns.max(0), share_pct: c.share_pct }
        })
        .collect()
}

/// An estimate of the width of `text` at `size` px (no font is measured).
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.56
}

fn solid(c: Rgb) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, 1.0)
}

/// Black or white, whichever reads better on `c`.
fn ink_on(c: Rgb) -> RGBAColor {
    let luma = 0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2);
    if luma > 150.0 { RGBAColor(0, 0, 0, 1.0) } else { RGBAColor(255, 255, 255, 1.0) }
}

/// Where the segments go: cumulative time over the bar's width, so the edges do not drift,
/// each at least one pixel wide.
fn place(items: &[Item], left: f64, right: f64) -> Vec<Segment> {
    let total: i64 = items.iter().map(|i| i.gpu_ns).sum();
    let span = (right - left).max(1.0);
    let mut done = 0_i64;
    items
        .iter()
        .map(|i| {
            let at = |ns: i64| if total > 0 { left + span * ns as f64 / total as f64 } else { left };
            let (from, to) = (at(done).round(), at(done.saturating_add(i.gpu_ns)).round());
            done = done.saturating_add(i.gpu_ns);
            Segment { category: i.category, x: from, width: (to - from).max(1.0), share_pct: i.share_pct }
        })
        .collect()
}

/// The legend's items wrapped at `width`: rows of (left px, item index).
fn legend_rows(items: &[Item], width: f64) -> Vec<Vec<(f64, usize)>> {
    let mut rows: Vec<Vec<(f64, usize)>> = vec![Vec::new()];
    let mut x = MARGIN;
    for (n, item) in items.iter().enumerate() {
        let w = 14.0 + text_width(&item.legend, LABEL) + 16.0;
        if x + w > width - MARGIN && rows.last().is_some_and(|r| !r.is_empty()) {
            rows.push(Vec::new());
            x = MARGIN;
        }
        if let Some(row) = rows.last_mut() {
            row.push((x, n));
        }
        x += w;
    }
    rows
}

/// Draws `text` at `size` px (plotters writes font-size = size / 1.24: scaled so it is `size`).
fn text(root: &Area<'_>, s: &str, at: (f64, f64), color: RGBAColor, h: HPos) {
    let font = ("sans-serif", LABEL * 1.24).into_font().color(&color).pos(Pos::new(h, VPos::Center));
    let _ = root.draw(&Text::new(s.to_owned(), (at.0.round() as i32, at.1.round() as i32), font));
}

/// Draws `items` as a bar `width` px wide with its legend.
fn draw(items: &[Item], palette: &Palette, width: u32) -> Chart {
    let width = width.clamp(240, 4000);
    let w = f64::from(width);
    if items.is_empty() || items.iter().all(|i| i.gpu_ns == 0) {
        let height = 40;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            text(&root, "No GPU time in this stage.", (MARGIN, 20.0), solid(palette.text), HPos::Left);
            let _ = root.present();
        }
        return Chart { svg, segments: Vec::new(), height };
    }
    let segments = place(items, MARGIN, w - MARGIN);
    let rows = legend_rows(items, w);
    let legend_top = MARGIN + BAR + 8.0;
    let height = (legend_top + LEGEND_ROW * rows.len() as f64 + MARGIN / 2.0).ceil() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let (top, bottom) = (MARGIN, MARGIN + BAR);
        for (s, item) in segments.iter().zip(items) {
            let colour = palette.category(item.category);
            let corners = [
                (s.x.round() as i32, top.round() as i32),
                ((s.x + s.width).round() as i32, bottom.round() as i32),
            ];
            let _ = root.draw(&Rectangle::new(corners, solid(colour).filled()));
            if text_width(&item.label, LABEL) + 8.0 <= s.width {
                let middle = (s.x + s.width / 2.0, (top + bottom) / 2.0);
                text(&root, &item.label, middle, ink_on(colour), HPos::Center);
            }
        }
        for (r, row) in rows.iter().enumerate() {
            let y = legend_top + LEGEND_ROW * r as f64 + LEGEND_ROW / 2.0;
            for &(x, n) in row {
                let Some(item) = items.get(n) else { continue };
                let colour = solid(palette.category(item.category));
                let _ =
                    root.draw(&Circle::new(((x + 5.0).round() as i32, y.round() as i32), 5, colour.filled()));
                text(&root, &item.legend, (x + 14.0, y), solid(palette.text), HPos::Left);
            }
        }
        let _ = root.present();
    }
    Chart { svg, segments, height }
}

/// Draws a stage's GPU time by category (`stage.verdict.categories`, most time first) as a
/// stacked bar `width` px wide (240 to 4000), the legend under it.
#[must_use]
pub fn chart(categories: &[CategoryTime], palette: &Palette, width: u32) -> Chart {
    draw(&items(categories), palette, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(category: Category, gpu_ns: i64, share_pct: f64) -> CategoryTime {
        CategoryTime { category, gpu_ns, share_pct }
    }

    fn sample() -> Vec<CategoryTime> {
        vec![
            time(Category::Communication, 5_200_000, 52.0),
            time(Category::Gemm, 3_000_000, 30.0),
            time(Category::Attention, 1_700_000, 17.0),
            time(Category::Norm, 90_000, 0.9),
            time(Category::Other, 10_000, 0.1),
        ]
    }

    #[test]
    fn one_segment_per_category_as_wide_as_its_share() {
        let c = chart(&sample(), &Palette::default(), 1008);
        assert_eq!(c.segments.len(), 5);
        assert_eq!(c.svg.matches("<rect").count(), 5, "one rect per category, no background");
        let bar = 1008.0 - 2.0 * MARGIN;
        for (s, want) in c.segments.iter().zip(sample()) {
            assert_eq!(s.category, want.category);
            let expected = (bar * want.share_pct / 100.0).max(1.0);
            assert!((s.width - expected).abs() <= 1.0, "{:?}: {} for {expected}", s.category, s.width);
            assert!((s.share_pct - want.share_pct).abs() < 1e-9);
        }
        // Segments follow each other without gaps or overlap, from margin to margin.
        for pair in c.segments.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!((a.x + a.width - b.x).abs() < 1.01, "{a:?} then {b:?}");
        }
        assert_eq!(c.segments.first().map(|s| s.x), Some(MARGIN));
        let last = c.segments.last().expect("segments");
        assert!((last.x + last.width - (1008.0 - MARGIN)).abs() <= 1.0);
        // Each rect is filled with its category's timeline colour.
        let p = Palette::default();
        for s in &c.segments {
            let Rgb(r, g, b) = p.category(s.category);
            assert!(c.svg.contains(&format!("fill=\"#{r:02X}{g:02X}{b:02X}\"")), "{:?}", s.category);
        }
    }

    #[test]
    fn wide_segments_and_the_legend_carry_category_and_share() {
        let c = chart(&sample(), &Palette::default(), 1008);
        // In the bar (wide enough) and in the legend.
        assert_eq!(c.svg.matches(">\ncommunication 52.0%\n<").count(), 1);
        assert!(c.svg.contains(">\ncommunication 52.0% · 5.20 ms\n<"));
        // Too narrow for a label in the bar: only the legend names it.
        assert!(!c.svg.contains(">\nother 0.1%\n<"));
        assert!(c.svg.contains(">\nother 0.1% · 0.01 ms\n<"));
        assert_eq!(c.svg.matches("<circle").count(), 5, "one legend swatch per category");
    }

    #[test]
    fn the_legend_wraps_and_the_drawing_grows() {
        let wide = chart(&sample(), &Palette::default(), 2000);
        let narrow = chart(&sample(), &Palette::default(), 240);
        assert!(narrow.height > wide.height, "{} vs {}", narrow.height, wide.height);
        assert!(narrow.svg.contains(&format!("height=\"{}\"", narrow.height)));
        assert_eq!(narrow.segments.len(), 5);
    }

    #[test]
    fn labels_are_escaped() {
        let item = Item {
            category: Category::Gemm,
            label: "<script>alert('x')</script> & \"q\"".to_owned(),
            legend: "<img src=x onerror=alert(1)>".to_owned(),
            gpu_ns: 10,
            share_pct: 100.0,
        };
        let c = draw(&[item], &Palette::default(), 1200);
        assert!(!c.svg.contains("<script") && !c.svg.contains("<img"), "{}", c.svg);
        assert!(c.svg.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot;"));
        assert!(c.svg.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }

    #[test]
    fn no_gpu_time_says_so_and_draws_no_segment() {
        for cats in [Vec::new(), vec![time(Category::Gemm, 0, 0.0)]] {
            let c = chart(&cats, &Palette::default(), 600);
            assert!(c.segments.is_empty());
            assert_eq!(c.svg.matches("<rect").count(), 0);
            assert!(c.svg.contains("No GPU time in this stage."));
        }
    }

    #[test]
    fn the_same_input_draws_the_same() {
        let a = chart(&sample(), &Palette::default(), 900);
        assert_eq!(a, chart(&sample(), &Palette::default(), 900));
        let many: Vec<CategoryTime> = Category::ALL
            .iter()
            .enumerate()
            .map(|(i, c)| time(*c, 1_000 + i as i64, 100.0 / Category::ALL.len() as f64))
            .collect();
        let c = chart(&many, &Palette::default(), 700);
        assert_eq!(c.segments.len(), Category::ALL.len());
        assert_eq!(c.svg.matches("<rect").count(), Category::ALL.len());
        assert_eq!(c, chart(&many, &Palette::default(), 700));
    }
}
