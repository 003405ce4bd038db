//! The administration subcommands. Each returns the one JSON object it prints, or a one-line
//! error message.

use clientele_domain::{
    ApiKey, ApiKeyId, Environment, Organization, OrganizationId, Plan, SignupFlow,
    SubscriptionStatus,
};
use clientele_ports::{Account, AccountError, NewUser, UserUpdate};
use serde_json::{Value, json};

use crate::cli::{KeysCommand, OrgsCommand, UsersCommand};
use crate::run::AppServices;

fn time(t: time::OffsetDateTime) -> String {
    clientele_adapters_http::time_fmt::rfc3339_seconds(t)
}

/// An organization as the command line prints it.
#[must_use]
pub fn organization_json(o: &Organization) -> Value {
    json!({
        "id": o.id.to_string(),
        "name": o.name.as_str(),
        "plan": o.plan.as_str(),
        "created_at": time(o.created_at),
    })
}

/// An API key's record (never the key itself).
#[must_use]
pub fn key_json(k: &ApiKey) -> Value {
    json!({
        "id": k.id.to_string(),
        "organization_id": k.organization_id.to_string(),
        "name": k.name.as_str(),
        "environment": k.environment.as_str(),
        "prefix": k.prefix,
        "created_at": time(k.created_at),
        "last_used_at": k.last_used_at.map(time),
        "revoked_at": k.revoked_at.map(time),
    })
}

fn plan(s: &str) -> Result<Plan, String> {
    s.parse()
        .map_err(|e: clientele_domain::UnknownPlan| e.to_string())
}

fn org_id(s: &str) -> Result<OrganizationId, String> {
    s.parse()
        .map_err(|_| format!("invalid organization id {s:?}: expected a UUID"))
}

fn account_error(e: AccountError, not_found: &str) -> String {
    match e {
        AccountError::NotFound => not_found.to_owned(),
        AccountError::Validation(v) => format!("invalid input: {v}"),
        other => clientele_ports::error_chain(&other),
    }
}

/// `clientele orgs ...`.
///
/// # Errors
/// A one-line message (unknown organization, bad plan name, database failure...).
pub async fn orgs(services: &AppServices, command: OrgsCommand) -> Result<Value, String> {
    match command {
        OrgsCommand::Create { name, plan: p } => {
            let org = services
                .organizations
                .create_organization(&name, plan(&p)?)
                .await
                .map_err(|e| account_error(e, "organization not found"))?;
            Ok(organization_json(&org))
        }
        OrgsCommand::List => {
            let orgs = services
                .organizations
                .list_organizations()
                .await
                .map_err(|e| account_error(e, "organization not found"))?;
            Ok(json!({ "organizations": orgs.iter().map(organization_json).collect::<Vec<_>>() }))
        }
        OrgsCommand::SetPlan { org, plan: p } => {
            let id = org_id(&org)?;
            let org = services
                .organizations
                .set_plan(id, plan(&p)?)
                .await
                .map_err(|e| account_error(e, &format!("organization not found: {id}")))?;
            Ok(organization_json(&org))
        }
    }
}

/// `clientele keys ...`.
///
/// # Errors
/// A one-line message (unknown organization or key, bad environment, database failure...).
pub async fn keys(services: &AppServices, command: KeysCommand) -> Result<Value, String> {
    match command {
        KeysCommand::Create {
            org,
            name,
            environment,
        } => {
            let id = org_id(&org)?;
            let environment: Environment = environment.parse()?;
            let (key, secret) = services
                .accounts
                .create_api_key(id, &name, environment)
                .await
                .map_err(|e| account_error(e, &format!("organization not found: {id}")))?;
            Ok(json!({
                "id": key.id.to_string(),
                "key": secret.expose(),
                "name": key.name.as_str(),
                "environment": key.environment.as_str(),
                "organization_id": key.organization_id.to_string(),
                "prefix": key.prefix,
                "created_at": time(key.created_at),
            }))
        }
        KeysCommand::List { org } => {
            let id = org_id(&org)?;
            let keys = services
                .accounts
                .list_api_keys(id)
                .await
                .map_err(|e| account_error(e, &format!("organization not found: {id}")))?;
            Ok(json!({ "keys": keys.iter().map(key_json).collect::<Vec<_>>() }))
        }
        KeysCommand::Revoke { id } => {
            let key_id: ApiKeyId = id
                .parse()
                .map_err(|_| format!("invalid key id {id:?}: expected a UUID"))?;
            let key = services
                .accounts
                .revoke_api_key(key_id)
                .await
                .map_err(|e| account_error(e, &format!("api key not found: {key_id}")))?;
            Ok(key_json(&key))
        }
    }
}

/// A user as the command line prints it (never the password hash).
#[must_use]
pub fn user_json(a: &Account) -> Value {
    let u = &a.user;
    json!({
        "id": u.id.to_string(),
        "email": u.email.as_str(),
        "name": u.name.as_ref().map(|n| n.as_str()),
        "organization_id": u.organization_id.to_string(),
        "plan": a.plan.as_str(),
        "signup_flow": u.signup_flow.as_str(),
        "email_verified_at": u.email_verified_at.map(time),
        "subscription_status": u.subscription_status.as_str(),
        "plan_expires_at": u.plan_expires_at.map(time),
        "created_at": time(u.created_at),
    })
}

/// `--plan-expires`: an RFC 3339 instant, in UTC, in the years 1–9999 (what every backend and
/// the wire format can hold).
fn parse_plan_expires(t: &str) -> Result<time::OffsetDateTime, String> {
    let invalid =
        || format!("invalid --plan-expires {t:?}: expected RFC 3339 (years 1-9999) or none");
    let parsed = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map_err(|_| invalid())?;
    parsed
        .checked_to_offset(time::UtcOffset::UTC)
        .filter(|utc| (1..=9999).contains(&utc.year()))
        .ok_or_else(invalid)
}

fn signup_flow(s: &str) -> Result<SignupFlow, String> {
    s.parse()
}

/// `clientele users ...`.
///
/// # Errors
/// A one-line message (duplicate email, unknown organization or user, bad flow...).
pub async fn users(services: &AppServices, command: UsersCommand) -> Result<Value, String> {
    match command {
        UsersCommand::Create {
            email,
            password,
            org,
            name,
            verified,
            signup_flow: flow,
        } => {
            let organization = org.as_deref().map(org_id).transpose()?;
            let account = services
                .accounts
                .create_user(NewUser {
                    email,
                    password,
                    name,
                    organization,
                    verified,
                    signup_flow: signup_flow(&flow)?,
                })
                .await
                .map_err(|e| match e {
                    AccountError::EmailTaken => "a user with this email already exists".to_owned(),
                    other => account_error(other, "organization not found"),
                })?;
            Ok(user_json(&account))
        }
        UsersCommand::Update {
            email,
            verified,
            unverified,
            signup_flow: flow,
            subscription,
            plan_expires,
        } => {
            let plan_expires_at = match plan_expires.as_deref() {
                None => None,
                Some("none" | "") => Some(None),
                Some(t) => Some(Some(parse_plan_expires(t)?)),
            };
            let update = UserUpdate {
                verified: (verified || unverified).then_some(verified),
                signup_flow: flow.as_deref().map(signup_flow).transpose()?,
                subscription_status: subscription
                    .as_deref()
                    .map(str::parse::<SubscriptionStatus>)
                    .transpose()?,
                plan_expires_at,
            };
            let account = services
                .accounts
                .update_user(&email, update)
                .await
                .map_err(|e| account_error(e, &format!("user not found: {email}")))?;
            Ok(user_json(&account))
        }
    }
}
