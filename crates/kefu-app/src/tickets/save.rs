//! The common end of every ticket change: recompute the SLA projection, write the row only if
//! nobody else changed it meanwhile, and return the new view.

use chrono::{DateTime, Utc};
use kefu_store::entity::ticket;
use kefu_store::sea_orm::{ActiveModelTrait, EntityTrait};

use super::{TicketView, sla_state, view::full_view};
use crate::{App, AppError};

/// Writes `after` over `before` (same id) inside `tx` and commits.
pub(crate) async fn save_and_commit(
    app: &App,
    tx: kefu_store::Tx,
    before: &ticket::Model,
    after: ticket::Model,
    now: DateTime<Utc>,
) -> Result<TicketView, AppError> {
    write(app, &tx, before, after, now).await?;
    let saved = ticket::Entity::find_by_id(before.id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let view = full_view(app, &tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// Writes `after` over `before` inside `db`: stamps `updated_at`, recomputes the SLA
/// projection, and checks the version (a lost race is a conflict). Every ticket change, by a
/// person or by the system, ends here.
pub(crate) async fn write(
    app: &App,
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    before: &ticket::Model,
    mut after: ticket::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    after.updated_at = now;
    if after.closed_at.is_some() && before.closed_at.is_none() {
        // Closing gives back what the ticket still holds of the stores.
        crate::parts::close_out(db, &after, now).await?;
    }
    if after.resolved_at.is_some() && before.resolved_at.is_none() && after.merged_into_id.is_none()
    {
        // A resolution, however it came about: follow-up visit and satisfaction survey.
        crate::care::on_resolved(app, db, &after, now).await?;
    }
    let lp = crate::sla::policy_for(app, db, after.sla_policy_id).await?;
    let mut am = ticket::ActiveModel::from(after.clone()).reset_all();
    sla_state::refresh(db, &after, &lp, &mut am, now).await?;
    kefu_store::update_ticket_versioned(db, before.id, before.version, am).await?;
    Ok(())
}

/// Refuses a change whose expected version is stale.
pub(crate) fn check_version(t: &ticket::Model, expected: Option<i32>) -> Result<(), AppError> {
    match expected {
        Some(v) if v != t.version => Err(AppError::Conflict {
            code: "stale_version",
            message: format!(
                "ticket {} is at version {}, not {v}; reload and try again",
                t.number, t.version
            ),
        }),
        _ => Ok(()),
    }
}

/// Refuses changes to a ticket merged into another.
pub(crate) fn check_not_merged(t: &ticket::Model) -> Result<(), AppError> {
    if t.merged_into_id.is_some() {
        return Err(AppError::Rule {
            code: "ticket_merged",
            message: format!("ticket {} was merged into another ticket", t.number),
        });
    }
    Ok(())
}
