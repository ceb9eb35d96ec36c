//! Calendar arithmetic for the few dates roneo writes (package metadata, PDF info, zip
//! entries). All of it is UTC and none of it reads the clock.

/// Unix seconds to (year, month, day, hour, minute, second), UTC.
pub fn civil(t: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (optionally followed by a time, ignored) to a Unix time.
pub fn date_to_epoch(date: &str) -> Option<i64> {
    let date = date.trim().get(..10.min(date.trim().len()))?;
    let mut parts = date.split('-');
    let y: i64 = parts
        .next()?
        .parse()
        .ok()
        .filter(|y| (1000..=9999).contains(y))?;
    let m: i64 = parts
        .next()
        .map_or(Some(1), |p| p.parse().ok().filter(|m| (1..=12).contains(m)))?;
    let d: i64 = parts
        .next()
        .map_or(Some(1), |p| p.parse().ok().filter(|d| (1..=31).contains(d)))?;
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(951_868_800 + 3661), (2000, 3, 1, 1, 1, 1));
    }

    #[test]
    fn epoch_of_dates() {
        assert_eq!(date_to_epoch("1970-01-01"), Some(0));
        assert_eq!(date_to_epoch("2000-03-01"), Some(951_868_800));
        assert_eq!(date_to_epoch("1973"), Some(94_694_400));
        assert_eq!(date_to_epoch("September"), None);
        for t in [0, 94_694_400, 951_868_800, 1_700_000_000] {
            let (y, m, d, ..) = civil(t);
            assert_eq!(
                date_to_epoch(&format!("{y:04}-{m:02}-{d:02}")),
                Some(t - t % 86_400)
            );
        }
    }
}
