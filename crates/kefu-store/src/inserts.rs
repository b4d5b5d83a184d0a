//! Several inserts of one change sent together.

use sea_orm::sea_query::{CommonTableExpression, InsertStatement, WithClause};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::StoreError;

/// Runs `inserts` (rows that belong together, parents before children) inside the caller's
/// transaction, in one round trip: every ticket change writes an event and its outbox
/// message, and each round trip costs a hop to another process (PostgreSQL) or to the SQLite
/// connection's worker thread while the write lock is held. On PostgreSQL they go as one
/// statement, all but the last as data-modifying CTEs (foreign keys between them are checked
/// at the end of the statement); on SQLite as one batch of statements, run in order until
/// one fails.
pub async fn insert_all(
    db: &impl ConnectionTrait,
    inserts: Vec<InsertStatement>,
) -> Result<(), StoreError> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        if !inserts.is_empty() {
            db.execute_raw(sqlite_batch(inserts.iter().map(|i| backend.build(i))))
                .await?;
        }
        return Ok(());
    }
    let mut inserts = inserts;
    let Some(last) = inserts.pop() else {
        return Ok(());
    };
    if inserts.is_empty() {
        db.execute(&last).await?;
        return Ok(());
    }
    let mut with = WithClause::new();
    for (i, insert) in inserts.into_iter().enumerate() {
        with.cte(
            CommonTableExpression::new()
                .query(insert)
                .table_name(format!("insert_{i}"))
                .to_owned(),
        );
    }
    db.execute(&last.with(with)).await?;
    Ok(())
}

/// SQLite statements joined into one batch that runs them in order until one fails. They
/// must use anonymous placeholders (`?`, as sea-query writes them): the driver binds the
/// values of a batch statement after statement in order.
pub(crate) fn sqlite_batch(statements: impl IntoIterator<Item = Statement>) -> Statement {
    let mut sql = Vec::new();
    let mut values = Vec::new();
    for s in statements {
        sql.push(s.sql);
        values.extend(s.values.map(|v| v.0).unwrap_or_default());
    }
    Statement::from_sql_and_values(DbBackend::Sqlite, sql.join(";\n"), values)
}
