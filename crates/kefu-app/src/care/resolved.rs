//! What follows a resolution: a follow-up visit for the customers that warrant one, and the
//! CSAT question. Runs inside the transaction that resolves the ticket, whoever resolves it (a
//! person, a reply, a time rule, a macro, a trigger).

use chrono::{DateTime, Duration, Utc};
use kefu_domain::care::{FollowUpAssignee, FollowUpSettings, TaskKind};
use kefu_domain::customer::Tier;
use kefu_domain::survey::SurveySettings;
use kefu_store::entity::{customer, ticket};
use kefu_store::sea_orm::{ConnectionTrait, EntityTrait};

use super::settings::{FOLLOW_UP_KEY, SURVEYS_KEY};
use super::tasks::{NewTaskRow, insert_task};
use crate::config::list_setting::read_object;
use crate::notify::text::clip;
use crate::{App, AppError};

/// Schedules the follow-up task and the CSAT survey of `t`, resolved at `now`.
pub(crate) async fn on_resolved(
    app: &App,
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let follow: FollowUpSettings = read_object(db, FOLLOW_UP_KEY).await?;
    let c = match t.customer_id {
        Some(id) => customer::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let tier = c.as_ref().and_then(|c| Tier::parse(&c.tier));
    if follow.applies(tier, &t.kind) {
        let after = Duration::hours(i64::from(follow.after_business_hours));
        let cal = crate::sla::policy_for(app, db, None)
            .await?
            .calendar
            .clone();
        let due = cal.add_business_time(now, after).unwrap_or(now + after);
        let owner = c.as_ref().and_then(|c| c.owner_id);
        let assignee = match follow.assignee {
            FollowUpAssignee::CustomerOwner => owner.or(t.assignee_id),
            FollowUpAssignee::TicketAssignee => t.assignee_id.or(owner),
        };
        insert_task(
            db,
            NewTaskRow {
                kind: TaskKind::FollowUp,
                title: format!("回访 {} · {}", t.number, clip(&t.subject, 60)),
                details: None,
                ticket_id: Some(t.id),
                customer_id: t.customer_id,
                contact_id: t.contact_id,
                assignee_id: assignee,
                due_at: due,
                dedupe_key: Some(format!("follow_up:{}", t.id)),
                created_by: None,
            },
            now,
        )
        .await?;
    }
    let surveys: SurveySettings = read_object(db, SURVEYS_KEY).await?;
    super::surveys::schedule_csat(db, &surveys.csat, t, now).await
}
