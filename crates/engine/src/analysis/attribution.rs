//! Source attribution: GPU activity → the runtime call that launched it (correlation id)
//! → the cpu_op around that call (External id, else time containment on its thread) →
//! the Python stack active at the launch (python_function frames on that thread, or the
//! legacy `Call stack` argument).
//!
//! Kernels replayed by a CUDA/HIP graph carry the correlation of the `cudaGraphLaunch`,
//! so they are attributed to the graph launch's Python site and marked as replays.
//! Every step is a sort plus a sweep: O(n log n) in the number of events.

use rustc_hash::FxHashMap;

use super::intervals::{Intervals, sweep};
use super::{scope, source};
use crate::catalog::Catalog;
use crate::catalog::wrappers::Wrappers;
use trace::model::{FlowKind, FlowPhase, NO_ID, RuntimeKind, Strings, Sym, Trace};

/// Marks "none" in index columns.
pub(crate) const NONE: u32 = u32::MAX;

/// Where one launch came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Site {
    /// Normalised Python location (`python/sglang/srt/layers/linear.py:120 forward`), or
    /// [`Sym::NONE`] when no frame was active.
    pub location: Sym,
    /// Up to four framework frames, outermost first, joined by ` -> ` ([`Sym::NONE`] if none).
    pub stack: Sym,
    /// The enclosing cpu_op's name, or [`Sym::NONE`]: a symbol of the *trace*, or of the
    /// attribution's own `strings` when `capture` is set (read it with
    /// [`Attribution::cpu_op`]).
    pub cpu_op: Sym,
    /// Whether the launch is a graph replay (`cudaGraphLaunch`, `hipGraphLaunch`).
    pub graph: bool,
    /// Whether the site is the launch recorded while the graph was captured (a capture
    /// trace), rather than the graph launch that replayed it.
    pub capture: bool,
    /// Whether `location` is the innermost `record_function` scope around the launch
    /// (`record_function <scope>`), standing in for a trace recorded without Python stacks.
    pub scoped: bool,
    /// Whether `location` is the annotation baked into a graph-replayed kernel's args
    /// (PyTorch's `cuda_graph_annotations` export) rather than the graph launch's frame.
    pub annotated: bool,
}

impl Site {
    /// How this site's location was found, when it is the activity's own site: `None`
    /// without a location, else through the capture, the graph launch or directly.
    #[must_use]
    pub(crate) fn via(&self) -> crate::vocab::Via {
        use crate::vocab::Via;
        match (self.location.is_none(), self.capture, self.annotated, self.graph) {
            (true, ..) => Via::None,
            (false, true, ..) => Via::Capture,
            (false, false, true, _) => Via::Annotation,
            (false, false, false, true) => Via::GraphLaunch,
            (false, false, false, false) => Via::Direct,
        }
    }
}

/// The CPU op that launched a GPU activity, whose recorded shapes give its work (the
/// roofline).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum OpRef {
    /// None known: no op around the launch, or a graph replay that only has its graph
    /// launch's op.
    #[default]
    None,
    /// A row of the trace's `cpu_ops`.
    Trace(u32),
    /// The op recorded for it in a capture trace ([`Attribution::captured_ops`]`[op]`),
    /// replayed by the graph launch at runtime row `replay`.
    Captured {
        /// Index into [`Attribution::captured_ops`].
        op: u32,
        /// The replaying graph launch's runtime row.
        replay: u32,
    },
}

/// The facts of an op recorded in a capture trace, as text of [`Attribution::strings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CapturedOp {
    /// Op name.
    pub name: Sym,
    /// `Input Dims`.
    pub dims: Sym,
    /// `Input type`.
    pub types: Sym,
    /// `Concrete Inputs`.
    pub concrete: Sym,
    /// `Input Strides`.
    pub strides: Sym,
}

/// Attribution of every GPU activity of a trace.
#[derive(Debug, Default)]
pub struct Attribution {
    /// Normalised locations and stacks (the trace's own table is immutable).
    pub strings: Strings,
    /// Per GPU activity: the launching runtime call's index, or [`NONE`].
    pub launch: Vec<u32>,
    /// Per GPU activity: its site index into `sites`, or [`NONE`] when nothing launched it.
    pub site: Vec<u32>,
    /// Distinct sites.
    pub sites: Vec<Site>,
    /// Per GPU activity: the op that launched it, for its work (empty: none known).
    pub(crate) op: Vec<OpRef>,
    /// Ops recorded in capture traces that launched graph-replayed activities.
    pub(crate) captured_ops: Vec<CapturedOp>,
}

impl Attribution {
    /// The cpu_op name of a site (wherever its symbol lives).
    #[must_use]
    pub(crate) fn cpu_op<'a>(&'a self, site: &Site, trace: &'a Trace) -> &'a str {
        match (site.cpu_op.is_none(), site.capture) {
            (true, _) => "",
            (false, true) => self.strings.get(site.cpu_op),
            (false, false) => trace.str(site.cpu_op),
        }
    }

    /// The site of GPU activity `i`, if it has one.
    #[must_use]
    pub fn site_of(&self, i: usize) -> Option<&Site> {
        let s = *self.site.get(i)?;
        self.sites.get(s as usize)
    }
}

/// Where one runtime call was made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CallSite {
    /// The chosen Python location, in the caller's string table, or [`Sym::NONE`].
    pub location: Sym,
    /// Up to four framework frames, outermost first, or [`Sym::NONE`].
    pub stack: Sym,
    /// The enclosing cpu_op's row in `trace.cpu_ops`, or [`NONE`].
    pub cpu_op: u32,
    /// Whether `location` is a `record_function` scope (the trace has no Python stacks).
    pub scoped: bool,
}

/// For each runtime call of `calls`, its Python location and stack (interned into
/// `strings`) and the cpu_op around it: the graph launches and kernel launches of a trace
/// (the triage), or the launches recorded inside a graph capture (the capture index).
/// In a trace without Python stacks (no `python_function` frame, no legacy `Call stack`
/// for the call), the innermost `record_function` scope stands in for the location.
pub(crate) fn call_sites(trace: &Trace, calls: &[u32], strings: &mut Strings) -> Vec<CallSite> {
    call_sites_with(trace, calls, strings, &Catalog::builtin().wrappers)
}

/// [`call_sites`] with the wrapper frames of a catalog (a `--catalog` file may add some).
pub(crate) fn call_sites_with(
    trace: &Trace,
    calls: &[u32],
    strings: &mut Strings,
    wrappers: &Wrappers,
) -> Vec<CallSite> {
    let rt = &trace.runtime;
    // One query per call (a call outside the table matches nothing), so results line up
    // with `calls`.
    let queries: Vec<(u32, i64, u32)> = calls
        .iter()
        .map(|&r| {
            let i = r as usize;
            match (rt.track.get(i), rt.start_ns.get(i)) {
                (Some(track), Some(&start)) => (track.0, start, r),
                _ => (u32::MAX, i64::MIN, r),
            }
        })
        .collect();
    let cpu_op_of = enclosing_cpu_ops(trace, &queries);
    let python = python_sites(trace, &queries, strings, wrappers);
    // Legacy `Call stack` frames are not in the trace's table: intern them apart.
    let mut legacy = Strings::new();
    let mut legacy_ranker = Ranker::new(wrappers);
    let scopes = if trace.python.is_empty() { scope::innermost_scopes(trace, calls) } else { Vec::new() };
    let mut out = Vec::with_capacity(queries.len());
    for q in 0..queries.len() {
        let cpu_op = cpu_op_of.get(q).copied().unwrap_or(NONE);
        let (mut location, mut stack) = python.get(q).copied().unwrap_or((Sym::NONE, Sym::NONE));
        if location.is_none() && cpu_op != NONE {
            // Legacy traces: the cpu_op's own `Call stack`.
            let cs = trace.cpu_ops.call_stack.get(cpu_op as usize).copied().unwrap_or(Sym::NONE);
            if !cs.is_none() {
                let frames = source::legacy_call_stack(trace.str(cs));
                let syms: Vec<Sym> = frames.iter().map(|f| legacy.intern(f)).collect();
                (location, stack) =
                    legacy_ranker.choose(syms.iter().zip(&frames).map(|(&s, &f)| (s, f)), strings);
            }
        }
        let mut scoped = false;
        if let Some(&scope) = scopes.get(q).filter(|s| location.is_none() && !s.is_none()) {
            location = strings.intern(&scope::location(trace.str(scope)));
            scoped = true;
        }
        out.push(CallSite { location, stack, cpu_op, scoped });
    }
    out
}

/// Attributes every GPU activity of `trace`.
#[must_use]
pub(crate) fn attribute(trace: &Trace) -> Attribution {
    attribute_with(trace, &Catalog::builtin().wrappers)
}

/// [`attribute`] with the wrapper frames of a catalog.
#[must_use]
pub(crate) fn attribute_with(trace: &Trace, wrappers: &Wrappers) -> Attribution {
    let mut out = Attribution { strings: Strings::new(), ..Attribution::default() };
    out.launch = launches(trace);

    // Distinct launching runtime calls.
    let mut used: Vec<u32> = out.launch.iter().copied().filter(|&r| r != NONE).collect();
    used.sort_unstable();
    used.dedup();
    let rt = &trace.runtime;
    let calls: Vec<u32> = used.into_iter().filter(|&r| (r as usize) < rt.len()).collect();
    let found = call_sites_with(trace, &calls, &mut out.strings, wrappers);

    // One site per distinct (location, stack, cpu_op, graph).
    let mut site_ids: FxHashMap<Site, u32> = FxHashMap::default();
    let mut site_of_runtime: FxHashMap<u32, u32> = FxHashMap::default();
    for (&r, c) in calls.iter().zip(&found) {
        let cpu_op = trace.cpu_ops.name.get(c.cpu_op as usize).copied().unwrap_or(Sym::NONE);
        let graph = rt.kind.get(r as usize) == Some(&RuntimeKind::GraphLaunch);
        let site = Site {
            location: c.location,
            stack: c.stack,
            cpu_op,
            graph,
            capture: false,
            scoped: c.scoped,
            annotated: false,
        };
        let next = u32::try_from(out.sites.len()).unwrap_or(NONE);
        let id = *site_ids.entry(site.clone()).or_insert_with(|| {
            out.sites.push(site);
            next
        });
        site_of_runtime.insert(r, id);
    }
    out.site = out.launch.iter().map(|r| site_of_runtime.get(r).copied().unwrap_or(NONE)).collect();
    // The op that made each eager launch (a graph launch's op did not launch the
    // replays): only one linked to the call by its External id, since an op merely around
    // the launch in time may be a parent whose shapes are not the kernel's.
    let linked = |r: u32, op: u32| {
        let ext = rt.external_id.get(r as usize).copied().unwrap_or(NO_ID);
        ext != NO_ID && trace.cpu_ops.external_id.get(op as usize) == Some(&ext)
    };
    let op_of_runtime: FxHashMap<u32, u32> = calls
        .iter()
        .zip(&found)
        .filter(|(r, c)| {
            c.cpu_op != NONE
                && rt.kind.get(**r as usize) != Some(&RuntimeKind::GraphLaunch)
                && linked(**r, c.cpu_op)
        })
        .map(|(&r, c)| (r, c.cpu_op))
        .collect();
    if !op_of_runtime.is_empty() {
        out.op = out
            .launch
            .iter()
            .map(|r| op_of_runtime.get(r).map_or(OpRef::None, |&o| OpRef::Trace(o)))
            .collect();
    }
    annotate(trace, &mut out);
    out
}

/// Gives graph-replayed activities with a baked annotation (`trace.gpu.annotation`) a site
/// located by it, keeping the graph launch's cpu_op: better than the graph launch's frame
/// (a capture trace, merged later, beats it).
fn annotate(trace: &Trace, out: &mut Attribution) {
    let baked = &trace.gpu.annotation;
    if baked.iter().all(|s| s.is_none()) {
        return;
    }
    let mut ids: FxHashMap<(Sym, Sym), u32> = FxHashMap::default();
    for (i, &text) in baked.iter().enumerate() {
        if text.is_none() {
            continue;
        }
        let own = out.site_of(i).cloned();
        if own.as_ref().is_some_and(|s| !s.graph) {
            continue;
        }
        let cpu_op = own.map_or(Sym::NONE, |s| s.cpu_op);
        let next = u32::try_from(out.sites.len()).unwrap_or(NONE);
        let id = *ids.entry((text, cpu_op)).or_insert_with(|| {
            let location = out.strings.intern(trace.str(text));
            out.sites.push(Site {
                location,
                stack: Sym::NONE,
                cpu_op,
                graph: true,
                capture: false,
                scoped: false,
                annotated: true,
            });
            next
        });
        if let Some(slot) = out.site.get_mut(i) {
            *slot = id;
        }
    }
}

/// Per GPU activity, the runtime call with the same correlation id (preferring a call that
/// launches work when several share the id). An activity without a correlation id falls
/// back to its launch flow: the `f` end on its lane at its start time names the id.
fn launches(trace: &Trace) -> Vec<u32> {
    let rt = &trace.runtime;
    let mut by_corr: Vec<(u64, bool, u32)> = (0..rt.len())
        .filter_map(|i| {
            let c = *rt.correlation.get(i)?;
            let works = rt.kind.get(i).is_some_and(|k| k.launches_work());
            (c != NO_ID).then_some((c, !works, u32::try_from(i).ok()?))
        })
        .collect();
    by_corr.sort_unstable();
    let find = |c: u64| {
        let at = by_corr.partition_point(|&(x, _, _)| x < c);
        match by_corr.get(at) {
            Some(&(x, _, r)) if x == c => r,
            _ => NONE,
        }
    };
    let g = &trace.gpu;
    let missing = g.correlation.contains(&NO_ID);
    // (lane, time) → flow id of launch-flow finish events, only when some activity needs it.
    let mut finishes: Vec<(u32, i64, u64)> = Vec::new();
    if missing {
        let f = &trace.flows;
        for i in 0..f.len() {
            if f.phase.get(i) == Some(&FlowPhase::Finish)
                && f.kind.get(i) == Some(&FlowKind::Launch)
                && let (Some(t), Some(&ts), Some(&id)) = (f.track.get(i), f.ts_ns.get(i), f.id.get(i))
            {
                finishes.push((t.0, ts, id));
            }
        }
        finishes.sort_unstable();
    }
    (0..g.len())
        .map(|i| {
            let c = g.correlation.get(i).copied().unwrap_or(NO_ID);
            if c != NO_ID {
                return find(c);
            }
            let (Some(track), Some(&start)) = (g.track.get(i), g.start_ns.get(i)) else { return NONE };
            let at = finishes.partition_point(|&(t, ts, _)| (t, ts) < (track.0, start));
            match finishes.get(at) {
                Some(&(t, ts, id)) if t == track.0 && ts == start => find(id),
                _ => NONE,
            }
        })
        .collect()
}

/// For each query `(track, time, runtime)`, the cpu_op around the launch: the one sharing
/// the call's External id (containing the launch, else the latest before it), otherwise
/// the innermost cpu_op on the same thread containing the launch time.
fn enclosing_cpu_ops(trace: &Trace, queries: &[(u32, i64, u32)]) -> Vec<u32> {
    let ops = &trace.cpu_ops;
    let mut by_ext: Vec<(u64, i64, u32)> = (0..ops.len())
        .filter_map(|i| {
            let e = *ops.external_id.get(i)?;
            (e != NO_ID).then_some((e, *ops.start_ns.get(i)?, u32::try_from(i).ok()?))
        })
        .collect();
    by_ext.sort_unstable();
    let mut result = vec![NONE; queries.len()];
    let mut by_time: Vec<(u32, i64, usize)> = Vec::new();
    for (q, &(track, t, r)) in queries.iter().enumerate() {
        let ext = trace.runtime.external_id.get(r as usize).copied().unwrap_or(NO_ID);
        if ext != NO_ID {
            let lo = by_ext.partition_point(|&(e, _, _)| e < ext);
            let hi = by_ext.partition_point(|&(e, _, _)| e <= ext);
            let candidates = by_ext.get(lo..hi).unwrap_or(&[]);
            let containing = candidates
                .iter()
                .rev()
                .find(|&&(_, s, i)| s <= t && ops.dur_ns.get(i as usize).is_some_and(|d| s + d >= t));
            let before = candidates.iter().rev().find(|&&(_, s, _)| s <= t);
            if let Some(&(_, _, i)) = containing.or(before).or(candidates.first()) {
                if let Some(slot) = result.get_mut(q) {
                    *slot = i;
                }
                continue;
            }
        }
        by_time.push((track, t, q));
    }
    if by_time.is_empty() {
        return result;
    }
    let intervals = Intervals::new(&ops.track, &ops.start_ns, &ops.dur_ns);
    by_time.sort_unstable();
    sweep(&intervals, &by_time, |q, t, stack| {
        if let Some(&(_, _, i)) = stack.iter().rev().find(|&&(_, end, _)| end >= t)
            && let Some(slot) = result.get_mut(q)
        {
            *slot = i;
        }
    });
    result
}

/// For each query, the chosen Python location and stack from the python_function frames
/// active at the launch on its thread.
fn python_sites(
    trace: &Trace,
    queries: &[(u32, i64, u32)],
    strings: &mut Strings,
    wrappers: &Wrappers,
) -> Vec<(Sym, Sym)> {
    let mut result = vec![(Sym::NONE, Sym::NONE); queries.len()];
    let py = &trace.python;
    if py.is_empty() {
        return result;
    }
    let intervals = Intervals::new(&py.track, &py.start_ns, &py.dur_ns);
    let mut points: Vec<(u32, i64, usize)> =
        queries.iter().enumerate().map(|(q, &(tr, t, _))| (tr, t, q)).collect();
    points.sort_unstable();
    let mut ranker = Ranker::new(wrappers);
    let mut frames: Vec<Sym> = Vec::new();
    sweep(&intervals, &points, |q, t, stack| {
        frames.clear();
        frames.extend(
            stack
                .iter()
                .filter(|&&(_, end, _)| end >= t)
                .filter_map(|&(_, _, i)| py.name.get(i as usize).copied()),
        );
        if !frames.is_empty()
            && let Some(slot) = result.get_mut(q)
        {
            *slot = ranker.choose(frames.iter().map(|&s| (s, trace.str(s))), strings);
        }
    });
    result
}

/// Ranks frames, caching each distinct frame's normalised location and priority.
struct Ranker<'w> {
    cache: FxHashMap<Sym, (Sym, i32, bool)>,
    joined: FxHashMap<Vec<Sym>, Sym>,
    wrappers: &'w Wrappers,
}

/// The priority of a wrapper frame: below every other frame, noise included, so it is
/// the location only when the stack holds nothing else.
const WRAPPER_PRIORITY: i32 = -30;

impl<'w> Ranker<'w> {
    fn new(wrappers: &'w Wrappers) -> Self {
        Ranker { cache: FxHashMap::default(), joined: FxHashMap::default(), wrappers }
    }

    /// Picks the location (highest priority, innermost on ties) and the framework stack
    /// from frames given outermost first.
    fn choose<'a>(
        &mut self,
        frames: impl Iterator<Item = (Sym, &'a str)>,
        strings: &mut Strings,
    ) -> (Sym, Sym) {
        let mut best: Option<(i32, Sym)> = None;
        let mut framework: Vec<Sym> = Vec::new();
        for (sym, raw) in frames {
            let (loc, p, fw) = *self.cache.entry(sym).or_insert_with(|| {
                let loc = source::normalize_frame(raw);
                let p =
                    if self.wrappers.matches(&loc) { WRAPPER_PRIORITY } else { source::priority(raw, &loc) };
                let fw = source::is_framework(&loc) && p > 0;
                (strings.intern(&loc), p, fw)
            });
            if fw && framework.last() != Some(&loc) {
                framework.push(loc);
            }
            if best.is_none_or(|(bp, _)| p >= bp) {
                best = Some((p, loc));
            }
        }
        let location = best.map_or(Sym::NONE, |(_, l)| l);
        let keep = framework.len().saturating_sub(4);
        let tail = framework.get(keep..).unwrap_or(&[]).to_vec();
        if tail.is_empty() {
            return (location, Sym::NONE);
        }
        let stack = match self.joined.get(&tail) {
            Some(&s) => s,
            None => {
                let text = tail.iter().map(|&s| strings.get(s)).collect::<Vec<_>>().join(" -> ");
                let s = strings.intern(&text);
                self.joined.insert(tail, s);
                s
            }
        };
        (location, stack)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(json: &str) -> Trace {
        trace::load(json.as_bytes()).expect("test trace")
    }

    #[test]
    fn kernel_to_op_to_python() {
        let t = trace(
            r#"{"traceEvents": [
            {"ph":"X","cat":"python_function","name":"threading.py(1030): _bootstrap","pid":1,"tid":1,"ts":0,"dur":1000},
            {"ph":"X","cat":"python_function","name":"/x/python/sglang/srt/models/qwen3.py(50): forward","pid":1,"tid":1,"ts":10,"dur":900},
            {"ph":"X","cat":"python_function","name":"/x/site-packages/torch/nn/modules/module.py(1773): _call_impl","pid":1,"tid":1,"ts":20,"dur":800},
            {"ph":"X","cat":"python_function","name":"/x/python/sglang/srt/layers/linear.py(120): forward","pid":1,"tid":1,"ts":30,"dur":700},
            {"ph":"X","cat":"cpu_op","name":"aten::linear","pid":1,"tid":1,"ts":40,"dur":100,"args":{"External id":7}},
            {"ph":"X","cat":"cpu_op","name":"aten::mm","pid":1,"tid":1,"ts":45,"dur":50,"args":{"External id":8}},
            {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":50,"dur":5,"args":{"External id":8,"correlation":100}},
            {"ph":"X","cat":"kernel","name":"gemm","pid":0,"tid":7,"ts":60,"dur":10,"args":{"correlation":100,"stream":7}},
            {"ph":"X","cat":"cuda_runtime","name":"cudaGraphLaunch","pid":1,"tid":1,"ts":200,"dur":5,"args":{"correlation":200}},
            {"ph":"X","cat":"kernel","name":"k1","pid":0,"tid":7,"ts":210,"dur":10,"args":{"correlation":200,"stream":7}},
            {"ph":"X","cat":"kernel","name":"k2","pid":0,"tid":7,"ts":220,"dur":10,"args":{"correlation":200,"stream":7}},
            {"ph":"X","cat":"kernel","name":"orphan","pid":0,"tid":7,"ts":300,"dur":10,"args":{"correlation":999,"stream":7}}
        ]}"#,
        );
        let a = attribute(&t);
        let gemm = a.site_of(0).expect("gemm site");
        assert_eq!(a.strings.get(gemm.location), "python/sglang/srt/layers/linear.py:120 forward");
        assert_eq!(t.str(gemm.cpu_op), "aten::mm");
        assert_eq!(
            a.strings.get(gemm.stack),
            "python/sglang/srt/models/qwen3.py:50 forward -> python/sglang/srt/layers/linear.py:120 forward"
        );
        assert!(!gemm.graph);
        let k1 = a.site_of(1).expect("graph site");
        assert!(k1.graph);
        assert_eq!(a.site.get(1), a.site.get(2), "both replayed kernels share the launch's site");
        assert!(k1.cpu_op.is_none(), "no cpu_op around the graph launch: not the API name");
        assert_eq!(a.strings.get(k1.location), "python/sglang/srt/layers/linear.py:120 forward");
        assert!(a.site_of(3).is_none(), "a kernel whose launch is missing has no site");
    }

    /// SGLang with its kernel-shape profiler on: the profiler's `impl` (SGLang code, so
    /// top priority by path) and `torch/_ops.py` sit inside the layer that called the op.
    /// The location is the layer; a `--catalog` wrapper can demote a frame of its own.
    #[test]
    fn wrapper_frames_are_not_locations() {
        let json = r#"{"traceEvents": [
            {"ph":"X","cat":"python_function","name":"threading.py(1030): _bootstrap","pid":1,"tid":1,"ts":0,"dur":1000},
            {"ph":"X","cat":"python_function","name":"/x/python/sglang/srt/models/qwen3_moe.py(412): forward","pid":1,"tid":1,"ts":10,"dur":900},
            {"ph":"X","cat":"python_function","name":"/x/site-packages/torch/nn/modules/module.py(1773): _call_impl","pid":1,"tid":1,"ts":15,"dur":850},
            {"ph":"X","cat":"python_function","name":"/x/python/sglang/srt/layers/layernorm.py(140): forward_cuda","pid":1,"tid":1,"ts":20,"dur":800},
            {"ph":"X","cat":"python_function","name":"/x/site-packages/torch/_ops.py(1158): __call__","pid":1,"tid":1,"ts":25,"dur":700},
            {"ph":"X","cat":"python_function","name":"/x/python/sglang/srt/utils/kernel_shape_profiler.py(302): impl","pid":1,"tid":1,"ts":30,"dur":600},
            {"ph":"X","cat":"cpu_op","name":"sgl_kernel::fused_add_rmsnorm","pid":1,"tid":1,"ts":40,"dur":100,"args":{"External id":8}},
            {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":50,"dur":5,"args":{"External id":8,"correlation":100}},
            {"ph":"X","cat":"kernel","name":"FusedAddRMSNormKernel","pid":0,"tid":7,"ts":60,"dur":10,"args":{"correlation":100,"stream":7}}
        ]}"#;
        let t = trace(json);
        let a = attribute(&t);
        let site = a.site_of(0).expect("site");
        assert_eq!(a.strings.get(site.location), "python/sglang/srt/layers/layernorm.py:140 forward_cuda");
        assert!(
            !a.strings.get(site.stack).contains("kernel_shape_profiler"),
            "{}",
            a.strings.get(site.stack)
        );
        // Without the wrapper list the profiler frame wins (the bug this list fixes).
        let none = Wrappers::default();
        let b = attribute_with(&t, &none);
        let raw = b.site_of(0).expect("site");
        assert_eq!(b.strings.get(raw.location), "python/sglang/srt/utils/kernel_shape_profiler.py:302 impl");
        // A catalog file can add wrappers: demoting the layer file leaves the model.
        let spec =
            Wrappers::parse("x.toml", "[[wrapper]]\nframe = \"layers/layernorm.py:\"\n").expect("parses");
        assert_eq!(spec.len(), 1);
        let mut cat = Catalog::from_builtin_files().expect("catalog");
        cat.add_file("x.toml", "[[wrapper]]\nframe = \"layers/layernorm.py:\"\n").expect("adds");
        assert_eq!(cat.wrappers.len(), Catalog::builtin().wrappers.len() + 1);
        let c = attribute_with(&t, &cat.wrappers);
        let site = c.site_of(0).expect("site");
        assert_eq!(c.strings.get(site.location), "python/sglang/srt/models/qwen3_moe.py:412 forward");
    }

    #[test]
    fn flows_stand_in_for_a_missing_correlation() {
        let t = trace(
            r#"{"traceEvents": [
            {"ph":"X","cat":"cpu_op","name":"aten::mm","pid":1,"tid":1,"ts":0,"dur":100,"args":{"External id":4}},
            {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":10,"dur":2,"args":{"External id":4,"correlation":9}},
            {"ph":"s","cat":"ac2g","name":"ac2g","id":9,"pid":1,"tid":1,"ts":10},
            {"ph":"f","cat":"ac2g","name":"ac2g","id":9,"pid":0,"tid":7,"ts":20,"bp":"e"},
            {"ph":"X","cat":"kernel","name":"gemm","pid":0,"tid":7,"ts":20,"dur":30,"args":{"stream":7}}
        ]}"#,
        );
        let a = attribute(&t);
        assert_eq!(a.launch, [0]);
        assert_eq!(t.str(a.site_of(0).expect("site").cpu_op), "aten::mm");
    }

    #[test]
    fn legacy_call_stack_is_used_without_python_frames() {
        let t = trace(
            r#"{"traceEvents": [
            {"ph":"X","cat":"Operator","name":"aten::conv2d","pid":1,"tid":"1","ts":0,"dur":100,"args":{"external id":3,"Call stack":"/home/u/site-packages/torch/nn/modules/conv.py(443): _conv_forward;/home/u/train.py(88): step;threading.py(1): run"}},
            {"ph":"X","cat":"Runtime","name":"cudaLaunchKernel","pid":1,"tid":"1","ts":10,"dur":2,"args":{"external id":3,"correlation":5}},
            {"ph":"X","cat":"Kernel","name":"implicit_convolve_sgemm","pid":0,"tid":"stream 7","ts":20,"dur":30,"args":{"correlation":5,"external id":3}}
        ]}"#,
        );
        let a = attribute(&t);
        let s = a.site_of(0).expect("site");
        assert_eq!(a.strings.get(s.location), "home/u/train.py:88 step");
        assert_eq!(t.str(s.cpu_op), "aten::conv2d");
    }
}
