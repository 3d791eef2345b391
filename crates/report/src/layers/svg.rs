//! The layer heat-map of a pass: one column per layer, one row per category group, each
//! cell shaded by that layer's time in that group (darker is more; the scale is shared by
//! all cells). Drawn with plotters' SVG backend like the timeline (no font measuring, so it
//! runs in a Web Worker); every text from the trace or the catalog goes through plotters'
//! text element, which escapes `<`, `>`, `&` and quotes.
//!
//! [`HeatLayout`] holds the geometry the drawing uses, and answers "which layer and
//! group is at (x, y)" for clicks.

use plotters::backend::SVGBackend;
use plotters::drawing::IntoDrawingArea;
use plotters::element::{Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, RGBAColor, RGBColor};

use super::LayersReport;
use crate::format;
use crate::timeline::svg::{Palette, Rgb};

/// Height of the title band, px.
const TOP: f64 = 22.0;
/// Height of the layer axis under the cells, px.
const BOTTOM: f64 = 18.0;
/// Padding right of the cells, px.
const RIGHT: f64 = 6.0;
/// The tallest a row gets, px.
const MAX_ROW: f64 = 26.0;

/// Where things are in a heat-map of `width × height` pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeatLayout {
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// Columns (layers).
    pub layers: usize,
    /// Rows (groups).
    pub groups: usize,
}

impl HeatLayout {
    /// A layout (at least 60 × 60 pixels).
    #[must_use]
    pub fn new(width: u32, height: u32, layers: usize, groups: usize) -> HeatLayout {
        HeatLayout { width: width.max(60), height: height.max(60), layers, groups }
    }

    /// Left edge of the cells (right of the row labels), px.
    #[must_use]
    pub fn left(&self) -> f64 {
        (f64::from(self.width) / 5.0).min(110.0).round()
    }

    /// Width of one layer column, px.
    #[must_use]
    pub fn cell_width(&self) -> f64 {
        ((f64::from(self.width) - RIGHT - self.left()) / self.layers.max(1) as f64).max(0.5)
    }

    /// Height of one group row, px.
    #[must_use]
    pub fn row_height(&self) -> f64 {
        ((f64::from(self.height) - TOP - BOTTOM) / self.groups.max(1) as f64).clamp(1.0, MAX_ROW)
    }

    /// Left edge of layer column `l`, px.
    #[must_use]
    pub fn x_of(&self, l: usize) -> f64 {
        self.left() + l as f64 * self.cell_width()
    }

    /// Top of group row `g`, px.
    #[must_use]
    pub fn y_of(&self, g: usize) -> f64 {
        TOP + g as f64 * self.row_height()
    }

    /// The layer under x (any y), for clicks on a column.
    #[must_use]
    pub fn layer_at(&self, x: f64) -> Option<usize> {
        if x < self.left() {
            return None;
        }
        let l = ((x - self.left()) / self.cell_width()).floor() as usize;
        (l < self.layers).then_some(l)
    }

    /// The (layer, group) cell under (x, y).
    #[must_use]
    pub fn cell_at(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let l = self.layer_at(x)?;
        if y < TOP {
            return None;
        }
        let g = ((y - TOP) / self.row_height()).floor() as usize;
        (g < self.groups).then_some((l, g))
    }
}

/// The rows of the heat-map: groups with time in the detail pass, in [`LayerAnalysis::groups`](crate::layers::LayerAnalysis::groups)
/// order, each with its per-layer time (ns).
#[must_use]
pub fn rows(r: &LayersReport) -> Vec<(String, Vec<i64>)> {
    let Some(p) = &r.pass else { return Vec::new() };
    let groups = r.groups();
    let per_layer: Vec<Vec<i64>> = p.layers.iter().map(|l| r.by_group(&l.category_ns)).collect();
    groups
        .iter()
        .enumerate()
        .map(|(g, name)| {
            (name.clone(), per_layer.iter().map(|v| v.get(g).copied().unwrap_or(0)).collect::<Vec<i64>>())
        })
        .filter(|(_, v)| v.iter().any(|&ns| ns > 0))
        .collect()
}

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

fn mix(bg: Rgb, fg: Rgb, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round().clamp(0.0, 255.0) as u8;
    RGBColor(m(bg.0, fg.0), m(bg.1, fg.1), m(bg.2, fg.2))
}

/// The layout of the heat-map of `r`'s detail pass at `width × height`.
#[must_use]
pub fn layout(r: &LayersReport, width: u32, height: u32) -> HeatLayout {
    let layers = r.pass.as_ref().map_or(0, |p| p.layers.len());
    HeatLayout::new(width, height, layers, rows(r).len())
}

/// Draws the heat-map of `r`'s detail pass (an empty frame with a message when there is
/// none). `selected` outlines one layer.
#[must_use]
pub fn heatmap(
    r: &LayersReport,
    width: u32,
    height: u32,
    palette: &Palette,
    selected: Option<usize>,
) -> String {
    let rows = rows(r);
    let lay = layout(r, width, height);
    let max = rows.iter().flat_map(|(_, v)| v.iter().copied()).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (lay.width, lay.height)).into_drawing_area();
        let _ = root.fill(&rgb(palette.background));
        let font = |size: f64, color: Rgb, pos: Pos| {
            ("sans-serif", size * 1.24).into_font().color(&rgb(color)).pos(pos)
        };
        let title = match (&r.pass, r.pass.as_ref().and_then(|p| r.passes.get(p.index))) {
            (Some(p), Some(row)) => {
                let step = if row.step.is_empty() { row.stage.label().to_owned() } else { row.step.clone() };
                format!(
                    "Pass {} ({step}): {} layers · time per layer and category (darkest {})",
                    p.index,
                    p.layers.len(),
                    format::duration_ns(max)
                )
            }
            _ => "No pass with layers".to_owned(),
        };
        let _ = root.draw(&Text::new(
            title,
            (4, 11),
            font(11.0, palette.text, Pos::new(HPos::Left, VPos::Center)),
        ));
        let rh = lay.row_height();
        let cw = lay.cell_width();
        let gap = if cw >= 4.0 { 1 } else { 0 };
        for (g, (name, values)) in rows.iter().enumerate() {
            let y0 = lay.y_of(g);
            let colour = palette.category(r.group_category(name));
            let _ = root.draw(&Text::new(
                name.clone(),
                (4, (y0 + rh / 2.0).round() as i32),
                font((rh - 4.0).clamp(6.0, 11.0), palette.text, Pos::new(HPos::Left, VPos::Center)),
            ));
            for (l, &ns) in values.iter().enumerate() {
                let x0 = lay.x_of(l).round() as i32;
                let x1 = (lay.x_of(l + 1).round() as i32 - gap).max(x0 + 1);
                let t = ns as f64 / max as f64;
                let fill = if ns > 0 {
                    mix(palette.background, colour, 0.08 + 0.92 * t)
                } else {
                    mix(palette.background, palette.grid, 0.5)
                };
                let _ = root.draw(&Rectangle::new(
                    [(x0, y0.round() as i32), (x1, (y0 + rh).round() as i32 - gap)],
                    fill.filled(),
                ));
            }
        }
        // Layer axis: about one label per 40 px.
        let n = lay.layers;
        let step = ((40.0 / cw).ceil() as usize).max(1);
        let axis_y = (lay.y_of(rows.len()) + BOTTOM / 2.0).round() as i32;
        for l in (0..n).step_by(step) {
            let x = (lay.x_of(l) + cw / 2.0).round() as i32;
            let _ = root.draw(&Text::new(
                l.to_string(),
                (x, axis_y),
                font(9.0, palette.text, Pos::new(HPos::Center, VPos::Center)),
            ));
        }
        if let Some(l) = selected.filter(|&l| l < n) {
            let x0 = lay.x_of(l).round() as i32;
            let x1 = lay.x_of(l + 1).round() as i32;
            let style = RGBAColor(palette.text.0, palette.text.1, palette.text.2, 1.0).stroke_width(2);
            let _ = root.draw(&Rectangle::new(
                [(x0, TOP.round() as i32), (x1.max(x0 + 2), lay.y_of(rows.len()).round() as i32)],
                style,
            ));
        }
        let _ = root.present();
    }
    svg
}
