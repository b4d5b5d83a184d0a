//! Persistence for kefu on SQLite (embedded default) and PostgreSQL (scale-out) through SeaORM.
//!
//! One connection type serves both backends; the URL decides. Multi-step writes run in one
//! [`Tx`] opened by the app layer. Entities are plain rows; the few queries that need care
//! (ticket listing with cursor pagination, optimistic updates, number sequences, idempotency)
//! live in their own modules here.

pub mod entity;
pub mod migration;

mod counters;
mod error;
mod idempotency;
mod text;
mod tickets;

#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

pub use counters::next_ticket_seq;
pub use error::StoreError;
pub use idempotency::{IdempotencyRecord, find_idempotent, finish_idempotent, save_idempotent};
pub use sea_orm;
pub use text::{contains_ci, ends_with_ci};
pub use tickets::{
    TicketCursor, TicketFilter, all_tickets_matching, count_tickets, last_ticket_event_id,
    list_tickets, update_ticket_versioned,
};

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, TransactionTrait};
use sea_orm_migration::MigratorTrait;

/// A transaction; commit it once at the end of a use case.
pub type Tx = sea_orm::DatabaseTransaction;

/// The database handle shared by the whole process.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Opens the database at `url` (`sqlite://…` or `postgres://…`).
    ///
    /// SQLite gets WAL, `synchronous=NORMAL`, foreign keys and a busy timeout; it is created if
    /// missing. SQLite uses a single pooled connection so that writers never fail with
    /// `SQLITE_BUSY` when a read transaction tries to upgrade.
    pub async fn connect(url: &str, max_connections: Option<u32>) -> Result<Store, StoreError> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30));
        if url.starts_with("sqlite:") {
            opts.max_connections(max_connections.unwrap_or(1));
            opts.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
        } else {
            opts.max_connections(max_connections.unwrap_or(16));
        }
        let db = Database::connect(opts).await?;
        Ok(Store { db })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migration::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// The connection, for reads outside a transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.db.begin().await?)
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await?;
        Ok(())
    }
}
