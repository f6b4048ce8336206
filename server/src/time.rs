//! RFC 3339 timestamps from Unix seconds.
//!
//! The API only ever emits UTC instants at second precision, so a few lines of
//! calendar arithmetic (Howard Hinnant's `civil_from_days` / `days_from_civil`)
//! replace a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

const SECONDS_PER_DAY: i64 = 86_400;

/// Seconds since the Unix epoch, now. A clock set before 1970 reads as the epoch:
/// the demo data only needs "roughly now", never a panic.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// Formats Unix seconds as RFC 3339 in UTC, e.g. `2024-03-05T14:07:00Z`.
///
/// Meant for years 0000–9999 (RFC 3339 has four-digit years); the database
/// only holds instants the server itself derived from the clock or the seed.
pub fn rfc3339_utc(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(SECONDS_PER_DAY);
    let second_of_day = unix_seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Unix seconds of a UTC calendar date and time of day; the inverse of
/// [`rfc3339_utc`]. Used to write the seed's fixed dates legibly.
pub fn unix_from_utc(year: i64, month: u32, day: u32, hour: u32, minute: u32) -> i64 {
    days_from_civil(year, month, day) * SECONDS_PER_DAY
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Proleptic Gregorian (year, month, day) of a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both are in range by construction: day 1..=31, month 1..=12.
    (year, component_to_u32(month), component_to_u32(day))
}

fn component_to_u32(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_epoch() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_utc(1_709_647_620), "2024-03-05T14:07:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(1_735_689_599), "2024-12-31T23:59:59Z");
        assert_eq!(rfc3339_utc(4_107_542_400), "2100-03-01T00:00:00Z");
        assert_eq!(rfc3339_utc(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn unix_from_utc_is_the_inverse() {
        assert_eq!(unix_from_utc(2024, 3, 5, 14, 7), 1_709_647_620);
        assert_eq!(unix_from_utc(1970, 1, 1, 0, 0), 0);
        // Every day across several leap-year rules round-trips.
        let start = unix_from_utc(1899, 12, 25, 0, 0);
        for day in 0..(366 * 210) {
            let seconds = start + day * SECONDS_PER_DAY + 3_661;
            let text = rfc3339_utc(seconds);
            let parse =
                |range: std::ops::Range<usize>| -> i64 { text[range].parse().expect("digits") };
            let month = u32::try_from(parse(5..7)).expect("month");
            let dom = u32::try_from(parse(8..10)).expect("day");
            assert_eq!(
                unix_from_utc(parse(0..4), month, dom, 1, 1) + 1,
                seconds,
                "{text}"
            );
        }
    }

    #[test]
    fn now_is_after_2024() {
        assert!(now_unix() > unix_from_utc(2024, 1, 1, 0, 0));
    }
}
