//! Markdown rendering, structured like the seed tool's output (`Triage View`, `Mode:`,
//! `Framework:`, `Input traces:`, `Model:`, `Kernel Table`, `##### <stage>` sections).

use crate::Report;
use crate::table::Table;
use crate::triage::StageReport;
use crate::view;

/// One table per stage, with `#####` headings when the report has stages.
fn push_stage_tables(
    out: &mut Vec<String>,
    r: &Report,
    headings: bool,
    table: impl Fn(&StageReport) -> Table,
) {
    for (i, stage) in r.stages.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        if headings {
            out.push(format!("##### {}", stage.label));
        }
        table(stage).push_markdown(out);
    }
}

/// The trace's health, then per stage its verdict line and fix-first table.
fn push_verdicts(out: &mut Vec<String>, r: &Report, headings: bool) {
    let health = crate::verdict::health_lines(r);
    if !health.is_empty() {
        out.push(String::new());
        out.push("Trace Health".to_owned());
        out.extend(health);
    }
    if !r.stages.iter().any(|s| s.verdict.computed) {
        return;
    }
    out.push(String::new());
    out.push("Verdict".to_owned());
    for stage in r.stages.iter().filter(|s| s.verdict.computed) {
        if headings {
            out.push(format!("##### {}", stage.label));
        }
        out.push(crate::verdict::line(&stage.label, &stage.verdict));
        out.push(String::new());
        out.push("Fix first (upper bounds of what each could save):".to_owned());
        out.push(String::new());
        crate::verdict::fix_table(stage).push_markdown(out);
        out.push(String::new());
    }
    out.pop_if(|l| l.is_empty());
}

/// What the markdown shows beyond the seed tool's tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The kernel tables' roofline columns and each stage's roofline line.
    pub roofline: bool,
}

/// The whole report as markdown (the seed tool's shape).
#[must_use]
pub fn render(r: &Report) -> String {
    render_with(r, Options::default())
}

/// The whole report as markdown, with what `options` adds.
#[must_use]
pub fn render_with(r: &Report, options: Options) -> String {
    let mut out: Vec<String> = Vec::new();
    if let Some(line) = view::truncation(r) {
        out.push(format!("**Warning: {line}**"));
        out.push(String::new());
    }
    out.push("Triage View".to_owned());
    for (label, value) in view::header(r) {
        out.push(format!("{label}: {value}"));
    }
    let headings = !(r.stages.len() == 1 && r.stages.iter().all(|s| s.stage == engine::vocab::Stage::All));
    push_verdicts(&mut out, r, headings);
    out.push(String::new());
    out.push("Kernel Table".to_owned());
    if r.stages.is_empty() {
        out.push(view::no_gpu_activity(r));
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
        if options.roofline
            && let Some(line) = crate::roofline::coverage_line(&stage.roofline)
        {
            out.push(line);
        }
        out.push(String::new());
        view::kernel_table_with(stage, r.min_share_pct, options.roofline).push_markdown(&mut out);
    }
    out.push(String::new());
    out.push("Overlap Opportunity Table".to_owned());
    push_stage_tables(&mut out, r, headings, |s| crate::overlap::table(&s.overlap, r.min_share_pct));
    out.push(String::new());
    out.push("Fuse Opportunity Table".to_owned());
    push_stage_tables(&mut out, r, headings, |s| crate::fuse::table(&s.fuse, r.min_share_pct));
    if !r.notes.is_empty() {
        out.push(String::new());
        out.push("Notes".to_owned());
        for n in &r.notes {
            out.push(format!("- {n}"));
        }
    }
    if view::warning_count(r) > 0 {
        out.push(String::new());
        out.push("Diagnostics".to_owned());
        let mut warn_only = r.clone();
        warn_only.diagnostics.retain(view::is_warning);
        view::diagnostics_table(&warn_only).push_markdown(&mut out);
    }
    join(&out)
}

/// Markdown lines as one text: each line's trailing space trimmed, raw HTML in the lines
/// that are not table rows made inert (table cells are escaped by [`Table`]), a final newline.
pub(crate) fn join(out: &[String]) -> String {
    let mut text = String::new();
    for line in out {
        let line = line.trim_end();
        if line.starts_with('|') {
            text.push_str(line);
        } else {
            text.push_str(&crate::table::html_inert(line));
        }
        text.push('\n');
    }
    if text.is_empty() {
        text.push('\n');
    }
    text
}

/// `tracetriage roofline`: per stage the coverage line and the headroom table, as markdown.
#[must_use]
pub fn render_roofline(r: &Report) -> String {
    let mut out: Vec<String> = vec!["Roofline View".to_owned()];
    for (label, value) in view::header(r) {
        out.push(format!("{label}: {value}"));
    }
    if r.stages.is_empty() {
        out.push(String::new());
        out.push(view::no_gpu_activity(r));
    }
    for stage in &r.stages {
        out.push(String::new());
        out.push(format!("##### {}", stage.label));
        if let Some(line) = crate::roofline::coverage_line(&stage.roofline) {
            out.push(line);
        }
        let total: i64 = stage.kernels.rows.iter().filter_map(|k| k.roofline.headroom_ns).sum();
        out.push(format!(
            "Listed kernels would save {} of GPU time at the achievable roof (achieved rate over the roof at each kernel's intensity).",
            crate::format::ms(total)
        ));
        out.push(String::new());
        crate::roofline::headroom_table(stage).push_markdown(&mut out);
    }
    join(&out)
}
