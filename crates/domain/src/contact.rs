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
        if !valid_local_part(local) || !valid_email_domain(domain) {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

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
    pub const MIN_DIGITS: usize = 7;
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

    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

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
        let (scheme, rest, bare) = match s.find("://") {
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

    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

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
