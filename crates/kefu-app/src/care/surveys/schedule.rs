//! Scheduling the CSAT question of a resolved ticket.

use chrono::{DateTime, Duration, Utc};
use kefu_domain::survey::{CsatSettings, sampled};
use kefu_store::entity::{survey, ticket};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

use crate::AppError;

/// Schedules (or re-schedules, after a reopen) the CSAT survey of `t`, just resolved, inside
/// the resolving transaction. A ticket outside the sample, without a contact or of a type not
/// asked gets none; one already sent is never sent again (one answer per ticket).
pub(crate) async fn schedule_csat(
    db: &impl ConnectionTrait,
    s: &CsatSettings,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !s.enabled
        || t.contact_id.is_none()
        || !(s.ticket_kinds.is_empty() || s.ticket_kinds.contains(&t.kind))
        || !sampled(t.id, s.sample_percent)
    {
        return Ok(());
    }
    let send_at = now + Duration::minutes(i64::from(s.delay_minutes));
    let expires_at = send_at + Duration::days(i64::from(s.expires_days));
    let existing = survey::Entity::find()
        .filter(survey::Column::TicketId.eq(t.id))
        .filter(survey::Column::Kind.eq("csat"))
        .one(db)
        .await?;
    match existing {
        None => {
            survey::Entity::insert(survey::ActiveModel {
                id: Set(Uuid::now_v7()),
                kind: Set("csat".into()),
                ticket_id: Set(Some(t.id)),
                contact_id: Set(t.contact_id),
                customer_id: Set(t.customer_id),
                agent_id: Set(t.assignee_id),
                team_id: Set(t.team_id),
                channel: Set(channel_of(t).into()),
                status: Set("scheduled".into()),
                send_at: Set(send_at),
                sent_at: Set(None),
                expires_at: Set(expires_at),
                score: Set(None),
                comment: Set(None),
                answered_at: Set(None),
                created_at: Set(now),
            })
            .on_conflict_do_nothing_on([survey::Column::TicketId, survey::Column::Kind])
            .exec_without_returning(db)
            .await?;
        }
        Some(sv) if matches!(sv.status.as_str(), "scheduled" | "skipped") => {
            survey::Entity::update_many()
                .col_expr(survey::Column::Status, Expr::val("scheduled"))
                .col_expr(survey::Column::SendAt, Expr::val(send_at))
                .col_expr(survey::Column::ExpiresAt, Expr::val(expires_at))
                .col_expr(survey::Column::AgentId, Expr::val(t.assignee_id))
                .col_expr(survey::Column::TeamId, Expr::val(t.team_id))
                .col_expr(survey::Column::ContactId, Expr::val(t.contact_id))
                .filter(survey::Column::Id.eq(sv.id))
                .exec(db)
                .await?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// Where the question goes: back to the chat for chat tickets, the portal for portal tickets,
/// mail for everything else (the sender falls back to mail and the portal).
fn channel_of(t: &ticket::Model) -> &'static str {
    match t.channel.as_str() {
        "chat" => "chat",
        "portal" => "portal",
        _ => "email",
    }
}
