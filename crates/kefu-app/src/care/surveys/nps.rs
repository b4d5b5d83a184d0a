//! NPS rounds (worker job, daily): every contact with a mail address and a ticket opened within
//! the active window, not asked within the cool-down, is sampled and gets a survey to send now.

use std::collections::HashSet;

use chrono::Duration;
use kefu_domain::survey::{SurveySettings, sampled};
use kefu_store::entity::{contact, survey, ticket};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::care::settings::SURVEYS_KEY;
use crate::config::list_setting::read_object;
use crate::{App, AppError};

/// What a round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NpsScan {
    /// Contacts that could be asked.
    pub eligible: usize,
    /// Surveys scheduled.
    pub asked: usize,
}

/// Most surveys scheduled per round (the rest wait for the next day).
const ROUND: usize = 2000;

/// Runs one NPS round.
pub async fn nps_round(app: &App) -> Result<NpsScan, AppError> {
    let now = app.now();
    let db = app.store.conn();
    let s: SurveySettings = read_object(db, SURVEYS_KEY).await?;
    let mut scan = NpsScan::default();
    if !s.nps.enabled {
        return Ok(scan);
    }
    let active: HashSet<Uuid> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::ContactId)
        .distinct()
        .filter(ticket::Column::ContactId.is_not_null())
        .filter(ticket::Column::CreatedAt.gte(now - Duration::days(i64::from(s.nps.active_days))))
        .into_tuple::<Option<Uuid>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    if active.is_empty() {
        return Ok(scan);
    }
    let asked: HashSet<Uuid> = survey::Entity::find()
        .select_only()
        .column(survey::Column::ContactId)
        .filter(survey::Column::Kind.eq("nps"))
        .filter(survey::Column::CreatedAt.gte(now - Duration::days(i64::from(s.nps.cooldown_days))))
        .into_tuple::<Option<Uuid>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let ids: Vec<Uuid> = active.difference(&asked).copied().collect();
    // A contact left out of the sample stays out until the next cool-down period, however many
    // rounds run meanwhile.
    let period = now.timestamp() / 86_400 / i64::from(s.nps.cooldown_days.max(1));
    let tx = app.store.begin().await?;
    for chunk in ids.chunks(500) {
        let people = contact::Entity::find()
            .filter(contact::Column::Id.is_in(chunk.to_vec()))
            .all(&tx)
            .await?;
        for c in people {
            if !c.email.as_deref().is_some_and(|e| e.contains('@')) {
                continue;
            }
            scan.eligible += 1;
            if scan.asked >= ROUND || !in_sample(c.id, period, s.nps.sample_percent) {
                continue;
            }
            let id = Uuid::now_v7();
            survey::Entity::insert(survey::ActiveModel {
                id: Set(id),
                kind: Set("nps".into()),
                ticket_id: Set(None),
                contact_id: Set(Some(c.id)),
                customer_id: Set(Some(c.customer_id)),
                agent_id: Set(None),
                team_id: Set(None),
                channel: Set("email".into()),
                status: Set("scheduled".into()),
                send_at: Set(now),
                sent_at: Set(None),
                expires_at: Set(now + Duration::days(i64::from(s.nps.expires_days))),
                score: Set(None),
                comment: Set(None),
                answered_at: Set(None),
                created_at: Set(now),
            })
            .exec_without_returning(&tx)
            .await?;
            scan.asked += 1;
        }
    }
    tx.commit().await?;
    Ok(scan)
}

/// Whether `contact` is in the sample of cool-down period `period`.
fn in_sample(contact: Uuid, period: i64, percent: u8) -> bool {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(contact.as_bytes());
    h.update(period.to_be_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    sampled(Uuid::from_bytes(b), percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_fixed_within_a_period_and_changes_between_periods() {
        let ids: Vec<Uuid> = (0..2000).map(|_| Uuid::now_v7()).collect();
        let a: Vec<bool> = ids.iter().map(|i| in_sample(*i, 7, 40)).collect();
        let again: Vec<bool> = ids.iter().map(|i| in_sample(*i, 7, 40)).collect();
        let next: Vec<bool> = ids.iter().map(|i| in_sample(*i, 8, 40)).collect();
        assert_eq!(a, again);
        assert_ne!(a, next);
        let n = a.iter().filter(|x| **x).count();
        assert!((640..960).contains(&n), "{n} of 2000 at 40%");
    }
}
