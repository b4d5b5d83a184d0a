//! Multi-row INSERT statements: as many rows per statement as the bind-parameter limits allow
//! (SQLite 32,766, PostgreSQL 65,535), at most 2,000.

use kefu_store::sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, Iterable,
    QueryTrait, Statement,
};

use crate::AppError;

/// Bind parameters one statement may use, below SQLite's limit of 32,766.
const MAX_BINDS: usize = 30_000;

/// Rows of entity `E` that fit one statement.
pub(super) fn rows_per_statement<E: EntityTrait>() -> usize {
    (MAX_BINDS / E::Column::iter().count().max(1)).clamp(1, 2_000)
}

/// `rows` as INSERT statements of [`rows_per_statement`] rows each (the last may be shorter).
pub(super) fn insert_statements<A, M>(backend: DbBackend, rows: Vec<M>) -> Vec<Statement>
where
    A: ActiveModelTrait,
    M: IntoActiveModel<A>,
{
    let per = rows_per_statement::<A::Entity>();
    let mut out = Vec::with_capacity(rows.len().div_ceil(per));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk = rows
            .by_ref()
            .take(per)
            .map(IntoActiveModel::into_active_model);
        out.push(<A::Entity as EntityTrait>::insert_many(chunk).build(backend));
    }
    out
}

/// Runs statements in order.
pub(super) async fn run_all(
    db: &impl ConnectionTrait,
    statements: Vec<Statement>,
) -> Result<(), AppError> {
    for s in statements {
        db.execute_raw(s).await?;
    }
    Ok(())
}
