//! The merge: every kernel a graph launch replays gets the launch that put it into the
//! graph, read from the capture trace.
//!
//! Graph launches are grouped by the step that made them (the innermost CPU step
//! annotation around them). A group of `n` launches takes the capture root with `n`
//! windows whose batch size is the step's (`execute_8192_…`, `step[DECODE bs=32]`), else
//! the nearest larger one (the frameworks pad a batch up to a captured size); the i-th
//! launch replays the i-th window. Each window's recorded launches are then aligned, in
//! order, with the kernels the launch replayed (same correlation id, in time order), by
//! canonical kernel name (copies and fills by kind); a replayed kernel with no recorded
//! counterpart keeps the graph launch's site and is counted as unaligned.

use rustc_hash::FxHashMap;

use super::align::align;
use super::index::{CaptureIndex, Key, Root, Window};
use super::{Miss, Outcome};
use crate::analysis::attribution::{Attribution, CapturedOp, NONE, OpRef, Site};
use crate::analysis::stages::Windows;
use crate::names;
use trace::model::{GpuKind, RuntimeKind, Sym, Trace};

/// The batch size a graph was captured for that a step annotation implies: vLLM's
/// `execute_<tokens>_…`, SGLang's `step[… bs=<n>]`.
fn graph_batch(name: &str) -> Option<u32> {
    if let Some(rest) = name.strip_prefix("execute_") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if rest.get(digits.len()..).is_some_and(|r| r.starts_with('_')) {
            return digits.parse().ok();
        }
    }
    let at = name.find("bs=")? + 3;
    name.get(at..)?.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

/// The root a group of `n` graph launches of a step with graph batch `batch` replays:
/// `n` windows, the step's batch size or the nearest larger one; without a batch size,
/// the one root with `n` windows (or, among several, the first of the smallest batch).
fn choose_root(roots: &[Root], batch: Option<u32>, n: usize) -> Option<usize> {
    let fits: Vec<usize> =
        (0..roots.len()).filter(|&k| roots.get(k).is_some_and(|r| r.windows.len() == n)).collect();
    let of = |k: &usize| roots.get(*k).and_then(|r| r.batch);
    match batch {
        Some(b) => fits
            .iter()
            .copied()
            .filter(|k| of(k).is_some_and(|rb| rb >= b))
            .min_by_key(|k| (of(k), *k))
            .or_else(|| {
                // No batch size known for the root: accept it when it is the only one.
                let unknown: Vec<usize> = fits.iter().copied().filter(|k| of(k).is_none()).collect();
                (unknown.len() == 1).then(|| unknown[0])
            }),
        None => fits.iter().copied().min_by_key(|k| (of(k).unwrap_or(u32::MAX), *k)),
    }
}

/// The alignment key of a replayed activity, in `index`'s symbols.
struct Keys<'a> {
    index: &'a CaptureIndex,
    cache: FxHashMap<Sym, Key>,
}

impl Keys<'_> {
    fn of(&mut self, trace: &Trace, i: usize) -> Option<Key> {
        match trace.gpu.kind.get(i)? {
            GpuKind::Memcpy => Some(Key::Memcpy),
            GpuKind::Memset => Some(Key::Memset),
            GpuKind::Sync => None,
            GpuKind::Kernel => {
                let name = *trace.gpu.name.get(i)?;
                let index = self.index;
                Some(*self.cache.entry(name).or_insert_with(|| {
                    // A name the capture never recorded can match nothing: a key of its own.
                    let canonical = names::canonical(trace.str(name));
                    Key::Kernel(index.strings.lookup(&canonical).unwrap_or(Sym::NONE))
                }))
            }
        }
    }
}

/// Attributes the graph-replayed activities of `trace` through `captures` (this rank's
/// capture traces), replacing their graph-launch sites in `attribution`.
pub(crate) fn merge(trace: &Trace, attribution: &mut Attribution, captures: &[&CaptureIndex]) -> Outcome {
    let rt = &trace.runtime;
    // The activities each graph launch replayed, in time order.
    let mut replays: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for (i, &r) in attribution.launch.iter().enumerate() {
        if r != NONE && rt.kind.get(r as usize) == Some(&RuntimeKind::GraphLaunch) {
            replays.entry(r).or_default().push(u32::try_from(i).unwrap_or(NONE));
        }
    }
    let mut m = Merger {
        trace,
        attribution,
        out: Outcome::default(),
        sites: FxHashMap::default(),
        ops: FxHashMap::default(),
    };
    if replays.is_empty() {
        return m.out;
    }
    #[allow(clippy::iter_over_hash_type, reason = "each list is sorted on its own: no order leaks out")]
    for acts in replays.values_mut() {
        acts.sort_by_key(|&i| (trace.gpu.start_ns.get(i as usize).copied().unwrap_or(0), i));
    }
    // Graph launches by step: (step window or none, launch start, runtime row).
    let windows = Windows::of(trace);
    let mut launches: Vec<(Option<usize>, i64, u32)> = replays
        .keys()
        .map(|&r| {
            let t = rt.start_ns.get(r as usize).copied().unwrap_or(0);
            (windows.cpu_at(t), t, r)
        })
        .collect();
    launches.sort_unstable();
    let replayed = |r: u32| replays.get(&r).map_or(&[][..], Vec::as_slice);
    for group in launches.chunk_by(|a, b| a.0 == b.0) {
        let batch = group
            .first()
            .and_then(|g| g.0)
            .and_then(|w| windows.cpu.get(w))
            .and_then(|w| graph_batch(trace.str(w.name)).or(w.step.batch));
        for chunk in group.chunks(chunk_size(captures, batch, group.len()).max(1)) {
            let Some((c, index, k)) = best_root(captures, batch, chunk.len()) else {
                let why = Miss::NoRoot { batch, launches: group.len() };
                for &(_, _, r) in chunk {
                    m.out.miss(trace, replayed(r), why);
                }
                continue;
            };
            let Some(root) = index.roots.get(k) else { continue };
            let mut keys = Keys { index, cache: FxHashMap::default() };
            for (&(_, _, r), window) in chunk.iter().zip(&root.windows) {
                m.window(c, index, window, (r, replayed(r)), &mut keys);
            }
        }
    }
    m.out
}

/// The merge's state while it aligns windows.
struct Merger<'t, 'a> {
    trace: &'t Trace,
    attribution: &'a mut Attribution,
    out: Outcome,
    /// (capture, captured site) → site id in the attribution.
    sites: FxHashMap<(usize, u32), u32>,
    /// (capture, op row in it) → index into the attribution's captured ops.
    ops: FxHashMap<(usize, u32), u32>,
}

impl Merger<'_, '_> {
    /// Aligns one window's recorded launches with the activities `acts` its graph launch
    /// replayed; aligned ones take the recorded site, the rest are counted unrecorded.
    /// `replay` is the graph launch's runtime row and the activities it replayed.
    fn window(
        &mut self,
        c: usize,
        index: &CaptureIndex,
        window: &Window,
        (replay, acts): (u32, &[u32]),
        keys: &mut Keys<'_>,
    ) {
        let trace = self.trace;
        let replayed: Vec<Option<Key>> = acts.iter().map(|&i| keys.of(trace, i as usize)).collect();
        let recorded: Vec<Option<Key>> = window.launches.iter().map(|l| Some(l.key)).collect();
        let mut matched = vec![false; acts.len()];
        for (j, a) in align(&recorded, &replayed) {
            let (Some(launch), Some(&act), Some(slot)) =
                (window.launches.get(j), acts.get(a), matched.get_mut(a))
            else {
                continue;
            };
            if matches!(launch.key, Key::Kernel(s) if s.is_none()) {
                continue;
            }
            *slot = true;
            let attribution = &mut *self.attribution;
            let site = *self
                .sites
                .entry((c, launch.site))
                .or_insert_with(|| add_site(attribution, index, launch.site));
            if let Some(s) = self.attribution.site.get_mut(act as usize) {
                *s = site;
            }
            self.op(c, index, launch.site, act, replay);
            self.out.aligned(trace, act);
        }
        let unmatched: Vec<u32> = acts.iter().zip(&matched).filter(|(_, m)| !**m).map(|(&a, _)| a).collect();
        self.out.miss(trace, &unmatched, Miss::NotRecorded);
    }
}

impl Merger<'_, '_> {
    /// Gives activity `act` (replayed by graph launch `replay`) the op recorded with
    /// captured site `site`, so its work can be read from the op's shapes.
    fn op(&mut self, c: usize, index: &CaptureIndex, site: u32, act: u32, replay: u32) {
        let Some(s) = index.sites.get(site as usize) else { return };
        if s.cpu_op.is_none() {
            return;
        }
        let a = &mut *self.attribution;
        let op = *self.ops.entry((c, s.op)).or_insert_with(|| {
            let strings = &mut a.strings;
            let mut text = |sym: Sym| if sym.is_none() { Sym::NONE } else { strings.intern(index.text(sym)) };
            let captured = CapturedOp {
                name: text(s.cpu_op),
                dims: text(s.input_dims),
                types: text(s.input_types),
                concrete: text(s.concrete_inputs),
                strides: text(s.input_strides),
            };
            let id = u32::try_from(a.captured_ops.len()).unwrap_or(NONE);
            a.captured_ops.push(captured);
            id
        });
        if a.op.is_empty() {
            a.op = vec![OpRef::None; self.trace.gpu.len()];
        }
        if let Some(slot) = a.op.get_mut(act as usize) {
            *slot = OpRef::Captured { op, replay };
        }
    }
}

/// The best root for `n` graph launches of graph batch `batch` over every capture trace
/// of the rank: `(capture, its index, root)`, the exact batch size first, then the
/// nearest larger one, then the earlier capture.
fn best_root<'a>(
    captures: &[&'a CaptureIndex],
    batch: Option<u32>,
    n: usize,
) -> Option<(usize, &'a CaptureIndex, usize)> {
    captures
        .iter()
        .enumerate()
        .filter_map(|(c, index)| choose_root(&index.roots, batch, n).map(|k| (c, *index, k)))
        .min_by_key(|&(c, index, k)| (index.roots.get(k).and_then(|r| r.batch).unwrap_or(u32::MAX), c))
}

/// How many consecutive graph launches of a group of `n` replay one captured model: all
/// `n` when some root has `n` windows, else the largest window count of a fitting root
/// that divides `n` (a step of several forward passes, or launches outside any step
/// annotation), else `n` (and the group stays unaligned).
fn chunk_size(captures: &[&CaptureIndex], batch: Option<u32>, n: usize) -> usize {
    if best_root(captures, batch, n).is_some() {
        return n;
    }
    let mut counts: Vec<usize> = captures
        .iter()
        .flat_map(|c| c.roots.iter().map(|r| r.windows.len()))
        .filter(|&k| k > 0 && n.is_multiple_of(k))
        .collect();
    crate::order::sort_by(&mut counts, |a, b| b.cmp(a));
    counts.dedup();
    counts.into_iter().find(|&k| best_root(captures, batch, k).is_some()).unwrap_or(n)
}

/// Adds a captured site to the attribution (its text interned there) and returns its id.
fn add_site(attribution: &mut Attribution, index: &CaptureIndex, site: u32) -> u32 {
    let Some(s) = index.sites.get(site as usize) else { return NONE };
    let strings = &mut attribution.strings;
    let mut text = |sym: Sym| if sym.is_none() { Sym::NONE } else { strings.intern(index.text(sym)) };
    let (location, stack, cpu_op) = (text(s.location), text(s.stack), text(s.cpu_op));
    let id = u32::try_from(attribution.sites.len()).unwrap_or(NONE);
    attribution.sites.push(Site {
        location,
        stack,
        cpu_op,
        graph: true,
        capture: true,
        scoped: s.scoped,
        annotated: false,
    });
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::capture::index::{Launch, Window};

    #[test]
    fn step_names_give_the_graph_batch() {
        assert_eq!(graph_batch("execute_8192_context_9(sq8155)_generation_37(sq37)"), Some(8192));
        assert_eq!(graph_batch("step[DECODE bs=32]"), Some(32));
        assert_eq!(graph_batch("execute_context_0(0)_generation_16(16)"), None);
        assert_eq!(graph_batch("ProfilerStep#3"), None);
    }

    fn root(batch: Option<u32>, windows: usize) -> Root {
        let w = Window { launches: vec![Launch { key: Key::Memset, site: 0 }] };
        Root { batch, mode: String::new(), windows: vec![w; windows] }
    }

    #[test]
    fn roots_are_chosen_by_window_count_then_the_nearest_larger_batch() {
        let roots = [root(Some(8), 1), root(Some(32), 1), root(Some(32), 25), root(Some(64), 1)];
        assert_eq!(choose_root(&roots, Some(32), 1), Some(1), "exact batch, one window (FULL)");
        assert_eq!(choose_root(&roots, Some(32), 25), Some(2), "exact batch, 25 windows (PIECEWISE)");
        assert_eq!(choose_root(&roots, Some(20), 1), Some(1), "padded up to the next captured size");
        assert_eq!(choose_root(&roots, Some(100), 1), None, "larger than any capture");
        assert_eq!(choose_root(&roots, Some(8), 3), None, "no root with three windows");
        assert_eq!(choose_root(&roots, None, 25), Some(2), "no batch: the one root with 25 windows");
        assert_eq!(choose_root(&[root(None, 2)], Some(16), 2), Some(0), "one root without a batch size");
    }
}
