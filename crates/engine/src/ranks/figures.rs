//! One rank's figures in one stage: the triage report's headline (busy, wall, utilization),
//! and its communication split into waiting (inside a collective before the last rank
//! arrived) and transfer, each with the part no compute kernel of the rank hid.

use super::reduction::RankReduction;
use crate::results::ranks::RankFigures;
use crate::vocab::Stage;

/// The figures of `member` in `stage` (`waits`: the matching's waits of its comms).
#[must_use]
pub(crate) fn figures(
    member: &RankReduction,
    stage: Stage,
    waits: &[i64],
    rank: i64,
    input: usize,
) -> RankFigures {
    let mut out = RankFigures { rank, input, ..RankFigures::default() };
    let Some(summary) = member.stage(stage) else { return out };
    out.span_ns = summary.span_ns;
    out.busy_ns = summary.busy_ns;
    out.utilization_pct = summary.utilization_pct;
    out.kernel_ns = summary.kernel_ns;
    out.launches = summary.launches;
    for (k, c) in member.comms.iter().enumerate() {
        if c.stage != stage {
            continue;
        }
        let dur = (c.end - c.start).max(0);
        let wait = waits.get(k).copied().unwrap_or(0).clamp(0, dur);
        let split = c.start.saturating_add(wait);
        out.collectives += 1;
        out.comm_ns += dur;
        out.wait_ns += wait;
        out.exposed_wait_ns += wait - c.covered(c.start, split);
        out.exposed_ns += (c.end - split) - c.covered(split, c.end);
    }
    out.transfer_ns = out.comm_ns - out.wait_ns;
    out
}
