//! Per-activity attribution after mapping: each GPU activity keeps its own site, or takes
//! the Python locations of its eager twins (with their shares), and says which ([`Via`]).
//!
//! Which activities are mapped: those whose own attribution does not name the kernel's
//! Python location — graph replays (their site is the graph launch) and activities without
//! a launch or Python frame. An eager launch with a Python location keeps it: it is what
//! that run actually did. The mapping traces are asked first (two-trace mode), then the
//! eager launches of the traces themselves (self-mapping).

use rustc_hash::FxHashMap;

use super::index::{Candidate, Index};
use super::{MatchKind, Via};
use crate::analysis::attribution::{Attribution, Site};
use crate::analysis::split::StageOps;
use crate::names::{Keys, Tier};
use crate::results::kernels::Coverage;
use crate::vocab::Stage;
use trace::model::{Sym, Trace};

/// Where the mapping looks, in order.
#[derive(Clone, Copy, Default)]
pub(crate) struct Policy<'a> {
    /// Eager launches of the mapping traces (two-trace mode).
    pub mapping: Option<&'a Index>,
    /// Eager launches of the traces being triaged (self-mapping).
    pub own: Option<&'a Index>,
}

/// The mapped attribution of one kernel name in one stage.
#[derive(Clone, Debug)]
pub(crate) struct Mapped<'a> {
    /// [`Via::Mapping`] or [`Via::SelfMapping`].
    pub via: Via,
    /// Exact, normalised or ambiguous.
    pub kind: MatchKind,
    /// The eager Python locations, most GPU time first; their `gpu_ns` are the weights.
    pub candidates: &'a [Candidate],
}

impl Mapped<'_> {
    /// Σ candidate weights, ns (at least 1).
    #[must_use]
    pub(crate) fn weight(&self) -> i64 {
        self.candidates.iter().map(|c| c.gpu_ns.max(0)).sum::<i64>().max(1)
    }
}

/// Where an activity's attribution comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'s, 'a> {
    /// Its own launch (the site may lack a location).
    Own(&'s Site),
    /// Eager twins.
    Mapped(&'s Mapped<'a>),
    /// No launch was found.
    None,
}

/// The attribution of every GPU activity of one trace after mapping.
pub(crate) struct Sources<'a> {
    /// The trace.
    pub trace: &'a Trace,
    /// Its own attribution.
    pub attribution: &'a Attribution,
    /// Per GPU activity: 1 + index into `mapped`, or 0 (its own site). Empty: nothing mapped.
    of: Vec<u32>,
    /// The mapped attributions (one per stage × kernel name that matched).
    pub mapped: Vec<Mapped<'a>>,
}

impl<'a> Sources<'a> {
    /// Every activity with its own site (no mapping).
    #[must_use]
    pub(crate) fn own(trace: &'a Trace, attribution: &'a Attribution) -> Self {
        Sources { trace, attribution, of: Vec::new(), mapped: Vec::new() }
    }

    /// Maps the activities of `groups` that need it (graph replays, no Python location)
    /// through `policy`.
    #[must_use]
    pub(crate) fn resolve(
        trace: &'a Trace,
        attribution: &'a Attribution,
        groups: &[StageOps],
        policy: Policy<'a>,
    ) -> Self {
        let mut out = Sources::own(trace, attribution);
        if policy.mapping.is_none_or(Index::is_empty) && policy.own.is_none_or(Index::is_empty) {
            return out;
        }
        let mut keys: FxHashMap<Sym, Keys> = FxHashMap::default();
        let mut memo: FxHashMap<(Stage, Sym), u32> = FxHashMap::default();
        for group in groups {
            for &i in &group.ops {
                let i = i as usize;
                // A captured site is exact: name matching does not replace it.
                let needs = match attribution.site_of(i) {
                    Some(site) => (site.graph && !site.capture && !site.annotated) || site.location.is_none(),
                    None => true,
                };
                if !needs {
                    continue;
                }
                let name = trace.gpu.name.get(i).copied().unwrap_or(Sym::EMPTY);
                let id = match memo.get(&(group.stage, name)) {
                    Some(&id) => id,
                    None => {
                        let k = keys.entry(name).or_insert_with(|| Keys::of(trace.str(name)));
                        let id = out.lookup(group.stage, k, policy);
                        memo.insert((group.stage, name), id);
                        id
                    }
                };
                if id == 0 {
                    continue;
                }
                if out.of.is_empty() {
                    out.of = vec![0; trace.gpu.len()];
                }
                if let Some(slot) = out.of.get_mut(i) {
                    *slot = id;
                }
            }
        }
        out
    }

    /// Looks a kernel up (mapping first, then self); returns 1 + its mapped index, or 0.
    fn lookup(&mut self, stage: Stage, keys: &Keys, policy: Policy<'a>) -> u32 {
        let sources = [(policy.mapping, Via::Mapping), (policy.own, Via::SelfMapping)];
        for (index, via) in sources {
            let Some(found) = index.and_then(|x| x.find(stage, keys)) else { continue };
            if found.candidates.is_empty() {
                continue;
            }
            let kind = if found.candidates.len() > 1 {
                MatchKind::Ambiguous
            } else if found.tier == Tier::Exact {
                MatchKind::Exact
            } else {
                MatchKind::Normalised
            };
            self.mapped.push(Mapped { via, kind, candidates: found.candidates });
            return u32::try_from(self.mapped.len()).unwrap_or(0);
        }
        0
    }

    /// Where GPU activity `i`'s attribution comes from.
    #[must_use]
    pub(crate) fn origin(&self, i: usize) -> Origin<'_, 'a> {
        let m = self.of.get(i).copied().unwrap_or(0);
        if m > 0
            && let Some(mapped) = self.mapped.get(m as usize - 1)
        {
            return Origin::Mapped(mapped);
        }
        match self.attribution.site_of(i) {
            Some(site) => Origin::Own(site),
            None => Origin::None,
        }
    }

    /// How activity `i` got its Python location.
    #[must_use]
    pub(crate) fn via(&self, i: usize) -> Via {
        match self.origin(i) {
            Origin::Own(s) => s.via(),
            Origin::Mapped(m) => m.via,
            Origin::None => Via::None,
        }
    }

    /// The mapped attribution of activity `i` as `(1 + index)`, or 0.
    #[must_use]
    pub(crate) fn mapped_id(&self, i: usize) -> u32 {
        self.of.get(i).copied().unwrap_or(0)
    }
}

/// The share of a stage's GPU time attributed to a Python location, by how.
#[must_use]
pub(crate) fn coverage(sources: &Sources<'_>, group: &StageOps) -> Coverage {
    let mut c = Coverage { computed: true, ..Coverage::default() };
    let mut stacks = !sources.trace.python.is_empty();
    for &i in &group.ops {
        let i = i as usize;
        let dur = sources.trace.gpu.dur_ns.get(i).copied().unwrap_or(0).max(0);
        c.total_ns += dur;
        if let Origin::Own(site) = sources.origin(i)
            && !site.location.is_none()
        {
            if site.scoped {
                c.scope_ns += dur;
            } else if !site.capture {
                stacks = true;
            }
        }
        if let Origin::Mapped(m) = sources.origin(i) {
            match m.kind {
                MatchKind::Exact => c.exact_ns += dur,
                MatchKind::Normalised => c.normalised_ns += dur,
                MatchKind::Ambiguous => c.ambiguous_ns += dur,
                MatchKind::None => {}
            }
        }
        match sources.via(i) {
            Via::Direct => c.direct_ns += dur,
            Via::GraphLaunch => c.graph_launch_ns += dur,
            Via::Capture => c.capture_ns += dur,
            Via::Annotation => c.annotation_ns += dur,
            Via::Mapping => c.mapping_ns += dur,
            Via::SelfMapping => c.self_mapping_ns += dur,
            Via::None => c.unattributed_ns += dur,
        }
    }
    c.without_stacks = !stacks;
    c
}

/// Splits `total` over `weights` in proportion (largest remainder; ties to the earlier).
#[must_use]
pub(crate) fn apportion(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|&w| i128::from(w.max(0))).sum();
    if sum <= 0 || weights.is_empty() {
        let mut out = vec![0; weights.len()];
        if let Some(first) = out.first_mut() {
            *first = total;
        }
        return out;
    }
    let t = i128::from(total);
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    let mut rems: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (k, &w) in weights.iter().enumerate() {
        let exact = t * i128::from(w.max(0));
        let q = exact.div_euclid(sum);
        parts.push(i64::try_from(q).unwrap_or(0));
        rems.push((exact.rem_euclid(sum), k));
        given += q;
    }
    crate::order::sort_by(&mut rems, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = t - given;
    for &(_, k) in &rems {
        if left <= 0 {
            break;
        }
        if let Some(p) = parts.get_mut(k) {
            *p += 1;
        }
        left -= 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::apportion;

    #[test]
    fn apportion_adds_up() {
        assert_eq!(apportion(10, &[1, 1]), [5, 5]);
        assert_eq!(apportion(10, &[2, 1]), [7, 3]);
        assert_eq!(apportion(1, &[1, 1]), [1, 0]);
        assert_eq!(apportion(7, &[0, 0]), [7, 0]);
        assert_eq!(apportion(100, &[3, 3, 3]).iter().sum::<i64>(), 100);
        assert!(apportion(5, &[]).is_empty());
    }
}
