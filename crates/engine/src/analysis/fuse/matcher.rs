//! Matching one stage's kernel rows against the catalog's fuse patterns, conflict
//! resolution, and the near-miss note.

use super::context::{Context, kernel_base};
use crate::catalog::Catalog;
use crate::catalog::fuse::{MatchMode, Pattern, SignalSet};
use crate::catalog::tokens::Tokens;
use crate::results::fuse::{Confidence, FuseKernel, FuseRow, FuseState, FuseTable, NearMiss, Similarity};
use crate::results::kernels::{KernelRow, KernelTable};
use crate::results::share;

/// Locations kept per evidence kernel.
const LOCATIONS_PER_KERNEL: usize = 4;

/// What the signals of one kernel row are matched against.
#[derive(Clone, Debug)]
pub(super) struct RowFacts {
    /// Tokens of the demangled base name.
    pub base: Tokens,
    /// Tokens of each distinct CPU op of the row's sites.
    pub ops: Vec<Tokens>,
    /// `(path, function)` of every Python frame of the row's sites (location and stack).
    pub frames: Vec<(String, String)>,
}

/// `path:line function` → (`path`, `function`).
fn split_frame(frame: &str) -> Option<(String, String)> {
    let (head, func) = frame.trim().split_once(' ')?;
    let path = match head.rsplit_once(':') {
        Some((p, line)) if line.bytes().all(|b| b.is_ascii_digit()) => p,
        _ => head,
    };
    Some((path.to_owned(), func.trim().to_owned()))
}

impl RowFacts {
    /// The facts of a kernel-table row.
    #[must_use]
    pub(super) fn of(row: &KernelRow) -> RowFacts {
        let mut ops: Vec<&str> =
            row.sites.iter().map(|s| s.cpu_op.as_str()).filter(|o| !o.is_empty()).collect();
        crate::order::sort_by(&mut ops, Ord::cmp);
        ops.dedup();
        let mut frames: Vec<(String, String)> = Vec::new();
        for site in &row.sites {
            let all = std::iter::once(site.location.as_str()).chain(site.stack.split(" -> "));
            for f in all.filter(|f| !f.is_empty() && *f != "unresolved").filter_map(split_frame) {
                if !frames.contains(&f) {
                    frames.push(f);
                }
            }
        }
        RowFacts {
            base: Tokens::new(&kernel_base(&row.name)),
            ops: ops.into_iter().map(Tokens::new).collect(),
            frames,
        }
    }

    /// Whether the row matches a signal set.
    #[must_use]
    pub(super) fn matches(&self, set: &SignalSet) -> bool {
        let kernel = set.kernel.iter().any(|s| s.matches(&self.base));
        let op = set.cpu_op.iter().any(|s| self.ops.iter().any(|o| s.matches(o)));
        let py = set.python.iter().any(|s| self.frames.iter().any(|(p, f)| s.matches(p, f)));
        match set.mode {
            MatchMode::Any => kernel || op || py,
            MatchMode::All => {
                !set.is_empty()
                    && (set.kernel.is_empty() || kernel)
                    && (set.cpu_op.is_empty() || op)
                    && (set.python.is_empty() || py)
            }
        }
    }
}

/// A pattern's gates: `None` when one fails outright, else the sentences of the gates that
/// could not be decided (empty: all hold).
fn gates(p: &Pattern, ctx: &Context) -> Option<Vec<String>> {
    let info = &ctx.info;
    if p.framework != "any" && p.framework != info.framework {
        return None;
    }
    if let (Some(want), Some(have)) = (p.platform, info.platform)
        && want != have
    {
        return None;
    }
    if !p.dtypes.is_empty() && !info.dtypes.iter().any(|e| p.dtypes.contains(&e.dtype)) {
        return None;
    }
    let mut undecided = Vec::new();
    if let Some(min) = p.min_tp_size {
        match info.tp_size {
            Some(tp) if tp < min => return None,
            Some(_) => {}
            None => undecided
                .push(format!("the tensor-parallel size is unknown (the pattern needs {min} or more)")),
        }
    }
    if ctx.model_texts.iter().any(|m| p.model_exclude.iter().any(|x| m.contains(x.as_str()))) {
        return None;
    }
    if !p.model_include.is_empty() {
        if ctx.model_texts.is_empty() {
            undecided.push(format!(
                "the model is unknown (the pattern is for models whose name contains {})",
                p.model_include.join(" or ")
            ));
        } else if !ctx.model_texts.iter().any(|m| p.model_include.iter().any(|x| m.contains(x.as_str()))) {
            return None;
        }
    }
    Some(undecided)
}

/// The rows a pattern's signals match: fused path, then each split group.
struct Hits {
    fused: Vec<usize>,
    groups: Vec<Vec<usize>>,
}

/// A match on the rows still available.
struct Found {
    /// Row index and role (`fused` or a group name), fused rows first, without repeats.
    related: Vec<(usize, String)>,
    gpu_ns: i64,
    fused_present: bool,
    /// Every split group has a kernel among the rows still available.
    split_present: bool,
}

/// How a row is held by the patterns accepted so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Held {
    /// By none.
    Free,
    /// As split evidence of a family: it may still prove another family's fused path.
    Split,
    /// As a family's fused path: it belongs to that family alone.
    Fused,
}

fn evaluate(p: &Pattern, hits: &Hits, held: &[Held], rows: &[KernelRow], total: i64) -> Option<Found> {
    let fused: Vec<usize> =
        hits.fused.iter().copied().filter(|&i| held.get(i).is_some_and(|h| *h != Held::Fused)).collect();
    let groups: Vec<Vec<usize>> = hits
        .groups
        .iter()
        .map(|g| g.iter().copied().filter(|&i| held.get(i) == Some(&Held::Free)).collect())
        .collect();
    let has_fused = !fused.is_empty();
    let has_split = !groups.is_empty() && groups.iter().all(|g: &Vec<usize>| !g.is_empty());
    if !has_fused && !has_split {
        return None;
    }
    let mut related: Vec<(usize, String)> = fused.iter().map(|&i| (i, "fused".to_owned())).collect();
    for (g, group) in groups.iter().zip(&p.split) {
        for &i in g {
            if !related.iter().any(|(r, _)| *r == i) {
                related.push((i, group.name.clone()));
            }
        }
    }
    let gpu_ns: i64 = related.iter().filter_map(|(i, _)| rows.get(*i)).map(|r| r.gpu_ns).sum();
    if gpu_ns <= 0 || (!has_fused && share(gpu_ns, total) < p.min_share) {
        return None;
    }
    // Split kernels beside the fused path: every group has a row that is not a fused-path row.
    let split_present = has_split && groups.iter().all(|g| g.iter().any(|i| !fused.contains(i)));
    Some(Found { related, gpu_ns, fused_present: has_fused, split_present })
}

fn fuse_row(p: &Pattern, found: &Found, rows: &[KernelRow], total: i64) -> FuseRow {
    let share = share(found.gpu_ns, total);
    let kernels = found
        .related
        .iter()
        .filter_map(|(i, role)| rows.get(*i).map(|r| (r, role)))
        .map(|(r, role)| {
            let mut locations: Vec<String> = Vec::new();
            for s in &r.sites {
                if !locations.contains(&s.location) && locations.len() < LOCATIONS_PER_KERNEL {
                    locations.push(s.location.clone());
                }
            }
            FuseKernel {
                name: r.name.clone(),
                gpu_ns: r.gpu_ns,
                share_pct: r.share_pct,
                role: role.clone(),
                locations,
            }
        })
        .collect();
    FuseRow {
        row_id: String::new(),
        id: p.id.clone(),
        pattern: p.name.clone(),
        origin: p.origin,
        pr: p.pr.clone(),
        confidence: if found.fused_present || share >= p.likely_share {
            Confidence::Confirmed
        } else {
            Confidence::Candidate
        },
        fused_present: found.fused_present,
        state: FuseState::of(found.fused_present, found.split_present, p.origin),
        gpu_ns: found.gpu_ns,
        share_pct: share,
        kernels,
        paths: p.paths.clone(),
        rationale: p.rationale.clone(),
        refs: p.refs.clone(),
    }
}

/// The fuse table of one stage. `rows` are all of the stage's kernel rows (no cutoff);
/// `total_ns` is the stage's Σ kernel time; rows of the table below `min_share_pct` are
/// counted, not listed.
#[must_use]
pub(crate) fn match_stage(
    rows: &[KernelRow],
    total_ns: i64,
    ctx: &Context,
    catalog: &Catalog,
    min_share_pct: f64,
) -> FuseTable {
    let mut table = FuseTable { computed: true, context: ctx.info.clone(), ..FuseTable::default() };
    if total_ns <= 0 || rows.is_empty() {
        return table;
    }
    let facts: Vec<RowFacts> = rows.iter().map(RowFacts::of).collect();
    let matching = |set: &SignalSet| -> Vec<usize> {
        if set.is_empty() {
            return Vec::new();
        }
        facts.iter().enumerate().filter(|(_, f)| f.matches(set)).map(|(i, _)| i).collect()
    };
    let none_held = vec![Held::Free; rows.len()];
    // (pattern index, hits, undecided gates, match on all rows)
    let mut evaluated: Vec<(usize, Hits, Vec<String>, Option<Found>)> = Vec::new();
    for (pi, p) in catalog.patterns.iter().enumerate() {
        let Some(undecided) = gates(p, ctx) else { continue };
        table.patterns_checked += 1;
        let hits = Hits {
            fused: matching(&p.fused),
            groups: p.split.iter().map(|g| matching(&g.signals)).collect(),
        };
        let found = evaluate(p, &hits, &none_held, rows, total_ns);
        evaluated.push((pi, hits, undecided, found));
    }
    // Candidates: matched on all rows with every gate decided, or with the fused path in
    // the trace (a fused kernel is its own evidence; undecided gates only stop split matches).
    let accepts = |undecided: &[String], f: &Found| undecided.is_empty() || f.fused_present;
    let mut order: Vec<usize> = (0..evaluated.len())
        .filter(|&k| evaluated.get(k).is_some_and(|(_, _, u, f)| f.as_ref().is_some_and(|f| accepts(u, f))))
        .collect();
    let key = |k: usize| {
        evaluated.get(k).and_then(|(pi, _, _, f)| {
            let p = catalog.patterns.get(*pi)?;
            let f = f.as_ref()?;
            Some((p.priority, p.span(), f.related.len(), f.gpu_ns, *pi))
        })
    };
    crate::order::sort_by(&mut order, |&a, &b| {
        let (ka, kb) = (key(a), key(b));
        match (ka, kb) {
            (Some(x), Some(y)) => (y.0, y.1, y.2, y.3).cmp(&(x.0, x.1, x.2, x.3)).then(x.4.cmp(&y.4)),
            _ => a.cmp(&b),
        }
    });
    let mut held = vec![Held::Free; rows.len()];
    let mut blocked: Vec<&str> = Vec::new();
    let mut accepted: Vec<usize> = Vec::new();
    for k in order {
        let Some((pi, hits, undecided, _)) = evaluated.get(k) else { continue };
        let Some(p) = catalog.patterns.get(*pi) else { continue };
        if blocked.contains(&p.id.as_str()) {
            continue;
        }
        let Some(found) = evaluate(p, hits, &held, rows, total_ns) else { continue };
        if !accepts(undecided, &found) {
            continue;
        }
        for (i, role) in &found.related {
            if let Some(h) = held.get_mut(*i) {
                *h = if role == "fused" { Held::Fused } else { Held::Split };
            }
        }
        blocked.extend(p.subsumes.iter().map(String::as_str));
        accepted.push(*pi);
        let row = fuse_row(p, &found, rows, total_ns);
        if row.share_pct >= min_share_pct {
            table.rows.push(row);
        } else {
            table.hidden_rows += 1;
            table.hidden_ns += row.gpu_ns;
        }
    }
    table.near_miss = near_miss(catalog, &evaluated, &accepted, &blocked, rows, total_ns);
    table
}

/// The closest family that did not match. Similarity, from which signal groups matched:
/// every split group matched and only an undecided gate (unknown model or TP size) stopped
/// it: high with three or more groups, medium with fewer (few generic groups say less);
/// all split groups but one matched (three or more groups): medium when the gates hold,
/// low when one is undecided. Ties: higher similarity, then a family that subsumes an
/// accepted one (the next step up from what the trace has), more GPU time, catalog order.
fn near_miss(
    catalog: &Catalog,
    evaluated: &[(usize, Hits, Vec<String>, Option<Found>)],
    accepted: &[usize],
    blocked: &[&str],
    rows: &[KernelRow],
    total: i64,
) -> Option<NearMiss> {
    let accepted_ids: Vec<&str> =
        accepted.iter().filter_map(|&i| catalog.patterns.get(i)).map(|p| p.id.as_str()).collect();
    let mut best: Option<((Similarity, bool, i64, usize), NearMiss)> = None;
    for (pi, hits, undecided, found) in evaluated {
        let Some(p) = catalog.patterns.get(*pi) else { continue };
        if accepted.contains(pi) || blocked.contains(&p.id.as_str()) {
            continue;
        }
        let matched_groups: Vec<String> = p
            .split
            .iter()
            .zip(&hits.groups)
            .filter(|(_, g)| !g.is_empty())
            .map(|(s, _)| s.name.clone())
            .collect();
        let missing: Vec<String> = p
            .split
            .iter()
            .zip(&hits.groups)
            .filter(|(_, g)| g.is_empty())
            .map(|(s, _)| s.name.clone())
            .collect();
        let (similarity, gpu_ns, matched, missing) = match found {
            // Every split group matched, but a gate could not be decided.
            Some(f) if !undecided.is_empty() && !f.fused_present => {
                let s = if p.split.len() >= 3 { Similarity::High } else { Similarity::Medium };
                (s, f.gpu_ns, matched_groups, Vec::new())
            }
            // Matched: accepted, or it lost a conflict; not a near miss.
            Some(_) => continue,
            None => {
                let n = p.split.len();
                if !hits.fused.is_empty() || n < 3 || missing.len() != 1 {
                    continue;
                }
                let mut idx: Vec<usize> = hits.groups.iter().flatten().copied().collect();
                crate::order::sort_by(&mut idx, Ord::cmp);
                idx.dedup();
                let ns: i64 = idx.iter().filter_map(|&i| rows.get(i)).map(|r| r.gpu_ns).sum();
                if share(ns, total) < p.min_share {
                    continue;
                }
                let s = if undecided.is_empty() { Similarity::Medium } else { Similarity::Low };
                (s, ns, matched_groups, missing)
            }
        };
        let note = NearMiss {
            row_id: String::new(),
            id: p.id.clone(),
            pattern: p.name.clone(),
            similarity,
            matched,
            missing,
            undecided: undecided.clone(),
            gpu_ns,
            share_pct: share(gpu_ns, total),
        };
        // A family one step up from an accepted one (it subsumes it) is the likelier next fusion.
        let extends = p.subsumes.iter().any(|s| accepted_ids.contains(&s.as_str()));
        let key = (similarity, !extends, -gpu_ns, *pi);
        if best.as_ref().is_none_or(|(k, _)| key < *k) {
            best = Some((key, note));
        }
    }
    best.map(|(_, n)| n)
}

/// A kernel table computed without a cutoff (`min_share_pct` 0), cut at `min_share_pct`:
/// the same rows and footer counts as `kernels::kernel_table` with that cutoff, so the
/// matcher and the table share one pass over the stage.
#[must_use]
pub(crate) fn cutoff(table: KernelTable, min_share_pct: f64) -> KernelTable {
    let mut out = KernelTable {
        rows: Vec::with_capacity(table.rows.len()),
        hidden_rows: table.hidden_rows,
        hidden_ns: table.hidden_ns,
        total_ns: table.total_ns,
    };
    for row in table.rows {
        if row.share_pct < min_share_pct {
            out.hidden_rows += 1;
            out.hidden_ns += row.gpu_ns;
        } else {
            out.rows.push(row);
        }
    }
    out
}
