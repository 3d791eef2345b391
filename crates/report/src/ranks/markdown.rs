//! Markdown of the all-ranks report: a header, then per stage the per-rank table, the
//! collective skew table and the per-kernel spread table, then notes.

use super::RanksReport;
use super::view;
use crate::table::Table;

/// One table per stage, under `#####` stage headings.
fn push_stages(out: &mut Vec<String>, r: &RanksReport, table: impl Fn(&super::RanksStage) -> Table) {
    if r.stages.is_empty() {
        out.push("No rank has GPU work.".to_owned());
    }
    for (i, stage) in r.stages.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        out.push(format!("##### {}", stage.label));
        table(stage).push_markdown(out);
    }
}

/// The whole report as markdown.
#[must_use]
pub fn render(r: &RanksReport) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in view::truncations(r) {
        out.push(format!("**Warning: {line}**"));
        out.push(String::new());
    }
    out.push("All-Ranks View".to_owned());
    for (label, value) in view::header(r) {
        out.push(format!("{label}: {value}"));
    }
    out.push(String::new());
    out.push("Per-Rank Table".to_owned());
    out.push(
        "_In collectives = waiting + communication. Waiting: inside a collective before the last rank arrived. \
         Exposed: the part no compute kernel of the rank overlapped. Last in: collectives the rank entered last._"
            .to_owned(),
    );
    out.push(String::new());
    push_stages(&mut out, r, view::rank_table);
    out.push(String::new());
    out.push("Collective Skew Table".to_owned());
    out.push(
        "_The n-th kernel of a family on every rank is one collective. Skew: last rank's start minus first rank's start. \
         End spread: last end minus first end (small when the ranks' clocks agree)._"
            .to_owned(),
    );
    out.push(String::new());
    push_stages(&mut out, r, view::collective_table);
    out.push(String::new());
    out.push("Kernel Spread Table".to_owned());
    push_stages(&mut out, r, |s| view::spread_table(s, r.min_share_pct));
    if !r.notes.is_empty() {
        out.push(String::new());
        out.push("Notes".to_owned());
        for n in &r.notes {
            out.push(format!("- {n}"));
        }
    }
    crate::markdown::join(&out)
}
