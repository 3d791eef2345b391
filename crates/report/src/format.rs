//! Number and duration text, in one place for every front end (CLI, browser, golden
//! files), so the same trace shows the same characters everywhere.
//!
//! Fixed-point formatting rounds the exact binary value with ties to even, as Python's
//! `%.Nf` does (checked in the tests), so figures compare with the seed tool's.

/// `1234567` → `1,234,567`.
#[must_use]
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Byte sizes in decimal units: `32.9 MB`, `512 B`.
#[must_use]
pub fn bytes(n: u64) -> String {
    let v = n as f64;
    if n < 1_000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{:.1} kB", v / 1e3)
    } else if n < 1_000_000_000 {
        format!("{:.1} MB", v / 1e6)
    } else {
        format!("{:.2} GB", v / 1e9)
    }
}

/// A duration with a unit chosen for readability: `850 ns`, `12.4 µs`, `3.27 ms`, `1.53 s`.
#[must_use]
pub fn duration_ns(ns: i64) -> String {
    let a = ns.unsigned_abs();
    let v = ns as f64;
    if a < 1_000 {
        format!("{ns} ns")
    } else if a < 1_000_000 {
        format!("{:.1} µs", v / 1e3)
    } else if a < 1_000_000_000 {
        format!("{:.2} ms", v / 1e6)
    } else {
        format!("{:.2} s", v / 1e9)
    }
}

/// Milliseconds with 2 decimals and the unit, as in the seed tool's tables: `17.48 ms`.
#[must_use]
pub fn ms(ns: i64) -> String {
    format!("{:.2} ms", ns as f64 / 1e6)
}

/// Microseconds with 1 decimal, no unit: `12.5`.
#[must_use]
pub fn us1(ns: i64) -> String {
    format!("{:.1}", ns as f64 / 1e3)
}

/// Seconds with 6 decimals, no unit (Perfetto-relative times): `0.282917`.
#[must_use]
pub fn seconds6(ns: i64) -> String {
    format!("{:.6}", ns as f64 / 1e9)
}

/// A timestamp in µs with its ns digits: `5901696852082.280`.
#[must_use]
pub fn micros(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let a = ns.unsigned_abs();
    format!("{sign}{}.{:03}", a / 1000, a % 1000)
}

/// A percentage with 1 decimal and the sign: `28.4%`.
#[must_use]
pub fn pct(value: f64) -> String {
    format!("{value:.1}%")
}

pub use engine::results::share;

/// A change (B − A) in milliseconds with its sign: `+1.23 ms`, `-0.40 ms`, `0.00 ms`.
#[must_use]
pub fn delta_ms(ns: i64) -> String {
    format!("{}{}", sign(ns.signum()), ms(i64::try_from(ns.unsigned_abs()).unwrap_or(i64::MAX)))
}

/// A change in a count with its sign: `+1,234`, `-3`, `0`.
#[must_use]
pub fn delta_count(n: i64) -> String {
    format!("{}{}", sign(n.signum()), count(n.unsigned_abs()))
}

/// A relative change with its sign and 1 decimal: `+12.5%`, `-3.0%`.
#[must_use]
pub fn delta_pct(value: f64) -> String {
    format!("{}{}", sign(f_sign(value)), pct(value.abs()))
}

/// A change of a percentage in percentage points, 1 decimal: `+1.2 pt`, `-0.4 pt`.
#[must_use]
pub fn delta_points(value: f64) -> String {
    format!("{}{:.1} pt", sign(f_sign(value)), value.abs())
}

fn f_sign(value: f64) -> i64 {
    if value > 0.0 {
        1
    } else if value < 0.0 {
        -1
    } else {
        0
    }
}

fn sign(signum: i64) -> &'static str {
    match signum {
        1 => "+",
        -1 => "-",
        _ => "",
    }
}

/// A quantity with an SI prefix and `unit`, three significant digits: `1.23 G` + `FLOP`,
/// `456 M` + `B`; below 1000, the plain number.
#[must_use]
pub fn si(value: f64, unit: &str) -> String {
    const PREFIXES: [(f64, &str); 5] = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    let (scaled, prefix) =
        PREFIXES.iter().find(|(p, _)| value.abs() >= *p).map_or((value, ""), |&(p, name)| (value / p, name));
    let suffix = format!("{prefix}{unit}");
    if suffix.is_empty() { three_digits(scaled) } else { format!("{} {suffix}", three_digits(scaled)) }
}

/// A number with three significant digits (`1.23`, `12.3`, `123`).
#[must_use]
pub fn three_digits(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sizes() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(104_795), "104,795");
        assert_eq!(count(1_234_567_890), "1,234,567,890");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(32_914_324), "32.9 MB");
        assert_eq!(bytes(1_073_741_824), "1.07 GB");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ns(850), "850 ns");
        assert_eq!(duration_ns(12_400), "12.4 µs");
        assert_eq!(duration_ns(3_270_000), "3.27 ms");
        assert_eq!(duration_ns(1_530_000_000), "1.53 s");
        assert_eq!(ms(17_480_000), "17.48 ms");
        assert_eq!(micros(5_901_696_852_082_280), "5901696852082.280");
        assert_eq!(micros(-1500), "-1.500");
        assert_eq!(seconds6(282_917_123), "0.282917");
    }

    #[test]
    fn rounding_matches_python_printf() {
        // Python: '%.1f' % 0.25 == '0.2', '%.2f' % 0.125 == '0.12', '%.1f' % 0.05 == '0.1'
        assert_eq!(pct(0.25), "0.2%");
        assert_eq!(format!("{:.2}", 0.125), "0.12");
        assert_eq!(pct(0.05), "0.1%");
        assert_eq!(pct(2.5), "2.5%");
        assert_eq!(format!("{:.0}", 2.5), "2");
        assert_eq!(share(1, 4), 25.0);
        assert_eq!(share(1, 0), 0.0);
    }
}
