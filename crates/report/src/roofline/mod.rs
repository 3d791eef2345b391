//! The roofline in words and tables: a kernel row's roofline cells (the kernel table's
//! `--roofline` columns, always in CSV), the stage's coverage line, and the roofline view
//! (`tracetriage roofline`): kernels ranked by the GPU time they would save at the
//! achievable roof (written out by [`crate::markdown::render_roofline`]); [`svg`] draws
//! the stage's roofline chart.

pub mod svg;

use crate::format;
use crate::table::{Cell, Column, Table};
use crate::triage::StageReport;
use engine::results::kernels::KernelRow;
use engine::results::roofline::{RooflineCoverage, RowRoofline};

/// The roofline columns of the kernel table.
pub const COLUMNS: [Column; 7] = [
    Column::right("FLOPs"),
    Column::right("Bytes"),
    Column::right("FLOP/B"),
    Column::right("TFLOP/s"),
    Column::right("TB/s"),
    Column::right("Roof"),
    Column::left("Bound"),
];

/// CSV names of [`COLUMNS`] (raw values: FLOPs, bytes, FLOP/byte, TFLOP/s, TB/s, the
/// fraction of the achievable roof as a number, `compute`/`memory`).
pub const CSV_NAMES: [&str; 7] =
    ["flops", "bytes", "intensity", "achieved_tflops", "achieved_tbps", "roof_fraction", "bound"];

fn opt_num(v: Option<f64>, text: impl Fn(f64) -> String) -> Cell {
    match v {
        Some(v) if v.is_finite() => Cell::num(text(v), v, format!("{v}")),
        _ => Cell::missing(),
    }
}

/// A row's roofline cells, in [`COLUMNS`] order (`-` where unknown).
#[must_use]
pub fn cells(r: &RowRoofline) -> Vec<Cell> {
    vec![
        opt_num(r.flops, |v| format::si(v, "")),
        opt_num(r.bytes, |v| format::si(v, "B")),
        opt_num(r.intensity, format::three_digits),
        opt_num(r.achieved_tflops, format::three_digits),
        opt_num(r.achieved_tbps, format::three_digits),
        opt_num(r.roof_fraction.map(|f| f * 100.0), format::pct),
        r.bound.map_or_else(Cell::missing, |b| Cell::text(b.label())),
    ]
}

/// `Roofline: figures for 63.4% of GPU time on NVIDIA H100 SXM (roofs: 80% of datasheet
/// compute, 90% of 3.35 TB/s). No figure: launch not recorded 30.0%, op not modelled 6.2%
/// (aten::cat 4.4%, aten::mean 1.6%)…`; `None` for reports without roofline figures.
#[must_use]
pub fn coverage_line(c: &RooflineCoverage) -> Option<String> {
    if !c.computed || c.total_ns <= 0 {
        return None;
    }
    let pct = |ns: i64| format::pct(format::share(ns, c.total_ns));
    let gpu = match (&c.gpu_label, &c.gpu_id) {
        (Some(label), _) => format!(" on {label}"),
        _ => " (GPU not in catalog/gpus.toml: no roof; add it with --gpu-spec)".to_owned(),
    };
    let mut line = format!("Roofline: figures for {} of GPU time{gpu}.", pct(c.with_figure_ns));
    let missing: Vec<String> = c
        .missing
        .iter()
        .filter(|m| m.ns > 0)
        .map(|m| {
            let mut s = format!("{} {}", m.reason.label(), pct(m.ns));
            if m.reason == engine::results::roofline::NoFigure::NotModelled && !c.unmodelled.is_empty() {
                let ops: Vec<String> =
                    c.unmodelled.iter().take(3).map(|o| format!("{} {}", o.op, pct(o.ns))).collect();
                s.push_str(&format!(" ({})", ops.join(", ")));
            }
            s
        })
        .collect();
    if !missing.is_empty() {
        line.push_str(&format!(" No figure: {}.", missing.join(", ")));
    }
    Some(line)
}

/// The stage's kernels with a roof fraction, most headroom (GPU time saved at the
/// achievable roof) first; rows without one are left out.
#[must_use]
pub fn headroom_table(stage: &StageReport) -> Table {
    let mut rows: Vec<&KernelRow> =
        stage.kernels.rows.iter().filter(|r| r.roofline.headroom_ns.is_some()).collect();
    engine::order::sort_by(&mut rows, |a, b| {
        b.roofline
            .headroom_ns
            .cmp(&a.roofline.headroom_ns)
            .then(b.gpu_ns.cmp(&a.gpu_ns))
            .then(a.name.cmp(&b.name))
    });
    let columns = vec![
        Column::left("Kernel"),
        Column::left("Category"),
        Column::right("GPU time"),
        Column::right("Share"),
        Column::left("Bound"),
        Column::right("Achieved"),
        Column::right("Roof"),
        Column::right("Headroom"),
    ];
    let rows = rows
        .into_iter()
        .map(|row| {
            let r = &row.roofline;
            let achieved = match (r.bound, r.achieved_tflops, r.achieved_tbps) {
                (Some(engine::results::roofline::Bound::Compute), Some(t), _) => {
                    format!("{} TFLOP/s", format::three_digits(t))
                }
                (_, _, Some(b)) => format!("{} TB/s", format::three_digits(b)),
                _ => "-".to_owned(),
            };
            vec![
                Cell::text(row.name.clone()),
                Cell::text(row.category.label()),
                Cell::ms(row.gpu_ns),
                Cell::share(row.share_pct),
                r.bound.map_or_else(Cell::missing, |b| Cell::text(b.label())),
                Cell::text(achieved),
                opt_num(r.roof_fraction.map(|f| f * 100.0), format::pct),
                r.headroom_ns.map_or_else(Cell::missing, Cell::ms),
            ]
        })
        .collect();
    Table {
        columns,
        rows,
        empty: "No kernel of this stage has a roofline figure (see the roofline line).".to_owned(),
        footer: None,
    }
}
