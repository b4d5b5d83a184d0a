//! Several claimers at once: every job is processed exactly once.

use std::collections::HashSet;
use std::time::Duration;

use kefu_jobs::{NewJob, claim, complete, enqueue};
use kefu_store::testing::TestDb;
use serde_json::json;
use uuid::Uuid;

use crate::common::{count, t0};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_process_each_job_exactly_once() {
    for db in TestDb::all().await {
        let s = &db.store;
        for i in 0..200 {
            enqueue(s.conn(), NewJob::new("work", json!({ "i": i })), t0())
                .await
                .unwrap();
        }

        let mut claimers = Vec::new();
        for w in 0..6 {
            let store = s.clone();
            claimers.push(tokio::spawn(async move {
                let me = format!("w{w}");
                let mut seen = Vec::new();
                loop {
                    let lease = Duration::from_secs(300);
                    let jobs = claim(&store, &me, &["work"], lease, t0(), 7).await.unwrap();
                    if jobs.is_empty() {
                        return seen;
                    }
                    for job in jobs {
                        seen.push(job.id);
                        complete(store.conn(), &job, t0()).await.unwrap();
                    }
                    tokio::task::yield_now().await;
                }
            }));
        }
        let mut all: Vec<Uuid> = Vec::new();
        for c in claimers {
            all.extend(c.await.unwrap());
        }
        let unique: HashSet<Uuid> = all.iter().copied().collect();
        assert_eq!(all.len(), 200, "{:?}: a job ran twice or never", db.backend);
        assert_eq!(unique.len(), 200, "{:?}", db.backend);
        assert_eq!(count(s, Some("done")).await, 200);
        db.cleanup().await;
    }
}
