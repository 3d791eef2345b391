//! The roofline chart of a stage, drawn with plotters' SVG backend like the timeline (no
//! fonts are measured, so it runs in a Web Worker or on the page alike; the caller gives
//! the [`Palette`]).
//!
//! A classic log-log roofline: x is arithmetic intensity (FLOP/byte), y the achieved
//! TFLOP/s; one point per kernel row with figures, its area proportional to the row's GPU
//! time, coloured by category as on the timeline. The roofs of the stage's GPU: the
//! memory diagonal (achievable TB/s × intensity) and one flat compute roof per peak data
//! type among the points (achievable TFLOP/s), solid, with the datasheet roofs dashed.
//! Rows that move bytes but do no arithmetic (pure copies: 0 FLOPs, so no place on a log
//! intensity axis) go in a narrow panel left of the chart, on a linear TB/s axis with the
//! bandwidth roofs. Nothing from the trace is written into the drawing: kernel names are
//! only in [`facts`], which the page shows as text.
//!
//! [`Chart::points`] says where each row was drawn, and [`Chart::hit`] finds the row under
//! the cursor, so the page's hover and click agree with the drawing to the pixel.

use std::collections::BTreeSet;

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, DashedPathElement, PathElement, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, RGBAColor, ShapeStyle};

use super::{COLUMNS, cells};
use crate::format;
use crate::table::Cell;
use crate::timeline::svg::{Palette, Rgb};
use crate::triage::StageReport;
use engine::catalog::{GpuSpec, GpuSpecs, PeakDtype};
use engine::results::kernels::KernelRow;
use engine::vocab::Category;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Font size of tick labels and notes, px.
const SMALL: f64 = 10.0;
/// Font size of legend and roof labels, px.
const LABEL: f64 = 11.0;
/// Height of one legend row, px.
const LEGEND_ROW: f64 = 16.0;
/// Width of the tick labels left of the plot, px.
const Y_LABELS: f64 = 40.0;
/// Width of the copies panel, px.
const STRIP: f64 = 44.0;
/// Extra room the cursor gets around a point, px.
const HIT_SLACK: f64 = 3.0;

/// One kernel row as drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Its index in the stage's kernel rows (`stage.kernels.rows`).
    pub row: usize,
    /// Centre, px from the drawing's left edge.
    pub x: f64,
    /// Centre, px from the drawing's top edge.
    pub y: f64,
    /// Radius, px (the area is proportional to the row's GPU time).
    pub r: f64,
    /// Drawn in the copies panel (no FLOPs: y is its TB/s).
    pub copy: bool,
}

/// A drawn roofline chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// The SVG document.
    pub svg: String,
    /// Where each kernel row with figures was drawn, in row order.
    pub points: Vec<Point>,
}

impl Chart {
    /// The kernel row (index into `stage.kernels.rows`) under (x, y): of the points whose
    /// circle (plus a few pixels) holds the cursor, the one whose centre is nearest
    /// (ties: the smaller, then the earlier row).
    #[must_use]
    pub fn hit(&self, x: f64, y: f64) -> Option<usize> {
        self.points
            .iter()
            .map(|p| (p, (p.x - x).hypot(p.y - y)))
            .filter(|(p, d)| *d <= p.r.max(4.0) + HIT_SLACK)
            .min_by(|(p, d), (q, e)| d.total_cmp(e).then(p.r.total_cmp(&q.r)).then(p.row.cmp(&q.row)))
            .map(|(p, _)| p.row)
    }
}

/// The built-in spec of the stage's GPU (`None` when the GPU is not in `catalog/gpus.toml`).
#[must_use]
pub fn spec_of(stage: &StageReport) -> Option<&'static GpuSpec> {
    stage.roofline.gpu_id.as_deref().and_then(|id| GpuSpecs::builtin().get(id))
}

/// What the page shows for a kernel row under the cursor, as `(label, text)` pairs: its
/// category, GPU time and share as in the kernel table, then its roofline cells (the
/// texts of [`cells`], under the labels of [`COLUMNS`]: intensity, TFLOP/s, TB/s, roof,
/// bound), the peak it runs against and its headroom as in the headroom table.
#[must_use]
pub fn facts(row: &KernelRow) -> Vec<(&'static str, String)> {
    let cells = cells(&row.roofline);
    let cell = |i: usize| {
        let text = cells.get(i).map_or_else(|| Cell::missing().joined(" "), |c| c.joined(" "));
        (COLUMNS.get(i).map_or("", |c| c.label), text)
    };
    let r = &row.roofline;
    vec![
        ("Category", row.category.label().to_owned()),
        ("GPU time", Cell::ms(row.gpu_ns).joined(" ")),
        ("Share", Cell::share(row.share_pct).joined(" ")),
        cell(2),
        cell(3),
        cell(4),
        cell(5),
        cell(6),
        ("Peak", r.peak_dtype.map_or_else(|| Cell::missing().joined(" "), |d| d.label().to_owned())),
        ("Headroom", r.headroom_ns.map_or_else(Cell::missing, Cell::ms).joined(" ")),
    ]
}

/// A kernel row to draw: where (intensity and TFLOP/s, or TB/s for a copy) and how big.
#[derive(Clone, Copy, Debug)]
struct Mark {
    row: usize,
    category: Category,
    gpu_ns: i64,
    /// FLOP/byte (0 for a copy).
    intensity: f64,
    /// TFLOP/s, or TB/s for a copy.
    value: f64,
    dtype: Option<PeakDtype>,
}

fn positive(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite() && *v > 0.0)
}

/// The rows with a point on the chart, and the copies (bytes, no FLOPs), in row order.
fn marks(stage: &StageReport) -> (Vec<Mark>, Vec<Mark>) {
    let (mut main, mut copies) = (Vec::new(), Vec::new());
    for (i, row) in stage.kernels.rows.iter().enumerate() {
        let r = &row.roofline;
        let mark = |intensity: f64, value: f64| Mark {
            row: i,
            category: row.category,
            gpu_ns: row.gpu_ns.max(0),
            intensity,
            value,
            dtype: r.peak_dtype,
        };
        if let (Some(x), Some(y)) = (positive(r.intensity), positive(r.achieved_tflops)) {
            main.push(mark(x, y));
        } else if r.flops == Some(0.0)
            && let Some(tbps) = positive(r.achieved_tbps)
        {
            copies.push(mark(0.0, tbps));
        }
    }
    (main, copies)
}

/// A flat compute roof: the data types it holds for, achievable and datasheet TFLOP/s.
#[derive(Clone, Debug, PartialEq)]
struct ComputeRoof {
    dtypes: String,
    achievable: f64,
    peak: f64,
}

/// The roofs of the GPU for the data types among the points.
#[derive(Clone, Debug, PartialEq)]
struct Roofs {
    /// Achievable memory bandwidth, TB/s.
    tbps: f64,
    /// Datasheet memory bandwidth, TB/s.
    hbm: f64,
    /// Compute roofs, lowest first (data types with the same figures share one).
    compute: Vec<ComputeRoof>,
}

fn roofs(spec: &GpuSpec, main: &[Mark]) -> Roofs {
    let dtypes: BTreeSet<PeakDtype> = main.iter().filter_map(|m| m.dtype).collect();
    let mut compute: Vec<ComputeRoof> = Vec::new();
    for d in dtypes {
        let (Some(achievable), Some(peak)) =
            (positive(spec.achievable_tflops(d)), positive(spec.peak_tflops(d)))
        else {
            continue;
        };
        match compute
            .iter_mut()
            .find(|c| c.achievable.to_bits() == achievable.to_bits() && c.peak.to_bits() == peak.to_bits())
        {
            Some(c) => {
                c.dtypes.push('/');
                c.dtypes.push_str(d.label());
            }
            None => compute.push(ComputeRoof { dtypes: d.label().to_owned(), achievable, peak }),
        }
    }
    engine::order::sort_by(&mut compute, |a, b| {
        a.achievable.total_cmp(&b.achievable).then(a.dtypes.cmp(&b.dtypes))
    });
    Roofs { tbps: spec.achievable_tbps(), hbm: spec.hbm_tbps, compute }
}

/// A log10 axis: exponents `lo..hi` drawn from pixel `a` to pixel `b`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct LogAxis {
    lo: f64,
    hi: f64,
    a: f64,
    b: f64,
}

impl LogAxis {
    /// Exponents snapped outwards to half decades, with a margin, at least one decade wide.
    fn spanning(values: impl Iterator<Item = f64>) -> (f64, f64) {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.filter(|v| v.is_finite() && *v > 0.0) {
            min = min.min(v);
            max = max.max(v);
        }
        if !min.is_finite() {
            return (0.0, 1.0);
        }
        let mut lo = (2.0 * (min / 1.25).log10()).floor();
        let mut hi = (2.0 * (max * 1.25).log10()).ceil();
        while hi - lo < 2.0 {
            lo -= 1.0;
            if hi - lo < 2.0 {
                hi += 1.0;
            }
        }
        (lo / 2.0, hi / 2.0)
    }

    fn px(self, v: f64) -> f64 {
        self.a + (v.log10() - self.lo) / (self.hi - self.lo) * (self.b - self.a)
    }

    /// The decades (exponents) inside the axis.
    fn decades(self) -> std::ops::RangeInclusive<i32> {
        (self.lo.ceil() as i32)..=(self.hi.floor() as i32)
    }

    /// Whether `v` is on the axis.
    fn holds(self, v: f64) -> bool {
        let e = v.log10();
        e >= self.lo - 1e-9 && e <= self.hi + 1e-9
    }
}

/// `0.01`, `0.1`, `1`, `10`, `100`, `1000`, `10k`… for the decade `10^e`.
fn decade_label(e: i32) -> String {
    match e {
        0..=3 => 10_i64.pow(e.unsigned_abs()).to_string(),
        4..=5 => format!("{}k", 10_i64.pow(e.unsigned_abs() - 3)),
        6..=8 => format!("{}M", 10_i64.pow(e.unsigned_abs() - 6)),
        -3..=-1 => format!("{:.*}", e.unsigned_abs() as usize, 10f64.powi(e)),
        _ => format!("1e{e}"),
    }
}

/// An estimate of the width of `text` at `size` px (no font is measured).
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.56
}

fn solid(c: Rgb) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, 1.0)
}

fn faded(c: Rgb, a: f64) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, a)
}

/// The copies panel: a linear TB/s axis from 0 to `max`, ticks every `step`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Strip {
    left: f64,
    right: f64,
    max: f64,
    step: f64,
    decimals: usize,
}

impl Strip {
    fn new(left: f64, max: f64) -> Strip {
        let raw = (max / 4.0).max(1e-9);
        let mag = 10f64.powf(raw.log10().floor());
        let step =
            [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        Strip { left, right: left + STRIP, max, step, decimals }
    }

    fn centre(self) -> f64 {
        ((self.left + self.right) / 2.0).round()
    }
}

/// Where everything goes.
#[derive(Clone, Debug, PartialEq)]
struct Frame {
    width: u32,
    height: u32,
    x: LogAxis,
    y: LogAxis,
    strip: Option<Strip>,
    /// Legend rows: (left px, category or none for a note, text), one Vec per row.
    legend: Vec<Vec<(f64, Option<Category>, String)>>,
}

impl Frame {
    fn top(&self) -> f64 {
        self.y.b
    }

    fn bottom(&self) -> f64 {
        self.y.a
    }

    fn left(&self) -> f64 {
        self.x.a
    }

    fn right(&self) -> f64 {
        self.x.b
    }

    /// The y of `tbps` in the copies panel.
    fn strip_y(&self, s: Strip, tbps: f64) -> f64 {
        self.bottom() - tbps / s.max * (self.bottom() - self.top())
    }
}

/// The legend: the categories among the points, then what the marks mean, wrapped at `width`.
fn legend(cats: &BTreeSet<Category>, roofs: bool, width: f64) -> Vec<Vec<(f64, Option<Category>, String)>> {
    let mut items: Vec<(Option<Category>, String)> =
        Category::ALL.iter().filter(|c| cats.contains(c)).map(|c| (Some(*c), c.label().to_owned())).collect();
    items.push((None, "area ∝ GPU time".to_owned()));
    if roofs {
        items.push((None, "roofs: solid achievable, dashed datasheet".to_owned()));
    }
    let mut rows: Vec<Vec<(f64, Option<Category>, String)>> = vec![Vec::new()];
    let mut x = 8.0;
    for (cat, text) in items {
        let w = text_width(&text, LABEL) + if cat.is_some() { 14.0 } else { 0.0 } + 14.0;
        if x + w > width - 8.0 && rows.last().is_some_and(|r| !r.is_empty()) {
            rows.push(Vec::new());
            x = 8.0;
        }
        if let Some(row) = rows.last_mut() {
            row.push((x, cat, text));
        }
        x += w;
    }
    rows
}

/// The roof label of a compute roof: `bf16 791 (peak 989)`.
fn compute_label(c: &ComputeRoof) -> String {
    format!("{} {} (peak {})", c.dtypes, format::three_digits(c.achievable), format::three_digits(c.peak))
}

fn frame(width: u32, height: u32, main: &[Mark], copies: &[Mark], roofs: Option<&Roofs>) -> Frame {
    let (w, h) = (f64::from(width), f64::from(height));
    let cats: BTreeSet<Category> = main.iter().chain(copies).map(|m| m.category).collect();
    let legend = legend(&cats, roofs.is_some(), w);
    let top = (8.0 + LEGEND_ROW * legend.len() as f64 + 18.0).round();
    let bottom = (h - 38.0).max(top + 40.0);
    let strip = (!copies.is_empty()).then(|| {
        let most = copies.iter().map(|m| m.value).fold(0.0, f64::max);
        Strip::new(8.0 + 30.0, most.max(roofs.map_or(0.0, |r| r.hbm)) * 1.1)
    });
    let left = strip.map_or(8.0, |s| s.right + 14.0) + Y_LABELS;
    let labels = roofs
        .map_or(0.0, |r| r.compute.iter().map(|c| text_width(&compute_label(c), LABEL)).fold(0.0, f64::max));
    let right = w - (labels + 14.0).clamp(14.0, w / 4.0);
    let ridges = |r: &Roofs| -> Vec<f64> {
        r.compute.iter().flat_map(|c| [c.achievable / r.tbps, c.peak / r.hbm]).collect()
    };
    let (x_lo, x_hi) =
        LogAxis::spanning(main.iter().map(|m| m.intensity).chain(roofs.map(ridges).unwrap_or_default()));
    let (y_lo, y_hi) = LogAxis::spanning(
        main.iter().map(|m| m.value).chain(roofs.iter().flat_map(|r| r.compute.iter().map(|c| c.peak))),
    );
    Frame {
        width,
        height,
        x: LogAxis { lo: x_lo, hi: x_hi, a: left, b: right.max(left + 40.0).round() },
        y: LogAxis { lo: y_lo, hi: y_hi, a: bottom, b: top },
        strip,
        legend,
    }
}

/// Draws text at `size` px (plotters writes font-size = size / 1.24: scaled so it is `size`).
fn text(root: &Area<'_>, s: impl Into<String>, at: (f64, f64), size: f64, color: RGBAColor, pos: Pos) {
    let font = ("sans-serif", size * 1.24).into_font().color(&color).pos(pos);
    let _ = root.draw(&Text::new(s.into(), (at.0.round() as i32, at.1.round() as i32), font));
}

fn line(root: &Area<'_>, from: (f64, f64), to: (f64, f64), color: RGBAColor, width: u32) {
    let pts =
        vec![(from.0.round() as i32, from.1.round() as i32), (to.0.round() as i32, to.1.round() as i32)];
    let _ = root.draw(&PathElement::new(pts, ShapeStyle { color, filled: false, stroke_width: width }));
}

fn dashed(root: &Area<'_>, from: (f64, f64), to: (f64, f64), color: RGBAColor) {
    let pts = [(from.0.round() as i32, from.1.round() as i32), (to.0.round() as i32, to.1.round() as i32)];
    let style = ShapeStyle { color, filled: false, stroke_width: 1 };
    let _ = root.draw(&DashedPathElement::new(pts, 6, 5, style));
}

/// Grid lines at every decade (labelled) and faint ones at 2–9 × each decade; the plot's frame.
fn grid(root: &Area<'_>, f: &Frame, p: &Palette) {
    let (minor, major) = (faded(p.grid, 0.3), solid(p.grid));
    for axis_is_x in [true, false] {
        let axis = if axis_is_x { f.x } else { f.y };
        for e in (axis.lo.floor() as i32)..=(axis.hi.ceil() as i32) {
            for k in 1..=9 {
                let v = f64::from(k) * 10f64.powi(e);
                if !axis.holds(v) {
                    continue;
                }
                let at = axis.px(v);
                let (from, to) = if axis_is_x {
                    ((at, f.top()), (at, f.bottom()))
                } else {
                    ((f.left(), at), (f.right(), at))
                };
                line(root, from, to, if k == 1 { major } else { minor }, 1);
            }
        }
        for e in axis.decades() {
            let at = axis.px(10f64.powi(e));
            if axis_is_x {
                text(
                    root,
                    decade_label(e),
                    (at, f.bottom() + 10.0),
                    SMALL,
                    solid(p.text),
                    Pos::new(HPos::Center, VPos::Center),
                );
            } else {
                text(
                    root,
                    decade_label(e),
                    (f.left() - 5.0, at),
                    SMALL,
                    solid(p.text),
                    Pos::new(HPos::Right, VPos::Center),
                );
            }
        }
    }
    let outline = ShapeStyle { color: solid(p.grid), filled: false, stroke_width: 1 };
    let corners = [
        (f.left().round() as i32, f.top().round() as i32),
        (f.right().round() as i32, f.bottom().round() as i32),
    ];
    let _ = root.draw(&Rectangle::new(corners, outline));
    text(
        root,
        "TFLOP/s",
        (f.left() - 5.0, f.top() - 10.0),
        SMALL,
        solid(p.text),
        Pos::new(HPos::Right, VPos::Center),
    );
    text(
        root,
        "Arithmetic intensity (FLOP/byte)",
        ((f.left() + f.right()) / 2.0, f.bottom() + 27.0),
        LABEL,
        solid(p.text),
        Pos::new(HPos::Center, VPos::Center),
    );
}

/// The memory diagonal `tbps × x` from the left edge to the ridge at `roof` TFLOP/s,
/// clipped to the plot: its two ends, or `None` when it misses the plot.
fn diagonal(f: &Frame, tbps: f64, roof: f64) -> Option<((f64, f64), (f64, f64))> {
    let x0 = 10f64.powf(f.x.lo).max(10f64.powf(f.y.lo) / tbps);
    let x1 = (roof / tbps).min(10f64.powf(f.x.hi)).min(10f64.powf(f.y.hi) / tbps);
    (x1 > x0).then(|| ((f.x.px(x0), f.y.px(tbps * x0)), (f.x.px(x1), f.y.px(tbps * x1))))
}

/// The roofs (datasheet dashed, achievable solid) and their labels: compute roofs in the
/// margin right of the plot (moved apart where they would overlap), the memory roof above
/// its diagonal.
fn draw_roofs(root: &Area<'_>, f: &Frame, r: &Roofs, p: &Palette) {
    let (roof_colour, text_colour) = (solid(p.stage), solid(p.text));
    let top_roof = |pick: fn(&ComputeRoof) -> f64| r.compute.iter().map(pick).fold(f64::NAN, f64::max);
    let (ach_top, peak_top) = (top_roof(|c| c.achievable), top_roof(|c| c.peak));
    let (ach_top, peak_top) = (
        if ach_top.is_nan() { 10f64.powf(f.y.hi) } else { ach_top },
        if peak_top.is_nan() { 10f64.powf(f.y.hi) } else { peak_top },
    );
    if let Some((a, b)) = diagonal(f, r.hbm, peak_top) {
        dashed(root, a, b, faded(p.stage, 0.8));
    }
    let memory = diagonal(f, r.tbps, ach_top);
    if let Some((a, b)) = memory {
        line(root, a, b, roof_colour, 2);
    }
    let mut labels: Vec<(f64, String)> = Vec::new();
    for c in &r.compute {
        for (value, bw, is_peak) in [(c.peak, r.hbm, true), (c.achievable, r.tbps, false)] {
            let ridge = value / bw;
            if !f.y.holds(value) || !f.x.holds(ridge) {
                continue;
            }
            let (x0, y) = (f.x.px(ridge), f.y.px(value));
            if is_peak {
                dashed(root, (x0, y), (f.right(), y), faded(p.stage, 0.8));
            } else {
                line(root, (x0, y), (f.right(), y), roof_colour, 2);
                labels.push((y, compute_label(c)));
            }
        }
    }
    // Top to bottom, at least one line apart.
    engine::order::sort_by(&mut labels, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut last = f64::NEG_INFINITY;
    for (y, label) in labels {
        let y = y.max(last + LABEL + 2.0);
        last = y;
        text(root, label, (f.right() + 6.0, y), LABEL, text_colour, Pos::new(HPos::Left, VPos::Center));
    }
    if let Some(((x0, y0), (x1, y1))) = memory {
        let label = format!("{} TB/s (peak {})", format::three_digits(r.tbps), format::three_digits(r.hbm));
        // Up and left of a point on the diagonal, far enough right that the text fits.
        let want = f.left() + text_width(&label, LABEL) + 10.0;
        let t = if x1 - x0 > 1.0 { ((want - x0) / (x1 - x0)).clamp(0.0, 1.0) } else { 0.0 };
        let (x, y) = (x0 + t * (x1 - x0), y0 + t * (y1 - y0));
        let y = y.max(f.top() + LABEL + 6.0);
        text(root, label, (x - 4.0, y - 6.0), LABEL, text_colour, Pos::new(HPos::Right, VPos::Bottom));
    }
}

/// The copies panel: its TB/s axis, the bandwidth roofs and its heading.
fn draw_strip(root: &Area<'_>, f: &Frame, s: Strip, r: Option<&Roofs>, p: &Palette) {
    let outline = ShapeStyle { color: solid(p.grid), filled: false, stroke_width: 1 };
    let corners = [
        (s.left.round() as i32, f.top().round() as i32),
        (s.right.round() as i32, f.bottom().round() as i32),
    ];
    let _ = root.draw(&Rectangle::new(corners, outline));
    let mut i = 0;
    loop {
        let v = f64::from(i) * s.step;
        if v > s.max + 1e-9 {
            break;
        }
        let y = f.strip_y(s, v);
        line(root, (s.left, y), (s.right, y), faded(p.grid, 0.6), 1);
        text(
            root,
            format!("{v:.*}", s.decimals),
            (s.left - 4.0, y),
            SMALL,
            solid(p.text),
            Pos::new(HPos::Right, VPos::Center),
        );
        i += 1;
    }
    if let Some(r) = r {
        dashed(root, (s.left, f.strip_y(s, r.hbm)), (s.right, f.strip_y(s, r.hbm)), faded(p.stage, 0.8));
        line(root, (s.left, f.strip_y(s, r.tbps)), (s.right, f.strip_y(s, r.tbps)), solid(p.stage), 2);
    }
    text(
        root,
        "TB/s",
        (s.left - 4.0, f.top() - 10.0),
        SMALL,
        solid(p.text),
        Pos::new(HPos::Right, VPos::Center),
    );
    text(
        root,
        "no FLOPs",
        (s.centre(), f.bottom() + 10.0),
        SMALL,
        solid(p.text),
        Pos::new(HPos::Center, VPos::Center),
    );
    text(
        root,
        "(copies)",
        (s.centre(), f.bottom() + 22.0),
        SMALL,
        solid(p.text),
        Pos::new(HPos::Center, VPos::Center),
    );
}

/// Where the marks go and how big they are (the largest GPU time gets `r_max` px).
fn place(f: &Frame, main: &[Mark], copies: &[Mark]) -> Vec<Point> {
    let most = main.iter().chain(copies).map(|m| m.gpu_ns).max().unwrap_or(0).max(1);
    let r_max = ((f.bottom() - f.top()).min(f.right() - f.left()) / 18.0).clamp(7.0, 22.0);
    let radius = |ns: i64| (r_max * (ns as f64 / most as f64).sqrt()).round().max(3.0);
    let mut points: Vec<Point> = main
        .iter()
        .map(|m| Point {
            row: m.row,
            x: f.x.px(m.intensity).round(),
            y: f.y.px(m.value).round(),
            r: radius(m.gpu_ns),
            copy: false,
        })
        .collect();
    if let Some(s) = f.strip {
        points.extend(copies.iter().map(|m| Point {
            row: m.row,
            x: s.centre(),
            y: f.strip_y(s, m.value).round(),
            r: radius(m.gpu_ns),
            copy: true,
        }));
    }
    engine::order::sort_by_key(&mut points, |p| p.row);
    points
}

/// The category legend and the notes under it.
fn draw_legend(root: &Area<'_>, f: &Frame, p: &Palette) {
    for (i, row) in f.legend.iter().enumerate() {
        let y = 8.0 + LEGEND_ROW * i as f64 + LEGEND_ROW / 2.0;
        for (x, cat, label) in row {
            let mut x = *x;
            if let Some(c) = cat {
                let corners = [
                    (x.round() as i32, (y - 5.0).round() as i32),
                    ((x + 10.0).round() as i32, (y + 5.0).round() as i32),
                ];
                let _ = root.draw(&Rectangle::new(corners, solid(p.category(*c)).filled()));
                x += 14.0;
            }
            let colour = if cat.is_some() { solid(p.text) } else { faded(p.text, 0.75) };
            text(root, label.clone(), (x, y), LABEL, colour, Pos::new(HPos::Left, VPos::Center));
        }
    }
}

/// A frame with `message` in its middle: the chart of a stage without points.
fn empty(width: u32, height: u32, message: &str, p: &Palette) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let _ = root.fill(&solid(p.background));
        let corners = [(8, 8), (width as i32 - 8, height as i32 - 8)];
        let _ = root.draw(&Rectangle::new(
            corners,
            ShapeStyle { color: solid(p.grid), filled: false, stroke_width: 1 },
        ));
        let middle = (f64::from(width) / 2.0, f64::from(height) / 2.0);
        text(&root, message, middle, LABEL + 1.0, solid(p.text), Pos::new(HPos::Center, VPos::Center));
        let _ = root.present();
    }
    svg
}

/// Draws the roofline chart of `stage` on the roofs of `spec` (none: points only, and a
/// note saying why), `width × height` pixels.
#[must_use]
pub fn chart(
    stage: &StageReport,
    spec: Option<&GpuSpec>,
    palette: &Palette,
    width: u32,
    height: u32,
) -> Chart {
    let (width, height) = (width.clamp(320, 4000), height.clamp(220, 3000));
    let (main, copies) = marks(stage);
    if main.is_empty() && copies.is_empty() {
        let message = if stage.roofline.computed {
            "No kernel of this stage has a roofline figure."
        } else {
            "No roofline figures in this report (made before they were computed)."
        };
        return Chart { svg: empty(width, height, message, palette), points: Vec::new() };
    }
    let roofs = spec.map(|s| roofs(s, &main));
    let f = frame(width, height, &main, &copies, roofs.as_ref());
    let points = place(&f, &main, &copies);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let _ = root.fill(&solid(palette.background));
        grid(&root, &f, palette);
        if let Some(s) = f.strip {
            draw_strip(&root, &f, s, roofs.as_ref(), palette);
        }
        match &roofs {
            Some(r) => draw_roofs(&root, &f, r, palette),
            None => text(
                &root,
                "No roofs: this GPU is not in catalog/gpus.toml.",
                (f.right() - 6.0, f.top() + 12.0),
                LABEL,
                solid(palette.text),
                Pos::new(HPos::Right, VPos::Center),
            ),
        }
        // Biggest first, so smaller points stay visible on top.
        let mut order: Vec<&Point> = points.iter().collect();
        engine::order::sort_by(&mut order, |a, b| b.r.total_cmp(&a.r).then(a.row.cmp(&b.row)));
        let rows = &stage.kernels.rows;
        for pt in order {
            let Some(row) = rows.get(pt.row) else { continue };
            let at = (pt.x as i32, pt.y as i32);
            let r = pt.r as u32;
            let _ = root.draw(&Circle::new(at, r, faded(palette.category(row.category), 0.8).filled()));
            let edge = ShapeStyle { color: faded(palette.text, 0.55), filled: false, stroke_width: 1 };
            let _ = root.draw(&Circle::new(at, r, edge));
        }
        draw_legend(&root, &f, palette);
        let _ = root.present();
    }
    Chart { svg, points }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::results::roofline::{Bound, RowRoofline};

    fn row(name: &str, category: Category, gpu_ns: i64, r: RowRoofline) -> KernelRow {
        KernelRow {
            row_id: String::new(),
            name: name.to_owned(),
            category,
            gpu_ns,
            share_pct: 1.0,
            launches: 1,
            graph_launches: 0,
            sites: Vec::new(),
            via: Default::default(),
            matched: Default::default(),
            roofline: r,
        }
    }

    fn figures(intensity: f64, tflops: f64, dtype: PeakDtype) -> RowRoofline {
        RowRoofline {
            flops: Some(intensity * 1e9),
            bytes: Some(1e9),
            intensity: Some(intensity),
            achieved_tflops: Some(tflops),
            achieved_tbps: Some(tflops / intensity),
            roof_fraction: Some(0.5),
            bound: Some(if intensity > 100.0 { Bound::Compute } else { Bound::Memory }),
            peak_dtype: Some(dtype),
            roofline_ns: 1000,
            headroom_ns: Some(500),
        }
    }

    /// A stage of a tiny trace, with the given kernel rows.
    fn stage(rows: Vec<KernelRow>) -> StageReport {
        let json = br#"{"traceEvents": [
          {"ph": "X", "cat": "kernel", "name": "gemm", "pid": 0, "tid": 7, "ts": 10.5, "dur": 2.0,
           "args": {"stream": 7, "correlation": 1}}
        ]}"#;
        let trace = engine::trace::load(json).expect("a trace");
        let inputs = [engine::triage::Input { path: "x.json", trace: &trace }];
        let r = crate::triage::triage(&inputs, &engine::triage::Options::default());
        let mut s = r.stages.first().expect("a stage").clone();
        s.kernels.rows = rows;
        s.roofline.computed = true;
        s.roofline.gpu_id = Some("h100-sxm".to_owned());
        s
    }

    fn h100() -> &'static GpuSpec {
        GpuSpecs::builtin().get("h100-sxm").expect("the H100 is in the catalog")
    }

    fn copy() -> RowRoofline {
        RowRoofline {
            flops: Some(0.0),
            bytes: Some(1e9),
            intensity: Some(0.0),
            achieved_tbps: Some(2.0),
            roof_fraction: Some(0.6),
            bound: Some(Bound::Memory),
            peak_dtype: Some(PeakDtype::Fp32),
            ..RowRoofline::default()
        }
    }

    fn sample() -> StageReport {
        stage(vec![
            row("low <script>", Category::Elementwise, 4_000, figures(0.25, 0.5, PeakDtype::Fp32)),
            row("gemm_mid", Category::Gemm, 1_000, figures(100.0, 50.0, PeakDtype::Bf16)),
            row("gemm_high", Category::Gemm, 9_000, figures(100.0, 500.0, PeakDtype::Bf16)),
            row("copy", Category::Memory, 2_000, copy()),
            row("unknown", Category::Other, 3_000, RowRoofline::default()),
        ])
    }

    fn point(c: &Chart, row: usize) -> Point {
        *c.points.iter().find(|p| p.row == row).expect("a point of the row")
    }

    #[test]
    fn points_sit_by_intensity_and_rate_and_grow_with_gpu_time() {
        let s = sample();
        let c = chart(&s, Some(h100()), &Palette::default(), 900, 500);
        assert_eq!(
            c.points.iter().map(|p| p.row).collect::<Vec<_>>(),
            vec![0, 1, 2, 3],
            "no point for row 4"
        );
        let (low, mid, high, copy) = (point(&c, 0), point(&c, 1), point(&c, 2), point(&c, 3));
        assert!(mid.x > low.x, "higher intensity is further right");
        assert!((mid.x - high.x).abs() < 0.5, "same intensity, same x");
        assert!(high.y < mid.y && mid.y < low.y, "more TFLOP/s is higher up");
        assert!(high.r > low.r && low.r > mid.r, "area grows with GPU time");
        assert!((high.r / low.r - 1.5).abs() < 0.15, "radius ∝ √time: {} {}", high.r, low.r);
        assert!(copy.copy && !low.copy);
        assert!(copy.x < low.x, "copies sit in the panel left of the chart");
        // One decade of TFLOP/s between mid and high, two between low and mid: the same
        // number of pixels per decade.
        let per_decade = (mid.y - high.y) / 1.0;
        assert!(((low.y - mid.y) / 2.0 - per_decade).abs() < 2.0, "log y axis");
        // One circle filled and one outlined per point, and nothing from the trace in it.
        assert_eq!(c.svg.matches("<circle").count(), 2 * c.points.len());
        assert!(!c.svg.contains("<script") && !c.svg.contains("gemm_mid"));
    }

    #[test]
    fn hit_finds_the_point_under_the_cursor() {
        let c = chart(&sample(), Some(h100()), &Palette::default(), 900, 500);
        for p in &c.points {
            assert_eq!(c.hit(p.x, p.y), Some(p.row));
            assert_eq!(c.hit(p.x + p.r.max(4.0), p.y), Some(p.row), "edge of row {}", p.row);
        }
        assert_eq!(c.hit(2.0, 2.0), None);
    }

    #[test]
    fn roofs_are_drawn_for_the_data_types_of_the_points() {
        let s = sample();
        let spec = h100();
        let c = chart(&s, Some(spec), &Palette::default(), 900, 500);
        let three = |v: Option<f64>| format::three_digits(v.expect("a figure"));
        for d in [PeakDtype::Bf16, PeakDtype::Fp32] {
            let label = format!(
                "{} {} (peak {})",
                d.label(),
                three(spec.achievable_tflops(d)),
                three(spec.peak_tflops(d))
            );
            assert!(c.svg.contains(&label), "{label} in the chart");
        }
        assert!(!c.svg.contains("fp8 "), "no roof for a data type without points");
        let memory = format!(
            "{} TB/s (peak {})",
            format::three_digits(spec.achievable_tbps()),
            format::three_digits(spec.hbm_tbps)
        );
        assert!(c.svg.contains(&memory), "{memory}");
        assert!(c.svg.contains("Arithmetic intensity (FLOP/byte)") && c.svg.contains("TFLOP/s"));
        for tick in [">\n0.1\n<", ">\n1\n<", ">\n10\n<", ">\n100\n<"] {
            assert!(c.svg.contains(tick), "decade tick {tick:?}");
        }
        // Without a spec: the points, no roofs, and why.
        let bare = chart(&s, None, &Palette::default(), 900, 500);
        assert_eq!(bare.points.len(), c.points.len());
        assert!(bare.svg.contains("not in catalog/gpus.toml") && !bare.svg.contains("(peak"));
    }

    #[test]
    fn a_stage_without_figures_says_so() {
        let s = stage(vec![row("unknown", Category::Other, 3_000, RowRoofline::default())]);
        let c = chart(&s, Some(h100()), &Palette::default(), 600, 300);
        assert!(c.points.is_empty());
        assert!(c.svg.contains("No kernel of this stage has a roofline figure."));
        assert_eq!(c.hit(300.0, 150.0), None);
    }

    #[test]
    fn a_thousand_rows_stay_small_and_the_same_input_draws_the_same() {
        let rows = (0..1000)
            .map(|i| {
                let f = f64::from(i);
                let dtype = if i % 3 == 0 { PeakDtype::Fp32 } else { PeakDtype::Bf16 };
                let cat = Category::ALL[i as usize % Category::ALL.len()];
                let r = if i % 10 == 0 { copy() } else { figures(0.05 + f * 0.7, 0.01 + f * 0.6, dtype) };
                row(&format!("kernel_{i}<&\"'>"), cat, 1_000 + i64::from(i) * 37, r)
            })
            .collect();
        let s = stage(rows);
        let c = chart(&s, Some(h100()), &Palette::default(), 1200, 600);
        assert_eq!(c.points.len(), 1000);
        assert!(c.svg.len() < 400_000, "{} bytes", c.svg.len());
        assert!(!c.svg.contains("kernel_"));
        assert_eq!(chart(&s, Some(h100()), &Palette::default(), 1200, 600), c, "deterministic");
    }

    #[test]
    fn facts_are_the_table_cells() {
        let s = sample();
        let r = s.kernels.rows.get(2).expect("row");
        let facts = facts(r);
        let cells = cells(&r.roofline);
        for (i, label) in [(2, "FLOP/B"), (3, "TFLOP/s"), (4, "TB/s"), (5, "Roof"), (6, "Bound")] {
            let want = cells.get(i).expect("cell").joined(" ");
            assert!(facts.contains(&(label, want.clone())), "{label} {want}");
        }
        assert!(facts.contains(&("Category", "gemm".to_owned())));
        assert!(facts.contains(&("Headroom", format::ms(500))));
        assert!(facts.contains(&("Peak", "bf16".to_owned())));
    }

    #[test]
    fn decade_labels() {
        let labels: Vec<String> = (-4..=7).map(decade_label).collect();
        assert_eq!(
            labels,
            ["1e-4", "0.001", "0.01", "0.1", "1", "10", "100", "1000", "10k", "100k", "1M", "10M"]
        );
    }
}
