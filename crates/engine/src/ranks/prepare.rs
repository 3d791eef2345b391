//! One rank's trace made ready for comparison: the device it reports, its stage split
//! (as the triage report splits it), every GPU activity's canonical name, category and
//! normalised name, its communication kernels with their family in start order, and the
//! union of its compute kernels (what can hide communication).

use rustc_hash::FxHashMap;

use crate::analysis::attribution::{self, Attribution};
use crate::analysis::kernels::NameCache;
use crate::analysis::split::{self, StageOps};
use crate::catalog::Catalog;
use crate::names;
use crate::vocab::Category;
use crate::vocab::Family;
use crate::vocab::Stage;
use trace::model::{Strings, Sym, Trace};

/// One communication kernel of a rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Comm {
    /// Index into `trace.gpu`.
    pub op: u32,
    /// The collective family.
    pub family: Family,
    /// Start as written, ns.
    pub start: i64,
    /// End as written, ns.
    pub end: i64,
    /// The stage the op belongs to on this rank.
    pub stage: Stage,
    /// Normalised name (a symbol of [`Prepared::names`]).
    pub norm: Sym,
}

/// Per GPU activity of the reported device: names and category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OpInfo {
    /// Canonical name (a symbol of [`Prepared::names`]).
    pub canonical: Sym,
    /// Normalised name (a symbol of [`Prepared::names`]).
    pub norm: Sym,
    /// Category.
    pub category: Category,
}

/// One trace, prepared.
pub(crate) struct Prepared<'a> {
    /// The loaded trace.
    pub trace: &'a Trace,
    /// The device whose work is compared (the one with the most GPU time).
    pub device: Option<i64>,
    /// Other devices with work, and their GPU time, ns.
    pub other_devices: Vec<(i64, i64)>,
    /// Attribution (launches, for the stage split and graph-replay share).
    pub attribution: Attribution,
    /// Stage groups, by stage.
    pub groups: Vec<StageOps>,
    /// Canonical and normalised names.
    pub names: Strings,
    /// Per GPU activity of the device (keyed by op index).
    pub info: FxHashMap<u32, OpInfo>,
    /// Communication kernels in start order (then end, stream, op).
    pub comms: Vec<Comm>,
    /// Disjoint sorted intervals where some compute kernel of the device ran.
    pub compute: Cover,
}

/// Sorted disjoint intervals with prefix sums: the covered length of any interval in
/// O(log n).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cover {
    intervals: Vec<(i64, i64)>,
    /// `prefix[k]` = Σ lengths of `intervals[..k]`.
    prefix: Vec<i64>,
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
        let mut prefix = Vec::with_capacity(merged.len() + 1);
        let mut sum = 0i64;
        prefix.push(0);
        for &(s, e) in &merged {
            sum = sum.saturating_add(e - s);
            prefix.push(sum);
        }
        Cover { intervals: merged, prefix }
    }

    /// Length of `[a, b)` covered by the union, ns.
    #[must_use]
    pub(crate) fn covered(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let iv = &self.intervals;
        let lo = iv.partition_point(|&(_, e)| e <= a);
        let hi = iv.partition_point(|&(s, _)| s < b);
        if lo >= hi {
            return 0;
        }
        let whole = self.prefix.get(hi).copied().unwrap_or(0) - self.prefix.get(lo).copied().unwrap_or(0);
        let head = iv.get(lo).map_or(0, |&(s, _)| (a - s).max(0));
        let tail = iv.get(hi - 1).map_or(0, |&(_, e)| (e - b).max(0));
        whole - head - tail
    }
}

/// Prepares one trace: `path_stage` is the stage its file name gives, if any.
#[must_use]
pub(crate) fn prepare<'a>(trace: &'a Trace, path_stage: Option<Stage>, catalog: &Catalog) -> Prepared<'a> {
    let (device, other_devices) = split::primary_device(trace);
    let mut out = Prepared {
        trace,
        device,
        other_devices,
        attribution: Attribution::default(),
        groups: Vec::new(),
        names: Strings::new(),
        info: FxHashMap::default(),
        comms: Vec::new(),
        compute: Cover::default(),
    };
    if device.is_none() {
        return out;
    }
    out.attribution = attribution::attribute(trace);
    out.groups = split::split(trace, &out.attribution, device, path_stage);
    let mut cache = NameCache::new(&catalog.categories);
    // Canonical symbol of the cache → (canonical, normalised) symbols of `out.names`.
    let mut known: FxHashMap<Sym, (Sym, Sym)> = FxHashMap::default();
    let mut compute: Vec<(i64, i64)> = Vec::new();
    let g = &trace.gpu;
    for group in &out.groups {
        for &op in &group.ops {
            let i = op as usize;
            let (canonical, category) = cache.of(trace, i);
            let (canonical, norm) = *known.entry(canonical).or_insert_with(|| {
                let text = cache.strings.get(canonical);
                (out.names.intern(text), out.names.intern(&names::normalized(text)))
            });
            out.info.insert(op, OpInfo { canonical, norm, category });
            let (Some(&start), Some(&dur)) = (g.start_ns.get(i), g.dur_ns.get(i)) else { continue };
            let end = start.saturating_add(dur.max(0));
            if category.is_compute() {
                compute.push((start, end));
            } else if category == Category::Communication {
                let family = Family::of_name(trace.str(g.name.get(i).copied().unwrap_or(Sym::EMPTY)));
                out.comms.push(Comm { op, family, start, end, stage: group.stage, norm });
            }
        }
    }
    out.comms.sort_by_key(|c| (c.start, c.end, g.stream.get(c.op as usize).copied().unwrap_or(0), c.op));
    out.compute = Cover::of(compute);
    out
}

impl Prepared<'_> {
    /// The stage group of `stage`, if this rank has work in it.
    #[must_use]
    pub(crate) fn group(&self, stage: Stage) -> Option<&StageOps> {
        self.groups.iter().find(|g| g.stage == stage)
    }

    /// Communication kernels of one family, in start order.
    pub(crate) fn comms_of(&self, family: Family) -> impl Iterator<Item = (usize, &Comm)> {
        self.comms.iter().enumerate().filter(move |(_, c)| c.family == family)
    }
}

#[cfg(test)]
mod tests {
    use super::Cover;

    #[test]
    fn cover_measures_intersections() {
        let c = Cover::of(vec![(10, 20), (15, 30), (40, 50), (60, 60), (5, 5)]);
        assert_eq!(c.covered(0, 100), 30);
        assert_eq!(c.covered(12, 45), 23);
        assert_eq!(c.covered(30, 40), 0);
        assert_eq!(c.covered(25, 26), 1);
        assert_eq!(c.covered(45, 44), 0);
        assert_eq!(c.covered(0, 10), 0);
        assert_eq!(c.covered(49, 70), 1);
        assert_eq!(Cover::default().covered(0, 10), 0);
    }
}
