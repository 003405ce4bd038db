//! The app API (`/api`): the web app's backend. A session cookie authenticates; bodies are flat
//! camelCase JSON; validation errors are zod issues; clients are gated by email verification and
//! capped by the plan (contract §5).
//!
//! Faults of the seed's product that this surface does not repeat: the plan limit is decided by
//! the database in the insert transaction (no race); the verification gate reads only the stored
//! user (no request field or cookie can skip it); malformed JSON is a 400; bare domains are
//! accepted; no OAuth token ever appears in a client object.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev, web};
use clientele_domain::{
    Client, ClientInput, ClientPatch, ClientQuery, ClientQueryInput, ClientSchema, Collector,
    Expected, Field, Input, Issue, NewClient, User,
};
use clientele_ports::{Account, AccountError, Caller, NewSession, SignUpInput, Store};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::body::{JsonBody, JsonObject};
use crate::error::ApiError;
use crate::respond::{client_id, json, method_not_allowed, query_pairs};
use crate::state::{AppState, HttpSettings};
use crate::surface::Surface;
use crate::time_fmt::rfc3339_millis;

const SURFACE: Surface = Surface::App;
const CLIENT_NOT_FOUND: &str = "Client not found";
const CLIENT_NOT_FOUND_OR_UNAUTHORIZED: &str = "Client not found or unauthorized";

/// The session cookie (as in the seed's example).
pub const SESSION_COOKIE: &str = "next-auth.session-token";
/// Its name when cookies are `Secure` (the `__Secure-` prefix requires it); accepted always.
pub const SECURE_SESSION_COOKIE: &str = "__Secure-next-auth.session-token";

/// Registers the `/api` routes.
pub fn routes<S: Store>(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/auth/signup")
            .route(web::post().to(sign_up::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/login")
            .route(web::post().to(log_in::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/logout")
            .route(web::post().to(log_out::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/session")
            .route(web::get().to(session::<S>))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/verify-email")
            .route(web::get().to(verify_email_page))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/api/auth/resend-verification")
            .route(web::post().to(resend_verification::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/verify-email")
            .route(web::post().to(verify_email::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/clients")
            .route(web::post().to(create_client::<S>))
            .route(web::get().to(list_clients::<S>))
            .default_service(method_not_allowed("GET, POST")),
    )
    .service(
        web::resource("/api/clients/{id}")
            .route(web::get().to(get_client::<S>))
            .route(web::put().to(update_client::<S>))
            .route(web::delete().to(delete_client::<S>))
            .default_service(method_not_allowed("GET, PUT, DELETE")),
    );
}

// ------------------------------------------------------------------------------------ bodies

/// A user as the app API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppUser {
    #[schema(example = "clx0a1b2c3d4e5f6g7h8i9j0k")]
    pub id: String,
    #[schema(example = "ann@example.com")]
    pub email: String,
    pub name: Option<String>,
    /// When the email was verified, or `null`.
    #[schema(example = "2024-03-15T10:30:00.000Z")]
    pub email_verified: Option<String>,
    /// `FREE` or `PAID_TRIAL`.
    #[schema(example = "FREE")]
    pub signup_flow: String,
    /// The plan whose limit applies (an expired trial counts as `free`).
    #[schema(example = "free")]
    pub plan: String,
    pub organization_id: String,
}

impl From<&Account> for AppUser {
    fn from(a: &Account) -> Self {
        let u = &a.user;
        Self {
            id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            name: u.name.as_ref().map(|n| n.as_str().to_owned()),
            email_verified: u.email_verified_at.map(rfc3339_millis),
            signup_flow: u.signup_flow.as_str().to_owned(),
            plan: a.plan.as_str().to_owned(),
            organization_id: u.organization_id.to_string(),
        }
    }
}

/// `{"user": user}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserEnvelope {
    pub user: AppUser,
}

/// `GET /api/auth/session`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    pub user: AppUser,
    /// When the session expires.
    #[schema(example = "2024-04-14T10:30:00.000Z")]
    pub expires: String,
}

/// A client as the app API shows it (the seed's shape, without any OAuth token).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppClient {
    #[schema(example = "clx1a2b3c4d5e6f7g8h9i0j1k")]
    pub id: String,
    #[schema(example = "Acme Corporation")]
    pub name: String,
    #[schema(example = "https://acme.com")]
    pub domain: Option<String>,
    #[schema(example = "John Doe")]
    pub contact_name: Option<String>,
    #[schema(example = "john@acme.com")]
    pub contact_email: Option<String>,
    /// The creating user; `null` for clients created with an API key.
    pub user_id: Option<String>,
    pub google_search_console_connected: bool,
    pub google_analytics_connected: bool,
    pub search_console_property_url: Option<String>,
    pub google_analytics_property_id: Option<String>,
    pub last_report_generated: Option<String>,
    pub total_reports_generated: u32,
    #[schema(example = "2024-03-15T10:30:00.000Z")]
    pub created_at: String,
    #[schema(example = "2024-03-15T10:30:00.000Z")]
    pub updated_at: String,
}

impl From<&Client> for AppClient {
    fn from(c: &Client) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name.as_str().to_owned(),
            domain: c.domain.as_ref().map(|d| d.as_str().to_owned()),
            contact_name: c.contact_person.as_ref().map(|p| p.as_str().to_owned()),
            contact_email: c.contact_email.as_ref().map(|e| e.as_str().to_owned()),
            user_id: c.created_by.as_ref().map(ToString::to_string),
            google_search_console_connected: false,
            google_analytics_connected: false,
            search_console_property_url: None,
            google_analytics_property_id: None,
            last_report_generated: None,
            total_reports_generated: 0,
            created_at: rfc3339_millis(c.created_at),
            updated_at: rfc3339_millis(c.updated_at),
        }
    }
}

/// `DELETE /api/clients/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageBody {
    #[schema(example = "Client deleted successfully")]
    pub message: &'static str,
}

/// The body of `POST /api/clients` (documentation).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppClientRequest {
    #[schema(example = "Acme Corporation", min_length = 2, max_length = 200)]
    pub name: String,
    /// An http(s) URL or a bare host (`acme.com` → `https://acme.com`).
    #[schema(example = "https://acme.com", max_length = 2048)]
    pub domain: String,
    #[schema(example = "John Doe", max_length = 255)]
    pub contact_name: Option<String>,
    #[schema(example = "john@acme.com", max_length = 255)]
    pub contact_email: Option<String>,
}

/// The body of `PUT /api/clients/{id}` (documentation): any subset of the four fields; `null`
/// or `""` clears `contactName` / `contactEmail`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppClientUpdateRequest {
    #[schema(
        example = "Acme Corporation",
        min_length = 2,
        max_length = 200,
        nullable = false
    )]
    pub name: Option<String>,
    #[schema(example = "https://acme.com", max_length = 2048, nullable = false)]
    pub domain: Option<String>,
    #[schema(example = "John Doe", max_length = 255)]
    pub contact_name: Option<String>,
    #[schema(example = "john@acme.com", max_length = 255)]
    pub contact_email: Option<String>,
}

/// The body of `POST /api/auth/signup` and `POST /api/auth/login` (documentation).
#[derive(Debug, Serialize, ToSchema)]
pub struct Credentials {
    #[schema(example = "ann@example.com", max_length = 255)]
    pub email: String,
    /// 8–128 characters on sign-up.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// Sign-up only, optional.
    pub name: Option<String>,
}

/// The body of `POST /api/auth/verify-email` (documentation).
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyEmailRequest {
    /// The token from the verification email's link.
    pub token: String,
}

fn client_input(body: &mut JsonObject) -> ClientInput {
    ClientInput {
        name: body.take("name"),
        domain: body.take("domain"),
        contact_person: body.take("contactName"),
        contact_email: body.take("contactEmail"),
        ..ClientInput::default()
    }
}

fn account_error(e: AccountError) -> ApiError {
    ApiError::account(SURFACE, e)
}

// ------------------------------------------------------------------------------------ cookies and origins

/// The session token of a request's cookies (`next-auth.session-token` or its `__Secure-` form).
fn session_token(req: &HttpRequest) -> Option<String> {
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
fn cleared_cookie(settings: &HttpSettings) -> String {
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
fn check_origin(req: &HttpRequest, settings: &HttpSettings) -> Result<(), ApiError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin
        .to_str()
        .map_err(|_| ApiError::Forbidden)?
        .trim_end_matches('/');
    let allowed = settings
        .allowed_origins
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// A signed-in app user. Answers 401 `unauthorized` without a valid, unexpired session, 403
/// `forbidden` for a write from an origin that is not allowed, 503 when the database is down.
pub struct SessionAuth<S> {
    pub user: User,
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
    fn caller(&self) -> Caller {
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

// ------------------------------------------------------------------------------------ accounts

fn text(c: &mut Collector, field: Field, input: Input) -> Option<String> {
    match input {
        Input::Text(s) => Some(s),
        other => {
            c.push(Issue::invalid_type(
                field,
                Expected::String,
                other.received(),
            ));
            None
        }
    }
}

/// `{"user": user}` with the new session's cookie (sign-up and login).
fn signed_in<S: Store>(
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

fn with_cookie(mut response: HttpResponse, cookie: &str) -> Result<HttpResponse, ApiError> {
    let value = HeaderValue::from_str(cookie).map_err(|e| ApiError::Internal(Box::new(e)))?;
    response.headers_mut().append(header::SET_COOKIE, value);
    Ok(response)
}

async fn sign_up<S: Store>(
    state: web::Data<AppState<S>>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &state.settings)?;
    let mut body = body.object(state.settings.body_limit).await?;
    let input = SignUpInput {
        email: body.take("email"),
        password: body.take("password"),
        name: body.take("name"),
    };
    let (account, session) = state.services.sign_up(input).await.map_err(account_error)?;
    signed_in(&state, StatusCode::CREATED, &account, &session)
}

async fn log_in<S: Store>(
    state: web::Data<AppState<S>>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &state.settings)?;
    let mut body = body.object(state.settings.body_limit).await?;
    let mut c = Collector::new();
    let email = text(&mut c, Field::Email, body.take("email"));
    let password = text(&mut c, Field::Password, body.take("password"));
    c.check().map_err(|e| ApiError::validation(SURFACE, e))?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::InvalidCredentials);
    };
    let (account, session) = state
        .services
        .log_in(&email, &password)
        .await
        .map_err(account_error)?;
    signed_in(&state, StatusCode::OK, &account, &session)
}

async fn log_out<S: Store>(
    state: web::Data<AppState<S>>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &state.settings)?;
    if let Some(token) = session_token(&req) {
        state
            .services
            .log_out(&token)
            .await
            .map_err(account_error)?;
    }
    with_cookie(
        HttpResponse::NoContent().finish(),
        &cleared_cookie(&state.settings),
    )
}

async fn session<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
) -> Result<HttpResponse, ApiError> {
    let expires = rfc3339_millis(auth.expires_at);
    let account = state
        .services
        .account(auth.user)
        .await
        .map_err(account_error)?;
    json(
        StatusCode::OK,
        &SessionBody {
            user: (&account).into(),
            expires,
        },
    )
}

async fn verify_email<S: Store>(
    state: web::Data<AppState<S>>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &state.settings)?;
    let mut body = body.object(state.settings.body_limit).await?;
    let mut c = Collector::new();
    let token = text(&mut c, Field::Token, body.take("token"));
    c.check().map_err(|e| ApiError::validation(SURFACE, e))?;
    let token = token.ok_or(ApiError::InvalidToken)?;
    let account = state
        .services
        .verify_email(token.trim())
        .await
        .map_err(account_error)?;
    json(
        StatusCode::OK,
        &UserEnvelope {
            user: (&account).into(),
        },
    )
}

/// The page the verification email links to (`{public url}/verify-email?token=...`) when no web
/// app of its own serves that address: static HTML whose button posts the token, read from the
/// address in the browser, to `POST /api/auth/verify-email`. Nothing of the request is echoed.
async fn verify_email_page() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                 connect-src 'self'; frame-ancestors 'none'; form-action 'none'",
            ),
        ))
        .insert_header((
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(VERIFY_EMAIL_PAGE)
}

const VERIFY_EMAIL_PAGE: &str = include_str!("static/verify-email.html");

/// Mails the signed-in user a new verification link (the first expired or never arrived): 202
/// when sent, 200 when the email is already verified, 503 when mail cannot be sent.
async fn resend_verification<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
) -> Result<HttpResponse, ApiError> {
    let sent = state
        .services
        .resend_verification(&auth.user)
        .await
        .map_err(account_error)?;
    if sent {
        json(
            StatusCode::ACCEPTED,
            &MessageBody {
                message: "Verification email sent",
            },
        )
    } else {
        json(
            StatusCode::OK,
            &MessageBody {
                message: "Email already verified",
            },
        )
    }
}

// ------------------------------------------------------------------------------------ clients

async fn create_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    // The contract's order: 401 (extractor), the access gate, then the body.
    auth.user
        .may_add_clients(state.services.now())
        .map_err(|_| ApiError::VerificationRequired)?;
    let mut body = body.object(state.settings.body_limit).await?;
    let new = NewClient::parse(client_input(&mut body), &ClientSchema::APP)
        .map_err(|e| ApiError::validation(SURFACE, e))?;
    let client = state
        .services
        .create_client(&auth.caller(), new)
        .await
        .map_err(|e| ApiError::client(SURFACE, e))?;
    json(StatusCode::CREATED, &AppClient::from(&client))
}

async fn list_clients<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = query_pairs(req.query_string());
    let mut input = ClientQueryInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => input.limit = Some(v),
            "offset" => input.offset = Some(v),
            _ => {}
        }
    }
    // Without a `limit`, the app API answers as much of the list as one page may hold.
    input.limit = input
        .limit
        .or_else(|| Some(ClientQuery::MAX_LIMIT.to_string()));
    let query = ClientQuery::parse(input).map_err(|e| ApiError::validation(SURFACE, e))?;
    let page = state
        .services
        .list_clients(&auth.caller(), &query)
        .await
        .map_err(|e| ApiError::client(SURFACE, e))?;
    let clients: Vec<AppClient> = page.clients.iter().map(AppClient::from).collect();
    let mut response = json(StatusCode::OK, &clients)?;
    response.headers_mut().insert(
        header::HeaderName::from_static("x-total-count"),
        HeaderValue::from(page.total),
    );
    Ok(response)
}

async fn get_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = client_id(&req, CLIENT_NOT_FOUND)?;
    let client = state
        .services
        .get_client(&auth.caller(), &id)
        .await
        .map_err(|e| ApiError::client_with(SURFACE, e, CLIENT_NOT_FOUND))?;
    json(StatusCode::OK, &AppClient::from(&client))
}

async fn update_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = client_id(&req, CLIENT_NOT_FOUND_OR_UNAUTHORIZED)?;
    let mut body = body.object(state.settings.body_limit).await?;
    let patch = ClientPatch::parse(client_input(&mut body), &ClientSchema::APP)
        .map_err(|e| ApiError::validation(SURFACE, e))?;
    let client = state
        .services
        .update_client(&auth.caller(), &id, patch)
        .await
        .map_err(|e| ApiError::client_with(SURFACE, e, CLIENT_NOT_FOUND_OR_UNAUTHORIZED))?;
    json(StatusCode::OK, &AppClient::from(&client))
}

async fn delete_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = client_id(&req, CLIENT_NOT_FOUND_OR_UNAUTHORIZED)?;
    state
        .services
        .delete_client(&auth.caller(), &id)
        .await
        .map_err(|e| ApiError::client_with(SURFACE, e, CLIENT_NOT_FOUND_OR_UNAUTHORIZED))?;
    json(
        StatusCode::OK,
        &MessageBody {
            message: "Client deleted successfully",
        },
    )
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
