//! The fix-first list (rules in the parent module's docs).

use super::{FIX_LIMIT, StageFigures};
use crate::results::overlap::{BubbleCause, Verdict as RowVerdict};
use crate::results::roofline::Bound;
use crate::results::share;
use crate::results::verdict::{Fix, FixKind, RowRef};
use crate::vocab::{Category, Via};

/// A kernel reads as far below its roof under this fraction of it.
const BELOW_ROOF: f64 = 0.5;

/// The fix-first list: every finding, ranked by saving, cut to [`FIX_LIMIT`].
pub(super) fn fix_first(f: &StageFigures<'_>) -> Vec<Fix> {
    let steps = i64::try_from(f.summary.steps).unwrap_or(i64::MAX).max(1);
    let span = f.summary.span_ns.max(f.summary.busy_ns);
    let mut out: Vec<Fix> = Vec::new();
    overlap_findings(f, &mut out);
    bubble_findings(f, &mut out);
    fuse_findings(f, &mut out);
    roof_findings(f, &mut out);
    for x in &mut out {
        x.per_step_ns = x.saving_ns / steps;
        x.stage_pct = share(x.saving_ns, span);
    }
    out.retain(|x| x.saving_ns > 0 && x.stage_pct >= f.min_share_pct);
    crate::order::sort_by(&mut out, |a, b| {
        b.saving_ns
            .cmp(&a.saving_ns)
            .then(kind_order(a.kind).cmp(&kind_order(b.kind)))
            .then(a.subject.cmp(&b.subject))
    });
    // One finding per kind and subject: the largest.
    let mut seen: Vec<(FixKind, String)> = Vec::new();
    out.retain(|x| {
        let dup = seen.iter().any(|(k, s)| *k == x.kind && *s == x.subject);
        seen.push((x.kind, x.subject.clone()));
        !dup
    });
    out.truncate(FIX_LIMIT);
    out
}

fn kind_order(k: FixKind) -> u8 {
    match k {
        FixKind::PeerWait => 0,
        FixKind::ExposedComm => 1,
        FixKind::LaunchGaps => 2,
        FixKind::SyncGaps => 3,
        FixKind::Copies => 4,
        FixKind::CopyKernels => 4,
        FixKind::Fuse => 5,
        FixKind::BelowRoof => 6,
    }
}

/// A finding with its model's figures; `per_step_ns` and `stage_pct` are filled later.
#[allow(clippy::too_many_arguments)]
fn finding(
    kind: FixKind,
    subject: &str,
    category: Option<Category>,
    saving_ns: i64,
    (location, via, graph): (&str, Via, bool),
    basis: &str,
    (count, ratio): (u64, Option<f64>),
    row: (&str, &str),
) -> Fix {
    Fix {
        row_id: String::new(),
        kind,
        subject: subject.to_owned(),
        category,
        saving_ns,
        per_step_ns: 0,
        stage_pct: 0.0,
        location: location.to_owned(),
        graph,
        via,
        basis: basis.to_owned(),
        count,
        ratio,
        row: RowRef { table: row.0.to_owned(), key: row.1.to_owned() },
        text: String::new(),
    }
}

/// Exposed communication, collectives waiting for peers, copies on the critical path.
fn overlap_findings(f: &StageFigures<'_>, out: &mut Vec<Fix>) {
    for r in &f.overlap.rows {
        if !matches!(r.verdict, RowVerdict::Headroom | RowVerdict::PartlyExposed) {
            continue;
        }
        let at = (r.python_scope.as_str(), r.via, r.graph);
        let basis = r.recommendation.label();
        match r.category {
            Some(Category::Communication) => {
                // A collective waiting for peers: the time above its median launch is the
                // wait balancing the ranks recovers; the rest of its exposed time could
                // still overlap with compute.
                let mut waited = 0;
                if let Some(w) = r.waiting.as_ref() {
                    let launches = i64::try_from(r.launches).unwrap_or(i64::MAX);
                    waited = (r.total_ns - w.median_ns.saturating_mul(launches)).clamp(0, r.exposed_ns);
                    let ratio = Some(w.max_ns as f64 / w.median_ns.max(1) as f64);
                    let fix = finding(
                        FixKind::PeerWait,
                        &r.kernel,
                        r.category,
                        waited,
                        at,
                        basis,
                        (r.launches, ratio),
                        ("overlap", &r.kernel),
                    );
                    out.push(fix);
                }
                let ratio = Some(share(r.exposed_ns, r.total_ns) / 100.0);
                let fix = finding(
                    FixKind::ExposedComm,
                    &r.kernel,
                    r.category,
                    r.exposed_ns - waited,
                    at,
                    if r.waiting.is_some() { "try overlap" } else { basis },
                    (r.launches, ratio),
                    ("overlap", &r.kernel),
                );
                out.push(fix);
            }
            Some(Category::Memory) if r.verdict == RowVerdict::Headroom => {
                let ratio = Some(share(r.exposed_ns, r.total_ns) / 100.0);
                let kernels = r
                    .copies
                    .as_ref()
                    .and_then(|c| c.directions.first())
                    .is_some_and(|d| d.direction == "copy kernel");
                let fix = finding(
                    if kernels { FixKind::CopyKernels } else { FixKind::Copies },
                    &r.kernel,
                    r.category,
                    r.exposed_ns,
                    at,
                    basis,
                    (r.launches, ratio),
                    ("overlap", &r.kernel),
                );
                out.push(fix);
            }
            _ => {}
        }
    }
}

/// Idle time the CPU caused: launch/operator/Python gaps and sync/memcpy gaps.
fn bubble_findings(f: &StageFigures<'_>, out: &mut Vec<Fix>) {
    let b = &f.overlap.bubbles;
    let bubble_row = f.overlap.rows.iter().find(|r| r.verdict == RowVerdict::Bubbles);
    let (location, via, graph) =
        bubble_row.map_or(("unmapped", Via::None, false), |r| (r.python_scope.as_str(), r.via, r.graph));
    let key = bubble_row.map_or("GPU idle (bubbles)", |r| r.kernel.as_str());
    let time = |causes: &[BubbleCause]| -> i64 {
        b.causes.iter().filter(|c| causes.contains(&c.cause)).map(|c| c.ns).sum()
    };
    let groups = [
        (
            FixKind::LaunchGaps,
            time(&[BubbleCause::Launch, BubbleCause::CpuOp, BubbleCause::Python]),
            "CPU launch gaps",
        ),
        (FixKind::SyncGaps, time(&[BubbleCause::Sync, BubbleCause::Memcpy]), "CPU sync gaps"),
    ];
    for (kind, ns, subject) in groups {
        let graphed = 2 * f.summary.graph_replay_ns >= f.summary.kernel_ns;
        let basis = match kind {
            FixKind::LaunchGaps if graphed => "reduce CPU work",
            FixKind::LaunchGaps => "try CUDA graphs",
            _ => "avoid sync",
        };
        let ratio = Some(share(ns, b.idle_ns) / 100.0);
        out.push(finding(
            kind,
            subject,
            None,
            ns,
            (location, via, graph),
            basis,
            (b.gaps, ratio),
            ("overlap", key),
        ));
    }
}

/// Fuse patterns whose split kernels run without the fused path.
fn fuse_findings(f: &StageFigures<'_>, out: &mut Vec<Fix>) {
    for r in &f.fuse.rows {
        // Partial rows too (the fused path ran beside a whole split ladder): their split
        // kernel rows hold every launch of those names, also the many the fused path cannot
        // replace (on the GB300 TP-4 decode that made a 4.9–7.6 ms "saving" of norms and
        // all-reduces, the top of the list); counting only the ladders that ran split
        // needs the launches matched one by one, which the fuse table does not keep.
        if r.fused_present {
            continue;
        }
        let split: Vec<_> = r.kernels.iter().filter(|k| k.role != "fused").collect();
        if split.len() < 2 {
            continue;
        }
        let total: i64 = split.iter().map(|k| k.gpu_ns).sum();
        let longest = split.iter().map(|k| k.gpu_ns).max().unwrap_or(0);
        // Where the split kernels are launched: the kernel table's top site of the first
        // split kernel that has one.
        let site = split
            .iter()
            .filter_map(|k| f.rows.iter().find(|row| row.name == k.name))
            .find_map(|row| row.sites.first());
        let at = site.map_or(("unmapped", Via::None, false), |s| (s.location.as_str(), s.via, s.graph));
        let fix = finding(
            FixKind::Fuse,
            &r.pattern,
            None,
            total - longest,
            at,
            &r.id,
            (split.len() as u64, None),
            ("fuse", &r.id),
        );
        out.push(fix);
    }
}

/// Kernels far below their achievable roof.
fn roof_findings(f: &StageFigures<'_>, out: &mut Vec<Fix>) {
    for r in f.rows {
        let (Some(frac), Some(headroom)) = (r.roofline.roof_fraction, r.roofline.headroom_ns) else {
            continue;
        };
        if frac >= BELOW_ROOF {
            continue;
        }
        let site = r.sites.first();
        let at = site.map_or(("unmapped", Via::None, false), |s| (s.location.as_str(), s.via, s.graph));
        let bound = r.roofline.bound.map_or("roofline", Bound::label);
        out.push(finding(
            FixKind::BelowRoof,
            &r.name,
            Some(r.category),
            headroom,
            at,
            bound,
            (r.launches, Some(frac)),
            ("kernels", &r.name),
        ));
    }
}
