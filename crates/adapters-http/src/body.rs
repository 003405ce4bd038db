//! The JSON body of every write, on both surfaces.
//!
//! [`JsonBody`] is a *deferred* extractor: extracting it never fails and reads nothing, so the
//! handler decides when the body is read — after authentication (and the app API's gate), as the
//! contract's order of checks requires (actix polls a handler's extractors concurrently, so an
//! eager body extractor could answer 415 before an unauthenticated request got its 401).
//!
//! [`JsonBody::object`] then answers, in this order: 415 `unsupported_media_type` unless the
//! `Content-Type` is `application/json` (parameters such as `charset` allowed); 413
//! `payload_too_large` past the limit (checked on `Content-Length` and again while reading, so
//! nothing unbounded is buffered); 400 `invalid_json` for a body that is not JSON or not an object.
//! Its fields become domain [`Input`]s one by one, so a value of the wrong type is a zod
//! `invalid_type` issue and unknown fields are ignored.

use std::fmt::Write as _;
use std::future::{Ready, ready};

use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, dev, web};
use clientele_domain::{Input, Received};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::HttpSettings;

/// The contract's body limit: 64 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A request body not read yet. See the module documentation.
pub struct JsonBody {
    req: HttpRequest,
    payload: web::Payload,
}

impl std::fmt::Debug for JsonBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonBody").finish_non_exhaustive()
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut dev::Payload) -> Self::Future {
        let payload = web::Payload::from_request(req, payload).into_inner();
        ready(match payload {
            Ok(payload) => Ok(Self {
                req: req.clone(),
                payload,
            }),
            Err(e) => Err(ApiError::Internal(e.to_string().into())),
        })
    }
}

impl JsonBody {
    /// Reads the body (at most `settings.body_limit` bytes, within `settings.body_timeout`) and
    /// parses it as a JSON object.
    ///
    /// # Errors
    /// 415, 413, 408 `request_timeout` or 400 `invalid_json`, in that order.
    pub async fn object(self, settings: &HttpSettings) -> Result<JsonObject, ApiError> {
        let limit = settings.body_limit;
        require_json(&self.req)?;
        let declared = self
            .req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        let read = self.payload.to_bytes_limited(limit);
        let bytes = match actix_web::rt::time::timeout(settings.body_timeout, read).await {
            Err(_) => return Err(ApiError::RequestTimeout),
            Ok(Err(_)) => return Err(ApiError::PayloadTooLarge { limit }),
            Ok(Ok(Err(_))) => return Err(ApiError::InvalidJson),
            Ok(Ok(Ok(bytes))) => bytes,
        };
        JsonObject::parse(&bytes)
    }
}

/// 415 unless the request declares `application/json` (any parameters).
///
/// # Errors
/// [`ApiError::UnsupportedMediaType`].
pub fn require_json(req: &HttpRequest) -> Result<(), ApiError> {
    match req.mime_type() {
        Ok(Some(m)) if m.essence_str().eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType),
    }
}

/// A parsed JSON object body.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonObject(Map<String, Value>);

impl JsonObject {
    /// Parses `bytes` as a JSON object.
    ///
    /// # Errors
    /// [`ApiError::InvalidJson`] for anything else.
    ///
    /// A number too large for a double (`1e400`) is valid JSON that `serde_json` refuses: it is
    /// read as the number `0`, so that the field it is in gets the `invalid_type` issue a
    /// wrong-typed value gets ("received number"), with the body's other issues.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        let mut patched: Option<Vec<u8>> = None;
        // Each round replaces one out-of-range number; a body has only so many.
        for _ in 0..64 {
            let current = patched.as_deref().unwrap_or(bytes);
            match serde_json::from_slice::<Value>(current) {
                Ok(Value::Object(map)) => return Ok(Self(map)),
                Err(e) if e.to_string().starts_with("number out of range") => {
                    patched = Some(
                        zero_number_at(current, e.line(), e.column())
                            .ok_or(ApiError::InvalidJson)?,
                    );
                }
                _ => return Err(ApiError::InvalidJson),
            }
        }
        Err(ApiError::InvalidJson)
    }

    /// Takes the field `key` out as a domain input (absent, null, a string, or another type).
    pub fn take(&mut self, key: &str) -> Input {
        input_of(self.0.remove(key))
    }

    /// The SHA-256 (hex) of the canonical JSON of the body: keys sorted at every level, no
    /// whitespace. Two bodies that mean the same have the same fingerprint.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        let mut canonical = String::new();
        write_canonical_object(&self.0, &mut canonical);
        sha256_hex(canonical.as_bytes())
    }
}

/// `json` with the number literal around `line`:`column` (serde_json's 1-based position of an
/// error) replaced by `0`; `None` when there is no number there.
fn zero_number_at(json: &[u8], line: usize, column: usize) -> Option<Vec<u8>> {
    let line_start = if line <= 1 {
        0
    } else {
        json.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)?
    };
    let at = (line_start + column.saturating_sub(1)).min(json.len().saturating_sub(1));
    let numeric = |b: u8| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E');
    // The error may point at the number's last byte or just past it.
    let inside = if numeric(json[at]) {
        at
    } else if at > 0 && numeric(json[at - 1]) {
        at - 1
    } else {
        return None;
    };
    let start = json[..inside]
        .iter()
        .rposition(|b| !numeric(*b))
        .map_or(0, |i| i + 1);
    let end = json[inside..]
        .iter()
        .position(|b| !numeric(*b))
        .map_or(json.len(), |i| inside + i);
    if !is_json_number(&json[start..end]) {
        return None;
    }
    let mut out = Vec::with_capacity(json.len());
    out.extend_from_slice(&json[..start]);
    out.push(b'0');
    out.extend_from_slice(&json[end..]);
    Some(out)
}

/// Whether `token` is one JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn is_json_number(token: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut rest = token.strip_prefix(b"-").unwrap_or(token);
    let int = digits(rest);
    if int == 0 || (int > 1 && rest[0] == b'0') {
        return false;
    }
    rest = &rest[int..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    if let Some(exponent) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exponent = exponent
            .strip_prefix(b"+")
            .or_else(|| exponent.strip_prefix(b"-"))
            .unwrap_or(exponent);
        let n = digits(exponent);
        if n == 0 {
            return false;
        }
        rest = &exponent[n..];
    }
    rest.is_empty()
}

/// The SHA-256 of `bytes`, in lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// A JSON value as a domain input.
#[must_use]
pub fn input_of(value: Option<Value>) -> Input {
    match value {
        None => Input::Missing,
        Some(Value::Null) => Input::Null,
        Some(Value::String(s)) => Input::Text(s),
        Some(Value::Number(_)) => Input::Other(Received::Number),
        Some(Value::Bool(_)) => Input::Other(Received::Boolean),
        Some(Value::Array(_)) => Input::Other(Received::Array),
        Some(Value::Object(_)) => Input::Other(Received::Object),
    }
}

fn write_canonical_object(map: &Map<String, Value>, out: &mut String) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(k.clone()).to_string());
        out.push(':');
        write_canonical(v, out);
    }
    out.push('}');
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => write_canonical_object(map, out),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_objects_are_bodies() {
        assert!(JsonObject::parse(br#"{"a":1}"#).is_ok());
        for bad in [
            &b"[1,2]"[..],
            b"\"x\"",
            b"3",
            b"null",
            b"",
            b"{",
            b"{'a':1}",
        ] {
            assert!(matches!(JsonObject::parse(bad), Err(ApiError::InvalidJson)));
        }
    }

    /// Numbers past a double's range are numbers (an `invalid_type` for a text field), not
    /// invalid JSON; wherever they are, however many.
    #[test]
    fn out_of_range_numbers_are_numbers() {
        let mut o =
            JsonObject::parse(br#"{"name": 1e400, "type": -1E+999, "x": [2e308, {"y": 1e400}]}"#)
                .unwrap();
        assert_eq!(o.take("name"), Input::Other(Received::Number));
        assert_eq!(o.take("type"), Input::Other(Received::Number));
        assert_eq!(o.take("x"), Input::Other(Received::Array));
        let mut o = JsonObject::parse(b"{\n  \"a\": \"ok\",\n  \"name\":\n 1e400\n}").unwrap();
        assert_eq!(o.take("name"), Input::Other(Received::Number));
        assert_eq!(o.take("a"), Input::text("ok"));
        // Still invalid: a huge number that is the whole body, or broken JSON around one.
        for bad in [&b"1e400"[..], b"{\"a\": 1e400", b"{\"a\": 1e400e5}"] {
            assert!(
                matches!(JsonObject::parse(bad), Err(ApiError::InvalidJson)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn fields_become_inputs() {
        let mut o =
            JsonObject::parse(br#"{"s":"x","n":1,"b":true,"a":[],"o":{},"z":null}"#).unwrap();
        assert_eq!(o.take("s"), Input::text("x"));
        assert_eq!(o.take("n"), Input::Other(Received::Number));
        assert_eq!(o.take("b"), Input::Other(Received::Boolean));
        assert_eq!(o.take("a"), Input::Other(Received::Array));
        assert_eq!(o.take("o"), Input::Other(Received::Object));
        assert_eq!(o.take("z"), Input::Null);
        assert_eq!(o.take("missing"), Input::Missing);
    }

    #[test]
    fn fingerprints_ignore_key_order_and_whitespace() {
        let a = JsonObject::parse(br#"{"b":{"y":1,"x":[1,"2"]},"a":"v"}"#).unwrap();
        let b =
            JsonObject::parse(b"{ \"a\" : \"v\", \"b\": {\"x\": [1, \"2\"], \"y\": 1} }").unwrap();
        let c = JsonObject::parse(br#"{"a":"w","b":{"y":1,"x":[1,"2"]}}"#).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert_eq!(a.fingerprint().len(), 64);
    }
}
