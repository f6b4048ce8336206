//! Dates from the API: strict RFC 3339 parsing, and the decision of how to show a moment
//! (relative for recent ones, a date otherwise). The wording itself comes from the browser's
//! `Intl`, in the person's own locale, so no date crate ends up in the download.

const MINUTE: f64 = 60_000.0;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;

/// Moments this recent are said relatively ("3 days ago"); older ones as a date.
const RELATIVE_LIMIT: f64 = 30.0 * DAY;
/// Clocks disagree: a moment up to this far in the future still reads "now".
const CLOCK_SKEW: f64 = 5.0 * MINUTE;

/// The unit `Intl.RelativeTimeFormat` is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelativeUnit {
    Second,
    Minute,
    Hour,
    Day,
}

impl RelativeUnit {
    pub fn as_intl(self) -> &'static str {
        match self {
            RelativeUnit::Second => "second",
            RelativeUnit::Minute => "minute",
            RelativeUnit::Hour => "hour",
            RelativeUnit::Day => "day",
        }
    }
}

/// How one moment is shown next to the exact date (which is always available on hover/focus).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DateDisplay {
    /// `value` is negative for the past, as `Intl.RelativeTimeFormat` expects.
    Relative {
        value: f64,
        unit: RelativeUnit,
    },
    Absolute,
}

impl DateDisplay {
    /// Decides how to show `when` at `now` (both milliseconds since the Unix epoch).
    pub fn decide(when: f64, now: f64) -> Self {
        let age = now - when;
        if !(-CLOCK_SKEW..RELATIVE_LIMIT).contains(&age) {
            return DateDisplay::Absolute;
        }
        let age = age.max(0.0);
        let (value, unit) = if age < MINUTE {
            (0.0, RelativeUnit::Second)
        } else if age < HOUR {
            ((age / MINUTE).floor(), RelativeUnit::Minute)
        } else if age < DAY {
            ((age / HOUR).floor(), RelativeUnit::Hour)
        } else {
            ((age / DAY).floor(), RelativeUnit::Day)
        };
        DateDisplay::Relative {
            value: -value,
            unit,
        }
    }
}

/// Parses an RFC 3339 date-time (`2024-03-05T14:07:00Z`, optional fraction, `Z` or `±hh:mm`) into
/// milliseconds since the Unix epoch. Anything else, including impossible dates such as
/// February 30th, is `None`: the API's strings are untrusted.
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 40 {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter()
            .try_fold(0i64, |acc, d| Some(acc * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut millis = 0.0;
    if b.get(at) == Some(&b'.') {
        let start = at + 1;
        let mut end = start;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == start {
            return None;
        }
        let digits = &s[start..end];
        let fraction: f64 = format!("0.{digits}").parse().ok()?;
        millis = (fraction * 1000.0).floor();
        at = end;
    }
    let offset_minutes = match b.get(at) {
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if at + 6 == b.len() && sep(at + 3, b":") => {
            let (h, m) = (num(at + 1, 2)?, num(at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let total = h * 60 + m;
            if *sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second.min(59) - offset_minutes * 60;
    // Whole seconds stay well inside f64's exact integers for any four-digit year.
    #[allow(clippy::cast_precision_loss)] // see above: exact for |seconds| < 2^53
    let ms = seconds as f64 * 1000.0 + millis;
    Some(ms)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_rfc3339("2024-03-05T14:07:00Z"),
            Some(1_709_647_620_000.0)
        );
        assert_eq!(
            parse_rfc3339("2024-03-05T16:07:00+02:00"),
            Some(1_709_647_620_000.0)
        );
        assert_eq!(
            parse_rfc3339("2024-03-05T09:07:00.250-05:00"),
            Some(1_709_647_620_250.0)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00.1234567Z"),
            Some(1_709_164_800_123.0)
        );
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for bad in [
            "",
            "yesterday",
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-03-05T24:00:00Z",
            "2024-03-05T14:07:00",
            "2024-03-05T14:07:00+0200",
            "2024-03-05T14:07:00.Z",
            "2024-03-05T14:07:00Zjunk",
            "<img src=x onerror=alert(1)>",
            "2024-03-05T14:07:0٣Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn recent_moments_are_relative() {
        let now = 1_800_000_000_000.0;
        assert_eq!(
            DateDisplay::decide(now - 3.0 * DAY - HOUR, now),
            DateDisplay::Relative {
                value: -3.0,
                unit: RelativeUnit::Day
            }
        );
        assert_eq!(
            DateDisplay::decide(now - 5.0 * HOUR, now),
            DateDisplay::Relative {
                value: -5.0,
                unit: RelativeUnit::Hour
            }
        );
        assert_eq!(
            DateDisplay::decide(now - 90_000.0, now),
            DateDisplay::Relative {
                value: -1.0,
                unit: RelativeUnit::Minute
            }
        );
        assert_eq!(
            DateDisplay::decide(now - 10_000.0, now),
            DateDisplay::Relative {
                value: -0.0,
                unit: RelativeUnit::Second
            }
        );
    }

    #[test]
    fn old_and_future_moments_are_dates() {
        let now = 1_800_000_000_000.0;
        assert_eq!(
            DateDisplay::decide(now - 45.0 * DAY, now),
            DateDisplay::Absolute
        );
        assert_eq!(
            DateDisplay::decide(now + 2.0 * HOUR, now),
            DateDisplay::Absolute
        );
        // A little clock skew still reads as "now".
        assert_eq!(
            DateDisplay::decide(now + MINUTE, now),
            DateDisplay::Relative {
                value: -0.0,
                unit: RelativeUnit::Second
            }
        );
    }
}
