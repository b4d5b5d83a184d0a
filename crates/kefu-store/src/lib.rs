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
mod inserts;
mod text;
mod tickets;

#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

pub use counters::{next_ticket_seq, number_ticket};
pub use error::StoreError;
pub use idempotency::{IdempotencyRecord, find_idempotent, finish_idempotent, save_idempotent};
pub use inserts::insert_all;
pub use sea_orm;
pub use text::{contains_ci, ends_with_ci};
pub use tickets::{
    OpenTally, TicketCursor, TicketFilter, count_tickets, last_ticket_event_id, list_tickets,
    open_ticket_tally, update_ticket_versioned,
};

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, TransactionTrait};
use sea_orm_migration::MigratorTrait;

/// A transaction; commit it once at the end of a use case.
pub type Tx = sea_orm::DatabaseTransaction;

/// Connections that read a SQLite database beside its one writer (WAL lets readers run while
/// the writer writes).
const SQLITE_READERS: u32 = 4;

/// The database handle shared by the whole process.
#[derive(Clone, Debug)]
pub struct Store {
    /// Transactions (and, on PostgreSQL, everything).
    db: DatabaseConnection,
    /// SQLite only: statements outside transactions, so reads do not queue behind the writer.
    read: Option<DatabaseConnection>,
}

impl Store {
    /// Opens the database at `url` (`sqlite://…` or `postgres://…`).
    ///
    /// SQLite gets WAL, `synchronous=NORMAL`, foreign keys and a busy timeout; it is created if
    /// missing. Transactions run on a single writer connection, so that writers never fail with
    /// `SQLITE_BUSY` when a read transaction tries to upgrade; statements outside transactions
    /// (reads, single-statement writes, which wait for the writer through the busy timeout) use
    /// a pool of reader connections, so concurrent requests read in parallel.
    pub async fn connect(url: &str, max_connections: Option<u32>) -> Result<Store, StoreError> {
        let options = |max: u32| {
            let mut opts = ConnectOptions::new(url.to_owned());
            opts.sqlx_logging(false)
                .connect_timeout(Duration::from_secs(10))
                .acquire_timeout(Duration::from_secs(30))
                .max_connections(max);
            if url.starts_with("sqlite:") {
                opts.map_sqlx_sqlite_opts(|o| {
                    o.create_if_missing(true)
                        .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                        .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(10))
                });
            }
            opts
        };
        if url.starts_with("sqlite:") {
            // The writer first: it creates the file and switches it to WAL.
            let db = Database::connect(options(max_connections.unwrap_or(1))).await?;
            let read = Database::connect(options(SQLITE_READERS)).await?;
            Ok(Store {
                db,
                read: Some(read),
            })
        } else {
            let db = Database::connect(options(max_connections.unwrap_or(16))).await?;
            Ok(Store { db, read: None })
        }
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migration::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// The connection for statements outside a transaction.
    pub fn conn(&self) -> &DatabaseConnection {
        self.read.as_ref().unwrap_or(&self.db)
    }

    /// Starts a transaction.
    ///
    /// On SQLite the transaction takes the write lock at `BEGIN` (`BEGIN IMMEDIATE`): a
    /// deferred transaction that read first could not upgrade to a writer once a statement on a
    /// reader connection had written in between (`SQLITE_BUSY`, no waiting); an immediate one
    /// waits for the lock through the busy timeout instead.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        if self.backend() != DbBackend::Sqlite {
            return Ok(self.db.begin().await?);
        }
        let immediate = sea_orm::TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.db.begin_with_options(immediate).await?)
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
        if let Some(read) = self.read {
            read.close().await?;
        }
        self.db.close().await?;
        Ok(())
    }
}
