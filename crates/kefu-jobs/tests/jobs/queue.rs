//! Enqueue, claim, complete, fail, dedup and leases, one worker at a time.

use std::time::Duration;

use kefu_jobs::{
    JobError, JobState, NewJob, backoff, claim, complete, enqueue, fail, get, purge_done,
};
use kefu_store::testing::TestDb;
use serde_json::json;

use crate::common::{at, count, t0};

const LEASE: Duration = Duration::from_secs(60);

#[test]
fn backoff_doubles_from_30_seconds_and_caps_at_an_hour() {
    let secs: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
    assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    assert_eq!(backoff(0).as_secs(), 30);
    assert_eq!(backoff(i32::MAX).as_secs(), 3600);
}

#[tokio::test]
async fn enqueue_claim_complete() {
    for db in TestDb::all().await {
        let s = &db.store;
        let now_id = enqueue(s.conn(), NewJob::new("mail", json!({"to": "a@b.cn"})), t0())
            .await
            .unwrap()
            .unwrap();
        let later = NewJob::new("mail", json!({})).run_at(at(60));
        let later_id = enqueue(s.conn(), later, t0()).await.unwrap().unwrap();
        enqueue(s.conn(), NewJob::new("other", json!({})), t0())
            .await
            .unwrap();

        let jobs = claim(s, "w1", &["mail"], LEASE, t0(), 10).await.unwrap();
        assert_eq!(jobs.len(), 1, "{:?}", db.backend);
        let job = &jobs[0];
        assert_eq!(job.id, now_id);
        assert_eq!(job.payload, json!({"to": "a@b.cn"}));
        assert_eq!(job.state, JobState::Running);
        assert_eq!(job.attempts, 1);
        assert_eq!(job.locked_by.as_deref(), Some("w1"));
        assert_eq!(job.locked_until, Some(at(60)));

        // Held under lease; the later job is not due yet.
        assert!(
            claim(s, "w2", &["mail"], LEASE, at(30), 10)
                .await
                .unwrap()
                .is_empty()
        );

        complete(s.conn(), job, at(1)).await.unwrap();
        let done = get(s.conn(), now_id).await.unwrap().unwrap();
        assert_eq!(done.state, JobState::Done);
        assert_eq!(done.locked_by, None);
        assert!(matches!(
            complete(s.conn(), job, at(2)).await,
            Err(JobError::LeaseLost(id)) if id == now_id
        ));

        let jobs = claim(s, "w1", &["mail"], LEASE, at(60), 10).await.unwrap();
        assert_eq!(jobs.iter().map(|j| j.id).collect::<Vec<_>>(), [later_id]);
        assert!(
            claim(s, "w1", &[] as &[&str], LEASE, at(60), 10)
                .await
                .unwrap()
                .is_empty()
        );

        assert_eq!(purge_done(s.conn(), at(1)).await.unwrap(), 0);
        assert_eq!(purge_done(s.conn(), at(2)).await.unwrap(), 1);
        assert_eq!(count(s, None).await, 2);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn dedup_key_is_held_until_the_job_finishes() {
    for db in TestDb::all().await {
        let s = &db.store;
        let job = || NewJob::new("reindex", json!({"id": 7})).dedup_key("reindex:7");
        let first = enqueue(s.conn(), job(), t0()).await.unwrap();
        assert!(first.is_some());
        assert_eq!(enqueue(s.conn(), job(), t0()).await.unwrap(), None);
        // Jobs without a key never clash.
        for _ in 0..2 {
            let plain = NewJob::new("plain", json!({}));
            assert!(enqueue(s.conn(), plain, t0()).await.unwrap().is_some());
        }

        let claimed = claim(s, "w", &["reindex"], LEASE, t0(), 1).await.unwrap();
        assert_eq!(claimed[0].id, first.unwrap());
        assert_eq!(enqueue(s.conn(), job(), t0()).await.unwrap(), None);
        fail(s.conn(), &claimed[0], "boom", t0()).await.unwrap();
        assert_eq!(enqueue(s.conn(), job(), t0()).await.unwrap(), None);

        let retry = claim(s, "w", &["reindex"], LEASE, at(3600), 10)
            .await
            .unwrap();
        assert_eq!(retry[0].id, first.unwrap());
        complete(s.conn(), &retry[0], at(3600)).await.unwrap();
        let again = enqueue(s.conn(), job(), at(3600)).await.unwrap();
        assert!(again.is_some() && again != first);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn failures_back_off_then_the_job_is_dead() {
    for db in TestDb::all().await {
        let s = &db.store;
        let new = NewJob::new("hook", json!({}))
            .max_attempts(3)
            .dedup_key("hook:1");
        let id = enqueue(s.conn(), new, t0()).await.unwrap().unwrap();

        let mut now = t0();
        for (attempt, wait) in [(1, 30), (2, 60)] {
            let jobs = claim(s, "w", &["hook"], LEASE, now, 1).await.unwrap();
            assert_eq!(jobs[0].attempts, attempt);
            let state = fail(s.conn(), &jobs[0], &format!("error {attempt}"), now)
                .await
                .unwrap();
            assert_eq!(state, JobState::Failed);
            let stored = get(s.conn(), id).await.unwrap().unwrap();
            assert_eq!(stored.run_at, now + chrono::TimeDelta::seconds(wait));
            assert_eq!(
                stored.last_error.as_deref(),
                Some(&*format!("error {attempt}"))
            );
            let early = now + chrono::TimeDelta::seconds(wait - 1);
            assert!(
                claim(s, "w", &["hook"], LEASE, early, 1)
                    .await
                    .unwrap()
                    .is_empty()
            );
            now = stored.run_at;
        }
        let jobs = claim(s, "w", &["hook"], LEASE, now, 1).await.unwrap();
        assert_eq!(jobs[0].attempts, 3);
        let state = fail(s.conn(), &jobs[0], "final", now).await.unwrap();
        assert_eq!(state, JobState::Dead);
        assert_eq!(count(s, Some("dead")).await, 1);
        assert!(
            claim(s, "w", &["hook"], LEASE, at(86_400), 1)
                .await
                .unwrap()
                .is_empty()
        );
        // A dead job frees its dedup key.
        let again = NewJob::new("hook", json!({})).dedup_key("hook:1");
        assert!(enqueue(s.conn(), again, now).await.unwrap().is_some());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_expired_lease_is_reclaimed_and_the_old_claim_is_fenced_off() {
    for db in TestDb::all().await {
        let s = &db.store;
        let new = NewJob::new("long", json!({})).max_attempts(2);
        let id = enqueue(s.conn(), new, t0()).await.unwrap().unwrap();

        let lost = claim(s, "crashed", &["long"], LEASE, t0(), 1)
            .await
            .unwrap();
        assert!(
            claim(s, "w2", &["long"], LEASE, at(59), 1)
                .await
                .unwrap()
                .is_empty()
        );
        let taken = claim(s, "w2", &["long"], LEASE, at(60), 1).await.unwrap();
        assert_eq!(taken[0].id, id);
        assert_eq!(taken[0].attempts, 2);
        assert_eq!(taken[0].locked_by.as_deref(), Some("w2"));

        // The first worker comes back too late: its outcome is refused.
        assert!(matches!(
            complete(s.conn(), &lost[0], at(61)).await,
            Err(JobError::LeaseLost(_))
        ));
        assert!(matches!(
            fail(s.conn(), &lost[0], "late", at(61)).await,
            Err(JobError::LeaseLost(_))
        ));
        assert_eq!(
            get(s.conn(), id).await.unwrap().unwrap().state,
            JobState::Running
        );

        // The second worker dies on the last attempt: the job is dead, not retried forever.
        assert!(
            claim(s, "w3", &["long"], LEASE, at(600), 1)
                .await
                .unwrap()
                .is_empty()
        );
        let dead = get(s.conn(), id).await.unwrap().unwrap();
        assert_eq!(dead.state, JobState::Dead);
        assert!(dead.last_error.unwrap().contains("lease expired"));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn enqueue_joins_the_callers_transaction() {
    for db in TestDb::all().await {
        let s = &db.store;
        let tx = s.begin().await.unwrap();
        enqueue(&tx, NewJob::new("mail", json!({})), t0())
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(count(s, None).await, 0, "{:?}", db.backend);

        let tx = s.begin().await.unwrap();
        let id = enqueue(&tx, NewJob::new("mail", json!({})), t0())
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        assert!(get(s.conn(), id).await.unwrap().is_some());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn sub_second_due_times_order_as_instants() {
    for db in TestDb::all().await {
        let s = &db.store;
        let ms = |n| t0() + chrono::TimeDelta::milliseconds(n);
        let micros = |n| t0() + chrono::TimeDelta::microseconds(n);
        let new = NewJob::new("tick", json!({})).run_at(ms(500));
        enqueue(s.conn(), new, t0()).await.unwrap();
        for early in [t0(), micros(499_999), ms(499)] {
            let jobs = claim(s, "w", &["tick"], LEASE, early, 1).await.unwrap();
            assert!(jobs.is_empty(), "{:?} claimed at {early}", db.backend);
        }
        assert_eq!(
            claim(s, "w", &["tick"], LEASE, ms(500), 1)
                .await
                .unwrap()
                .len(),
            1
        );
        db.cleanup().await;
    }
}
