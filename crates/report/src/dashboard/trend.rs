//! The trend chart: one figure of many runs (GPU time, utilization, the top family's
//! share, a category's share, …) over the runs ordered by capture date, one line per
//! series (model, framework or GPU), drawn as SVG with plotters like the timeline (no
//! fonts are measured, so it runs in a Web Worker too).
//!
//! Runs are evenly spaced along x in date order (ties by id), with dates written under
//! the axis; [`TrendLayout`] holds the geometry and finds the run under a click.

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, PathElement, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, RGBColor, ShapeStyle, TextStyle};

use super::date;
use super::entry::ManifestEntry;
use crate::format;
use crate::timeline::svg::{Palette, Rgb};
use engine::vocab::Category;
use engine::vocab::Stage;

/// What a figure counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds (shown in ms).
    Time,
    /// Percent.
    Percent,
    /// A count.
    Count,
}

/// A figure to chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Σ GPU activity time.
    GpuTime,
    /// GPU busy time.
    BusyTime,
    /// GPU utilization (`busy / span`).
    Utilization,
    /// Python attribution coverage.
    Coverage,
    /// The top kernel family's share.
    TopFamilyShare,
    /// Exposed communication.
    ExposedComm,
    /// Idle time inside steps.
    IdleTime,
    /// Launches.
    Launches,
    /// A category's share of GPU time.
    CategoryShare(Category),
}

impl Figure {
    /// The figures offered besides the per-category shares.
    pub const MAIN: [Figure; 8] = [
        Figure::GpuTime,
        Figure::BusyTime,
        Figure::Utilization,
        Figure::Coverage,
        Figure::TopFamilyShare,
        Figure::ExposedComm,
        Figure::IdleTime,
        Figure::Launches,
    ];

    /// Stable id: `gpu-time`, `busy-time`, `utilization`, `coverage`, `top-family-share`,
    /// `exposed-comm`, `idle`, `launches`, `category:<category>`.
    #[must_use]
    pub fn id(self) -> String {
        match self {
            Figure::GpuTime => "gpu-time".to_owned(),
            Figure::BusyTime => "busy-time".to_owned(),
            Figure::Utilization => "utilization".to_owned(),
            Figure::Coverage => "coverage".to_owned(),
            Figure::TopFamilyShare => "top-family-share".to_owned(),
            Figure::ExposedComm => "exposed-comm".to_owned(),
            Figure::IdleTime => "idle".to_owned(),
            Figure::Launches => "launches".to_owned(),
            Figure::CategoryShare(c) => format!("category:{}", c.label()),
        }
    }

    /// The figure of an id.
    #[must_use]
    pub fn parse(id: &str) -> Option<Figure> {
        if let Some(c) = id.strip_prefix("category:") {
            return Category::ALL.into_iter().find(|x| x.label() == c).map(Figure::CategoryShare);
        }
        Figure::MAIN.into_iter().find(|f| f.id() == id)
    }

    /// Display name.
    #[must_use]
    pub fn label(self) -> String {
        match self {
            Figure::GpuTime => "GPU time".to_owned(),
            Figure::BusyTime => "GPU busy time".to_owned(),
            Figure::Utilization => "GPU utilization".to_owned(),
            Figure::Coverage => "Python attribution".to_owned(),
            Figure::TopFamilyShare => "Top kernel family share".to_owned(),
            Figure::ExposedComm => "Exposed communication".to_owned(),
            Figure::IdleTime => "Idle time in steps".to_owned(),
            Figure::Launches => "Launches".to_owned(),
            Figure::CategoryShare(c) => format!("{} share", c.label()),
        }
    }

    /// Its unit.
    #[must_use]
    pub fn unit(self) -> Unit {
        match self {
            Figure::GpuTime | Figure::BusyTime | Figure::ExposedComm | Figure::IdleTime => Unit::Time,
            Figure::Launches => Unit::Count,
            _ => Unit::Percent,
        }
    }

    /// The figure of a run (`stage`: of that stage only; `None`: the whole run).
    #[must_use]
    pub fn value(self, e: &ManifestEntry, stage: Option<Stage>) -> Option<f64> {
        let v = match stage {
            None => match self {
                Figure::GpuTime => Some(e.gpu_ns as f64),
                Figure::BusyTime => Some(e.busy_ns as f64),
                Figure::Utilization => (e.span_ns > 0).then_some(e.utilization_pct),
                Figure::Coverage => e.coverage_pct,
                Figure::TopFamilyShare => e.top_family.as_ref().map(|f| f.share_pct),
                Figure::ExposedComm => e.exposed_comm_ns.map(|v| v as f64),
                Figure::IdleTime => e.idle_ns.map(|v| v as f64),
                Figure::Launches => Some(e.launches as f64),
                Figure::CategoryShare(c) => (e.gpu_ns > 0)
                    .then(|| e.categories.iter().find(|s| s.category == c).map_or(0.0, |s| s.share_pct)),
            },
            Some(st) => {
                let s = e.stage(st)?;
                match self {
                    Figure::GpuTime => Some(s.gpu_ns as f64),
                    Figure::BusyTime => Some(s.busy_ns as f64),
                    Figure::Utilization => (s.span_ns > 0).then_some(s.utilization_pct),
                    Figure::Coverage => s.coverage_pct,
                    Figure::TopFamilyShare => s.families.first().map(|f| f.share_pct),
                    Figure::ExposedComm => s.exposed_comm_ns.map(|v| v as f64),
                    Figure::IdleTime => s.idle_ns.map(|v| v as f64),
                    Figure::Launches => Some(s.launches as f64),
                    Figure::CategoryShare(c) => (s.gpu_ns > 0)
                        .then(|| s.categories.iter().find(|x| x.category == c).map_or(0.0, |x| x.share_pct)),
                }
            }
        };
        v.filter(|v| v.is_finite())
    }

    /// A value as text (`12.34 ms`, `85.4%`, `1,234`).
    #[must_use]
    pub fn text(self, value: f64) -> String {
        match self.unit() {
            Unit::Time => format::ms(value.round() as i64),
            Unit::Percent => format::pct(value),
            Unit::Count => format::count(value.max(0.0).round() as u64),
        }
    }
}

/// What the lines of the chart are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesBy {
    /// One line through every run.
    None,
    /// One line per model.
    Model,
    /// One line per framework.
    Framework,
    /// One line per GPU.
    Gpu,
}

impl SeriesBy {
    fn name(self, e: &ManifestEntry) -> String {
        match self {
            SeriesBy::None => "all runs".to_owned(),
            SeriesBy::Model => e.model.clone().unwrap_or_else(|| "unknown model".to_owned()),
            SeriesBy::Framework => e.framework_label.clone(),
            SeriesBy::Gpu => e.gpu.clone().unwrap_or_else(|| "unknown GPU".to_owned()),
        }
    }
}

/// One run on the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendPoint {
    /// Index into the entries given to [`trend`].
    pub entry: usize,
    /// The entry's id.
    pub id: String,
    /// Capture time, Unix ns.
    pub captured_unix_ns: i64,
    /// The figure.
    pub value: f64,
    /// Index into [`Trend::series`].
    pub series: usize,
}

/// A figure over runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    /// The figure.
    pub figure: Figure,
    /// The stage charted (`None`: whole runs).
    pub stage: Option<Stage>,
    /// Runs in date order (then id).
    pub points: Vec<TrendPoint>,
    /// Series names, in order of first appearance (by date).
    pub series: Vec<String>,
    /// Runs left out because they have no date.
    pub undated: usize,
    /// Runs left out because they lack the figure (or the stage).
    pub missing: usize,
}

/// The trend of `figure` over the entries at `indexes` (a filtered list, say).
#[must_use]
pub fn trend(
    entries: &[ManifestEntry],
    indexes: &[usize],
    figure: Figure,
    stage: Option<Stage>,
    series_by: SeriesBy,
) -> Trend {
    let mut points: Vec<(TrendPoint, String)> = Vec::new();
    let (mut undated, mut missing) = (0, 0);
    for &i in indexes {
        let Some(e) = entries.get(i) else { continue };
        let Some(t) = e.captured_unix_ns else {
            undated += 1;
            continue;
        };
        let Some(value) = figure.value(e, stage) else {
            missing += 1;
            continue;
        };
        points.push((
            TrendPoint { entry: i, id: e.id.clone(), captured_unix_ns: t, value, series: 0 },
            series_by.name(e),
        ));
    }
    engine::order::sort_by(&mut points, |(a, _), (b, _)| {
        a.captured_unix_ns
            .cmp(&b.captured_unix_ns)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.entry.cmp(&b.entry))
    });
    let mut series: Vec<String> = Vec::new();
    let points = points
        .into_iter()
        .map(|(mut p, name)| {
            p.series = match series.iter().position(|s| *s == name) {
                Some(k) => k,
                None => {
                    series.push(name);
                    series.len() - 1
                }
            };
            p
        })
        .collect();
    Trend { figure, stage, points, series, undated, missing }
}

/// Height of the title band, px.
const TOP: f64 = 30.0;
/// Height of the date axis, px.
const BOTTOM: f64 = 26.0;
/// Padding right of the plot, px.
const RIGHT: f64 = 14.0;
/// Width of the value axis, px.
const LEFT: f64 = 72.0;
/// A click this close to a point (px) hits it.
const HIT: f64 = 8.0;

/// The geometry of a trend chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrendLayout {
    /// Width, px.
    pub width: u32,
    /// Height, px.
    pub height: u32,
    /// Points (runs) along x.
    pub points: usize,
    /// The value at the top of the plot.
    pub max: f64,
}

/// A round number at or above `v` (1, 2, 2.5, 5 × 10ⁿ).
fn nice_ceil(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= v * 0.999_999 {
            return m * p;
        }
    }
    10.0 * p
}

impl TrendLayout {
    /// The layout of `t` at `width × height` (at least 160 × 100 px).
    #[must_use]
    pub fn of(t: &Trend, width: u32, height: u32) -> TrendLayout {
        let top = t.points.iter().map(|p| p.value).fold(0.0f64, f64::max);
        let max = if t.figure.unit() == Unit::Percent && top <= 100.0 && top > 50.0 {
            100.0
        } else {
            nice_ceil(top)
        };
        TrendLayout { width: width.max(160), height: height.max(100), points: t.points.len(), max }
    }

    /// Left edge of the plot, px.
    #[must_use]
    pub fn left(&self) -> f64 {
        LEFT
    }

    /// Right edge of the plot, px.
    #[must_use]
    pub fn right(&self) -> f64 {
        f64::from(self.width) - RIGHT
    }

    /// Bottom of the plot (value 0), px.
    #[must_use]
    pub fn bottom(&self) -> f64 {
        f64::from(self.height) - BOTTOM
    }

    /// The x of the `i`-th run (centred when there is one).
    #[must_use]
    pub fn x_of(&self, i: usize) -> f64 {
        let inner = 8.0;
        let (l, r) = (self.left() + inner, self.right() - inner);
        if self.points <= 1 { (l + r) / 2.0 } else { l + (r - l) * i as f64 / (self.points - 1) as f64 }
    }

    /// The y of a value.
    #[must_use]
    pub fn y_of(&self, v: f64) -> f64 {
        let t = if self.max > 0.0 { (v / self.max).clamp(0.0, 1.0) } else { 0.0 };
        self.bottom() - t * (self.bottom() - TOP)
    }

    /// The run (index into [`Trend::points`]) nearest to (x, y), within a few pixels.
    #[must_use]
    pub fn point_at(&self, t: &Trend, x: f64, y: f64) -> Option<usize> {
        t.points
            .iter()
            .enumerate()
            .map(|(i, p)| (i, (self.x_of(i) - x).hypot(self.y_of(p.value) - y)))
            .filter(|(_, d)| *d <= HIT)
            .min_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
            .map(|(i, _)| i)
    }
}

/// Series colours: picks from the category palette that tell lines apart.
const SERIES: [Category; 8] = [
    Category::Gemm,
    Category::Communication,
    Category::Norm,
    Category::Memory,
    Category::Attention,
    Category::Moe,
    Category::Sampling,
    Category::Quantization,
];

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// The colour of series `k` (series past the eighth are grey).
#[must_use]
pub fn series_colour(palette: &Palette, k: usize) -> Rgb {
    SERIES.get(k).map_or(palette.idle, |c| palette.category(*c))
}

/// Text style of the chart.
fn font(size: f64, color: Rgb, pos: Pos) -> TextStyle<'static> {
    ("sans-serif", size * 1.24).into_font().color(&rgb(color)).pos(pos)
}

/// The chart's drawing area.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Date marks under the axis.
fn date_marks(root: &Area<'_>, t: &Trend, lay: &TrendLayout, palette: &Palette) {
    // Date labels, about one per 90 px, always the first and the last run.
    let n = t.points.len();
    let b = lay.bottom().round() as i32;
    let step = if n <= 1 {
        1
    } else {
        ((90.0 * (n - 1) as f64 / (lay.right() - lay.left())).ceil() as usize).max(1)
    };
    let mut labelled: Vec<usize> = (0..n).step_by(step).collect();
    if let Some(&last) = labelled.last()
        && n > 1
        && last != n - 1
    {
        if lay.x_of(n - 1) - lay.x_of(last) < 80.0 {
            labelled.pop();
        }
        labelled.push(n - 1);
    }
    for i in labelled {
        let Some(p) = t.points.get(i) else { continue };
        let x = lay.x_of(i).round() as i32;
        let _ = root.draw(&PathElement::new(
            vec![(x, b), (x, b + 3)],
            ShapeStyle::from(&rgb(palette.text)).stroke_width(1),
        ));
        let _ = root.draw(&Text::new(
            date::day(p.captured_unix_ns),
            (x, b + 13),
            font(9.0, palette.text, Pos::new(HPos::Center, VPos::Center)),
        ));
    }
}

/// The legend, top right of the plot (right edge `r`): up to eight series.
fn legend(root: &Area<'_>, t: &Trend, palette: &Palette, r: i32) {
    // Legend, top right: up to eight series.
    if t.series.len() > 1 {
        let shown = t.series.len().min(SERIES.len()) + usize::from(t.series.len() > SERIES.len());
        let bottom = 10 + 12 * i32::try_from(shown).unwrap_or(9) - 6;
        let _ = root.draw(&Rectangle::new([(r - 174, 3), (r, bottom)], rgb(palette.background).filled()));
        let mut y = 10;
        for (k, name) in t.series.iter().enumerate().take(SERIES.len()) {
            let x = r - 170;
            let colour = rgb(series_colour(palette, k));
            let _ = root.draw(&Rectangle::new([(x, y - 4), (x + 8, y + 4)], colour.filled()));
            let short: String = name.chars().take(28).collect();
            let _ = root.draw(&Text::new(
                short,
                (x + 12, y),
                font(9.0, palette.text, Pos::new(HPos::Left, VPos::Center)),
            ));
            y += 12;
        }
        if t.series.len() > SERIES.len() {
            let more = format!("+{} more (grey)", t.series.len() - SERIES.len());
            let _ = root.draw(&Text::new(
                more,
                (r - 158, y),
                font(9.0, palette.text, Pos::new(HPos::Left, VPos::Center)),
            ));
        }
    }
}

/// Draws the trend as SVG (`width × height` px).
#[must_use]
pub fn svg(t: &Trend, width: u32, height: u32, palette: &Palette) -> String {
    let lay = TrendLayout::of(t, width, height);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (lay.width, lay.height)).into_drawing_area();
        let _ = root.fill(&rgb(palette.background));
        let stage = t.stage.map_or_else(|| "all stages".to_owned(), |s| s.label().to_owned());
        let mut title = format!(
            "{} · {stage} · {} run{}",
            t.figure.label(),
            t.points.len(),
            if t.points.len() == 1 { "" } else { "s" }
        );
        if t.undated + t.missing > 0 {
            title.push_str(&format!(" ({} without a date or this figure not shown)", t.undated + t.missing));
        }
        let _ = root.draw(&Text::new(
            title,
            (6, 12),
            font(11.0, palette.text, Pos::new(HPos::Left, VPos::Center)),
        ));
        let (l, r, b) = (lay.left().round() as i32, lay.right().round() as i32, lay.bottom().round() as i32);
        // Value grid and labels: five lines from 0 to max.
        for k in 0..=4 {
            let v = lay.max * f64::from(k) / 4.0;
            let y = lay.y_of(v).round() as i32;
            let _ = root.draw(&PathElement::new(
                vec![(l, y), (r, y)],
                ShapeStyle::from(&rgb(palette.grid)).stroke_width(1),
            ));
            let _ = root.draw(&Text::new(
                t.figure.text(v),
                (l - 6, y),
                font(9.0, palette.text, Pos::new(HPos::Right, VPos::Center)),
            ));
        }
        if t.points.is_empty() {
            let _ = root.draw(&Text::new(
                "No run has a date and this figure.".to_owned(),
                ((l + r) / 2, (b + TOP as i32) / 2),
                font(11.0, palette.text, Pos::new(HPos::Center, VPos::Center)),
            ));
        }
        date_marks(&root, t, &lay, palette);
        let _ = root.draw(&PathElement::new(
            vec![(l, b), (r, b)],
            ShapeStyle::from(&rgb(palette.text)).stroke_width(1),
        ));
        // Lines, then points on top.
        for k in 0..t.series.len() {
            let colour = rgb(series_colour(palette, k));
            let line: Vec<(i32, i32)> = t
                .points
                .iter()
                .enumerate()
                .filter(|(_, p)| p.series == k)
                .map(|(i, p)| (lay.x_of(i).round() as i32, lay.y_of(p.value).round() as i32))
                .collect();
            if line.len() > 1 {
                let _ = root.draw(&PathElement::new(line, ShapeStyle::from(&colour).stroke_width(2)));
            }
        }
        let radius = if t.points.len() > 300 { 2 } else { 3 };
        for (i, p) in t.points.iter().enumerate() {
            let colour = rgb(series_colour(palette, p.series));
            let at = (lay.x_of(i).round() as i32, lay.y_of(p.value).round() as i32);
            let _ = root.draw(&Circle::new(at, radius, colour.filled()));
        }
        legend(&root, t, palette, r);
        let _ = root.present();
    }
    out
}
