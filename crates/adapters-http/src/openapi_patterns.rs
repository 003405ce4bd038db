//! The domain's text rules as the ECMA-262 patterns of the OpenAPI document, so that a client (or
//! a generator such as Schemathesis) knows what the server accepts.
//!
//! Values are trimmed (Rust's `char::is_whitespace`) before their length is checked, and may not
//! hold control characters: JSON Schema's `minLength`/`maxLength` measure the raw string, so the
//! bounds live in the pattern instead. The email and website patterns describe the ASCII subset
//! of what the domain accepts (the domain also takes internationalized names): every value they
//! match is accepted.

/// Whitespace, as `char::is_whitespace`.
const W: &str = r"[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// Neither a control character nor whitespace.
const N: &str = r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
/// Not a control character.
const M: &str = r"[^\x00-\x1F\x7F-\x9F]";

/// A trimmed text of `min..=max` characters without control characters; `min == 0`: an optional
/// value, blank counting as absent.
#[must_use]
pub fn text(min: usize, max: usize) -> String {
    let inner = max.saturating_sub(2);
    let core = match min {
        0 => format!("(?:{N}(?:{M}{{0,{inner}}}{N})?)?"),
        1 => format!("{N}(?:{M}{{0,{inner}}}{N})?"),
        _ => format!("{N}{M}{{{},{inner}}}{N}", min.saturating_sub(2)),
    };
    format!("^{W}*{core}{W}*$")
}

fn host() -> String {
    let label = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    format!(r"(?:{label}\.){{1,2}}[A-Za-z]{{2,63}}")
}

/// An email address (`local@domain.tld`); `required: false` also matches blank.
#[must_use]
pub fn email(required: bool) -> String {
    let local = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
    let address = format!(r"{local}{{1,20}}(?:\.{local}{{1,20}}){{0,2}}@{}", host());
    optional(&address, required)
}

/// A website: an `http(s)://` URL or a bare host, with an optional port and path.
#[must_use]
pub fn website(required: bool) -> String {
    let url = format!(
        r"(?:[Hh][Tt][Tt][Pp][Ss]?://)?{}(?::[1-9][0-9]{{0,3}})?(?:[/?#]{N}{{0,1800}})?",
        host()
    );
    optional(&url, required)
}

/// A phone number: 7–15 digits and an optional `+`, separated by whitespace, `(`, `)` or `-`;
/// blank counts as absent.
#[must_use]
pub fn phone() -> String {
    let s = r"[\t-\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000()-]";
    format!(r"^(?:{W}*|{s}*(?:\+{s}*)?(?:[0-9]{s}*){{7,15}})$")
}

fn optional(value: &str, required: bool) -> String {
    if required {
        format!("^{W}*{value}{W}*$")
    } else {
        format!("^{W}*(?:{value})?{W}*$")
    }
}
