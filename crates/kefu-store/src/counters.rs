//! Per-period sequences for human ticket numbers.

use sea_orm::{ConnectionTrait, Statement};

use crate::StoreError;

/// Returns the next sequence number of `period` (e.g. `SR-202611`), inside the caller's
/// transaction so that a rolled-back ticket does not burn a number.
pub async fn next_ticket_seq(db: &impl ConnectionTrait, period: &str) -> Result<i64, StoreError> {
    let backend = db.get_database_backend();
    // One upsert statement: atomic on both backends, and RETURNING is supported by both
    // (SQLite ≥ 3.35).
    let p = if backend == sea_orm::DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!(
        "INSERT INTO ticket_counters (period, last_seq) VALUES ({p}, 1) \
               ON CONFLICT (period) DO UPDATE SET last_seq = ticket_counters.last_seq + 1 \
               RETURNING last_seq"
    );
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
