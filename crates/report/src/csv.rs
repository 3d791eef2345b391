//! CSV rendering: one row per table row of every stage, numbers as raw values.
//!
//! A CSV file holds one table kind ([`CsvTable`]): the kernel table (the default), the
//! overlap-opportunity table or the fuse-pattern table, each with a leading `stage` column.
//! Cells come from the same [`view`] tables the markdown and the browser render, so the
//! numbers agree everywhere; numeric cells carry their raw value (milliseconds, percent,
//! counts) instead of the display text.

use crate::Report;
use crate::table::{Table, csv_quote};
use crate::triage::StageReport;
use crate::view;

/// Which table a CSV file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvTable {
    /// The kernel table.
    #[default]
    Kernels,
    /// The overlap-opportunity table.
    Overlap,
    /// The fuse-pattern table.
    Fuse,
}

fn table_of(stage: &StageReport, which: CsvTable, min_share_pct: f64) -> Table {
    match which {
        CsvTable::Kernels => view::kernel_table_with(stage, min_share_pct, true),
        CsvTable::Overlap => crate::overlap::table(&stage.overlap, min_share_pct),
        CsvTable::Fuse => crate::fuse::table(&stage.fuse, min_share_pct),
    }
}

/// Kernel tables of all stages as CSV (header row first).
#[must_use]
pub fn render(r: &Report) -> String {
    render_table(r, CsvTable::Kernels)
}

/// One table kind of all stages as CSV (header row first).
#[must_use]
pub fn render_table(r: &Report, which: CsvTable) -> String {
    let mut out = match which {
        // Stable names kept from the first CSV version (the display labels carry units).
        CsvTable::Kernels => {
            let mut header =
                "stage,kernel,category,gpu_ms,share_pct,launches,avg_us,python_location,cpu_op".to_owned();
            for name in crate::roofline::CSV_NAMES {
                header.push(',');
                header.push_str(name);
            }
            header.push('\n');
            header
        }
        CsvTable::Overlap | CsvTable::Fuse => String::new(),
    };
    for stage in &r.stages {
        let table = table_of(stage, which, r.min_share_pct);
        if out.is_empty() {
            let mut fields = vec!["stage".to_owned()];
            fields.extend(table.csv_header());
            if which == CsvTable::Overlap {
                // The signal column is prose; the raw figures follow as their own columns.
                fields.extend(["exposed_ms".to_owned(), "share_of_busy_pct".to_owned()]);
            }
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        for (i, row) in table.rows.iter().enumerate() {
            let mut fields = vec![csv_quote(&stage.label)];
            fields.extend(Table::csv_row(row));
            if which == CsvTable::Overlap
                && let Some(o) = stage.overlap.rows.get(i)
            {
                fields.push(format!("{:.6}", o.exposed_ns as f64 / 1e6));
                fields.push(format!("{:.3}", o.share_pct));
            }
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    }
    out
}
