//! Automatic layer detection: the repeating kernel-name sequence of one layer.
//!
//! A forward pass runs the same kernels for every layer, so its kernel-name sequence is
//! periodic over the layers: `names[i] == names[i + p]` for a period `p` (kernels per
//! layer) through a long stretch (a *region*). The search tries every period and keeps the
//! longest region (the smallest period on ties, and a divisor when it explains nearly as
//! much: a multiple of the true period never explains more), tolerating isolated
//! mismatches (a kernel one layer does differently). Other regions with the same period are
//! found by one more scan; what is left over is searched again (a prefill pass and a decode
//! pass have different layers).
//!
//! Boundaries (see [`chain_layers`]): the region starts one period before the first
//! mismatch, so it may begin a few kernels into layer 0 (whose first kernel often differs:
//! a plain RMSNorm where later layers have a fused add-RMSNorm). The start is moved back
//! over kernels of the same category as the kernel one period later; then the region is
//! cut into whole periods. A remainder of at least half a period means kernels are missing
//! at the start (layer 0 differs), so all boundaries move back to end-align; a smaller one
//! is extra kernels after the last layer (a final norm identical to the in-layer norm),
//! left to the epilogue. Regions of the same period and motif separated by a few kernels (an
//! extra kernel in one layer) form one chain with consistent phase.
//!
//! Cost: O(n · P) name comparisons per distinct segment (P ≤ [`MAX_PERIOD`]).

/// The longest layer considered, kernels.
pub(crate) const MAX_PERIOD: usize = 1024;
/// The shortest layer considered, kernels.
pub(crate) const MIN_PERIOD: usize = 2;
/// The fewest kernels a region needs (besides two whole periods).
const MIN_REGION: usize = 6;

/// A periodic stretch `[start, end)` of a sequence with period `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Region {
    /// Kernels per layer.
    pub period: usize,
    /// First index.
    pub start: usize,
    /// One past the last index.
    pub end: usize,
}

impl Region {
    /// Length in kernels.
    #[must_use]
    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Layers found in one stretch: half-open index ranges, in order, all of one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Chain {
    /// Kernels per layer (most layers have exactly this many).
    pub period: usize,
    /// Layer ranges.
    pub layers: Vec<(usize, usize)>,
}

/// Every tolerant run of `names[i] == names[i + p]` in `[lo, hi)`, as regions.
///
/// Up to `max(1, p/8)` consecutive mismatches are bridged; the first and last stretch of
/// matches must be at least `max(2, p/4)` long (coincidental matches at the ends do not
/// extend a region).
fn scan(names: &[u32], lo: usize, hi: usize, p: usize, mut emit: impl FnMut(Region)) {
    if p == 0 || hi <= lo + p {
        return;
    }
    let gap = (p / 8).max(1);
    let min_seg = (p / 4).max(2);
    let min_len = (2 * p).max(MIN_REGION);
    let (Some(a), Some(b)) = (names.get(lo..hi - p), names.get(lo + p..hi)) else { return };
    let mut seg: Option<usize> = None;
    let mut run: Option<(usize, usize)> = None;
    let finish = |run: (usize, usize), emit: &mut dyn FnMut(Region)| {
        let region = Region { period: p, start: run.0, end: run.1 + p };
        if region.len() >= min_len {
            emit(region);
        }
    };
    for (k, (x, y)) in a.iter().zip(b).enumerate() {
        let i = lo + k;
        if x == y {
            let s = *seg.get_or_insert(i);
            if i + 1 - s >= min_seg {
                match &mut run {
                    Some(r) => r.1 = i + 1,
                    None => run = Some((s, i + 1)),
                }
            }
        } else {
            seg = None;
            if let Some(r) = run
                && i + 1 - r.1 > gap
            {
                finish(r, &mut emit);
                run = None;
            }
        }
    }
    if let Some(r) = run {
        finish(r, &mut emit);
    }
}

/// The longest region of period `p` in `[lo, hi)`.
fn longest(names: &[u32], lo: usize, hi: usize, p: usize) -> Option<Region> {
    let mut best: Option<Region> = None;
    scan(names, lo, hi, p, |r| {
        if best.is_none_or(|b| r.len() > b.len()) {
            best = Some(r);
        }
    });
    best
}

/// The best period of `[lo, hi)` and its longest region.
#[must_use]
pub(crate) fn best_region(names: &[u32], lo: usize, hi: usize) -> Option<Region> {
    let n = hi.saturating_sub(lo);
    let max_p = (n / 2).min(MAX_PERIOD);
    let mut best: Option<Region> = None;
    for p in MIN_PERIOD..=max_p {
        if let Some(r) = longest(names, lo, hi, p)
            && best.is_none_or(|b| r.len() > b.len())
        {
            best = Some(r);
        }
    }
    let mut best = best?;
    // A divisor that explains nearly as much is the real period (two identical halves).
    for d in MIN_PERIOD..best.period {
        if best.period.is_multiple_of(d)
            && let Some(r) = longest(names, lo, hi, d)
            && r.len() * 10 >= best.len() * 9
        {
            best = r;
            break;
        }
    }
    // Whole passes repeat too (without step windows): when one period holds a repeating
    // run over at least half of it, that finer unit is the layer.
    if best.period >= 2 * MIN_REGION
        && let Some(inner) = best_region(names, best.start, best.start + best.period)
        && inner.len() * 2 >= best.period
        && let Some(r) = longest(names, lo, hi, inner.period)
    {
        return Some(r);
    }
    Some(best)
}

/// All regions of `[lo, hi)`: the best period's regions, then the leftovers searched
/// again (up to `depth` levels), sorted by start.
#[must_use]
pub(crate) fn regions(names: &[u32], lo: usize, hi: usize, depth: usize) -> Vec<Region> {
    let mut out = Vec::new();
    collect(names, lo, hi, depth, &mut out);
    crate::order::sort_by_key(&mut out, |r| (r.start, r.end));
    out
}

fn collect(names: &[u32], lo: usize, hi: usize, depth: usize, out: &mut Vec<Region>) {
    if hi.saturating_sub(lo) < MIN_REGION {
        return;
    }
    let Some(best) = best_region(names, lo, hi) else { return };
    let mut found: Vec<Region> = Vec::new();
    scan(names, lo, hi, best.period, |r| found.push(r));
    let mut cursor = lo;
    for r in &found {
        if depth > 0 && r.start > cursor {
            collect(names, cursor, r.start, depth - 1, out);
        }
        cursor = cursor.max(r.end);
    }
    if depth > 0 && hi > cursor {
        collect(names, cursor, hi, depth - 1, out);
    }
    out.extend(found);
}

/// How well `names[at..]` matches `motif` rotated by each phase: the best phase and the
/// number of matching kernels over one period.
fn phase(names: &[u32], at: usize, motif: &[u32]) -> (usize, usize) {
    let p = motif.len();
    let window = names.get(at..).unwrap_or(&[]);
    let mut best = (0, 0);
    for r in 0..p {
        let hits =
            window.iter().take(p).enumerate().filter(|&(t, x)| motif.get((r + t) % p) == Some(x)).count();
        if hits > best.1 {
            best = (r, hits);
        }
    }
    best
}

/// Groups regions (sorted by start) into chains: one period, a motif that matches, and
/// gaps of any length inside a step window (`windowed`), else of at most `max(1, p/8)`
/// kernels (more would join two passes).
#[must_use]
pub(crate) fn group(names: &[u32], regions: &[Region], windowed: bool) -> Vec<Vec<Region>> {
    let mut out: Vec<Vec<Region>> = Vec::new();
    for r in regions {
        let joins = out.last().is_some_and(|chain| {
            let (Some(first), Some(last)) = (chain.first(), chain.last()) else { return false };
            let max_gap = if windowed { usize::MAX } else { (r.period / 8).max(1) };
            if first.period != r.period || r.start < last.end || r.start - last.end > max_gap {
                return false;
            }
            let motif = names.get(first.start..first.start + first.period).unwrap_or(&[]);
            let (_, hits) = phase(names, r.start, motif);
            hits * 5 >= r.period.min(r.len()) * 4
        });
        match out.last_mut() {
            Some(chain) if joins => chain.push(*r),
            _ => out.push(vec![*r]),
        }
    }
    out
}

/// Layer boundaries of one chain of regions; `floor` is the first index the chain may use
/// (the end of the previous chain), `ceil` one past the last.
#[must_use]
pub(crate) fn chain_layers(
    names: &[u32],
    cats: &[u8],
    chain: &[Region],
    floor: usize,
    ceil: usize,
) -> Vec<(usize, usize)> {
    let Some(first) = chain.first() else { return Vec::new() };
    let p = first.period;
    // Move the start back over kernels of the same category one period later.
    let mut start = first.start;
    let mut moved = 0;
    while moved + 1 < p && start > floor {
        match (cats.get(start - 1), cats.get(start - 1 + p)) {
            (Some(a), Some(b)) if a == b => {
                start -= 1;
                moved += 1;
            }
            _ => break,
        }
    }
    let mut bounds: Vec<usize> = (start..first.end).step_by(p).collect();
    let mut end = first.end;
    if chain.len() > 1 {
        // The reference motif: a whole period from the middle of the first region.
        let whole = (first.end - start) / p;
        let mid = start + (whole / 2) * p;
        let motif = names.get(mid..mid + p).unwrap_or(&[]);
        for r in chain.iter().skip(1) {
            let (ph, _) = phase(names, r.start, motif);
            // `ph` is the motif position of `names[r.start]`: the next boundary is where
            // the motif starts again.
            let first_bound = r.start + (p - ph) % p;
            bounds.extend((first_bound..r.end).step_by(p));
            end = r.end;
        }
    }
    let Some(&last) = bounds.last() else { return Vec::new() };
    let tail = end - last;
    let mut layers: Vec<(usize, usize)> =
        bounds.windows(2).filter_map(|w| Some((*w.first()?, *w.get(1)?))).collect();
    if tail >= p {
        layers.push((last, end));
    } else if 2 * tail >= p {
        // Kernels missing at the start: layer 0 differs from the others there.
        let shift = p - tail;
        let first_bound = bounds.first().copied().unwrap_or(last);
        if first_bound >= floor + shift {
            for l in &mut layers {
                l.0 -= shift;
                l.1 -= shift;
            }
            layers.push((last - shift, end));
        } else {
            layers.push((last, (last + p).min(ceil)));
        }
    }
    layers
}

/// Moves layer starts onto a kernel that runs once per layer (an automatic anchor), so a
/// layer holding an extra kernel (a cold first pass) keeps its own start, and adds layers
/// whose anchor sits one period before the first or after the last layer.
///
/// The anchor is a name of the motif (a whole period from a middle layer) that occurs once
/// in the motif and as many times in `[floor, ceil)` as there are layers (else the nearest
/// count, more rather than fewer), nearest the layer start on ties: a first kernel that
/// layer 0 runs differently is passed over.
#[must_use]
pub(crate) fn refine(
    names: &[u32],
    layers: &[(usize, usize)],
    p: usize,
    floor: usize,
    ceil: usize,
) -> Vec<(usize, usize)> {
    let Some(&(mid, _)) = layers.get(layers.len() / 2) else { return layers.to_vec() };
    let Some(motif) = names.get(mid..mid + p) else { return layers.to_vec() };
    let span = names.get(floor..ceil).unwrap_or(&[]);
    let want = layers.len();
    let mut best: Option<((usize, bool, usize), u32)> = None; // ((|count − L|, fewer, offset), name)
    for (off, &n) in motif.iter().enumerate() {
        if motif.iter().filter(|&&m| m == n).count() != 1 {
            continue;
        }
        let count = span.iter().filter(|&&m| m == n).count();
        let key = (count.abs_diff(want), count < want, off);
        if best.is_none_or(|(k, _)| key < k) {
            best = Some((key, n));
        }
    }
    let Some(((_, _, off), anchor)) = best else { return layers.to_vec() };
    let occ: Vec<usize> = span
        .iter()
        .enumerate()
        .filter(|&(_, &m)| m == anchor)
        .map(|(i, _)| floor + i)
        .filter(|&i| i >= floor + off)
        .collect();
    let near = |want: usize| -> Option<usize> {
        let k = occ.partition_point(|&o| o < want);
        [k.checked_sub(1), Some(k)]
            .into_iter()
            .flatten()
            .filter_map(|k| occ.get(k).copied())
            .filter(|&o| o.abs_diff(want) <= p / 2)
            .min_by_key(|&o| (o.abs_diff(want), o))
    };
    // Starts moved onto the anchor.
    let mut starts: Vec<usize> = Vec::with_capacity(layers.len() + 2);
    for &(s, _) in layers {
        let moved = near(s + off).map_or(s, |o| o - off);
        if starts.last().is_none_or(|&prev| moved > prev) {
            starts.push(moved);
        }
    }
    let Some(&last_old) = layers.last() else { return layers.to_vec() };
    let Some(&last_start) = starts.last() else { return layers.to_vec() };
    let mut end = (last_old.1 + last_start).saturating_sub(last_old.0).min(ceil).max(last_start + 1);
    // One more layer before the first, or after the last, when its anchor is there.
    let matches = |at: usize| {
        names.get(at..at + p).is_some_and(|w| w.iter().zip(motif).filter(|(a, b)| a == b).count() * 2 >= p)
    };
    while let Some(&first) = starts.first() {
        let prev = occ.iter().rev().find(|&&o| o < first + off).copied();
        match prev {
            Some(o) if (first + off - o) >= p.div_ceil(2) && first + off - o <= 2 * p && o - off >= floor => {
                starts.insert(0, o - off)
            }
            _ => break,
        }
    }
    while let Some(&last) = starts.last() {
        let next = occ.iter().find(|&&o| o > last + off).copied();
        match next {
            Some(o)
                if (o - last - off) >= p.div_ceil(2)
                    && o - last - off <= 2 * p
                    && matches(o - off)
                    && o - off >= end =>
            {
                let s = o - off;
                starts.push(s);
                end = (s + p).min(ceil);
            }
            _ => break,
        }
    }
    let mut out: Vec<(usize, usize)> =
        starts.windows(2).filter_map(|w| Some((*w.first()?, *w.get(1)?))).collect();
    if let Some(&s) = starts.last() {
        out.push((s, end.max(s + 1)));
    }
    out
}

/// Every chain of layers in `[lo, hi)`: regions, grouped (see [`group`]), with
/// boundaries ([`chain_layers`], then [`refine`]); chains of fewer than two layers are
/// dropped.
#[must_use]
pub(crate) fn detect(names: &[u32], cats: &[u8], lo: usize, hi: usize, windowed: bool) -> Vec<Chain> {
    let found = regions(names, lo, hi, 6);
    let mut out: Vec<Chain> = Vec::new();
    let mut floor = lo;
    for chain in group(names, &found, windowed) {
        let Some(p) = chain.first().map(|r| r.period) else { continue };
        if chain.first().is_some_and(|r| r.start < floor) {
            continue;
        }
        let layers = chain_layers(names, cats, &chain, floor, hi);
        let next =
            found.iter().map(|r| r.start).find(|&s| s >= layers.last().map_or(hi, |l| l.1)).unwrap_or(hi);
        let layers = refine(names, &layers, p, floor, next.max(layers.last().map_or(hi, |l| l.1)).min(hi));
        if layers.len() >= 2 {
            floor = layers.last().map_or(floor, |l| l.1);
            out.push(Chain { period: p, layers });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sequence from letters: each char is a kernel name; categories from a map.
    fn seq(text: &str) -> Vec<u32> {
        text.bytes().map(u32::from).collect()
    }

    fn cats_of(names: &[u32], cat: impl Fn(u8) -> u8) -> Vec<u8> {
        names.iter().map(|&n| cat(u8::try_from(n).unwrap_or(0))).collect()
    }

    #[test]
    fn clean_layers_are_found_exactly() {
        // prologue "xy", 5 layers of "abcd", epilogue "zw".
        let text = format!("xy{}zw", "abcd".repeat(5));
        let names = seq(&text);
        let cats = cats_of(&names, |c| c);
        let chains = detect(&names, &cats, 0, names.len(), false);
        assert_eq!(chains.len(), 1);
        assert_eq!(chains[0].period, 4);
        assert_eq!(chains[0].layers, (0..5).map(|k| (2 + 4 * k, 6 + 4 * k)).collect::<Vec<_>>());
    }

    #[test]
    fn a_different_first_kernel_end_aligns() {
        // Layer 0 starts with `r` (plain norm); later layers with `F` (fused norm+all-reduce,
        // a different category); the last layer is followed by a different all-reduce `o`.
        let text = format!("xyr{}{}o", "bcde", "Fbcde".repeat(3));
        let names = seq(&text);
        let cats = cats_of(&names, |c| match c {
            b'r' => 1,
            b'F' | b'o' => 2,
            _ => c,
        });
        let chains = detect(&names, &cats, 0, names.len(), false);
        assert_eq!(chains.len(), 1);
        assert_eq!(chains[0].period, 5);
        assert_eq!(chains[0].layers, vec![(2, 7), (7, 12), (12, 17), (17, 22)]);
    }

    #[test]
    fn a_same_category_first_kernel_starts_the_first_layer() {
        // Layer 0 starts with `r`, later ones with `n` (both norms); the final norm after the
        // last layer is `n` too, and must stay outside.
        let text = format!("xyr{}{}nqz", "bcde", "nbcde".repeat(3));
        let names = seq(&text);
        let cats = cats_of(&names, |c| if c == b'r' || c == b'n' { 1 } else { c });
        let chains = detect(&names, &cats, 0, names.len(), false);
        assert_eq!(chains[0].layers, vec![(2, 7), (7, 12), (12, 17), (17, 22)]);
    }

    #[test]
    fn an_extra_kernel_in_one_layer_keeps_the_phase() {
        // 6 layers of "abcdef"; layer 2 has an extra `X` after `c`.
        let mut text = String::from("pq");
        for k in 0..6 {
            text.push_str(if k == 2 { "abcXdef" } else { "abcdef" });
        }
        text.push_str("zz");
        let names = seq(&text);
        let cats = cats_of(&names, |c| c);
        let chains = detect(&names, &cats, 0, names.len(), false);
        assert_eq!(chains.len(), 1, "{chains:?}");
        let starts: Vec<usize> = chains[0].layers.iter().map(|l| l.0).collect();
        assert_eq!(starts, vec![2, 8, 14, 21, 27, 33]);
        assert_eq!(chains[0].layers.last().map(|l| l.1), Some(39));
    }

    #[test]
    fn an_extra_kernel_in_layer_zero_stays_in_layer_zero() {
        // A cold first layer: `r` instead of `n` first (same category) and a one-off `X`.
        let text = format!("pqrbcXdef{}zz", "nbcdef".repeat(4));
        let names = seq(&text);
        let cats = cats_of(&names, |c| if c == b'r' || c == b'n' { 1 } else { c });
        let chains = detect(&names, &cats, 0, names.len(), false);
        assert_eq!(chains.len(), 1, "{chains:?}");
        assert_eq!(chains[0].layers, vec![(2, 9), (9, 15), (15, 21), (21, 27), (27, 33)]);
        // `X` in a middle layer: that layer is one kernel longer.
        let text = format!("pq{}nbcXdef{}zz", "nbcdef".repeat(2), "nbcdef".repeat(2));
        let names = seq(&text);
        let cats = cats_of(&names, |c| c);
        let chains = detect(&names, &cats, 0, names.len(), false);
        assert_eq!(chains[0].layers, vec![(2, 8), (8, 14), (14, 21), (21, 27), (27, 33)]);
    }

    #[test]
    fn a_substituted_kernel_is_tolerated() {
        // 8 layers of 8 kernels; layer 4 runs `Q` instead of `e`.
        let mut text = String::from("pq");
        for k in 0..8 {
            text.push_str(if k == 4 { "abcdQfgh" } else { "abcdefgh" });
        }
        text.push_str("zy");
        let names = seq(&text);
        let cats = cats_of(&names, |c| c);
        let chains = detect(&names, &cats, 0, names.len(), false);
        assert_eq!(chains.len(), 1);
        assert_eq!(chains[0].layers.len(), 8);
        assert_eq!(chains[0].layers.first(), Some(&(2, 10)));
    }

    #[test]
    fn two_passes_of_different_layers() {
        // A prefill pass (period 3) then a decode pass (period 4), separated.
        let text = format!("s{}tuvw{}z", "abc".repeat(6), "defg".repeat(5));
        let names = seq(&text);
        let cats = cats_of(&names, |c| c);
        let chains = detect(&names, &cats, 0, names.len(), false);
        assert_eq!(chains.len(), 2, "{chains:?}");
        assert_eq!((chains[0].period, chains[0].layers.len()), (3, 6));
        assert_eq!((chains[1].period, chains[1].layers.len()), (4, 5));
        assert_eq!(chains[1].layers.first(), Some(&(23, 27)));
    }

    #[test]
    fn repeated_passes_do_not_hide_layers() {
        // Three passes of 5 layers "abcd" with different bookkeeping between them: the
        // pass period (27) repeats too, but the layer is the finer unit.
        let text = format!("xy{}zqP1xy{}zqP2xy{}zqP3", "abcd".repeat(5), "abcd".repeat(5), "abcd".repeat(5));
        let names = seq(&text);
        let cats = cats_of(&names, |c| c);
        let chains = detect(&names, &cats, 0, names.len(), false);
        assert_eq!(chains.iter().map(|c| (c.period, c.layers.len())).collect::<Vec<_>>(), vec![(4, 5); 3]);
    }

    #[test]
    fn internal_repetition_does_not_halve_layers() {
        // Each layer holds "ab" twice, then "c d": the layer period (6) wins over 2.
        let text = format!("x{}y", "ababcd".repeat(6));
        let names = seq(&text);
        let r = best_region(&names, 0, names.len()).expect("a region");
        assert_eq!(r.period, 6);
    }

    #[test]
    fn no_repetition_no_layers() {
        let names = seq("abcdefghijklmnop");
        let cats = cats_of(&names, |c| c);
        assert!(detect(&names, &cats, 0, names.len(), false).is_empty());
        assert!(detect(&[], &[], 0, 0, false).is_empty());
    }
}
