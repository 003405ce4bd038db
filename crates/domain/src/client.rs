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
            } else if ch.is_alphanumeric() {
                continue; // non-Latin letters and digits are dropped without a separator
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
        let status =
            update_field(&mut c, Field::Status, input.status, false).parse(&mut c, Status::parse);
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
        let business_type = nonempty(input.business_type);
        let subscription_plan = nonempty(input.subscription_plan);
        let search = nonempty(input.search);
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
