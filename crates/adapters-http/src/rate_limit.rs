//! Rate limits: the allowances (per API key, per client address, per account), the buckets they
//! count in, and the `RateLimit-*` headers.
//!
//! Counting is the [`RateLimiter`](clientele_ports::RateLimiter) port's: [`AppState`] holds an in-process
//! [`LocalRateLimiter`](clientele_ports::LocalRateLimiter) unless the server gives it a shared one
//! (every instance on one PostgreSQL database then draws on one allowance).

use std::net::IpAddr;

use actix_web::HttpMessage as _;
use actix_web::HttpRequest;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use clientele_domain::ApiKeyId;
use clientele_ports::{Quota, RateDecision, Store};

use crate::error::ApiError;
use crate::state::AppState;

/// Which allowance a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateClass {
    /// `POST /v1/clients`, per API key.
    Create,
    /// Every other request authenticated by an API key, per key.
    Other,
    /// `POST /api/auth/{login,signup,resend-verification}`, per client address.
    AuthAddress,
    /// The same endpoints, per account (the email signed up or logged in with, or the user's).
    AuthAccount,
}

impl RateClass {
    /// The `limit` label of `clientele_rate_limited_total`.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Other => "other",
            Self::AuthAddress => "auth_address",
            Self::AuthAccount => "auth_account",
        }
    }
}

/// Requests per minute of each class; `0` turns a class off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /v1/clients` requests a key may make a minute ([`RateClass::Create`]). Defaults to
    /// [`Self::DEFAULT_CREATE_PER_MINUTE`].
    pub create_per_minute: u32,
    /// Other management API requests a key may make a minute ([`RateClass::Other`]). Defaults
    /// to [`Self::DEFAULT_OTHER_PER_MINUTE`].
    pub other_per_minute: u32,
    /// Log-in, sign-up and resend requests a client address may make a minute
    /// ([`RateClass::AuthAddress`]). Defaults to [`Self::DEFAULT_AUTH_PER_MINUTE`].
    pub auth_per_minute: u32,
    /// Log-in, sign-up and resend requests for one account a minute ([`RateClass::AuthAccount`]):
    /// bounds password guessing against one account from many addresses. Defaults to
    /// [`Self::DEFAULT_LOGIN_PER_MINUTE`].
    pub login_per_minute: u32,
}

impl RateLimits {
    /// `POST /v1/clients` a minute per key, as the seed's product documents.
    pub const DEFAULT_CREATE_PER_MINUTE: u32 = 10;
    /// Every other request a minute per key.
    pub const DEFAULT_OTHER_PER_MINUTE: u32 = 600;
    /// Authentication requests a minute per client address.
    pub const DEFAULT_AUTH_PER_MINUTE: u32 = 30;
    /// Authentication requests a minute per account.
    pub const DEFAULT_LOGIN_PER_MINUTE: u32 = 10;

    /// The allowance of `class` a minute (`0`: none).
    #[must_use]
    pub const fn per_minute(&self, class: RateClass) -> u32 {
        match class {
            RateClass::Create => self.create_per_minute,
            RateClass::Other => self.other_per_minute,
            RateClass::AuthAddress => self.auth_per_minute,
            RateClass::AuthAccount => self.login_per_minute,
        }
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            create_per_minute: Self::DEFAULT_CREATE_PER_MINUTE,
            other_per_minute: Self::DEFAULT_OTHER_PER_MINUTE,
            auth_per_minute: Self::DEFAULT_AUTH_PER_MINUTE,
            login_per_minute: Self::DEFAULT_LOGIN_PER_MINUTE,
        }
    }
}

/// The bucket of an API key's allowance.
#[must_use]
pub fn key_bucket(key: ApiKeyId, class: RateClass) -> String {
    format!("key:{key}:{}", class.label())
}

/// Counts one request of `class` in `bucket`: 429 `rate_limited` with `Retry-After` past the
/// allowance, 503 when a shared limiter cannot be reached. The decision with the fewest requests
/// left is kept on the request for the `RateLimit-*` headers ([`add_headers`]).
pub(crate) async fn check<S: Store>(
    state: &AppState<S>,
    req: &HttpRequest,
    class: RateClass,
    bucket: &str,
) -> Result<(), ApiError> {
    let limit = state.settings.rate_limits.per_minute(class);
    if limit == 0 {
        return Ok(());
    }
    let decision = state
        .limiter
        .hit(bucket, Quota::per_minute(limit))
        .await
        .map_err(|e| ApiError::Unavailable(Box::new(e)))?;
    {
        let mut ext = req.extensions_mut();
        let keep = ext
            .get::<RateDecision>()
            .is_none_or(|kept| decision.remaining < kept.remaining || !decision.allowed);
        if keep {
            ext.insert(decision);
        }
    }
    if decision.allowed {
        Ok(())
    } else {
        state.metrics.rate_limited(class.label());
        Err(ApiError::RateLimited {
            retry_after: decision.reset_seconds(),
        })
    }
}

/// Adds `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds) of `decision`.
pub(crate) fn add_headers(headers: &mut HeaderMap, decision: &RateDecision) {
    for (name, value) in [
        ("ratelimit-limit", u64::from(decision.limit)),
        ("ratelimit-remaining", u64::from(decision.remaining)),
        ("ratelimit-reset", decision.reset_seconds()),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

/// Counts an authentication request against its client address.
pub(crate) async fn check_auth_address<S: Store>(
    state: &AppState<S>,
    req: &HttpRequest,
) -> Result<(), ApiError> {
    let address = client_address(req, &state.settings.trusted_proxies)
        .map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    check(
        state,
        req,
        RateClass::AuthAddress,
        &format!("auth:addr:{address}"),
    )
    .await
}

/// Counts an authentication request against the account of `email` (compared ignoring ASCII
/// case and surrounding spaces; whether the account exists does not matter). The bucket is named
/// by the SHA-256 of the address: a shared limiter stores bucket names, and those must neither
/// keep the addresses people typed nor grow with what a client sends.
pub(crate) async fn check_auth_account<S: Store>(
    state: &AppState<S>,
    req: &HttpRequest,
    email: &str,
) -> Result<(), ApiError> {
    check(state, req, RateClass::AuthAccount, &account_bucket(email)).await
}

/// `auth:acct:` and the SHA-256 (hex) of the trimmed, ASCII-lowercased `email`.
fn account_bucket(email: &str) -> String {
    let hash = crate::body::sha256_hex(email.trim().to_ascii_lowercase().as_bytes());
    format!("auth:acct:{hash}")
}

/// The address of the client: the peer's, or — when the peer is one of `trusted` proxies — the
/// nearest address of `X-Forwarded-For` that is not itself a trusted proxy (the proxies append
/// to the header, so the entries left of it are the client's claims and not believed).
#[must_use]
pub fn client_address(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip())?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let entries: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actix_web::test::TestRequest;

    fn nets(s: &[&str]) -> Vec<ipnet::IpNet> {
        s.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn account_buckets_hold_no_address_and_have_one_size() {
        let a = account_bucket(" Ann@Example.com ");
        assert_eq!(a, account_bucket("ann@example.com"));
        assert!(!a.contains("ann"));
        assert_eq!(account_bucket(&"x".repeat(6000)).len(), a.len());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let peer = "10.0.0.5:4000".parse().unwrap();
        let req = TestRequest::default()
            .peer_addr(peer)
            .insert_header(("x-forwarded-for", "6.6.6.6, 203.0.113.9"))
            .to_http_request();
        assert_eq!(
            client_address(&req, &[]),
            Some("10.0.0.5".parse().unwrap()),
            "no trusted proxy: the peer"
        );
        assert_eq!(
            client_address(&req, &nets(&["10.0.0.0/8"])),
            Some("203.0.113.9".parse().unwrap()),
            "the address the trusted proxy saw, not what the client claimed left of it"
        );
        assert_eq!(
            client_address(&req, &nets(&["10.0.0.0/8", "203.0.113.9/32"])),
            Some("6.6.6.6".parse().unwrap()),
            "a chain of trusted proxies is walked"
        );
        let garbage = TestRequest::default()
            .peer_addr(peer)
            .insert_header(("x-forwarded-for", "not an address"))
            .to_http_request();
        assert_eq!(
            client_address(&garbage, &nets(&["10.0.0.0/8"])),
            Some("10.0.0.5".parse().unwrap())
        );
    }
}
