//! The SVG timeline, drawn with plotters' SVG backend (no fonts are measured, so it runs
//! anywhere, a Web Worker included).
//!
//! Geometry lives in [`Layout`], shared with [`Timeline::hit`] so the hit test and
//! the drawing agree to the pixel. Every lane is binned into one column per pixel; a run
//! of columns with the same dominant category is one rectangle, so a decode step with
//! thousands of kernels costs at most one rectangle per pixel column per lane.

use plotters::backend::SVGBackend;
use plotters::drawing::IntoDrawingArea;
use plotters::element::{PathElement, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, RGBAColor, RGBColor, ShapeStyle};

use engine::timeline::bins::{self, Bins};
use engine::timeline::layout::TOP;
use engine::timeline::{Layout, Timeline, Window};
use engine::vocab::Category;

/// A colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses CSS colour text: `#rgb`, `#rrggbb` or `rgb(r, g, b)` (what a browser's
    /// `getComputedStyle` returns for a custom property).
    #[must_use]
    pub fn parse(text: &str) -> Option<Rgb> {
        let t = text.trim();
        if let Some(hex) = t.strip_prefix('#') {
            let digit = |i: usize| hex.get(i..=i).and_then(|d| u8::from_str_radix(d, 16).ok());
            return match hex.len() {
                3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
                6 => {
                    let byte = |i: usize| hex.get(i..i + 2).and_then(|d| u8::from_str_radix(d, 16).ok());
                    Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
                }
                _ => None,
            };
        }
        let inner = t.strip_prefix("rgb(").or_else(|| t.strip_prefix("rgba("))?.strip_suffix(')')?;
        let mut parts = inner.split([',', ' ', '/']).filter(|p| !p.is_empty()).map(|p| p.parse::<u8>().ok());
        Some(Rgb(parts.next()??, parts.next()??, parts.next()??))
    }

    fn solid(self) -> RGBColor {
        RGBColor(self.0, self.1, self.2)
    }

    fn alpha(self, a: f64) -> RGBAColor {
        RGBAColor(self.0, self.1, self.2, a)
    }
}

/// The colours of a drawing. The browser fills it from its CSS variables; the default is
/// a light theme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Palette {
    /// Background.
    pub background: Rgb,
    /// Labels and axis text.
    pub text: Rgb,
    /// Grid and lane separators.
    pub grid: Rgb,
    /// Shading where two or more streams are busy.
    pub overlap: Rgb,
    /// Shading of idle time inside a stage.
    pub idle: Rgb,
    /// Stage windows and step marks.
    pub stage: Rgb,
    /// One colour per category, in [`Category::ALL`] order.
    pub categories: [Rgb; Category::ALL.len()],
}

impl Default for Palette {
    fn default() -> Self {
        Palette {
            background: Rgb(0xff, 0xff, 0xff),
            text: Rgb(0x22, 0x22, 0x22),
            grid: Rgb(0xdd, 0xdd, 0xdd),
            overlap: Rgb(0xff, 0xc1, 0x07),
            idle: Rgb(0x9e, 0x9e, 0x9e),
            stage: Rgb(0x4a, 0x6f, 0xa5),
            categories: [
                Rgb(0x94, 0x67, 0xbd), // attention
                Rgb(0x1f, 0x77, 0xb4), // gemm
                Rgb(0x17, 0xbe, 0xcf), // moe
                Rgb(0xd6, 0x27, 0x28), // communication
                Rgb(0x2c, 0xa0, 0x2c), // norm
                Rgb(0xbc, 0xbd, 0x22), // rope
                Rgb(0x98, 0xdf, 0x8a), // activation
                Rgb(0xe3, 0x77, 0xc2), // quantization
                Rgb(0x8c, 0x56, 0x4b), // sampling
                Rgb(0xff, 0x7f, 0x0e), // memory
                Rgb(0x7f, 0x7f, 0x7f), // elementwise
                Rgb(0xae, 0xc7, 0xe8), // reduction
                Rgb(0x39, 0x3b, 0x79), // conv
                Rgb(0xc4, 0x9c, 0x94), // embedding
                Rgb(0x6b, 0x6e, 0xcf), // ssm
                Rgb(0xc7, 0xc7, 0xc7), // metadata
                Rgb(0xb0, 0xb0, 0xb0), // other
            ],
        }
    }
}

impl Palette {
    /// The colour of a category.
    #[must_use]
    pub fn category(&self, c: Category) -> Rgb {
        self.categories.get(c as usize).copied().unwrap_or(self.grid)
    }

    /// Sets the colour of a category.
    pub fn set_category(&mut self, c: Category, rgb: Rgb) {
        if let Some(slot) = self.categories.get_mut(c as usize) {
            *slot = rgb;
        }
    }
}

/// Runs of consecutive columns with the same key: `(first, last + 1, key)`.
fn runs<K: PartialEq + Copy>(keys: impl Iterator<Item = Option<K>>) -> Vec<(usize, usize, K)> {
    let mut out: Vec<(usize, usize, K)> = Vec::new();
    for (c, k) in keys.enumerate() {
        let Some(k) = k else { continue };
        match out.last_mut() {
            Some(last) if last.1 == c && last.2 == k => last.1 = c + 1,
            _ => out.push((c, c + 1, k)),
        }
    }
    out
}

/// Axis text for a time `ms` after the origin, with enough decimals for a window `len_ms` long.
fn axis_label(ms: f64, len_ms: f64) -> String {
    if len_ms >= 100.0 {
        format!("{ms:.1} ms")
    } else if len_ms >= 1.0 {
        format!("{ms:.3} ms")
    } else {
        format!("{ms:.4} ms")
    }
}

/// A filled rectangle from column `x0` to `x1` (at least one pixel wide), rows `y0`–`y1`.
fn rect(x0: i32, y0: f64, x1: i32, y1: f64, color: RGBAColor) -> Rectangle<(i32, i32)> {
    Rectangle::new([(x0, y0.round() as i32), (x1.max(x0 + 1), y1.round() as i32)], color.filled())
}

/// A one-pixel vertical line at `x` from `y0` to `y1`.
fn line(x: i32, y0: f64, y1: f64, color: RGBAColor) -> PathElement<(i32, i32)> {
    PathElement::new(
        vec![(x, y0.round() as i32), (x, y1.round() as i32)],
        ShapeStyle { color, filled: false, stroke_width: 1 },
    )
}

/// A sans-serif text style of `size` pixels (plotters writes font-size = size / 1.24).
fn font(size: f64, color: Rgb, pos: Pos) -> plotters::style::TextStyle<'static> {
    ("sans-serif", size * 1.24).into_font().color(&color.solid()).pos(pos)
}

/// Draws `window` of the timeline as an SVG document `width × height` pixels.
#[must_use]
pub fn render(tl: &Timeline, window: Window, width: u32, height: u32, palette: &Palette) -> String {
    let layout = Layout::new(width, height, tl.lanes.len());
    let (left, plot_w) = (layout.left(), layout.plot_width());
    let n = plot_w.round().max(1.0) as usize;
    let lanes: Vec<Vec<(i64, i64, Category)>> = tl.lanes.iter().map(|l| l.in_window(window)).collect();
    let b: Bins = bins::bin(&lanes, window, n);
    let col_x = |c: usize| (left + c as f64 * plot_w / n as f64).round() as i32;
    let lanes_bottom = layout.lane_top(tl.lanes.len());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (layout.width, layout.height)).into_drawing_area();
        let _ = root.fill(&palette.background.solid());
        // Stage windows: a band on top, a line at each end, step marks.
        for stage in &tl.stages {
            if stage.end_ns <= window.start_ns || stage.start_ns >= window.end_ns {
                continue;
            }
            let x0 = layout.x_at(window, stage.start_ns).max(left).round() as i32;
            let x1 = layout.x_at(window, stage.end_ns).min(layout.right()).round() as i32;
            let _ = root.draw(&rect(x0, 0.0, x1, 13.0, palette.stage.alpha(0.25)));
            let _ = root.draw(&Text::new(
                stage.label.clone(),
                (x0 + 3, 7),
                font(10.0, palette.text, Pos::new(HPos::Left, VPos::Center)),
            ));
            let visible: Vec<i64> = stage
                .steps
                .iter()
                .map(|s| s.start_ns)
                .filter(|&t| t > window.start_ns && t < window.end_ns)
                .collect();
            if visible.len() as f64 <= plot_w / 4.0 {
                for t in visible {
                    let _ = root.draw(&line(
                        layout.x_at(window, t).round() as i32,
                        0.0,
                        lanes_bottom,
                        palette.stage.alpha(0.5),
                    ));
                }
            }
            for t in [stage.start_ns, stage.end_ns] {
                if t >= window.start_ns && t <= window.end_ns {
                    let _ = root.draw(&line(
                        layout.x_at(window, t).round() as i32,
                        0.0,
                        lanes_bottom,
                        palette.stage.solid().to_rgba(),
                    ));
                }
            }
        }
        // Time axis: five ticks, ms from the trace origin.
        let len_ms = window.len_ns() as f64 / 1e6;
        for i in 0..=4 {
            let x = left + plot_w * f64::from(i) / 4.0;
            let t = window.start_ns + (window.len_ns() as f64 * f64::from(i) / 4.0) as i64;
            let hpos = match i {
                0 => HPos::Left,
                4 => HPos::Right,
                _ => HPos::Center,
            };
            let _ = root.draw(&line(x.round() as i32, 16.0, lanes_bottom, palette.grid.solid().to_rgba()));
            let _ = root.draw(&Text::new(
                axis_label((t - tl.origin_ns) as f64 / 1e6, len_ms),
                (x.round() as i32, 23),
                font(10.0, palette.text, Pos::new(hpos, VPos::Center)),
            ));
        }
        // Idle time inside a stage, and overlapped time, as column runs over all lanes.
        let in_stage = |c: usize| {
            let mid = (b.boundary(c) + b.boundary(c + 1)) / 2;
            tl.stages.iter().any(|s| s.start_ns <= mid && mid < s.end_ns)
        };
        for (c0, c1, ()) in runs((0..n).map(|c| (b.idle(c) && in_stage(c)).then_some(()))) {
            let _ = root.draw(&rect(col_x(c0), TOP, col_x(c1), lanes_bottom, palette.idle.alpha(0.3)));
        }
        for (c0, c1, ()) in runs((0..n).map(|c| b.overlapped(c).then_some(()))) {
            let _ = root.draw(&rect(col_x(c0), TOP, col_x(c1), lanes_bottom, palette.overlap.alpha(0.3)));
        }
        // Lanes: label, separator, one rectangle per run of same-category columns.
        let lane_h = layout.lane_height();
        for (i, lane) in tl.lanes.iter().enumerate() {
            let top = layout.lane_top(i);
            let _ = root.draw(&Text::new(
                lane.label.clone(),
                (4, (top + lane_h / 2.0).round() as i32),
                font((lane_h - 4.0).clamp(6.0, 11.0), palette.text, Pos::new(HPos::Left, VPos::Center)),
            ));
            let _ = root.draw(&PathElement::new(
                vec![
                    (0, (top + lane_h).round() as i32),
                    (layout.width as i32, (top + lane_h).round() as i32),
                ],
                ShapeStyle { color: palette.grid.solid().to_rgba(), filled: false, stroke_width: 1 },
            ));
            let Some(cells) = b.cells.get(i) else { continue };
            let pad = if lane_h >= 8.0 { 2.0 } else { 0.0 };
            for (c0, c1, cat) in runs(cells.iter().map(|c| c.top)) {
                let _ = root.draw(&rect(
                    col_x(c0),
                    top + pad,
                    col_x(c1),
                    top + lane_h - pad,
                    palette.category(cat).solid().to_rgba(),
                ));
            }
        }
        let _ = root.present();
    }
    svg
}
