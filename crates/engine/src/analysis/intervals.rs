//! Nested intervals of one table (cpu_ops, Python frames, annotations) swept against
//! sorted time points: for each point, the intervals containing it on its track,
//! outermost first. Shared by attribution (cpu_op and Python frames around a launch) and
//! the `record_function` scope lookup.

/// Intervals of one table ordered by (track, start, longest first, index): outer before
/// inner. Holds only the order, 4 bytes per row, and reads track, start and duration from
/// the table's columns, since Python frames are millions of rows in a large trace (16 bytes
/// per row were a fifth of the browser's peak memory on a 1 GiB trace).
pub(crate) struct Intervals<'a> {
    order: Vec<u32>,
    track: &'a [trace::model::TrackId],
    start: &'a [i64],
    dur: &'a [i64],
}

impl<'a> Intervals<'a> {
    pub(crate) fn new(track: &'a [trace::model::TrackId], start: &'a [i64], dur: &'a [i64]) -> Self {
        let n = track.len().min(start.len()).min(u32::MAX as usize);
        let end = |s: i64, i: usize| s.saturating_add(dur.get(i).copied().unwrap_or(0));
        // Tables come from the loader in start order, so a counting sort by track (which
        // keeps the table's order within a track) usually leaves nothing to sort; checking
        // costs one pass. A full sort of millions of Python frames took most of the
        // attribution of a 1 GiB trace.
        let lanes = track.iter().take(n).map(|t| t.0 as usize + 1).max().unwrap_or(0);
        let mut order: Vec<u32> = Vec::with_capacity(n);
        if lanes <= n.max(1) {
            let mut at = vec![0usize; lanes + 1];
            for t in track.iter().take(n) {
                if let Some(c) = at.get_mut(t.0 as usize + 1) {
                    *c += 1;
                }
            }
            for k in 1..at.len() {
                at[k] += at[k - 1];
            }
            order.resize(n, 0);
            for (i, t) in track.iter().enumerate().take(n) {
                if let (Some(pos), Ok(i)) = (at.get_mut(t.0 as usize), u32::try_from(i)) {
                    if let Some(slot) = order.get_mut(*pos) {
                        *slot = i;
                    }
                    *pos += 1;
                }
            }
        } else {
            order.extend((0..n).filter_map(|i| u32::try_from(i).ok()));
        }
        let key = |&i: &u32| {
            let k = i as usize;
            let s = start.get(k).copied().unwrap_or(0);
            (track.get(k).map_or(0, |t| t.0), s, !end(s, k), i)
        };
        if !order.is_sorted_by_key(key) {
            order.sort_unstable_by_key(key);
        }
        Intervals { order, track, start, dur }
    }

    /// (track, start, end, index) of the `k`-th interval in order.
    fn get(&self, k: usize) -> Option<(u32, i64, i64, u32)> {
        let i = *self.order.get(k)?;
        let row = i as usize;
        let s = *self.start.get(row)?;
        let t = self.track.get(row)?.0;
        Some((t, s, s.saturating_add(self.dur.get(row).copied().unwrap_or(0)), i))
    }

    /// First position of `track`.
    fn track_start(&self, track: u32) -> usize {
        self.order.partition_point(|&i| self.track.get(i as usize).is_some_and(|t| t.0 < track))
    }

    /// The order as (start, track, index) triples (tests).
    #[cfg(test)]
    fn triples(&self) -> Vec<(i64, u32, u32)> {
        (0..self.order.len()).filter_map(|k| self.get(k)).map(|(t, s, _, i)| (s, t, i)).collect()
    }
}

/// Sweeps ordered intervals against sorted `(track, time, query)` points, calling
/// `f(query, time, stack)` with the intervals that started at or before `time` on that
/// track and have not been popped, outermost first. Entries may have ended; callers
/// filter on `end >= time`.
pub(crate) fn sweep(
    intervals: &Intervals<'_>,
    points: &[(u32, i64, usize)],
    mut f: impl FnMut(usize, i64, &[(i64, i64, u32)]),
) {
    let mut j = 0;
    let mut stack: Vec<(i64, i64, u32)> = Vec::new();
    let mut current: Option<u32> = None;
    for &(track, t, q) in points {
        if current != Some(track) {
            current = Some(track);
            stack.clear();
            j = intervals.track_start(track);
        }
        while let Some((tr, s, e, i)) = intervals.get(j) {
            if tr != track || s > t {
                break;
            }
            while stack.last().is_some_and(|top| top.1 < s) {
                stack.pop();
            }
            stack.push((s, e, i));
            j += 1;
        }
        while stack.last().is_some_and(|top| top.1 < t) {
            stack.pop();
        }
        f(q, t, &stack);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trace::model::TrackId;

    /// The order a full sort gives: (track, start, longest first, index).
    fn sorted_order(track: &[TrackId], start: &[i64], dur: &[i64]) -> Vec<(i64, u32, u32)> {
        let mut rows: Vec<usize> = (0..track.len()).collect();
        rows.sort_by_key(|&i| (track[i].0, start[i], std::cmp::Reverse(start[i] + dur[i]), i));
        rows.into_iter().map(|i| (start[i], track[i].0, i as u32)).collect()
    }

    #[test]
    fn intervals_are_ordered_outer_first_whatever_the_table_order() {
        // In start order, outer before inner (as the loader leaves tables): nothing to sort
        // after grouping by track.
        let track = [0, 1, 0, 1, 0, 0, 2].map(TrackId);
        let start = [0, 0, 0, 3, 5, 5, 6];
        let dur = [20, 4, 10, 1, 3, 1, 2];
        let iv = Intervals::new(&track, &start, &dur);
        assert_eq!(iv.triples(), sorted_order(&track, &start, &dur));
        // Two equal starts, the longest first; in table order, the other way round.
        let (start, dur) = ([0, 0, 0, 3, 5, 5, 6], [10, 4, 20, 1, 1, 3, 2]);
        let iv = Intervals::new(&track, &start, &dur);
        assert_eq!(iv.triples(), sorted_order(&track, &start, &dur));
        assert_eq!(iv.triples().get(..2), Some(&[(0, 0, 2), (0, 0, 0)][..]));
        // Out of order: the fallback sort gives the same answer.
        let track = [1, 0, 0, 1, 0, 2, 0].map(TrackId);
        let start = [9, 7, 2, 1, 2, 0, 0];
        let dur = [1, 1, 5, 3, 9, 4, 0];
        let iv = Intervals::new(&track, &start, &dur);
        assert_eq!(iv.triples(), sorted_order(&track, &start, &dur));
        assert_eq!(iv.get(1), Some((0, 2, 11, 4)));
    }
}
