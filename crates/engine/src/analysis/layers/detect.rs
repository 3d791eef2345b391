//! From a trace to passes and layers: choose the device and stream, the profile and the
//! method, split the stream into segments and find the layers of each (cached per
//! distinct kernel sequence: graph replays and steady passes repeat exactly).

use rustc_hash::FxHashMap;

use super::segments::{self, Segment};
use super::sequence::{self, Sequence};
use super::{Layer, Layers, Options, Pass, anchors, period};
use crate::analysis::split::primary_device;
use crate::catalog::categories::CategoryRules;
use crate::catalog::profiles::{AnchorAt, Profile, Profiles};
use crate::results::layers::Method;
use crate::results::notes::Note;
use trace::model::{GpuKind, Sym, Trace};

/// A pass found in one segment, in segment-local kernel indices.
#[derive(Clone, Debug)]
struct LocalPass {
    lo: usize,
    hi: usize,
    layers: Vec<Vec<(usize, usize)>>,
    period: Option<usize>,
}

/// How the layers of a segment are found.
struct Finder<'p> {
    method: Method,
    anchor: Option<String>,
    anchor_at: AnchorAt,
    bpl: usize,
    /// Layers per pass when known (config, else the profile's default), for anchor runs
    /// without step windows.
    per_pass: Option<usize>,
    profile: &'p Profile,
}

/// Kernels of the stream whose name contains `needle`, counted per distinct name.
fn count_containing(trace: &Trace, seq: &Sequence, needle: &str) -> usize {
    let mut per: FxHashMap<u32, usize> = FxHashMap::default();
    for &n in &seq.name {
        *per.entry(n).or_insert(0) += 1;
    }
    let mut names: Vec<(u32, usize)> = per.into_iter().collect();
    crate::order::sort_by(&mut names, Ord::cmp);
    names.iter().filter(|(n, _)| trace.str(Sym(*n)).contains(needle)).map(|(_, k)| k).sum()
}

/// The stream's kernel names (device × stream only), for profile selection before the
/// sequence (whose category keys depend on the profile) is built.
fn stream_names(trace: &Trace, device: i64, stream: i64) -> Sequence {
    let g = &trace.gpu;
    let mut seq = Sequence { device, stream, ..Sequence::default() };
    for i in 0..g.len() {
        if g.kind.get(i) == Some(&GpuKind::Kernel)
            && g.device.get(i) == Some(&device)
            && g.stream.get(i) == Some(&stream)
            && let Some(n) = g.name.get(i)
        {
            seq.name.push(n.0);
        }
    }
    seq
}

fn choose_profile<'a>(
    trace: &Trace,
    names: &Sequence,
    options: &Options,
    profiles: &'a Profiles,
    notes: &mut Vec<Note>,
) -> Option<(&'a Profile, &'static str)> {
    if let Some(name) = &options.profile {
        match profiles.get(name) {
            Some(p) => return Some((p, "--profile")),
            None => notes.push(Note::UnknownProfile {
                name: name.clone(),
                known: profiles.names().iter().map(|n| (*n).to_owned()).collect(),
            }),
        }
    }
    if let Some(cfg) = &options.config {
        let hit = profiles.list.iter().find(|p| {
            p.select.config_nonempty.iter().any(|k| cfg.nonempty(k))
                || p.select.config_positive.iter().any(|k| cfg.positive(k))
        });
        if let Some(p) = hit {
            return Some((p, "config.json"));
        }
    } else {
        let hit = profiles.list.iter().find(|p| {
            p.select.kernels.iter().any(|k| !k.is_empty() && count_containing(trace, names, k) >= 4)
        });
        if let Some(p) = hit {
            return Some((p, "trace"));
        }
    }
    profiles.fallback().map(|p| (p, "fallback"))
}

/// Runs the analysis (see [`super::analyse_with`]).
pub(super) fn run<'a>(
    trace: &'a Trace,
    options: &Options,
    profiles: &'a Profiles,
    rules: &CategoryRules,
) -> Layers<'a> {
    let mut notes: Vec<Note> = Vec::new();
    let loads = sequence::stream_loads(trace);
    let device = options.device.or_else(|| primary_device(trace).0);
    let stream = options.stream.or_else(|| loads.iter().find(|l| Some(l.device) == device).map(|l| l.stream));
    let names = match (device, stream) {
        (Some(d), Some(s)) => stream_names(trace, d, s),
        _ => Sequence::default(),
    };
    let fallback_profile = profiles.fallback().or_else(|| profiles.list.first());
    let chosen = choose_profile(trace, &names, options, profiles, &mut notes);
    let Some((profile, profile_source)) = chosen.or_else(|| fallback_profile.map(|p| (p, "fallback"))) else {
        // No profile at all: only possible with a hand-built list (parsing refuses one).
        return empty_builtin(trace, options, loads, notes);
    };
    let seq = match (device, stream) {
        (Some(d), Some(s)) => sequence::build(trace, d, s, profile, rules),
        _ => Sequence::default(),
    };
    if seq.is_empty() {
        notes.push(match (options.device, options.stream) {
            (Some(device), Some(stream)) => Note::NoKernelsOnStream { device, stream },
            (Some(device), None) => Note::NoKernelsOnDevice { device },
            (None, _) => Note::NoKernels,
        });
    }
    let config_layers = options.config.as_ref().and_then(|c| c.num_hidden_layers);
    let anchor = options.anchor.clone().filter(|a| !a.is_empty()).or_else(|| profile.anchor.clone());
    let mut finder = Finder {
        method: if anchor.is_some() { Method::Anchors } else { Method::Automatic },
        anchor_at: if options.anchor.is_some() && profile.anchor.is_none() {
            AnchorAt::Start
        } else {
            profile.anchor_at
        },
        anchor,
        bpl: profile.blocks_per_layer,
        per_pass: config_layers.or(profile.default_layers),
        profile,
    };
    if finder.method == Method::Automatic {
        finder.bpl = 1;
    }
    let (segs, outside) = segments::split(trace, &seq, options.path_stage);
    if outside > 0 {
        notes.push(Note::OutsideSteps { kernels: outside as u64, stream: seq.stream });
    }
    let mut passes = find(trace, &seq, &segs, &finder);
    if passes.is_empty() && finder.method == Method::Automatic && !seq.is_empty() {
        // The seed's automatic anchor: the first listed name in at least 4 kernels.
        let fallback = profile.auto_anchors.iter().find(|a| count_containing(trace, &seq, a) >= 4).cloned();
        if let Some(a) = fallback {
            notes.push(Note::AnchorFallback { anchor: a.clone() });
            finder.method = Method::Anchors;
            finder.anchor = Some(a);
            finder.anchor_at = AnchorAt::Start;
            finder.bpl = 1;
            passes = find(trace, &seq, &segs, &finder);
        }
    }
    if passes.is_empty() && !seq.is_empty() {
        notes.push(match (&finder.method, &finder.anchor) {
            (Method::Anchors, Some(a)) => Note::NoLayersAtAnchor {
                anchor: a.clone(),
                kernels: count_containing(trace, &seq, a) as u64,
                stream: seq.stream,
            },
            _ => Note::NoRepeatingSequence,
        });
    }
    let windowless = segs.iter().any(|s| !s.windowed);
    if windowless && !passes.is_empty() {
        notes.push(Note::NoStepAnnotations);
    }
    Layers {
        trace,
        options: options.clone(),
        profile,
        profile_source,
        method: finder.method,
        anchor: finder.anchor,
        anchor_at: finder.anchor_at,
        seq,
        loads,
        passes,
        notes,
    }
}

/// A result without passes, for a hand-built empty profile list.
#[allow(clippy::expect_used)]
fn empty_builtin<'a>(
    trace: &'a Trace,
    options: &Options,
    loads: Vec<sequence::StreamLoad>,
    mut notes: Vec<Note>,
) -> Layers<'a> {
    notes.push(Note::NoProfile);
    let profile = Profiles::builtin().fallback().expect("the embedded profiles have a fallback (tested)");
    Layers {
        trace,
        options: options.clone(),
        profile,
        profile_source: "fallback",
        method: Method::Automatic,
        anchor: None,
        anchor_at: AnchorAt::Start,
        seq: Sequence::default(),
        loads,
        passes: Vec::new(),
        notes,
    }
}

/// Passes of every segment, in time order.
fn find(trace: &Trace, seq: &Sequence, segs: &[Segment], finder: &Finder<'_>) -> Vec<Pass> {
    let mut cache: FxHashMap<(Vec<u32>, bool), Vec<LocalPass>> = FxHashMap::default();
    let mut anchor_names: FxHashMap<u32, bool> = FxHashMap::default();
    let mut out: Vec<Pass> = Vec::new();
    for seg in segs {
        let names: Vec<u32> = seg.positions.iter().filter_map(|&p| seq.name.get(p).copied()).collect();
        let key = (names, seg.windowed);
        let local = match cache.get(&key) {
            Some(v) => v.clone(),
            None => {
                let cats: Vec<u8> = seg.positions.iter().filter_map(|&p| seq.cat.get(p).copied()).collect();
                let found = match (&finder.method, &finder.anchor) {
                    (Method::Anchors, Some(a)) => {
                        let flags: Vec<bool> = key
                            .0
                            .iter()
                            .map(|&n| {
                                *anchor_names
                                    .entry(n)
                                    .or_insert_with(|| trace.str(Sym(n)).contains(a.as_str()))
                            })
                            .collect();
                        by_anchors(&flags, seg.windowed, finder)
                    }
                    _ => by_period(&key.0, &cats, seg.windowed),
                };
                cache.insert(key, found.clone());
                found
            }
        };
        for lp in local {
            let at = |k: usize| seg.positions.get(k).copied();
            let (Some(lo), Some(hi_last)) = (at(lp.lo), lp.hi.checked_sub(1).and_then(at)) else { continue };
            let layers: Vec<Layer> = lp
                .layers
                .iter()
                .filter_map(|blocks| {
                    let blocks: Vec<(usize, usize)> = blocks
                        .iter()
                        .filter_map(|&(s, e)| Some((at(s)?, at(e.checked_sub(1)?)? + 1)))
                        .collect();
                    Some(Layer { lo: blocks.first()?.0, hi: blocks.last()?.1, blocks })
                })
                .collect();
            if layers.is_empty() {
                continue;
            }
            out.push(Pass {
                step: seg.step.clone(),
                stage: seg.stage,
                batch: seg.batch,
                lo,
                hi: hi_last + 1,
                layers,
                period: lp.period,
            });
        }
    }
    crate::order::sort_by_key(&mut out, |p| (p.lo, p.hi));
    if finder.method == Method::Automatic {
        super::phase::align(seq, &mut out);
    }
    let _ = finder.profile;
    out
}

/// Automatic detection in one segment.
fn by_period(names: &[u32], cats: &[u8], windowed: bool) -> Vec<LocalPass> {
    let n = names.len();
    let chains = period::detect(names, cats, 0, n, windowed);
    // Adjacent chains (a few kernels apart) are one pass: dense then MoE layers, say.
    let mut groups: Vec<Vec<period::Chain>> = Vec::new();
    for c in chains {
        let joins = groups.last().and_then(|g| g.last()).is_some_and(|prev| {
            let gap = c
                .layers
                .first()
                .map_or(usize::MAX, |l| l.0)
                .saturating_sub(prev.layers.last().map_or(0, |l| l.1));
            gap <= (prev.period.min(c.period) / 2).max(2)
        });
        match groups.last_mut() {
            Some(g) if joins => g.push(c),
            _ => groups.push(vec![c]),
        }
    }
    // A short run beside a long one is a coincidence (a repeated pair of bookkeeping
    // kernels), not a pass: keep runs of at least a quarter of the longest's layers.
    let layers_of = |g: &Vec<period::Chain>| g.iter().map(|c| c.layers.len()).sum::<usize>();
    let longest = groups.iter().map(layers_of).max().unwrap_or(0);
    groups.retain(|g| layers_of(g) * 4 >= longest);
    let count = groups.len();
    let mut out = Vec::with_capacity(count);
    for (k, g) in groups.into_iter().enumerate() {
        let mut layers: Vec<(usize, usize)> = Vec::new();
        for c in &g {
            for &(s, e) in &c.layers {
                // Kernels between two chains join the last layer before them.
                if let Some(last) = layers.last_mut()
                    && last.1 < s
                {
                    last.1 = s;
                }
                layers.push((s, e));
            }
        }
        let (Some(first), Some(last)) = (layers.first().copied(), layers.last().copied()) else { continue };
        let lo = if windowed && k == 0 { 0 } else { first.0 };
        let hi = if windowed && k + 1 == count { n } else { last.1 };
        let period = g.first().map(|c| c.period);
        out.push(LocalPass { lo, hi, layers: layers.into_iter().map(|l| vec![l]).collect(), period });
    }
    out
}

/// Anchor blocks in one segment.
fn by_anchors(flags: &[bool], windowed: bool, finder: &Finder<'_>) -> Vec<LocalPass> {
    let n = flags.len();
    let positions: Vec<usize> = flags.iter().enumerate().filter(|(_, f)| **f).map(|(i, _)| i).collect();
    let blocks = anchors::blocks(&positions, n, finder.anchor_at, finder.bpl);
    let runs: Vec<Vec<(usize, usize)>> = if windowed {
        if blocks.is_empty() { Vec::new() } else { vec![blocks] }
    } else {
        let mut runs = Vec::new();
        for run in anchors::runs(&blocks, finder.anchor_at) {
            // Without step windows, long runs are cut into passes of the known layer count.
            match finder.per_pass.map(|l| l * finder.bpl.max(1)).filter(|&b| b > 0 && run.len() > b) {
                Some(b) => runs.extend(run.chunks(b).map(<[(usize, usize)]>::to_vec)),
                None => runs.push(run),
            }
        }
        runs
    };
    let count = runs.len();
    let mut out = Vec::new();
    for (k, run) in runs.into_iter().enumerate() {
        let (layers, _left) = anchors::layers(&run, finder.bpl);
        let (Some(first), Some(last)) =
            (layers.first().and_then(|l| l.first()), layers.last().and_then(|l| l.last()))
        else {
            continue;
        };
        let lo = if windowed && k == 0 { 0 } else { first.0 };
        let hi = if windowed && k + 1 == count { n } else { last.1 };
        out.push(LocalPass { lo, hi, layers, period: None });
    }
    out
}
