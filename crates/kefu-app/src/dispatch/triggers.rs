//! Triggers at work: the outbox dispatcher hands each fresh ticket event here, inside its
//! transaction; every trigger that listens for the event and whose conditions hold acts on the
//! ticket (changes, notices, a mail, a task) and leaves a `trigger_fired` entry naming itself,
//! what it did and what it had to skip. Changes carry the chain of triggers behind them, so a
//! trigger never fires on its own change and chains end (see `kefu_domain::routing::MAX_CHAIN`).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::care::TaskKind;
use kefu_domain::routing::{NotifyTarget, Trigger, TriggerEvent, trigger_problems};
use kefu_domain::ticket::{Priority, fill};
use kefu_store::entity::{customer, team_member, ticket, ticket_event, user};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::care::{NewTaskRow, insert_task};
use crate::intake::OutboundSettings;
use crate::mail::outbound::{MailSpec, queue_mail};
use crate::tickets::actions::{By, apply_actions, variables};
use crate::tickets::events;
use crate::{App, AppError, FieldError, require, require_staff};

const KEY: &str = "triggers";

/// The triggers (staff).
pub async fn list_triggers(app: &App, actor: &Actor) -> Result<Vec<Trigger>, AppError> {
    require_staff(actor)?;
    crate::config::list_setting::read_list(app.store.conn(), KEY).await
}

/// Replaces the triggers (`config.manage`); statuses must exist in the workflow.
pub async fn save_triggers(
    app: &App,
    actor: &Actor,
    list: Vec<Trigger>,
) -> Result<Vec<Trigger>, AppError> {
    require(actor, Permission::ConfigManage)?;
    let wf = crate::tickets::workflow_in_force(app).await?;
    let mut errors: Vec<FieldError> = trigger_problems(&list)
        .into_iter()
        .map(|(i, f, m)| FieldError::new(format!("triggers[{i}].{f}"), "invalid", m))
        .collect();
    for (i, t) in list.iter().enumerate() {
        for s in t.status_in.iter().chain(t.actions.ticket.status.iter()) {
            if wf.status(s).is_err() {
                errors.push(FieldError::new(
                    format!("triggers[{i}]"),
                    "unknown_status",
                    format!("no status `{s}`"),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    crate::config::list_setting::write_list(app, actor, KEY, &list).await?;
    Ok(list)
}

/// The triggers in force, for one dispatcher batch.
pub(crate) async fn load(db: &kefu_store::Tx) -> Result<Vec<Trigger>, AppError> {
    crate::config::list_setting::read_list(db, KEY).await
}

/// Runs the triggers for one event; returns how many fired.
pub(crate) async fn run_for_event(
    app: &App,
    tx: &kefu_store::Tx,
    triggers: &[Trigger],
    out: &OutboundSettings,
    ev: &ticket_event::Model,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let from = ev.data.get("from").and_then(Value::as_str);
    let Some(event) = TriggerEvent::of(&ev.kind, from) else {
        return Ok(0);
    };
    if !triggers.iter().any(|t| t.enabled && t.on.contains(&event)) {
        return Ok(0);
    }
    let chain: Vec<Uuid> = ev
        .data
        .get("chain")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
        .unwrap_or_default();
    let Some(t) = ticket::Entity::find_by_id(ev.ticket_id).one(tx).await? else {
        return Ok(0);
    };
    if t.merged_into_id.is_some() {
        return Ok(0);
    }
    // Keyword conditions look at what this event said (the reply, the description).
    let text = ["body", "description"]
        .iter()
        .find_map(|k| ev.data.get(*k).and_then(Value::as_str))
        .unwrap_or("");
    let facts = super::apply::facts_of(
        tx,
        &t.kind,
        &t.channel,
        Priority::parse(&t.priority).unwrap_or_default(),
        t.customer_id,
        t.asset_id,
        &t.subject,
        text,
        t.custom_fields.as_object().cloned().unwrap_or_default(),
    )
    .await?;
    let mut fired = 0;
    for trig in triggers
        .iter()
        .filter(|x| x.fires(event, &facts, &t.status, &chain))
    {
        fire(app, tx, trig, out, ev, &chain, now).await?;
        fired += 1;
    }
    Ok(fired)
}

async fn fire(
    app: &App,
    tx: &kefu_store::Tx,
    trig: &Trigger,
    out: &OutboundSettings,
    ev: &ticket_event::Model,
    chain: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    // The ticket as it is now (an earlier trigger of this batch may have changed it).
    let Some(before) = ticket::Entity::find_by_id(ev.ticket_id).one(tx).await? else {
        return Ok(());
    };
    let mut next: Vec<Uuid> = chain.to_vec();
    next.push(trig.id);
    let mut tag = Map::new();
    tag.insert("trigger".into(), json!(trig.name));
    tag.insert("trigger_id".into(), json!(trig.id));
    tag.insert("chain".into(), json!(next));
    let by = By {
        actor_id: None,
        perms: &Permission::ALL,
        tag,
        strict: false,
    };
    let a = &trig.actions;
    let applied = apply_actions(app, tx, &before, &a.ticket, &by, now).await?;
    let mut skipped = applied.skipped;
    let after = applied.after.unwrap_or_else(|| before.clone());
    if !applied.done.is_empty() {
        crate::tickets::write_ticket(app, tx, &before, after.clone(), now).await?;
    }
    let vars = if a.mail.is_some() || a.task.is_some() {
        variables(app, tx, &after).await?
    } else {
        Default::default()
    };

    let mut notified = 0;
    for u in recipients(tx, &a.notify, &after).await? {
        let body = format!("{} · {} {}", trig.name, after.number, after.subject);
        if crate::notify::notify_user(tx, u, "trigger", Some(after.id), body, now).await? {
            notified += 1;
        }
    }
    let mut mailed = false;
    if let Some(m) = &a.mail {
        let spec = MailSpec {
            to: vec![(None, m.to.clone())],
            subject: kefu_channels::mail::subject_with_number(
                &fill(&m.subject, &vars),
                &after.number,
            ),
            text: fill(&m.body, &vars),
            in_reply_to: None,
            references: Vec::new(),
            attachments: Vec::new(),
            auto_submitted: true,
        };
        mailed = queue_mail(tx, out, Some(after.id), Some(ev.id), "trigger", spec, now)
            .await?
            .is_some();
        if !mailed {
            skipped.push("mail: outgoing mail is not set up".into());
        }
    }
    let mut task_id = None;
    if let Some(task) = &a.task {
        let owner = match after.customer_id {
            Some(c) => customer::Entity::find_by_id(c)
                .one(tx)
                .await?
                .and_then(|c| c.owner_id),
            None => None,
        };
        let assignee = if task.for_assignee {
            after.assignee_id.or(owner)
        } else {
            owner.or(after.assignee_id)
        };
        let hours = Duration::hours(i64::from(task.due_business_hours));
        let cal = crate::sla::policy_for(app, tx, None)
            .await?
            .calendar
            .clone();
        task_id = insert_task(
            tx,
            NewTaskRow {
                kind: TaskKind::Trigger,
                title: fill(&task.title, &vars).chars().take(200).collect(),
                details: Some(trig.name.clone()),
                ticket_id: Some(after.id),
                customer_id: after.customer_id,
                contact_id: after.contact_id,
                assignee_id: assignee,
                due_at: cal.add_business_time(now, hours).unwrap_or(now + hours),
                dedupe_key: Some(format!("trigger:{}:{}", trig.id, ev.id)),
                created_by: None,
            },
            now,
        )
        .await?;
    }
    events::append(
        tx,
        after.id,
        "trigger_fired",
        None,
        false,
        json!({"trigger": trig.name, "trigger_id": trig.id, "event": ev.kind,
            "event_id": ev.id, "done": applied.done, "skipped": skipped,
            "notified": notified, "mailed": mailed, "task_id": task_id, "chain": next}),
        now,
    )
    .await?;
    Ok(())
}

/// The people a trigger's notices go to: active staff only, each once.
async fn recipients(
    tx: &kefu_store::Tx,
    targets: &[NotifyTarget],
    t: &ticket::Model,
) -> Result<Vec<Uuid>, AppError> {
    let mut out: Vec<Uuid> = Vec::new();
    let mut seen = HashSet::new();
    for target in targets {
        let ids: Vec<Uuid> = match target {
            NotifyTarget::Assignee => t.assignee_id.into_iter().collect(),
            NotifyTarget::User(u) => vec![*u],
            NotifyTarget::Team => match t.team_id {
                Some(team) => team_member::Entity::find()
                    .filter(team_member::Column::TeamId.eq(team))
                    .all(tx)
                    .await?
                    .into_iter()
                    .map(|m| m.user_id)
                    .collect(),
                None => Vec::new(),
            },
            NotifyTarget::Role(r) => user::Entity::find()
                .filter(user::Column::Role.eq(r.as_str()))
                .filter(user::Column::Active.eq(true))
                .filter(user::Column::CustomerId.is_null())
                .all(tx)
                .await?
                .into_iter()
                .map(|u| u.id)
                .collect(),
        };
        out.extend(ids.into_iter().filter(|u| seen.insert(*u)));
    }
    Ok(out)
}
