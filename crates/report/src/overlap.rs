//! The overlap-opportunity table of a stage: what sits exposed on the GPU's critical path
//! (communication no compute hides, copies, idle gaps) and what could be hidden by overlap
//! or removed by fusion, plus the stage's sweep figures, its idle-gap (bubble) breakdown
//! and a compact timeline strip of its busiest step.
//!
//! Filled by the engine's overlap analysis; rendered by [`table`] for every front end. The
//! JSON form is documented in `docs/report-json.md` ("overlap").

pub use engine::results::overlap::*;

use crate::format;
use crate::table::{Align, Cell, Column, Table};
use engine::vocab::Category;

const COLUMNS: [(&str, Align); 9] = [
    ("Priority", Align::Left),
    ("Verdict", Align::Left),
    ("Kernel", Align::Left),
    ("Python scope", Align::Left),
    ("Formal signal", Align::Left),
    ("Recoverable", Align::Right),
    ("Dep risk", Align::Left),
    ("Recommendation", Align::Left),
    ("Evidence", Align::Left),
];

/// The seed's signal text: `12.5 us, share 3.4%, excl 80.0% / hid 20.0%`.
fn signal(row: &OverlapRow, busy_ns: i64) -> String {
    if row.verdict == Verdict::Bubbles {
        return format!(
            "{} us idle, {} of wall, {} gaps; GPU busy {} us",
            format::us1(row.total_ns),
            format::pct(row.share_pct),
            format::count(row.launches),
            format::us1(busy_ns)
        );
    }
    format!(
        "{} us, share {}, excl {} / hid {}",
        format::us1(row.total_ns),
        format::pct(row.share_pct),
        format::pct(format::share(row.exclusive_ns, row.total_ns)),
        format::pct(format::share(row.hidden_ns, row.total_ns))
    )
}

/// The evidence lines of a row: what makes it actionable.
fn evidence(row: &OverlapRow, bubbles: &Bubbles) -> Vec<String> {
    let mut lines = Vec::new();
    match row.category {
        Some(Category::Communication) => lines.push(format!(
            "exposed {}: no compute on another stream for {} of its time",
            format::ms(row.exposed_ns),
            format::pct(format::share(row.exposed_ns, row.total_ns))
        )),
        Some(_) if row.verdict == Verdict::Headroom => lines.push(format!(
            "exposed {}: nothing else ran for {} of its time",
            format::ms(row.exposed_ns),
            format::pct(format::share(row.exposed_ns, row.total_ns))
        )),
        Some(_) => lines.push(format!(
            "hidden {}, {} of it behind compute",
            format::ms(row.hidden_ns),
            format::pct(format::share(row.hidden_by_compute_ns, row.hidden_ns))
        )),
        None => {}
    }
    if let Some(w) = &row.waiting {
        lines.push(format!(
            "exposed for {} of GPU busy time, longest launch {} vs median {}: likely waiting for peer ranks inside the collective; load all ranks of the capture to see the skew",
            format::pct(w.share_pct),
            format::duration_ns(w.max_ns),
            format::duration_ns(w.median_ns)
        ));
    }
    if let Some(c) = &row.copies {
        let dirs: Vec<String> =
            c.directions.iter().map(|d| format!("{} ×{}", d.direction, format::count(d.launches))).collect();
        if !dirs.is_empty() {
            lines.push(dirs.join(", "));
        }
        for s in c.syncs.iter().take(2) {
            lines.push(format!("forced by {} at {} (×{})", s.api, s.location, format::count(s.copies)));
        }
    }
    if row.verdict == Verdict::Bubbles {
        let parts: Vec<String> = bubbles
            .causes
            .iter()
            .filter(|c| c.ns > 0)
            .map(|c| format!("{} {}", c.cause.label(), format::pct(format::share(c.ns, bubbles.idle_ns))))
            .collect();
        if !parts.is_empty() {
            lines.push(parts.join(", "));
        }
        if let Some(g) = bubbles.largest.first() {
            lines.push(format!("longest gap {} ({})", format::duration_ns(g.dur_ns), g.cause.label()));
        }
    }
    lines
}

/// One line of stage-wide sweep figures, shown under the table.
#[must_use]
pub fn sweep_line(o: &OverlapTable) -> String {
    let s = &o.sweep;
    let mut parts = vec![format!(
        "Sweep: GPU busy {} on {} stream{} (up to {} at once), overlapped {} ({} of busy), idle {} inside steps",
        format::ms(s.busy_ns),
        format::count(u64::from(s.streams)),
        if s.streams == 1 { "" } else { "s" },
        format::count(u64::from(s.max_concurrent_streams)),
        format::ms(s.overlap_ns),
        format::pct(format::share(s.overlap_ns, s.busy_ns)),
        format::ms(s.idle_ns)
    )];
    if s.comm_ns > 0 {
        parts.push(format!(
            "communication {} ({} exposed)",
            format::ms(s.comm_ns),
            format::ms(s.exposed_comm_ns)
        ));
    }
    if s.copy_ns > 0 {
        parts.push(format!(
            "copies/fills {} ({} exposed)",
            format::ms(s.copy_ns),
            format::ms(s.exposed_copy_ns)
        ));
    }
    parts.join(" · ")
}

/// The busiest-step strip a report carries, as text (what a shared link shows instead of
/// the interactive timeline): a `busiest step <annotation>:` line, one `dev D stream S`
/// line of glyphs per stream, and the `overlap` line (`^` where two or more streams were
/// busy).
#[must_use]
pub fn strip_text(t: &TimelineSummary) -> String {
    let mut lines = vec![format!(
        "busiest step{}:",
        if t.step.is_empty() { String::new() } else { format!(" {}", t.step) }
    )];
    for lane in &t.lanes {
        lines.push(format!("dev {} stream {:<5} {}", lane.device, lane.stream, lane.strip));
    }
    lines.push(format!("{:<20} {}", "overlap", t.overlap));
    lines.join("\n")
}

/// The presentation table of a stage's overlap rows.
#[must_use]
pub fn table(overlap: &OverlapTable, min_share_pct: f64) -> Table {
    let columns = COLUMNS.iter().map(|&(label, align)| Column { label, align }).collect();
    let rows = overlap
        .rows
        .iter()
        .map(|row| {
            let mut scope = row.python_scope.clone();
            if let Some(tag) = super::view::location_tag(row.via, row.graph, None) {
                scope.push_str(&format!(" [{tag}]"));
            }
            vec![
                Cell { sort: Some(f64::from(row.priority)), ..Cell::text(format!("P{}", row.priority)) },
                Cell::text(row.verdict.label()),
                Cell::text(row.kernel.clone()),
                Cell::text(scope),
                Cell {
                    sort: Some(row.exposed_ns as f64),
                    bar: Some(row.share_pct),
                    ..Cell::text(signal(row, overlap.sweep.busy_ns))
                },
                Cell::ms(row.recoverable_ns),
                Cell::text(row.dep_risk.label()),
                Cell::text(row.recommendation.label()),
                Cell {
                    lines: evidence(row, &overlap.bubbles),
                    sort: None,
                    bar: None,
                    raw: None,
                    badge: None,
                },
            ]
        })
        .collect();
    let empty = if !overlap.computed {
        "Overlap analysis did not run for this stage.".to_owned()
    } else if overlap.serial_folded_rows > 0 {
        "No row to show: the mostly exposed kernel families that reach the cutoff ran on a single busy stream with nothing beside them (folded away, see below)."
            .to_owned()
    } else if overlap.hidden_rows > 0 {
        format!(
            "No exposed or overlapped kernel family, and no idle time, reaches {} share.",
            format::pct(min_share_pct)
        )
    } else {
        "Nothing to report: no kernel family is mostly exposed or mostly hidden, and the GPU has no idle time inside steps."
            .to_owned()
    };
    let mut footer = Vec::new();
    if overlap.computed {
        footer.push(sweep_line(overlap));
    }
    if overlap.hidden_rows > 0 {
        footer.push(format!(
            "{} more candidate row{} below the {} share cutoff: {} ({} of GPU busy time)",
            format::count(overlap.hidden_rows),
            if overlap.hidden_rows == 1 { "" } else { "s" },
            format::pct(min_share_pct),
            format::ms(overlap.hidden_ns),
            format::pct(format::share(overlap.hidden_ns, overlap.sweep.busy_ns))
        ));
    }
    if overlap.serial_folded_rows > 0 {
        footer.push(serial_line(overlap));
    }
    Table { columns, rows, empty, footer: (!footer.is_empty()).then(|| footer.join(" · ")) }
}

/// The footer's count of serial rows folded away.
fn serial_line(overlap: &OverlapTable) -> String {
    let n = overlap.serial_folded_rows;
    format!(
        "{} row{} on a single busy stream folded away ({}, {} of GPU busy time): no other stream had work in their steps, so nothing could overlap {}",
        format::count(n),
        if n == 1 { "" } else { "s" },
        format::ms(overlap.serial_folded_ns),
        format::pct(format::share(overlap.serial_folded_ns, overlap.sweep.busy_ns)),
        if n == 1 { "it" } else { "them" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recoverable_column_and_serial_footer() {
        let row = OverlapRow {
            row_id: String::new(),
            priority: 2,
            verdict: Verdict::Headroom,
            kernel: "ncclDevKernel_AllReduce".to_owned(),
            category: Some(Category::Communication),
            python_scope: "unmapped".to_owned(),
            graph: false,
            via: engine::vocab::Via::None,
            launches: 4,
            total_ns: 80_000,
            exclusive_ns: 80_000,
            hidden_ns: 0,
            hidden_by_compute_ns: 0,
            exposed_ns: 80_000,
            recoverable_ns: 80_000,
            share_pct: 16.9,
            dep_risk: DepRisk::High,
            dep_signal: String::new(),
            recommendation: Recommendation::CheckDeps,
            waiting: None,
            copies: None,
        };
        let mut o = OverlapTable {
            computed: true,
            rows: vec![row],
            serial_folded_rows: 3,
            serial_folded_ns: 12_400_000,
            ..OverlapTable::default()
        };
        o.sweep.busy_ns = 24_800_000;
        let t = table(&o, 1.0);
        let col = t.columns.iter().position(|c| c.label == "Recoverable").expect("a recoverable column");
        assert_eq!(t.columns.get(col).map(|c| c.align), Some(Align::Right));
        let cell = t.rows.first().and_then(|r| r.get(col)).expect("a cell");
        assert_eq!((cell.joined(""), cell.csv_value()), ("0.08 ms".to_owned(), "0.080000".to_owned()));
        let footer = t.footer.unwrap_or_default();
        assert!(
            footer.contains("3 rows on a single busy stream folded away (12.40 ms, 50.0% of GPU busy time)"),
            "{footer}"
        );
        // With every row folded, the empty row says why.
        o.rows.clear();
        o.serial_folded_rows = 1;
        let t = table(&o, 1.0);
        assert!(t.empty.contains("single busy stream"), "{}", t.empty);
        assert!(t.footer.unwrap_or_default().contains("1 row on a single busy stream folded away"));
    }

    #[test]
    fn strip_text_lists_streams_and_overlap() {
        let lane =
            |stream: i64, strip: &str| StripLane { device: 0, stream, busy_ns: 0, strip: strip.to_owned() };
        let t = TimelineSummary {
            step: "step[DECODE bs=4]".to_owned(),
            lanes: vec![lane(7, "GG=="), lane(12, ".++.")],
            overlap: " ^^ ".to_owned(),
            ..TimelineSummary::default()
        };
        assert_eq!(
            strip_text(&t),
            "busiest step step[DECODE bs=4]:\n\
             dev 0 stream 7     GG==\n\
             dev 0 stream 12    .++.\n\
             overlap               ^^ "
        );
        // The overlap label is padded to 20 columns, then one space before the glyphs.
        let unnamed =
            TimelineSummary { step: String::new(), lanes: vec![lane(7, "G")], overlap: "^".to_owned(), ..t };
        assert_eq!(
            strip_text(&unnamed),
            format!("busiest step:\ndev 0 stream 7     G\noverlap{}^", " ".repeat(14))
        );
    }
}
