//! The eager launches of a set of traces, indexed by stage and kernel identity: what a
//! mapping (or self-mapping) looks kernels up in.
//!
//! Only launches that name the kernel's own Python location count: launched outside a
//! graph, with a resolved location. Each identity key maps to the Python locations that
//! launched it, with their GPU time, launches, most common stack and cpu_op.

use rustc_hash::FxHashMap;

use crate::analysis::attribution::Attribution;
use crate::analysis::split::StageOps;
use crate::names::{Keys, Tier};
use crate::vocab::Stage;
use trace::model::{Sym, Trace};

/// One Python location that launched a matched kernel eagerly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Normalised location (`path:line function`).
    pub location: String,
    /// Its most common framework stack (by GPU time; empty when none).
    pub stack: String,
    /// Its most common cpu_op (by GPU time; empty when none).
    pub cpu_op: String,
    /// GPU time of the eager launches from this location, ns: the candidate's weight.
    pub gpu_ns: i64,
    /// Eager launches from this location.
    pub launches: u64,
}

/// A lookup's result.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Found<'a> {
    /// The identity that matched.
    pub tier: Tier,
    /// The Python locations, most GPU time first (then by location).
    pub candidates: &'a [Candidate],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Scope {
    Stage(Stage),
    Global,
}

#[derive(Default)]
struct LocationAcc {
    location: String,
    gpu_ns: i64,
    launches: u64,
    stacks: Vec<(String, i64)>,
    ops: Vec<(String, i64)>,
}

#[derive(Default)]
struct Entry {
    sites: Vec<LocationAcc>,
    candidates: Vec<Candidate>,
}

/// One trace's part of an index: the trace, its attribution and its stage split.
#[derive(Clone, Copy)]
pub(crate) struct Part<'a> {
    /// The trace.
    pub trace: &'a Trace,
    /// Its attribution.
    pub attribution: &'a Attribution,
    /// Its GPU activities by stage.
    pub groups: &'a [StageOps],
}

/// Eager launches of a set of traces by stage and identity.
#[derive(Default)]
pub(crate) struct Index {
    keys: FxHashMap<(Scope, Tier), FxHashMap<String, u32>>,
    entries: Vec<Entry>,
    /// Eager launches indexed.
    pub launches: u64,
    /// Their GPU time, ns.
    pub gpu_ns: i64,
    /// Distinct canonical kernel names indexed.
    pub kernels: usize,
}

impl Index {
    /// Indexes the eager launches (outside graphs, with a Python location) of `parts`.
    #[must_use]
    pub(crate) fn build(parts: &[Part<'_>]) -> Index {
        let mut index = Index::default();
        let mut names_seen: Vec<String> = Vec::new();
        for part in parts {
            index.add(part, &mut names_seen);
        }
        for entry in &mut index.entries {
            entry.finish();
        }
        crate::order::sort_by(&mut names_seen, Ord::cmp);
        names_seen.dedup();
        index.kernels = names_seen.len();
        index
    }

    fn add(&mut self, part: &Part<'_>, names_seen: &mut Vec<String>) {
        let (trace, attribution) = (part.trace, part.attribution);
        // (stage, name, site) → (ns, launches), then sorted: no hash order reaches the index.
        let mut agg: FxHashMap<(Stage, Sym, u32), (i64, u64)> = FxHashMap::default();
        for group in part.groups {
            for &i in &group.ops {
                let i = i as usize;
                let Some(&site_id) = attribution.site.get(i) else { continue };
                let Some(site) = attribution.sites.get(site_id as usize) else { continue };
                if site.graph || site.location.is_none() {
                    continue;
                }
                let name = trace.gpu.name.get(i).copied().unwrap_or(Sym::EMPTY);
                let dur = trace.gpu.dur_ns.get(i).copied().unwrap_or(0).max(0);
                let e = agg.entry((group.stage, name, site_id)).or_insert((0, 0));
                e.0 += dur;
                e.1 += 1;
            }
        }
        let mut rows: Vec<_> = agg.into_iter().collect();
        rows.sort_unstable_by_key(|&(k, _)| k);
        let mut keys_of: FxHashMap<Sym, Keys> = FxHashMap::default();
        for ((stage, name, site_id), (ns, n)) in rows {
            let Some(site) = attribution.sites.get(site_id as usize) else { continue };
            let keys = keys_of.entry(name).or_insert_with(|| Keys::of(trace.str(name)));
            let location = attribution.strings.get(site.location);
            let stack = if site.stack.is_none() { "" } else { attribution.strings.get(site.stack) };
            let op = attribution.cpu_op(site, trace);
            self.launches += n;
            self.gpu_ns += ns;
            names_seen.push(keys.exact.clone());
            for tier in Tier::ALL {
                let Some(key) = keys.get(tier) else { continue };
                for scope in [Scope::Stage(stage), Scope::Global] {
                    let next = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
                    let map = self.keys.entry((scope, tier)).or_default();
                    let id = match map.get(key) {
                        Some(&id) => id,
                        None => {
                            map.insert(key.to_owned(), next);
                            self.entries.push(Entry::default());
                            next
                        }
                    };
                    if let Some(entry) = self.entries.get_mut(id as usize) {
                        entry.add(location, stack, op, ns, n);
                    }
                }
            }
        }
    }

    /// The eager launches matching a kernel of `stage` with `keys`: strictest tier first,
    /// the same stage before any stage.
    #[must_use]
    pub(crate) fn find(&self, stage: Stage, keys: &Keys) -> Option<Found<'_>> {
        for tier in Tier::ALL {
            let Some(key) = keys.get(tier) else { continue };
            for scope in [Scope::Stage(stage), Scope::Global] {
                let Some(&id) = self.keys.get(&(scope, tier)).and_then(|m| m.get(key)) else { continue };
                let Some(entry) = self.entries.get(id as usize) else { continue };
                return Some(Found { tier, candidates: &entry.candidates });
            }
        }
        None
    }

    /// Whether nothing was indexed.
    #[must_use]
    pub(crate) fn is_empty(&self) -> bool {
        self.launches == 0
    }
}

impl Entry {
    fn add(&mut self, location: &str, stack: &str, op: &str, ns: i64, n: u64) {
        let at = match self.sites.iter().position(|s| s.location == location) {
            Some(p) => p,
            None => {
                self.sites.push(LocationAcc { location: location.to_owned(), ..LocationAcc::default() });
                self.sites.len() - 1
            }
        };
        if let Some(s) = self.sites.get_mut(at) {
            s.gpu_ns += ns;
            s.launches += n;
            bump(&mut s.stacks, stack, ns);
            bump(&mut s.ops, op, ns);
        }
    }

    fn finish(&mut self) {
        let mut candidates: Vec<Candidate> = self
            .sites
            .drain(..)
            .map(|s| Candidate {
                location: s.location,
                stack: most(&s.stacks),
                cpu_op: most(&s.ops),
                gpu_ns: s.gpu_ns,
                launches: s.launches,
            })
            .collect();
        crate::order::sort_by(&mut candidates, |a, b| {
            b.gpu_ns.cmp(&a.gpu_ns).then_with(|| a.location.cmp(&b.location))
        });
        self.candidates = candidates;
    }
}

fn bump(counts: &mut Vec<(String, i64)>, key: &str, ns: i64) {
    match counts.iter_mut().find(|(k, _)| k == key) {
        Some((_, c)) => *c += ns,
        None => counts.push((key.to_owned(), ns)),
    }
}

/// The non-empty key with the most time (first seen on ties), or empty.
fn most(counts: &[(String, i64)]) -> String {
    let mut best: Option<&(String, i64)> = None;
    for c in counts {
        if !c.0.is_empty() && best.is_none_or(|b| c.1 > b.1) {
            best = Some(c);
        }
    }
    best.map(|b| b.0.clone()).unwrap_or_default()
}
