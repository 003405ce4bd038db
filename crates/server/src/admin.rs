//! The administration subcommands. Each returns the one JSON object it prints, or a one-line
//! error message.

use clientele_domain::{ApiKey, ApiKeyId, Environment, Organization, OrganizationId, Plan};
use clientele_ports::AccountError;
use serde_json::{Value, json};

use crate::cli::{KeysCommand, OrgsCommand};
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
        other => {
            let mut msg = other.to_string();
            let mut source = std::error::Error::source(&other);
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            msg
        }
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
                .create_organization(&name, plan(&p)?)
                .await
                .map_err(|e| account_error(e, "organization not found"))?;
            Ok(organization_json(&org))
        }
        OrgsCommand::List => {
            let orgs = services
                .list_organizations()
                .await
                .map_err(|e| account_error(e, "organization not found"))?;
            Ok(json!({ "organizations": orgs.iter().map(organization_json).collect::<Vec<_>>() }))
        }
        OrgsCommand::SetPlan { org, plan: p } => {
            let id = org_id(&org)?;
            let org = services
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
                .revoke_api_key(key_id)
                .await
                .map_err(|e| account_error(e, &format!("api key not found: {key_id}")))?;
            Ok(key_json(&key))
        }
    }
}
