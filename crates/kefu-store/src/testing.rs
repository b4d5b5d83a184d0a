//! Fresh databases for tests (feature `testing`): a SQLite file in a temporary directory and a
//! PostgreSQL database of its own, created on the server at `KEFU_TEST_PG_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`) and dropped again by [`TestDb::cleanup`].
//!
//! Without a reachable PostgreSQL, [`TestDb::postgres`] returns `None` and says so on stderr;
//! with `CI=true` it panics instead, so CI can never skip the PostgreSQL run by accident.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};

use crate::Store;

/// Which backend a test database lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL database.
    Postgres,
}

/// One migrated, empty database plus a scratch directory for files.
pub struct TestDb {
    /// The store, migrated.
    pub store: Store,
    /// The backend.
    pub backend: Backend,
    /// The connection URL.
    pub url: String,
    /// A scratch directory (attachments, SQLite file); removed by `cleanup`.
    pub dir: PathBuf,
    pg: Option<(String, String)>,
}

fn pg_base() -> String {
    std::env::var("KEFU_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn scratch() -> (String, PathBuf) {
    let name = format!("kefu_test_{}", uuid::Uuid::now_v7().simple());
    let dir = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    (name, dir)
}

/// Drops test databases left behind by runs that panicked more than an hour ago (their names
/// carry a UUIDv7, whose first 48 bits are the creation time in milliseconds).
async fn drop_stale(admin: &sea_orm::DatabaseConnection) {
    let Ok(rows) = admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'kefu_test_%'",
        ))
        .await
    else {
        return;
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let created_ms = name
            .strip_prefix("kefu_test_")
            .and_then(|hex| hex.get(..12))
            .and_then(|ts| i64::from_str_radix(ts, 16).ok());
        if created_ms.is_some_and(|ms| now_ms - ms > 3_600_000) {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

impl TestDb {
    /// A fresh SQLite database.
    pub async fn sqlite() -> TestDb {
        let (_, dir) = scratch();
        let url = format!("sqlite://{}/kefu.db?mode=rwc", dir.display());
        let store = Store::connect(&url, None).await.expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        TestDb {
            store,
            backend: Backend::Sqlite,
            url,
            dir,
            pg: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` when the server is unreachable outside CI.
    pub async fn postgres() -> Option<TestDb> {
        let base = pg_base();
        let admin = match Database::connect(base.clone()).await {
            Ok(c) => c,
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("PostgreSQL unreachable at {base} in CI: {e}")
            }
            Err(e) => {
                eprintln!("skipped PostgreSQL: unreachable at {base}: {e}");
                return None;
            }
        };
        drop_stale(&admin).await;
        let (name, dir) = scratch();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let url = format!(
            "{}/{name}",
            base.rsplit_once('/').map(|(a, _)| a).unwrap_or(&base)
        );
        let store = Store::connect(&url, Some(8)).await.expect("open postgres");
        store.migrate().await.expect("migrate postgres");
        Some(TestDb {
            store,
            backend: Backend::Postgres,
            url,
            dir,
            pg: Some((base, name)),
        })
    }

    /// Both backends: SQLite always, PostgreSQL when reachable (always in CI).
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite().await];
        dbs.extend(TestDb::postgres().await);
        dbs
    }

    /// Closes the store, drops the PostgreSQL database and removes the scratch directory.
    pub async fn cleanup(self) {
        let _ = self.store.clone().close().await;
        if let Some((base, name)) = self.pg
            && let Ok(admin) = Database::connect(base).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            let _ = admin.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
