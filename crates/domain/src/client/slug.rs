//! A client's slug: how a name becomes a URL handle, and which slugs a create tries when the
//! first one is taken.

use std::fmt;

use crate::ids::ClientId;

/// A URL-safe handle derived from the name: lowercase ASCII letters and digits separated by single
/// `-`, never empty, unique within its organization, never changed;
/// clashes get `-2`, `-3`, … ([`slug_attempts`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// Longest base (before any suffix).
    pub const MAX_BASE: usize = 60;
    /// The base used when a name has nothing transliterable (e.g. only CJK or emoji).
    pub const FALLBACK: &'static str = "client";
    /// How many numbered slugs a create tries ([`slug_attempts`]) before it tags the base with
    /// the client's id.
    pub const NUMBERED_ATTEMPTS: usize = 12;
    /// How many of the numbered attempts move the base's counter by 1; each later one doubles
    /// the step (2, 4, 8, …).
    pub const UNIT_STEPS: usize = 3;
    /// How many characters of the client's id the last attempts tag the base with
    /// ([`Slug::tagged`]), in order: 8, then all of them.
    pub const TAG_LENGTHS: [usize; 2] = [8, usize::MAX];

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

    /// Restores a value this crate produced earlier (e.g. read back from storage), unchecked.
    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    /// The slug.
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

/// One slug a create tries, in the order [`slug_attempts`] gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlugAttempt {
    /// Ask the base's counter (one per base, in the scope slugs are unique in)
    /// for its next number `n`, moving the counter by `step`, and try `base.nth(n)`
    /// ([`Slug::nth`]). A counter starts at 0, so the first number it hands out is 1: the bare
    /// base. (The first attempt's step is always 1, so a store that creates a missing counter at
    /// 1 hands out the same numbers.)
    Numbered {
        /// How far to move the counter: 1 for the first attempts, then doubling.
        step: u64,
    },
    /// Try this exact slug.
    Exact(Slug),
}

/// The slug allocation policy: the slugs a create of the client `id` tries, in order, for the
/// `base` slug of its name ([`Slug::derive`]). Every store follows it, so they all hand out the
/// same slugs.
///
/// 1. [`Slug::NUMBERED_ATTEMPTS`] (12) numbered attempts, moving the base's counter by 1, 1, 1,
///    then doubling steps (2, 4, … 512). A clash moves the counter on instead of retrying from
///    scratch, so even numbers taken on purpose by names like "Acme 2", "Acme 3", … are passed
///    in a few steps.
/// 2. The base tagged with the last 8 characters of the id ([`Slug::tagged`]), then with all of
///    it: the id is random and unique, so these need no counter.
///
/// A store tries them in order and keeps the first free slug; when none is free, it gives up
/// with an unexpected error.
pub fn slug_attempts(base: &Slug, id: &ClientId) -> impl Iterator<Item = SlugAttempt> + use<> {
    let numbered = (0..Slug::NUMBERED_ATTEMPTS).map(|attempt| SlugAttempt::Numbered {
        step: 1_u64 << attempt.saturating_sub(Slug::UNIT_STEPS - 1),
    });
    let tagged = Slug::TAG_LENGTHS.map(|len| SlugAttempt::Exact(base.tagged(id, len)));
    numbered.chain(tagged)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

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

    // ----- the allocation policy -----

    /// A store in miniature that follows the policy: a counter per base, and the taken slugs.
    #[derive(Default)]
    struct Store {
        counters: HashMap<String, u64>,
        taken: HashSet<String>,
    }

    impl Store {
        /// A store where these slugs are taken already.
        fn squatted(slugs: impl IntoIterator<Item = Slug>) -> Self {
            Self {
                taken: slugs.into_iter().map(|s| s.as_str().to_owned()).collect(),
                ..Self::default()
            }
        }

        /// The slug a create of `id` named `name` gets, or `None` when the store gives up.
        fn create(&mut self, name: &str, id: &ClientId) -> Option<Slug> {
            let base = Slug::derive(name);
            for attempt in slug_attempts(&base, id) {
                let slug = match attempt {
                    SlugAttempt::Numbered { step } => {
                        let counter = self.counters.entry(base.as_str().to_owned()).or_default();
                        *counter += step;
                        base.nth(*counter)
                    }
                    SlugAttempt::Exact(slug) => slug,
                };
                if self.taken.insert(slug.as_str().to_owned()) {
                    return Some(slug);
                }
            }
            None
        }
    }

    const ID: &str = "01936f0e-8f5c-7d4a-9b1e-2f3a4b5c6d7e";

    fn id(n: u128) -> ClientId {
        format!("{n:032x}").parse().expect("uuid")
    }

    fn steps(attempts: &[SlugAttempt]) -> Vec<u64> {
        attempts
            .iter()
            .filter_map(|a| match a {
                SlugAttempt::Numbered { step } => Some(*step),
                SlugAttempt::Exact(_) => None,
            })
            .collect()
    }

    #[test]
    fn slug_attempts_step_sequence() {
        let id: ClientId = ID.parse().expect("uuid");
        let attempts: Vec<SlugAttempt> = slug_attempts(&Slug::derive("Acme"), &id).collect();
        assert_eq!(Slug::NUMBERED_ATTEMPTS, 12);
        assert_eq!(
            attempts.len(),
            Slug::NUMBERED_ATTEMPTS + Slug::TAG_LENGTHS.len()
        );
        assert_eq!(
            steps(&attempts),
            [1, 1, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        );
        // Every numbered attempt comes before the tagged ones.
        assert!(
            attempts[..Slug::NUMBERED_ATTEMPTS]
                .iter()
                .all(|a| matches!(a, SlugAttempt::Numbered { .. }))
        );
    }

    #[test]
    fn slug_attempts_end_with_the_id_tags() {
        let base = Slug::derive("Acme");
        let id: ClientId = ID.parse().expect("uuid");
        let attempts: Vec<SlugAttempt> = slug_attempts(&base, &id).collect();
        assert_eq!(
            attempts[Slug::NUMBERED_ATTEMPTS..],
            [
                SlugAttempt::Exact(base.tagged(&id, 8)),
                SlugAttempt::Exact(base.tagged(&id, usize::MAX)),
            ]
        );
        assert_eq!(
            attempts[Slug::NUMBERED_ATTEMPTS..],
            [
                SlugAttempt::Exact(Slug::from_trusted("acme-4b5c6d7e".to_owned())),
                SlugAttempt::Exact(Slug::from_trusted(
                    "acme-01936f0e8f5c7d4a9b1e2f3a4b5c6d7e".to_owned()
                )),
            ]
        );
        // The policy depends on the base and the id only.
        assert_eq!(
            slug_attempts(&base, &id).collect::<Vec<_>>(),
            attempts,
            "deterministic"
        );
    }

    #[test]
    fn a_new_base_hands_out_the_bare_base_then_counts_up() {
        let mut store = Store::default();
        let slugs: Vec<String> = (0..4)
            .map(|n| store.create("Acme", &id(n)).expect("free").to_string())
            .collect();
        assert_eq!(slugs, ["acme", "acme-2", "acme-3", "acme-4"]);
    }

    #[test]
    fn the_numbers_a_fully_squatted_base_tries() {
        // A counter that hands out a number for every attempt, as on a clash each time.
        let mut counter = 0;
        let numbers: Vec<u64> =
            steps(&slug_attempts(&Slug::derive("x"), &id(1)).collect::<Vec<_>>())
                .into_iter()
                .map(|step| {
                    counter += step;
                    counter
                })
                .collect();
        assert_eq!(numbers, [1, 2, 3, 5, 9, 17, 33, 65, 129, 257, 513, 1025]);
    }

    #[test]
    fn squatted_numbers_are_passed_in_a_few_steps() {
        // "Acme", "Acme 2", … "Acme 40" took acme, acme-2, … acme-40 on purpose.
        let mut store = Store::default();
        for n in 1..=40_u64 {
            let name = if n == 1 {
                "Acme".to_owned()
            } else {
                format!("Acme {n}")
            };
            let slug = store.create(&name, &id(u128::from(n))).expect("free");
            assert_eq!(slug, Slug::derive("Acme").nth(n));
        }
        // Other names of the same base: the counter is at 1 ("Acme"), so 2, 3, 4, 6, 10, 18, 34
        // are tried and taken, and 66 is free.
        let mut slugs = Vec::new();
        for (n, name) in (1_000..).zip(["ACME", "Acme!", "acme.", "(Acme)"]) {
            let slug = store.create(name, &id(n)).expect("a free slug");
            slugs.push(slug.to_string());
        }
        assert_eq!(slugs, ["acme-66", "acme-67", "acme-68", "acme-69"]);
        // And many more creates of that base always find one.
        for n in 0..200 {
            assert!(
                store.create("Acme", &id(10_000 + n)).is_some(),
                "create {n}"
            );
        }
        assert_eq!(store.taken.len(), 40 + 4 + 200);
    }

    #[test]
    fn squatted_slugs_are_passed_from_any_counter() {
        let base = Slug::derive("Acme");
        let squatted = (1..=40).map(|n| base.nth(n));
        for start in 0..=45 {
            let mut store = Store::squatted(squatted.clone());
            store.counters.insert("acme".to_owned(), start);
            let slug = store.create("Acme", &id(1)).expect("a free slug");
            assert_eq!(store.taken.len(), 41, "{start}: {slug}");
            assert!(
                (41..=start + 65).any(|n| base.nth(n) == slug),
                "{start}: {slug}"
            );
        }
    }

    #[test]
    fn past_every_numbered_slug_the_id_tags_the_base() {
        let base = Slug::derive("Acme");
        let id: ClientId = ID.parse().expect("uuid");
        let numbered = || (1..=1025).map(|n| base.nth(n));
        let mut store = Store::squatted(numbered());
        assert_eq!(
            store.create("Acme", &id).map(|s| s.to_string()).as_deref(),
            Some("acme-4b5c6d7e")
        );
        let mut store = Store::squatted(numbered().chain([base.tagged(&id, 8)]));
        assert_eq!(
            store.create("Acme", &id).map(|s| s.to_string()).as_deref(),
            Some("acme-01936f0e8f5c7d4a9b1e2f3a4b5c6d7e")
        );
        // With those taken too, the store gives up.
        let tags = [base.tagged(&id, 8), base.tagged(&id, usize::MAX)];
        let mut store = Store::squatted(numbered().chain(tags));
        assert_eq!(store.create("Acme", &id), None);
    }
}
