//! GPU bubbles: idle gaps inside a stage's steps, summed and classified.
//!
//! A gap between two kernels of the same graph replay is GPU-side ([`BubbleCause::Graph`]);
//! a gap whose next activity had already been launched when it began is a GPU-side wait
//! ([`BubbleCause::Queued`]). Otherwise the CPU was late, and the gap's time is split by
//! what the launching threads were doing: inside a synchronize, a memcpy/memset call, a
//! launch API, an operator, Python, or nothing recorded (innermost first). One sweep over
//! the CPU intervals that touch a gap: O(n log n).

use super::StageOverlap;
use crate::analysis::attribution::{Attribution, NONE};
use crate::analysis::split::StageOps;
use crate::results::overlap::{BubbleCause, BubbleGap, Bubbles, CauseShare};
use trace::model::{RuntimeKind, Sym, Trace, TrackId};

/// Bubbles of a stage plus the Python location the CPU reached late most often.
pub(super) struct Classified {
    /// The report's summary.
    pub summary: Bubbles,
    /// Location (a symbol of the attribution's strings) of the launches that ended
    /// CPU-bound gaps, weighted by idle time, with whether it is a graph launch.
    pub scope: Option<(Sym, bool)>,
}

/// CPU interval classes, by precedence (innermost wins).
const SYNC: usize = 0;
const MEMCPY: usize = 1;
const LAUNCH: usize = 2;
const CPU_OP: usize = 3;
const PYTHON: usize = 4;
const CLASSES: [BubbleCause; 5] =
    [BubbleCause::Sync, BubbleCause::Memcpy, BubbleCause::Launch, BubbleCause::CpuOp, BubbleCause::Python];

struct Piece {
    start: i64,
    end: i64,
    /// Stage op positions before and after the gap.
    before: u32,
    after: u32,
}

/// Gap pieces inside the step windows.
fn pieces(st: &StageOverlap, windows: &[(i64, i64)]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut w = 0;
    for g in &st.sweep.gaps {
        while windows.get(w).is_some_and(|&(_, e)| e <= g.start) {
            w += 1;
        }
        let mut v = w;
        while let Some(&(ws, we)) = windows.get(v) {
            if ws >= g.end {
                break;
            }
            let (s, e) = (g.start.max(ws), g.end.min(we));
            if e > s {
                out.push(Piece { start: s, end: e, before: g.before, after: g.after });
            }
            v += 1;
        }
    }
    out
}

/// Classifies the idle time of a stage.
pub(super) fn classify(
    trace: &Trace,
    attribution: &Attribution,
    group: &StageOps,
    st: &StageOverlap,
    windows: &[(i64, i64)],
) -> Classified {
    let rt = &trace.runtime;
    let gpu_index = |k: u32| group.ops.get(k as usize).map_or(usize::MAX, |&i| i as usize);
    let launch_of = |k: u32| attribution.launch.get(gpu_index(k)).copied().unwrap_or(NONE);
    let pieces = pieces(st, windows);
    let mut by_cause = [0i64; BubbleCause::ALL.len()];
    let mut per_piece: Vec<(i64, BubbleCause)> = Vec::with_capacity(pieces.len());
    // Pieces the CPU was late for: (start, end, piece index).
    let mut late: Vec<(i64, i64, usize)> = Vec::new();
    let mut scopes: Vec<((Sym, bool), i64)> = Vec::new();
    for (p, piece) in pieces.iter().enumerate() {
        let len = piece.end - piece.start;
        let (before, after) = (launch_of(piece.before), launch_of(piece.after));
        let graph = before != NONE
            && before == after
            && rt.kind.get(after as usize) == Some(&RuntimeKind::GraphLaunch);
        let launched_end =
            rt.start_ns.get(after as usize).zip(rt.dur_ns.get(after as usize)).map(|(s, d)| s + d);
        let cause = if graph {
            Some(BubbleCause::Graph)
        } else if launched_end.is_some_and(|e| e <= piece.start) {
            Some(BubbleCause::Queued)
        } else {
            None
        };
        match cause {
            Some(c) => per_piece.push((len, c)),
            None => {
                per_piece.push((len, BubbleCause::Unrecorded));
                late.push((piece.start, piece.end, p));
                if let Some(site) = attribution.site_of(gpu_index(piece.after))
                    && !site.location.is_none()
                {
                    let key = (site.location, site.graph);
                    match scopes.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, n)) => *n += len,
                        None => scopes.push((key, len)),
                    }
                }
            }
        }
    }
    let cpu = cpu_time(trace, attribution, group, &late, pieces.len());
    for (p, (len, cause)) in per_piece.iter_mut().enumerate() {
        if let Some(split) = cpu.get(p).and_then(|c| c.as_ref()) {
            let mut recorded = 0;
            let mut best = (0i64, BubbleCause::Unrecorded);
            for (c, &ns) in split.iter().enumerate() {
                recorded += ns;
                if let Some(&cause) = CLASSES.get(c) {
                    add(&mut by_cause, cause, ns);
                    if ns > best.0 {
                        best = (ns, cause);
                    }
                }
            }
            let rest = *len - recorded;
            add(&mut by_cause, BubbleCause::Unrecorded, rest);
            *cause = if rest > best.0 { BubbleCause::Unrecorded } else { best.1 };
        } else {
            add(&mut by_cause, *cause, *len);
        }
    }
    let idle_ns: i64 = per_piece.iter().map(|(l, _)| l).sum();
    let mut largest: Vec<BubbleGap> = pieces
        .iter()
        .zip(&per_piece)
        .map(|(p, &(len, cause))| BubbleGap { start_ns: p.start, dur_ns: len, cause })
        .collect();
    crate::order::sort_by(&mut largest, |a, b| b.dur_ns.cmp(&a.dur_ns).then(a.start_ns.cmp(&b.start_ns)));
    largest.truncate(3);
    let causes = BubbleCause::ALL
        .iter()
        .zip(by_cause)
        .filter(|(_, ns)| *ns > 0)
        .map(|(&cause, ns)| CauseShare { cause, ns })
        .collect();
    let mut scope: Option<((Sym, bool), i64)> = None;
    for &(key, n) in &scopes {
        if scope.is_none_or(|(_, bn)| n > bn) {
            scope = Some((key, n));
        }
    }
    Classified {
        summary: Bubbles { idle_ns, gaps: pieces.len() as u64, causes, largest },
        scope: scope.map(|(k, _)| k),
    }
}

fn add(by: &mut [i64; BubbleCause::ALL.len()], cause: BubbleCause, ns: i64) {
    if let Some(slot) = BubbleCause::ALL.iter().position(|&c| c == cause).and_then(|p| by.get_mut(p)) {
        *slot += ns;
    }
}

/// Per piece (only the late ones are `Some`): time per CPU class, innermost class winning
/// where intervals nest.
fn cpu_time(
    trace: &Trace,
    attribution: &Attribution,
    group: &StageOps,
    late: &[(i64, i64, usize)],
    pieces: usize,
) -> Vec<Option<[i64; CLASSES.len()]>> {
    let mut out: Vec<Option<[i64; CLASSES.len()]>> = vec![None; pieces];
    if late.is_empty() {
        return out;
    }
    for &(_, _, p) in late {
        if let Some(slot) = out.get_mut(p) {
            *slot = Some([0; CLASSES.len()]);
        }
    }
    // The threads that launched the stage's work.
    let rt = &trace.runtime;
    let mut launching: Vec<bool> = Vec::new();
    for &r in group.ops.iter().filter_map(|&i| attribution.launch.get(i as usize)) {
        if let Some(t) = rt.track.get(r as usize).map(|t| t.0 as usize) {
            if launching.len() <= t {
                launching.resize(t + 1, false);
            }
            if let Some(slot) = launching.get_mut(t) {
                *slot = true;
            }
        }
    }
    let on_thread = |t: Option<&TrackId>| t.is_some_and(|t| launching.get(t.0 as usize) == Some(&true));
    let mut pieces = Pieces::new(late);
    // (time, 0 = end / 1 = start, class)
    let mut points: Vec<(i64, u8, u8)> = Vec::new();
    let mut push = |s: i64, d: i64, class: usize| {
        let e = s.saturating_add(d.max(0));
        if e > s && pieces.touch(s, e) {
            let c = u8::try_from(class).unwrap_or(0);
            points.push((s, 1, c));
            points.push((e, 0, c));
        }
    };
    for i in 0..rt.len() {
        if !on_thread(rt.track.get(i)) {
            continue;
        }
        let (Some(&s), Some(&d), Some(&kind)) = (rt.start_ns.get(i), rt.dur_ns.get(i), rt.kind.get(i)) else {
            continue;
        };
        let class = match kind {
            RuntimeKind::Synchronize => SYNC,
            RuntimeKind::Memcpy | RuntimeKind::Memset => MEMCPY,
            RuntimeKind::LaunchKernel | RuntimeKind::GraphLaunch => LAUNCH,
            RuntimeKind::Other | RuntimeKind::BeginCapture | RuntimeKind::EndCapture => CPU_OP,
        };
        push(s, d, class);
    }
    let ops = &trace.cpu_ops;
    for i in 0..ops.len() {
        if on_thread(ops.track.get(i))
            && let (Some(&s), Some(&d)) = (ops.start_ns.get(i), ops.dur_ns.get(i))
        {
            push(s, d, CPU_OP);
        }
    }
    let py = &trace.python;
    for i in 0..py.len() {
        if on_thread(py.track.get(i))
            && let (Some(&s), Some(&d)) = (py.start_ns.get(i), py.dur_ns.get(i))
        {
            push(s, d, PYTHON);
        }
    }
    points.sort_unstable();
    let mut count = [0u32; CLASSES.len()];
    let mut prev = i64::MIN;
    let mut li = 0;
    for &(t, kind, class) in &points {
        if t > prev
            && prev != i64::MIN
            && let Some(top) = count.iter().position(|&n| n > 0)
        {
            // Credit [prev, t) ∩ late pieces to the innermost active class.
            while late.get(li).is_some_and(|&(_, pe, _)| pe <= prev) {
                li += 1;
            }
            let mut j = li;
            while let Some(&(ps, pe, p)) = late.get(j) {
                if ps >= t {
                    break;
                }
                let overlap = pe.min(t) - ps.max(prev);
                if overlap > 0
                    && let Some(Some(split)) = out.get_mut(p)
                    && let Some(slot) = split.get_mut(top)
                {
                    *slot += overlap;
                }
                j += 1;
            }
        }
        prev = t;
        if let Some(n) = count.get_mut(class as usize) {
            if kind == 1 {
                *n += 1;
            } else {
                *n = n.saturating_sub(1);
            }
        }
    }
    out
}

/// The late pieces (sorted, disjoint), asked whether an interval touches one of them.
/// Rows of a table come mostly in time order, so each answer starts from the last one
/// and gallops forward; an earlier start falls back to a binary search. (A binary search
/// per row over all pieces took most of the overlap analysis of a 1 GiB trace.)
struct Pieces {
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// Position of the first piece ending after `last_start`.
    last: usize,
    last_start: i64,
}

impl Pieces {
    fn new(late: &[(i64, i64, usize)]) -> Pieces {
        Pieces {
            starts: late.iter().map(|p| p.0).collect(),
            ends: late.iter().map(|p| p.1).collect(),
            last: 0,
            last_start: i64::MIN,
        }
    }

    /// Whether `[s, e)` touches a piece.
    fn touch(&mut self, s: i64, e: i64) -> bool {
        let ends = &self.ends;
        let at = if s >= self.last_start {
            // Every piece before `last` ends at or before the last start, so before `s`.
            let base = self.last;
            let mut bound = 1;
            while base + bound <= ends.len() && ends.get(base + bound - 1).is_some_and(|&pe| pe <= s) {
                bound *= 2;
            }
            let lo = base + bound / 2;
            let hi = (base + bound).min(ends.len());
            lo + ends.get(lo..hi).map_or(0, |w| w.partition_point(|&pe| pe <= s))
        } else {
            ends.partition_point(|&pe| pe <= s)
        };
        self.last = at;
        self.last_start = s;
        self.starts.get(at).is_some_and(|&ps| ps < e)
    }
}

#[cfg(test)]
mod tests {
    use crate::Catalog;
    use crate::analysis::kernels::NameCache;
    use crate::analysis::split;
    use crate::analysis::stages::Windows;
    use crate::analysis::{attribution, overlap};
    use crate::results::overlap::BubbleCause;

    #[test]
    fn pieces_answer_as_a_binary_search_does_in_any_order() {
        let late: Vec<(i64, i64, usize)> =
            (0..300).map(|i| (i * 100, i * 100 + 10 + i % 50, i as usize)).collect();
        let brute = |s: i64, e: i64| late.iter().any(|&(ps, pe, _)| ps < e && s < pe);
        let mut pieces = super::Pieces::new(&late);
        // In order (the usual case), then shuffled, then in order again.
        let mut x: i64 = 12345;
        let mut queries: Vec<(i64, i64)> = (0..4000).map(|i| (i * 8 - 500, i * 8 - 500 + i % 37)).collect();
        queries.extend((0..4000).map(|_| {
            x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
            let s = x % 31_000 - 500;
            (s, s + x % 120)
        }));
        queries.extend((0..4000).map(|i| (i * 8 - 500, i * 8 - 490)));
        for (s, e) in queries {
            assert_eq!(pieces.touch(s, e), brute(s, e), "[{s}, {e})");
        }
    }

    fn bubbles(json: &str) -> crate::results::overlap::Bubbles {
        let trace = trace::load(json.as_bytes()).expect("trace");
        let a = attribution::attribute(&trace);
        let groups = split::split(&trace, &a, Some(0), None);
        let mut cache = NameCache::new(&Catalog::builtin().categories);
        let group = groups.first().expect("stage");
        overlap::table(&trace, &a, &mut cache, group, &Windows::of(&trace), 1.0).bubbles
    }

    #[test]
    fn gaps_are_split_by_what_the_cpu_did() {
        // k1 0..10, gap 10..50 (CPU: python 0..100, cudaStreamSynchronize 12..30, launch of
        // k2 40..45, nothing in 30..40 but python), k2 50..60; k3 launched at 55 (before the
        // gap 60..70 began? no: it ends at 58 < 60) runs 70..80: a queued gap.
        let json = r#"{"traceEvents":[
          {"ph":"X","cat":"python_function","name":"/x/python/sglang/srt/a.py(1): step","pid":1,"tid":1,"ts":0,"dur":100},
          {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":0,"dur":2,"args":{"correlation":1}},
          {"ph":"X","cat":"cuda_runtime","name":"cudaStreamSynchronize","pid":1,"tid":1,"ts":12,"dur":18,"args":{}},
          {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":40,"dur":5,"args":{"correlation":2}},
          {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":55,"dur":3,"args":{"correlation":3}},
          {"ph":"X","cat":"kernel","name":"k1","pid":0,"tid":7,"ts":0,"dur":10,"args":{"stream":7,"correlation":1,"device":0}},
          {"ph":"X","cat":"kernel","name":"k2","pid":0,"tid":7,"ts":50,"dur":10,"args":{"stream":7,"correlation":2,"device":0}},
          {"ph":"X","cat":"kernel","name":"k3","pid":0,"tid":7,"ts":70,"dur":10,"args":{"stream":7,"correlation":3,"device":0}}
        ]}"#;
        let b = bubbles(json);
        assert_eq!((b.idle_ns, b.gaps), (50_000, 2));
        let ns = |c: BubbleCause| b.causes.iter().find(|x| x.cause == c).map_or(0, |x| x.ns);
        assert_eq!(ns(BubbleCause::Sync), 18_000);
        assert_eq!(ns(BubbleCause::Launch), 5_000);
        assert_eq!(ns(BubbleCause::Python), 17_000);
        assert_eq!(ns(BubbleCause::Queued), 10_000);
        assert_eq!(b.largest.first().map(|g| (g.dur_ns, g.cause)), Some((40_000, BubbleCause::Sync)));
    }

    #[test]
    fn gaps_inside_one_graph_replay_are_gpu_side() {
        let json = r#"{"traceEvents":[
          {"ph":"X","cat":"cuda_runtime","name":"cudaGraphLaunch","pid":1,"tid":1,"ts":0,"dur":2,"args":{"correlation":5}},
          {"ph":"X","cat":"kernel","name":"k1","pid":0,"tid":7,"ts":10,"dur":10,"args":{"stream":7,"correlation":5,"device":0}},
          {"ph":"X","cat":"kernel","name":"k2","pid":0,"tid":7,"ts":23,"dur":10,"args":{"stream":7,"correlation":5,"device":0}}
        ]}"#;
        let b = bubbles(json);
        assert_eq!(b.idle_ns, 3_000);
        assert_eq!(
            b.causes.iter().map(|c| (c.cause, c.ns)).collect::<Vec<_>>(),
            [(BubbleCause::Graph, 3_000)]
        );
    }
}
