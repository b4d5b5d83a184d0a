//! Several inserts of one change sent together.

use sea_orm::sea_query::{CommonTableExpression, InsertStatement, WithClause};
use sea_orm::{ConnectionTrait, DbBackend};

use crate::StoreError;

/// Runs `inserts` (rows that belong together, parents before children) inside the caller's
/// transaction. On PostgreSQL they go as one statement, all but the last as data-modifying
/// CTEs (foreign keys between them are checked at the end of the statement): every ticket
/// change writes an event and its outbox message, and each statement is a round trip to
/// another process. SQLite runs them one by one.
pub async fn insert_all(
    db: &impl ConnectionTrait,
    inserts: Vec<InsertStatement>,
) -> Result<(), StoreError> {
    if db.get_database_backend() != DbBackend::Postgres {
        for insert in &inserts {
            db.execute(insert).await?;
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
