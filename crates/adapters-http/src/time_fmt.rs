//! The wire formats of timestamps: fixed, UTC, with a literal `Z` (`time`'s `Rfc3339` trims
//! fractions, so each surface's format is spelled out).

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// Management API: `2023-11-07T05:31:56Z`.
const SECONDS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
/// App API: `2024-03-15T10:30:00.000Z`.
const MILLIS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// RFC 3339 in UTC, to the second.
#[must_use]
pub fn rfc3339_seconds(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(SECONDS)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// RFC 3339 in UTC, to the millisecond.
#[must_use]
pub fn rfc3339_millis(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(MILLIS)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn fixed_formats_in_utc() {
        let t = datetime!(2023-11-07 06:31:56.120 +01:00);
        assert_eq!(rfc3339_seconds(t), "2023-11-07T05:31:56Z");
        assert_eq!(rfc3339_millis(t), "2023-11-07T05:31:56.120Z");
        let whole = datetime!(2024-03-15 10:30:00 UTC);
        assert_eq!(rfc3339_millis(whole), "2024-03-15T10:30:00.000Z");
    }
}
