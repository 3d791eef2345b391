//! Order statistics over integer nanoseconds, defined once so every figure of the
//! all-ranks report uses the same rule.

/// The median of `values` (sorted here): the middle value, or the mean of the middle two
/// for an even count, rounded towards negative infinity. 0 for no values.
#[must_use]
pub(crate) fn median(values: &mut [i64]) -> i64 {
    values.sort_unstable();
    let n = values.len();
    if n == 0 {
        return 0;
    }
    let hi = values.get(n / 2).copied().unwrap_or(0);
    if n % 2 == 1 {
        return hi;
    }
    let lo = values.get(n / 2 - 1).copied().unwrap_or(0);
    // (lo + hi) / 2 without overflow, floored.
    lo.div_euclid(2) + hi.div_euclid(2) + (lo.rem_euclid(2) + hi.rem_euclid(2)) / 2
}

/// The `p`-th percentile (0–100) by the nearest-rank rule: the value at position
/// `ceil(p / 100 · n)` (1-based) of the sorted values. 0 for no values.
#[must_use]
pub(crate) fn percentile(values: &mut [i64], p: u32) -> i64 {
    values.sort_unstable();
    let n = values.len();
    if n == 0 {
        return 0;
    }
    let rank = (n * p.min(100) as usize).div_ceil(100).max(1);
    values.get(rank - 1).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), 0);
        assert_eq!(median(&mut [5]), 5);
        assert_eq!(median(&mut [9, 1, 5]), 5);
        assert_eq!(median(&mut [4, 1, 2, 3]), 2);
        assert_eq!(median(&mut [1, 2]), 1);
        assert_eq!(median(&mut [2, 4]), 3);
        assert_eq!(median(&mut [-3, 0]), -2);
        assert_eq!(median(&mut [i64::MAX, i64::MAX]), i64::MAX);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        assert_eq!(percentile(&mut [], 90), 0);
        let mut v: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(percentile(&mut v, 90), 9);
        assert_eq!(percentile(&mut v, 100), 10);
        assert_eq!(percentile(&mut v, 0), 1);
        assert_eq!(percentile(&mut [7, 3, 5], 90), 7);
        assert_eq!(percentile(&mut [10, 20, 30, 40, 50], 90), 50);
    }
}
