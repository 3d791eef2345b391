//! The fuse-pattern table of a stage: which known fused-kernel families the stage already
//! uses, which it runs split although its framework has the fused path, and which
//! in-flight work would apply (rows from the engine's fuse matcher), plus at most one
//! near-miss note for a family that came close.
//!
//! Numbers are raw; every sentence and cell is built here, from [`crate::format`].

pub use engine::results::fuse::*;

use crate::format;
use crate::table::{Cell, Column, Table};
use engine::catalog::fuse::Origin;

const SHOWN_KERNELS: usize = 3;
const SHOWN_LOCATIONS: usize = 4;

/// The State cell's words: `in use`, `missing`, `partly (62.0% fused)` (the fused path's
/// share of the row's GPU time), `upstream` or `in flight` (an open pull request).
#[must_use]
pub fn state_text(row: &FuseRow) -> String {
    state_words(row.state, row.origin, row.fused_pct())
}

/// The words of a state; `fused_pct` (the fused path's share of the row's GPU time) is
/// said for `partly`, `origin` tells `in flight` from `upstream`.
#[must_use]
pub fn state_words(state: FuseState, origin: Origin, fused_pct: f64) -> String {
    match state {
        FuseState::InUse => "in use".to_owned(),
        FuseState::Missing => "missing".to_owned(),
        FuseState::Partial => format!("partly ({} fused)", format::pct(fused_pct)),
        FuseState::Upstream if origin == Origin::Inflight => "in flight".to_owned(),
        FuseState::Upstream => "upstream".to_owned(),
    }
}

/// The legend of the state words, one `(word, badge tone, meaning)` per state in table
/// order (the tone is the page's badge class suffix, the state's JSON id).
pub const STATE_LEGEND: [(&str, &str, &str); 5] = [
    ("missing", "missing", "only the split kernels ran; the framework already has the fused path"),
    (
        "partly",
        "partial",
        "both ran: some call sites use the fused path, some do not (the share is the fused path's)",
    ),
    (
        "upstream",
        "upstream",
        "only the split kernels ran; the fused path is upstream, not yet in the framework's mainline",
    ),
    ("in flight", "upstream", "only the split kernels ran; the fused path is in an open pull request"),
    ("in use", "in_use", "the fused kernel ran"),
];

/// The display order of a stage's fuse rows (indices into `fuse.rows`): missing first,
/// then partly, upstream / in flight, in use; by GPU time within a state (most first),
/// then acceptance order.
#[must_use]
pub fn order(fuse: &FuseTable) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..fuse.rows.len()).collect();
    let key = |i: usize| fuse.rows.get(i).map(|r| (r.state, std::cmp::Reverse(r.gpu_ns)));
    engine::order::sort_by(&mut idx, |&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
    idx
}

/// `path:line function` → `function @ path:line` (the seed tool's form); other text unchanged.
#[must_use]
pub fn location_cell(location: &str) -> String {
    match location.split_once(' ') {
        Some((path, func)) if path.contains(':') && !func.trim().is_empty() => {
            format!("{} @ {path}", func.trim())
        }
        _ => location.to_owned(),
    }
}

/// The Rationale cell.
#[must_use]
pub fn rationale(row: &FuseRow) -> String {
    let share = format::pct(row.share_pct);
    match row.origin {
        _ if row.state == FuseState::Partial => format!(
            "`{}` runs for {} of this family's time; its split kernels run for the rest ({share} related GPU time). {}",
            row.pattern,
            format::pct(row.fused_pct()),
            row.rationale
        ),
        Origin::Mainline if row.fused_present => {
            format!(
                "`{}` is present in this trace ({share} related GPU time). {}",
                row.pattern, row.rationale
            )
        }
        Origin::Mainline => format!(
            "Split kernels in this family take {share} of GPU time. This tree already has a matching path. {}",
            row.rationale
        ),
        Origin::Upstream => format!("Matches an upstream path ({share} related GPU time). {}", row.rationale),
        Origin::Inflight => {
            format!("Matches an open upstream path ({share} related GPU time). {}", row.rationale)
        }
    }
}

fn evidence_lines(row: &FuseRow) -> Vec<String> {
    let mut order: Vec<&FuseKernel> = row.kernels.iter().collect();
    engine::order::sort_by(&mut order, |a, b| b.gpu_ns.cmp(&a.gpu_ns).then_with(|| a.name.cmp(&b.name)));
    let mut lines: Vec<String> = order
        .iter()
        .take(SHOWN_KERNELS)
        .map(|k| {
            let role = if k.role == "fused" { ", fused path" } else { "" };
            format!("{} ({}{role})", k.name, format::pct(k.share_pct))
        })
        .collect();
    if order.len() > SHOWN_KERNELS {
        let rest = order.len() - SHOWN_KERNELS;
        lines.push(format!("… {rest} more kernel{}", if rest == 1 { "" } else { "s" }));
    }
    if lines.is_empty() {
        lines.push("-".to_owned());
    }
    lines
}

fn location_lines(row: &FuseRow) -> Vec<String> {
    let mut order: Vec<&FuseKernel> = row.kernels.iter().collect();
    engine::order::sort_by(&mut order, |a, b| b.gpu_ns.cmp(&a.gpu_ns).then_with(|| a.name.cmp(&b.name)));
    let mut out: Vec<String> = Vec::new();
    for loc in order.iter().flat_map(|k| k.locations.iter()) {
        let cell = location_cell(loc);
        if loc != "unresolved" && !out.contains(&cell) {
            out.push(cell);
        }
        if out.len() == SHOWN_LOCATIONS {
            break;
        }
    }
    if out.is_empty() {
        out.push("-".to_owned());
    }
    out
}

/// The candidate-path cell lines: `PR #N` first when there is a pull request.
#[must_use]
pub fn path_lines(row: &FuseRow) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(n) = row.pr.as_deref().and_then(|p| p.split_once('#')).map(|(_, n)| n) {
        out.push(format!("PR #{n}"));
    }
    out.extend(row.paths.iter().cloned());
    if out.is_empty() {
        out.push("-".to_owned());
    }
    out
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The near-miss note.
#[must_use]
pub fn near_miss_note(n: &NearMiss) -> String {
    let mut why = Vec::new();
    if n.missing.is_empty() {
        why.push(format!("every signal group matched ({})", list(&n.matched)));
    } else {
        let total = n.matched.len() + n.missing.len();
        why.push(format!(
            "{} of {total} split groups matched ({}); no kernel for {}",
            n.matched.len(),
            list(&n.matched),
            list(&n.missing)
        ));
    }
    why.extend(n.undecided.iter().cloned());
    format!(
        "Near miss (similarity {}): `{}` ({}, {} related GPU time): {}.",
        n.similarity.id(),
        n.pattern,
        n.id,
        format::pct(n.share_pct),
        why.join("; ")
    )
}

/// The presentation table of a stage's fuse rows.
#[must_use]
pub fn table(fuse: &FuseTable, min_share_pct: f64) -> Table {
    let columns = vec![
        Column::left("Pattern"),
        Column::left("State"),
        Column::left("Confidence"),
        Column::right("Related GPU time"),
        Column::right("Share"),
        Column::left("Evidence kernels"),
        Column::left("Current kernel Python location"),
        Column::left("Candidate fused Python path"),
        Column::left("Rationale"),
    ];
    let rows = order(fuse)
        .into_iter()
        .filter_map(|i| fuse.rows.get(i))
        .map(|row| {
            vec![
                Cell::text(row.pattern.clone()),
                Cell::badge(state_text(row), row.state.id()),
                Cell::text(row.confidence.label()),
                Cell::ms(row.gpu_ns),
                Cell::share(row.share_pct),
                Cell::lines(evidence_lines(row)),
                Cell::lines(location_lines(row)),
                Cell::lines(path_lines(row)),
                Cell::text(rationale(row)),
            ]
        })
        .collect();
    let mut footer: Vec<String> = Vec::new();
    if fuse.hidden_rows > 0 {
        footer.push(format!(
            "{} more matched pattern{} below the {} share cutoff ({} of GPU time).",
            format::count(fuse.hidden_rows),
            if fuse.hidden_rows == 1 { "" } else { "s" },
            format::pct(min_share_pct),
            format::ms(fuse.hidden_ns)
        ));
    }
    if let Some(n) = &fuse.near_miss {
        footer.push(near_miss_note(n));
    }
    let empty = if !fuse.computed {
        "Fuse-pattern matching did not run for this stage.".to_owned()
    } else if fuse.context.framework == "unknown" && fuse.patterns_checked == 0 {
        "No fuse pattern was checked: the serving framework is unknown (the catalog's patterns are framework-specific; see --framework).".to_owned()
    } else {
        "No source-backed fuse pattern matched this stage.".to_owned()
    };
    Table { columns, rows, empty, footer: (!footer.is_empty()).then(|| footer.join(" ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(
            location_cell("python/sglang/srt/layers/sampler.py:91 forward"),
            "forward @ python/sglang/srt/layers/sampler.py:91"
        );
        assert_eq!(location_cell("unresolved"), "unresolved");
        let n = NearMiss {
            row_id: String::new(),
            id: "x".into(),
            pattern: "X".into(),
            similarity: Similarity::Medium,
            matched: vec!["RoPE".into(), "KV-cache write".into()],
            missing: vec!["QK norm".into()],
            undecided: vec![],
            gpu_ns: 1,
            share_pct: 2.0,
        };
        assert_eq!(
            near_miss_note(&n),
            "Near miss (similarity medium): `X` (x, 2.0% related GPU time): 2 of 3 split groups matched (RoPE and KV-cache write); no kernel for QK norm."
        );
    }
}
