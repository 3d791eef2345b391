//! Pass kinds, cold-start / steady-state notes and the steady-state pick, from the data.
//!
//! Passes of one *kind* share the stage, the batch size, the layer count and the kernel
//! names of their middle layer (a batch change changes GEMM tile kernels; a cold pass's
//! one-off kernels in its first layer do not make it another kind). Per kind with at least three
//! passes, the steady level is the (lower) median pass duration and the band is ±5 %,
//! widened to three robust standard deviations (3 × 1.4826 × the median absolute
//! deviation) when the passes scatter more, at most ±25 %: no fixed threshold such as the
//! seed's 8 ms. The first pass of a stage that is above the
//! band is a cold start.

use super::{Layers, Pass};
use crate::results::layers::PassNote;
use crate::vocab::Stage;

/// The kind number of every pass (first-seen order).
#[must_use]
pub(super) fn kinds(layers: &Layers<'_>) -> Vec<usize> {
    let mut keys: Vec<(Stage, Option<u32>, usize, Vec<u32>)> = Vec::new();
    let mut out = Vec::with_capacity(layers.passes.len());
    for p in &layers.passes {
        let key = (p.stage, p.batch, p.layers.len(), middle_names(layers, p));
        let k = match keys.iter().position(|x| *x == key) {
            Some(k) => k,
            None => {
                keys.push(key);
                keys.len() - 1
            }
        };
        out.push(k);
    }
    out
}

/// The kernel names of a pass's middle layer, in order.
fn middle_names(layers: &Layers<'_>, p: &Pass) -> Vec<u32> {
    p.layers
        .get(p.layers.len() / 2)
        .map_or_else(Vec::new, |l| layers.seq.name.get(l.lo..l.hi).unwrap_or(&[]).to_vec())
}

/// Duration of a pass (first kernel start to latest end), ns.
#[must_use]
pub(super) fn duration(layers: &Layers<'_>, p: &Pass) -> i64 {
    let s = &layers.seq;
    let start = s.start.get(p.lo).copied().unwrap_or(0);
    let end = (p.lo..p.hi).map(|i| s.end(i)).max().unwrap_or(start);
    end - start
}

fn median(sorted: &[i64]) -> i64 {
    sorted.get(sorted.len().saturating_sub(1) / 2).copied().unwrap_or(0)
}

/// The steady level and relative band of a kind's durations.
fn band(durations: &[i64]) -> (i64, f64) {
    let mut d = durations.to_vec();
    d.sort_unstable();
    let level = median(&d);
    let mut dev: Vec<i64> = d.iter().map(|x| (x - level).abs()).collect();
    dev.sort_unstable();
    let mad = median(&dev);
    // 1.4826 × MAD estimates the standard deviation of normally scattered durations.
    let tol = if level > 0 { (3.0 * 1.4826 * mad as f64 / level as f64).clamp(0.05, 0.25) } else { 0.05 };
    (level, tol)
}

/// Notes of every pass.
#[must_use]
pub(super) fn notes(layers: &Layers<'_>, kinds: &[usize], expected: Option<usize>) -> Vec<Vec<PassNote>> {
    let passes = &layers.passes;
    let durations: Vec<i64> = passes.iter().map(|p| duration(layers, p)).collect();
    let mut out: Vec<Vec<PassNote>> = vec![Vec::new(); passes.len()];
    let kind_count = kinds.iter().max().map_or(0, |k| k + 1);
    for k in 0..kind_count {
        let members: Vec<usize> = (0..passes.len()).filter(|&i| kinds.get(i) == Some(&k)).collect();
        let ds: Vec<i64> = members.iter().filter_map(|&i| durations.get(i).copied()).collect();
        let (level, tol) = band(&ds);
        let mut prev: Option<i64> = None;
        for (j, &i) in members.iter().enumerate() {
            let (Some(&d), Some(p)) = (durations.get(i), passes.get(i)) else { continue };
            let first_of_stage = !passes.iter().take(i).any(|q| q.stage == p.stage);
            let Some(notes) = out.get_mut(i) else { continue };
            if members.len() >= 3 && level > 0 {
                let r = d as f64 / level as f64;
                if j == 0 && first_of_stage && r > 1.0 + tol {
                    notes.push(PassNote::ColdStart { ratio: r });
                } else if (r - 1.0).abs() <= tol {
                    notes.push(PassNote::SteadyState);
                } else if r > 1.0 {
                    notes.push(PassNote::Slower { ratio: r });
                } else {
                    notes.push(PassNote::Faster { ratio: r });
                }
            }
            if let Some(pd) = prev
                && pd > 0
                && d as f64 / pd as f64 >= 1.5
            {
                notes.push(PassNote::Growing { ratio: d as f64 / pd as f64 });
            }
            prev = Some(d);
        }
    }
    // Changes against the previous pass of the same stage.
    for i in 0..passes.len() {
        let (Some(p), Some(&k)) = (passes.get(i), kinds.get(i)) else { continue };
        let before = (0..i).rev().find(|&j| passes.get(j).is_some_and(|q| q.stage == p.stage));
        if let Some(j) = before
            && let (Some(q), Some(&kq)) = (passes.get(j), kinds.get(j))
            && kq != k
        {
            let mut what: Vec<String> = Vec::new();
            if q.batch != p.batch {
                let b = |x: Option<u32>| x.map_or_else(|| "?".to_owned(), |v| v.to_string());
                what.push(format!("batch {} → {}", b(q.batch), b(p.batch)));
            }
            if q.layers.len() != p.layers.len() {
                what.push(format!("layers {} → {}", q.layers.len(), p.layers.len()));
            }
            if what.is_empty() {
                what.push("kernel set".to_owned());
            }
            if let Some(n) = out.get_mut(i) {
                n.push(PassNote::Changed { what: what.join(", ") });
            }
        }
        if let Some(e) = expected
            && p.layers.len() != e
            && let Some(n) = out.get_mut(i)
        {
            n.push(PassNote::LayerCount { found: p.layers.len(), expected: e });
        }
    }
    out
}

/// The pass to show by default: in the kind with the most passes (decode kinds first,
/// then earlier kinds), the first steady-state pass, else the one of median duration.
#[must_use]
pub(super) fn pick(layers: &Layers<'_>) -> Option<usize> {
    if layers.passes.is_empty() {
        return None;
    }
    let kinds = kinds(layers);
    let notes = notes(layers, &kinds, None);
    let kind_count = kinds.iter().max().map_or(0, |k| k + 1);
    let best = (0..kind_count).max_by_key(|&k| {
        let members = kinds.iter().filter(|&&x| x == k).count();
        let decode = kinds
            .iter()
            .position(|&x| x == k)
            .and_then(|i| layers.passes.get(i))
            .is_some_and(|p| p.stage == Stage::Decode);
        (decode, members, std::cmp::Reverse(k))
    })?;
    let members: Vec<usize> = (0..kinds.len()).filter(|&i| kinds.get(i) == Some(&best)).collect();
    if let Some(&i) =
        members.iter().find(|&&i| notes.get(i).is_some_and(|n| n.contains(&PassNote::SteadyState)))
    {
        return Some(i);
    }
    let mut by_dur: Vec<(i64, usize)> =
        members.iter().filter_map(|&i| Some((duration(layers, layers.passes.get(i)?), i))).collect();
    by_dur.sort_unstable();
    by_dur.get(by_dur.len().saturating_sub(1) / 2).map(|&(_, i)| i)
}
