//! Building a diff: the stages of the two reports paired by kind, and per pair the stage
//! figures, idle-time causes and kernel tables. Never fails; whatever cannot be compared
//! is said in the notes.

use super::kernels::{self, Side as KernelSide};
use super::{CauseDiff, Diff, DiffReport, SideVerdict, StageDiff, StageFigures, SummaryDiff, Unlisted};
use crate::format;
use crate::overlap::BubbleCause;
use crate::{Report, StageReport};
use engine::vocab::Stage;

/// What to compare and how much to keep.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiffOptions {
    /// Compare only this stage kind (a side whose only stage is `all` is used as it).
    pub stage: Option<Stage>,
    /// Rows kept per table (families, kernels, only-in-A, only-in-B); 0 keeps all.
    pub top: usize,
    /// What A is called in the header (a path, a file name); empty: its input paths.
    pub a_source: String,
    /// What B is called in the header; empty: its input paths.
    pub b_source: String,
}

/// Compares report `b` with report `a` (every change is `B − A`).
#[must_use]
pub fn diff(a: &Report, b: &Report, options: &DiffOptions) -> DiffReport {
    let mut notes = report_notes(a, b);
    let Pairing { pairs, unpaired_a, unpaired_b } = pair_stages(a, b, options.stage, &mut notes);
    let labels = |r: &Report, left: Vec<usize>| -> Vec<String> {
        left.into_iter().filter_map(|i| r.stages.get(i).map(|s| s.label.clone())).collect()
    };
    let stages = pairs
        .into_iter()
        .filter_map(|(i, j)| Some(stage_diff(a.stages.get(i)?, b.stages.get(j)?, options.top)))
        .collect::<Vec<_>>();
    if stages.is_empty() {
        notes.push("No stage of A could be paired with a stage of B: nothing was compared.".to_owned());
    }
    DiffReport::new(Diff {
        a: super::side(a, &options.a_source),
        b: super::side(b, &options.b_source),
        top: u32::try_from(options.top).unwrap_or(u32::MAX),
        stages,
        unpaired_a: labels(a, unpaired_a),
        unpaired_b: labels(b, unpaired_b),
        notes,
    })
}

/// How the stages of two reports were paired.
struct Pairing {
    /// (A stage index, B stage index), in A's order.
    pairs: Vec<(usize, usize)>,
    /// A's stages (of those asked for) with no counterpart in B.
    unpaired_a: Vec<usize>,
    /// B's stages (of those asked for) with no counterpart in A.
    unpaired_b: Vec<usize>,
}

/// Notes about the two runs as a whole.
fn report_notes(a: &Report, b: &Report) -> Vec<String> {
    let mut notes = Vec::new();
    if a.framework.id != b.framework.id {
        notes.push(format!("The frameworks differ: A is {}, B is {}.", a.framework.label, b.framework.label));
    }
    if let (Some(ma), Some(mb)) = (&a.model, &b.model)
        && ma != mb
    {
        notes.push(format!("The models differ: A runs {ma}, B runs {mb}."));
    }
    let (sa, sb) = (super::side(a, ""), super::side(b, ""));
    // The GPU model, without the device ordinal and rank (two ranks of one run differ there).
    let model = |g: &str| g.split(" (device").next().unwrap_or(g).to_owned();
    if let (Some(ga), Some(gb)) = (&sa.gpu, &sb.gpu)
        && model(ga) != model(gb)
    {
        notes.push(format!("The GPUs differ: A ran on {ga}, B on {gb}."));
    }
    notes
}

/// Pairs of (A stage index, B stage index), in A's order, and the stages left without a
/// counterpart (stages `only` leaves out on purpose are not among them).
fn pair_stages(a: &Report, b: &Report, only: Option<Stage>, notes: &mut Vec<String>) -> Pairing {
    let labels = |r: &Report| -> String {
        if r.stages.is_empty() {
            "none".to_owned()
        } else {
            r.stages.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", ")
        }
    };
    if let Some(kind) = only {
        let pick = |r: &Report| -> Vec<usize> {
            let same: Vec<usize> = (0..r.stages.len()).filter(|&i| stage_at(r, i) == Some(kind)).collect();
            if same.is_empty() && r.stages.len() == 1 && stage_at(r, 0) == Some(Stage::All) {
                vec![0]
            } else {
                same
            }
        };
        let (ia, ib) = (pick(a), pick(b));
        for (side, r, picked) in [("A", a, &ia), ("B", b, &ib)] {
            if picked.is_empty() {
                notes.push(format!("{side} has no {} stage (its stages: {}).", kind.label(), labels(r)));
            } else if picked.iter().any(|&i| stage_at(r, i) != Some(kind)) {
                notes.push(format!(
                    "{side} has no stage split (one `all` stage): all of its GPU work is compared as {}.",
                    kind.label()
                ));
            }
            let left: Vec<&str> = (0..r.stages.len())
                .filter(|i| !picked.contains(i))
                .filter_map(|i| r.stages.get(i).map(|s| s.label.as_str()))
                .collect();
            if !left.is_empty() && !picked.is_empty() {
                notes.push(format!(
                    "Only {} is compared: {side}'s {} left out.",
                    kind.label(),
                    left.join(", ")
                ));
            }
        }
        let n = ia.len().min(ib.len());
        return Pairing {
            pairs: ia.iter().copied().zip(ib.iter().copied()).collect(),
            unpaired_a: ia.get(n..).unwrap_or_default().to_vec(),
            unpaired_b: ib.get(n..).unwrap_or_default().to_vec(),
        };
    }
    let mut pairs = Vec::new();
    let mut used_b = vec![false; b.stages.len()];
    let mut unpaired_a = Vec::new();
    for (i, sa) in a.stages.iter().enumerate() {
        let j = b
            .stages
            .iter()
            .enumerate()
            .position(|(j, sb)| sb.stage == sa.stage && !used_b.get(j).copied().unwrap_or(true));
        match j {
            Some(j) => {
                if let Some(u) = used_b.get_mut(j) {
                    *u = true;
                }
                pairs.push((i, j));
            }
            None => unpaired_a.push(i),
        }
    }
    let unpaired_b: Vec<usize> =
        (0..b.stages.len()).filter(|&j| !used_b.get(j).copied().unwrap_or(true)).collect();
    if pairs.is_empty() && unpaired_a.len() == 1 && unpaired_b.len() == 1 {
        let (i, j) = (unpaired_a.first().copied().unwrap_or(0), unpaired_b.first().copied().unwrap_or(0));
        notes.push(format!(
            "The stages differ: A's only stage ({}) is compared with B's only stage ({}).",
            a.stages.get(i).map_or("", |s| s.label.as_str()),
            b.stages.get(j).map_or("", |s| s.label.as_str())
        ));
        return Pairing { pairs: vec![(i, j)], unpaired_a: Vec::new(), unpaired_b: Vec::new() };
    }
    for (side, r, other, left) in [("A", a, "B", &unpaired_a), ("B", b, "A", &unpaired_b)] {
        for &i in left {
            if let Some(s) = r.stages.get(i) {
                notes
                    .push(format!("{side}'s {} stage has no counterpart in {other}: not compared.", s.label));
            }
        }
    }
    Pairing { pairs, unpaired_a, unpaired_b }
}

fn stage_at(r: &Report, i: usize) -> Option<Stage> {
    r.stages.get(i).map(|s| s.stage)
}

/// One stage pair compared.
fn stage_diff(sa: &StageReport, sb: &StageReport, top: usize) -> StageDiff {
    let (ka, kb) = (KernelSide::of(sa), KernelSide::of(sb));
    let (both, mut only_a, mut only_b) = kernels::match_kernels(&ka, &kb);
    for k in &mut only_a {
        k.maybe_unlisted = sb.kernels.hidden_rows > 0;
    }
    for k in &mut only_b {
        k.maybe_unlisted = sa.kernels.hidden_rows > 0;
    }
    let ns = |k: &super::KernelDiff| (k.a.gpu_ns, k.b.gpu_ns);
    let a_fig = figures(sa);
    let b_fig = figures(sb);
    let label = if sa.stage == sb.stage {
        sa.stage.label().to_owned()
    } else {
        format!("{} (A) vs {} (B)", sa.stage.label(), sb.stage.label())
    };
    let unlisted = Unlisted {
        a_rows: sa.kernels.hidden_rows,
        a_ns: sa.kernels.hidden_ns,
        b_rows: sb.kernels.hidden_rows,
        b_ns: sb.kernels.hidden_ns,
    };
    StageDiff {
        stage: sa.stage,
        b_stage: sb.stage,
        label,
        a_label: sa.label.clone(),
        b_label: sb.label.clone(),
        notes: stage_notes(sa, sb, &a_fig, &b_fig),
        summary: SummaryDiff { delta: delta(&a_fig, &b_fig), a: a_fig, b: b_fig },
        bubbles: bubbles(sa, sb),
        categories: kernels::groups(&ka, &kb, false),
        families: kernels::keep(kernels::groups(&ka, &kb, true), top, |g| (g.a.gpu_ns, g.b.gpu_ns)),
        kernels: kernels::keep(both, top, ns),
        only_a: kernels::keep(only_a, top, ns),
        only_b: kernels::keep(only_b, top, ns),
        unlisted,
        a_verdict: side_verdict(sa),
        b_verdict: side_verdict(sb),
        fuse: super::fuse::fuse_rows(sa, sb),
    }
}

/// A stage's verdict line and fix-first lines, as the report's markdown writes them.
fn side_verdict(s: &StageReport) -> SideVerdict {
    if !s.verdict.computed {
        return SideVerdict::default();
    }
    SideVerdict {
        text: crate::verdict::line(&s.label, &s.verdict),
        fix_first: s.fix_first.iter().map(crate::verdict::fix_line).collect(),
    }
}

/// The headline figures of a stage.
fn figures(s: &StageReport) -> StageFigures {
    let m = &s.summary;
    let steps = i64::try_from(m.steps).unwrap_or(i64::MAX);
    let o = &s.overlap;
    let when = |v: i64| o.computed.then_some(v);
    StageFigures {
        span_ns: m.span_ns,
        busy_ns: m.busy_ns,
        utilization_pct: m.utilization_pct,
        kernel_ns: m.kernel_ns,
        launches: i64::try_from(m.launches).unwrap_or(i64::MAX),
        steps,
        busy_per_step_ns: (steps > 0).then(|| m.busy_ns / steps),
        graph_replay_ns: m.graph_replay_ns,
        idle_ns: when(o.bubbles.idle_ns),
        gaps: when(i64::try_from(o.bubbles.gaps).unwrap_or(i64::MAX)),
        overlap_ns: when(o.sweep.overlap_ns),
        comm_ns: when(o.sweep.comm_ns),
        exposed_comm_ns: when(o.sweep.exposed_comm_ns),
        exposed_copy_ns: when(o.sweep.exposed_copy_ns),
    }
}

/// `b − a` per figure.
fn delta(a: &StageFigures, b: &StageFigures) -> StageFigures {
    let d = |x: i64, y: i64| y.saturating_sub(x);
    let o = |x: Option<i64>, y: Option<i64>| Some(y?.saturating_sub(x?));
    StageFigures {
        span_ns: d(a.span_ns, b.span_ns),
        busy_ns: d(a.busy_ns, b.busy_ns),
        utilization_pct: b.utilization_pct - a.utilization_pct,
        kernel_ns: d(a.kernel_ns, b.kernel_ns),
        launches: d(a.launches, b.launches),
        steps: d(a.steps, b.steps),
        busy_per_step_ns: o(a.busy_per_step_ns, b.busy_per_step_ns),
        graph_replay_ns: d(a.graph_replay_ns, b.graph_replay_ns),
        idle_ns: o(a.idle_ns, b.idle_ns),
        gaps: o(a.gaps, b.gaps),
        overlap_ns: o(a.overlap_ns, b.overlap_ns),
        comm_ns: o(a.comm_ns, b.comm_ns),
        exposed_comm_ns: o(a.exposed_comm_ns, b.exposed_comm_ns),
        exposed_copy_ns: o(a.exposed_copy_ns, b.exposed_copy_ns),
    }
}

/// Idle time per cause on both sides, in cause order.
fn bubbles(sa: &StageReport, sb: &StageReport) -> Vec<CauseDiff> {
    let of = |s: &StageReport, cause: BubbleCause| -> i64 {
        s.overlap.bubbles.causes.iter().filter(|c| c.cause == cause).map(|c| c.ns).sum()
    };
    BubbleCause::ALL
        .iter()
        .map(|&cause| {
            let (a_ns, b_ns) = (of(sa, cause), of(sb, cause));
            CauseDiff { cause, a_ns, b_ns, delta_ns: b_ns.saturating_sub(a_ns) }
        })
        .filter(|c| c.a_ns != 0 || c.b_ns != 0)
        .collect()
}

/// What to know about a stage pair.
fn stage_notes(sa: &StageReport, sb: &StageReport, a: &StageFigures, b: &StageFigures) -> Vec<String> {
    let mut notes = Vec::new();
    for (side, fig) in [("A", a), ("B", b)] {
        if fig.kernel_ns <= 0 {
            notes.push(format!("{side} has no GPU time in this stage: every share is 0."));
        }
    }
    if a.steps != b.steps {
        let text =
            |n: i64| format!("{} step{}", format::count(n.unsigned_abs()), if n == 1 { "" } else { "s" });
        notes.push(format!(
            "A has {}, B has {}: times are totals over the captured steps, so compare shares{}.",
            text(a.steps),
            text(b.steps),
            if a.steps > 0 && b.steps > 0 { " and GPU busy per step" } else { "" }
        ));
    }
    for (side, s) in [("A", sa), ("B", sb)] {
        if !s.overlap.computed {
            notes.push(format!(
                "{side}'s report has no overlap analysis for this stage (an older report): idle time, overlap and exposed communication are not compared."
            ));
        }
    }
    for (side, other, s) in [("A", "B", sa), ("B", "A", sb)] {
        let k = &s.kernels;
        if k.hidden_rows > 0 {
            notes.push(format!(
                "{side}'s report does not list {} kernel{} below its share cutoff ({} of GPU time): they count in the stage figures but not in the category, family and kernel tables, and kernels only in {other} may be among them. Diff the traces themselves to compare every kernel.",
                format::count(k.hidden_rows),
                if k.hidden_rows == 1 { "" } else { "s" },
                format::ms(k.hidden_ns)
            ));
        }
    }
    notes
}
