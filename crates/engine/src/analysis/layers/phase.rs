//! One layer boundary for every pass of a kind (automatic detection).
//!
//! The period search finds each pass's layers on its own, and where a layer starts within
//! the repeating motif depends on where the periodic region happened to begin: a cold first
//! pass with an extra kernel in layer 0 (a workspace init) can start every layer one kernel
//! later than the steady passes do. Passes whose middle layer runs the same motif (up to a
//! rotation) are put on the phase most of them use; a pass that moves has its layer 0 keep
//! its own kernels and take back, from the prologue, a kernel of the same category as the
//! other layers' first kernel (a plain RMSNorm where later layers run a fused one).
//!
//! Cost: O(passes · period²) for the rotations (periods are short).

use super::sequence::Sequence;
use super::{Layer, Pass};

/// The lexicographically smallest rotation of `motif` and its offset.
fn canonical(motif: &[u32]) -> (Vec<u32>, usize) {
    let p = motif.len();
    let rotated = |r: usize| motif.iter().cycle().skip(r).take(p).copied().collect::<Vec<u32>>();
    let mut best = (rotated(0), 0);
    for r in 1..p {
        let v = rotated(r);
        if v < best.0 {
            best = (v, r);
        }
    }
    best
}

/// The motif of a pass (its middle layer's kernel names, when that layer is one block of
/// `period` kernels) in canonical rotation, and the rotation.
fn motif(seq: &Sequence, pass: &Pass) -> Option<(Vec<u32>, usize)> {
    let p = pass.period?;
    let mid = pass.layers.get(pass.layers.len() / 2)?;
    if mid.hi.checked_sub(mid.lo)? != p || mid.blocks.len() != 1 || p < 2 {
        return None;
    }
    Some(canonical(seq.name.get(mid.lo..mid.hi)?))
}

/// Aligns the layer boundaries of passes that share a motif on its most common phase.
pub(super) fn align(seq: &Sequence, passes: &mut [Pass]) {
    let motifs: Vec<Option<(Vec<u32>, usize)>> = passes.iter().map(|p| motif(seq, p)).collect();
    // Votes per (motif, phase), in first-seen order.
    let mut votes: Vec<(&Vec<u32>, usize, usize)> = Vec::new();
    for (m, phase) in motifs.iter().flatten() {
        match votes.iter_mut().find(|(vm, vp, _)| *vm == m && vp == phase) {
            Some(v) => v.2 += 1,
            None => votes.push((m, *phase, 1)),
        }
    }
    let reference = |m: &Vec<u32>| {
        votes
            .iter()
            .filter(|(vm, _, _)| *vm == m)
            .max_by(|a, b| a.2.cmp(&b.2).then(b.1.cmp(&a.1)))
            .map(|v| v.1)
    };
    for (pass, found) in passes.iter_mut().zip(&motifs) {
        let Some((m, phase)) = found else { continue };
        let (Some(want), Some(p)) = (reference(m), pass.period) else { continue };
        if want == *phase {
            continue;
        }
        // Layer starts move by `phase − want` (mod p), the shorter way.
        let fwd = (phase + p - want) % p;
        let shift = if fwd * 2 <= p { fwd as isize } else { fwd as isize - p as isize };
        shift_layers(seq, pass, shift);
    }
}

/// Moves every layer boundary of `pass` by `shift` kernels (within the pass); layer 0
/// keeps its first kernels, and takes back one kernel before it of the category that opens
/// layer 1.
fn shift_layers(seq: &Sequence, pass: &mut Pass, shift: isize) {
    let (lo, hi) = (pass.lo, pass.hi);
    let at = |x: usize| x.checked_add_signed(shift).map_or(lo, |v| v.clamp(lo, hi));
    let first_lo = pass.layers.first().map(|l| l.lo);
    let mut layers: Vec<Layer> = pass
        .layers
        .iter()
        .map(|l| {
            let (s, e) = (at(l.lo), at(l.hi));
            Layer { lo: s, hi: e, blocks: vec![(s, e)] }
        })
        .collect();
    let opener = layers.get(1).and_then(|l| seq.cat.get(l.lo)).copied();
    if let (Some(first), Some(old)) = (layers.first_mut(), first_lo) {
        first.lo = first.lo.min(old);
        if first.lo > lo && first.lo.checked_sub(1).and_then(|i| seq.cat.get(i)).copied() == opener {
            first.lo -= 1;
        }
        first.blocks = vec![(first.lo, first.hi)];
    }
    layers.retain(|l| l.hi > l.lo);
    if layers.len() >= 2 {
        pass.layers = layers;
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn rotations_share_a_canonical_form() {
        let a = [5, 1, 2, 9, 1];
        let b = [1, 2, 9, 1, 5];
        let (ca, ra) = canonical(&a);
        let (cb, rb) = canonical(&b);
        assert_eq!(ca, cb);
        assert_eq!(ca, vec![1, 2, 9, 1, 5]);
        assert_eq!((ra, rb), (1, 0));
    }
}
