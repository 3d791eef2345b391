//! Capture dates: when a trace was taken (from its own timestamps) and how a date is
//! written (UTC, `YYYY-MM-DD HH:MM`), without a clock or a time-zone database.

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
#[must_use]
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, u32::try_from(month).unwrap_or(1), u32::try_from(day).unwrap_or(1))
}

/// `YYYY-MM-DD` (UTC) of a Unix time in ns.
#[must_use]
pub fn day(unix_ns: i64) -> String {
    let (y, m, d) = civil_from_days(unix_ns.div_euclid(86_400_000_000_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM` (UTC) of a Unix time in ns.
#[must_use]
pub fn minute(unix_ns: i64) -> String {
    let secs = unix_ns.div_euclid(1_000_000_000);
    let of_day = secs.rem_euclid(86_400);
    format!("{} {:02}:{:02}", day(unix_ns), of_day / 3600, (of_day % 3600) / 60)
}

/// ISO 8601 UTC to the second: `YYYY-MM-DDTHH:MM:SSZ`.
#[must_use]
pub fn iso(unix_ns: i64) -> String {
    let secs = unix_ns.div_euclid(1_000_000_000);
    let of_day = secs.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}Z", day(unix_ns), of_day / 3600, (of_day % 3600) / 60, of_day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(iso(1_781_012_353_000_000_000), "2026-06-09T13:39:13Z");
        assert_eq!(minute(951_782_400_000_000_000), "2000-02-29 00:00");
        assert_eq!(day(-86_400_000_000_000), "1969-12-31");
        assert_eq!(iso(1_623_142_623_460_072_000), "2021-06-08T08:57:03Z");
    }
}
