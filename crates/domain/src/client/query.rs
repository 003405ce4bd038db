//! A list request: its filters and page, and the parsing of its query parameters.

use time::OffsetDateTime;

use super::{BusinessType, DisplayName, PlanLabel, Status};
use crate::ids::ClientId;
use crate::text::bounded;
use crate::validation::{
    Collector, Expected, Field, Issue, Received, StringCheck, ValidationErrors,
};

/// A list request: filters and a page, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientQuery {
    /// Only clients in this state.
    pub status: Option<Status>,
    /// Only clients of this business type (trimmed, at most [`BusinessType::MAX`] characters).
    pub business_type: Option<String>,
    /// Only clients with this subscription-plan label (trimmed, at most [`PlanLabel::MAX`]
    /// characters).
    pub subscription_plan: Option<String>,
    /// A case-insensitive substring of the name or the display name (trimmed, at most
    /// [`DisplayName::MAX`] characters).
    pub search: Option<String>,
    /// The page size: 1 to [`ClientQuery::MAX_LIMIT`], [`ClientQuery::DEFAULT_LIMIT`] by default.
    pub limit: u32,
    /// How many clients to skip; 0 by default.
    pub offset: u64,
    /// Where the page starts: after this position of the newest-first order (never together with
    /// a non-zero `offset`). A cursor page costs the same at any depth.
    pub cursor: Option<Cursor>,
}

/// A position in a list's newest-first order (creation time, then id): the last client of a page.
/// Its text form ([`Cursor::encode`]) is opaque to clients; [`Cursor::decode`] refuses anything
/// that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The creation time of the last client seen.
    pub created_at: OffsetDateTime,
    /// The id of the last client seen.
    pub id: ClientId,
}

impl Cursor {
    /// The cursor after `client`'s position.
    #[must_use]
    pub fn after(created_at: OffsetDateTime, id: ClientId) -> Self {
        Self { created_at, id }
    }

    /// The opaque text form: a version, the time in nanoseconds and the id, hex-encoded.
    #[must_use]
    pub fn encode(&self) -> String {
        let plain = format!("c1.{}.{}", self.created_at.unix_timestamp_nanos(), self.id);
        plain.bytes().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses a cursor's text form.
    ///
    /// # Errors
    /// `invalid_string` on [`Field::Cursor`] for anything [`Cursor::encode`] did not make.
    pub fn decode(raw: &str) -> Result<Self, Issue> {
        let invalid = || Issue::invalid_string(Field::Cursor, StringCheck::Regex, "Invalid cursor");
        let raw = raw.trim();
        if raw.is_empty() || !raw.len().is_multiple_of(2) || raw.len() > 256 {
            return Err(invalid());
        }
        let bytes = (0..raw.len())
            .step_by(2)
            .map(|i| {
                raw.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(invalid)?;
        let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = plain.splitn(3, '.');
        let (Some("c1"), Some(nanos), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(invalid());
        };
        let nanos: i128 = nanos.parse().map_err(|_| invalid())?;
        let created_at = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| invalid())?;
        let id = id.parse().map_err(|_| invalid())?;
        Ok(Self { created_at, id })
    }
}

impl Default for ClientQuery {
    fn default() -> Self {
        Self {
            status: None,
            business_type: None,
            subscription_plan: None,
            search: None,
            limit: Self::DEFAULT_LIMIT,
            offset: 0,
            cursor: None,
        }
    }
}

/// A list request's raw query parameters (absent ones are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientQueryInput {
    /// The status filter.
    pub status: Option<String>,
    /// The business-type filter.
    pub business_type: Option<String>,
    /// The subscription-plan-label filter.
    pub subscription_plan: Option<String>,
    /// The search text.
    pub search: Option<String>,
    /// The page size, as text.
    pub limit: Option<String>,
    /// The page offset, as text.
    pub offset: Option<String>,
    /// The paging cursor, as issued.
    pub cursor: Option<String>,
}

impl ClientQuery {
    /// The page size when a request gives none.
    pub const DEFAULT_LIMIT: u32 = 50;
    /// The largest page size a request may ask for.
    pub const MAX_LIMIT: u32 = 200;

    /// Parses list parameters: `limit` 1–200 (default 50), `offset` ≥ 0 — when given, a number
    /// (`limit=` is not one) —, a known status; empty filters count as absent.
    ///
    /// # Errors
    /// Every failed rule.
    pub fn parse(input: ClientQueryInput) -> Result<Self, ValidationErrors> {
        let mut c = Collector::new();
        let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let status = nonempty(input.status).and_then(|s| c.take(Status::parse(&s)));
        let trimmed = |s: Option<String>| s.map(|s| s.trim().to_owned());
        let limit = match trimmed(input.limit) {
            None => Some(Self::DEFAULT_LIMIT),
            Some(s) => c
                .take(parse_number(
                    Field::Limit,
                    &s,
                    1,
                    i64::from(Self::MAX_LIMIT),
                ))
                .and_then(|n| u32::try_from(n).ok()),
        };
        let offset = match trimmed(input.offset) {
            None => Some(0),
            Some(s) => c
                .take(parse_number(Field::Offset, &s, 0, i64::MAX))
                .and_then(|n| u64::try_from(n).ok()),
        };
        // Filters follow the rules of what they filter (no control characters, no more than the
        // field can hold), so nothing a column could never contain reaches the database.
        let business_type = nonempty(input.business_type)
            .and_then(|s| c.take(BusinessType::parse(&s)))
            .map(BusinessType::into_inner);
        let subscription_plan = nonempty(input.subscription_plan)
            .and_then(|s| c.take(PlanLabel::parse(&s)))
            .map(PlanLabel::into_inner);
        let search = nonempty(input.search)
            .and_then(|s| c.take(bounded(Field::Query, &s, 1, DisplayName::MAX)));
        let cursor = nonempty(input.cursor).and_then(|s| c.take(Cursor::decode(&s)));
        if cursor.is_some() && offset.is_some_and(|o| o > 0) {
            c.push(Issue::invalid_string(
                Field::Cursor,
                StringCheck::Regex,
                "A cursor cannot be combined with an offset",
            ));
        }
        c.finish(|| Self {
            status,
            business_type,
            subscription_plan,
            search,
            limit: limit.unwrap_or(Self::DEFAULT_LIMIT),
            offset: offset.unwrap_or(0),
            cursor,
        })
    }
}

fn parse_number(field: Field, raw: &str, min: i64, max: i64) -> Result<i64, Issue> {
    let n: i64 = raw
        .parse()
        .map_err(|_| Issue::invalid_type(field, Expected::Number, Received::String))?;
    if n < min {
        Err(Issue::number_too_small(field, min))
    } else if n > max {
        Err(Issue::number_too_big(field, max))
    } else {
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::issues;

    fn query(input: ClientQueryInput) -> Result<ClientQuery, ValidationErrors> {
        ClientQuery::parse(input)
    }

    fn limit(raw: &str) -> Result<ClientQuery, ValidationErrors> {
        query(ClientQueryInput {
            limit: Some(raw.to_owned()),
            ..ClientQueryInput::default()
        })
    }

    fn offset(raw: &str) -> Result<ClientQuery, ValidationErrors> {
        query(ClientQueryInput {
            offset: Some(raw.to_owned()),
            ..ClientQueryInput::default()
        })
    }

    #[test]
    fn query_defaults() {
        let q = query(ClientQueryInput::default()).expect("valid");
        assert_eq!(q, ClientQuery::default());
        assert_eq!(q.limit, 50);
        assert_eq!(q.offset, 0);
        assert_eq!(q.status, None);
        assert_eq!(ClientQuery::MAX_LIMIT, 200);
    }

    #[test]
    fn query_limit_boundaries() {
        assert_eq!(
            issues(limit("0")),
            [Issue::number_too_small(Field::Limit, 1)]
        );
        assert_eq!(limit("1").map(|q| q.limit), Ok(1));
        assert_eq!(limit(" 200 ").map(|q| q.limit), Ok(200));
        assert_eq!(
            issues(limit("201")),
            [Issue::number_too_big(Field::Limit, 200)]
        );
        for bad in ["", " ", "ten", "1.5", "1e2", "0x10", "99999999999999999999"] {
            assert_eq!(
                issues(limit(bad)),
                [Issue::invalid_type(
                    Field::Limit,
                    Expected::Number,
                    Received::String
                )],
                "{bad}"
            );
        }
        assert_eq!(
            issues(limit("-1")),
            [Issue::number_too_small(Field::Limit, 1)]
        );
    }

    #[test]
    fn query_offset_boundaries() {
        assert_eq!(
            issues(offset("-1")),
            [Issue::number_too_small(Field::Offset, 0)]
        );
        assert_eq!(offset("0").map(|q| q.offset), Ok(0));
        assert_eq!(offset("12345").map(|q| q.offset), Ok(12345));
        assert_eq!(
            issues(offset("x")),
            [Issue::invalid_type(
                Field::Offset,
                Expected::Number,
                Received::String
            )]
        );
    }

    #[test]
    fn query_filters() {
        let q = query(ClientQueryInput {
            status: Some("trial".to_owned()),
            business_type: Some(" automotive ".to_owned()),
            subscription_plan: Some("Pro".to_owned()),
            search: Some(" acme ".to_owned()),
            limit: Some("10".to_owned()),
            offset: Some("20".to_owned()),
            cursor: None,
        })
        .expect("valid");
        assert_eq!(
            q,
            ClientQuery {
                status: Some(Status::Trial),
                business_type: Some("automotive".to_owned()),
                subscription_plan: Some("Pro".to_owned()),
                search: Some("acme".to_owned()),
                limit: 10,
                offset: 20,
                cursor: None,
            }
        );
    }

    #[test]
    fn query_empty_filters_are_absent() {
        let blank = || Some("  ".to_owned());
        let q = query(ClientQueryInput {
            status: blank(),
            business_type: blank(),
            subscription_plan: Some(String::new()),
            search: blank(),
            limit: None,
            offset: None,
            cursor: blank(),
        })
        .expect("valid");
        assert_eq!(q, ClientQuery::default());
        // A page size or an offset is a number when it is given at all.
        let got = issues(query(ClientQueryInput {
            limit: Some(String::new()),
            offset: blank(),
            ..ClientQueryInput::default()
        }));
        assert_eq!(got.len(), 2, "{got:?}");
    }

    #[test]
    fn query_reports_every_bad_parameter() {
        let got = issues(query(ClientQueryInput {
            status: Some("gone".to_owned()),
            limit: Some("0".to_owned()),
            offset: Some("-5".to_owned()),
            ..ClientQueryInput::default()
        }));
        assert_eq!(
            got,
            [
                Issue::invalid_enum(Field::Status, Status::NAMES, "gone"),
                Issue::number_too_small(Field::Limit, 1),
                Issue::number_too_small(Field::Offset, 0),
            ]
        );
    }

    #[test]
    fn query_filters_follow_their_fields_rules() {
        let got = issues(query(ClientQueryInput {
            business_type: Some("a\u{0}b".to_owned()),
            subscription_plan: Some("p".repeat(101)),
            search: Some("\u{0}".to_owned()),
            ..ClientQueryInput::default()
        }));
        let kinds: Vec<(Field, &str)> = got.iter().map(|i| (i.field, i.kind.code())).collect();
        assert_eq!(
            kinds,
            [
                (Field::BusinessType, "invalid_string"),
                (Field::SubscriptionPlan, "too_big"),
                (Field::Query, "invalid_string"),
            ]
        );
        let long_search = query(ClientQueryInput {
            search: Some("q".repeat(DisplayName::MAX + 1)),
            ..ClientQueryInput::default()
        });
        assert_eq!(
            issues(long_search)[0],
            Issue::too_long(Field::Query, DisplayName::MAX)
        );
    }

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let id: ClientId = "01936f0e-8f5c-7d4a-9b1e-2f3a4b5c6d7e"
            .parse()
            .expect("uuid");
        let at =
            OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).expect("time");
        let cursor = Cursor::after(at, id);
        let text = cursor.encode();
        assert!(text.bytes().all(|b| b.is_ascii_hexdigit()), "{text}");
        assert_eq!(Cursor::decode(&text), Ok(cursor.clone()));
        assert_eq!(Cursor::decode(&format!(" {text} ")), Ok(cursor));
        let hex = |s: &str| s.bytes().map(|b| format!("{b:02x}")).collect::<String>();
        for bad in [
            String::new(),
            "zz".to_owned(),
            "abc".to_owned(),
            hex("c2.1.01936f0e-8f5c-7d4a-9b1e-2f3a4b5c6d7e"),
            hex("c1.x.01936f0e-8f5c-7d4a-9b1e-2f3a4b5c6d7e"),
            hex("c1.1.not an id"),
            hex("c1.99999999999999999999999999999.01936f0e-8f5c-7d4a-9b1e-2f3a4b5c6d7e"),
            hex("c1.1"),
            "ff".repeat(200),
        ] {
            let issue = Cursor::decode(&bad).expect_err("not a cursor");
            assert_eq!(
                (issue.field, issue.message.as_str()),
                (Field::Cursor, "Invalid cursor"),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_cursor_goes_with_no_offset() {
        let id: ClientId = "01936f0e-8f5c-7d4a-9b1e-2f3a4b5c6d7e"
            .parse()
            .expect("uuid");
        let text = Cursor::after(OffsetDateTime::UNIX_EPOCH, id).encode();
        let parse = |offset: Option<&str>| {
            ClientQuery::parse(ClientQueryInput {
                cursor: Some(text.clone()),
                offset: offset.map(str::to_owned),
                ..ClientQueryInput::default()
            })
        };
        assert!(parse(None).expect("cursor alone").cursor.is_some());
        assert!(parse(Some("0")).is_ok(), "offset 0 is no offset");
        let errors = parse(Some("5")).expect_err("cursor and offset");
        assert_eq!(errors.issues()[0].field, Field::Cursor);
        let errors = ClientQuery::parse(ClientQueryInput {
            cursor: Some("nonsense".to_owned()),
            ..ClientQueryInput::default()
        })
        .expect_err("a cursor the server never issued");
        assert_eq!(errors.issues()[0].field, Field::Cursor);
    }
}
