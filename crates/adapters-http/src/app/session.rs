//! Sessions: the cookie, the allowed origins of cookie-authenticated writes, and the extractor of
//! a signed-in user.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev, web};
use clientele_domain::User;
use clientele_ports::{Account, Caller, NewSession, Store};
use time::OffsetDateTime;

use super::{UserEnvelope, account_error};
use crate::error::ApiError;
use crate::respond::json;
use crate::state::{AppState, HttpSettings};

/// The session cookie (as in the seed's example).
pub const SESSION_COOKIE: &str = "next-auth.session-token";
/// Its name when cookies are `Secure` (the `__Secure-` prefix requires it); accepted always.
pub const SECURE_SESSION_COOKIE: &str = "__Secure-next-auth.session-token";

/// The session token of a request's cookies (`next-auth.session-token` or its `__Secure-` form).
pub(super) fn session_token(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| {
            (*name == SESSION_COOKIE || *name == SECURE_SESSION_COOKIE) && !value.is_empty()
        })
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

fn cookie_name(settings: &HttpSettings) -> &'static str {
    if settings.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// `Set-Cookie` for a new session: `HttpOnly; SameSite=Lax; Path=/`, `Secure` when configured.
fn session_cookie(settings: &HttpSettings, session: &NewSession, now: OffsetDateTime) -> String {
    // Rounded: the session was stamped a moment before `now`.
    let max_age = ((session.expires_at - now).whole_milliseconds() + 500)
        .div_euclid(1000)
        .max(0);
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        cookie_name(settings),
        session.token.expose()
    )
}

/// `Set-Cookie` that removes the session cookie.
pub(super) fn cleared_cookie(settings: &HttpSettings) -> String {
    let secure = if settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT{secure}",
        cookie_name(settings)
    )
}

/// A write from a browser must come from an allowed origin when it says where it comes from
/// (cookies ride along on cross-site requests; `SameSite=Lax` alone does not cover every case).
pub(super) fn check_origin(req: &HttpRequest, settings: &HttpSettings) -> Result<(), ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().map_err(|_| ApiError::Forbidden)?;
    if settings.allows_origin(origin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// A signed-in app user. Answers 401 `unauthorized` without a valid, unexpired session, 403
/// `forbidden` for a write from an origin that is not allowed, 503 when the database is down.
///
/// An actix extractor: take it as a handler argument. It reads the session token from the
/// [`SESSION_COOKIE`] or [`SECURE_SESSION_COOKIE`] cookie, resolves it through
/// `AccountService::resolve_session`, then checks the `Origin` of a write (any method but `GET`,
/// `HEAD`, `OPTIONS`) against [`HttpSettings::allowed_origins`]. Without a registered
/// `web::Data<AppState<S>>` it answers 500 `internal`.
pub struct SessionAuth<S> {
    /// The signed-in user, as stored.
    pub user: User,
    /// When the session expires.
    pub expires_at: OffsetDateTime,
    _store: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for SessionAuth<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionAuth")
            .field("user_id", &self.user.id)
            .finish_non_exhaustive()
    }
}

impl<S> SessionAuth<S> {
    pub(super) fn caller(&self) -> Caller {
        Caller::User(self.user.clone())
    }
}

impl<S: Store> FromRequest for SessionAuth<S> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState<S>>>().cloned();
        let token = session_token(req);
        let origin = state.as_ref().map(|s| check_origin(req, &s.settings));
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state is missing".into()))?;
            let token = token.ok_or(ApiError::Unauthorized)?;
            let (user, expires_at) = state
                .services
                .accounts
                .resolve_session(&token)
                .await
                .map_err(account_error)?;
            origin.unwrap_or(Ok(()))?;
            Ok(Self {
                user,
                expires_at,
                _store: PhantomData,
            })
        })
    }
}

/// `{"user": user}` with the new session's cookie (sign-up and login).
pub(super) fn signed_in<S: Store>(
    state: &AppState<S>,
    status: StatusCode,
    account: &Account,
    session: &NewSession,
) -> Result<HttpResponse, ApiError> {
    let cookie = session_cookie(&state.settings, session, state.services.now());
    with_cookie(
        json(
            status,
            &UserEnvelope {
                user: account.into(),
            },
        )?,
        &cookie,
    )
}

pub(super) fn with_cookie(
    mut response: HttpResponse,
    cookie: &str,
) -> Result<HttpResponse, ApiError> {
    let value = HeaderValue::from_str(cookie).map_err(|e| ApiError::Internal(Box::new(e)))?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(response)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "a=1; next-auth.session-token=tok123; b=2"))
            .to_http_request();
        assert_eq!(session_token(&req).as_deref(), Some("tok123"));
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "__Secure-next-auth.session-token=s"))
            .to_http_request();
        assert_eq!(session_token(&req).as_deref(), Some("s"));
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "next-auth.session-token=; other=x"))
            .to_http_request();
        assert_eq!(session_token(&req), None);
        assert_eq!(
            session_token(&TestRequest::default().to_http_request()),
            None
        );
    }

    #[test]
    fn origins_are_checked_on_writes_only() {
        let settings = HttpSettings {
            allowed_origins: vec!["http://localhost:8080".into()],
            ..HttpSettings::default()
        };
        let post = |origin: Option<&str>| {
            let mut r = TestRequest::post();
            if let Some(o) = origin {
                r = r.insert_header((header::ORIGIN, o));
            }
            check_origin(&r.to_http_request(), &settings)
        };
        assert!(post(None).is_ok());
        assert!(post(Some("http://localhost:8080")).is_ok());
        assert!(post(Some("HTTP://LOCALHOST:8080/")).is_ok());
        assert!(matches!(
            post(Some("https://evil.example")),
            Err(ApiError::Forbidden)
        ));
        assert!(matches!(post(Some("null")), Err(ApiError::Forbidden)));
        let get = TestRequest::get()
            .insert_header((header::ORIGIN, "https://evil.example"))
            .to_http_request();
        assert!(check_origin(&get, &settings).is_ok());
    }

    #[test]
    fn cookies_carry_the_contract_attributes() {
        let now = OffsetDateTime::now_utc();
        let session = NewSession {
            token: clientele_ports::Secret::new("tok".into()),
            expires_at: now + time::Duration::days(30),
        };
        let plain = session_cookie(&HttpSettings::default(), &session, now);
        assert_eq!(
            plain,
            "next-auth.session-token=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000"
        );
        let secure = HttpSettings {
            secure_cookies: true,
            ..HttpSettings::default()
        };
        assert!(
            session_cookie(&secure, &session, now)
                .starts_with("__Secure-next-auth.session-token=tok;")
        );
        assert!(session_cookie(&secure, &session, now).ends_with("; Secure"));
        assert!(cleared_cookie(&HttpSettings::default()).contains("Max-Age=0"));
    }
}
