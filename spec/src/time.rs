//! Date-times as the VC Data Model 2.0 writes them (`xsd:dateTimeStamp`: RFC 3339 with
//! a time zone). Probity writes them in UTC with a `Z` and whole seconds.

use chrono::{DateTime, SecondsFormat, Utc};

/// A date-time that is not an RFC 3339 timestamp with a time zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{value}\" is not an RFC 3339 date-time with a time zone (like 2026-01-31T09:00:00Z)")]
pub struct DateTimeError {
    /// The text that failed to parse.
    pub value: String,
}

/// Parses an RFC 3339 date-time with a time zone, such as `2026-01-31T09:00:00Z`.
pub fn parse(value: &str) -> Result<DateTime<Utc>, DateTimeError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| DateTimeError {
            value: value.to_owned(),
        })
}

/// Formats a date-time the way Probity writes it: UTC, whole seconds, `Z`.
pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A length of time as a person says it: `45 seconds`, `12 minutes`, `3 hours`,
/// `2 days` (rounded down to the largest whole unit).
pub fn describe(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    let (n, unit) = match s {
        0..=119 => (s, "second"),
        120..=7_199 => (s / 60, "minute"),
        7_200..=172_799 => (s / 3_600, "hour"),
        _ => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        let d = chrono::Duration::seconds;
        assert_eq!(describe(d(1)), "1 second");
        assert_eq!(describe(d(90)), "90 seconds");
        assert_eq!(describe(d(600)), "10 minutes");
        assert_eq!(describe(d(3 * 3600)), "3 hours");
        assert_eq!(describe(d(26 * 3600)), "26 hours");
        assert_eq!(describe(d(3 * 86_400)), "3 days");
    }

    #[test]
    fn round_trips_utc_seconds() {
        let t = parse("2026-03-01T08:30:00Z").unwrap();
        assert_eq!(format(t), "2026-03-01T08:30:00Z");
    }

    #[test]
    fn accepts_offsets_and_refuses_dates_without_zone() {
        assert_eq!(
            format(parse("2026-03-01T10:30:00+02:00").unwrap()),
            "2026-03-01T08:30:00Z"
        );
        assert!(parse("2026-03-01T08:30:00").is_err());
        assert!(parse("2026-03-01").is_err());
    }
}
