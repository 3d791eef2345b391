//! Putting several ranks' traces on one time axis.
//!
//! Kineto writes timestamps relative to `baseTimeNanoseconds`, which every rank of a job
//! shares (or at least takes from the same clock), so `base + ts` is comparable across
//! ranks. When a trace has no base time (older files carry epoch microseconds, and tools
//! that crop traces drop top-level keys) the ranks are aligned on their first collective
//! instead: a collective ends on every rank at about the same moment (nobody leaves before
//! the last rank has arrived), so the ends of the first collective of one family that
//! every rank runs are made to meet.

use super::reduction::RankReduction;
use crate::results::notes::Note;
use crate::results::ranks::Alignment;
use crate::vocab::Family;

/// The alignment of one set of ranks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Aligned {
    /// How.
    pub method: Alignment,
    /// Per member (same order): added to its timestamps, ns.
    pub offsets: Vec<i64>,
    /// Why the preferred method was not used, if it was not.
    pub note: Option<Note>,
}

/// Aligns `members` (sorted by rank; the first is the reference).
#[must_use]
pub(crate) fn align(members: &[&RankReduction]) -> Aligned {
    let bases: Vec<Option<i64>> = members.iter().map(|m| m.base_time_ns).collect();
    if let Some(bases) = bases.iter().copied().collect::<Option<Vec<i64>>>() {
        let min = bases.iter().copied().min().unwrap_or(0);
        return Aligned {
            method: Alignment::BaseTime,
            offsets: bases.iter().map(|b| b.saturating_sub(min)).collect(),
            note: None,
        };
    }
    let zero = vec![0; members.len()];
    if members.len() < 2 {
        return Aligned { method: Alignment::None, offsets: zero, note: None };
    }
    let missing = bases.iter().filter(|b| b.is_none()).count();
    let common =
        Family::ALL.into_iter().find(|&f| members.iter().all(|m| m.comms.iter().any(|c| c.family == f)));
    let Some(family) = common else {
        return Aligned {
            method: Alignment::None,
            offsets: zero,
            note: Some(Note::NotAligned { missing, traces: members.len() }),
        };
    };
    let first_end = |m: &RankReduction| m.comms.iter().find(|c| c.family == family).map_or(0, |c| c.end);
    let reference = members.first().map_or(0, |m| first_end(m));
    Aligned {
        method: Alignment::FirstCollective,
        offsets: members.iter().map(|m| reference.saturating_sub(first_end(m))).collect(),
        note: Some(Note::AlignedOnFirstCollective { missing, traces: members.len(), family }),
    }
}
