//! Layers from anchor kernels (anchor-spec §22.2): every kernel whose name contains the
//! anchor marks a block, `blocks_per_layer` blocks make a layer.
//!
//! Unlike the seed, passes come first (step windows, or runs of regular blocks), so the
//! kernels between passes never join a layer; a block opened (`start`) or closed (`end`)
//! by an anchor at the edge of a pass is as long as the median block, not "until the next
//! pass". The seed's blocks always start at the anchor; a profile says which end it is.

use crate::catalog::profiles::AnchorAt;

/// Blocks `[start, end)` of the anchor positions `anchors` (sorted) in a sequence of
/// `n` kernels with `bpl` blocks per layer. The block at the open edge (after the last
/// `start` anchor, before the first `end` anchor) is as long as the same block of the
/// neighbouring layer (`bpl` blocks away), else the median block.
#[must_use]
pub(crate) fn blocks(anchors: &[usize], n: usize, at: AnchorAt, bpl: usize) -> Vec<(usize, usize)> {
    let (Some(&first), Some(&last)) = (anchors.first(), anchors.last()) else { return Vec::new() };
    let bpl = bpl.max(1);
    let med = median_gap(anchors).unwrap_or(n.max(1));
    let gap = |i: usize| Some(anchors.get(i + 1)? - anchors.get(i)?);
    let mut out = Vec::with_capacity(anchors.len());
    match at {
        AnchorAt::Start => {
            out.extend(anchors.windows(2).filter_map(|w| Some((*w.first()?, *w.get(1)?))));
            let len = (anchors.len() + 1).checked_sub(bpl + 2).and_then(gap).unwrap_or(med);
            out.push((last, (last + len).min(n)));
        }
        AnchorAt::End => {
            let len = bpl.checked_sub(1).and_then(gap).unwrap_or(med);
            out.push(((first + 1).saturating_sub(len), first + 1));
            out.extend(anchors.windows(2).filter_map(|w| Some((*w.first()? + 1, *w.get(1)? + 1))));
        }
    }
    out.retain(|b| b.1 > b.0);
    out
}

/// The median distance between consecutive anchors (lower median).
#[must_use]
pub(crate) fn median_gap(anchors: &[usize]) -> Option<usize> {
    let mut gaps: Vec<usize> = anchors.windows(2).filter_map(|w| Some(w.get(1)? - w.first()?)).collect();
    gaps.sort_unstable();
    gaps.get(gaps.len().saturating_sub(1) / 2).copied()
}

/// Splits blocks into runs of regular blocks: a block more than twice the median length
/// spans the end of one pass and the start of the next, so it is cut to the median length
/// on the anchor's side and ends (`start` anchors) or begins (`end` anchors) a run.
#[must_use]
pub(crate) fn runs(blocks: &[(usize, usize)], at: AnchorAt) -> Vec<Vec<(usize, usize)>> {
    let mut lens: Vec<usize> = blocks.iter().map(|b| b.1 - b.0).collect();
    lens.sort_unstable();
    let Some(&med) = lens.get(lens.len().saturating_sub(1) / 2) else { return Vec::new() };
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new()];
    for &(s, e) in blocks {
        let junk = e - s > 2 * med.max(1);
        match (junk, at) {
            (false, _) => {
                if let Some(run) = out.last_mut() {
                    run.push((s, e));
                }
            }
            (true, AnchorAt::Start) => {
                if let Some(run) = out.last_mut() {
                    run.push((s, s + med));
                }
                out.push(Vec::new());
            }
            (true, AnchorAt::End) => out.push(vec![(e - med, e)]),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Groups a run's blocks into layers of `bpl` blocks; the blocks left over (fewer than
/// `bpl`) are returned apart.
#[must_use]
pub(crate) fn layers(run: &[(usize, usize)], bpl: usize) -> (Vec<Vec<(usize, usize)>>, usize) {
    let bpl = bpl.max(1);
    let whole = run.len() / bpl * bpl;
    let layers = run.get(..whole).unwrap_or(&[]).chunks(bpl).map(<[(usize, usize)]>::to_vec).collect();
    (layers, run.len() - whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_anchors_open_blocks() {
        // Anchors at 2, 6, 10 in 14 kernels: blocks of 4; the last is as long as the median.
        assert_eq!(blocks(&[2, 6, 10], 14, AnchorAt::Start, 1), vec![(2, 6), (6, 10), (10, 14)]);
        assert_eq!(blocks(&[2, 6, 10], 12, AnchorAt::Start, 1), vec![(2, 6), (6, 10), (10, 12)]);
        // Halves of 3 and 5 kernels: the last block is as long as its twin one layer earlier.
        assert_eq!(blocks(&[0, 3, 8, 11], 30, AnchorAt::Start, 2), vec![(0, 3), (3, 8), (8, 11), (11, 16)]);
    }

    #[test]
    fn end_anchors_close_blocks() {
        assert_eq!(blocks(&[5, 9, 13], 16, AnchorAt::End, 1), vec![(2, 6), (6, 10), (10, 14)]);
        assert_eq!(blocks(&[1, 5, 9], 16, AnchorAt::End, 1), vec![(0, 2), (2, 6), (6, 10)]);
        assert!(blocks(&[], 16, AnchorAt::End, 1).is_empty());
        // Halves of 7 and 6 kernels closed by anchors: the first block has 7 kernels.
        assert_eq!(
            blocks(&[9, 15, 22, 28], 30, AnchorAt::End, 2),
            vec![(3, 10), (10, 16), (16, 23), (23, 29)]
        );
    }

    #[test]
    fn long_blocks_split_passes() {
        let b = vec![(0, 4), (4, 8), (8, 20), (20, 24), (24, 28)];
        assert_eq!(runs(&b, AnchorAt::Start), vec![vec![(0, 4), (4, 8), (8, 12)], vec![(20, 24), (24, 28)]]);
        assert_eq!(runs(&b, AnchorAt::End), vec![vec![(0, 4), (4, 8)], vec![(16, 20), (20, 24), (24, 28)]]);
    }

    #[test]
    fn blocks_group_into_layers() {
        let run = vec![(0, 2), (2, 4), (4, 6), (6, 8), (8, 10)];
        let (l, left) = layers(&run, 2);
        assert_eq!(l, vec![vec![(0, 2), (2, 4)], vec![(4, 6), (6, 8)]]);
        assert_eq!(left, 1);
    }
}
