//! Periodic schedules: one job per slot, however many processes fire.

use std::time::Duration;

use kefu_jobs::{JobState, Schedule, claim, complete, fire_schedule, get};
use kefu_store::testing::TestDb;
use serde_json::json;

use crate::common::{at, count};

#[test]
fn slots_are_aligned_to_the_epoch() {
    let s = Schedule::every("sla", Duration::from_secs(60), "sla_scan", json!({}));
    assert_eq!(s.slot(at(0)), s.slot(at(59)));
    assert_eq!(s.slot(at(0)) + 1, s.slot(at(60)));
    assert_eq!(s.slot_start(s.slot(at(42))), at(0));
    assert_eq!(s.dedup_key(5), "schedule:sla:5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_slot_is_enqueued_once_across_processes() {
    for db in TestDb::all().await {
        let schedule = Schedule::every("sla", Duration::from_secs(60), "sla_scan", json!({}));
        let mut firing = Vec::new();
        for _ in 0..8 {
            let (store, schedule) = (db.store.clone(), schedule.clone());
            firing.push(tokio::spawn(async move {
                fire_schedule(&store, &schedule, at(5)).await.unwrap()
            }));
        }
        let mut ids = Vec::new();
        for f in firing {
            ids.extend(f.await.unwrap());
        }
        assert_eq!(ids.len(), 1, "{:?}", db.backend);
        let job = get(db.store.conn(), ids[0]).await.unwrap().unwrap();
        assert_eq!(job.kind, "sla_scan");
        assert_eq!(job.run_at, at(0));
        assert_eq!(
            job.dedup_key,
            Some(schedule.dedup_key(schedule.slot(at(0))))
        );

        let s = &db.store;
        assert_eq!(fire_schedule(s, &schedule, at(30)).await.unwrap(), None);
        // The slot stays fired after its job finished and freed the dedup key.
        let claimed = claim(s, "w", &["sla_scan"], Duration::from_secs(60), at(31), 5)
            .await
            .unwrap();
        complete(s.conn(), &claimed[0], at(32)).await.unwrap();
        assert_eq!(fire_schedule(s, &schedule, at(40)).await.unwrap(), None);
        // A process with a slow clock cannot fire an older slot either.
        let next = fire_schedule(s, &schedule, at(61)).await.unwrap().unwrap();
        assert_eq!(fire_schedule(s, &schedule, at(59)).await.unwrap(), None);

        assert_eq!(count(s, None).await, 2);
        let next = get(s.conn(), next).await.unwrap().unwrap();
        assert_eq!((next.state, next.run_at), (JobState::Queued, at(60)));
        db.cleanup().await;
    }
}
