//! The Client entity, its value objects, and the parsing of create and update requests.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use crate::contact::{Email, PhoneNumber, Website};
use crate::ids::{ClientId, OrganizationId, UserId};
use crate::text::{bounded, bounded_text};
use crate::validation::{Collector, Expected, Field, Input, Issue, Received, ValidationErrors};

/// A client's name: trimmed, 1–200 characters, unique within its organization compared
/// case-insensitively ([`ClientName::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientName(String);

impl ClientName {
    pub const MIN: usize = 1;
    pub const MAX: usize = 200;

    /// Trims and checks `min..=200` characters (`min` is 1 on the management API, 2 on the app API).
    ///
    /// # Errors
    /// `too_small` / `too_big` on the name.
    pub fn parse_min(raw: &str, min: usize) -> Result<Self, Issue> {
        bounded(Field::Name, raw, min.max(Self::MIN), Self::MAX).map(Self)
    }

    /// [`ClientName::parse_min`] with the contract's minimum of 1.
    ///
    /// # Errors
    /// `too_small` / `too_big` on the name.
    pub fn parse(raw: &str) -> Result<Self, Issue> {
        Self::parse_min(raw, Self::MIN)
    }

    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalised form that uniqueness compares: the trimmed name, lowercased.
    #[must_use]
    pub fn key(&self) -> String {
        name_key(&self.0)
    }
}

/// The uniqueness key of any name: trimmed and lowercased (Unicode-aware).
#[must_use]
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl fmt::Display for ClientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A URL-safe handle derived from the name: lowercase ASCII letters and digits separated by single
/// `-`, never empty, unique across the installation (clashes get `-2`, `-3`, …), never changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// Longest base (before any suffix).
    pub const MAX_BASE: usize = 60;
    /// The base used when a name has nothing transliterable (e.g. only CJK or emoji).
    pub const FALLBACK: &'static str = "client";

    /// Derives the base slug of a name.
    #[must_use]
    pub fn derive(name: &str) -> Self {
        let mut out = String::with_capacity(name.len().min(Self::MAX_BASE));
        let mut pending_dash = false;
        for ch in name.chars().flat_map(char::to_lowercase) {
            let piece: Option<&str> = if ch.is_ascii_alphanumeric() {
                None
            } else if let Some(t) = transliterate(ch) {
                Some(t)
            } else if ch.is_alphanumeric() || is_mark(ch) {
                // Non-Latin letters and digits, and the combining accents of a decomposed (NFD)
                // name (`Zu\u{308}rich`), are dropped without a separator.
                continue;
            } else {
                pending_dash = true;
                continue;
            };
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            match piece {
                Some(t) => out.push_str(t),
                None => out.push(ch),
            }
            if out.len() >= Self::MAX_BASE {
                out.truncate(Self::MAX_BASE);
                break;
            }
        }
        let trimmed = out.trim_end_matches('-');
        if trimmed.is_empty() {
            Self(Self::FALLBACK.to_owned())
        } else {
            Self(trimmed.to_owned())
        }
    }

    /// The `n`-th slug of this base: the base itself for `n <= 1`, `base-n` after.
    #[must_use]
    pub fn nth(&self, n: u64) -> Self {
        if n <= 1 {
            self.clone()
        } else {
            Self(format!("{}-{n}", self.0))
        }
    }

    /// This base tagged with the last `len` letters and digits of a client's id (lowercased):
    /// unique without a counter, for when the numbered slugs of a base are taken. Both id forms
    /// end in random characters (UUIDv7's random bits, CUID2's hash).
    #[must_use]
    pub fn tagged(&self, id: &ClientId, len: usize) -> Self {
        let chars: Vec<char> = id
            .as_str()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let tail: String = chars[chars.len().saturating_sub(len)..].iter().collect();
        Self(format!("{}-{tail}", self.0))
    }

    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Combining marks, joiners and variation selectors: parts of the letter or symbol before them.
fn is_mark(ch: char) -> bool {
    matches!(
        ch,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{200C}'..='\u{200D}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Latin letters with diacritics and ligatures, to their ASCII spelling.
fn transliterate(ch: char) -> Option<&'static str> {
    Some(match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

bounded_text!(
    /// A public-facing label, ≤ 255 characters; the name stands in when there is none.
    DisplayName,
    Field::DisplayName,
    1,
    255
);
bounded_text!(
    /// Free-text business type (`automotive`), 1–100 characters.
    BusinessType,
    Field::BusinessType,
    1,
    100
);
bounded_text!(
    /// The client's subscription-plan label (`Pro`), 1–100 characters, stored as given (trimmed).
    /// Metadata only: unrelated to the organization's [`crate::Plan`].
    PlanLabel,
    Field::SubscriptionPlan,
    1,
    100
);
bounded_text!(
    /// The client's contact person, ≤ 255 characters.
    ContactPerson,
    Field::ContactPerson,
    1,
    255
);

/// A client's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Status {
    #[default]
    Active,
    Inactive,
    Trial,
    Churned,
    Pending,
}

impl Status {
    pub const NAMES: &'static [&'static str] =
        &["active", "inactive", "trial", "churned", "pending"];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Trial => "trial",
            Self::Churned => "churned",
            Self::Pending => "pending",
        }
    }

    /// Parses one of [`Status::NAMES`] (surrounding whitespace ignored).
    ///
    /// # Errors
    /// `invalid_enum_value` on the status.
    pub fn parse(raw: &str) -> Result<Self, Issue> {
        raw.parse()
            .map_err(|()| Issue::invalid_enum(Field::Status, Self::NAMES, raw))
    }
}

impl FromStr for Status {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "active" => Self::Active,
            "inactive" => Self::Inactive,
            "trial" => Self::Trial,
            "churned" => Self::Churned,
            "pending" => Self::Pending,
            _ => return Err(()),
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client of an agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: ClientId,
    pub organization_id: OrganizationId,
    /// The user who created it through the app API; `None` for API-key creations.
    pub created_by: Option<UserId>,
    pub name: ClientName,
    pub slug: Slug,
    pub display_name: Option<DisplayName>,
    pub business_type: Option<BusinessType>,
    pub subscription_plan: Option<PlanLabel>,
    pub status: Status,
    pub contact_person: Option<ContactPerson>,
    pub contact_email: Option<Email>,
    pub phone_number: Option<PhoneNumber>,
    pub domain: Option<Website>,
    pub created_at: OffsetDateTime,
    pub last_active_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Client {
    /// The public label: the display name, or the name when there is none.
    #[must_use]
    pub fn display_name(&self) -> &str {
        self.display_name
            .as_ref()
            .map_or(self.name.as_str(), DisplayName::as_str)
    }

    /// Applies a validated update at `now`. The id, organization, creator and slug never change.
    pub fn apply(&mut self, patch: ClientPatch, now: OffsetDateTime) {
        let ClientPatch {
            name,
            display_name,
            business_type,
            subscription_plan,
            status,
            contact_person,
            contact_email,
            phone_number,
            domain,
        } = patch;
        if let Some(name) = name {
            self.name = name;
        }
        if let Some(status) = status {
            self.status = status;
        }
        display_name.apply_to(&mut self.display_name);
        business_type.apply_to(&mut self.business_type);
        subscription_plan.apply_to(&mut self.subscription_plan);
        contact_person.apply_to(&mut self.contact_person);
        contact_email.apply_to(&mut self.contact_email);
        phone_number.apply_to(&mut self.phone_number);
        domain.apply_to(&mut self.domain);
        self.updated_at = now;
    }
}

/// Which fields a surface requires on create (the others are optional, and clearable with `null`
/// on update) and how short a name may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSchema {
    pub name_min: usize,
    pub required: &'static [Field],
}

impl ClientSchema {
    /// The management API: `name`, `type`, `subscription_plan` required; names of 1+ characters.
    pub const MANAGEMENT: Self = Self {
        name_min: 1,
        required: &[Field::Name, Field::BusinessType, Field::SubscriptionPlan],
    };
    /// The app API: `name` (2+ characters) and `domain` required.
    pub const APP: Self = Self {
        name_min: 2,
        required: &[Field::Name, Field::Domain],
    };

    fn requires(&self, field: Field) -> bool {
        self.required.contains(&field)
    }
}

/// A create or update request's fields, before parsing. A surface fills in the fields it exposes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInput {
    pub name: Input,
    pub display_name: Input,
    pub business_type: Input,
    pub subscription_plan: Input,
    pub status: Input,
    pub contact_person: Input,
    pub contact_email: Input,
    pub phone_number: Input,
    pub domain: Input,
}

/// A validated client to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    pub name: ClientName,
    pub display_name: Option<DisplayName>,
    pub business_type: Option<BusinessType>,
    pub subscription_plan: Option<PlanLabel>,
    pub status: Status,
    pub contact_person: Option<ContactPerson>,
    pub contact_email: Option<Email>,
    pub phone_number: Option<PhoneNumber>,
    pub domain: Option<Website>,
}

impl NewClient {
    /// A client with only a name, every optional field absent and the default status.
    #[must_use]
    pub fn named(name: ClientName) -> Self {
        Self {
            name,
            display_name: None,
            business_type: None,
            subscription_plan: None,
            status: Status::Active,
            contact_person: None,
            contact_email: None,
            phone_number: None,
            domain: None,
        }
    }

    /// Parses a create request under `schema`, reporting every failed rule.
    ///
    /// # Errors
    /// Every issue of the request, in field order.
    pub fn parse(input: ClientInput, schema: &ClientSchema) -> Result<Self, ValidationErrors> {
        let mut c = Collector::new();
        let name_min = schema.name_min;
        let field = |c: &mut Collector, f: Field, input: Input| -> FieldValue {
            create_field(c, f, input, f == Field::Name || schema.requires(f))
        };
        let name = field(&mut c, Field::Name, input.name)
            .parse(&mut c, |s| ClientName::parse_min(s, name_min));
        let display_name =
            field(&mut c, Field::DisplayName, input.display_name).parse(&mut c, DisplayName::parse);
        let business_type = field(&mut c, Field::BusinessType, input.business_type)
            .parse(&mut c, BusinessType::parse);
        let subscription_plan = field(&mut c, Field::SubscriptionPlan, input.subscription_plan)
            .parse(&mut c, PlanLabel::parse);
        let status = field(&mut c, Field::Status, input.status).parse(&mut c, Status::parse);
        let contact_person = field(&mut c, Field::ContactPerson, input.contact_person)
            .parse(&mut c, ContactPerson::parse);
        let contact_email = field(&mut c, Field::ContactEmail, input.contact_email)
            .parse(&mut c, |s| Email::parse(Field::ContactEmail, s));
        let phone_number =
            field(&mut c, Field::PhoneNumber, input.phone_number).parse(&mut c, PhoneNumber::parse);
        let domain = field(&mut c, Field::Domain, input.domain).parse(&mut c, Website::parse);
        c.check()?;
        let Some(Some(name)) = name else {
            // Unreachable: the name is always required, so a missing one recorded an issue.
            return Err(ValidationErrors::single(Issue::invalid_type(
                Field::Name,
                Expected::String,
                Received::Undefined,
            )));
        };
        Ok(Self {
            name,
            display_name: display_name.flatten(),
            business_type: business_type.flatten(),
            subscription_plan: subscription_plan.flatten(),
            status: status.flatten().unwrap_or_default(),
            contact_person: contact_person.flatten(),
            contact_email: contact_email.flatten(),
            phone_number: phone_number.flatten(),
            domain: domain.flatten(),
        })
    }
}

/// A field's raw state after the presence check: `Absent` (fine), `Failed` (issue recorded), or
/// text to parse.
enum FieldValue {
    Absent,
    Failed,
    Text(String),
}

impl FieldValue {
    /// `Some(Some(v))` parsed, `Some(None)` absent, `None` failed (the issue is in `c`).
    fn parse<T>(
        self,
        c: &mut Collector,
        parse: impl FnOnce(&str) -> Result<T, Issue>,
    ) -> Option<Option<T>> {
        match self {
            Self::Absent => Some(None),
            Self::Failed => None,
            Self::Text(s) => c.take(parse(&s)).map(Some),
        }
    }
}

/// The presence rules of a create: a required field must be a string (an empty one goes on to its
/// parser, which says why it is too short or invalid); an optional one may be absent, `null`, empty
/// or whitespace.
fn create_field(c: &mut Collector, field: Field, input: Input, required: bool) -> FieldValue {
    match input {
        Input::Text(s) if required || !s.trim().is_empty() => FieldValue::Text(s),
        Input::Text(_) | Input::Missing | Input::Null if !required => FieldValue::Absent,
        other => {
            c.push(Issue::invalid_type(
                field,
                Expected::String,
                other.received(),
            ));
            FieldValue::Failed
        }
    }
}

/// What an update does to one optional field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Absent from the request: unchanged.
    #[default]
    Keep,
    /// `null` (or empty): cleared.
    Clear,
    /// A new value.
    Set(T),
}

impl<T> Patch<T> {
    /// Applies this change to `slot`.
    pub fn apply_to(self, slot: &mut Option<T>) {
        match self {
            Self::Keep => {}
            Self::Clear => *slot = None,
            Self::Set(v) => *slot = Some(v),
        }
    }

    #[must_use]
    pub const fn is_keep(&self) -> bool {
        matches!(self, Self::Keep)
    }
}

/// A validated partial update: absent fields are kept, `null` clears an optional field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientPatch {
    pub name: Option<ClientName>,
    pub display_name: Patch<DisplayName>,
    pub business_type: Patch<BusinessType>,
    pub subscription_plan: Patch<PlanLabel>,
    pub status: Option<Status>,
    pub contact_person: Patch<ContactPerson>,
    pub contact_email: Patch<Email>,
    pub phone_number: Patch<PhoneNumber>,
    pub domain: Patch<Website>,
}

impl ClientPatch {
    /// Parses an update under `schema`: the fields it requires on create (and the name and status)
    /// cannot be cleared; the others can, with `null` or an empty string.
    ///
    /// # Errors
    /// Every issue of the request, in field order.
    pub fn parse(input: ClientInput, schema: &ClientSchema) -> Result<Self, ValidationErrors> {
        let mut c = Collector::new();
        let clearable = |f: Field| !schema.requires(f) && f != Field::Name && f != Field::Status;
        let name_min = schema.name_min;
        let name = update_field(&mut c, Field::Name, input.name, false)
            .parse(&mut c, |s| ClientName::parse_min(s, name_min));
        macro_rules! patch {
            ($f:expr, $input:expr, $parse:expr) => {
                update_field(&mut c, $f, $input, clearable($f)).patch(&mut c, $parse)
            };
        }
        let display_name = patch!(Field::DisplayName, input.display_name, DisplayName::parse);
        let business_type = patch!(
            Field::BusinessType,
            input.business_type,
            BusinessType::parse
        );
        let subscription_plan = patch!(
            Field::SubscriptionPlan,
            input.subscription_plan,
            PlanLabel::parse
        );
        let status =
            update_field(&mut c, Field::Status, input.status, false).parse(&mut c, Status::parse);
        let contact_person = patch!(
            Field::ContactPerson,
            input.contact_person,
            ContactPerson::parse
        );
        let contact_email = patch!(Field::ContactEmail, input.contact_email, |s| Email::parse(
            Field::ContactEmail,
            s
        ));
        let phone_number = patch!(Field::PhoneNumber, input.phone_number, PhoneNumber::parse);
        let domain = patch!(Field::Domain, input.domain, Website::parse);
        c.finish(|| Self {
            name: name.flatten(),
            display_name: display_name.unwrap_or_default(),
            business_type: business_type.unwrap_or_default(),
            subscription_plan: subscription_plan.unwrap_or_default(),
            status: status.flatten(),
            contact_person: contact_person.unwrap_or_default(),
            contact_email: contact_email.unwrap_or_default(),
            phone_number: phone_number.unwrap_or_default(),
            domain: domain.unwrap_or_default(),
        })
    }

    /// Whether the update changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.status.is_none()
            && self.display_name.is_keep()
            && self.business_type.is_keep()
            && self.subscription_plan.is_keep()
            && self.contact_person.is_keep()
            && self.contact_email.is_keep()
            && self.phone_number.is_keep()
            && self.domain.is_keep()
    }
}

/// An update field's raw state: kept, cleared, failed, or text to parse.
enum UpdateValue {
    Keep,
    Clear,
    Failed,
    Text(String),
}

impl UpdateValue {
    fn parse<T>(
        self,
        c: &mut Collector,
        parse: impl FnOnce(&str) -> Result<T, Issue>,
    ) -> Option<Option<T>> {
        self.patch(c, parse).map(|p| match p {
            Patch::Set(v) => Some(v),
            Patch::Keep | Patch::Clear => None,
        })
    }

    fn patch<T>(
        self,
        c: &mut Collector,
        parse: impl FnOnce(&str) -> Result<T, Issue>,
    ) -> Option<Patch<T>> {
        match self {
            Self::Keep => Some(Patch::Keep),
            Self::Clear => Some(Patch::Clear),
            Self::Failed => None,
            Self::Text(s) => c.take(parse(&s)).map(Patch::Set),
        }
    }
}

fn update_field(c: &mut Collector, field: Field, input: Input, clearable: bool) -> UpdateValue {
    match input {
        Input::Missing => UpdateValue::Keep,
        Input::Text(s) if clearable && s.trim().is_empty() => UpdateValue::Clear,
        Input::Null if clearable => UpdateValue::Clear,
        Input::Text(s) => UpdateValue::Text(s),
        other => {
            c.push(Issue::invalid_type(
                field,
                Expected::String,
                other.received(),
            ));
            UpdateValue::Failed
        }
    }
}

/// A list request: filters and a page, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientQuery {
    pub status: Option<Status>,
    pub business_type: Option<String>,
    pub subscription_plan: Option<String>,
    /// A case-insensitive substring of the name or the display name.
    pub search: Option<String>,
    pub limit: u32,
    pub offset: u64,
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
        }
    }
}

/// A list request's raw query parameters (absent ones are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientQueryInput {
    pub status: Option<String>,
    pub business_type: Option<String>,
    pub subscription_plan: Option<String>,
    pub search: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

impl ClientQuery {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 200;

    /// Parses list parameters: `limit` 1–200 (default 50), `offset` ≥ 0, a known status; empty
    /// filters count as absent.
    ///
    /// # Errors
    /// Every failed rule.
    pub fn parse(input: ClientQueryInput) -> Result<Self, ValidationErrors> {
        let mut c = Collector::new();
        let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let status = nonempty(input.status).and_then(|s| c.take(Status::parse(&s)));
        let limit = match nonempty(input.limit) {
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
        let offset = match nonempty(input.offset) {
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
        c.finish(|| Self {
            status,
            business_type,
            subscription_plan,
            search,
            limit: limit.unwrap_or(Self::DEFAULT_LIMIT),
            offset: offset.unwrap_or(0),
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
    use time::macros::datetime;

    use super::*;
    use crate::validation::{IssueKind, StringCheck};

    fn name(raw: &str) -> Result<String, Issue> {
        ClientName::parse(raw).map(|n| n.as_str().to_owned())
    }

    fn name_app(raw: &str) -> Result<String, Issue> {
        ClientName::parse_min(raw, ClientSchema::APP.name_min).map(|n| n.as_str().to_owned())
    }

    // ----- name -----

    #[test]
    fn name_length_boundaries() {
        assert_eq!(name(""), Err(Issue::too_short(Field::Name, 1)));
        assert_eq!(name("a").as_deref(), Ok("a"));
        assert_eq!(name("ab").as_deref(), Ok("ab"));
        let n200 = "n".repeat(200);
        assert_eq!(name(&n200).as_deref(), Ok(n200.as_str()));
        let issue = name(&"n".repeat(201)).expect_err("201");
        assert_eq!(issue, Issue::too_long(Field::Name, 200));
        assert_eq!(
            issue.kind,
            IssueKind::TooBig {
                maximum: 200,
                of: Expected::String
            }
        );
    }

    #[test]
    fn name_length_counts_characters_not_bytes() {
        let n200 = "é".repeat(200);
        assert_eq!(name(&n200).as_deref(), Ok(n200.as_str()));
        assert_eq!(
            name(&"é".repeat(201)),
            Err(Issue::too_long(Field::Name, 200))
        );
    }

    #[test]
    fn app_name_needs_two_characters() {
        let issue = name_app("a").expect_err("one character");
        assert_eq!(issue.message, "Name must be at least 2 characters");
        assert_eq!(
            issue.kind,
            IssueKind::TooSmall {
                minimum: 2,
                of: Expected::String
            }
        );
        assert_eq!(
            name_app(" a ").expect_err("trimmed to one").message,
            "Name must be at least 2 characters"
        );
        assert_eq!(
            name_app("").expect_err("empty").message,
            "Name must be at least 2 characters"
        );
        assert_eq!(name_app("ab").as_deref(), Ok("ab"));
        assert_eq!(
            name_app(&"n".repeat(201)),
            Err(Issue::too_long(Field::Name, 200))
        );
    }

    #[test]
    fn name_minimum_never_below_one() {
        assert_eq!(
            ClientName::parse_min("", 0),
            Err(Issue::too_short(Field::Name, 1))
        );
    }

    #[test]
    fn name_is_trimmed() {
        assert_eq!(name("  Acme Corp \t\n").as_deref(), Ok("Acme Corp"));
        assert_eq!(
            name(&format!("  {}  ", "n".repeat(200))).as_deref(),
            Ok("n".repeat(200).as_str())
        );
        assert_eq!(name("   "), Err(Issue::too_short(Field::Name, 1)));
        assert_eq!(
            name("\u{3000}\u{a0}"),
            Err(Issue::too_short(Field::Name, 1))
        );
    }

    #[test]
    fn name_refuses_control_characters() {
        let issue = name("Acme\u{0}Corp").expect_err("NUL");
        assert_eq!(
            issue.kind,
            IssueKind::InvalidString {
                validation: StringCheck::Regex
            }
        );
        assert_eq!(issue.field, Field::Name);
        assert!(name("Acme\nCorp").is_err());
        assert!(name("Acme\u{85}Corp").is_err());
    }

    #[test]
    fn name_key_is_case_insensitive_and_trimmed() {
        let a = ClientName::parse("  ACME Corp ").expect("valid");
        let b = ClientName::parse("acme corp").expect("valid");
        assert_ne!(a, b);
        assert_eq!(a.key(), "acme corp");
        assert_eq!(a.key(), b.key());
        assert_eq!(name_key(" ÉCOLE Zürich "), "école zürich");
        assert_eq!(name_key("ÉCOLE"), name_key("école"));
        assert_ne!(name_key("acme"), name_key("acme corp"));
        assert_eq!(ClientName::from_trusted("X".to_owned()).to_string(), "X");
    }

    // ----- slug -----

    fn slug(raw: &str) -> String {
        Slug::derive(raw).as_str().to_owned()
    }

    #[test]
    fn slug_of_ascii_names() {
        assert_eq!(slug("Acme Corp"), "acme-corp");
        assert_eq!(slug("ACME"), "acme");
        assert_eq!(slug("Web 2.0 Agency"), "web-2-0-agency");
        assert_eq!(slug("a"), "a");
        assert_eq!(slug("123"), "123");
    }

    #[test]
    fn slug_transliterates_accents() {
        assert_eq!(slug("Café Zürich"), "cafe-zurich");
        assert_eq!(slug("Straße"), "strasse");
        assert_eq!(slug("STRAẞE"), "strasse");
        assert_eq!(slug("Ærøskøbing Œuvre"), "aeroskobing-oeuvre");
        assert_eq!(slug("Łódź"), "lodz");
        assert_eq!(slug("Þór"), "thor");
        assert_eq!(slug("Crème Brûlée"), "creme-brulee");
    }

    #[test]
    fn slug_drops_combining_marks_without_a_separator() {
        // The same names in decomposed form (NFD), as macOS and some browsers send them.
        assert_eq!(slug("Cafe\u{301} Zu\u{308}rich"), "cafe-zurich");
        assert_eq!(slug("İstanbul"), "istanbul");
    }

    #[test]
    fn slug_falls_back_when_nothing_is_left() {
        assert_eq!(slug("株式会社"), "client");
        assert_eq!(slug("🚀🚀"), "client");
        assert_eq!(slug(""), "client");
        assert_eq!(slug("   "), "client");
        assert_eq!(slug("---"), "client");
        assert_eq!(slug("!!!"), "client");
        assert_eq!(Slug::FALLBACK, "client");
    }

    #[test]
    fn slug_drops_non_latin_letters_but_keeps_the_rest() {
        assert_eq!(slug("東京 Tokyo"), "tokyo");
        assert_eq!(slug("Acme 🚀 Rockets"), "acme-rockets");
        assert_eq!(slug("Acme東京Corp"), "acmecorp");
    }

    #[test]
    fn slug_collapses_punctuation() {
        assert_eq!(slug("  --Acme!!!  &  Co.--  "), "acme-co");
        assert_eq!(slug("a_b.c/d\\e"), "a-b-c-d-e");
        assert_eq!(slug("O'Brien & Sons, Ltd."), "o-brien-sons-ltd");
        assert_eq!(slug("a - - b"), "a-b");
    }

    #[test]
    fn slug_base_is_at_most_max_base() {
        assert_eq!(Slug::MAX_BASE, 60);
        let long = "a".repeat(100);
        assert_eq!(slug(&long), "a".repeat(60));
        // A separator that lands on the cut is dropped.
        let cut = format!("{} {}", "a".repeat(59), "b".repeat(10));
        assert_eq!(slug(&cut), "a".repeat(59));
        let exact = format!("{} {}", "a".repeat(58), "b".repeat(10));
        assert_eq!(slug(&exact), format!("{}-b", "a".repeat(58)));
        // A transliteration that straddles the cut is cut too.
        let straddle = format!("{}ß", "a".repeat(59));
        assert_eq!(slug(&straddle), format!("{}s", "a".repeat(59)));
    }

    #[test]
    fn slug_nth() {
        let base = Slug::derive("Acme Corp");
        assert_eq!(base.nth(0), base);
        assert_eq!(base.nth(1), base);
        assert_eq!(base.nth(2).as_str(), "acme-corp-2");
        assert_eq!(base.nth(3).to_string(), "acme-corp-3");
        assert_eq!(
            base.nth(u64::MAX).as_str(),
            format!("acme-corp-{}", u64::MAX)
        );
        assert_eq!(Slug::from_trusted("x-2".to_owned()).as_str(), "x-2");
    }

    // ----- other text fields -----

    #[test]
    fn display_name_up_to_255() {
        let ok = "d".repeat(255);
        assert_eq!(DisplayName::parse(&ok).map(DisplayName::into_inner), Ok(ok));
        assert_eq!(
            DisplayName::parse(&"d".repeat(256)),
            Err(Issue::too_long(Field::DisplayName, 255))
        );
        assert_eq!(
            DisplayName::parse(" Acme ").map(|d| d.as_str().to_owned()),
            Ok("Acme".to_owned())
        );
    }

    #[test]
    fn business_type_and_plan_label_1_to_100() {
        assert_eq!(
            BusinessType::parse(""),
            Err(Issue::too_short(Field::BusinessType, 1))
        );
        assert_eq!(
            BusinessType::parse("a").map(|b| b.to_string()),
            Ok("a".to_owned())
        );
        assert!(BusinessType::parse(&"b".repeat(100)).is_ok());
        assert_eq!(
            BusinessType::parse(&"b".repeat(101)),
            Err(Issue::too_long(Field::BusinessType, 100))
        );
        assert_eq!(
            PlanLabel::parse("  "),
            Err(Issue::too_short(Field::SubscriptionPlan, 1))
        );
        assert_eq!(
            PlanLabel::parse(" Pro Plus ").map(|p| p.as_ref().to_owned()),
            Ok("Pro Plus".to_owned())
        );
        assert!(PlanLabel::parse(&"p".repeat(100)).is_ok());
        assert_eq!(
            PlanLabel::parse(&"p".repeat(101)),
            Err(Issue::too_long(Field::SubscriptionPlan, 100))
        );
        assert_eq!(
            PlanLabel::parse(&"p".repeat(101)).expect_err("101").message,
            "Subscription plan must be at most 100 characters"
        );
    }

    #[test]
    fn contact_person_up_to_255() {
        assert!(ContactPerson::parse(&"c".repeat(255)).is_ok());
        assert_eq!(
            ContactPerson::parse(&"c".repeat(256)),
            Err(Issue::too_long(Field::ContactPerson, 255))
        );
        assert_eq!(ContactPerson::from_trusted("Jo".to_owned()).as_str(), "Jo");
    }

    // ----- status -----

    #[test]
    fn every_status_parses() {
        for (raw, status) in [
            ("active", Status::Active),
            ("inactive", Status::Inactive),
            ("trial", Status::Trial),
            ("churned", Status::Churned),
            ("pending", Status::Pending),
        ] {
            assert_eq!(Status::parse(raw), Ok(status));
            assert_eq!(status.as_str(), raw);
            assert_eq!(status.to_string(), raw);
        }
        assert_eq!(Status::parse(" trial "), Ok(Status::Trial));
        assert_eq!(Status::default(), Status::Active);
    }

    #[test]
    fn invalid_status_lists_the_options() {
        for raw in ["deleted", "Active", "", "ACTIVE"] {
            let issue = Status::parse(raw).expect_err(raw);
            assert_eq!(issue.field, Field::Status);
            assert_eq!(
                issue.kind,
                IssueKind::InvalidEnumValue {
                    options: &["active", "inactive", "trial", "churned", "pending"],
                    received: raw.to_owned()
                }
            );
        }
        assert_eq!(
            Status::parse("gone").expect_err("gone").message,
            "Invalid enum value. Expected 'active' | 'inactive' | 'trial' | 'churned' | 'pending', received 'gone'"
        );
    }

    // ----- create -----

    fn management_input() -> ClientInput {
        ClientInput {
            name: Input::text("Acme Corp"),
            business_type: Input::text("automotive"),
            subscription_plan: Input::text("Pro"),
            ..ClientInput::default()
        }
    }

    fn app_input() -> ClientInput {
        ClientInput {
            name: Input::text("Acme Corp"),
            domain: Input::text("acme.com"),
            ..ClientInput::default()
        }
    }

    fn issues(result: Result<impl fmt::Debug, ValidationErrors>) -> Vec<Issue> {
        result.expect_err("invalid request").into_issues()
    }

    fn required(field: Field) -> Issue {
        Issue::invalid_type(field, Expected::String, Received::Undefined)
    }

    #[test]
    fn management_create_minimal() {
        let c = NewClient::parse(management_input(), &ClientSchema::MANAGEMENT).expect("valid");
        assert_eq!(
            c,
            NewClient {
                business_type: Some(BusinessType::from_trusted("automotive".to_owned())),
                subscription_plan: Some(PlanLabel::from_trusted("Pro".to_owned())),
                ..NewClient::named(ClientName::from_trusted("Acme Corp".to_owned()))
            }
        );
        assert_eq!(c.status, Status::Active);
    }

    #[test]
    fn management_create_full_is_normalised() {
        let input = ClientInput {
            name: Input::text("  Acme Corp  "),
            display_name: Input::text(" ACME "),
            business_type: Input::text(" automotive "),
            subscription_plan: Input::text(" Pro "),
            status: Input::text("trial"),
            contact_person: Input::text(" Jane Doe "),
            contact_email: Input::text(" Jane@ACME.com "),
            phone_number: Input::text("+1 (555) 123-4567"),
            domain: Input::text("Acme.com/About"),
        };
        let c = NewClient::parse(input, &ClientSchema::MANAGEMENT).expect("valid");
        assert_eq!(c.name.as_str(), "Acme Corp");
        assert_eq!(
            c.display_name.as_ref().map(DisplayName::as_str),
            Some("ACME")
        );
        assert_eq!(
            c.business_type.as_ref().map(BusinessType::as_str),
            Some("automotive")
        );
        assert_eq!(
            c.subscription_plan.as_ref().map(PlanLabel::as_str),
            Some("Pro")
        );
        assert_eq!(c.status, Status::Trial);
        assert_eq!(
            c.contact_person.as_ref().map(ContactPerson::as_str),
            Some("Jane Doe")
        );
        assert_eq!(
            c.contact_email.as_ref().map(Email::as_str),
            Some("Jane@acme.com")
        );
        assert_eq!(
            c.phone_number.as_ref().map(PhoneNumber::as_str),
            Some("+15551234567")
        );
        assert_eq!(
            c.domain.as_ref().map(Website::as_str),
            Some("https://acme.com/About")
        );
    }

    #[test]
    fn management_create_required_fields_missing() {
        let got = issues(NewClient::parse(
            ClientInput::default(),
            &ClientSchema::MANAGEMENT,
        ));
        assert_eq!(
            got,
            [
                required(Field::Name),
                required(Field::BusinessType),
                required(Field::SubscriptionPlan)
            ]
        );
        assert!(got.iter().all(|i| i.message == "Required"));
    }

    #[test]
    fn required_fields_of_other_types() {
        for received in [
            Received::Null,
            Received::Number,
            Received::Boolean,
            Received::Array,
            Received::Object,
        ] {
            let input = ClientInput {
                name: if received == Received::Null {
                    Input::Null
                } else {
                    Input::Other(received)
                },
                ..management_input()
            };
            let got = issues(NewClient::parse(input, &ClientSchema::MANAGEMENT));
            assert_eq!(
                got,
                [Issue::invalid_type(Field::Name, Expected::String, received)],
                "{received:?}"
            );
            assert_eq!(
                got[0].message,
                format!("Expected string, received {}", received.as_str())
            );
        }
    }

    #[test]
    fn required_empty_strings_report_their_rule() {
        let input = ClientInput {
            name: Input::text("  "),
            business_type: Input::text(""),
            subscription_plan: Input::text(" "),
            ..ClientInput::default()
        };
        assert_eq!(
            issues(NewClient::parse(input, &ClientSchema::MANAGEMENT)),
            [
                Issue::too_short(Field::Name, 1),
                Issue::too_short(Field::BusinessType, 1),
                Issue::too_short(Field::SubscriptionPlan, 1),
            ]
        );
    }

    #[test]
    fn optional_empty_null_or_whitespace_is_absent() {
        for blank in [
            Input::Missing,
            Input::Null,
            Input::text(""),
            Input::text(" \t "),
        ] {
            let input = ClientInput {
                display_name: blank.clone(),
                status: blank.clone(),
                contact_person: blank.clone(),
                contact_email: blank.clone(),
                phone_number: blank.clone(),
                domain: blank.clone(),
                ..management_input()
            };
            let c = NewClient::parse(input, &ClientSchema::MANAGEMENT).expect("valid");
            assert_eq!(c.display_name, None);
            assert_eq!(c.status, Status::Active);
            assert_eq!(c.contact_person, None);
            assert_eq!(c.contact_email, None);
            assert_eq!(c.phone_number, None);
            assert_eq!(c.domain, None, "{blank:?}");
        }
    }

    #[test]
    fn optional_fields_of_other_types_are_invalid_type() {
        let input = ClientInput {
            display_name: Input::Other(Received::Number),
            status: Input::Other(Received::Boolean),
            domain: Input::Other(Received::Array),
            contact_email: Input::Other(Received::Object),
            ..management_input()
        };
        assert_eq!(
            issues(NewClient::parse(input, &ClientSchema::MANAGEMENT)),
            [
                Issue::invalid_type(Field::DisplayName, Expected::String, Received::Number),
                Issue::invalid_type(Field::Status, Expected::String, Received::Boolean),
                Issue::invalid_type(Field::ContactEmail, Expected::String, Received::Object),
                Issue::invalid_type(Field::Domain, Expected::String, Received::Array),
            ]
        );
    }

    #[test]
    fn five_bad_fields_yield_five_issues_in_field_order() {
        let input = ClientInput {
            name: Input::text(""),
            display_name: Input::text("d".repeat(256)),
            business_type: Input::text("automotive"),
            subscription_plan: Input::text("Pro"),
            status: Input::text("gone"),
            contact_person: Input::text("Jane"),
            contact_email: Input::text("not-an-email"),
            phone_number: Input::text("12"),
            domain: Input::text("https://acme.com"),
        };
        let got = issues(NewClient::parse(input, &ClientSchema::MANAGEMENT));
        assert_eq!(
            got,
            [
                Issue::too_short(Field::Name, 1),
                Issue::too_long(Field::DisplayName, 255),
                Issue::invalid_enum(Field::Status, Status::NAMES, "gone"),
                Issue::invalid_string(
                    Field::ContactEmail,
                    StringCheck::Email,
                    "Must be a valid email"
                ),
                Issue::invalid_string(
                    Field::PhoneNumber,
                    StringCheck::Regex,
                    "Phone number must be 7-15 digits with an optional leading +"
                ),
            ]
        );
    }

    #[test]
    fn app_create() {
        let c = NewClient::parse(
            ClientInput {
                contact_person: Input::text("Jane"),
                contact_email: Input::text("jane@Acme.com"),
                ..app_input()
            },
            &ClientSchema::APP,
        )
        .expect("valid");
        assert_eq!(c.name.as_str(), "Acme Corp");
        assert_eq!(
            c.domain.as_ref().map(Website::as_str),
            Some("https://acme.com")
        );
        assert_eq!(
            c.contact_email.as_ref().map(Email::as_str),
            Some("jane@acme.com")
        );
        assert_eq!(c.business_type, None);
        assert_eq!(c.subscription_plan, None);
    }

    #[test]
    fn app_create_requires_name_and_domain_only() {
        assert_eq!(
            issues(NewClient::parse(ClientInput::default(), &ClientSchema::APP)),
            [required(Field::Name), required(Field::Domain)]
        );
        let input = ClientInput {
            domain: Input::Null,
            ..app_input()
        };
        assert_eq!(
            issues(NewClient::parse(input, &ClientSchema::APP)),
            [Issue::invalid_type(
                Field::Domain,
                Expected::String,
                Received::Null
            )]
        );
    }

    #[test]
    fn app_create_uses_the_seed_messages() {
        let input = ClientInput {
            name: Input::text("A"),
            domain: Input::text("not a url"),
            contact_email: Input::text("nope"),
            ..ClientInput::default()
        };
        let got = issues(NewClient::parse(input, &ClientSchema::APP));
        let messages: Vec<&str> = got.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Name must be at least 2 characters",
                "Must be a valid email",
                "Must be a valid URL"
            ]
        );
        let fields: Vec<Field> = got.iter().map(|i| i.field).collect();
        assert_eq!(fields, [Field::Name, Field::ContactEmail, Field::Domain]);
        // An empty required domain is not a valid URL either.
        let input = ClientInput {
            domain: Input::text(""),
            ..app_input()
        };
        assert_eq!(
            issues(NewClient::parse(input, &ClientSchema::APP)),
            [Issue::invalid_string(
                Field::Domain,
                StringCheck::Url,
                "Must be a valid URL"
            )]
        );
    }

    // ----- update -----

    fn patch(input: ClientInput, schema: &ClientSchema) -> ClientPatch {
        ClientPatch::parse(input, schema).expect("valid patch")
    }

    #[test]
    fn empty_patch_keeps_everything() {
        let p = patch(ClientInput::default(), &ClientSchema::MANAGEMENT);
        assert!(p.is_empty());
        assert_eq!(p, ClientPatch::default());
    }

    #[test]
    fn patch_sets_values() {
        let p = patch(
            ClientInput {
                name: Input::text(" New Name "),
                status: Input::text("churned"),
                phone_number: Input::text("555 123 4567"),
                domain: Input::text("new.io"),
                ..ClientInput::default()
            },
            &ClientSchema::MANAGEMENT,
        );
        assert!(!p.is_empty());
        assert_eq!(
            p.name,
            Some(ClientName::from_trusted("New Name".to_owned()))
        );
        assert_eq!(p.status, Some(Status::Churned));
        assert_eq!(
            p.phone_number,
            Patch::Set(PhoneNumber::from_trusted("5551234567".to_owned()))
        );
        assert_eq!(
            p.domain,
            Patch::Set(Website::from_trusted("https://new.io".to_owned()))
        );
        assert_eq!(p.display_name, Patch::Keep);
    }

    #[test]
    fn null_or_empty_clears_optional_fields() {
        for blank in [Input::Null, Input::text(""), Input::text("  ")] {
            let p = patch(
                ClientInput {
                    display_name: blank.clone(),
                    contact_person: blank.clone(),
                    contact_email: blank.clone(),
                    phone_number: blank.clone(),
                    domain: blank.clone(),
                    ..ClientInput::default()
                },
                &ClientSchema::MANAGEMENT,
            );
            assert_eq!(
                p,
                ClientPatch {
                    display_name: Patch::Clear,
                    contact_person: Patch::Clear,
                    contact_email: Patch::Clear,
                    phone_number: Patch::Clear,
                    domain: Patch::Clear,
                    ..ClientPatch::default()
                },
                "{blank:?}"
            );
            assert!(!p.is_empty());
        }
    }

    #[test]
    fn null_on_name_status_and_required_fields_is_invalid_type() {
        let input = ClientInput {
            name: Input::Null,
            business_type: Input::Null,
            subscription_plan: Input::Null,
            status: Input::Null,
            ..ClientInput::default()
        };
        let null = |f| Issue::invalid_type(f, Expected::String, Received::Null);
        assert_eq!(
            issues(ClientPatch::parse(input, &ClientSchema::MANAGEMENT)),
            [
                null(Field::Name),
                null(Field::BusinessType),
                null(Field::SubscriptionPlan),
                null(Field::Status)
            ]
        );
    }

    #[test]
    fn empty_name_and_required_fields_are_too_short_on_update() {
        let input = ClientInput {
            name: Input::text(" "),
            business_type: Input::text(""),
            status: Input::text(""),
            ..ClientInput::default()
        };
        assert_eq!(
            issues(ClientPatch::parse(input, &ClientSchema::MANAGEMENT)),
            [
                Issue::too_short(Field::Name, 1),
                Issue::too_short(Field::BusinessType, 1),
                Issue::invalid_enum(Field::Status, Status::NAMES, ""),
            ]
        );
    }

    #[test]
    fn patch_issues_are_in_field_order() {
        let input = ClientInput {
            name: Input::Other(Received::Number),
            display_name: Input::text("d".repeat(256)),
            business_type: Input::text("b".repeat(101)),
            subscription_plan: Input::Other(Received::Array),
            status: Input::text("gone"),
            contact_person: Input::text("c".repeat(256)),
            contact_email: Input::text("a@b"),
            phone_number: Input::text("12"),
            domain: Input::text("javascript:alert(1)"),
        };
        let got = issues(ClientPatch::parse(input, &ClientSchema::MANAGEMENT));
        let fields: Vec<Field> = got.iter().map(|i| i.field).collect();
        assert_eq!(
            fields,
            [
                Field::Name,
                Field::DisplayName,
                Field::BusinessType,
                Field::SubscriptionPlan,
                Field::Status,
                Field::ContactPerson,
                Field::ContactEmail,
                Field::PhoneNumber,
                Field::Domain,
            ]
        );
    }

    #[test]
    fn app_patch_cannot_clear_domain_but_can_clear_contacts() {
        let input = ClientInput {
            domain: Input::Null,
            contact_email: Input::Null,
            ..ClientInput::default()
        };
        assert_eq!(
            issues(ClientPatch::parse(input, &ClientSchema::APP)),
            [Issue::invalid_type(
                Field::Domain,
                Expected::String,
                Received::Null
            )]
        );
        let p = patch(
            ClientInput {
                contact_email: Input::Null,
                contact_person: Input::text(""),
                ..ClientInput::default()
            },
            &ClientSchema::APP,
        );
        assert_eq!(p.contact_email, Patch::Clear);
        assert_eq!(p.contact_person, Patch::Clear);
        let short = ClientPatch::parse(
            ClientInput {
                name: Input::text("A"),
                domain: Input::text(""),
                ..ClientInput::default()
            },
            &ClientSchema::APP,
        );
        assert_eq!(
            issues(short),
            [
                Issue::too_short(Field::Name, 2),
                Issue::invalid_string(Field::Domain, StringCheck::Url, "Must be a valid URL"),
            ]
        );
    }

    #[test]
    fn patch_apply_to() {
        let mut slot = Some(1);
        Patch::Keep.apply_to(&mut slot);
        assert_eq!(slot, Some(1));
        Patch::Set(2).apply_to(&mut slot);
        assert_eq!(slot, Some(2));
        Patch::Clear.apply_to(&mut slot);
        assert_eq!(slot, None);
        assert!(Patch::<u8>::default().is_keep());
        assert!(!Patch::Set(1).is_keep());
    }

    // ----- the entity -----

    const CREATED: OffsetDateTime = datetime!(2024-03-15 10:30:00 UTC);
    const LATER: OffsetDateTime = datetime!(2024-03-16 08:00:00 UTC);

    fn client() -> Client {
        Client {
            id: "tz4a98xxat96iws9zmbrgj3a".parse().expect("cuid2"),
            organization_id: "0190f1a2-3b4c-7d5e-8f60-718293a4b5c6"
                .parse()
                .expect("uuid"),
            created_by: None,
            name: ClientName::from_trusted("Acme".to_owned()),
            slug: Slug::derive("Acme"),
            display_name: Some(DisplayName::from_trusted("ACME Inc.".to_owned())),
            business_type: Some(BusinessType::from_trusted("automotive".to_owned())),
            subscription_plan: Some(PlanLabel::from_trusted("Pro".to_owned())),
            status: Status::Active,
            contact_person: Some(ContactPerson::from_trusted("Jane".to_owned())),
            contact_email: Some(Email::from_trusted("jane@acme.com".to_owned())),
            phone_number: None,
            domain: Some(Website::from_trusted("https://acme.com".to_owned())),
            created_at: CREATED,
            last_active_at: CREATED,
            updated_at: CREATED,
        }
    }

    #[test]
    fn display_name_falls_back_to_the_name() {
        let mut c = client();
        assert_eq!(c.display_name(), "ACME Inc.");
        c.display_name = None;
        assert_eq!(c.display_name(), "Acme");
    }

    #[test]
    fn apply_changes_only_what_the_patch_says() {
        let mut c = client();
        let before = c.clone();
        let p = patch(
            ClientInput {
                name: Input::text("Acme Renamed"),
                status: Input::text("inactive"),
                display_name: Input::Null,
                phone_number: Input::text("+4930123456"),
                ..ClientInput::default()
            },
            &ClientSchema::MANAGEMENT,
        );
        c.apply(p, LATER);
        assert_eq!(c.name.as_str(), "Acme Renamed");
        assert_eq!(c.status, Status::Inactive);
        assert_eq!(c.display_name, None);
        assert_eq!(
            c.phone_number.as_ref().map(PhoneNumber::as_str),
            Some("+4930123456")
        );
        assert_eq!(c.updated_at, LATER);
        // Unchanged: identity, slug, creation, and every kept field.
        assert_eq!(c.id, before.id);
        assert_eq!(c.organization_id, before.organization_id);
        assert_eq!(c.created_by, before.created_by);
        assert_eq!(c.slug.as_str(), "acme");
        assert_eq!(c.created_at, CREATED);
        assert_eq!(c.last_active_at, CREATED);
        assert_eq!(c.business_type, before.business_type);
        assert_eq!(c.subscription_plan, before.subscription_plan);
        assert_eq!(c.contact_person, before.contact_person);
        assert_eq!(c.contact_email, before.contact_email);
        assert_eq!(c.domain, before.domain);
    }

    #[test]
    fn apply_of_an_empty_patch_only_touches_updated_at() {
        let mut c = client();
        c.apply(ClientPatch::default(), LATER);
        assert_eq!(
            c,
            Client {
                updated_at: LATER,
                ..client()
            }
        );
    }

    // ----- list queries -----

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
        assert_eq!(limit("").map(|q| q.limit), Ok(50));
        for bad in ["ten", "1.5", "1e2", "0x10", "99999999999999999999"] {
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
            limit: blank(),
            offset: blank(),
        })
        .expect("valid");
        assert_eq!(q, ClientQuery::default());
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
    fn slugs_tagged_with_the_id() {
        let base = Slug::derive("Dos");
        let uuid: ClientId = "01936F0E-8F5C-7D4A-9B1E-2F3A4B5C6D7E"
            .parse()
            .expect("uuid");
        assert_eq!(base.tagged(&uuid, 8).as_str(), "dos-4b5c6d7e");
        assert_eq!(
            base.tagged(&uuid, 64).as_str(),
            "dos-01936f0e8f5c7d4a9b1e2f3a4b5c6d7e"
        );
        let cuid: ClientId = "clx1a2b3c4d5e6f7g8h9i0j1k".parse().expect("cuid");
        assert_eq!(base.tagged(&cuid, 8).as_str(), "dos-8h9i0j1k");
    }
}
