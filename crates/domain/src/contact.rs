//! Email addresses, phone numbers and websites: the contract's rules, stricter than garde's.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::validation::{Field, Issue, StringCheck};

const EMAIL_MESSAGE: &str = "Must be a valid email";
const URL_MESSAGE: &str = "Must be a valid URL";
const PHONE_MESSAGE: &str = "Phone number must be 7-15 digits with an optional leading +";

/// An email address `local@domain.tld`: no spaces, at most 255 characters, stored trimmed with the
/// domain part lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Most characters, before and after normalisation.
    pub const MAX: usize = 255;

    /// Parses an address for `field` (a client's contact email, a user's login email).
    ///
    /// # Errors
    /// `too_big` past 255 characters, `invalid_string` (email) for anything else.
    pub fn parse(field: Field, raw: &str) -> Result<Self, Issue> {
        let s = raw.trim();
        if s.chars().count() > Self::MAX {
            return Err(Issue::too_long(field, Self::MAX));
        }
        let invalid = || Issue::invalid_string(field, StringCheck::Email, EMAIL_MESSAGE);
        let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
        // The domain is checked as it will be stored: lowercasing can change a character into
        // several (`İ` → `i̇`), and what is stored must parse again.
        let domain = domain.to_lowercase();
        if !valid_local_part(local) || !valid_email_domain(&domain) {
            return Err(invalid());
        }
        let email = format!("{local}@{domain}");
        if email.chars().count() > Self::MAX {
            return Err(Issue::too_long(field, Self::MAX));
        }
        Ok(Self(email))
    }

    /// Restores a value this crate produced earlier (e.g. read back from storage), unchecked.
    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    /// The address as stored: trimmed, with the domain part lowercased.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used to compare addresses case-insensitively (a user's login email).
    #[must_use]
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-.";
    !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || SPECIALS.contains(c)
                || (!c.is_ascii() && c.is_alphanumeric())
        })
}

fn valid_email_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| valid_label(l, true))
        && tld.chars().count() >= 2
        && (tld.chars().all(char::is_alphabetic) || tld.to_ascii_lowercase().starts_with("xn--"))
}

/// A DNS label: 1–63 characters of letters, digits and `-`, not starting or ending with `-`.
fn valid_label(label: &str, allow_unicode: bool) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || c == '-'
                || (allow_unicode && !c.is_ascii() && c.is_alphanumeric())
        })
}

/// A phone number: whitespace, `-`, `(` and `)` stripped, then 7–15 digits with an optional
/// leading `+` (`+1 (555) 123-4567` → `+15551234567`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Fewest digits (the leading `+` does not count).
    pub const MIN_DIGITS: usize = 7;
    /// Most digits (the leading `+` does not count).
    pub const MAX_DIGITS: usize = 15;

    /// Strips the separators and checks `^\+?[0-9]{7,15}$`.
    ///
    /// # Errors
    /// `invalid_string` (regex) when the stripped form does not match.
    pub fn parse(raw: &str) -> Result<Self, Issue> {
        let stripped: String = raw
            .chars()
            .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '(' | ')')))
            .collect();
        let digits = stripped.strip_prefix('+').unwrap_or(&stripped);
        let ok = (Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Self(stripped))
        } else {
            Err(Issue::invalid_string(
                Field::PhoneNumber,
                StringCheck::Regex,
                PHONE_MESSAGE,
            ))
        }
    }

    /// Restores a value this crate produced earlier (e.g. read back from storage), unchecked.
    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    /// The number, normalised: digits with an optional leading `+`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client's website: an absolute `http`/`https` URL with a host, at most 2048 characters.
/// A bare host (`acme.com`, `acme.com/about`) is accepted as `https://acme.com`; scheme and host are
/// lowercased; user info, spaces and other schemes (`javascript:`, `mailto:`) are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Website(String);

impl Website {
    /// Most characters, before and after normalisation.
    pub const MAX: usize = 2048;

    /// Parses and normalises a website.
    ///
    /// # Errors
    /// `too_big` past 2048 characters, `invalid_string` (url) otherwise.
    pub fn parse(raw: &str) -> Result<Self, Issue> {
        let invalid = || Issue::invalid_string(Field::Domain, StringCheck::Url, URL_MESSAGE);
        let s = raw.trim();
        if s.chars().count() > Self::MAX {
            return Err(Issue::too_long(Field::Domain, Self::MAX));
        }
        if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        // A `://` after the first `/`, `?` or `#` is inside the path or query of a bare host
        // (`acme.com/login?next=https://...`), not the end of a scheme.
        let scheme_end = s.find("://").filter(|&i| !s[..i].contains(['/', '?', '#']));
        let (scheme, rest, bare) = match scheme_end {
            Some(i) => (s[..i].to_ascii_lowercase(), &s[i + 3..], false),
            None if has_other_scheme(s) => return Err(invalid()),
            None => ("https".to_owned(), s, true),
        };
        if scheme != "http" && scheme != "https" {
            return Err(invalid());
        }
        let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(split);
        let host_port = parse_authority(authority, bare).ok_or_else(invalid)?;
        let url = format!("{scheme}://{host_port}{tail}");
        if url.chars().count() > Self::MAX {
            return Err(Issue::too_long(Field::Domain, Self::MAX));
        }
        Ok(Self(url))
    }

    /// Restores a value this crate produced earlier (e.g. read back from storage), unchecked.
    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    /// The URL, normalised: always with its scheme, scheme and host lowercased.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Website {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `javascript:alert(1)`, `mailto:a@b.co`, `data:...`: a scheme without `//`. `acme.com:8080` is a
/// host and a port, not a scheme.
fn has_other_scheme(s: &str) -> bool {
    let Some((head, after)) = s.split_once(':') else {
        return false;
    };
    let scheme_like = head.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    let port_like = after.chars().next().is_some_and(|c| c.is_ascii_digit());
    scheme_like && !port_like
}

/// Validates `host[:port]` and returns it with the host lowercased. A bare host (no scheme given)
/// must contain a dot or be an IP address, so that a lone word is not taken for a website.
fn parse_authority(authority: &str, bare: bool) -> Option<String> {
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let (v6, after) = inner.split_once(']')?;
        v6.parse::<Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{}]", v6.to_ascii_lowercase()), port)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let host = host.to_ascii_lowercase();
        let is_ip = host.parse::<Ipv4Addr>().is_ok();
        let labels: Vec<&str> = host.split('.').collect();
        let all_numeric = labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit()));
        if !is_ip
            && (all_numeric || host.len() > 253 || !labels.iter().all(|l| valid_label(l, false)))
        {
            return None;
        }
        if bare && !is_ip && labels.len() < 2 {
            return None;
        }
        (host, port)
    };
    match port {
        None => Some(host),
        Some(p) => {
            let ok = !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
            let n: u32 = if ok { p.parse().ok()? } else { return None };
            (1..=65_535).contains(&n).then(|| format!("{host}:{p}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::IssueKind;

    fn email(raw: &str) -> Result<String, Issue> {
        Email::parse(Field::ContactEmail, raw).map(|e| e.as_str().to_owned())
    }

    fn invalid_email() -> Issue {
        Issue::invalid_string(
            Field::ContactEmail,
            StringCheck::Email,
            "Must be a valid email",
        )
    }

    #[test]
    fn email_valid_forms() {
        for raw in [
            "a@b.co",
            "john.doe@example.com",
            "first+tag@sub.example.org",
            "o'brien@example.ie",
            "x_y-z@a-b.example.museum",
            "üser@bücher.de",
            "user@xn--bcher-kva.xn--p1ai",
            "1234@example.com",
        ] {
            assert_eq!(email(raw).as_deref(), Ok(raw), "{raw}");
        }
    }

    #[test]
    fn email_is_trimmed_with_domain_lowercased_and_local_part_kept() {
        assert_eq!(
            email("  John.Doe@Example.COM \n").as_deref(),
            Ok("John.Doe@example.com")
        );
        assert_eq!(email("A@BÜCHER.DE").as_deref(), Ok("A@bücher.de"));
    }

    #[test]
    fn email_key_is_fully_lowercased() {
        let e = Email::parse(Field::Email, "John@Example.com").expect("valid");
        assert_eq!(e.as_str(), "John@example.com");
        assert_eq!(e.key(), "john@example.com");
        assert_eq!(e.to_string(), "John@example.com");
        assert_eq!(Email::from_trusted("x@y.zz".to_owned()).as_str(), "x@y.zz");
    }

    #[test]
    fn email_reports_its_field() {
        let issue = Email::parse(Field::Email, "nope").expect_err("invalid");
        assert_eq!(issue.field, Field::Email);
        assert_eq!(issue.message, "Must be a valid email");
    }

    #[test]
    fn email_invalid_forms() {
        for raw in [
            "",
            "   ",
            "plain",
            "@example.com",
            "user@",
            "a@b",
            "user@localhost",
            "us er@example.com",
            "user@exa mple.com",
            "a@b@example.com",
            ".user@example.com",
            "user.@example.com",
            "us..er@example.com",
            "user@.example.com",
            "user@example.com.",
            "user@example..com",
            "user@example.c",
            "user@example.c0m",
            "user@-example.com",
            "user@example-.com",
            "user@exa_mple.com",
            "user@[127.0.0.1]",
            "user@1.2.3.4",
            "\"quoted\"@example.com",
            "user\u{0}@example.com",
            "user@example.com\u{0}x",
            "<user@example.com>",
        ] {
            assert_eq!(email(raw), Err(invalid_email()), "{raw:?}");
        }
    }

    #[test]
    fn email_local_part_at_most_64() {
        let ok = format!("{}@example.com", "a".repeat(64));
        assert_eq!(email(&ok).as_deref(), Ok(ok.as_str()));
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(email(&long), Err(invalid_email()));
    }

    #[test]
    fn email_of_255_ok_256_too_big() {
        // 64 + 1 + (63 + 1 + 63 + 1 + 59 + 1 + 2) = 255
        let domain = format!(
            "{}.{}.{}.io",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(59)
        );
        let at_max = format!("{}@{domain}", "a".repeat(64));
        assert_eq!(at_max.chars().count(), 255);
        assert_eq!(email(&at_max).as_deref(), Ok(at_max.as_str()));
        let over = format!(
            "{}@{}.{}.{}.io",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(60)
        );
        assert_eq!(over.chars().count(), 256);
        let issue = email(&over).expect_err("too long");
        assert_eq!(issue, Issue::too_long(Field::ContactEmail, 255));
        assert_eq!(
            issue.kind,
            IssueKind::TooBig {
                maximum: 255,
                of: crate::validation::Expected::String
            }
        );
    }

    #[test]
    fn email_length_counts_after_trimming() {
        let at_max = format!(
            "{}@{}.{}.{}.io",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(59)
        );
        let padded = format!("   {at_max}   ");
        assert_eq!(email(&padded).as_deref(), Ok(at_max.as_str()));
    }

    #[test]
    fn email_label_of_64_is_invalid() {
        let raw = format!("a@{}.com", "b".repeat(64));
        assert_eq!(email(&raw), Err(invalid_email()));
    }

    #[test]
    fn email_domain_that_lowercases_badly_is_refused_not_stored_unparseable() {
        // 'İ' lowercases to "i̇" (with a combining dot), which is no label character: storing it
        // would keep an address that does not parse again.
        assert_eq!(email("a@İx.com"), Err(invalid_email()));
        assert_eq!(email("a@ẞ.de").as_deref(), Ok("a@ß.de"));
    }

    fn phone(raw: &str) -> Result<String, Issue> {
        PhoneNumber::parse(raw).map(|p| p.as_str().to_owned())
    }

    fn invalid_phone() -> Issue {
        Issue::invalid_string(
            Field::PhoneNumber,
            StringCheck::Regex,
            "Phone number must be 7-15 digits with an optional leading +",
        )
    }

    #[test]
    fn phone_digit_count_boundaries() {
        assert_eq!(phone("123456"), Err(invalid_phone()));
        assert_eq!(phone("1234567").as_deref(), Ok("1234567"));
        assert_eq!(phone("123456789012345").as_deref(), Ok("123456789012345"));
        assert_eq!(phone("1234567890123456"), Err(invalid_phone()));
        assert_eq!(phone("+123456"), Err(invalid_phone()));
        assert_eq!(phone("+1234567").as_deref(), Ok("+1234567"));
        assert_eq!(phone("+123456789012345").as_deref(), Ok("+123456789012345"));
        assert_eq!(phone("+1234567890123456"), Err(invalid_phone()));
    }

    #[test]
    fn phone_strips_separators() {
        assert_eq!(phone("+1 (555) 123-4567").as_deref(), Ok("+15551234567"));
        assert_eq!(phone(" 555\t123\u{a0}4567 ").as_deref(), Ok("5551234567"));
        assert_eq!(phone("(((555)))---1234567").as_deref(), Ok("5551234567"));
        assert_eq!(phone("+ 44 20 7946 0958").as_deref(), Ok("+442079460958"));
        let p = PhoneNumber::parse("+49 30 1234567").expect("valid");
        assert_eq!(p.to_string(), "+49301234567");
        assert_eq!(PhoneNumber::from_trusted("+1".to_owned()).as_str(), "+1");
    }

    #[test]
    fn phone_separators_do_not_count_as_digits() {
        assert_eq!(phone("12-34-56"), Err(invalid_phone()));
        assert_eq!(phone("(123) 456"), Err(invalid_phone()));
    }

    #[test]
    fn phone_invalid_forms() {
        for raw in [
            "",
            "   ",
            "+",
            "555-CALL-NOW",
            "12345a7",
            "++15551234567",
            "1+5551234567",
            "15551234567+",
            "555.123.4567",
            "+1/555/1234567",
            "#5551234567",
            "٥٥٥١٢٣٤٥٦٧",
            "５５５１２３４５６７",
            "555 123 4567 ext 2",
        ] {
            assert_eq!(phone(raw), Err(invalid_phone()), "{raw:?}");
        }
    }

    fn website(raw: &str) -> Result<String, Issue> {
        Website::parse(raw).map(|w| w.as_str().to_owned())
    }

    fn invalid_url() -> Issue {
        Issue::invalid_string(Field::Domain, StringCheck::Url, "Must be a valid URL")
    }

    #[test]
    fn website_bare_host_gets_https() {
        assert_eq!(website("acme.com").as_deref(), Ok("https://acme.com"));
        assert_eq!(website("  acme.com  ").as_deref(), Ok("https://acme.com"));
        assert_eq!(
            website("www.Acme.co.uk/About?x=1#top").as_deref(),
            Ok("https://www.acme.co.uk/About?x=1#top")
        );
        assert_eq!(
            website("acme.com?x=1").as_deref(),
            Ok("https://acme.com?x=1")
        );
    }

    #[test]
    fn website_scheme_and_host_lowercased_path_kept() {
        assert_eq!(
            website("https://Acme.COM/Path").as_deref(),
            Ok("https://acme.com/Path")
        );
        assert_eq!(website("HTTP://x.io").as_deref(), Ok("http://x.io"));
        assert_eq!(
            website("HtTpS://X.IO/A/b?Q=R#F").as_deref(),
            Ok("https://x.io/A/b?Q=R#F")
        );
        assert_eq!(
            website("http://acme.com/").as_deref(),
            Ok("http://acme.com/")
        );
        let w = Website::parse("acme.com").expect("valid");
        assert_eq!(w.to_string(), "https://acme.com");
        assert_eq!(Website::from_trusted("x".to_owned()).as_str(), "x");
    }

    #[test]
    fn website_ports() {
        assert_eq!(
            website("acme.com:8080").as_deref(),
            Ok("https://acme.com:8080")
        );
        assert_eq!(
            website("acme.com:8080/x").as_deref(),
            Ok("https://acme.com:8080/x")
        );
        assert_eq!(
            website("http://acme.com:1").as_deref(),
            Ok("http://acme.com:1")
        );
        assert_eq!(
            website("http://acme.com:65535").as_deref(),
            Ok("http://acme.com:65535")
        );
        for raw in [
            "acme.com:0",
            "acme.com:65536",
            "http://acme.com:0",
            "http://acme.com:65536",
            "http://acme.com:",
            "http://acme.com:99999999",
            "http://acme.com:80a",
            "http://acme.com:-1",
            "http://acme.com:+80",
        ] {
            assert_eq!(website(raw), Err(invalid_url()), "{raw}");
        }
    }

    #[test]
    fn website_ip_addresses() {
        assert_eq!(website("192.168.0.1").as_deref(), Ok("https://192.168.0.1"));
        assert_eq!(
            website("http://127.0.0.1:3000/x").as_deref(),
            Ok("http://127.0.0.1:3000/x")
        );
        assert_eq!(website("[::1]").as_deref(), Ok("https://[::1]"));
        assert_eq!(
            website("http://[::1]:8080/").as_deref(),
            Ok("http://[::1]:8080/")
        );
        assert_eq!(
            website("https://[2001:DB8::1]").as_deref(),
            Ok("https://[2001:db8::1]")
        );
        for raw in [
            "http://[::1",
            "http://[::g]",
            "http://[::1]x",
            "http://[::1]:0",
            "http://1.2.3",
            "http://999.1.1.1",
            "123",
        ] {
            assert_eq!(website(raw), Err(invalid_url()), "{raw}");
        }
    }

    #[test]
    fn website_localhost_needs_a_scheme() {
        assert_eq!(
            website("http://localhost:3000").as_deref(),
            Ok("http://localhost:3000")
        );
        assert_eq!(
            website("http://localhost").as_deref(),
            Ok("http://localhost")
        );
        assert_eq!(website("localhost"), Err(invalid_url()));
        assert_eq!(website("localhost:3000"), Err(invalid_url()));
        assert_eq!(website("acme"), Err(invalid_url()));
    }

    #[test]
    fn website_other_schemes_are_refused() {
        for raw in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "mailto:a@b.co",
            "ftp://x.io",
            "file:///etc/passwd",
            "data:text/html,hi",
            "ws://x.io",
            "http:/acme.com",
            "http:acme.com",
            "//acme.com",
            "://acme.com",
            "https://",
            "https:///path",
        ] {
            assert_eq!(website(raw), Err(invalid_url()), "{raw}");
        }
    }

    #[test]
    fn website_spaces_userinfo_and_bad_hosts_are_refused() {
        for raw in [
            "",
            "   ",
            "acme .com",
            "https://acme.com/a b",
            "https://acme.com/\u{7}",
            "https://u@x.io",
            "https://u:p@x.io",
            "u@x.io",
            "https://x.io\\@evil.com",
            "https://exa_mple.com",
            "https://-acme.com",
            "https://acme-.com",
            "https://acme..com",
            "https://acme.com.",
            "https://münchen.de",
            "https://%61cme.com",
        ] {
            assert_eq!(website(raw), Err(invalid_url()), "{raw:?}");
        }
    }

    #[test]
    fn website_bare_host_may_carry_a_url_in_its_query() {
        assert_eq!(
            website("acme.com/login?next=https://acme.com/x").as_deref(),
            Ok("https://acme.com/login?next=https://acme.com/x")
        );
        assert_eq!(
            website("https://acme.com/r?u=http://b.io").as_deref(),
            Ok("https://acme.com/r?u=http://b.io")
        );
    }

    #[test]
    fn website_of_2048_ok_2049_too_big() {
        let prefix = "https://acme.com/";
        let at_max = format!("{prefix}{}", "a".repeat(2048 - prefix.len()));
        assert_eq!(at_max.len(), 2048);
        assert_eq!(website(&at_max).as_deref(), Ok(at_max.as_str()));
        let over = format!("{at_max}a");
        assert_eq!(website(&over), Err(Issue::too_long(Field::Domain, 2048)));
    }

    #[test]
    fn website_bare_host_that_grows_past_the_maximum_is_too_big() {
        let bare = format!("acme.com/{}", "a".repeat(2048 - "acme.com/".len()));
        assert_eq!(bare.len(), 2048);
        assert_eq!(website(&bare), Err(Issue::too_long(Field::Domain, 2048)));
    }

    #[test]
    fn website_host_label_and_length_limits() {
        let label63 = format!("https://{}.com", "a".repeat(63));
        assert_eq!(website(&label63).as_deref(), Ok(label63.as_str()));
        let label64 = format!("https://{}.com", "a".repeat(64));
        assert_eq!(website(&label64), Err(invalid_url()));
        let host253 = format!(
            "{}.{}.{}.{}",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(61)
        );
        assert_eq!(host253.len(), 253);
        assert_eq!(
            website(&host253).as_deref(),
            Ok(format!("https://{host253}").as_str())
        );
        let host254 = format!("{host253}d");
        assert_eq!(website(&host254), Err(invalid_url()));
    }
}
