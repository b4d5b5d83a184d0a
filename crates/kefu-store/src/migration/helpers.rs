//! Small builders the migrations from `m20261203` on share (earlier files keep their own
//! copies: a merged migration is never edited).

use sea_orm_migration::prelude::*;

/// A foreign key `from.0(from.1) → to(id)` with the given delete action.
pub(super) fn fk(
    name: &'static str,
    from: (&'static str, &'static str),
    to: &'static str,
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to, "id")
        .on_delete(action)
        .to_owned()
}

/// Creates an index (unique or not) over `cols` of `table`.
pub(super) async fn index(
    m: &SchemaManager<'_>,
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    if unique {
        idx.unique();
    }
    m.create_index(idx.to_owned()).await
}

/// Runs `sql` when the database is `backend` (settings and indexes of one backend only).
pub(super) async fn only_on(
    m: &SchemaManager<'_>,
    backend: sea_orm_migration::sea_orm::DbBackend,
    sql: &str,
) -> Result<(), DbErr> {
    if m.get_database_backend() == backend {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}
