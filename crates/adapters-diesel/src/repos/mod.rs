//! The repository ports, implemented on [`DieselStore`](crate::DieselStore).

mod accounts;
mod clients;
mod idempotency;

use async_trait::async_trait;
use clientele_ports::{RepoError, Store};
use diesel::connection::SimpleConnection as _;

use crate::store::DieselStore;

#[async_trait]
impl Store for DieselStore {
    async fn ping(&self) -> Result<(), RepoError> {
        self.run(|c| Ok(c.batch_execute("SELECT 1")?)).await
    }
}
