//! Shared helpers: fixed instants and row counts.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use kefu_store::Store;
use kefu_store::entity::job;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// A fixed instant on a minute boundary.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap()
}

/// `t0` plus `s` seconds.
pub fn at(s: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(s)
}

/// Jobs in `state`, or all jobs for `None`.
pub async fn count(store: &Store, state: Option<&str>) -> u64 {
    let mut q = job::Entity::find();
    if let Some(s) = state {
        q = q.filter(job::Column::State.eq(s));
    }
    q.count(store.conn()).await.unwrap()
}
