//! Presentation tables of a diff: display cells built once for every front end (the CLI's
//! markdown, the browser's compare view), with numbers formatted only by
//! [`crate::format`]. Changes read `B − A`; relative changes are against A.

use super::{
    Amount, DiffReport, GroupDiff, KernelDiff, Presence, Rows, Side, SideVerdict, StageDiff, StageFigures,
};
use crate::format;
use crate::table::{Align, Cell, Column, Table};
use engine::vocab::MatchKind;

/// The header block: `(label, value)` lines in display order.
#[must_use]
pub fn header(d: &DiffReport) -> Vec<(&'static str, String)> {
    let run = |s: &Side| {
        let mut parts = vec![s.framework.clone()];
        parts.extend(s.gpu.clone());
        parts.extend(s.model.clone());
        parts.join(" · ")
    };
    let rows = if d.top == 0 {
        "every row".to_owned()
    } else {
        format!("top {} rows per table", format::count(u64::from(d.top)))
    };
    vec![
        ("A", d.a.source.clone()),
        ("B", d.b.source.clone()),
        ("A run", run(&d.a)),
        ("B run", run(&d.b)),
        ("Changes", format!("B − A, largest absolute GPU-time change first; {rows}")),
    ]
}

/// The stage's own labels in A and B, when either differs from the compared stage's heading
/// (`A: decode (rank 1) · B: decode`); `None` when both read as the heading.
#[must_use]
pub fn sides_line(s: &StageDiff) -> Option<String> {
    (s.a_label != s.label || s.b_label != s.label).then(|| format!("A: {} · B: {}", s.a_label, s.b_label))
}

/// The verdicts of A and B side by side: `(side, verdict line or why there is none, the
/// fix-first lines)`.
#[must_use]
pub fn verdicts(s: &StageDiff) -> [(&'static str, String, &[String]); 2] {
    let text = |v: &SideVerdict| {
        if v.text.is_empty() {
            "No verdict: this report was made before verdicts were computed.".to_owned()
        } else {
            v.text.clone()
        }
    };
    [("A", text(&s.a_verdict), &s.a_verdict.fix_first), ("B", text(&s.b_verdict), &s.b_verdict.fix_first)]
}

fn delta_ms_cell(ns: i64) -> Cell {
    Cell::num(format::delta_ms(ns), ns as f64, format!("{:.6}", ns as f64 / 1e6))
}

fn points_cell(points: f64) -> Cell {
    Cell::num(format::delta_points(points), points, format!("{points:.3}"))
}

fn count_cell(n: i64) -> Cell {
    Cell::num(format::count(n.unsigned_abs()), n as f64, n.to_string())
}

fn delta_count_cell(n: i64) -> Cell {
    Cell::num(format::delta_count(n), n as f64, n.to_string())
}

/// `(b − a) / a` as a signed percentage; `new` when A had none, `-` when neither had any.
fn relative_cell(a: i64, b: i64) -> Cell {
    if a > 0 {
        let v = 100.0 * (b as f64 - a as f64) / a as f64;
        Cell::num(format::delta_pct(v), v, format!("{v:.3}"))
    } else if b != 0 {
        Cell::blank("new")
    } else {
        Cell::text("-")
    }
}

fn na() -> Cell {
    Cell::text("n/a")
}

/// A stage's headline figures side by side.
#[must_use]
pub fn summary_table(s: &StageDiff) -> Table {
    let (a, b, d) = (&s.summary.a, &s.summary.b, &s.summary.delta);
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut time = |label: &str, f: fn(&StageFigures) -> Option<i64>| {
        if f(a).is_none() && f(b).is_none() {
            return;
        }
        let cell = |v: Option<i64>| v.map_or_else(na, Cell::ms);
        rows.push(vec![
            Cell::text(label),
            cell(f(a)),
            cell(f(b)),
            f(d).map_or_else(na, delta_ms_cell),
            match (f(a), f(b)) {
                (Some(x), Some(y)) => relative_cell(x, y),
                _ => na(),
            },
        ]);
    };
    time("GPU busy", |f| Some(f.busy_ns));
    time("GPU wall (steps)", |f| Some(f.span_ns));
    time("Σ kernel time", |f| Some(f.kernel_ns));
    time("GPU busy per step", |f| f.busy_per_step_ns);
    time("Graph-replayed time", |f| Some(f.graph_replay_ns));
    time("Idle inside steps (bubbles)", |f| f.idle_ns);
    time("Multi-stream overlap", |f| f.overlap_ns);
    time("Communication", |f| f.comm_ns);
    time("Exposed communication", |f| f.exposed_comm_ns);
    time("Exposed copies", |f| f.exposed_copy_ns);
    let mut counts = vec![
        vec![
            Cell::text("Utilization"),
            Cell::share(a.utilization_pct),
            Cell::share(b.utilization_pct),
            points_cell(d.utilization_pct),
            Cell::text("-"),
        ],
        vec![
            Cell::text("Launches"),
            count_cell(a.launches),
            count_cell(b.launches),
            delta_count_cell(d.launches),
            relative_cell(a.launches, b.launches),
        ],
        vec![
            Cell::text("Steps"),
            count_cell(a.steps),
            count_cell(b.steps),
            delta_count_cell(d.steps),
            relative_cell(a.steps, b.steps),
        ],
    ];
    if a.gaps.is_some() || b.gaps.is_some() {
        let cell = |v: Option<i64>| v.map_or_else(na, count_cell);
        counts.push(vec![
            Cell::text("Idle gaps"),
            cell(a.gaps),
            cell(b.gaps),
            d.gaps.map_or_else(na, delta_count_cell),
            match (a.gaps, b.gaps) {
                (Some(x), Some(y)) => relative_cell(x, y),
                _ => na(),
            },
        ]);
    }
    // Utilization after busy and wall, counts at the end.
    let mut counts = counts.into_iter();
    if let Some(util) = counts.next() {
        rows.insert(2.min(rows.len()), util);
    }
    rows.extend(counts);
    Table {
        columns: vec![
            Column::left("Figure"),
            Column::right("A"),
            Column::right("B"),
            Column::right("Δ"),
            Column::right("Δ %"),
        ],
        rows,
        empty: "No figures.".to_owned(),
        footer: None,
    }
}

/// Idle time per cause side by side.
#[must_use]
pub fn bubbles_table(s: &StageDiff) -> Table {
    let rows = s
        .bubbles
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.cause.label()),
                Cell::ms(c.a_ns),
                Cell::ms(c.b_ns),
                delta_ms_cell(c.delta_ns),
                relative_cell(c.a_ns, c.b_ns),
            ]
        })
        .collect();
    Table {
        columns: vec![
            Column::left("Idle cause"),
            Column::right("A"),
            Column::right("B"),
            Column::right("Δ"),
            Column::right("Δ %"),
        ],
        rows,
        empty: "No idle time inside steps on either side.".to_owned(),
        footer: None,
    }
}

/// The side-by-side figures of a row: A time, B time, Δ time, Δ %, A share, B share, Δ share.
fn pair_cells(a: &Amount, b: &Amount, delta_ns: i64, delta_share: f64) -> Vec<Cell> {
    vec![
        Cell::ms(a.gpu_ns),
        Cell::ms(b.gpu_ns),
        delta_ms_cell(delta_ns),
        relative_cell(a.gpu_ns, b.gpu_ns),
        Cell::share(a.share_pct),
        Cell::share(b.share_pct),
        points_cell(delta_share),
    ]
}

const PAIR_COLUMNS: [(&str, Align); 7] = [
    ("A time", Align::Right),
    ("B time", Align::Right),
    ("Δ time", Align::Right),
    ("Δ %", Align::Right),
    ("A share", Align::Right),
    ("B share", Align::Right),
    ("Δ share", Align::Right),
];

fn columns(first: &[(&'static str, Align)], rest: &[(&'static str, Align)]) -> Vec<Column> {
    first.iter().chain(rest).map(|&(label, align)| Column::new(label, align)).collect()
}

/// `N more <what> (A x ms, B y ms)` for rows left out by the `top` limit (`what`:
/// singular and plural).
fn omitted_footer<T>(rows: &Rows<T>, what: (&str, &str)) -> Option<String> {
    (rows.omitted > 0).then(|| {
        format!(
            "{} more {} not shown: A {}, B {}",
            format::count(rows.omitted),
            if rows.omitted == 1 { what.0 } else { what.1 },
            format::ms(rows.omitted_a_ns),
            format::ms(rows.omitted_b_ns)
        )
    })
}

/// Kernel categories side by side.
#[must_use]
pub fn categories_table(s: &StageDiff) -> Table {
    let rows = s
        .categories
        .iter()
        .map(|g| {
            let mut row = vec![Cell::text(g.key.clone())];
            row.extend(pair_cells(&g.a, &g.b, g.delta_ns, g.delta_share_pct));
            row
        })
        .collect();
    Table {
        columns: columns(&[("Category", Align::Left)], &PAIR_COLUMNS),
        rows,
        empty: "No listed kernels on either side.".to_owned(),
        footer: unlisted_footer(s),
    }
}

/// Kernel families side by side.
#[must_use]
pub fn families_table(s: &StageDiff) -> Table {
    let rows = s
        .families
        .rows
        .iter()
        .map(|g: &GroupDiff| {
            let mut row = vec![
                Cell::text(g.key.clone()),
                Cell::text(g.category.label()),
                Cell::text(format!("{} / {}", format::count(g.a_kernels), format::count(g.b_kernels))),
            ];
            row.extend(pair_cells(&g.a, &g.b, g.delta_ns, g.delta_share_pct));
            row
        })
        .collect();
    Table {
        columns: columns(
            &[("Family", Align::Left), ("Category", Align::Left), ("Kernels A / B", Align::Left)],
            &PAIR_COLUMNS,
        ),
        rows,
        empty: "No listed kernels on either side.".to_owned(),
        footer: omitted_footer(&s.families, ("family", "families")),
    }
}

/// A name list: the first name and how many more.
fn names_line(prefix: &str, names: &[String]) -> String {
    let first = names.first().map_or("", String::as_str);
    match names.len() {
        0 | 1 => format!("{prefix}{first}"),
        n => format!("{prefix}{first} (+{} more)", n - 1),
    }
}

/// The kernel cell: the name, and for a normalised match each side's names.
fn kernel_cell(k: &KernelDiff) -> Cell {
    if k.matched == MatchKind::Normalised && !(k.a_names.len() == 1 && k.b_names == k.a_names) {
        Cell {
            lines: vec![names_line("A: ", &k.a_names), names_line("B: ", &k.b_names)],
            sort: None,
            bar: None,
            raw: Some(k.name.clone()),
            badge: None,
        }
    } else {
        Cell::text(k.name.clone())
    }
}

/// Kernels listed on both sides.
#[must_use]
pub fn kernels_table(s: &StageDiff) -> Table {
    let rows = s
        .kernels
        .rows
        .iter()
        .map(|k| {
            let mut row = vec![kernel_cell(k), Cell::text(k.category.label()), Cell::text(k.matched.label())];
            row.extend(pair_cells(&k.a, &k.b, k.delta_ns, k.delta_share_pct));
            row.push(count_cell(i64::try_from(k.a.launches).unwrap_or(i64::MAX)));
            row.push(count_cell(i64::try_from(k.b.launches).unwrap_or(i64::MAX)));
            row
        })
        .collect();
    Table {
        columns: columns(
            &[("Kernel", Align::Left), ("Category", Align::Left), ("Match", Align::Left)],
            &[PAIR_COLUMNS.as_slice(), &[("A launches", Align::Right), ("B launches", Align::Right)]]
                .concat(),
        ),
        rows,
        empty: "No kernel is listed on both sides.".to_owned(),
        footer: omitted_footer(&s.kernels, ("kernel", "kernels")),
    }
}

/// Kernels listed on one side only (`Presence::OnlyA` or `Presence::OnlyB`).
#[must_use]
pub fn only_table(s: &StageDiff, presence: Presence) -> Table {
    let (rows, side, other, cutoff) = match presence {
        Presence::OnlyB => (&s.only_b, "B", "A", s.unlisted.a_rows),
        _ => (&s.only_a, "A", "B", s.unlisted.b_rows),
    };
    let body = rows
        .rows
        .iter()
        .map(|k| {
            let amount = if presence == Presence::OnlyB { &k.b } else { &k.a };
            let avg = if amount.launches > 0 {
                amount.gpu_ns / i64::try_from(amount.launches).unwrap_or(i64::MAX)
            } else {
                0
            };
            vec![
                Cell::text(k.name.clone()),
                Cell::text(k.category.label()),
                Cell::ms(amount.gpu_ns),
                Cell::share(amount.share_pct),
                count_cell(i64::try_from(amount.launches).unwrap_or(i64::MAX)),
                Cell::duration(avg),
            ]
        })
        .collect();
    let mut footer: Vec<String> = omitted_footer(rows, ("kernel", "kernels")).into_iter().collect();
    if cutoff > 0 && !rows.rows.is_empty() {
        footer.push(format!(
            "{other}'s report does not list its kernels below the share cutoff: some of these may be there."
        ));
    }
    Table {
        columns: columns(
            &[("Kernel", Align::Left), ("Category", Align::Left)],
            &[
                ("GPU time", Align::Right),
                ("Share", Align::Right),
                ("Launches", Align::Right),
                ("Avg", Align::Right),
            ],
        ),
        rows: body,
        empty: format!("No kernel only in {side}."),
        footer: (!footer.is_empty()).then(|| footer.join(" ")),
    }
}

/// The line under the category table when a report hides rows below its cutoff.
fn unlisted_footer(s: &StageDiff) -> Option<String> {
    let u = &s.unlisted;
    let part = |side: &str, rows: u64, ns: i64| {
        (rows > 0).then(|| {
            format!(
                "{side} {} kernel{} ({})",
                format::count(rows),
                if rows == 1 { "" } else { "s" },
                format::ms(ns)
            )
        })
    };
    let parts: Vec<String> =
        [part("A", u.a_rows, u.a_ns), part("B", u.b_rows, u.b_ns)].into_iter().flatten().collect();
    (!parts.is_empty()).then(|| format!("Not listed (below the report's share cutoff): {}", parts.join(", ")))
}

/// The state change of a fuse pattern: `missing → in use`, `unchanged`, `only in A`, `only in B`.
#[must_use]
pub fn fuse_change(d: &super::fuse::FuseDiff) -> String {
    let words = |s: &super::fuse::FuseSide| crate::fuse::state_words(s.state, d.origin, s.fused_pct);
    match (&d.a, &d.b) {
        (Some(a), Some(b)) if a.state == b.state => "unchanged".to_owned(),
        (Some(a), Some(b)) => format!("{} → {}", words(a), words(b)),
        (Some(_), None) => "only in A".to_owned(),
        (None, _) => "only in B".to_owned(),
    }
}

/// Fuse patterns on both sides: each side's state (a badge on the page) and GPU time, and
/// whether the state changed.
#[must_use]
pub fn fuse_table(s: &StageDiff) -> Table {
    let columns = vec![
        Column::left("Pattern"),
        Column::left("A state"),
        Column::left("B state"),
        Column::left("Change"),
        Column::right("A GPU time"),
        Column::right("B GPU time"),
    ];
    let state = |side: &Option<super::fuse::FuseSide>, origin| match side {
        Some(x) => Cell::badge(crate::fuse::state_words(x.state, origin, x.fused_pct), x.state.id()),
        None => Cell::blank("not listed"),
    };
    let ms = |side: &Option<super::fuse::FuseSide>| {
        side.as_ref().map_or_else(Cell::missing, |x| Cell::ms(x.gpu_ns))
    };
    let rows = s
        .fuse
        .iter()
        .map(|d| {
            vec![
                Cell::text(d.pattern.clone()),
                state(&d.a, d.origin),
                state(&d.b, d.origin),
                Cell::text(fuse_change(d)),
                ms(&d.a),
                ms(&d.b),
            ]
        })
        .collect();
    let changed = s.fuse.iter().filter(|d| d.changed()).count() as u64;
    let one_sided = s.fuse.iter().filter(|d| d.one_sided()).count() as u64;
    let footer = (!s.fuse.is_empty()).then(|| {
        let mut text = match changed {
            0 => "No fuse pattern changed state between A and B".to_owned(),
            1 => "1 fuse pattern changed state between A and B".to_owned(),
            n => format!("{} fuse patterns changed state between A and B", format::count(n)),
        };
        if one_sided > 0 {
            text.push_str(&format!(
                "; {} listed by one side only",
                if one_sided == 1 { "1 is".to_owned() } else { format!("{} are", format::count(one_sided)) }
            ));
        }
        text.push('.');
        text
    });
    Table { columns, rows, empty: "Neither report lists a fuse pattern for this stage.".to_owned(), footer }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{SummaryDiff, Unlisted};
    use engine::vocab::Stage;

    fn stage(label: &str, a_label: &str, b_label: &str) -> StageDiff {
        fn none<T>() -> Rows<T> {
            Rows { rows: Vec::new(), omitted: 0, omitted_a_ns: 0, omitted_b_ns: 0 }
        }
        StageDiff {
            stage: Stage::Decode,
            b_stage: Stage::Decode,
            label: label.to_owned(),
            a_label: a_label.to_owned(),
            b_label: b_label.to_owned(),
            summary: SummaryDiff::default(),
            bubbles: Vec::new(),
            categories: Vec::new(),
            families: none(),
            kernels: none(),
            only_a: none(),
            only_b: none(),
            unlisted: Unlisted::default(),
            notes: Vec::new(),
            a_verdict: SideVerdict::default(),
            b_verdict: SideVerdict::default(),
            fuse: Vec::new(),
        }
    }

    #[test]
    fn verdicts_show_each_side_or_say_there_is_none() {
        let mut s = stage("decode", "decode", "decode");
        s.b_verdict = SideVerdict {
            text: "decode: GEMM-bound — 1 kernel takes 90.0% of GPU time".to_owned(),
            fix_first: vec!["CPU launch gaps: …".to_owned()],
        };
        let [(a, a_text, a_fix), (b, b_text, b_fix)] = verdicts(&s);
        assert_eq!((a, b), ("A", "B"));
        assert!(a_text.starts_with("No verdict") && a_fix.is_empty());
        assert_eq!(b_text, s.b_verdict.text);
        assert_eq!(b_fix, s.b_verdict.fix_first.as_slice());
    }

    #[test]
    fn sides_line_names_differing_stage_labels() {
        assert_eq!(sides_line(&stage("decode", "decode", "decode")), None);
        assert_eq!(
            sides_line(&stage("decode", "decode (rank 1)", "decode")).as_deref(),
            Some("A: decode (rank 1) · B: decode")
        );
    }
}
