//! Presentation of the dashboard: the run list as a [`Table`] of display cells (the same
//! cells type the report tables use), numbers formatted only by [`crate::format`].

use super::entry::ManifestEntry;
use super::filter::{self, Column as RunColumn};
use crate::table::{Align, Cell, Column, Table};

fn pct_cell(v: Option<f64>, bar: bool) -> Cell {
    match v.filter(|v| v.is_finite()) {
        Some(v) => {
            let mut c = Cell::pct(v);
            if bar {
                c.bar = Some(v.clamp(0.0, 100.0));
            }
            c
        }
        None => Cell::missing(),
    }
}

fn ms_cell(ns: Option<i64>) -> Cell {
    ns.map_or_else(Cell::missing, Cell::ms)
}

/// The cell of one run in one column.
#[must_use]
pub fn cell(e: &ManifestEntry, c: RunColumn) -> Cell {
    let text = |s: Option<&str>| s.filter(|s| !s.is_empty()).map_or_else(Cell::missing, Cell::text);
    match c {
        RunColumn::Run => Cell::text(if e.label.is_empty() { e.id.clone() } else { e.label.clone() }),
        RunColumn::Model => text(e.model.as_deref()),
        RunColumn::Framework => Cell::text(e.framework_label.clone()),
        RunColumn::Gpu => text(e.gpu.as_deref()),
        RunColumn::Stages => Cell::text(e.stage_labels()),
        RunColumn::Verdict => {
            let lines = e.verdict_headlines();
            if lines.is_empty() { Cell::missing() } else { Cell::lines(lines) }
        }
        RunColumn::Date => match e.captured_unix_ns {
            Some(t) => {
                let mut cell = Cell::num(filter::date_text(e), t as f64, super::date::iso(t));
                if e.date_source == super::entry::DateSource::File {
                    cell.lines.push("(file time)".to_owned());
                }
                cell
            }
            None => Cell::missing(),
        },
        RunColumn::TopFamily => match &e.top_family {
            Some(f) => Cell {
                lines: vec![f.name.clone(), f.category.label().to_owned()],
                sort: None,
                bar: None,
                raw: Some(f.name.clone()),
                badge: None,
            },
            None => Cell::missing(),
        },
        RunColumn::TopFamilyShare => pct_cell(e.top_family.as_ref().map(|f| f.share_pct), true),
        RunColumn::GpuTime => ms_cell(Some(e.gpu_ns)),
        RunColumn::Utilization => pct_cell((e.span_ns > 0).then_some(e.utilization_pct), true),
        RunColumn::Coverage => pct_cell(e.coverage_pct, true),
        RunColumn::ExposedComm => ms_cell(e.exposed_comm_ns),
        RunColumn::Launches => Cell::count(e.launches),
    }
}

/// The run list: the entries at `indexes`, in that order, with `columns`.
#[must_use]
pub fn runs_table(entries: &[ManifestEntry], indexes: &[usize], columns: &[RunColumn]) -> Table {
    Table {
        columns: columns
            .iter()
            .map(|c| Column { label: c.label(), align: if c.numeric() { Align::Right } else { Align::Left } })
            .collect(),
        rows: indexes
            .iter()
            .filter_map(|&i| entries.get(i))
            .map(|e| columns.iter().map(|&c| cell(e, c)).collect())
            .collect(),
        empty: "No run matches the filter.".to_owned(),
        footer: None,
    }
}

/// The one-line header of a run (`SGLang · NVIDIA GB300 · Qwen/Qwen3-8B · 2026-06-09 13:39`).
#[must_use]
pub fn run_line(e: &ManifestEntry) -> String {
    let mut parts = vec![e.framework_label.clone()];
    parts.extend(e.gpu.clone());
    parts.extend(e.model.clone());
    let date = filter::date_text(e);
    if !date.is_empty() {
        parts.push(format!("{date} UTC"));
    }
    parts.join(" · ")
}
