//! One compiled sort for the many small sorts of tables, rows and documents.
//!
//! Every `slice::sort_by` call site with its own closure compiles its own copy of the
//! standard library's sort (several kilobytes each, more at `opt-level = 3`); the hundred or
//! so sorts of rows, findings and labels made them a sixth of the shipped WebAssembly. These
//! helpers sort a permutation of indexes through one comparator trait object — a single
//! compiled sort for all of them — and then move the elements into place. They are stable,
//! as `sort_by` is. Sorts of per-event columns (millions of elements, on the hot path) keep
//! the standard monomorphic sorts.

use core::cmp::Ordering;

/// The distinct symbols of a per-event column, in symbol order (as a clone, sorted and
/// deduplicated, would give), marked in a table of `strings` flags instead: no copy of the
/// column and no sort of millions of rows.
#[must_use]
pub fn distinct_syms(column: &[trace::model::Sym], strings: usize) -> Vec<trace::model::Sym> {
    let mut seen = vec![false; strings];
    let mut beyond = Vec::new();
    for s in column {
        match seen.get_mut(s.index()) {
            Some(flag) => *flag = true,
            None => beyond.push(*s),
        }
    }
    beyond.sort_unstable();
    beyond.dedup();
    let known = seen.iter().enumerate().filter(|(_, f)| **f);
    known.filter_map(|(i, _)| u32::try_from(i).ok().map(trace::model::Sym)).chain(beyond).collect()
}

/// Sorts `v` stably by `cmp` (as `v.sort_by(cmp)`), with the shared compiled sort.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut perm = {
        let items: &[T] = v;
        permutation(items.len(), &mut |a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        })
    };
    apply(v, &mut perm);
}

/// Sorts `v` stably by the key `key` gives (as `v.sort_by_key(key)`), with the shared
/// compiled sort.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The indexes `0..n` sorted stably by `cmp`: the one compiled sort.
#[inline(never)]
fn permutation(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// Reorders `v` so that position `i` holds what was at `perm[i]`, following the
/// permutation's cycles with swaps (`perm` is used up).
fn apply<T>(v: &mut [T], perm: &mut [usize]) {
    const DONE: usize = usize::MAX;
    for start in 0..perm.len() {
        let mut at = start;
        while let Some(slot) = perm.get_mut(at) {
            let from = *slot;
            if from == DONE {
                break;
            }
            *slot = DONE;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{distinct_syms, sort_by, sort_by_key};
    use trace::model::Sym;

    #[test]
    fn distinct_symbols_come_in_symbol_order_as_a_sort_and_dedup_gives() {
        let column = [Sym(3), Sym(1), Sym(3), Sym::NONE, Sym(0), Sym(9), Sym(1), Sym::NONE];
        let mut sorted = column.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(distinct_syms(&column, 5), sorted);
        assert_eq!(distinct_syms(&[], 5), Vec::<Sym>::new());
    }

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        // Pairs with many ties on the key: stability shows in the second field.
        let mut seed = 0x2545_f491_u64;
        for len in [0usize, 1, 2, 3, 7, 31, 100, 513] {
            let v: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ((seed % 5) as u8, i)
                })
                .collect();
            let mut mine = v.clone();
            let mut std = v.clone();
            sort_by(&mut mine, |a, b| b.0.cmp(&a.0));
            std.sort_by_key(|x| core::cmp::Reverse(x.0));
            assert_eq!(mine, std, "length {len}");
            let mut mine = v.clone();
            let mut std = v;
            sort_by_key(&mut mine, |x| x.0);
            std.sort_by_key(|x| x.0);
            assert_eq!(mine, std, "length {len}, by key");
        }
    }

    #[test]
    fn moves_owned_values_without_losing_any() {
        let mut v: Vec<String> =
            ["delta", "alpha", "charlie", "bravo", "alpha"].iter().map(|s| (*s).to_owned()).collect();
        sort_by(&mut v, |a, b| a.cmp(b));
        assert_eq!(v, ["alpha", "alpha", "bravo", "charlie", "delta"]);
    }
}
