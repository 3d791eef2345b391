//! Markdown rendering of a diff: a header naming A and B, then per compared stage a
//! `#####` section with both sides' verdicts and fix-first findings, the stage summary, idle causes, categories, families, kernels on
//! both sides, kernels only in A or only in B and the fuse patterns' states, then the notes.

use super::view;
use super::{DiffReport, Presence, StageDiff};

fn push_section(out: &mut Vec<String>, title: &str, table: &crate::table::Table) {
    out.push(String::new());
    out.push(title.to_owned());
    table.push_markdown(out);
}

fn push_stage(out: &mut Vec<String>, s: &StageDiff) {
    out.push(String::new());
    out.push(format!("##### {}", s.label));
    out.extend(view::sides_line(s));
    push_verdicts(out, s);
    push_section(out, "Stage summary", &view::summary_table(s));
    if !s.bubbles.is_empty() {
        push_section(out, "Idle time by cause", &view::bubbles_table(s));
    }
    push_section(out, "Categories", &view::categories_table(s));
    push_section(out, "Families", &view::families_table(s));
    push_section(out, "Kernels", &view::kernels_table(s));
    push_section(out, "Only in A", &view::only_table(s, Presence::OnlyA));
    push_section(out, "Only in B", &view::only_table(s, Presence::OnlyB));
    push_section(out, "Fuse patterns", &view::fuse_table(s));
    if !s.notes.is_empty() {
        out.push(String::new());
        out.push("Stage notes".to_owned());
        out.extend(s.notes.iter().map(|n| format!("- {n}")));
    }
}

/// Both sides' verdict lines and fix-first findings (nothing for diffs of reports made
/// before verdicts).
fn push_verdicts(out: &mut Vec<String>, s: &StageDiff) {
    if s.a_verdict.text.is_empty() && s.b_verdict.text.is_empty() {
        return;
    }
    out.push(String::new());
    out.push("Verdicts".to_owned());
    for (side, text, fixes) in view::verdicts(s) {
        out.push(format!("- {side}: {text}"));
        for (i, f) in fixes.iter().enumerate() {
            out.push(format!("  {}. {f}", i + 1));
        }
    }
}

/// The whole diff as markdown.
#[must_use]
pub fn render(d: &DiffReport) -> String {
    let mut out: Vec<String> = vec!["Diff View".to_owned()];
    for (label, value) in view::header(d) {
        out.push(format!("{label}: {value}"));
    }
    for s in &d.stages {
        push_stage(&mut out, s);
    }
    if !d.notes.is_empty() {
        out.push(String::new());
        out.push("Notes".to_owned());
        out.extend(d.notes.iter().map(|n| format!("- {n}")));
    }
    crate::markdown::join(&out)
}
