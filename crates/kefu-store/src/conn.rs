//! The connection for statements outside a transaction. On SQLite it sends reads to a pool of
//! reader connections and every other statement to the one writer connection, so writes wait
//! for each other in the pool's queue instead of in SQLite's busy handler.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, Statement,
};

/// Statements outside a transaction; see the module documentation.
#[derive(Clone, Debug)]
pub struct Conn {
    /// Transactions and writes (on PostgreSQL, everything).
    pub(crate) write: DatabaseConnection,
    /// SQLite only: reads, in parallel with the writer (WAL).
    pub(crate) read: Option<DatabaseConnection>,
}

impl Conn {
    /// The connection for `sql`: a reader for a `SELECT`, the writer otherwise (`INSERT …
    /// RETURNING` and `WITH … UPDATE` come back with rows but write).
    ///
    /// A write on a reader connection would take SQLite's write lock beside the writer's
    /// transactions: while either holds it the other sleeps in SQLite's busy handler (1, 2,
    /// 5, 10 … ms) instead of waiting in line, and the lock lies idle meanwhile.
    fn route(&self, sql: &str) -> &DatabaseConnection {
        match &self.read {
            Some(read) if is_select(sql) => read,
            _ => &self.write,
        }
    }
}

fn is_select(sql: &str) -> bool {
    sql.trim_start()
        .get(..6)
        .is_some_and(|head| head.eq_ignore_ascii_case("select"))
}

#[sea_orm::prelude::async_trait::async_trait]
impl ConnectionTrait for Conn {
    fn get_database_backend(&self) -> DbBackend {
        self.write.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.route(&stmt.sql).execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.route(sql).execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.route(&stmt.sql).query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.route(&stmt.sql).query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.write.support_returning()
    }
}

#[cfg(test)]
mod tests {
    use super::is_select;

    #[test]
    fn only_selects_are_reads() {
        assert!(is_select("SELECT 1"));
        assert!(is_select("  select \"tickets\".\"id\" FROM tickets"));
        for write in [
            "INSERT INTO t VALUES (1) RETURNING id",
            "UPDATE t SET a = 1",
            "WITH seq AS (INSERT INTO c VALUES (1) RETURNING n) UPDATE t SET n = 1",
            "DELETE FROM t",
            "PRAGMA wal_checkpoint",
            "SEL",
            "",
        ] {
            assert!(!is_select(write), "{write}");
        }
    }
}
