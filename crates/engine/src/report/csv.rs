//! CSV rendering: one row per kernel row of every stage, numbers as raw values.

use super::Report;
use super::view;

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

/// Kernel tables of all stages as CSV (header row first).
#[must_use]
pub fn render(r: &Report) -> String {
    let mut out =
        String::from("stage,kernel,category,gpu_ms,share_pct,launches,avg_us,python_location,cpu_op\n");
    for stage in &r.stages {
        let table = view::kernel_table(stage, r.min_share_pct);
        for row in &table.rows {
            let mut fields = vec![quote(&stage.label)];
            for cell in row {
                let value = cell.raw.clone().unwrap_or_else(|| cell.joined("; "));
                fields.push(quote(&value));
            }
            out.push_str(&fields.join(","));
            out.push('\n');
        }
    }
    out
}
