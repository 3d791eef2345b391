//! Order-preserving alignment of two sequences: which items of `a` stand for which items
//! of `b`, in order, skipping what has no counterpart on the other side (a longest common
//! subsequence, found with Myers' O((N+M)·D) difference algorithm, so nearly equal
//! sequences — the usual case of a graph's captured launches against its replayed kernels —
//! cost little more than one pass).

/// The pairs `(i, j)` with `a[i] == b[j]` of a longest common subsequence, increasing in
/// both indexes.
#[must_use]
pub(crate) fn align<T: PartialEq>(a: &[T], b: &[T]) -> Vec<(usize, usize)> {
    // Common prefix and suffix first: most windows match whole.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    let suffix = ra.iter().rev().zip(rb.iter().rev()).take_while(|(x, y)| x == y).count();
    let (ma, mb) = (&ra[..ra.len() - suffix], &rb[..rb.len() - suffix]);
    let mut out: Vec<(usize, usize)> = (0..prefix).map(|k| (k, k)).collect();
    out.extend(myers(ma, mb).into_iter().map(|(i, j)| (i + prefix, j + prefix)));
    let (sa, sb) = (a.len() - suffix, b.len() - suffix);
    out.extend((0..suffix).map(|k| (sa + k, sb + k)));
    out
}

/// Edit distances searched at most; beyond it the middle is left unaligned (two unrelated
/// sequences of thousands of items would otherwise cost quadratic memory).
const MAX_D: usize = 2048;

/// Myers' greedy LCS: the forward pass keeps, per edit distance `d`, the furthest point of
/// each diagonal `-d..=d`; the path is then walked back from the end.
fn myers<T: PartialEq>(a: &[T], b: &[T]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    if n == 0 || m == 0 {
        return Vec::new();
    }
    // v[k + offset] = furthest x on diagonal k; history[d] holds v[-d..=d] before step d.
    let max = (n + m).min(MAX_D as isize);
    let offset = max + 1;
    let mut v = vec![0isize; (2 * offset + 1) as usize];
    let at = |k: isize| (k + offset) as usize;
    let mut history: Vec<Vec<isize>> = Vec::new();
    let mut reached = false;
    'search: for d in 0..=max {
        history.push(v[at(-d)..=at(d)].to_vec());
        let mut k = -d;
        while k <= d {
            let down = k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]);
            let mut x = if down { v[at(k + 1)] } else { v[at(k - 1)] + 1 };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                reached = true;
                break 'search;
            }
            k += 2;
        }
    }
    if !reached {
        return Vec::new();
    }
    let mut pairs = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..history.len() as isize).rev() {
        let h = &history[d as usize];
        let get = |k: isize| h[(k + d) as usize];
        let k = x - y;
        let down = k == -d || (k != d && get(k - 1) < get(k + 1));
        let prev_k = if down { k + 1 } else { k - 1 };
        let (prev_x, prev_y) = if d == 0 { (0, 0) } else { (get(prev_k), get(prev_k) - prev_k) };
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            pairs.push((x as usize, y as usize));
        }
        x = prev_x;
        y = prev_y;
    }
    pairs.reverse();
    pairs
}

#[cfg(test)]
mod tests {
    use super::align;

    /// A brute-force LCS length, to check the alignment is longest.
    fn lcs_len(a: &[char], b: &[char]) -> usize {
        let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                t[i][j] = if a[i] == b[j] { 1 + t[i + 1][j + 1] } else { t[i + 1][j].max(t[i][j + 1]) };
            }
        }
        t[0][0]
    }

    fn check(a: &str, b: &str) -> Vec<(usize, usize)> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let pairs = align(&a, &b);
        for w in pairs.windows(2) {
            assert!(w[0].0 < w[1].0 && w[0].1 < w[1].1, "increasing: {pairs:?}");
        }
        for &(i, j) in &pairs {
            assert_eq!(a[i], b[j]);
        }
        assert_eq!(pairs.len(), lcs_len(&a, &b), "{a:?} / {b:?}");
        pairs
    }

    #[test]
    fn identical_sequences_pair_one_to_one() {
        assert_eq!(check("GNRAGE", "GNRAGE"), (0..6).map(|k| (k, k)).collect::<Vec<_>>());
    }

    #[test]
    fn deleted_launches_and_deleted_kernels_are_skipped() {
        // A launch that never replayed (captured but elided) and a replay with no launch.
        assert_eq!(check("GNXRAG", "GNRAG"), [(0, 0), (1, 1), (3, 2), (4, 3), (5, 4)]);
        assert_eq!(check("GNRAG", "GNRYAG"), [(0, 0), (1, 1), (2, 2), (3, 4), (4, 5)]);
        check("ABCABBA", "CBABAC");
        check("GGGGNNNN", "GNGNGNGN");
    }

    #[test]
    fn empty_sides_pair_nothing() {
        assert!(check("", "GNR").is_empty());
        assert!(check("GNR", "").is_empty());
        assert!(check("AAA", "BBB").is_empty());
    }

    #[test]
    fn random_sequences_give_a_longest_alignment() {
        let mut x: u64 = 7;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..300 {
            let la = (next() % 14) as usize;
            let lb = (next() % 14) as usize;
            let a: String = (0..la).map(|_| (b'A' + (next() % 4) as u8) as char).collect();
            let b: String = (0..lb).map(|_| (b'A' + (next() % 4) as u8) as char).collect();
            check(&a, &b);
        }
    }
}
