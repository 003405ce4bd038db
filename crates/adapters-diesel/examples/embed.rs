//! Clientele as a library, without its HTTP server: open an SQLite file, migrate it, create an
//! organization and manage its clients through the use cases. No password hasher, no mailer.
//!
//! ```text
//! cargo run -p clientele-adapters-diesel --example embed [-- PATH.db]
//! ```

#![allow(clippy::print_stdout)]

use clientele_adapters_diesel::{DieselStore, PoolOptions};
use clientele_domain::{ClientInput, ClientQuery, ClientSchema, NewClient, Plan};
use clientele_ports::{Caller, ClientService, OrganizationService};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "embed.db".to_owned());
    let store = DieselStore::connect(&format!("sqlite://{path}"), PoolOptions::default())?;
    store.migrate().await?;
    let organizations = OrganizationService::new(store.clone());
    let org = organizations
        .create_organization("Example Agency", Plan::Free)
        .await?;
    let clients = ClientService::new(store);
    let caller = Caller::Organization(org.id);
    // A client is parsed like a request body: every rule of the domain applies.
    let input = ClientInput {
        name: "Acme Motors".into(),
        phone_number: "+1 (555) 123-4567".into(),
        domain: "Acme.example".into(),
        ..ClientInput::default()
    };
    let new = NewClient::parse(input, &ClientSchema::NAME_ONLY)?;
    let client = clients.create_client(&caller, new).await?;
    println!(
        "created {} as /{} ({:?})",
        client.name, client.slug, client.domain
    );
    let page = clients
        .list_clients(&caller, &ClientQuery::default())
        .await?;
    println!("{} of {} on the free plan", page.clients.len(), page.total);
    Ok(())
}
