//! Presentation tables of the all-ranks report: display cells built once for every front
//! end (CLI markdown, the browser), with every number formatted by [`crate::format`].

use super::{Alignment, CollectiveRow, RanksReport, RanksStage, SpreadRow};
use crate::format;
use crate::table::{Cell, Column, Table};

/// What every front end says first about the inputs cut short: one line each, "X ends
/// early at byte N: …" (the same sentence as a single trace's; X is the file name, as in
/// the notes: a `.ttr` file keeps the path its trace had where it was reduced).
#[must_use]
pub fn truncations(r: &RanksReport) -> Vec<String> {
    r.inputs
        .iter()
        .filter_map(|i| {
            let cut = i.ends_early?;
            let name = engine::discover::file_name(&i.path);
            Some(match cut.at_byte {
                Some(at) => format!(
                    "{name} ends early at byte {}: the GPU events after it are missing, so rank {}'s figures cover only what came before.",
                    format::count(at),
                    i.rank
                ),
                None => format!(
                    "{name} ends early: the GPU events after the cut are missing, so rank {}'s figures cover only what came before.",
                    i.rank
                ),
            })
        })
        .collect()
}

/// The header block: `(label, value)` lines in display order.
#[must_use]
pub fn header(r: &RanksReport) -> Vec<(&'static str, String)> {
    let mut ranks: Vec<i64> = r.inputs.iter().map(|i| i.rank).collect();
    ranks.dedup();
    let world: Vec<i64> = {
        let mut w: Vec<i64> = r.inputs.iter().filter_map(|i| i.world_size).collect();
        engine::order::sort_by(&mut w, Ord::cmp);
        w.dedup();
        w
    };
    let mut rank_line =
        format!("{} ({})", ranks.len(), ranks.iter().map(i64::to_string).collect::<Vec<_>>().join(", "));
    if let [w] = world.as_slice() {
        rank_line.push_str(&format!(" of world size {w}"));
    }
    let mut lines = vec![("Ranks", rank_line)];
    let paths: Vec<&str> = r.inputs.iter().map(|i| i.path.as_str()).collect();
    lines.push(("Input traces", paths.join(", ")));
    if let Some(model) = &r.model {
        lines.push(("Model", model.clone()));
    }
    let mut gpus: Vec<String> = Vec::new();
    for i in &r.inputs {
        let g = i.gpu.clone().filter(|g| !g.is_empty()).unwrap_or_else(|| "unknown GPU".to_owned());
        if !gpus.contains(&g) {
            gpus.push(g);
        }
    }
    if !gpus.is_empty() {
        lines.push(("GPU", gpus.join("; ")));
    }
    lines.push(("Alignment", alignment_line(r)));
    lines
}

/// How the traces were aligned, with the offsets when any is not zero.
#[must_use]
pub fn alignment_line(r: &RanksReport) -> String {
    let mut methods: Vec<Alignment> = r.inputs.iter().map(|i| i.alignment).collect();
    engine::order::sort_by_key(&mut methods, |m| m.id());
    methods.dedup();
    let what = |m: Alignment| match m {
        Alignment::BaseTime => "baseTimeNanoseconds",
        Alignment::FirstCollective => "end of the first collective common to every rank",
        Alignment::None => "none (times as written)",
    };
    let mut line = methods.iter().map(|&m| what(m)).collect::<Vec<_>>().join("; ");
    if r.inputs.iter().all(|i| i.offset_ns == 0) {
        if methods.contains(&Alignment::BaseTime) {
            line.push_str(" (the same on every trace: no shift)");
        }
    } else {
        let offsets: Vec<String> = r
            .inputs
            .iter()
            .map(|i| {
                let sign = if i.offset_ns > 0 { "+" } else { "" };
                format!("rank {} {sign}{}", i.rank, format::duration_ns(i.offset_ns))
            })
            .collect();
        line.push_str(&format!(" (shifts: {})", offsets.join(", ")));
    }
    line
}

/// A time with its share of a whole: `12.34 ms (45.6%)`.
fn ms_share_cell(ns: i64, whole: i64) -> Cell {
    let mut c = Cell::ms(ns);
    if let Some(line) = c.lines.first_mut() {
        line.push_str(&format!(" ({})", format::pct(format::share(ns, whole))));
    }
    c
}

/// The per-rank table of a stage.
#[must_use]
pub fn rank_table(s: &RanksStage) -> Table {
    let columns = vec![
        Column::right("Rank"),
        Column::right("GPU busy"),
        Column::right("Wall"),
        Column::right("Utilization"),
        Column::right("In collectives"),
        Column::right("Waiting (share of collectives)"),
        Column::right("Communication"),
        Column::right("Exposed communication"),
        Column::right("Exposed waiting"),
        Column::right("Collectives"),
        Column::right("Last in"),
    ];
    let rows = s
        .figures
        .iter()
        .map(|f| {
            vec![
                Cell::num(f.rank.to_string(), f.rank as f64, f.rank.to_string()),
                Cell::ms(f.busy_ns),
                Cell::ms(f.span_ns),
                Cell::pct(f.utilization_pct),
                Cell::ms(f.comm_ns),
                ms_share_cell(f.wait_ns, f.comm_ns),
                Cell::ms(f.transfer_ns),
                Cell::ms(f.exposed_ns),
                Cell::ms(f.exposed_wait_ns),
                Cell::count(f.collectives),
                Cell::count(f.last_arrivals),
            ]
        })
        .collect();
    let comm: i64 = s.figures.iter().map(|f| f.comm_ns).sum();
    let wait: i64 = s.figures.iter().map(|f| f.wait_ns).sum();
    let footer = (comm > 0).then(|| {
        format!(
            "Σ over ranks: {} in collectives, of which {} waiting for peers ({}) and {} communicating",
            format::ms(comm),
            format::ms(wait),
            format::pct(format::share(wait, comm)),
            format::ms(comm - wait)
        )
    });
    Table { columns, rows, empty: "No rank has GPU work in this stage.".to_owned(), footer }
}

fn ranks_text(ranks: &[i64]) -> String {
    let contiguous = ranks.windows(2).all(|w| matches!(w, [a, b] if *b == a + 1));
    match ranks {
        [] => "-".to_owned(),
        [one] => one.to_string(),
        [first, .., last] if contiguous && ranks.len() > 2 => format!("{first}–{last}"),
        _ => ranks.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
    }
}

fn kernel_lines(kernels: &[String]) -> Vec<String> {
    const SHOWN: usize = 3;
    let mut lines: Vec<String> = kernels.iter().take(SHOWN).cloned().collect();
    if kernels.len() > SHOWN {
        lines.push(format!("… {} more", kernels.len() - SHOWN));
    }
    if lines.is_empty() {
        lines.push("-".to_owned());
    }
    lines
}

fn matched_cell(c: &CollectiveRow) -> Cell {
    let mut cell = Cell::count(c.matched);
    if !c.unmatched.is_empty() {
        let extra: Vec<String> =
            c.unmatched.iter().map(|u| format!("rank {} +{}", u.rank, format::count(u.count))).collect();
        cell.lines.push(format!("unmatched: {}", extra.join(", ")));
    }
    if c.name_mismatches > 0 {
        cell.lines.push(format!("{} with different kernels", format::count(c.name_mismatches)));
    }
    cell
}

fn last_cell(c: &CollectiveRow) -> Cell {
    match c.last_rank {
        Some(rank) => {
            let share = if c.matched > 0 { 100.0 * c.last_count as f64 / c.matched as f64 } else { 0.0 };
            let mut cell = Cell::num(
                format!("rank {rank} ({} of {})", format::count(c.last_count), format::count(c.matched)),
                share,
                rank.to_string(),
            );
            let others: Vec<String> = c
                .ranks
                .iter()
                .zip(&c.last_counts)
                .map(|(r, n)| format!("{r}: {}", format::count(*n)))
                .collect();
            cell.lines.push(format!("per rank {}", others.join(" · ")));
            cell
        }
        None => Cell::text("-"),
    }
}

/// The collective skew table of a stage: one row per collective family.
#[must_use]
pub fn collective_table(s: &RanksStage) -> Table {
    let columns = vec![
        Column::left("Collective"),
        Column::left("Kernels"),
        Column::left("Ranks"),
        Column::right("Matched"),
        Column::right("Skew median"),
        Column::right("Skew p90"),
        Column::right("Skew max"),
        Column::right("Skew total"),
        Column::left("Last in most often"),
        Column::right("Waiting (share of their time)"),
        Column::right("End spread median"),
    ];
    let rows = s
        .collectives
        .iter()
        .map(|c| {
            vec![
                Cell::text(c.family.label()),
                Cell::lines(kernel_lines(&c.kernels)),
                Cell::text(ranks_text(&c.ranks)),
                matched_cell(c),
                Cell::duration(c.skew_median_ns),
                Cell::duration(c.skew_p90_ns),
                Cell::duration(c.skew_max_ns),
                Cell::ms(c.skew_total_ns),
                last_cell(c),
                ms_share_cell(c.wait_ns, c.comm_ns),
                Cell::duration(c.end_spread_median_ns),
            ]
        })
        .collect();
    Table { columns, rows, empty: "No collectives in this stage.".to_owned(), footer: None }
}

fn launches_text(row: &SpreadRow) -> String {
    let min = row.per_rank_launches.iter().copied().min().unwrap_or(0);
    let max = row.per_rank_launches.iter().copied().max().unwrap_or(0);
    if min == max { format::count(min) } else { format!("{}–{}", format::count(min), format::count(max)) }
}

/// The per-kernel spread table of a stage (`ranks`: the stage's ranks, for the per-rank
/// column).
#[must_use]
pub fn spread_table(s: &RanksStage, min_share_pct: f64) -> Table {
    let k = &s.kernels;
    let columns = vec![
        Column::left("Kernel"),
        Column::left("Category"),
        Column::right("Launches"),
        Column::right("Min"),
        Column::right("Median"),
        Column::right("Max"),
        Column::right("Spread"),
        Column::right("Share"),
        Column::left("Per rank"),
    ];
    let rows = k
        .rows
        .iter()
        .map(|row| {
            let mut min = Cell::ms(row.min_ns);
            let mut max = Cell::ms(row.max_ns);
            if row.max_ns > row.min_ns {
                if let Some(l) = min.lines.first_mut() {
                    l.push_str(&format!(" (rank {})", row.min_rank));
                }
                if let Some(l) = max.lines.first_mut() {
                    l.push_str(&format!(" (rank {})", row.max_rank));
                }
            }
            let mut share = Cell::pct(row.share_pct);
            share.bar = Some(row.share_pct);
            let per_rank: Vec<String> = s
                .ranks
                .iter()
                .zip(&row.per_rank_ns)
                .map(|(r, ns)| format!("{r}: {}", format::ms(*ns)))
                .collect();
            vec![
                Cell::text(row.name.clone()),
                Cell::text(row.category.label()),
                Cell::text(launches_text(row)),
                min,
                Cell::ms(row.median_ns),
                max,
                Cell::pct(row.spread_pct),
                share,
                Cell::text(per_rank.join(" · ")),
            ]
        })
        .collect();
    let footer = (k.hidden_rows > 0).then(|| {
        format!(
            "{} on every rank: {} of median GPU time ({})",
            crate::view::more_kernels(k.hidden_rows, min_share_pct),
            format::ms(k.hidden_ns),
            format::pct(format::share(k.hidden_ns, k.total_ns))
        )
    });
    Table {
        columns,
        rows,
        empty: format!("No kernel at or above {} share on any rank.", format::pct(min_share_pct)),
        footer,
    }
}
