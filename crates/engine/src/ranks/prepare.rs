//! One rank's trace reduced for comparison ([`RankReduction`]): the device it reports,
//! its stage split (as the triage report splits it) with each stage's headline figures and
//! per-kernel totals, and its communication kernels with their family, names and the
//! compute that ran under each (what can hide communication). The trace is not needed
//! afterwards.

use rustc_hash::FxHashMap;

use super::reduction::{CommReduction, KernelTotal, RankReduction, StageReduction};
use crate::analysis::attribution;
use crate::analysis::kernels::{self, NameCache};
use crate::analysis::split;
use crate::catalog::Catalog;
use crate::names;
use crate::triage::Input;
use crate::vocab::Category;
use crate::vocab::Family;
use crate::vocab::Stage;
use trace::model::{Sym, Trace};

/// Sorted disjoint intervals: the part of the union inside any interval in O(log n).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cover {
    intervals: Vec<(i64, i64)>,
}

impl Cover {
    /// The union of `intervals` (any order, may overlap; empty ones are ignored).
    #[must_use]
    pub(crate) fn of(mut intervals: Vec<(i64, i64)>) -> Cover {
        intervals.retain(|&(s, e)| e > s);
        intervals.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(intervals.len());
        for (s, e) in intervals {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        Cover { intervals: merged }
    }

    /// The parts of the union inside `[a, b)`: sorted disjoint intervals, clipped.
    #[must_use]
    pub(crate) fn clipped(&self, a: i64, b: i64) -> Vec<(i64, i64)> {
        if b <= a {
            return Vec::new();
        }
        let iv = &self.intervals;
        let lo = iv.partition_point(|&(_, e)| e <= a);
        let hi = iv.partition_point(|&(s, _)| s < b);
        iv.get(lo..hi).unwrap_or_default().iter().map(|&(s, e)| (s.max(a), e.min(b))).collect()
    }
}

/// Reduces one trace (`input.path` may name a stage, which then splits it).
#[must_use]
pub(crate) fn reduce(input: &Input<'_>, catalog: &Catalog) -> RankReduction {
    let trace = input.trace;
    let (device, other_devices) = split::primary_device(trace);
    let gpu = device.and_then(|d| trace.device(d).map(|p| p.name.clone())).or_else(|| {
        match trace.meta.devices.as_slice() {
            [only] => Some(only.name.clone()),
            _ => None,
        }
    });
    let distributed = trace.meta.distributed.as_ref();
    let mut out = RankReduction {
        path: input.path.to_owned(),
        distributed_rank: distributed.and_then(|d| d.rank),
        world_size: distributed.and_then(|d| d.world_size),
        gpu,
        device,
        other_devices,
        base_time_ns: trace.meta.base_time_ns,
        events: trace.counts.total,
        json_bytes: trace.json_bytes,
        diffusers: crate::analysis::diffusion::diffusers_stacks(trace),
        names: Vec::new(),
        stages: Vec::new(),
        comms: Vec::new(),
        ends_early: trace
            .diagnostics
            .entries()
            .iter()
            .find(|d| d.kind == trace::DiagnosticKind::Truncated)
            .map(|d| crate::results::ranks::EndsEarly { at_byte: d.first_offset }),
    };
    if device.is_some() {
        reduce_device(trace, crate::vocab::stage_from_path(input.path), device, catalog, &mut out);
    }
    out
}

/// Names interned as indexes into [`RankReduction::names`].
#[derive(Default)]
struct Table {
    index: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Table {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&k) = self.index.get(text) {
            return k;
        }
        let k = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(text.to_owned());
        self.index.insert(text.to_owned(), k);
        k
    }
}

/// The stages, kernel totals and communication kernels of the compared device.
fn reduce_device(
    trace: &Trace,
    path_stage: Option<Stage>,
    device: Option<i64>,
    catalog: &Catalog,
    out: &mut RankReduction,
) {
    let attribution = attribution::attribute(trace);
    let groups = split::split(trace, &attribution, device, path_stage);
    let mut cache = NameCache::new(&catalog.categories);
    let mut table = Table::default();
    // Canonical symbol of the cache → (canonical, normalised) name indexes.
    let mut known: FxHashMap<Sym, (u32, u32)> = FxHashMap::default();
    let mut compute: Vec<(i64, i64)> = Vec::new();
    // (kernel, stream, GPU row): the last two only order kernels that start and end together.
    let mut comms: Vec<(CommReduction, i64, u32)> = Vec::new();
    let g = &trace.gpu;
    for group in &groups {
        let summary = kernels::summary(trace, &attribution, group);
        let mut stage = StageReduction {
            stage: group.stage,
            source: group.source,
            span_ns: summary.span_ns,
            busy_ns: summary.busy_ns,
            utilization_pct: summary.utilization_pct,
            kernel_ns: summary.kernel_ns,
            launches: summary.launches,
            gpu_ns: 0,
            kernels: Vec::new(),
        };
        // Normalised name → its row in `stage.kernels`.
        let mut rows: FxHashMap<u32, usize> = FxHashMap::default();
        for &op in &group.ops {
            let i = op as usize;
            let (symbol, category) = cache.of(trace, i);
            let (canonical, norm) = *known.entry(symbol).or_insert_with(|| {
                let text = cache.strings.get(symbol);
                (table.intern(text), table.intern(&names::normalized(text)))
            });
            let raw = g.dur_ns.get(i).copied().unwrap_or(0);
            stage.gpu_ns += raw;
            add_kernel(&mut stage.kernels, &mut rows, norm, canonical, category, raw.max(0));
            let (Some(&start), Some(&dur)) = (g.start_ns.get(i), g.dur_ns.get(i)) else { continue };
            let end = start.saturating_add(dur.max(0));
            if category.is_compute() {
                compute.push((start, end));
            } else if category == Category::Communication {
                let family = Family::of_name(trace.str(g.name.get(i).copied().unwrap_or(Sym::EMPTY)));
                let stream = g.stream.get(i).copied().unwrap_or(0);
                let comm = CommReduction {
                    family,
                    start,
                    end,
                    stage: group.stage,
                    norm,
                    canonical,
                    compute: Vec::new(),
                };
                comms.push((comm, stream, op));
            }
        }
        out.stages.push(stage);
    }
    comms.sort_by_key(|(c, stream, op)| (c.start, c.end, *stream, *op));
    let cover = Cover::of(compute);
    out.comms = comms
        .into_iter()
        .map(|(mut c, ..)| {
            c.compute = cover.clipped(c.start, c.end);
            c
        })
        .collect();
    out.names = table.names;
}

/// Adds one launch of `dur` ns to the row of `norm`.
fn add_kernel(
    kernels: &mut Vec<KernelTotal>,
    rows: &mut FxHashMap<u32, usize>,
    norm: u32,
    canonical: u32,
    category: Category,
    dur: i64,
) {
    let k = *rows.entry(norm).or_insert_with(|| {
        kernels.push(KernelTotal { norm, category, ns: 0, launches: 0, canonical: Vec::new() });
        kernels.len() - 1
    });
    let Some(row) = kernels.get_mut(k) else { return };
    row.ns += dur;
    row.launches += 1;
    match row.canonical.iter_mut().find(|c| c.0 == canonical) {
        Some(c) => c.1 += dur,
        None => row.canonical.push((canonical, dur)),
    }
}
#[cfg(test)]
mod tests {
    use super::Cover;

    #[test]
    fn cover_clips_to_intersections() {
        let c = Cover::of(vec![(10, 20), (15, 30), (40, 50), (60, 60), (5, 5)]);
        assert_eq!(c.clipped(12, 45), [(12, 30), (40, 45)]);
        assert_eq!(c.clipped(30, 40), []);
        let c = Covered(c);
        assert_eq!(c.covered(0, 100), 30);
        assert_eq!(c.covered(12, 45), 23);
        assert_eq!(c.covered(30, 40), 0);
        assert_eq!(c.covered(25, 26), 1);
        assert_eq!(c.covered(45, 44), 0);
        assert_eq!(c.covered(0, 10), 0);
        assert_eq!(c.covered(49, 70), 1);
        assert_eq!(Covered(Cover::default()).covered(0, 10), 0);
    }

    /// The covered length as a comparison reads it: over a kernel's clipped intervals.
    struct Covered(Cover);

    impl Covered {
        fn covered(&self, a: i64, b: i64) -> i64 {
            let comm = crate::ranks::CommReduction {
                family: crate::vocab::Family::AllReduce,
                start: a,
                end: b.max(a),
                stage: crate::vocab::Stage::All,
                norm: 0,
                canonical: 0,
                compute: self.0.clipped(a, b),
            };
            comm.covered(a, b)
        }
    }
}
