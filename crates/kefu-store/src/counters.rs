//! Per-period sequences for human ticket numbers.

use sea_orm::{ConnectionTrait, Statement};

use crate::StoreError;

/// The statement that takes the next sequence number of the period bound at `param`: one
/// upsert, atomic on both backends, with RETURNING on both (SQLite ≥ 3.35).
fn take_seq(param: &str) -> String {
    format!(
        "INSERT INTO ticket_counters (period, last_seq) VALUES ({param}, 1) \
         ON CONFLICT (period) DO UPDATE SET last_seq = ticket_counters.last_seq + 1 \
         RETURNING last_seq"
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
    let sql = take_seq(p);
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

/// Takes the next sequence number of `period` and writes `{period}-{seq}`, the sequence
/// zero-padded to at least `digits`, as the number of ticket `ticket_id`; returns that
/// number. Inside the caller's transaction, like [`next_ticket_seq`]. On PostgreSQL this is
/// one statement (the counter upsert as a CTE of the update): opening a ticket is a series of
/// round trips to another process, and this saves one; SQLite runs the two statements.
pub async fn number_ticket(
    db: &impl ConnectionTrait,
    ticket_id: uuid::Uuid,
    period: &str,
    digits: usize,
) -> Result<String, StoreError> {
    let backend = db.get_database_backend();
    if backend != sea_orm::DbBackend::Postgres {
        let seq = next_ticket_seq(db, period).await?;
        let number = format!("{period}-{seq:0digits$}");
        let updated = db
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE tickets SET number = ? WHERE id = ?",
                [number.clone().into(), ticket_id.into()],
            ))
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        return Ok(number);
    }
    let sql = format!(
        "WITH seq AS ({}) \
         UPDATE tickets SET number = $1 || '-' || \
           lpad(seq.last_seq::text, greatest($2, length(seq.last_seq::text)), '0') \
         FROM seq WHERE tickets.id = $3 RETURNING tickets.number",
        take_seq("$1")
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [period.into(), (digits as i32).into(), ticket_id.into()],
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get::<String>("", "number")?)
}
