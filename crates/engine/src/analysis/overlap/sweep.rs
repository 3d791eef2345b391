//! The interval sweep behind the overlap table: one pass over the start and end points of
//! every GPU activity of a stage, in O(n log n).
//!
//! Per lane (a device's stream) the sweep keeps how many activities are active and how
//! many of them are compute; across lanes it keeps how many lanes are active and how many
//! have compute running. From those counters alone (never by scanning the active set) it
//! integrates, over time, "another lane is busy" and "another lane runs compute", so each
//! activity's hidden and hidden-by-compute time is a difference of two running integrals
//! taken at its start and end. Activities on the same lane never hide each other.
//!
//! [`lanes_in`] answers a second question in O((n + w) log(n + w)): which lanes had work
//! during each of `w` windows (a stage's steps), so the overlap rows can tell a kernel on
//! a single busy stream (nothing could run beside it) from one that shared its steps.

/// One GPU activity as the sweep sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// Dense lane id (one per device × stream).
    pub lane: u32,
    /// Start, ns.
    pub start: i64,
    /// End, ns (an end before the start counts as the start: zero length).
    pub end: i64,
    /// Whether the activity is compute (it can hide communication and copies).
    pub compute: bool,
}

/// What the sweep found for one activity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Share {
    /// Time during which some other lane was busy, ns.
    pub hidden: i64,
    /// Time during which some other lane ran compute, ns (≤ `hidden`).
    pub hidden_by_compute: i64,
}

/// An idle stretch between two busy runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Gap {
    /// Start (the end of the previous busy run), ns.
    pub start: i64,
    /// End (the start of the next busy run), ns.
    pub end: i64,
    /// Index (into the spans) of an activity that ended at `start`.
    pub before: u32,
    /// Index of an activity that started at `end`.
    pub after: u32,
}

/// The result of a sweep.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sweep {
    /// Length of the union of all activities, ns.
    pub busy: i64,
    /// Time with at least two lanes active, ns.
    pub overlap: i64,
    /// The most lanes active at once.
    pub max_lanes: u32,
    /// Per span (same order as the input).
    pub shares: Vec<Share>,
    /// Maximal busy intervals, sorted.
    pub runs: Vec<(i64, i64)>,
    /// Idle stretches between consecutive runs, sorted.
    pub gaps: Vec<Gap>,
}

/// The sweep's running integrals over time: ≥ 2 lanes active (`hidden`); ≥ 2 lanes with
/// compute (`two`); exactly one lane with compute (`one`); per lane, the time it was that
/// only compute lane (`sole`). "Another lane runs compute" for lane L integrates to
/// `two + one − sole[L]`.
#[derive(Default)]
struct Integrals {
    hidden: i64,
    two: i64,
    one: i64,
    sole: Vec<i64>,
}

impl Integrals {
    /// Adds a segment of `seg` ns with `active_lanes` lanes busy and `compute_lanes` lanes
    /// running compute (`compute_lane_sum`: the sum of their ids, the lane itself when one).
    fn advance(&mut self, seg: i64, active_lanes: u32, compute_lanes: u32, compute_lane_sum: u64) {
        if active_lanes >= 2 {
            self.hidden += seg;
        }
        match compute_lanes {
            0 => {}
            1 => {
                self.one += seg;
                if let Some(s) = usize::try_from(compute_lane_sum).ok().and_then(|l| self.sole.get_mut(l)) {
                    *s += seg;
                }
            }
            _ => self.two += seg,
        }
    }

    /// The integral of "another lane runs compute" for lane `lane`.
    fn other_compute(&self, lane: usize) -> i64 {
        self.two + self.one - self.sole.get(lane).copied().unwrap_or(0)
    }
}

/// Sweeps `spans` over `lanes` dense lane ids (ids at or above `lanes` are ignored).
#[must_use]
pub(crate) fn sweep(spans: &[Span], lanes: usize) -> Sweep {
    let mut out = Sweep { shares: vec![Share::default(); spans.len()], ..Sweep::default() };
    // (time, 0 = end / 1 = start, span): ends before starts at equal times.
    let mut points: Vec<(i64, u8, u32)> = Vec::with_capacity(spans.len() * 2);
    for (i, s) in spans.iter().enumerate() {
        let Ok(i) = u32::try_from(i) else { break };
        if s.end <= s.start || s.lane as usize >= lanes {
            continue;
        }
        points.push((s.start, 1, i));
        points.push((s.end, 0, i));
    }
    points.sort_unstable();

    let mut lane_active = vec![0u32; lanes];
    let mut lane_compute = vec![0u32; lanes];
    let (mut active, mut active_lanes, mut compute_lanes) = (0u32, 0u32, 0u32);
    // Sum of the ids of lanes with compute running: the lane itself when only one has.
    let mut compute_lane_sum = 0u64;
    let mut int = Integrals { sole: vec![0; lanes], ..Integrals::default() };
    // Per span: the integrals at its start.
    let mut at_start: Vec<(i64, i64)> = vec![(0, 0); spans.len()];
    let mut prev_t = i64::MIN;
    let mut run_start = 0i64;
    let mut last_end_span = u32::MAX;
    let mut last_run_end: Option<i64> = None;

    let mut p = 0;
    while let Some(&(t, _, _)) = points.get(p) {
        if active > 0 {
            let seg = t - prev_t;
            out.busy += seg;
            if active_lanes >= 2 {
                out.overlap += seg;
            }
            int.advance(seg, active_lanes, compute_lanes, compute_lane_sum);
        }
        let was_active = active > 0;
        let mut first_start = u32::MAX;
        // Every point at time t.
        while let Some(&(pt, kind, i)) = points.get(p) {
            if pt != t {
                break;
            }
            p += 1;
            let Some(s) = spans.get(i as usize) else { continue };
            let l = s.lane as usize;
            let (Some(la), Some(lc)) = (lane_active.get_mut(l), lane_compute.get_mut(l)) else { continue };
            if kind == 1 {
                if first_start == u32::MAX {
                    first_start = i;
                }
                if *la == 0 {
                    active_lanes += 1;
                }
                *la += 1;
                if s.compute {
                    if *lc == 0 {
                        compute_lanes += 1;
                        compute_lane_sum += u64::from(s.lane);
                    }
                    *lc += 1;
                }
                active += 1;
                if let Some(a) = at_start.get_mut(i as usize) {
                    *a = (int.hidden, int.other_compute(l));
                }
            } else {
                *la = la.saturating_sub(1);
                if *la == 0 {
                    active_lanes = active_lanes.saturating_sub(1);
                }
                if s.compute {
                    *lc = lc.saturating_sub(1);
                    if *lc == 0 {
                        compute_lanes = compute_lanes.saturating_sub(1);
                        compute_lane_sum = compute_lane_sum.saturating_sub(u64::from(s.lane));
                    }
                }
                active = active.saturating_sub(1);
                last_end_span = i;
                let (h0, c0) = at_start.get(i as usize).copied().unwrap_or((0, 0));
                if let Some(share) = out.shares.get_mut(i as usize) {
                    share.hidden = int.hidden - h0;
                    share.hidden_by_compute = int.other_compute(l) - c0;
                }
            }
        }
        out.max_lanes = out.max_lanes.max(active_lanes);
        match (was_active, active > 0) {
            (false, true) => {
                if let Some(end) = last_run_end {
                    out.gaps.push(Gap { start: end, end: t, before: last_end_span, after: first_start });
                }
                run_start = t;
            }
            (true, false) => {
                out.runs.push((run_start, t));
                last_run_end = Some(t);
            }
            _ => {}
        }
        prev_t = t;
    }
    out
}

/// Which lanes had work during a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Busy {
    /// No activity overlaps the window.
    Idle,
    /// Every activity that overlaps the window is on this one lane.
    One(u32),
    /// Activities of two or more lanes overlap the window.
    Many,
}

/// For each window `(start, end)` (any order, windows may overlap), the lanes of the
/// activities that overlap it for a positive time (`start < window end` and `end > window
/// start`); a window with `end <= start` is [`Busy::Idle`]. Zero-length spans and spans
/// on lanes at or above `lanes` count for nothing, as in [`sweep`].
///
/// The activities overlapping a window are those running at its start plus those starting
/// inside it. The first come from a sweep over the windows in start order that keeps the
/// number of active lanes and the sum of their ids (the lane itself when only one is
/// active); the second are a contiguous run of the activities sorted by start, whose lanes
/// are all equal exactly when the run ends before the first index with another lane
/// (`next_other`, one backward pass). O((n + w) log(n + w)) time, O(n + w) memory.
#[must_use]
pub(crate) fn lanes_in(spans: &[Span], lanes: usize, windows: &[(i64, i64)]) -> Vec<Busy> {
    let mut out = vec![Busy::Idle; windows.len()];
    let valid = |s: &&Span| s.end > s.start && (s.lane as usize) < lanes;
    let mut by_start: Vec<(i64, u32)> = spans.iter().filter(valid).map(|s| (s.start, s.lane)).collect();
    by_start.sort_unstable();
    let mut by_end: Vec<(i64, u32)> = spans.iter().filter(valid).map(|s| (s.end, s.lane)).collect();
    by_end.sort_unstable();
    // Per position in `by_start`: the first position at or after it with another lane.
    let n = by_start.len();
    let mut next_other = vec![n; n];
    for j in (0..n.saturating_sub(1)).rev() {
        let (Some(&(_, a)), Some(&(_, b))) = (by_start.get(j), by_start.get(j + 1)) else { continue };
        let after = next_other.get(j + 1).copied().unwrap_or(n);
        if let Some(slot) = next_other.get_mut(j) {
            *slot = if a == b { after } else { j + 1 };
        }
    }
    let mut order: Vec<usize> = (0..windows.len()).collect();
    order.sort_by_key(|&w| (windows.get(w).map_or(i64::MAX, |&(s, _)| s), w));
    let mut lane_active = vec![0u32; lanes];
    let (mut active_lanes, mut lane_sum) = (0u32, 0u64);
    let (mut p, mut q) = (0usize, 0usize);
    for w in order {
        let Some(&(ws, we)) = windows.get(w) else { continue };
        // Activities started at or before `ws` join; those ended by `ws` leave (every one
        // of them joined first, since it started before it ended).
        while let Some(&(t, lane)) = by_start.get(p) {
            if t > ws {
                break;
            }
            p += 1;
            if let Some(a) = lane_active.get_mut(lane as usize) {
                if *a == 0 {
                    active_lanes += 1;
                    lane_sum += u64::from(lane);
                }
                *a += 1;
            }
        }
        while let Some(&(t, lane)) = by_end.get(q) {
            if t > ws {
                break;
            }
            q += 1;
            if let Some(a) = lane_active.get_mut(lane as usize) {
                *a = a.saturating_sub(1);
                if *a == 0 {
                    active_lanes = active_lanes.saturating_sub(1);
                    lane_sum = lane_sum.saturating_sub(u64::from(lane));
                }
            }
        }
        if we <= ws {
            continue;
        }
        // Activities starting inside the window: positions p..hi of `by_start`.
        let hi = by_start.partition_point(|&(t, _)| t < we);
        let inside = by_start.get(p).filter(|_| p < hi).map(|&(_, lane)| lane);
        let uniform = next_other.get(p).is_none_or(|&x| x >= hi);
        let running = u32::try_from(lane_sum).ok();
        let busy = match (active_lanes, running, inside) {
            (_, _, Some(_)) if !uniform => Busy::Many,
            (0, _, None) => Busy::Idle,
            (0, _, Some(l)) => Busy::One(l),
            (1, Some(r), None) => Busy::One(r),
            (1, Some(r), Some(l)) if l == r => Busy::One(r),
            _ => Busy::Many,
        };
        if let Some(slot) = out.get_mut(w) {
            *slot = busy;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn span(lane: u32, start: i64, end: i64, compute: bool) -> Span {
        Span { lane, start, end, compute }
    }

    /// The obvious quadratic answer, one time unit at a time (times are small integers).
    fn brute(spans: &[Span]) -> (i64, i64, Vec<Share>) {
        let lo = spans.iter().map(|s| s.start).min().unwrap_or(0);
        let hi = spans.iter().map(|s| s.end).max().unwrap_or(0);
        let (mut busy, mut overlap) = (0, 0);
        let mut shares = vec![Share::default(); spans.len()];
        for t in lo..hi {
            let active: Vec<usize> =
                (0..spans.len()).filter(|&i| spans[i].start <= t && t < spans[i].end).collect();
            if active.is_empty() {
                continue;
            }
            busy += 1;
            let mut lanes: Vec<u32> = active.iter().map(|&i| spans[i].lane).collect();
            lanes.sort_unstable();
            lanes.dedup();
            if lanes.len() >= 2 {
                overlap += 1;
            }
            for &i in &active {
                let others: Vec<usize> =
                    active.iter().copied().filter(|&j| spans[j].lane != spans[i].lane).collect();
                if !others.is_empty() {
                    shares[i].hidden += 1;
                }
                if others.iter().any(|&j| spans[j].compute) {
                    shares[i].hidden_by_compute += 1;
                }
            }
        }
        (busy, overlap, shares)
    }

    #[test]
    fn nested_on_two_lanes() {
        // A 0..100 on lane 0 (compute); B 20..40 on lane 1 inside it.
        let s = sweep(&[span(0, 0, 100, true), span(1, 20, 40, false)], 2);
        assert_eq!((s.busy, s.overlap, s.max_lanes), (100, 20, 2));
        assert_eq!(s.shares[0], Share { hidden: 20, hidden_by_compute: 0 });
        assert_eq!(s.shares[1], Share { hidden: 20, hidden_by_compute: 20 });
        assert_eq!(s.runs, [(0, 100)]);
        assert!(s.gaps.is_empty());
    }

    #[test]
    fn touching_spans_make_one_run_and_no_overlap() {
        let s = sweep(&[span(0, 0, 10, false), span(1, 10, 20, false), span(0, 25, 30, false)], 2);
        assert_eq!((s.busy, s.overlap), (25, 0));
        assert_eq!(s.runs, [(0, 20), (25, 30)]);
        assert_eq!(s.gaps, [Gap { start: 20, end: 25, before: 1, after: 2 }]);
        assert!(s.shares.iter().all(|x| x.hidden == 0));
    }

    #[test]
    fn same_stream_concurrency_is_not_overlap() {
        let s = sweep(&[span(3, 0, 10, true), span(3, 5, 15, true)], 4);
        assert_eq!((s.busy, s.overlap, s.max_lanes), (15, 0, 1));
        assert_eq!(s.shares, [Share::default(), Share::default()]);
    }

    #[test]
    fn three_streams() {
        // lane 0: comm 0..30; lane 1: compute 10..20; lane 2: copy 15..40.
        let spans = [span(0, 0, 30, false), span(1, 10, 20, true), span(2, 15, 40, false)];
        let s = sweep(&spans, 3);
        assert_eq!((s.busy, s.overlap, s.max_lanes), (40, 20, 3));
        assert_eq!(s.shares[0], Share { hidden: 20, hidden_by_compute: 10 });
        assert_eq!(s.shares[1], Share { hidden: 10, hidden_by_compute: 0 });
        assert_eq!(s.shares[2], Share { hidden: 15, hidden_by_compute: 5 });
        let (busy, overlap, shares) = brute(&spans);
        assert_eq!((busy, overlap, shares), (s.busy, s.overlap, s.shares));
    }

    #[test]
    fn compute_on_own_lane_does_not_hide() {
        // Lane 0 runs compute and a copy at once; lane 1 runs compute 5..8.
        let spans = [span(0, 0, 10, true), span(0, 0, 10, false), span(1, 5, 8, true)];
        let s = sweep(&spans, 2);
        assert_eq!(s.shares[1], Share { hidden: 3, hidden_by_compute: 3 });
        assert_eq!(s.shares[2], Share { hidden: 3, hidden_by_compute: 3 });
        assert_eq!(brute(&spans).2, s.shares);
    }

    #[test]
    fn zero_length_and_reversed_spans_count_for_nothing() {
        let spans = [span(0, 5, 5, true), span(1, 0, 10, false), span(0, 8, 2, true)];
        let s = sweep(&spans, 2);
        assert_eq!((s.busy, s.overlap), (10, 0));
        assert_eq!(s.shares, [Share::default(); 3]);
        assert_eq!(s.runs, [(0, 10)]);
        let empty = sweep(&[], 0);
        assert_eq!((empty.busy, empty.runs.len(), empty.gaps.len()), (0, 0, 0));
    }

    /// The obvious answer: every span against every window.
    fn brute_lanes(spans: &[Span], lanes: usize, windows: &[(i64, i64)]) -> Vec<Busy> {
        windows
            .iter()
            .map(|&(ws, we)| {
                let mut seen: Vec<u32> = spans
                    .iter()
                    .filter(|s| s.end > s.start && (s.lane as usize) < lanes && s.start < we && s.end > ws)
                    .map(|s| s.lane)
                    .collect();
                seen.sort_unstable();
                seen.dedup();
                match seen.as_slice() {
                    _ if we <= ws => Busy::Idle,
                    [] => Busy::Idle,
                    [l] => Busy::One(*l),
                    _ => Busy::Many,
                }
            })
            .collect()
    }

    #[test]
    fn lanes_in_windows() {
        // Lane 0: 0..10, 20..30; lane 1: 25..40; lane 2 (zero length) at 5.
        let spans =
            [span(0, 0, 10, true), span(0, 20, 30, true), span(1, 25, 40, false), span(2, 5, 5, true)];
        let windows = [(0, 10), (0, 20), (10, 20), (20, 30), (30, 50), (26, 26), (40, 60), (5, 21)];
        let busy = lanes_in(&spans, 3, &windows);
        use Busy::{Idle, Many, One};
        assert_eq!(busy, [One(0), One(0), Idle, Many, One(1), Idle, Idle, One(0)]);
        assert_eq!(busy, brute_lanes(&spans, 3, &windows));
        // Windows touching a span's end or start do not overlap it.
        assert_eq!(lanes_in(&spans, 3, &[(10, 20), (40, 41)]), [Idle, Idle]);
        assert!(lanes_in(&spans, 3, &[]).is_empty());
        assert_eq!(lanes_in(&[], 0, &[(0, 5)]), [Idle]);
    }

    fn spans_strategy() -> impl Strategy<Value = Vec<Span>> {
        prop::collection::vec(
            (0u32..4, 0i64..60, 0i64..25, any::<bool>()).prop_map(|(lane, start, len, compute)| Span {
                lane,
                start,
                end: start + len,
                compute,
            }),
            0..24,
        )
    }

    proptest! {
        #[test]
        fn sweep_agrees_with_brute_force(spans in spans_strategy()) {
            let s = sweep(&spans, 4);
            let (busy, overlap, shares) = brute(&spans);
            prop_assert_eq!(s.busy, busy);
            prop_assert_eq!(s.overlap, overlap);
            prop_assert_eq!(&s.shares, &shares);
            let lo = spans.iter().map(|x| x.start).min().unwrap_or(0);
            let hi = spans.iter().map(|x| x.end).max().unwrap_or(0);
            prop_assert!(s.overlap <= s.busy && s.busy <= (hi - lo).max(0));
            for (x, sh) in spans.iter().zip(&s.shares) {
                let total = (x.end - x.start).max(0);
                let exclusive = total - sh.hidden;
                prop_assert!(exclusive >= 0 && sh.hidden_by_compute <= sh.hidden);
                prop_assert_eq!(exclusive + sh.hidden, total);
            }
            let runs: i64 = s.runs.iter().map(|(a, b)| b - a).sum();
            prop_assert_eq!(runs, s.busy);
            prop_assert_eq!(s.gaps.len(), s.runs.len().saturating_sub(1));
        }

        #[test]
        fn lanes_in_agrees_with_brute_force(
            spans in spans_strategy(),
            windows in prop::collection::vec((0i64..80, -5i64..40).prop_map(|(s, len)| (s, s + len)), 0..12),
        ) {
            prop_assert_eq!(lanes_in(&spans, 3, &windows), brute_lanes(&spans, 3, &windows));
        }
    }
}
