//! The compact timeline a report carries per stage: its busiest step as one glyph strip per
//! stream ([`TimelineSummary`]), about 1 KB of JSON, small enough for a shared link.

use super::StageOverlap;
use crate::results::overlap::{StripLane, TimelineSummary};
use crate::timeline::Window;
use crate::timeline::bins;
use crate::timeline::strip::{MAX_LANES, columns, overlap_strip, strip};
use crate::vocab::Category;

/// The summary of a stage's window `(start, end)` (its busiest step, named `step`).
#[must_use]
pub(super) fn of_stage(st: &StageOverlap, (start, end): (i64, i64), step: String) -> TimelineSummary {
    let mut lanes: Vec<Vec<(i64, i64, Category)>> = vec![Vec::new(); st.lanes.len()];
    for (s, c) in st.spans.iter().zip(&st.categories) {
        if s.end > start
            && s.start < end
            && s.end > s.start
            && let Some(l) = lanes.get_mut(s.lane as usize)
        {
            l.push((s.start.max(start), s.end.min(end), *c));
        }
    }
    for l in &mut lanes {
        l.sort_unstable_by_key(|x| (x.0, x.1));
    }
    // Keep the busiest streams, in stream order.
    let busy: Vec<i64> = lanes.iter().map(|l| l.iter().map(|x| x.1 - x.0).sum()).collect();
    let mut keep: Vec<usize> = (0..lanes.len()).filter(|&l| busy.get(l).is_some_and(|&b| b > 0)).collect();
    let present = keep.len();
    crate::order::sort_by(&mut keep, |&a, &b| busy.get(b).cmp(&busy.get(a)).then(a.cmp(&b)));
    keep.truncate(MAX_LANES);
    crate::order::sort_by(&mut keep, Ord::cmp);
    let n = columns(keep.len());
    // Whole-nanosecond bins: the window is widened to a multiple of the bin.
    let len = (end - start).max(1);
    let bin_ns = (len + n as i64 - 1) / n as i64;
    let window = Window::new(start, start + bin_ns * n as i64);
    let kept: Vec<Vec<(i64, i64, Category)>> = keep.iter().filter_map(|&l| lanes.get(l).cloned()).collect();
    let b = bins::bin(&kept, window, n);
    TimelineSummary {
        step,
        start_ns: window.start_ns,
        end_ns: window.end_ns,
        bin_ns,
        lanes: keep
            .iter()
            .enumerate()
            .map(|(row, &l)| {
                let (device, stream) = st.lanes.get(l).copied().unwrap_or_default();
                StripLane {
                    device,
                    stream,
                    busy_ns: busy.get(l).copied().unwrap_or(0),
                    strip: strip(&b, row),
                }
            })
            .collect(),
        lanes_omitted: u32::try_from(present - keep.len()).unwrap_or(u32::MAX),
        overlap: overlap_strip(&b),
    }
}
