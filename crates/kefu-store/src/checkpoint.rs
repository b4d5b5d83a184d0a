//! SQLite WAL checkpoints beside the writer instead of inside its commits.
//!
//! By default SQLite checkpoints in the connection whose commit takes the WAL past 1,000
//! pages: that commit copies the pages into the database file and waits for two `fsync`s
//! (11–38 ms on this project's bench machine, about once per 37 ticket openings) while every
//! writer queued behind it waits too. Here a connection of its own copies the pages and syncs
//! concurrently with the writer (`PASSIVE`), so commits never wait for the disk
//! (`synchronous=NORMAL` syncs the WAL only at checkpoints).
//!
//! A checkpoint beside a busy writer seldom ends with the whole WAL copied — the writer appends
//! meanwhile — and SQLite only starts a WAL over from its beginning when a write transaction
//! begins with every frame copied. So once the WAL holds [`Policy::restart_frames`], the last
//! few frames are copied on the writer connection itself, where nothing commits in between:
//! a short pause (the frames since the last background pass) instead of the full copy, and the
//! next transaction starts the WAL over. The writer's own automatic checkpoint stays as a
//! backstop far above that size, should this task ever stop.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::task::AbortHandle;

/// When and how much to checkpoint.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    /// Pause between background checkpoints.
    pub interval: Duration,
    /// WAL size (pages) from which the writer copies the last frames itself so the WAL can
    /// start over.
    pub restart_frames: i64,
}

impl Policy {
    /// The server's policy: 4,096 pages (16 MiB with 4 KiB pages) between restarts.
    pub(crate) const DEFAULT: Policy = Policy {
        interval: Duration::from_millis(200),
        restart_frames: 4096,
    };
}

/// The writer's automatic checkpoint, kept only as a backstop (pages).
pub(crate) const BACKSTOP_FRAMES: i64 = 65_536;

/// The background task; stopped when the last [`crate::Store`] clone holding it is dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    task: AbortHandle,
}

impl Checkpointer {
    /// Stops the task (the store is closing).
    pub(crate) fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts checkpointing with `own` (a connection used for nothing else) and `writer` (the
/// store's writer pool).
pub(crate) fn start(
    own: DatabaseConnection,
    writer: DatabaseConnection,
    policy: Policy,
) -> Arc<Checkpointer> {
    let task = tokio::spawn(run(own, writer, policy));
    Arc::new(Checkpointer {
        task: task.abort_handle(),
    })
}

async fn run(own: DatabaseConnection, writer: DatabaseConnection, policy: Policy) {
    let mut tick = tokio::time::interval(policy.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match checkpoint(&own).await {
            Ok(log) if log >= policy.restart_frames => {
                if let Err(e) = checkpoint(&writer).await {
                    tracing::warn!(error = %e, "WAL checkpoint on the writer failed");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }
}

/// One `PASSIVE` checkpoint on `db`; returns the WAL's size in frames.
async fn checkpoint(db: &DatabaseConnection) -> Result<i64, sea_orm::DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA wal_checkpoint(PASSIVE)",
        ))
        .await?;
    // (busy, frames in the WAL, frames copied); -1 frames when the database is not in WAL mode.
    Ok(row
        .map(|r| r.try_get_by_index::<i64>(1))
        .transpose()?
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Database;
    use std::path::PathBuf;

    /// One connection opened as the store opens its own (WAL, the writer's checkpoint only as
    /// a backstop).
    async fn open(url: &str) -> DatabaseConnection {
        Database::connect(crate::connect_options(url, 1))
            .await
            .expect("connect")
    }

    /// A fresh database file with table `t`, in a scratch directory: (directory, database
    /// file, URL, writer connection).
    async fn scratch_db() -> (PathBuf, PathBuf, String, DatabaseConnection) {
        let dir = std::env::temp_dir().join(format!("kefu_ckpt_{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let db = dir.join("t.db");
        let url = format!("sqlite://{}?mode=rwc", db.display());
        let writer = open(&url).await;
        writer
            .execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            .await
            .expect("create");
        (dir, db, url, writer)
    }

    /// Commits one row of about `bytes` bytes.
    async fn insert(writer: &DatabaseConnection, i: usize, bytes: usize) {
        writer
            .execute_unprepared(&format!(
                "INSERT INTO t (v) VALUES ('{i}-{}')",
                "x".repeat(bytes)
            ))
            .await
            .expect("insert");
    }

    /// The writer commits without checkpointing, yet its pages reach the database file.
    #[tokio::test]
    async fn commits_reach_the_database_file_without_the_writer_checkpointing() {
        let (dir, db, url, writer) = scratch_db().await;
        // Far below the backstop: the writer alone would leave all of it in the WAL.
        for i in 0..200 {
            insert(&writer, i, 2000).await;
        }
        let before = std::fs::metadata(&db).expect("db file").len();
        let policy = Policy {
            interval: Duration::from_millis(10),
            restart_frames: i64::MAX,
        };
        let _ckpt = start(open(&url).await, writer.clone(), policy);
        let mut after = before;
        for _ in 0..500 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            after = std::fs::metadata(&db).expect("db file").len();
            if after > before + 300_000 {
                break;
            }
        }
        assert!(
            after > before + 300_000,
            "database file {before} → {after} bytes: the WAL's pages were not copied"
        );
        std::fs::remove_dir_all(dir).ok();
    }

    /// Beside a writer that never pauses, the WAL still starts over instead of growing
    /// (without the writer's own last step: ~30,000 frames here).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_starts_over_beside_a_busy_writer() {
        let (dir, db, url, writer) = scratch_db().await;
        let policy = Policy {
            interval: Duration::from_millis(5),
            restart_frames: 200,
        };
        let _ckpt = start(open(&url).await, writer.clone(), policy);
        // ~20,000 frames in all: one 4 KiB page per row at least.
        for i in 0..10_000 {
            insert(&writer, i, 4000).await;
        }
        let wal = std::fs::metadata(db.with_extension("db-wal"))
            .expect("wal")
            .len();
        // A frame is a 4 KiB page and its 24-byte header.
        let frames = wal / 4120;
        assert!(
            frames < 10_000,
            "the WAL grew to {frames} frames for 10,000 commits: it never started over"
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
