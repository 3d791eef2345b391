//! Per-kernel spread over ranks: every kernel's total GPU time in a stage on each rank,
//! keyed by normalised name (so the same kernel matches across ranks even when a tile
//! shape or architecture marker differs), with min / median / max over ranks.

use std::collections::BTreeMap;

use super::reduction::RankReduction;
use super::stats;
use crate::results::ranks::{SpreadRow, SpreadTable};
use crate::results::share;
use crate::vocab::Category;
use crate::vocab::Stage;

#[derive(Default)]
struct Acc {
    per_rank_ns: Vec<i64>,
    per_rank_launches: Vec<u64>,
    /// Canonical name → Σ ns over ranks (the display name is the largest).
    names: BTreeMap<String, i64>,
    category: Option<Category>,
}

/// The spread table of `stage` over `members` (in the stage's rank order). Rows are kept
/// when some rank spends at least `min_share_pct` of its stage kernel time in them.
#[must_use]
pub(crate) fn table(members: &[(i64, &RankReduction)], stage: Stage, min_share_pct: f64) -> SpreadTable {
    let n = members.len();
    let mut rows: BTreeMap<String, Acc> = BTreeMap::new();
    let mut totals = vec![0i64; n];
    for (slot, (_, member)) in members.iter().enumerate() {
        let Some(group) = member.stage(stage) else { continue };
        for kernel in &group.kernels {
            let acc = rows.entry(member.name(kernel.norm).to_owned()).or_insert_with(|| Acc {
                per_rank_ns: vec![0; n],
                per_rank_launches: vec![0; n],
                ..Acc::default()
            });
            if let Some(v) = acc.per_rank_ns.get_mut(slot) {
                *v += kernel.ns;
            }
            if let Some(v) = acc.per_rank_launches.get_mut(slot) {
                *v += kernel.launches;
            }
            for &(canonical, ns) in &kernel.canonical {
                *acc.names.entry(member.name(canonical).to_owned()).or_insert(0) += ns;
            }
            acc.category.get_or_insert(kernel.category);
            if let Some(t) = totals.get_mut(slot) {
                *t += kernel.ns;
            }
        }
    }
    let mut built: Vec<(SpreadRow, f64)> = rows
        .into_values()
        .map(|acc| {
            let name = acc
                .names
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(k, _)| k.clone())
                .unwrap_or_default();
            let mut sorted = acc.per_rank_ns.clone();
            let median_ns = stats::median(&mut sorted);
            let min_ns = sorted.first().copied().unwrap_or(0);
            let max_ns = sorted.last().copied().unwrap_or(0);
            let rank_where = |v: i64| {
                acc.per_rank_ns.iter().position(|&x| x == v).and_then(|i| members.get(i)).map_or(0, |m| m.0)
            };
            let max_share =
                acc.per_rank_ns.iter().zip(&totals).map(|(&ns, &t)| share(ns, t)).fold(0.0f64, f64::max);
            let row = SpreadRow {
                name,
                category: acc.category.unwrap_or(Category::Other),
                min_rank: rank_where(min_ns),
                max_rank: rank_where(max_ns),
                spread_pct: if median_ns > 0 {
                    100.0 * (max_ns - min_ns) as f64 / median_ns as f64
                } else {
                    0.0
                },
                per_rank_ns: acc.per_rank_ns,
                per_rank_launches: acc.per_rank_launches,
                min_ns,
                median_ns,
                max_ns,
                share_pct: 0.0,
            };
            (row, max_share)
        })
        .collect();
    let total_ns: i64 = built.iter().map(|(r, _)| r.median_ns).sum();
    crate::order::sort_by(&mut built, |a, b| {
        b.0.median_ns
            .cmp(&a.0.median_ns)
            .then(b.0.max_ns.cmp(&a.0.max_ns))
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    let mut out = SpreadTable { total_ns, ..SpreadTable::default() };
    for (mut row, max_share) in built {
        row.share_pct = share(row.median_ns, total_ns);
        if max_share >= min_share_pct {
            out.rows.push(row);
        } else {
            out.hidden_rows += 1;
            out.hidden_ns += row.median_ns;
        }
    }
    out
}
