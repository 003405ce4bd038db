//! Sign-up, login, logout, the session, email verification.

use actix_web::http::StatusCode;

use actix_web::{HttpRequest, HttpResponse, web};
use clientele_domain::account::NewAccount;
use clientele_domain::{Collector, Field};
use clientele_ports::Store;

use super::session::{
    SessionAuth, check_origin, cleared_cookie, session_token, signed_in, with_cookie,
};
use super::{MessageBody, SURFACE, SessionBody, UserEnvelope, account_error};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::rate_limit::{check_auth_account, check_auth_address};
use crate::respond::json;
use crate::state::AppState;
use crate::time_fmt::rfc3339_millis;

pub(super) async fn sign_up<S: Store>(
    state: web::Data<AppState<S>>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &state.settings)?;
    check_auth_address(&state, &req).await?;
    let mut body = body.object(&state.settings).await?;
    let new = NewAccount::parse(
        body.take(SURFACE.field_name(Field::Email)),
        body.take(SURFACE.field_name(Field::Password)),
        body.take(SURFACE.field_name(Field::UserName)),
    )
    .map_err(|e| ApiError::validation(SURFACE, e))?;
    check_auth_account(&state, &req, new.email.as_str()).await?;
    let (account, session) = state
        .services
        .accounts
        .sign_up(new)
        .await
        .map_err(account_error)?;
    signed_in(&state, StatusCode::CREATED, &account, &session)
}

pub(super) async fn log_in<S: Store>(
    state: web::Data<AppState<S>>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &state.settings)?;
    check_auth_address(&state, &req).await?;
    let mut body = body.object(&state.settings).await?;
    let mut c = Collector::new();
    let email = c.required_text(Field::Email, body.take(SURFACE.field_name(Field::Email)));
    let password = c.required_text(
        Field::Password,
        body.take(SURFACE.field_name(Field::Password)),
    );
    c.check().map_err(|e| ApiError::validation(SURFACE, e))?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::InvalidCredentials);
    };
    check_auth_account(&state, &req, &email).await?;
    let (account, session) = state
        .services
        .accounts
        .log_in(&email, &password)
        .await
        .map_err(account_error)?;
    signed_in(&state, StatusCode::OK, &account, &session)
}

pub(super) async fn log_out<S: Store>(
    state: web::Data<AppState<S>>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &state.settings)?;
    if let Some(token) = session_token(&req) {
        state
            .services
            .accounts
            .log_out(&token)
            .await
            .map_err(account_error)?;
    }
    with_cookie(
        HttpResponse::NoContent().finish(),
        &cleared_cookie(&state.settings),
    )
}

pub(super) async fn session<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
) -> Result<HttpResponse, ApiError> {
    let expires = rfc3339_millis(auth.expires_at);
    let account = state
        .services
        .accounts
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

pub(super) async fn verify_email<S: Store>(
    state: web::Data<AppState<S>>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &state.settings)?;
    check_auth_address(&state, &req).await?;
    let mut body = body.object(&state.settings).await?;
    let mut c = Collector::new();
    let token = c.required_text(Field::Token, body.take(SURFACE.field_name(Field::Token)));
    c.check().map_err(|e| ApiError::validation(SURFACE, e))?;
    let token = token.ok_or(ApiError::InvalidToken)?;
    let account = state
        .services
        .accounts
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

/// Mails the signed-in user a new verification link (the first expired or never arrived): 202
/// when sent, 200 when the email is already verified, 503 when mail cannot be sent.
pub(super) async fn resend_verification<S: Store>(
    state: web::Data<AppState<S>>,
    req: HttpRequest,
    auth: SessionAuth<S>,
) -> Result<HttpResponse, ApiError> {
    check_auth_address(&state, &req).await?;
    check_auth_account(&state, &req, auth.user.email.as_str()).await?;
    let sent = state
        .services
        .accounts
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
