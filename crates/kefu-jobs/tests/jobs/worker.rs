//! The runner: dispatch by kind, outcomes recorded, schedules fired, graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use kefu_jobs::{Job, JobState, NewJob, Schedule, Worker, enqueue, get};
use kefu_store::Store;
use kefu_store::testing::TestDb;
use serde_json::json;
use tokio::sync::{Notify, mpsc, watch};
use uuid::Uuid;

use crate::common::{at, count, t0};

const WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
#[error("mailbox full")]
struct MailboxFull;

async fn add(store: &Store, kind: &str, payload: serde_json::Value) -> Uuid {
    let job = NewJob::new(kind, payload);
    enqueue(store.conn(), job, t0()).await.unwrap().unwrap()
}

async fn job(store: &Store, id: Uuid) -> Job {
    get(store.conn(), id).await.unwrap().unwrap()
}

/// Waits until the job has left `queued` and `running`.
async fn settled(store: &Store, id: Uuid) -> Job {
    tokio::time::timeout(WAIT, async {
        loop {
            let j = job(store, id).await;
            if !matches!(j.state, JobState::Queued | JobState::Running) {
                return j;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("job settles")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_runs_handlers_and_finishes_in_flight_jobs_on_shutdown() {
    for db in TestDb::all().await {
        let s = &db.store;
        let echo = add(s, "echo", json!({"n": 1})).await;
        let slow = add(s, "slow", json!({})).await;
        let failing = add(s, "failing", json!({})).await;
        let panicking = add(s, "panicking", json!({})).await;

        let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
        let (started_tx, mut started_rx) = mpsc::unbounded_channel();
        let release = Arc::new(Notify::new());
        let gate = release.clone();
        let worker = Worker::new(s.clone(), "test-worker")
            .poll_interval(Duration::from_millis(20))
            .concurrency(2)
            .clock(|| at(1))
            .handle("echo", move |job| {
                let seen = seen_tx.clone();
                async move {
                    seen.send(job.payload).ok();
                    Ok(())
                }
            })
            .handle("slow", move |_| {
                let (started, gate) = (started_tx.clone(), gate.clone());
                async move {
                    started.send(()).ok();
                    gate.notified().await;
                    Ok(())
                }
            })
            .handle("failing", |_| async { Err(MailboxFull.into()) })
            .handle("panicking", |_| async { panic!("bad payload") })
            .schedule(Schedule::every(
                "tick",
                Duration::from_secs(60),
                "echo",
                json!({"tick": true}),
            ));
        let (stop_tx, mut stop_rx) = watch::channel(false);
        let running = tokio::spawn(worker.run(async move {
            let _ = stop_rx.changed().await;
        }));

        let mut payloads = Vec::new();
        for _ in 0..2 {
            let p = tokio::time::timeout(WAIT, seen_rx.recv()).await.unwrap();
            payloads.push(p.unwrap());
        }
        payloads.sort_by_key(|p| p.to_string());
        assert_eq!(payloads, [json!({"n": 1}), json!({"tick": true})]);
        assert_eq!(settled(s, echo).await.state, JobState::Done);

        let failed = settled(s, failing).await;
        assert_eq!(failed.state, JobState::Failed);
        assert_eq!(failed.last_error.as_deref(), Some("mailbox full"));
        assert_eq!(failed.run_at, at(31), "retried after the first backoff");
        let panicked = settled(s, panicking).await;
        assert_eq!(panicked.state, JobState::Failed);
        assert!(panicked.last_error.unwrap().contains("bad payload"));

        // Shut down while the slow job is in flight: the worker waits for it.
        tokio::time::timeout(WAIT, started_rx.recv()).await.unwrap();
        stop_tx.send(true).unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!running.is_finished(), "worker waits for in-flight jobs");
        release.notify_one();
        tokio::time::timeout(WAIT, running).await.unwrap().unwrap();

        assert_eq!(job(s, slow).await.state, JobState::Done);
        assert_eq!(count(s, Some("running")).await, 0);
        assert_eq!(count(s, Some("queued")).await, 0);
        db.cleanup().await;
    }
}
