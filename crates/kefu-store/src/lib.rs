//! Persistence for kefu on SQLite (embedded default) and PostgreSQL (scale-out) through SeaORM.
//!
//! One connection type serves both backends; the URL decides. Multi-step writes run in one
//! [`Tx`] opened by the app layer. Entities are plain rows; the few queries that need care
//! (ticket listing with cursor pagination, optimistic updates, number sequences, idempotency)
//! live in their own modules here.

pub mod entity;
pub mod migration;

mod checkpoint;
mod conn;
mod counters;
mod error;
mod idempotency;
mod inserts;
mod text;
mod tickets;

#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;
use std::time::Duration;

pub use conn::Conn;
pub use counters::{insert_and_number, next_ticket_seq};
pub use error::StoreError;
pub use idempotency::{IdempotencyRecord, find_idempotent, finish_idempotent, save_idempotent};
pub use inserts::insert_all;
pub use sea_orm;
pub use text::{contains_ci, ends_with_ci};
pub use tickets::{
    OpenTally, TicketCursor, TicketFilter, count_tickets, last_ticket_event_id, list_tickets,
    list_tickets_statement, open_ticket_tally, update_ticket_versioned,
};

use sea_orm::{ConnectOptions, Database, DbBackend, TransactionTrait};
use sea_orm_migration::MigratorTrait;

/// How every connection to `url` is opened (pool size `max`); see [`Store::connect`].
pub(crate) fn connect_options(url: &str, max: u32) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .max_connections(max);
    if url.starts_with("sqlite:") {
        // A connection to a file in this process cannot go stale: no ping on checkout
        // (each ping is a hop to the connection's thread, and every statement and
        // transaction checks a connection out).
        opts.test_before_acquire(false);
        opts.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Checkpoints run beside the writer; this one is only a backstop.
                .pragma(
                    "wal_autocheckpoint",
                    checkpoint::BACKSTOP_FRAMES.to_string(),
                )
        });
    } else {
        // A server, proxy or firewall may drop a connection left idle; one in use
        // moments ago is alive, so only connections idle this long are pinged on
        // checkout (sqlx pings on every checkout by default: one more round trip per
        // statement outside a transaction, and per transaction).
        opts.test_before_acquire_if_idle_for(Duration::from_secs(30));
    }
    opts
}

/// A transaction; commit it once at the end of a use case.
pub type Tx = sea_orm::DatabaseTransaction;

/// Connections that read a SQLite database beside its one writer (WAL lets readers run while
/// the writer writes).
const SQLITE_READERS: u32 = 4;

/// The database handle shared by the whole process.
#[derive(Clone, Debug)]
pub struct Store {
    /// Transactions run on `conn.write` (SQLite: the one writer connection); statements
    /// outside them go through `conn`, which sends SQLite's reads to its reader pool.
    conn: Conn,
    /// SQLite only: copies the WAL into the database file beside the writer (see
    /// [`checkpoint`]); stops with the last clone.
    checkpointer: Option<Arc<checkpoint::Checkpointer>>,
}

impl Store {
    /// Opens the database at `url` (`sqlite://…` or `postgres://…`).
    ///
    /// SQLite gets WAL, `synchronous=NORMAL`, foreign keys and a busy timeout; it is created if
    /// missing. Its WAL is checkpointed by a task beside the writer rather than in the
    /// writer's commits (see the `checkpoint` module). Transactions and every other write run
    /// on a single writer connection, so that writers wait for each other in line and never
    /// fail with `SQLITE_BUSY` when a read transaction tries to upgrade; reads outside
    /// transactions use a pool of reader connections, so concurrent requests read in parallel
    /// (see [`Conn`]).
    pub async fn connect(url: &str, max_connections: Option<u32>) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            // The writer first: it creates the file and switches it to WAL.
            let write =
                Database::connect(connect_options(url, max_connections.unwrap_or(1))).await?;
            let read = Database::connect(connect_options(url, SQLITE_READERS)).await?;
            let own = Database::connect(connect_options(url, 1)).await?;
            let checkpointer = checkpoint::start(own, write.clone(), checkpoint::Policy::DEFAULT);
            Ok(Store {
                conn: Conn {
                    write,
                    read: Some(read),
                },
                checkpointer: Some(checkpointer),
            })
        } else {
            let write =
                Database::connect(connect_options(url, max_connections.unwrap_or(16))).await?;
            Ok(Store {
                conn: Conn { write, read: None },
                checkpointer: None,
            })
        }
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migration::Migrator::up(&self.conn.write, None).await?;
        Ok(())
    }

    /// The connection for statements outside a transaction (see [`Conn`]).
    pub fn conn(&self) -> &Conn {
        &self.conn
    }

    /// Starts a transaction.
    ///
    /// On SQLite the transaction takes the write lock at `BEGIN` (`BEGIN IMMEDIATE`): a
    /// deferred transaction that read first could not upgrade to a writer once a statement on a
    /// reader connection had written in between (`SQLITE_BUSY`, no waiting); an immediate one
    /// waits for the lock through the busy timeout instead.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        if self.backend() != DbBackend::Sqlite {
            return Ok(self.conn.write.begin().await?);
        }
        let immediate = sea_orm::TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.conn.write.begin_with_options(immediate).await?)
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.write.get_database_backend()
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.conn.write.ping().await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(self) -> Result<(), StoreError> {
        // Other clones may still hold the checkpointer; the pools close for all of them.
        if let Some(c) = &self.checkpointer {
            c.stop();
        }
        if let Some(read) = self.conn.read {
            read.close().await?;
        }
        self.conn.write.close().await?;
        Ok(())
    }
}
