//! Clientele as a library, without its HTTP server: open an SQLite file, migrate it, and manage an
//! organization's clients through the use cases.
//!
//! ```text
//! cargo run -p clientele-adapters-diesel --example embed [-- PATH.db]
//! ```
//!
//! Without a path it uses a new file in the system's temporary directory, removed at the end.

#![allow(clippy::print_stdout)]

use std::error::Error;
use std::sync::Arc;

use async_trait::async_trait;
use clientele_adapters_diesel::{DieselStore, PoolOptions};
use clientele_domain::{ClientInput, ClientQuery, ClientSchema, Environment, NewClient, Plan};
use clientele_ports::{
    Caller, Config, InfraError, Mailer, Message, PasswordHasher, RandomIds, Services, SystemClock,
};

/// This program creates no users, so it never hashes a password; a real service plugs in argon2.
struct NoPasswords;

#[async_trait]
impl PasswordHasher for NoPasswords {
    async fn hash(&self, _password: &str) -> Result<String, InfraError> {
        Err(InfraError {
            what: "password hashing",
            source: "this example creates no users".into(),
        })
    }

    async fn verify(&self, _password: &str, _hash: Option<&str>) -> Result<bool, InfraError> {
        Ok(false)
    }
}

/// Mail goes nowhere.
struct NoMail;

#[async_trait]
impl Mailer for NoMail {
    async fn send(&self, _message: Message) -> Result<(), InfraError> {
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let given = std::env::args().nth(1);
    let path: std::path::PathBuf = match &given {
        Some(path) => path.into(),
        None => std::env::temp_dir().join(format!("clientele-embed-{}.db", std::process::id())),
    };
    let url = format!("sqlite://{}", path.display());

    // The store: a pool on the file (created if missing), migrated to the current schema.
    let store = DieselStore::connect(&url, PoolOptions::default())?;
    let applied = store.migrate().await?;
    println!("database: {url} (applied {} migrations)", applied.len());

    let services = Services::new(
        store,
        Arc::new(SystemClock),
        Arc::new(RandomIds),
        Arc::new(NoPasswords),
        Arc::new(NoMail),
        Config::default(),
    );

    // An organization on the free plan (3 clients) and a management API key of it.
    let org = services
        .create_organization("Example Agency", Plan::Free)
        .await?;
    let (key, secret) = services
        .create_api_key(org.id, "embed example", Environment::Production)
        .await?;
    println!(
        "organization {} ({}), key {}…",
        org.name, org.id, key.prefix
    );
    // What an HTTP request carrying the key would resolve to:
    let caller: Caller = services.resolve_api_key(secret.expose()).await?;

    // Clients are parsed like request bodies: every rule of the domain applies.
    for (name, kind, phone, domain) in [
        (
            "Acme Motors",
            "automotive",
            "+1 (555) 123-4567",
            "acme.example",
        ),
        (
            "Bistro Belle",
            "restaurant",
            "020 7946 0958",
            "https://Bistro.Example/menu",
        ),
    ] {
        let input = ClientInput {
            name: name.into(),
            business_type: kind.into(),
            subscription_plan: "Pro".into(),
            phone_number: phone.into(),
            domain: domain.into(),
            ..ClientInput::default()
        };
        let new = NewClient::parse(input, &ClientSchema::MANAGEMENT)?;
        let client = services.create_client(&caller, new).await?;
        println!("created {} as /{}", client.name, client.slug);
    }

    let page = services
        .list_clients(&caller, &ClientQuery::default())
        .await?;
    println!("{} clients, newest first:", page.total);
    for c in &page.clients {
        println!(
            "  {:<14} slug={:<14} type={:<11} status={:<7} phone={:<14} domain={}",
            c.name.as_str(),
            c.slug.as_str(),
            c.business_type.as_ref().map_or("-", |t| t.as_str()),
            c.status.as_str(),
            c.phone_number.as_ref().map_or("-", |p| p.as_str()),
            c.domain.as_ref().map_or("-", |d| d.as_str()),
        );
    }

    if given.is_none() {
        drop(services);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    Ok(())
}
