//! Exact number conversions: JSON number text → integer nanoseconds or integer ids,
//! without going through `f64` (epoch-µs timestamps near 1.7e15 lose sub-µs digits there).

/// Converts a JSON number of microseconds (`1712195495505583.123`, `42`, `1.5e3`) into
/// integer nanoseconds, rounding half away from zero beyond the ns digit.
/// `None` for malformed text or values beyond ±9.2e18 ns.
#[must_use]
pub(crate) fn micros_to_ns(text: &[u8]) -> Option<i64> {
    decimal_scaled(text, 3)
}

/// Parses an integer id; accepts integral decimals (`7.0`, `7e2`). `None` when not an
/// integer or out of the `i64` range.
#[must_use]
pub(crate) fn integer(text: &[u8]) -> Option<i64> {
    // Fast path: plain digits.
    if let Some(v) = plain_int(text) {
        return Some(v);
    }
    let v = decimal_exact(text)?;
    i64::try_from(v).ok()
}

#[inline]
fn plain_int(text: &[u8]) -> Option<i64> {
    let (neg, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(if neg { -v } else { v })
}

struct Decimal {
    neg: bool,
    /// Significant digits as an integer (at most 38 digits kept).
    mantissa: i128,
    /// Power of ten to apply to the mantissa.
    exp10: i32,
    /// Whether nonzero digits were dropped beyond i128 precision.
    inexact: bool,
}

fn parse_decimal(text: &[u8]) -> Option<Decimal> {
    let mut i = 0;
    let neg = match text.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut mantissa: i128 = 0;
    let mut exp10: i32 = 0;
    let mut digits = 0usize;
    let mut inexact = false;
    let mut seen_digit = false;
    let mut push = |d: u8, after_point: bool, mantissa: &mut i128, exp10: &mut i32| {
        if digits < 37 {
            *mantissa = *mantissa * 10 + i128::from(d);
            if *mantissa != 0 {
                digits += 1;
            }
            if after_point {
                *exp10 -= 1;
            }
        } else {
            if d != 0 {
                inexact = true;
            }
            if !after_point {
                *exp10 += 1;
            }
        }
    };
    while let Some(&c) = text.get(i) {
        if c.is_ascii_digit() {
            seen_digit = true;
            push(c - b'0', false, &mut mantissa, &mut exp10);
            i += 1;
        } else {
            break;
        }
    }
    if text.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while let Some(&c) = text.get(i) {
            if c.is_ascii_digit() {
                seen_digit = true;
                push(c - b'0', true, &mut mantissa, &mut exp10);
                i += 1;
            } else {
                break;
            }
        }
        if i == frac_start {
            return None;
        }
    }
    if !seen_digit {
        return None;
    }
    if let Some(b'e' | b'E') = text.get(i) {
        i += 1;
        let eneg = match text.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut e: i32 = 0;
        let mut any = false;
        while let Some(&c) = text.get(i) {
            if c.is_ascii_digit() {
                any = true;
                e = e.saturating_mul(10).saturating_add(i32::from(c - b'0'));
                i += 1;
            } else {
                break;
            }
        }
        if !any {
            return None;
        }
        exp10 = exp10.saturating_add(if eneg { -e } else { e });
    }
    if i != text.len() {
        return None;
    }
    Some(Decimal { neg, mantissa, exp10, inexact })
}

/// The value × 10^`shift`, rounded half away from zero, as i64.
fn decimal_scaled(text: &[u8], shift: i32) -> Option<i64> {
    // Fast path for the common Kineto forms: digits with at most 3 decimals.
    if let Some(v) = fast_micros(text, shift) {
        return Some(v);
    }
    let d = parse_decimal(text)?;
    let exp = d.exp10.saturating_add(shift);
    let mut v = d.mantissa;
    if exp >= 0 {
        for _ in 0..exp {
            v = v.checked_mul(10)?;
            if v > i128::from(i64::MAX) {
                return None;
            }
        }
    } else {
        let div = exp.unsigned_abs();
        if div > 38 {
            v = 0;
        } else {
            let p = 10i128.checked_pow(div)?;
            let q = v / p;
            let r = v % p;
            v = if r * 2 >= p { q + 1 } else { q };
        }
    }
    let v = if d.neg { -v } else { v };
    i64::try_from(v).ok()
}

#[inline]
fn fast_micros(text: &[u8], shift: i32) -> Option<i64> {
    if shift != 3 {
        return None;
    }
    let mut v: i64 = 0;
    let mut i = 0;
    let neg = text.first() == Some(&b'-');
    if neg {
        i = 1;
    }
    let int_start = i;
    // At most 15 integer and 3 fraction digits: the value stays below 10^18, so plain
    // arithmetic cannot overflow (checked i64 multiplies are a 128-bit libcall in wasm32).
    while let Some(&c) = text.get(i) {
        if c.is_ascii_digit() {
            if i - int_start == 15 {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
            i += 1;
        } else {
            break;
        }
    }
    if i == int_start {
        return None;
    }
    let mut frac_digits = 0;
    if text.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c) = text.get(i) {
            if c.is_ascii_digit() && frac_digits < 3 {
                v = v * 10 + i64::from(c - b'0');
                frac_digits += 1;
                i += 1;
            } else {
                break;
            }
        }
        if frac_digits == 0 {
            return None;
        }
    }
    if i != text.len() {
        return None;
    }
    for _ in frac_digits..3 {
        v *= 10;
    }
    Some(if neg { -v } else { v })
}

/// The exact integer value of a decimal text, if it is integral.
fn decimal_exact(text: &[u8]) -> Option<i128> {
    let d = parse_decimal(text)?;
    if d.inexact {
        return None;
    }
    let mut v = d.mantissa;
    if d.exp10 >= 0 {
        for _ in 0..d.exp10 {
            v = v.checked_mul(10)?;
            if v > i128::from(u64::MAX) {
                return None;
            }
        }
    } else {
        let p = 10i128.checked_pow(d.exp10.unsigned_abs())?;
        if v % p != 0 {
            return None;
        }
        v /= p;
    }
    Some(if d.neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_parse_exactly() {
        assert_eq!(micros_to_ns(b"0"), Some(0));
        assert_eq!(micros_to_ns(b"1"), Some(1000));
        assert_eq!(micros_to_ns(b"1.5"), Some(1500));
        assert_eq!(micros_to_ns(b"0.001"), Some(1));
        assert_eq!(micros_to_ns(b"-2.25"), Some(-2250));
        assert_eq!(micros_to_ns(b"5901696852082.28"), Some(5_901_696_852_082_280));
        // Epoch µs with a ns fraction: f64 would round these two to the same value.
        assert_eq!(micros_to_ns(b"1712195495505583.123"), Some(1_712_195_495_505_583_123));
        assert_eq!(micros_to_ns(b"1712195495505583.124"), Some(1_712_195_495_505_583_124));
        assert_eq!(micros_to_ns(b"1712195495505583.0"), Some(1_712_195_495_505_583_000));
        // More than 3 decimals round half away from zero.
        assert_eq!(micros_to_ns(b"1.0005"), Some(1001));
        assert_eq!(micros_to_ns(b"1.00049"), Some(1000));
        assert_eq!(micros_to_ns(b"-1.0005"), Some(-1001));
        assert_eq!(micros_to_ns(b"1.5e3"), Some(1_500_000));
        assert_eq!(micros_to_ns(b"1.7e15"), Some(1_700_000_000_000_000_000));
        assert_eq!(micros_to_ns(b"2e-3"), Some(2));
        assert_eq!(micros_to_ns(b"1e30"), None);
        assert_eq!(micros_to_ns(b"abc"), None);
        assert_eq!(micros_to_ns(b"1."), None);
        assert_eq!(micros_to_ns(b""), None);
        assert_eq!(micros_to_ns(b"-"), None);
    }

    #[test]
    fn integers_parse_exactly() {
        assert_eq!(integer(b"42"), Some(42));
        assert_eq!(integer(b"-1"), Some(-1));
        assert_eq!(integer(b"7.0"), Some(7));
        assert_eq!(integer(b"7e2"), Some(700));
        assert_eq!(integer(b"7.5"), None);
        assert_eq!(integer(b"1775078550000000000"), Some(1_775_078_550_000_000_000));
        // Beyond i64 (HTA's "Comms Id"): not an i64.
        assert_eq!(integer(b"10159970886766084423"), None);
        assert_eq!(integer(b"99999999999999999999999999999999999999999"), None);
    }
}
