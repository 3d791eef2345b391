//! Matching collectives across ranks: per family, the n-th kernel (in start order) of
//! every rank that runs the family is one collective. For each matched collective the
//! arrival skew is the last rank's start minus the first rank's start (on the aligned
//! axis), the last rank is the one with the latest start (the lowest rank on ties), and
//! each rank waited `latest start − its start`, clipped to its kernel's duration.
//! Ranks with more kernels of a family than others leave the surplus unmatched.

use std::collections::BTreeMap;

use super::reduction::RankReduction;
use crate::results::notes::Note;
use crate::vocab::Family;
use crate::vocab::Stage;

/// What one family's matched collectives of one stage add up to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FamilyStage {
    /// Per matched collective: arrival skew, ns.
    pub skews: Vec<i64>,
    /// Per matched collective: last end − first end, ns.
    pub end_spreads: Vec<i64>,
    /// Per member (index into the members): collectives it entered last.
    pub last_counts: Vec<u64>,
    /// Σ matched kernels' durations over ranks, ns.
    pub comm_ns: i64,
    /// Σ waiting over ranks, ns.
    pub wait_ns: i64,
    /// Matched collectives whose normalised names differ between ranks.
    pub name_mismatches: u64,
    /// Per member: kernels left unmatched in this stage (by the member's own stage).
    pub unmatched: Vec<u64>,
}

/// The matching of one set of ranks.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Matching {
    /// Per member: waiting inside each of its communication kernels (same order as
    /// [`RankReduction::comms`]), ns; 0 for unmatched kernels.
    pub waits: Vec<Vec<i64>>,
    /// Per family: the members that run it, ascending.
    pub members_of: BTreeMap<Family, Vec<usize>>,
    /// Per (stage, family), the stage being the reference member's (the lowest rank's).
    pub stages: BTreeMap<(Stage, Family), FamilyStage>,
    /// Things worth a note (different counts, families on some ranks only).
    pub notes: Vec<Note>,
}

/// Matches the collectives of `members` (sorted by rank) whose timestamps get `offsets`.
#[must_use]
pub(crate) fn match_collectives(members: &[&RankReduction], offsets: &[i64], ranks: &[i64]) -> Matching {
    let n_members = members.len();
    let mut out =
        Matching { waits: members.iter().map(|m| vec![0; m.comms.len()]).collect(), ..Matching::default() };
    let rank_of = |m: usize| ranks.get(m).copied().unwrap_or(0);
    for family in Family::ALL {
        let lists: Vec<Vec<usize>> =
            members.iter().map(|m| m.comms_of(family).map(|(k, _)| k).collect()).collect();
        let who: Vec<usize> =
            (0..n_members).filter(|&m| lists.get(m).is_some_and(|l| !l.is_empty())).collect();
        if who.is_empty() {
            continue;
        }
        if who.len() < n_members && n_members > 1 {
            out.notes.push(Note::FamilyOnSomeRanks {
                family,
                ranks: who.iter().map(|&m| rank_of(m)).collect(),
                of: n_members,
            });
        }
        let counts: Vec<usize> = who.iter().map(|&m| lists.get(m).map_or(0, Vec::len)).collect();
        let matched = counts.iter().copied().min().unwrap_or(0);
        if counts.iter().any(|&c| c != matched) {
            out.notes.push(Note::UnevenCollectives {
                family,
                counts: who.iter().zip(&counts).map(|(&m, &c)| (rank_of(m), c as u64)).collect(),
                matched: matched as u64,
            });
        }
        for n in 0..matched {
            record(&mut out, members, offsets, family, &who, &lists, n);
        }
        // Unmatched surplus, by each member's own stage.
        for &m in &who {
            let Some(list) = lists.get(m) else { continue };
            for &k in list.iter().skip(matched) {
                let Some(c) = members.get(m).and_then(|p| p.comms.get(k)) else { continue };
                let fs = entry(&mut out.stages, c.stage, family, n_members);
                if let Some(u) = fs.unmatched.get_mut(m) {
                    *u += 1;
                }
            }
        }
        out.members_of.insert(family, who);
    }
    out
}

fn entry(
    stages: &mut BTreeMap<(Stage, Family), FamilyStage>,
    stage: Stage,
    family: Family,
    n: usize,
) -> &mut FamilyStage {
    stages.entry((stage, family)).or_insert_with(|| FamilyStage {
        last_counts: vec![0; n],
        unmatched: vec![0; n],
        ..FamilyStage::default()
    })
}

/// Records the `n`-th collective of `family` over the members `who`.
fn record(
    out: &mut Matching,
    members: &[&RankReduction],
    offsets: &[i64],
    family: Family,
    who: &[usize],
    lists: &[Vec<usize>],
    n: usize,
) {
    // (member, comm index, aligned start, aligned end)
    let parts: Vec<(usize, usize, i64, i64)> = who
        .iter()
        .filter_map(|&m| {
            let k = *lists.get(m)?.get(n)?;
            let c = members.get(m)?.comms.get(k)?;
            let off = offsets.get(m).copied().unwrap_or(0);
            Some((m, k, c.start.saturating_add(off), c.end.saturating_add(off)))
        })
        .collect();
    let Some(&(first_member, first_k, _, _)) = parts.first() else { return };
    let latest = parts.iter().map(|p| p.2).max().unwrap_or(0);
    let earliest = parts.iter().map(|p| p.2).min().unwrap_or(0);
    let last_end = parts.iter().map(|p| p.3).max().unwrap_or(0);
    let first_end = parts.iter().map(|p| p.3).min().unwrap_or(0);
    let reference = members.get(first_member).and_then(|p| p.comms.get(first_k));
    let stage = reference.map_or(Stage::All, |c| c.stage);
    let name = |m: usize, k: usize| members.get(m).and_then(|p| p.comms.get(k).map(|c| p.name(c.norm)));
    let own = name(first_member, first_k);
    let mismatch = parts.iter().any(|&(m, k, _, _)| name(m, k) != own);
    let n_members = members.len();
    let fs = entry(&mut out.stages, stage, family, n_members);
    fs.skews.push(latest - earliest);
    fs.end_spreads.push(last_end - first_end);
    if mismatch {
        fs.name_mismatches += 1;
    }
    // The last to arrive: the latest start, the lowest rank (first member) on ties.
    if let Some(&(m, ..)) = parts.iter().find(|p| p.2 == latest)
        && let Some(c) = fs.last_counts.get_mut(m)
    {
        *c += 1;
    }
    for &(m, k, start, end) in &parts {
        let dur = (end - start).max(0);
        let wait = (latest - start).clamp(0, dur);
        fs.comm_ns += dur;
        fs.wait_ns += wait;
        if let Some(w) = out.waits.get_mut(m).and_then(|w| w.get_mut(k)) {
            *w = wait;
        }
    }
}
