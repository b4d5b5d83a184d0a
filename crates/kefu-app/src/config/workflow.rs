//! Editing the status workflow: statuses (with their meaning) and allowed transitions.

use kefu_domain::access::{Actor, Permission};
use kefu_domain::ticket::Workflow;

use crate::{App, AppError, FieldError, audit, require};

/// Replaces the workflow after validating it; tickets in a status that would disappear keep
/// the change from happening.
pub async fn save_workflow(app: &App, actor: &Actor, wf: Workflow) -> Result<Workflow, AppError> {
    require(actor, Permission::ConfigManage)?;
    wf.validate().map_err(|e| {
        AppError::Invalid(vec![FieldError::new("workflow", "invalid", e.to_string())])
    })?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let old = crate::tickets::workflow(&tx).await?;
    for gone in old.statuses.iter().filter(|s| wf.status(&s.key).is_err()) {
        let f = kefu_store::TicketFilter {
            statuses: vec![gone.key.clone()],
            include_merged: true,
            ..Default::default()
        };
        let n = kefu_store::count_tickets(&tx, &f).await?;
        if n > 0 {
            return Err(AppError::invalid(
                "statuses",
                "in_use",
                format!("{n} tickets are in status `{}`; move them first", gone.key),
            ));
        }
    }
    crate::sla::put_setting(
        &tx,
        "workflow",
        serde_json::to_value(&wf).map_err(anyhow::Error::from)?,
        now,
    )
    .await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        "config.workflow.save",
        "workflow",
        None,
        serde_json::json!({"statuses": wf.statuses.len(), "transitions": wf.transitions.len()}),
        now,
    )
    .await?;
    tx.commit().await?;
    app.cache.clear();
    Ok(wf)
}
