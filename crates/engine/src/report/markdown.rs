//! Markdown rendering, structured like the seed tool's output (`Triage View`, `Mode:`,
//! `Framework:`, `Input traces:`, `Model:`, `Kernel Table`, `##### <stage>` sections).

use super::Report;
use super::view::{self, Align, Table};

/// Escapes a cell: `|` → `\|`, newlines → `<br>`.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

/// Appends a table in markdown.
pub fn push_table(out: &mut Vec<String>, t: &Table) {
    let head: Vec<&str> = t.columns.iter().map(|c| c.label).collect();
    out.push(format!("| {} |", head.join(" | ")));
    let align: Vec<&str> =
        t.columns.iter().map(|c| if c.align == Align::Right { "---:" } else { "---" }).collect();
    out.push(format!("| {} |", align.join(" | ")));
    if t.rows.is_empty() {
        let mut cells = vec![escape(&t.empty)];
        cells.extend(std::iter::repeat_n("-".to_owned(), t.columns.len().saturating_sub(1)));
        out.push(format!("| {} |", cells.join(" | ")));
    }
    for row in &t.rows {
        let cells: Vec<String> =
            row.iter().map(|c| c.lines.iter().map(|l| escape(l)).collect::<Vec<_>>().join("<br>")).collect();
        out.push(format!("| {} |", cells.join(" | ")));
    }
    if let Some(f) = &t.footer {
        out.push(String::new());
        out.push(format!("_{f}_"));
    }
}

/// One table per stage, with `#####` headings when the report has stages.
fn push_stage_tables(
    out: &mut Vec<String>,
    r: &Report,
    headings: bool,
    table: impl Fn(&super::StageReport) -> Table,
) {
    for (i, stage) in r.stages.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        if headings {
            out.push(format!("##### {}", stage.label));
        }
        push_table(out, &table(stage));
    }
}

/// The whole report as markdown.
#[must_use]
pub fn render(r: &Report) -> String {
    let mut out: Vec<String> = vec!["Triage View".to_owned()];
    for (label, value) in view::header(r) {
        out.push(format!("{label}: {value}"));
    }
    out.push(String::new());
    out.push("Kernel Table".to_owned());
    let headings =
        !(r.stages.len() == 1 && r.stages.iter().all(|s| s.stage == crate::analysis::stages::Stage::All));
    if r.stages.is_empty() {
        out.push("No GPU activity in this trace.".to_owned());
    }
    for (i, stage) in r.stages.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        if headings {
            out.push(format!("##### {}", stage.label));
        }
        out.push(view::stage_summary(&stage.summary));
        if let Some(line) = view::coverage_line(&stage.coverage, r.mode) {
            out.push(line);
        }
        out.push(String::new());
        push_table(&mut out, &view::kernel_table(stage, r.min_share_pct));
    }
    out.push(String::new());
    out.push("Overlap Opportunity Table".to_owned());
    push_stage_tables(&mut out, r, headings, |s| super::overlap::table(&s.overlap, r.min_share_pct));
    out.push(String::new());
    out.push("Fuse Opportunity Table".to_owned());
    push_stage_tables(&mut out, r, headings, |s| super::fuse::table(&s.fuse, r.min_share_pct));
    if !r.notes.is_empty() {
        out.push(String::new());
        out.push("Notes".to_owned());
        for n in &r.notes {
            out.push(format!("- {n}"));
        }
    }
    let warnings: Vec<_> = r.diagnostics.iter().filter(|d| d.severity == "warning").collect();
    if !warnings.is_empty() {
        out.push(String::new());
        out.push("Diagnostics".to_owned());
        let mut warn_only = r.clone();
        warn_only.diagnostics.retain(|d| d.severity == "warning");
        push_table(&mut out, &view::diagnostics_table(&warn_only));
    }
    let mut text: String = out.iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n");
    text.push('\n');
    text
}
