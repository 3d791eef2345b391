//! Rows of the overlap table: the seed's selection (anchor-spec §11.4), dependency signal
//! (§11.6) and priority (§11.7), plus what makes a row actionable: exposure of
//! communication to compute, collectives that look like they wait for peer ranks, the
//! syncs that forced copies, and one row for the stage's idle gaps.
//!
//! Two refinements over the seed make the table about time that could be recovered:
//!
//! - **Serial rows are folded away.** A headroom family that is neither communication
//!   nor a transfer (a copy or fill that could move to a copy engine) and that no other
//!   stream ran beside — in the window of every step it ran in, no activity of another
//!   device × stream lane overlaps the window ([`Family::beside_others`]) — is a link of a
//!   dependent serial chain: nothing could overlap it. It is not listed; the table counts
//!   it in `serial_folded_rows` and its GPU time in `serial_folded_ns`.
//! - **Each row says what it could recover** (`recoverable_ns`): communication its
//!   exposed time (no compute hid it); transfers their exposed time; other headroom rows
//!   their exclusive time (they stay only when another stream had work in their steps);
//!   hidden rows nothing; bubbles the idle time the CPU caused (not the gaps inside graph
//!   replays or before work already queued: GPU-side waits). Rows are ranked by priority,
//!   then by recoverable time, most first (selection order on ties).

use super::{Family, StageOverlap};
use crate::analysis::attribution::{Attribution, NONE};
use crate::analysis::kernels::NameCache;
use crate::analysis::mapping::{Origin, Sources, Via};
use crate::analysis::split::StageOps;
use crate::results::overlap::{
    Copies, CopyDirection, DepRisk, OverlapRow, OverlapTable, Recommendation, SyncCause, Verdict, Waiting,
};
use crate::vocab::Category;
use trace::model::{GpuKind, RuntimeKind, Sym, Trace};

/// Headroom candidates listed at most (the seed keeps 5).
const HEADROOM_LIMIT: usize = 8;
/// Low-ROI-hidden candidates listed at most (as the seed).
const HIDDEN_LIMIT: usize = 5;
/// Families shorter than this in total are never rows (the seed's 5 µs).
const MIN_TOTAL_NS: i64 = 5_000;

/// What the row builder reads.
pub(super) struct Ctx<'a, 'c> {
    /// The trace.
    pub trace: &'a Trace,
    /// Its attribution.
    pub attribution: &'a Attribution,
    /// The attribution after mapping (Python scopes and the dependency signal read it).
    pub sources: &'a Sources<'a>,
    /// Canonical names.
    pub cache: &'a NameCache<'c>,
    /// The stage's ops.
    pub group: &'a StageOps,
    /// The stage sweep.
    pub st: &'a StageOverlap,
    /// The per-row cutoff, percent.
    pub min_share_pct: f64,
    /// Where the CPU was late for idle gaps (location symbol of the attribution, graph).
    pub bubble_scope: Option<(Sym, bool)>,
    /// Runtime calls as `(thread, start, index)`, sorted; built on first use.
    pub runtime_order: core::cell::OnceCell<Vec<(u32, i64, u32)>>,
}

/// The seed's overlap classes (§6.7), from our categories.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Compute,
    Comm,
    Memory,
    Elementwise,
    Other,
}

fn class(c: Category) -> Class {
    match c {
        Category::Communication => Class::Comm,
        Category::Memory => Class::Memory,
        Category::Other => Class::Other,
        c if c.is_compute() => Class::Compute,
        _ => Class::Elementwise,
    }
}

fn weight(c: Class) -> f64 {
    match c {
        Class::Comm => 1.3,
        Class::Memory => 1.15,
        Class::Elementwise => 1.0,
        Class::Other => 0.8,
        Class::Compute => 0.35,
    }
}

fn ratio(part: i64, whole: i64) -> f64 {
    if whole <= 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// Selects, ranks and fills the rows.
pub(super) fn build(ctx: &Ctx<'_, '_>, out: &mut OverlapTable) {
    let busy = ctx.st.sweep.busy;
    let share = |f: &Family| crate::results::share(f.total_ns, busy);
    // Headroom: mostly exposed. Non-compute by weighted exposed time, then compute.
    let mut headroom: Vec<&Family> = ctx
        .st
        .families
        .iter()
        .filter(|f| f.total_ns >= MIN_TOTAL_NS && ratio(f.exposed_ns(), f.total_ns) >= 0.45)
        .collect();
    crate::order::sort_by(&mut headroom, |a, b| {
        let key = |f: &Family| {
            let c = class(f.category);
            (c == Class::Compute, -(f.exposed_ns() as f64 * weight(c)))
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(a.first.cmp(&b.first))
    });
    // Low ROI: elementwise-like or memory work that is mostly hidden already.
    let mut hidden: Vec<&Family> = ctx
        .st
        .families
        .iter()
        .filter(|f| {
            matches!(class(f.category), Class::Elementwise | Class::Memory)
                && f.total_ns >= MIN_TOTAL_NS
                && ratio(f.hidden_ns, f.total_ns) >= 0.65
                && !headroom.iter().any(|h| h.name == f.name && h.category == f.category)
        })
        .collect();
    let hidden_key = |f: &Family| {
        let h = f.hidden_ns as f64;
        (h * (1.0 + f.hidden_by_compute_ns as f64 / h.max(1_000.0)), ratio(f.hidden_ns, f.total_ns))
    };
    crate::order::sort_by(&mut hidden, |a, b| {
        let (ka, kb) = (hidden_key(a), hidden_key(b));
        kb.0.total_cmp(&ka.0).then(kb.1.total_cmp(&ka.1)).then(a.first.cmp(&b.first))
    });
    // Serial rows (above the cutoff, so they would be listed) are folded away.
    headroom.retain(|f| {
        let serial = share(f) >= ctx.min_share_pct && is_serial(ctx, f);
        if serial {
            out.serial_folded_rows += 1;
            out.serial_folded_ns += f.total_ns;
        }
        !serial
    });
    // Communication that compute partly hides but still leaves exposed time worth a row.
    let mut partly: Vec<&Family> = ctx
        .st
        .families
        .iter()
        .filter(|f| {
            f.category == Category::Communication
                && f.total_ns >= MIN_TOTAL_NS
                && ratio(f.exposed_ns(), f.total_ns) < 0.45
                && crate::results::share(f.exposed_ns(), busy) >= ctx.min_share_pct
        })
        .collect();
    crate::order::sort_by(&mut partly, |a, b| {
        b.exposed_ns().cmp(&a.exposed_ns()).then(a.first.cmp(&b.first))
    });
    let mut rows: Vec<OverlapRow> = Vec::new();
    for (list, verdict, limit) in [
        (headroom, Verdict::Headroom, HEADROOM_LIMIT),
        (partly, Verdict::PartlyExposed, HIDDEN_LIMIT),
        (hidden, Verdict::LowRoiHidden, HIDDEN_LIMIT),
    ] {
        let mut listed = 0;
        for f in list {
            if share(f) < ctx.min_share_pct {
                out.hidden_rows += 1;
                out.hidden_ns += f.total_ns;
                continue;
            }
            if listed == limit {
                break;
            }
            listed += 1;
            rows.push(family_row(ctx, f, verdict, share(f)));
        }
    }
    if let Some(row) = bubble_row(ctx, out) {
        rows.push(row);
    }
    // Stable: selection order on ties.
    crate::order::sort_by(&mut rows, |a, b| {
        a.priority.cmp(&b.priority).then(b.recoverable_ns.cmp(&a.recoverable_ns))
    });
    out.rows = rows;
}

/// A family on a single busy stream that no overlap could shorten: not communication, not
/// a transfer, and no other lane had work in any step it ran in.
fn is_serial(ctx: &Ctx<'_, '_>, f: &Family) -> bool {
    match f.category {
        _ if f.beside_others => false,
        Category::Communication => false,
        Category::Memory => !is_transfer(&copies(ctx, f)),
        _ => true,
    }
}

/// Copies and fills (not copy kernels) can move to a copy engine beside compute.
fn is_transfer(c: &Copies) -> bool {
    c.directions.first().is_some_and(|d| d.direction != "copy kernel")
}

/// The time a row could recover (see the module docs).
fn recoverable(f: &Family, verdict: Verdict, transfers: bool) -> i64 {
    let comm = f.category == Category::Communication;
    match verdict {
        Verdict::Headroom | Verdict::PartlyExposed if comm || transfers => f.exposed_ns(),
        Verdict::Headroom if f.beside_others => f.exclusive_ns(),
        _ => 0,
    }
}

fn family_row(ctx: &Ctx<'_, '_>, f: &Family, verdict: Verdict, share_pct: f64) -> OverlapRow {
    let (dep_risk, dep_signal) = dep_risk(ctx, f.representative);
    let comm = f.category == Category::Communication;
    let copies = (f.category == Category::Memory).then(|| copies(ctx, f));
    let transfers = copies.as_ref().is_some_and(is_transfer);
    let (priority, mut recommendation) = match verdict {
        Verdict::Headroom if dep_risk == DepRisk::Low && (comm || transfers) => {
            (1, Recommendation::TryOverlap)
        }
        Verdict::Headroom if dep_risk == DepRisk::Low => (1, Recommendation::TryFusion),
        Verdict::Headroom => (2, Recommendation::CheckDeps),
        Verdict::PartlyExposed if dep_risk == DepRisk::Low => (3, Recommendation::TryOverlap),
        Verdict::PartlyExposed => (3, Recommendation::CheckDeps),
        _ => (4, Recommendation::Skip),
    };
    if verdict == Verdict::Headroom && copies.as_ref().is_some_and(|c| !c.syncs.is_empty()) {
        recommendation = Recommendation::AvoidSync;
    }
    let waiting = if comm { waiting(ctx, f) } else { None };
    if waiting.is_some() && verdict != Verdict::LowRoiHidden {
        recommendation = Recommendation::LoadAllRanks;
    }
    let (python_scope, graph, via) = scope(ctx, f);
    OverlapRow {
        row_id: String::new(),
        priority,
        verdict,
        kernel: ctx.cache.strings.get(f.name).to_owned(),
        category: Some(f.category),
        python_scope,
        graph,
        via,
        launches: f.launches,
        total_ns: f.total_ns,
        exclusive_ns: f.exclusive_ns(),
        hidden_ns: f.hidden_ns,
        hidden_by_compute_ns: f.hidden_by_compute_ns,
        exposed_ns: f.exposed_ns(),
        recoverable_ns: recoverable(f, verdict, transfers),
        share_pct,
        dep_risk,
        dep_signal: dep_signal.to_owned(),
        recommendation,
        waiting,
        copies,
    }
}

/// The stage ops (positions) of a family.
fn members<'a>(ctx: &'a Ctx<'_, '_>, f: &'a Family) -> impl Iterator<Item = usize> + 'a {
    let target = ctx.st.family_of.get(f.first).copied();
    ctx.st.family_of.iter().enumerate().filter(move |&(_, &x)| Some(x) == target).map(|(k, _)| k)
}

fn gpu_index(ctx: &Ctx<'_, '_>, k: usize) -> usize {
    ctx.group.ops.get(k).map_or(usize::MAX, |&i| i as usize)
}

/// The location that launched most of the family's GPU time (first seen on ties), whether
/// it is a graph launch, and how it was found. Mapped activities count for each eager
/// location by its share.
fn scope(ctx: &Ctx<'_, '_>, f: &Family) -> (String, bool, Via) {
    // Keys: an own site's location, or a mapped candidate (1 + mapped index, candidate).
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Key {
        Own(Sym, bool, Via),
        Mapped(u32, usize),
    }
    let mut counts: Vec<(Key, i128)> = Vec::new();
    let mut bump = |key: Key, n: i128| match counts.iter_mut().find(|(x, _)| *x == key) {
        Some((_, c)) => *c += n,
        None => counts.push((key, n)),
    };
    for k in members(ctx, f) {
        let i = gpu_index(ctx, k);
        let dur = i128::from(ctx.st.spans.get(k).map_or(0, |s| s.end - s.start));
        match ctx.sources.origin(i) {
            Origin::Own(site) if !site.location.is_none() => {
                // Weighted like mapped time (× the total weight 1) so both compare.
                bump(Key::Own(site.location, site.graph, site.via()), dur * WEIGHT_SCALE);
            }
            Origin::Mapped(m) => {
                let id = ctx.sources.mapped_id(i);
                let total = i128::from(m.weight());
                for (c, cand) in m.candidates.iter().enumerate() {
                    bump(Key::Mapped(id, c), dur * WEIGHT_SCALE * i128::from(cand.gpu_ns.max(0)) / total);
                }
            }
            _ => {}
        }
    }
    let mut best: Option<(Key, i128)> = None;
    for &(key, n) in &counts {
        if best.is_none_or(|(_, bn)| n > bn) {
            best = Some((key, n));
        }
    }
    match best {
        Some((Key::Own(loc, graph, via), _)) => (ctx.attribution.strings.get(loc).to_owned(), graph, via),
        Some((Key::Mapped(id, c), _)) => {
            let m = ctx.sources.mapped.get((id as usize).wrapping_sub(1));
            match m.and_then(|m| m.candidates.get(c).map(|cand| (m, cand))) {
                Some((m, cand)) => (cand.location.clone(), false, m.via),
                None => ("unmapped".to_owned(), false, Via::None),
            }
        }
        None => ("unmapped".to_owned(), false, Via::None),
    }
}

/// Scale of the integer weights in [`scope`] (mapped time is split by share).
const WEIGHT_SCALE: i128 = 1 << 20;

/// A collective whose exposed time is a large share of the stage, or whose longest launch
/// dwarfs its median, is most likely waiting for the slowest rank inside the kernel.
fn waiting(ctx: &Ctx<'_, '_>, f: &Family) -> Option<Waiting> {
    let share_pct = crate::results::share(f.exposed_ns(), ctx.st.sweep.busy);
    if share_pct < 5.0 {
        return None;
    }
    let mut durs: Vec<i64> =
        members(ctx, f).filter_map(|k| ctx.st.spans.get(k).map(|s| s.end - s.start)).collect();
    durs.sort_unstable();
    let median = durs.get(durs.len() / 2).copied().unwrap_or(0);
    let max = durs.last().copied().unwrap_or(0);
    let dominates = share_pct >= 25.0;
    let skewed = max >= 200_000 && max >= median.saturating_mul(8);
    (dominates || skewed).then_some(Waiting { share_pct, max_ns: max, median_ns: median })
}

/// Directions of a copy family and the syncs that followed its launches.
fn copies(ctx: &Ctx<'_, '_>, f: &Family) -> Copies {
    let trace = ctx.trace;
    let mut directions: Vec<CopyDirection> = Vec::new();
    let mut syncs: Vec<SyncCause> = Vec::new();
    for k in members(ctx, f) {
        let i = gpu_index(ctx, k);
        let kind = trace.gpu.kind.get(i).copied().unwrap_or(GpuKind::Kernel);
        let dur = ctx.st.spans.get(k).map_or(0, |s| s.end - s.start);
        let name = trace.str(trace.gpu.name.get(i).copied().unwrap_or(Sym::EMPTY));
        let direction = match kind {
            GpuKind::Memcpy => ["HtoD", "DtoH", "DtoD", "PtoP", "HtoH"]
                .into_iter()
                .find(|d| name.contains(d))
                .unwrap_or("copy"),
            GpuKind::Memset => "fill",
            _ => "copy kernel",
        };
        match directions.iter_mut().find(|d| d.direction == direction) {
            Some(d) => {
                d.launches += 1;
                d.gpu_ns += dur;
            }
            None => {
                directions.push(CopyDirection { direction: direction.to_owned(), launches: 1, gpu_ns: dur })
            }
        }
        if kind == GpuKind::Kernel {
            continue;
        }
        let r = ctx.attribution.launch.get(i).copied().unwrap_or(NONE);
        let Some(api) = sync_after(trace, r, &ctx.runtime_order) else { continue };
        let location = ctx
            .attribution
            .site_of(i)
            .filter(|s| !s.location.is_none())
            .map_or_else(|| "unresolved".to_owned(), |s| ctx.attribution.strings.get(s.location).to_owned());
        match syncs.iter_mut().find(|s| s.api == api && s.location == location) {
            Some(s) => s.copies += 1,
            None => syncs.push(SyncCause { api, location, copies: 1 }),
        }
    }
    crate::order::sort_by(&mut directions, |a, b| {
        b.gpu_ns.cmp(&a.gpu_ns).then(a.direction.cmp(&b.direction))
    });
    crate::order::sort_by(&mut syncs, |a, b| {
        b.copies.cmp(&a.copies).then(a.api.cmp(&b.api)).then(a.location.cmp(&b.location))
    });
    Copies { directions, syncs }
}

/// The call that made the CPU wait for the copy launched by runtime call `r`: the call
/// itself when it is a synchronous `cudaMemcpy`, else a synchronize on the same thread
/// before its next launch.
fn sync_after(trace: &Trace, r: u32, order: &core::cell::OnceCell<Vec<(u32, i64, u32)>>) -> Option<String> {
    let rt = &trace.runtime;
    let name = trace.str(*rt.name.get(r as usize)?);
    let kind = *rt.kind.get(r as usize)?;
    if kind == RuntimeKind::Memcpy && !name.contains("Async") && !name.contains("Peer") {
        return Some(name.to_owned());
    }
    let order = order.get_or_init(|| {
        let mut v: Vec<(u32, i64, u32)> = (0..rt.len())
            .filter_map(|i| Some((rt.track.get(i)?.0, *rt.start_ns.get(i)?, u32::try_from(i).ok()?)))
            .collect();
        crate::order::sort_by(&mut v, Ord::cmp);
        v
    });
    let key = (rt.track.get(r as usize)?.0, *rt.start_ns.get(r as usize)?, r);
    let at = order.partition_point(|x| *x <= key);
    for &(track, _, next) in order.get(at..)?.iter().take(4) {
        if track != key.0 {
            break;
        }
        match rt.kind.get(next as usize)? {
            RuntimeKind::Synchronize => return Some(trace.str(*rt.name.get(next as usize)?).to_owned()),
            k if k.launches_work() => break,
            _ => {}
        }
    }
    None
}

/// The row for idle gaps inside the stage's steps, when they reach the cutoff.
fn bubble_row(ctx: &Ctx<'_, '_>, out: &OverlapTable) -> Option<OverlapRow> {
    use crate::results::overlap::BubbleCause as C;
    let b = &out.bubbles;
    if b.idle_ns <= 0 {
        return None;
    }
    let share_pct = crate::results::share(b.idle_ns, out.sweep.span_ns);
    // Idle time under the cutoff is not a row (nor a "hidden row": it is no GPU time).
    if share_pct < ctx.min_share_pct {
        return None;
    }
    // Gaps inside graph replays and before work already queued are GPU-side waits.
    let gpu_side: i64 =
        b.causes.iter().filter(|c| matches!(c.cause, C::Graph | C::Queued)).map(|c| c.ns).sum();
    let top = b.causes.iter().max_by(|a, b| a.ns.cmp(&b.ns).then(b.cause.cmp(&a.cause))).map(|c| c.cause);
    // Launch-bound gaps call for graphs only where the stage does not replay graphs already.
    let (mut replayed, mut all) = (0i64, 0i64);
    for (k, s) in ctx.st.spans.iter().enumerate() {
        let dur = s.end - s.start;
        all += dur;
        if ctx.attribution.site_of(gpu_index(ctx, k)).is_some_and(|x| x.graph) {
            replayed += dur;
        }
    }
    let recommendation = match top {
        Some(C::Launch) if replayed * 2 < all => Recommendation::TryGraphs,
        Some(C::Launch) => Recommendation::ReduceCpuWork,
        Some(C::Sync | C::Memcpy) => Recommendation::AvoidSync,
        Some(C::CpuOp | C::Python) => Recommendation::ReduceCpuWork,
        Some(C::Graph | C::Queued) => Recommendation::CheckDeps,
        Some(C::Unrecorded) | None => Recommendation::Skip,
    };
    let priority = match share_pct {
        p if p >= 20.0 => 1,
        p if p >= 10.0 => 2,
        p if p >= 3.0 => 3,
        _ => 4,
    };
    let (python_scope, graph, via) = match ctx.bubble_scope {
        Some((loc, graph)) => (
            ctx.attribution.strings.get(loc).to_owned(),
            graph,
            if graph { Via::GraphLaunch } else { Via::Direct },
        ),
        None => ("unmapped".to_owned(), false, Via::None),
    };
    Some(OverlapRow {
        row_id: String::new(),
        priority,
        verdict: Verdict::Bubbles,
        kernel: "GPU idle (bubbles)".to_owned(),
        category: None,
        python_scope,
        graph,
        via,
        launches: b.gaps,
        total_ns: b.idle_ns,
        exclusive_ns: b.idle_ns,
        hidden_ns: 0,
        hidden_by_compute_ns: 0,
        exposed_ns: b.idle_ns,
        recoverable_ns: b.idle_ns - gpu_side,
        share_pct,
        dep_risk: DepRisk::None,
        dep_signal: String::new(),
        recommendation,
        waiting: None,
        copies: None,
    })
}

/// `path:line func` → (path, func).
fn scope_parts(loc: &str) -> (&str, &str) {
    let (head, func) = loc.split_once(' ').unwrap_or((loc, ""));
    let path = head.rsplit_once(':').map_or(head, |(p, _)| p);
    (path, func)
}

/// The Python location and cpu_op of an activity: its eager launch's, or its eager twins'
/// (the location with the most time) when mapped. Graph replays that are not mapped say
/// nothing about the kernel itself, so they count as unmapped.
fn source<'a>(ctx: &'a Ctx<'_, '_>, k: usize) -> (Option<&'a str>, Option<&'a str>) {
    match ctx.sources.origin(gpu_index(ctx, k)) {
        Origin::Own(s) if !s.graph || s.capture => (
            (!s.location.is_none()).then(|| ctx.attribution.strings.get(s.location)),
            Some(ctx.attribution.cpu_op(s, ctx.trace)).filter(|op| !op.is_empty()),
        ),
        Origin::Mapped(m) => match m.candidates.first() {
            Some(c) => (Some(c.location.as_str()), (!c.cpu_op.is_empty()).then_some(c.cpu_op.as_str())),
            None => (None, None),
        },
        _ => (None, None),
    }
}

/// The seed's dependency signal for the representative activity at position `k`.
fn dep_risk(ctx: &Ctx<'_, '_>, k: usize) -> (DepRisk, &'static str) {
    let spans = &ctx.st.spans;
    let Some(cur) = spans.get(k) else { return (DepRisk::Unclear, "adjacency unclear") };
    let key = |j: usize, s: &super::sweep::Span| (s.start, s.end, j);
    let me = key(k, cur);
    let (mut prev, mut next): (Option<usize>, Option<usize>) = (None, None);
    for (j, s) in spans.iter().enumerate() {
        if s.lane != cur.lane || j == k {
            continue;
        }
        let kj = key(j, s);
        if kj < me && prev.is_none_or(|p| spans.get(p).is_some_and(|ps| key(p, ps) < kj)) {
            prev = Some(j);
        }
        if kj > me && next.is_none_or(|n| spans.get(n).is_some_and(|ns| key(n, ns) > kj)) {
            next = Some(j);
        }
    }
    let dur = cur.end - cur.start;
    let tight = 2_000i64.max(20_000i64.min((dur as f64 * 0.15) as i64));
    let cur_class = class(ctx.st.categories.get(k).copied().unwrap_or(Category::Other));
    let (cur_scope, cur_op) = source(ctx, k);
    let side = |nb: Option<usize>, gap: i64| -> (bool, bool) {
        let Some(nb) = nb else { return (false, false) };
        if gap > tight {
            return (false, false);
        }
        let nb_class = class(ctx.st.categories.get(nb).copied().unwrap_or(Category::Other));
        let (nb_scope, nb_op) = source(ctx, nb);
        let same_scope = match (cur_scope, nb_scope) {
            (Some(a), Some(b)) => {
                let (pa, fa) = scope_parts(a);
                let (pb, fb) = scope_parts(b);
                pa == pb || (!fa.is_empty() && fa == fb)
            }
            _ => false,
        };
        let same_op = cur_op.is_some() && cur_op == nb_op;
        let dependency_like = match cur_class {
            Class::Comm => nb_class != Class::Comm,
            Class::Elementwise | Class::Memory => nb_class != Class::Other,
            _ => false,
        };
        let risky = same_scope || same_op || dependency_like;
        (risky, !risky && (cur_scope.is_none() || nb_scope.is_none()))
    };
    let prev_gap = prev.and_then(|p| spans.get(p)).map_or(i64::MAX, |p| (cur.start - p.end).max(0));
    let next_gap = next.and_then(|n| spans.get(n)).map_or(i64::MAX, |n| (n.start - cur.end).max(0));
    let (prev_risk, prev_unclear) = side(prev, prev_gap);
    let (next_risk, next_unclear) = side(next, next_gap);
    match (prev_risk, next_risk) {
        (true, true) => (DepRisk::High, "both-side serial risk"),
        (true, false) => (DepRisk::High, "prev-side serial risk"),
        (false, true) => (DepRisk::High, "next-side serial risk"),
        _ if prev_unclear || next_unclear => (DepRisk::Unclear, "adjacency unclear"),
        _ => (DepRisk::Low, "serial risk low"),
    }
}
