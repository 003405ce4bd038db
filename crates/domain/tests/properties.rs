//! Property tests for every normaliser and parser of the domain: normalising is idempotent, what
//! parses has the documented shape, and nothing panics on any input.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use clientele_domain::{
    ApiKeyId, ApiKeyName, BusinessType, ClientId, ClientInput, ClientName, ClientPatch,
    ClientQuery, ClientQueryInput, ClientSchema, ContactPerson, DisplayName, Email, Environment,
    Field, Input, Limit, NewClient, OrganizationId, OrganizationName, Password, PhoneNumber, Plan,
    PlanLabel, PlanLimits, Received, SignupFlow, Slug, SlugAttempt, Status, SubscriptionStatus,
    UserId, UserName, Website, is_cuid2, name_key, slug_attempts,
};
use proptest::prelude::*;

/// Any printable string, and any string at all (controls, surrogates' neighbours, every plane).
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC*",
        ".*",
        "[ \\t\\n]{0,3}[a-zA-Z0-9 .:/@+()\\-]{0,30}[ \\t\\n]{0,3}"
    ]
}

/// Phone-like input: digits, separators, a `+` here and there.
fn phone_like() -> impl Strategy<Value = String> {
    "[+]?[0-9 ()\\-+.]{0,24}"
}

/// Email-like input, mostly well formed, with case and odd characters mixed in.
fn email_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._+'-]{1,12}@[a-zA-Z0-9ÄÖÜäöüİẞß-]{1,10}(\\.[a-zA-Z0-9-]{1,8}){0,2}\\.[a-zA-ZÄÉ]{1,5}",
        "[ ]?[\\PC&&[^@]]{1,8}@[\\PC]{1,12}[ ]?",
    ]
}

/// Website-like input: optional scheme in any case, a host, a port, a path with odd characters.
fn website_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "(([hH][tT][tT][pP][sS]?|ftp|javascript)://)?[a-zA-Z0-9.-]{1,15}(:[0-9]{0,6})?([/?#][a-zA-Z0-9/?#=.:&%é-]{0,15})?",
        "(https?://)?\\[[0-9a-fA-F:]{2,12}\\](:[0-9]{1,5})?(/[a-z]{0,5})?",
        "(https?://)?[0-9]{1,3}(\\.[0-9]{1,3}){2,3}(:[0-9]{1,5})?",
    ]
}

/// Name-like input, to reach the slug's transliteration and separators often.
fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC*",
        "[a-zA-Z0-9 àéîõüßÆŒøłþÉÜ東京🚀'&.,!_-]{0,80}",
        "[a-zA-Z\u{0300}-\u{036F}\u{200D} ]{0,30}",
    ]
}

fn any_input() -> impl Strategy<Value = Input> {
    prop_oneof![
        Just(Input::Missing),
        Just(Input::Null),
        any_text().prop_map(Input::Text),
        "[ ]{0,2}".prop_map(Input::Text),
        prop_oneof![
            Just(Received::Number),
            Just(Received::Boolean),
            Just(Received::Array),
            Just(Received::Object),
        ]
        .prop_map(Input::Other),
    ]
}

fn any_client_input() -> impl Strategy<Value = ClientInput> {
    (
        (any_input(), any_input(), any_input()),
        (any_input(), any_input(), any_input()),
        (any_input(), any_input(), any_input()),
    )
        .prop_map(
            |(
                (name, display_name, business_type),
                (subscription_plan, status, contact_person),
                (contact_email, phone_number, domain),
            )| ClientInput {
                name,
                display_name,
                business_type,
                subscription_plan,
                status,
                contact_person,
                contact_email,
                phone_number,
                domain,
            },
        )
}

fn any_query_param() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        any_text().prop_map(Some),
        "-?[0-9]{1,22}".prop_map(Some),
    ]
}

fn any_query_input() -> impl Strategy<Value = ClientQueryInput> {
    (
        any_query_param(),
        any_query_param(),
        any_query_param(),
        any_query_param(),
        any_query_param(),
        any_query_param(),
    )
        .prop_map(
            |(status, business_type, subscription_plan, search, limit, offset)| ClientQueryInput {
                status,
                business_type,
                subscription_plan,
                search,
                limit,
                offset,
                cursor: None,
            },
        )
}

/// The order of a create or update request's fields, as the issues must follow it.
fn field_rank(field: Field) -> usize {
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
    .iter()
    .position(|&f| f == field)
    .unwrap()
}

/// `^\+?[0-9]{7,15}$`, by hand.
fn is_phone_shape(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or(s);
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

fn assert_slug_shape(slug: &str) {
    assert!(!slug.is_empty(), "empty slug");
    assert!(
        slug.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "{slug:?} has a character outside [a-z0-9-]"
    );
    assert!(!slug.starts_with('-') && !slug.ends_with('-'), "{slug:?}");
    assert!(!slug.contains("--"), "{slug:?}");
    assert!(
        slug.len() <= Slug::MAX_BASE,
        "{slug:?} is longer than the base"
    );
}

/// Creates a client of `id` under `base` in a store in miniature (the base's counter, the taken
/// slugs) that follows the slug policy; `None` when it gives up.
fn allocate_slug(
    base: &Slug,
    id: &ClientId,
    counter: &mut u64,
    taken: &mut HashSet<String>,
) -> Option<Slug> {
    slug_attempts(base, id).find_map(|attempt| {
        let slug = match attempt {
            SlugAttempt::Numbered { step } => {
                *counter += step;
                base.nth(*counter)
            }
            SlugAttempt::Exact(slug) => slug,
        };
        taken.insert(slug.as_str().to_owned()).then_some(slug)
    })
}

proptest! {
    // ----- idempotence -----

    #[test]
    fn name_trim_is_idempotent(raw in name_like()) {
        if let Ok(once) = ClientName::parse(&raw) {
            let twice = ClientName::parse(once.as_str()).unwrap();
            prop_assert_eq!(&twice, &once);
            prop_assert_eq!(once.as_str(), raw.trim());
        }
    }

    #[test]
    fn name_key_is_idempotent(raw in name_like()) {
        let once = name_key(&raw);
        prop_assert_eq!(name_key(&once), once.clone());
        if let Ok(name) = ClientName::parse(&raw) {
            prop_assert_eq!(name.key(), once);
        }
    }

    #[test]
    fn name_key_ignores_ascii_case(raw in "[a-zA-Z0-9 ]{1,40}") {
        prop_assert_eq!(name_key(&raw.to_uppercase()), name_key(&raw.to_lowercase()));
    }

    #[test]
    fn bounded_texts_are_idempotent(raw in any_text()) {
        if let Ok(v) = DisplayName::parse(&raw) {
            prop_assert_eq!(DisplayName::parse(v.as_str()).unwrap(), v);
        }
        if let Ok(v) = BusinessType::parse(&raw) {
            prop_assert_eq!(BusinessType::parse(v.as_str()).unwrap(), v);
        }
        if let Ok(v) = PlanLabel::parse(&raw) {
            prop_assert_eq!(PlanLabel::parse(v.as_str()).unwrap(), v);
        }
        if let Ok(v) = ContactPerson::parse(&raw) {
            prop_assert_eq!(ContactPerson::parse(v.as_str()).unwrap(), v);
        }
    }

    #[test]
    fn email_is_idempotent(raw in prop_oneof![email_like(), any_text()]) {
        if let Ok(once) = Email::parse(Field::ContactEmail, &raw) {
            let twice = Email::parse(Field::ContactEmail, once.as_str());
            prop_assert_eq!(twice.as_ref(), Ok(&once), "{:?} -> {:?}", raw, once);
            prop_assert!(once.as_str().chars().count() <= Email::MAX);
            prop_assert!(!once.as_str().contains(char::is_whitespace));
            let (local, domain) = once.as_str().rsplit_once('@').unwrap();
            prop_assert_eq!(domain, domain.to_lowercase());
            prop_assert_eq!(local, raw.trim().rsplit_once('@').unwrap().0);
        }
    }

    #[test]
    fn phone_is_idempotent_and_shaped(raw in prop_oneof![phone_like(), any_text()]) {
        if let Ok(once) = PhoneNumber::parse(&raw) {
            prop_assert!(is_phone_shape(once.as_str()), "{:?} -> {:?}", raw, once);
            prop_assert_eq!(PhoneNumber::parse(once.as_str()).unwrap(), once);
        }
    }

    #[test]
    fn phone_digits_in_range_always_parse(plus in any::<bool>(), digits in "[0-9]{7,15}") {
        let raw = if plus { format!("+{digits}") } else { digits };
        let parsed = PhoneNumber::parse(&raw).unwrap();
        prop_assert_eq!(parsed.as_str(), raw.as_str());
    }

    #[test]
    fn phone_digits_out_of_range_never_parse(digits in "[0-9]{0,6}|[0-9]{16,30}") {
        prop_assert!(PhoneNumber::parse(&digits).is_err());
        let plus = format!("+{digits}");
        prop_assert!(PhoneNumber::parse(&plus).is_err());
    }

    #[test]
    fn website_is_idempotent(raw in prop_oneof![website_like(), any_text()]) {
        if let Ok(once) = Website::parse(&raw) {
            let twice = Website::parse(once.as_str());
            prop_assert_eq!(twice.as_ref(), Ok(&once), "{:?} -> {:?}", raw, once);
            let s = once.as_str();
            prop_assert!(s.starts_with("https://") || s.starts_with("http://"), "{:?}", s);
            prop_assert!(s.chars().count() <= Website::MAX);
            prop_assert!(!s.contains(char::is_whitespace));
        }
    }

    #[test]
    fn slug_is_idempotent_and_shaped(raw in name_like()) {
        let slug = Slug::derive(&raw);
        assert_slug_shape(slug.as_str());
        prop_assert_eq!(Slug::derive(slug.as_str()), slug);
    }

    #[test]
    fn slug_suffixes_stay_url_safe(raw in name_like(), n in 2..10_000u64) {
        let base = Slug::derive(&raw);
        let nth = base.nth(n);
        prop_assert_eq!(nth.as_str(), format!("{}-{n}", base.as_str()));
        prop_assert!(!nth.as_str().contains("--"));
    }

    #[test]
    fn slug_policy_always_finds_a_free_slug(
        raw in name_like(),
        squatted in proptest::collection::btree_set(1..=2_000u64, 0..200),
        start in 0..5_000u64,
        ids in proptest::collection::btree_set(any::<u128>(), 1..40),
    ) {
        // Whatever numbers of the base are taken, and wherever its counter stands, every create
        // gets a slug of its own: numbered, or tagged with its (unique) id.
        let base = Slug::derive(&raw);
        let mut taken: HashSet<String> =
            squatted.iter().map(|&n| base.nth(n).as_str().to_owned()).collect();
        let mut counter = start;
        for id in ids {
            let id: ClientId = format!("{id:032x}").parse().unwrap();
            let slug = allocate_slug(&base, &id, &mut counter, &mut taken);
            prop_assert!(slug.is_some(), "no free slug for {} ({})", base, id);
            let slug = slug.unwrap();
            prop_assert!(slug.as_str().starts_with(base.as_str()), "{}", slug);
        }
    }

    // ----- no parser panics -----

    #[test]
    fn value_parsers_never_panic(raw in any_text()) {
        let _ = ClientName::parse(&raw);
        let _ = ClientName::parse_min(&raw, 2);
        let _ = DisplayName::parse(&raw);
        let _ = BusinessType::parse(&raw);
        let _ = PlanLabel::parse(&raw);
        let _ = ContactPerson::parse(&raw);
        let _ = Status::parse(&raw);
        let _ = Email::parse(Field::Email, &raw);
        let _ = PhoneNumber::parse(&raw);
        let _ = Website::parse(&raw);
        let _ = Slug::derive(&raw);
        let _ = name_key(&raw);
        let _ = Password::parse(&raw);
        let _ = OrganizationName::parse(&raw);
        let _ = UserName::parse(&raw);
        let _ = ApiKeyName::parse(&raw);
    }

    #[test]
    fn id_and_name_parsers_never_panic(raw in any_text()) {
        let _ = raw.parse::<OrganizationId>();
        let _ = raw.parse::<ApiKeyId>();
        let _ = raw.parse::<UserId>();
        let _ = raw.parse::<ClientId>();
        let _ = is_cuid2(&raw);
        let _ = raw.parse::<Plan>();
        let _ = raw.parse::<Limit>();
        let _ = PlanLimits::default().with_override(&raw);
        let _ = raw.parse::<SignupFlow>();
        let _ = raw.parse::<SubscriptionStatus>();
        let _ = raw.parse::<Environment>();
    }

    #[test]
    fn shaped_inputs_never_panic(
        email in email_like(),
        website in website_like(),
        phone in phone_like(),
    ) {
        let _ = Email::parse(Field::ContactEmail, &email);
        let _ = Website::parse(&website);
        let _ = PhoneNumber::parse(&phone);
    }

    #[test]
    fn client_ids_round_trip(raw in any_text()) {
        if let Ok(id) = raw.parse::<ClientId>() {
            prop_assert_eq!(id.as_str().parse::<ClientId>().unwrap(), id);
        }
    }

    #[test]
    fn create_parsing_never_panics_and_orders_issues(
        input in any_client_input(),
        app in any::<bool>(),
    ) {
        let schema = if app { ClientSchema::APP } else { ClientSchema::MANAGEMENT };
        match NewClient::parse(input, &schema) {
            Ok(client) => {
                prop_assert_eq!(ClientName::parse(client.name.as_str()).unwrap(), client.name);
                if app {
                    prop_assert!(client.domain.is_some());
                } else {
                    prop_assert!(client.business_type.is_some());
                    prop_assert!(client.subscription_plan.is_some());
                }
            }
            Err(errors) => {
                let ranks: Vec<usize> = errors.issues().iter().map(|i| field_rank(i.field)).collect();
                prop_assert!(!ranks.is_empty());
                prop_assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{:?}", errors);
            }
        }
    }

    #[test]
    fn update_parsing_never_panics_and_orders_issues(
        input in any_client_input(),
        app in any::<bool>(),
    ) {
        let schema = if app { ClientSchema::APP } else { ClientSchema::MANAGEMENT };
        match ClientPatch::parse(input, &schema) {
            Ok(patch) => {
                // The fields a schema requires are never cleared.
                if app {
                    prop_assert!(!matches!(patch.domain, clientele_domain::Patch::Clear));
                } else {
                    prop_assert!(!matches!(patch.business_type, clientele_domain::Patch::Clear));
                    prop_assert!(!matches!(patch.subscription_plan, clientele_domain::Patch::Clear));
                }
            }
            Err(errors) => {
                let ranks: Vec<usize> = errors.issues().iter().map(|i| field_rank(i.field)).collect();
                prop_assert!(!ranks.is_empty());
                prop_assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{:?}", errors);
            }
        }
    }

    #[test]
    fn query_parsing_never_panics(input in any_query_input()) {
        if let Ok(q) = ClientQuery::parse(input) {
            prop_assert!((1..=ClientQuery::MAX_LIMIT).contains(&q.limit));
            for filter in [&q.business_type, &q.subscription_plan, &q.search].into_iter().flatten() {
                prop_assert!(!filter.is_empty());
                prop_assert_eq!(filter.trim(), filter.as_str());
            }
        }
    }
}
