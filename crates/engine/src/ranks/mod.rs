//! All ranks of one capture: several loaded traces (one per rank, or one per rank and
//! stage) compared on one time axis. Pure: already-loaded traces in, a
//! [`AllRanks`] out, so the CLI (which loads the files on threads) and the browser
//! (which loads them in workers) call the same function. Never fails; odd data becomes
//! notes.
//!
//! The comparison runs in two steps: [`reduce`] makes each trace a [`RankReduction`] (an
//! owned value of the size of its collectives and kernel names, not of its events), and
//! [`compare_reductions`] compares those. [`compare`] is the two in one; a front end that
//! holds many ranks reduces each trace as it is loaded and drops it, or reads reductions
//! written elsewhere (`tracetriage reduce`).
//!
//! - `prepare`: per trace, the reduction: the reported device, the stage split the triage
//!   uses with each stage's figures and kernel totals by normalised name, and the
//!   communication kernels with their [`crate::vocab::Family`], names and the compute
//!   under each;
//! - `align`: `baseTimeNanoseconds`, else the first common collective;
//! - `matching`: the n-th kernel of a family on every rank is one collective: arrival
//!   skew, last rank, waiting;
//! - `figures`: per rank and stage: busy, communication split into waiting and transfer,
//!   and what of each no compute hid;
//! - `spread`: per-kernel min / median / max over ranks.
//!
//! Traces whose file names name a stage (`…-TP-0-DECODE…`) are separate captures per
//! stage: they are aligned and matched per stage, one set per stage.

pub(crate) mod align;
pub(crate) mod figures;
pub(crate) mod matching;
pub(crate) mod prepare;
mod reduction;
pub(crate) mod spread;
pub(crate) mod stats;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::discover::file_name;
use crate::results::notes::Note;
use crate::results::ranks::{Alignment, AllRanks, CollectiveRow, RankCount, RankInput, RanksStage};
use crate::results::share;
use crate::triage::{Input, Options};
use crate::vocab::Stage;
pub use reduction::{CommReduction, KernelTotal, RankReduction, StageReduction};

/// The all-ranks comparison of `inputs` (any order; sorted by rank here): each reduced
/// ([`reduce`]), then compared ([`compare_reductions`]).
#[must_use]
pub fn compare(inputs: &[Input<'_>], options: &Options, catalog: &Catalog) -> AllRanks {
    let reductions: Vec<RankReduction> = inputs.iter().map(|i| reduce(i, catalog)).collect();
    compare_reductions(&reductions, options)
}

/// One trace reduced to what [`compare_reductions`] needs (`input.path` may name a stage).
#[must_use]
pub fn reduce(input: &Input<'_>, catalog: &Catalog) -> RankReduction {
    prepare::reduce(input, catalog)
}

/// The all-ranks comparison of reduced traces (any order; sorted by rank here): the same
/// as [`compare`] of the traces they were reduced from, with the catalog they were
/// reduced with.
#[must_use]
pub fn compare_reductions(inputs: &[RankReduction], options: &Options) -> AllRanks {
    let mut out = AllRanks {
        model: options.server_args.as_ref().and_then(|a| a.model.clone()),
        inputs: Vec::new(),
        min_share_pct: options.min_share_pct,
        stages: Vec::new(),
        notes: Vec::new(),
    };
    if inputs.is_empty() {
        out.notes.push(Note::NoTraces);
        return out;
    }
    let order = ordered(inputs);
    let prepared: Vec<&RankReduction> = order.iter().filter_map(|(i, ..)| inputs.get(*i)).collect();
    for ((_, rank, source), prep) in order.iter().zip(&prepared) {
        out.inputs.push(RankInput {
            path: prep.path.clone(),
            rank: *rank,
            rank_source: (*source).to_owned(),
            world_size: prep.world_size,
            gpu: prep.gpu.clone(),
            device: prep.device,
            path_stage: crate::vocab::stage_from_path(&prep.path),
            base_time_ns: prep.base_time_ns,
            alignment: Alignment::None,
            offset_ns: 0,
            events: prep.events,
            json_bytes: prep.json_bytes,
            ends_early: prep.ends_early,
        });
        for &(d, ns) in &prep.other_devices {
            out.notes.push(Note::OtherDeviceNotCompared {
                path: prep.path.clone(),
                device: d,
                gpu_ns: ns,
                followed: prep.device.unwrap_or_default(),
            });
        }
        if prep.device.is_none() {
            let cut = prep.ends_early.is_some();
            out.notes.push(Note::NoGpuActivity { path: prep.path.clone(), mapping: false, cut });
        }
    }
    let mut ranks: Vec<i64> = out.inputs.iter().map(|i| i.rank).collect();
    ranks.dedup();
    if ranks.len() < 2 {
        out.notes.push(Note::OnlyOneRank);
    }
    // One set per stage named by the file names (None: whole-run traces).
    let mut sets: BTreeMap<Option<Stage>, Vec<usize>> = BTreeMap::new();
    for (k, input) in out.inputs.iter().enumerate() {
        sets.entry(input.path_stage).or_default().push(k);
    }
    for members in sets.into_values() {
        run_set(&mut out, &prepared, &members);
    }
    crate::order::sort_by_key(&mut out.stages, |s| s.stage);
    label_stages(&mut out);
    out
}

/// Input positions sorted by (rank, stage from the path, path), each with its rank and
/// where the rank came from.
fn ordered(inputs: &[RankReduction]) -> Vec<(usize, i64, &'static str)> {
    let known: Vec<Option<(i64, &'static str)>> = inputs
        .iter()
        .map(|i| {
            i.distributed_rank
                .map(|r| (r, "distributedInfo"))
                .or_else(|| crate::discover::rank_of(&i.path).map(|r| (r, "file name")))
        })
        .collect();
    let mut next = known.iter().flatten().map(|k| k.0).max().map_or(0, |m| m.saturating_add(1));
    let mut keyed: Vec<(i64, u8, &str, usize, &'static str)> = Vec::with_capacity(inputs.len());
    for (i, (input, k)) in inputs.iter().zip(&known).enumerate() {
        let (rank, source) = match k {
            Some(k) => *k,
            None => {
                next = next.saturating_add(1);
                (next - 1, "position")
            }
        };
        let stage = crate::vocab::stage_from_path(&input.path).map_or(0, |s| 1 + s as u8);
        keyed.push((rank, stage, input.path.as_str(), i, source));
    }
    crate::order::sort_by(&mut keyed, Ord::cmp);
    keyed.into_iter().map(|(rank, _, _, i, source)| (i, rank, source)).collect()
}

/// Aligns, matches and reports one set (indexes into `out.inputs` / `prepared`).
fn run_set(out: &mut AllRanks, prepared: &[&RankReduction], set: &[usize]) {
    // One trace per rank: a second trace of the same rank in the same set is left out.
    let mut members: Vec<usize> = Vec::new();
    for &k in set {
        let rank = out.inputs.get(k).map(|i| i.rank);
        let dup = members.iter().any(|&m| out.inputs.get(m).map(|i| i.rank) == rank);
        let has_gpu = prepared.get(k).is_some_and(|p| p.device.is_some());
        if dup {
            let path = out.inputs.get(k).map(|i| i.path.clone()).unwrap_or_default();
            out.notes.push(Note::SecondTraceOfRank { path, rank: rank.unwrap_or_default() });
        } else if has_gpu {
            members.push(k);
        }
    }
    let preps: Vec<&RankReduction> = members.iter().filter_map(|&k| prepared.get(k).copied()).collect();
    let ranks: Vec<i64> = members.iter().filter_map(|&k| out.inputs.get(k).map(|i| i.rank)).collect();
    if preps.is_empty() {
        return;
    }
    let aligned = align::align(&preps);
    for (slot, &k) in members.iter().enumerate() {
        if let Some(input) = out.inputs.get_mut(k) {
            input.alignment = aligned.method;
            input.offset_ns = aligned.offsets.get(slot).copied().unwrap_or(0);
        }
    }
    out.notes.extend(aligned.note.clone());
    let matching = matching::match_collectives(&preps, &aligned.offsets, &ranks);
    out.notes.extend(matching.notes.iter().cloned());
    let mut stages_here: Vec<Stage> = preps.iter().flat_map(|p| p.stages.iter().map(|g| g.stage)).collect();
    crate::order::sort_by(&mut stages_here, Ord::cmp);
    stages_here.dedup();
    let several = stages_here.len() > 1;
    for stage in stages_here {
        let section = section(&preps, &members, &ranks, &matching, stage, out.min_share_pct);
        if stage == Stage::Other && several && small(&preps, stage) {
            out.notes.push(Note::OutsideStagesOnRanks {
                max_ns: section.figures.iter().map(|f| f.kernel_ns).max().unwrap_or(0),
                rank: section.figures.iter().max_by_key(|f| f.kernel_ns).map_or(0, |f| f.rank),
            });
            continue;
        }
        out.stages.push(section);
    }
}

/// Whether `stage` holds under 1% of every member's GPU time.
fn small(preps: &[&RankReduction], stage: Stage) -> bool {
    preps.iter().all(|p| {
        let all: i64 = p.stages.iter().map(|s| s.gpu_ns).sum();
        let this: i64 = p.stage(stage).map_or(0, |s| s.gpu_ns);
        share(this, all) < 1.0
    })
}

fn section(
    preps: &[&RankReduction],
    members: &[usize],
    ranks: &[i64],
    matching: &matching::Matching,
    stage: Stage,
    min_share_pct: f64,
) -> RanksStage {
    let mut here: Vec<(i64, &RankReduction)> = Vec::new();
    let mut figures = Vec::new();
    let mut source = None;
    for (slot, p) in preps.iter().enumerate() {
        let Some(group) = p.stage(stage) else { continue };
        source.get_or_insert(group.source);
        let rank = ranks.get(slot).copied().unwrap_or(0);
        let input = members.get(slot).copied().unwrap_or(0);
        let waits = matching.waits.get(slot).map_or(&[][..], Vec::as_slice);
        let mut f = figures::figures(p, stage, waits, rank, input);
        f.last_arrivals = matching
            .stages
            .range((stage, crate::vocab::Family::AllReduce)..=(stage, crate::vocab::Family::Other))
            .filter_map(|(_, fs)| fs.last_counts.get(slot))
            .sum();
        figures.push(f);
        here.push((rank, *p));
    }
    let collectives = matching
        .stages
        .range((stage, crate::vocab::Family::AllReduce)..=(stage, crate::vocab::Family::Other))
        .map(|(&(_, family), fs)| collective_row(preps, ranks, matching, stage, family, fs))
        .collect();
    RanksStage {
        stage,
        label: stage.label().to_owned(),
        source: source.unwrap_or(crate::vocab::StageSource::None),
        ranks: here.iter().map(|h| h.0).collect(),
        figures,
        collectives,
        kernels: spread::table(&here, stage, min_share_pct),
    }
}

fn collective_row(
    preps: &[&RankReduction],
    ranks: &[i64],
    matching: &matching::Matching,
    stage: Stage,
    family: crate::vocab::Family,
    fs: &matching::FamilyStage,
) -> CollectiveRow {
    let who: &[usize] = matching.members_of.get(&family).map_or(&[], Vec::as_slice);
    let rank_of = |m: usize| ranks.get(m).copied().unwrap_or(0);
    let mut names: BTreeMap<&str, i64> = BTreeMap::new();
    for p in preps {
        for c in p.comms.iter().filter(|c| c.family == family && c.stage == stage) {
            let canonical = p.name(c.canonical);
            *names.entry(canonical).or_insert(0) += c.end - c.start;
        }
    }
    let mut kernels: Vec<(&str, i64)> = names.into_iter().collect();
    crate::order::sort_by(&mut kernels, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let last_counts: Vec<u64> = who.iter().map(|&m| fs.last_counts.get(m).copied().unwrap_or(0)).collect();
    let matched = fs.skews.len() as u64;
    // The most last arrivals; `who` is in rank order, so the lowest rank wins ties.
    let best = last_counts.iter().enumerate().fold(None, |best: Option<(usize, u64)>, (i, &c)| match best {
        Some((_, b)) if b >= c => best,
        _ => Some((i, c)),
    });
    let (last_rank, last_count) = match best {
        Some((i, c)) if matched > 0 => (who.get(i).map(|&m| rank_of(m)), c),
        _ => (None, 0),
    };
    let mut skews = fs.skews.clone();
    CollectiveRow {
        family,
        kernels: kernels.into_iter().map(|(k, _)| k.to_owned()).collect(),
        ranks: who.iter().map(|&m| rank_of(m)).collect(),
        matched,
        unmatched: fs
            .unmatched
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(m, &count)| RankCount { rank: rank_of(m), count })
            .collect(),
        skew_median_ns: stats::median(&mut skews),
        skew_p90_ns: stats::percentile(&mut skews, 90),
        skew_max_ns: skews.last().copied().unwrap_or(0),
        skew_total_ns: skews.iter().sum(),
        end_spread_median_ns: stats::median(&mut fs.end_spreads.clone()),
        last_counts,
        last_rank,
        last_count,
        comm_ns: fs.comm_ns,
        wait_ns: fs.wait_ns,
        name_mismatches: fs.name_mismatches,
    }
}

/// When two sections share a stage (a per-stage file set and a whole-run set), each
/// heading names its first trace.
fn label_stages(out: &mut AllRanks) {
    let stages: Vec<Stage> = out.stages.iter().map(|s| s.stage).collect();
    for s in &mut out.stages {
        if stages.iter().filter(|&&x| x == s.stage).count() < 2 {
            continue;
        }
        let Some(first) = s.figures.first().and_then(|f| out.inputs.get(f.input)) else { continue };
        s.label = format!("{} ({})", s.stage.label(), file_name(&first.path));
    }
}
