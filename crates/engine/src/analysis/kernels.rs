//! Each stage's kernel table and headline figures (the stages come from [`super::split`]).

use rustc_hash::FxHashMap;

use super::attribution::{Attribution, NONE};
use super::mapping::{self, MatchKind, Sources, Via};
use super::split::StageOps;
use crate::catalog::categories::CategoryRules;
use crate::names;
use crate::results::kernels::{KernelRow, KernelSite, KernelTable, StageSummary};
use crate::vocab::Category;
use trace::model::{GpuKind, Strings, Sym, Trace};

/// Headline figures of a stage.
#[must_use]
pub(crate) fn summary(trace: &Trace, attribution: &Attribution, s: &StageOps) -> StageSummary {
    let g = &trace.gpu;
    let mut intervals: Vec<(i64, i64)> = Vec::with_capacity(s.ops.len());
    let mut out = StageSummary { start_ns: i64::MAX, end_ns: i64::MIN, ..StageSummary::default() };
    let mut extents: FxHashMap<u32, (i64, i64)> = FxHashMap::default();
    for (k, &i) in s.ops.iter().enumerate() {
        let i = i as usize;
        let (Some(&start), Some(&dur)) = (g.start_ns.get(i), g.dur_ns.get(i)) else { continue };
        let end = start.saturating_add(dur);
        intervals.push((start, end));
        out.kernel_ns += dur;
        out.launches += 1;
        out.start_ns = out.start_ns.min(start);
        out.end_ns = out.end_ns.max(end);
        if attribution.site_of(i).is_some_and(|site| site.graph) {
            out.graph_replay_ns += dur;
        }
        let step = s.step.get(k).copied().unwrap_or(NONE);
        let e = extents.entry(step).or_insert((start, end));
        e.0 = e.0.min(start);
        e.1 = e.1.max(end);
    }
    if out.launches == 0 {
        return StageSummary::default();
    }
    out.busy_ns = union_length(&mut intervals);
    // A step has a CPU and a GPU annotation; count CPU windows when the stage has any.
    let cpu_steps = extents.keys().filter(|&&k| k < s.cpu_windows).count() as u64;
    let gpu_steps = extents.keys().filter(|&&k| k != NONE && k >= s.cpu_windows).count() as u64;
    out.steps = if cpu_steps > 0 { cpu_steps } else { gpu_steps };
    // Steps' extents; work outside any step adds its own extent.
    let mut spans: Vec<(i64, i64)> = extents.values().copied().collect();
    out.span_ns = union_length(&mut spans).max(out.busy_ns);
    out.utilization_pct = crate::results::share(out.busy_ns, out.span_ns);
    out
}

/// Length of the union of half-open intervals (sorts them).
#[must_use]
pub(crate) fn union_length(intervals: &mut [(i64, i64)]) -> i64 {
    intervals.sort_unstable();
    let mut total = 0i64;
    let mut current: Option<(i64, i64)> = None;
    for &(s, e) in intervals.iter() {
        match current {
            Some((cs, ce)) if s <= ce => current = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                current = Some((s, e));
            }
            None => current = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = current {
        total += ce - cs;
    }
    total
}

/// Per-name facts cached across a trace: canonical name and category.
pub(crate) struct NameCache<'a> {
    rules: &'a CategoryRules,
    /// Interned canonical names.
    pub strings: Strings,
    map: FxHashMap<(Sym, GpuKind), (Sym, Category)>,
}

impl<'a> NameCache<'a> {
    /// An empty cache.
    #[must_use]
    pub(crate) fn new(rules: &'a CategoryRules) -> Self {
        NameCache { rules, strings: Strings::new(), map: FxHashMap::default() }
    }

    /// Canonical name and category of GPU activity `i`.
    pub(crate) fn of(&mut self, trace: &Trace, i: usize) -> (Sym, Category) {
        let name = trace.gpu.name.get(i).copied().unwrap_or(Sym::EMPTY);
        let kind = trace.gpu.kind.get(i).copied().unwrap_or(GpuKind::Kernel);
        if let Some(&v) = self.map.get(&(name, kind)) {
            return v;
        }
        let text = trace.str(name);
        let canonical = self.strings.intern(&names::canonical(text));
        let v = (canonical, self.rules.classify(kind, text));
        self.map.insert((name, kind), v);
        v
    }
}

#[derive(Default)]
struct RowAcc {
    category: Option<Category>,
    gpu_ns: i64,
    launches: u64,
    graph_launches: u64,
    sites: FxHashMap<u32, (u64, i64)>,
    /// (1 + mapped index, graph replays) → (launches, ns).
    mapped: FxHashMap<(u32, bool), (u64, i64)>,
    first: usize,
    roofline: super::roofline::RowSums,
}

/// What the kernel table's roofline columns read: each activity's work and the GPU's
/// spec.
#[derive(Clone, Copy)]
pub(crate) struct Roofs<'a> {
    /// Per activity work.
    pub work: &'a super::roofline::Work,
    /// The GPU's peaks, when known.
    pub spec: Option<&'a crate::catalog::GpuSpec>,
}

/// The kernel table of a stage: rows per canonical name, most GPU time first, rows below
/// `min_share_pct` counted in the footer; sites from `sources` (mapped activities take their
/// eager twins' locations, split by share).
#[must_use]
pub(crate) fn kernel_table_with(
    sources: &Sources<'_>,
    cache: &mut NameCache<'_>,
    s: &StageOps,
    min_share_pct: f64,
    roofs: Roofs<'_>,
) -> KernelTable {
    let (trace, attribution) = (sources.trace, sources.attribution);
    let g = &trace.gpu;
    let mut rows: FxHashMap<Sym, RowAcc> = FxHashMap::default();
    let mut total = 0i64;
    for (k, &i) in s.ops.iter().enumerate() {
        let i = i as usize;
        let dur = g.dur_ns.get(i).copied().unwrap_or(0);
        let (canonical, category) = cache.of(trace, i);
        total += dur;
        let row = rows.entry(canonical).or_insert_with(|| RowAcc { first: k, ..RowAcc::default() });
        row.category.get_or_insert(category);
        row.gpu_ns += dur;
        row.launches += 1;
        row.roofline.add(roofs.work.per.get(i), dur);
        let site = attribution.site.get(i).copied().unwrap_or(NONE);
        let graph = attribution.sites.get(site as usize).is_some_and(|x| x.graph);
        if graph {
            row.graph_launches += 1;
        }
        let mapped = sources.mapped_id(i);
        let e = if mapped > 0 {
            row.mapped.entry((mapped, graph)).or_insert((0, 0))
        } else {
            row.sites.entry(site).or_insert((0, 0))
        };
        e.0 += 1;
        e.1 += dur;
    }
    let mut list: Vec<(Sym, RowAcc)> = rows.into_iter().collect();
    crate::order::sort_by(&mut list, |a, b| b.1.gpu_ns.cmp(&a.1.gpu_ns).then(a.1.first.cmp(&b.1.first)));
    let mut table = KernelTable { total_ns: total, ..KernelTable::default() };
    for (name, acc) in list {
        let share = crate::results::share(acc.gpu_ns, total);
        if share < min_share_pct {
            table.hidden_rows += 1;
            table.hidden_ns += acc.gpu_ns;
            continue;
        }
        let sites = sites(sources, &acc);
        let via = sites.first().map_or(Via::None, |s| s.via);
        let matched = sites.iter().fold(MatchKind::None, |m, s| m.weaker(s.matched));
        table.rows.push(KernelRow {
            row_id: String::new(),
            name: cache.strings.get(name).to_owned(),
            category: acc.category.unwrap_or(Category::Other),
            gpu_ns: acc.gpu_ns,
            share_pct: share,
            launches: acc.launches,
            graph_launches: acc.graph_launches,
            sites,
            via,
            matched,
            roofline: acc.roofline.figures(roofs.spec),
        });
    }
    table
}

/// One merged site of a row while it is being built.
struct Merged {
    launches: u64,
    gpu_ns: i64,
    graph: bool,
    via: Via,
    matched: MatchKind,
    location: String,
    stacks: Vec<(String, u64)>,
    ops: Vec<(String, u64)>,
}

/// Where some launches of a row came from, as [`Merged`] sites are keyed.
struct Origin {
    location: String,
    graph: bool,
    via: Via,
    matched: MatchKind,
    stack: String,
    op: String,
}

/// Adds `launches` (with their GPU time) from `o` to the site with the same location,
/// graph flag, via and match kind.
fn merge_into(merged: &mut Vec<Merged>, o: Origin, launches: u64, gpu_ns: i64) {
    let at = merged.iter().position(|m| {
        m.location == o.location && m.graph == o.graph && m.via == o.via && m.matched == o.matched
    });
    let m = match at {
        Some(p) => merged.get_mut(p),
        None => {
            merged.push(Merged {
                launches: 0,
                gpu_ns: 0,
                graph: o.graph,
                via: o.via,
                matched: o.matched,
                location: o.location,
                stacks: vec![],
                ops: vec![],
            });
            merged.last_mut()
        }
    };
    let Some(m) = m else { return };
    m.launches += launches;
    m.gpu_ns += gpu_ns;
    bump(&mut m.stacks, o.stack, launches.max(1));
    bump(&mut m.ops, o.op, launches.max(1));
}

/// The origin of launches attributed by their own launch (directly or through the graph
/// launch), or unresolved.
fn own_origin(sources: &Sources<'_>, id: u32) -> Origin {
    let (trace, attribution) = (sources.trace, sources.attribution);
    let Some(s) = attribution.sites.get(id as usize) else {
        return Origin {
            location: "unresolved".to_owned(),
            graph: false,
            via: Via::None,
            matched: MatchKind::None,
            stack: String::new(),
            op: String::new(),
        };
    };
    let resolved = !s.location.is_none();
    Origin {
        location: if resolved {
            attribution.strings.get(s.location).to_owned()
        } else {
            "unresolved".to_owned()
        },
        graph: s.graph,
        via: if resolved { s.via() } else { Via::None },
        matched: MatchKind::None,
        stack: if s.stack.is_none() { String::new() } else { attribution.strings.get(s.stack).to_owned() },
        op: attribution.cpu_op(s, trace).to_owned(),
    }
}

/// A row's sites merged by (location, graph, via, match), each with its most common stack
/// and cpu_op; mapped launches split over their eager twins' locations by share.
fn sites(sources: &Sources<'_>, acc: &RowAcc) -> Vec<KernelSite> {
    let mut merged: Vec<Merged> = Vec::new();
    let mut ids: Vec<(&u32, &(u64, i64))> = acc.sites.iter().collect();
    crate::order::sort_by_key(&mut ids, |(id, _)| **id);
    for (&id, &(launches, gpu_ns)) in ids {
        merge_into(&mut merged, own_origin(sources, id), launches, gpu_ns);
    }
    let mut mapped: Vec<_> = acc.mapped.iter().collect();
    crate::order::sort_by_key(&mut mapped, |(k, _)| **k);
    for (&(id, graph), &(launches, gpu_ns)) in mapped {
        let Some(m) = sources.mapped.get((id as usize).wrapping_sub(1)) else { continue };
        let weights: Vec<i64> = m.candidates.iter().map(|c| c.gpu_ns).collect();
        let ns = mapping::apportion(gpu_ns, &weights);
        let n = mapping::apportion(i64::try_from(launches).unwrap_or(i64::MAX), &weights);
        for (k, c) in m.candidates.iter().enumerate() {
            let origin = Origin {
                location: c.location.clone(),
                graph,
                via: m.via,
                matched: m.kind,
                stack: c.stack.clone(),
                op: c.cpu_op.clone(),
            };
            let launches = n.get(k).and_then(|&x| u64::try_from(x).ok()).unwrap_or(0);
            merge_into(&mut merged, origin, launches, ns.get(k).copied().unwrap_or(0));
        }
    }
    crate::order::sort_by(&mut merged, |a, b| {
        b.gpu_ns.cmp(&a.gpu_ns).then_with(|| a.location.cmp(&b.location))
    });
    merged
        .into_iter()
        .map(|m| KernelSite {
            share_pct: crate::results::share(m.gpu_ns, acc.gpu_ns),
            location: m.location,
            stack: most_common(m.stacks),
            launches: m.launches,
            gpu_ns: m.gpu_ns,
            cpu_op: most_common(m.ops),
            graph: m.graph,
            via: m.via,
            matched: m.matched,
        })
        .collect()
}

fn bump(counts: &mut Vec<(String, u64)>, key: String, n: u64) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, c)) => *c += n,
        None => counts.push((key, n)),
    }
}

/// The most common non-empty key (first seen on ties); empty when all are empty.
fn most_common(counts: Vec<(String, u64)>) -> String {
    let mut best: Option<(String, u64)> = None;
    for (k, n) in counts {
        if k.is_empty() {
            continue;
        }
        if best.as_ref().is_none_or(|(_, bn)| n > *bn) {
            best = Some((k, n));
        }
    }
    best.map(|(k, _)| k).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union() {
        assert_eq!(union_length(&mut []), 0);
        assert_eq!(union_length(&mut [(0, 10), (5, 15), (20, 30)]), 25);
        assert_eq!(union_length(&mut [(0, 10), (10, 20)]), 20);
        assert_eq!(union_length(&mut [(0, 100), (10, 20)]), 100);
        assert_eq!(union_length(&mut [(5, 5)]), 0);
    }
}
