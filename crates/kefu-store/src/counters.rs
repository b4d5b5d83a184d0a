//! Per-period sequences for human ticket numbers.

use sea_orm::sea_query::InsertStatement;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::inserts::sqlite_batch;

use crate::StoreError;

/// The statement that takes the next sequence number of the period bound at `param`: one
/// upsert, atomic on both backends (add `RETURNING last_seq` for the number; SQLite ≥ 3.35).
fn take_seq(param: &str) -> String {
    format!(
        "INSERT INTO ticket_counters (period, last_seq) VALUES ({param}, 1) \
         ON CONFLICT (period) DO UPDATE SET last_seq = ticket_counters.last_seq + 1"
    )
}

/// Returns the next sequence number of `period` (e.g. `SR-202611`), inside the caller's
/// transaction so that a rolled-back ticket does not burn a number.
pub async fn next_ticket_seq(db: &impl ConnectionTrait, period: &str) -> Result<i64, StoreError> {
    let backend = db.get_database_backend();
    let p = if backend == sea_orm::DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!("{} RETURNING last_seq", take_seq(p));
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [period.into()],
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get::<i64>("", "last_seq")?)
}

/// [`insert_all`](crate::insert_all) of `inserts` (the ticket's row among them, or none when
/// the row exists), then takes the next sequence number of `period` and writes
/// `{period}-{seq}`, the sequence zero-padded to at least `digits`, as the number of ticket
/// `ticket_id`; returns that number. Inside the caller's transaction, like
/// [`next_ticket_seq`]. Opening a ticket is a series of round trips (to another process on
/// PostgreSQL, to the connection's worker thread on SQLite), so on SQLite it is all one
/// batch, on PostgreSQL two statements: the inserts, then the counter upsert as a CTE of the
/// number's `UPDATE` (which could not see a row inserted in the same statement).
pub async fn insert_and_number(
    db: &impl ConnectionTrait,
    inserts: Vec<InsertStatement>,
    ticket_id: uuid::Uuid,
    period: &str,
    digits: usize,
) -> Result<String, StoreError> {
    let backend = db.get_database_backend();
    let stmt = if backend == DbBackend::Postgres {
        crate::insert_all(db, inserts).await?;
        numbering(backend, ticket_id, period, digits)
    } else {
        let batch = inserts.iter().map(|i| backend.build(i));
        sqlite_batch(batch.chain([numbering(backend, ticket_id, period, digits)]))
    };
    let row = db.query_one_raw(stmt).await?.ok_or(StoreError::NotFound)?;
    Ok(row.try_get::<String>("", "number")?)
}

/// The statement that numbers the ticket for [`insert_and_number`]; on SQLite two, with
/// anonymous placeholders, so that they can end a batch.
fn numbering(backend: DbBackend, ticket_id: uuid::Uuid, period: &str, digits: usize) -> Statement {
    let digits = digits as i32;
    if backend == DbBackend::Postgres {
        let sql = format!(
            "WITH seq AS ({} RETURNING last_seq) \
             UPDATE tickets SET number = $1 || '-' || \
               lpad(seq.last_seq::text, greatest($2, length(seq.last_seq::text)), '0') \
             FROM seq WHERE tickets.id = $3 RETURNING tickets.number",
            take_seq("$1")
        );
        return Statement::from_sql_and_values(
            backend,
            sql,
            [period.into(), digits.into(), ticket_id.into()],
        );
    }
    // `printf`'s `*` width pads without cutting, as `lpad` with `greatest` does.
    let sql = format!(
        "{}; \
         UPDATE tickets SET number = ? || '-' || printf('%0*d', ?, \
           (SELECT last_seq FROM ticket_counters WHERE period = ?)) \
         WHERE id = ? RETURNING number",
        take_seq("?")
    );
    Statement::from_sql_and_values(
        backend,
        sql,
        [
            period.into(),
            period.into(),
            digits.into(),
            period.into(),
            ticket_id.into(),
        ],
    )
}
