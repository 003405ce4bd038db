//! The management API (`/v1`): API-key authentication, snake_case bodies in a `{"data": ...}`
//! envelope (contract §4).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use clientele_domain::{
    Client, ClientPatch, ClientQuery, ClientSchema, Collector, Cursor, Field, Issue, NewClient,
    StringCheck,
};
use clientele_ports::{Begin, ClientError, Store, StoredResponse};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::auth::ApiKeyAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, CLIENT_NOT_FOUND};
use crate::respond::{client_id, json, method_not_allowed};
use crate::state::AppState;
use crate::surface::Surface;
use crate::time_fmt;

const SURFACE: Surface = Surface::Management;

/// The header asking for an idempotent `POST /v1/clients`: absent, or 1–[`IDEMPOTENCY_KEY_MAX`]
/// visible ASCII characters (trimmed).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The header marking a replayed response (value `true`).
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";
/// Longest `Idempotency-Key`, in characters.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;

/// Registers the `/v1` routes.
///
/// [`configure`](crate::configure) registers them, with the `web::Data<AppState<S>>` they need.
pub fn routes<S: Store>(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/auth/me")
            .route(web::get().to(me::<S>))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/v1/usage")
            .route(web::get().to(usage::<S>))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/v1/clients")
            .route(web::post().to(create_client::<S>))
            .route(web::get().to(list_clients::<S>))
            .default_service(method_not_allowed("GET, POST")),
    )
    .service(
        web::resource("/v1/clients/{id}")
            .route(web::get().to(get_client::<S>))
            .route(web::patch().to(update_client::<S>))
            .route(web::delete().to(delete_client::<S>))
            .default_service(method_not_allowed("GET, PATCH, DELETE")),
    );
}

// ------------------------------------------------------------------------------------ bodies

/// A client as the management API shows it. Absent optional values are `null`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManagementClient {
    /// UUIDv7 (created here) or CUID2 (created through the app API).
    #[schema(example = "01936f0e-8f5c-7d4a-9b1e-2f3a4b5c6d7e")]
    pub id: String,
    /// The organization (tenant) that holds it: a UUID.
    pub organization_id: String,
    /// Its name, unique within the organization (compared case-insensitively).
    #[schema(example = "ABC Motors")]
    pub name: String,
    /// Its URL handle, derived from the name at creation; a rename keeps it.
    #[schema(example = "abc-motors")]
    pub slug: String,
    /// The display name, or the name when none was given.
    #[schema(example = "ABC Motors - Downtown")]
    pub display_name: String,
    /// Free-text business type.
    #[serde(rename = "type")]
    #[schema(example = "automotive")]
    pub business_type: Option<String>,
    /// The client's own plan label (not the organization's plan).
    #[schema(example = "Pro")]
    pub subscription_plan: Option<String>,
    /// `active`, `inactive`, `trial`, `churned` or `pending`.
    #[schema(example = "active")]
    pub status: String,
    /// The contact person's name.
    pub contact_person: Option<String>,
    /// The contact email, its domain part lowercased.
    pub contact_email: Option<String>,
    /// Digits with an optional leading `+`.
    #[schema(example = "+15551234567")]
    pub phone_number: Option<String>,
    /// The website, as an http(s) URL.
    #[schema(example = "https://abcmotors.com")]
    pub domain: Option<String>,
    /// When it was created: RFC 3339, UTC, to the second.
    #[schema(example = "2023-11-07T05:31:56Z")]
    pub joined_at: String,
    /// When it was last active: RFC 3339, UTC, to the second. The creation time; no endpoint
    /// changes it.
    #[schema(example = "2023-11-07T05:31:56Z")]
    pub last_active_at: String,
    /// When it was last changed: RFC 3339, UTC, to the second.
    #[schema(example = "2023-11-07T05:31:56Z")]
    pub updated_at: String,
}

impl From<&Client> for ManagementClient {
    fn from(c: &Client) -> Self {
        let opt = |s: Option<&str>| s.map(str::to_owned);
        Self {
            id: c.id.to_string(),
            organization_id: c.organization_id.to_string(),
            name: c.name.as_str().to_owned(),
            slug: c.slug.as_str().to_owned(),
            display_name: c.display_name().to_owned(),
            business_type: opt(c.business_type.as_ref().map(|v| v.as_str())),
            subscription_plan: opt(c.subscription_plan.as_ref().map(|v| v.as_str())),
            status: c.status.as_str().to_owned(),
            contact_person: opt(c.contact_person.as_ref().map(|v| v.as_str())),
            contact_email: opt(c.contact_email.as_ref().map(|v| v.as_str())),
            phone_number: opt(c.phone_number.as_ref().map(|v| v.as_str())),
            domain: opt(c.domain.as_ref().map(|v| v.as_str())),
            joined_at: seconds(c.created_at),
            last_active_at: seconds(c.last_active_at),
            updated_at: seconds(c.updated_at),
        }
    }
}

fn seconds(t: OffsetDateTime) -> String {
    time_fmt::rfc3339_seconds(t)
}

/// `{"data": client}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientEnvelope {
    /// The client.
    pub data: ManagementClient,
}

/// A page of clients.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientList {
    /// The page's clients, newest first.
    pub data: Vec<ManagementClient>,
    /// Where this page is in the whole list.
    pub pagination: Pagination,
}

/// Where a page is in the whole list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pagination {
    /// The page size asked for (`limit`, 50 by default).
    #[schema(example = 50)]
    pub limit: u32,
    /// Clients skipped before this page (`offset`, 0 by default).
    #[schema(example = 0)]
    pub offset: u64,
    /// Clients matching the filters, in all.
    #[schema(example = 1)]
    pub total: u64,
    /// The `cursor` of the next page (opaque), or `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /v1/usage`: `{"data": usage}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageEnvelope {
    /// The usage.
    pub data: UsageBody,
}

/// The organization's plan and how much of it its clients use.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageBody {
    /// The organization's plan: `free`, `starter`, `professional`, `agency` or `enterprise`.
    #[schema(example = "starter")]
    pub plan: &'static str,
    /// Its client count and limit.
    pub clients: ClientUsage,
}

/// Clients held, the plan's limit and what remains (`null` on an unlimited plan).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientUsage {
    /// Clients the organization holds.
    #[schema(example = 2)]
    pub used: u64,
    /// The plan's client limit; `null` on an unlimited plan.
    #[schema(example = 5)]
    pub limit: Option<u32>,
    /// Clients that may still be added (0 past the limit); `null` on an unlimited plan.
    #[schema(example = 3)]
    pub remaining: Option<u64>,
}

/// `GET /v1/auth/me`: the key's organization and the key.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The organization the key acts for: a UUID.
    pub organization_id: String,
    /// The key's record id: a UUID (not the key itself).
    pub api_key_id: String,
    /// The key's label.
    #[schema(example = "Bootstrap key")]
    pub key_name: String,
    /// `production` or `sandbox`.
    #[schema(example = "production")]
    pub environment: String,
}

/// A client's lifecycle state (documentation).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusName {
    /// `active`: the default.
    Active,
    /// `inactive`.
    Inactive,
    /// `trial`.
    Trial,
    /// `churned`.
    Churned,
    /// `pending`.
    Pending,
}

/// The body of `POST /v1/clients` (documentation: the handler reads the fields one by one, so
/// that wrong types become validation issues; unknown fields are ignored; an empty or `null`
/// optional field counts as absent).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientCreateRequest {
    /// Trimmed; unique within the organization (case-insensitive).
    #[schema(example = "ABC Motors")]
    pub name: String,
    /// Free text.
    #[serde(rename = "type")]
    #[schema(example = "automotive")]
    pub business_type: String,
    /// Free text, stored as given (trimmed).
    #[schema(example = "Pro")]
    pub subscription_plan: String,
    /// Defaults to the name.
    #[schema(example = "ABC Motors - Downtown")]
    pub display_name: Option<String>,
    /// `active` when absent.
    pub status: Option<StatusName>,
    /// The contact person's name.
    #[schema(example = "Jane Smith")]
    pub contact_person: Option<String>,
    /// `local@domain.tld`; stored with the domain part lowercased.
    #[schema(example = "jane@abcmotors.com")]
    pub contact_email: Option<String>,
    /// 7–15 digits with an optional leading `+`; whitespace, `-`, `(`, `)` are stripped.
    #[schema(example = "+1 (555) 123-4567")]
    pub phone_number: Option<String>,
    /// An http(s) URL or a bare host (`acme.com` → `https://acme.com`).
    #[schema(example = "abcmotors.com")]
    pub domain: Option<String>,
}

/// The body of `PATCH /v1/clients/{id}` (documentation): any subset of the create fields, with
/// the same rules; `null` (or an empty string) clears an optional field. `name`, `type`,
/// `subscription_plan` and `status` cannot be cleared.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientUpdateRequest {
    /// A new name; cannot be cleared.
    #[schema(example = "ABC Motors", nullable = false)]
    pub name: Option<String>,
    /// A new business type; cannot be cleared.
    #[serde(rename = "type")]
    #[schema(example = "automotive", nullable = false)]
    pub business_type: Option<String>,
    /// A new plan label; cannot be cleared.
    #[schema(example = "Pro", nullable = false)]
    pub subscription_plan: Option<String>,
    /// A new status; cannot be cleared.
    #[schema(nullable = false)]
    pub status: Option<StatusName>,
    /// A new display name; `null` clears it (the name is shown instead).
    #[schema(example = "ABC Motors - Downtown")]
    pub display_name: Option<String>,
    /// A new contact person; `null` clears it.
    #[schema(example = "Jane Smith")]
    pub contact_person: Option<String>,
    /// A new contact email; `null` clears it.
    #[schema(example = "jane@abcmotors.com")]
    pub contact_email: Option<String>,
    /// A new phone number; `null` clears it.
    #[schema(example = "+1 (555) 123-4567")]
    pub phone_number: Option<String>,
    /// A new website; `null` clears it.
    #[schema(example = "abcmotors.com")]
    pub domain: Option<String>,
}

// ------------------------------------------------------------------------------------ handlers

async fn me<S: Store>(auth: ApiKeyAuth<S>) -> Result<HttpResponse, ApiError> {
    json(
        StatusCode::OK,
        &Me {
            organization_id: auth.key.organization_id.to_string(),
            api_key_id: auth.key.id.to_string(),
            key_name: auth.key.name.as_str().to_owned(),
            environment: auth.key.environment.as_str().to_owned(),
        },
    )
}

async fn usage<S: Store>(
    state: web::Data<AppState<S>>,
    auth: ApiKeyAuth<S>,
) -> Result<HttpResponse, ApiError> {
    let usage = state
        .services
        .clients
        .usage(&auth.caller)
        .await
        .map_err(client_error)?;
    json(
        StatusCode::OK,
        &UsageEnvelope {
            data: UsageBody {
                plan: usage.plan.as_str(),
                clients: ClientUsage {
                    used: usage.used,
                    limit: usage.limit(),
                    remaining: usage.remaining(),
                },
            },
        },
    )
}

/// The `Idempotency-Key` header: absent, or 1–255 visible ASCII characters.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, Issue> {
    let Some(value) = req.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let Ok(text) = value.to_str() else {
        return Err(Issue::invalid_string(
            Field::IdempotencyKey,
            StringCheck::Regex,
            "Idempotency-Key must be visible ASCII characters",
        ));
    };
    let text = text.trim();
    if !text.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        Err(Issue::invalid_string(
            Field::IdempotencyKey,
            StringCheck::Regex,
            "Idempotency-Key must be visible ASCII characters",
        ))
    } else if text.is_empty() {
        Err(Issue::too_short(Field::IdempotencyKey, 1))
    } else if text.len() > IDEMPOTENCY_KEY_MAX {
        Err(Issue::too_long(Field::IdempotencyKey, IDEMPOTENCY_KEY_MAX))
    } else {
        Ok(Some(text.to_owned()))
    }
}

async fn create_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: ApiKeyAuth<S>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.object(&state.settings).await?;
    let fingerprint = body.fingerprint();
    let parsed = NewClient::parse(SURFACE.client_input(&mut body), &ClientSchema::MANAGEMENT);
    let key = idempotency_key(&req);
    let (new, key) = match (parsed, key) {
        (Ok(new), Ok(key)) => (new, key),
        (parsed, key) => {
            let mut c = Collector::new();
            if let Err(errors) = parsed {
                errors.into_issues().into_iter().for_each(|i| c.push(i));
            }
            if let Err(issue) = key {
                c.push(issue);
            }
            return Err(match c.check() {
                Err(errors) => ApiError::validation(SURFACE, errors),
                Ok(()) => ApiError::Internal("validation failed without an issue".into()),
            });
        }
    };
    let clients = &state.services.clients;
    let grant = clients
        .authorize_create(&auth.caller)
        .map_err(client_error)?;
    let Some(key) = key else {
        let client = clients.create(grant, new).await.map_err(client_error)?;
        return json(StatusCode::CREATED, &envelope(&client));
    };
    // An idempotent create: claim the key, create, keep the response for replays. A transient
    // failure is not kept (the claim is released), so the client may retry with the same key.
    let org = auth.caller.organization_id();
    let idempotency = &state.services.idempotency;
    let begun = idempotency.begin(org, &key, &fingerprint).await;
    let (begun, fence) = begun.map_err(|e| client_error(e.into()))?;
    match begun {
        Begin::Started => {}
        Begin::Replay(stored) => return Ok(stored_response(stored, true)),
        Begin::Mismatch => return Err(ApiError::IdempotencyKeyReused),
        Begin::InProgress => return Err(ApiError::IdempotencyKeyInUse),
    }
    // The 201 is kept in the create's own transaction: a crash leaves both or neither.
    let render: clientele_ports::RenderResponse = std::sync::Arc::new(|client: &Client| {
        StoredResponse {
            status: StatusCode::CREATED.as_u16(),
            // A struct of strings and numbers: serializing it cannot fail.
            body: serde_json::to_vec(&envelope(client)).unwrap_or_default(),
        }
    });
    match clients
        .create_idempotent(grant, new, &fence, std::sync::Arc::clone(&render))
        .await
    {
        Ok(client) => Ok(stored_response(render(&client), false)),
        Err(e) => match client_error(e) {
            e @ (ApiError::Unavailable(_) | ApiError::Internal(_)) => {
                idempotency.release(&fence).await;
                Err(e)
            }
            e => {
                idempotency.complete(&fence, &e.to_stored()).await;
                Err(e)
            }
        },
    }
}

fn envelope(client: &Client) -> ClientEnvelope {
    ClientEnvelope {
        data: client.into(),
    }
}

fn client_error(e: ClientError) -> ApiError {
    ApiError::client(SURFACE, e, CLIENT_NOT_FOUND)
}

/// A response kept under an `Idempotency-Key` (only completed outcomes are kept: never a 5xx).
fn stored_response(stored: StoredResponse, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = HttpResponse::build(status);
    res.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    ));
    if replayed {
        res.insert_header((IDEMPOTENT_REPLAYED, HeaderValue::from_static("true")));
    }
    res.body(stored.body)
}

async fn list_clients<S: Store>(
    state: web::Data<AppState<S>>,
    auth: ApiKeyAuth<S>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = ClientQuery::parse(SURFACE.query_input(req.query_string()))
        .map_err(|e| ApiError::validation(SURFACE, e))?;
    let page = state
        .services
        .clients
        .list_clients(&auth.caller, &query)
        .await
        .map_err(client_error)?;
    json(
        StatusCode::OK,
        &ClientList {
            data: page.clients.iter().map(ManagementClient::from).collect(),
            pagination: Pagination {
                limit: query.limit,
                offset: query.offset,
                total: page.total,
                next_cursor: page.next_cursor.as_ref().map(Cursor::encode),
            },
        },
    )
}

/// The key and the client in one database round trip (`ApiKeyAuth::reading`).
async fn get_client<S: Store>(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let id = match client_id(&req, CLIENT_NOT_FOUND) {
        Ok(id) => id,
        Err(not_found) => {
            // 401 before 404: a malformed id is only told to a valid key.
            <ApiKeyAuth<S> as actix_web::FromRequest>::extract(&req).await?;
            return Err(not_found);
        }
    };
    let (_auth, client) = ApiKeyAuth::<S>::reading(&req, &id).await?;
    let client = client.ok_or_else(|| client_error(ClientError::NotFound))?;
    json(StatusCode::OK, &envelope(&client))
}

async fn update_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: ApiKeyAuth<S>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = client_id(&req, CLIENT_NOT_FOUND)?;
    let mut body = body.object(&state.settings).await?;
    let patch = ClientPatch::parse(SURFACE.client_input(&mut body), &ClientSchema::MANAGEMENT)
        .map_err(|e| ApiError::validation(SURFACE, e))?;
    let client = state
        .services
        .clients
        .update_client(&auth.caller, &id, patch)
        .await
        .map_err(client_error)?;
    json(StatusCode::OK, &envelope(&client))
}

async fn delete_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: ApiKeyAuth<S>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = client_id(&req, CLIENT_NOT_FOUND)?;
    state
        .services
        .clients
        .delete_client(&auth.caller, &id)
        .await
        .map_err(client_error)?;
    Ok(HttpResponse::NoContent().finish())
}
