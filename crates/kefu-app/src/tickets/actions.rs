//! Several changes to one ticket inside the caller's transaction — what a macro does for the
//! agent who clicks it, and what a trigger does on its own. Each change is a history entry
//! tagged with its source (the macro, or the trigger and the chain of triggers behind it).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kefu_domain::access::Permission;
use kefu_domain::ticket::{ApprovalRule, AssigneeAction, StatusCategory, TicketActions, fill};
use kefu_store::entity::{contact, customer, team, ticket, user};
use kefu_store::sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{events, transition::apply_status};
use crate::{App, AppError, FieldError};

/// Who is acting.
pub(crate) struct By<'a> {
    /// The person (none for a trigger).
    pub actor_id: Option<Uuid>,
    /// What they may do (a trigger may do everything the workflow allows).
    pub perms: &'a [Permission],
    /// Merged into every history entry (`{"macro": …}` or `{"trigger": …, "chain": […]}`).
    pub tag: Map<String, Value>,
    /// A person's macro fails as a whole on the first problem; a trigger skips what it cannot do
    /// and says so in `skipped`.
    pub strict: bool,
}

/// What applying did.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// The ticket as changed (written with [`super::save::write`] by the caller).
    pub after: Option<ticket::Model>,
    /// What changed, one word each (`assignee`, `priority`, `tags`, `note`, `reply`, `status`).
    pub done: Vec<&'static str>,
    /// What a trigger could not do, and why.
    pub skipped: Vec<String>,
    /// The status change waits for these sign-offs (strict mode: the caller files them and
    /// refuses; the rest was not applied).
    pub blocked: Option<(String, Vec<ApprovalRule>, Vec<String>)>,
}

/// The `{{variables}}` of a ticket.
pub(crate) async fn variables(
    app: &App,
    db: &impl ConnectionTrait,
    t: &ticket::Model,
) -> Result<BTreeMap<&'static str, String>, AppError> {
    let customer = match t.customer_id {
        Some(c) => customer::Entity::find_by_id(c)
            .one(db)
            .await?
            .map(|c| c.name),
        None => None,
    };
    let contact = match t.contact_id {
        Some(c) => contact::Entity::find_by_id(c)
            .one(db)
            .await?
            .map(|c| c.name),
        None => None,
    };
    let agent = match t.assignee_id {
        Some(u) => user::Entity::find_by_id(u).one(db).await?.map(|u| u.name),
        None => None,
    };
    let wf = super::workflow_of(app, db).await?;
    let status = wf
        .status(&t.status)
        .map(|s| s.name_zh.clone())
        .unwrap_or_else(|_| t.status.clone());
    Ok(BTreeMap::from([
        ("customer", customer.unwrap_or_default()),
        ("contact", contact.unwrap_or_default()),
        ("number", t.number.clone()),
        ("subject", t.subject.clone()),
        ("agent", agent.unwrap_or_default()),
        ("status", status),
    ]))
}

fn tagged(mut data: Value, tag: &Map<String, Value>) -> Value {
    if let Value::Object(m) = &mut data {
        for (k, v) in tag {
            m.insert(k.clone(), v.clone());
        }
    }
    data
}

/// Applies `a` to `before` inside `db`: history entries are written, the row is not (the caller
/// writes `after`, so several sources can share one save).
pub(crate) async fn apply_actions(
    app: &App,
    db: &impl ConnectionTrait,
    before: &ticket::Model,
    a: &TicketActions,
    by: &By<'_>,
    now: DateTime<Utc>,
) -> Result<Applied, AppError> {
    let mut out = Applied::default();
    let mut t = before.clone();
    let id = t.id;
    let refuse = |out: &mut Applied, field: &str, code: &str, msg: String| {
        if by.strict {
            Err(AppError::Invalid(vec![FieldError::new(field, code, msg)]))
        } else {
            out.skipped.push(format!("{field}: {msg}"));
            Ok(())
        }
    };
    // The names behind `{{variables}}` only when there is text to fill.
    let has_text = |x: &Option<String>| x.as_deref().is_some_and(|b| !b.trim().is_empty());
    let vars = if has_text(&a.note) || has_text(&a.reply) {
        variables(app, db, &t).await?
    } else {
        BTreeMap::new()
    };

    // Assignment.
    if a.assignee.is_some() || a.team_id.is_some() {
        if !by.perms.contains(&Permission::TicketAssign) {
            refuse(
                &mut out,
                "assignee",
                "forbidden",
                "assigning needs ticket.assign".into(),
            )?;
        } else {
            let mut ok = true;
            let to = match a.assignee {
                None => t.assignee_id,
                Some(AssigneeAction::Nobody) => None,
                Some(AssigneeAction::Me) => by.actor_id,
                Some(AssigneeAction::User(u)) => Some(u),
            };
            let mut errs = Vec::new();
            if to != t.assignee_id {
                super::check_assignee(db, "assignee", to, &mut errs).await?;
            }
            if let Some(team_id) = a.team_id
                && team::Entity::find_by_id(team_id).one(db).await?.is_none()
            {
                errs.push(FieldError::new("team_id", "not_found", "no such team"));
            }
            for e in errs {
                ok = false;
                refuse(&mut out, &e.field, &e.code, e.message)?;
            }
            let team_to = a.team_id.or(t.team_id);
            if ok && (to != t.assignee_id || team_to != t.team_id) {
                events::append(
                    db,
                    id,
                    "assigned",
                    by.actor_id,
                    false,
                    tagged(
                        json!({"from": t.assignee_id, "to": to, "team_from": t.team_id, "team_to": team_to}),
                        &by.tag,
                    ),
                    now,
                )
                .await?;
                t.assignee_id = to;
                t.team_id = team_to;
                out.done.push("assignee");
            }
        }
    }

    // Priority and tags.
    if let Some(p) = a.priority
        && p.as_str() != t.priority
    {
        events::append(
            db,
            id,
            "field_changed",
            by.actor_id,
            false,
            tagged(
                json!({"field": "priority", "from": t.priority, "to": p.as_str()}),
                &by.tag,
            ),
            now,
        )
        .await?;
        t.priority = p.as_str().into();
        out.done.push("priority");
    }
    if !a.add_tags.is_empty() || !a.remove_tags.is_empty() {
        let tags: Vec<String> = serde_json::from_value(t.tags.clone()).unwrap_or_default();
        let new = a.retag(&tags);
        if new != tags {
            events::append(
                db,
                id,
                "field_changed",
                by.actor_id,
                false,
                tagged(json!({"field": "tags", "from": tags, "to": new}), &by.tag),
                now,
            )
            .await?;
            t.tags = json!(new);
            out.done.push("tags");
        }
    }

    // Words.
    if let Some(note) = a.note.as_deref().filter(|n| !n.trim().is_empty()) {
        events::append(
            db,
            id,
            "note",
            by.actor_id,
            false,
            tagged(
                json!({"body": fill(note, &vars), "attachment_ids": []}),
                &by.tag,
            ),
            now,
        )
        .await?;
        out.done.push("note");
    }
    let wf = super::workflow_of(app, db).await?;
    let target = a.status.clone();
    if let Some(reply) = a.reply.as_deref().filter(|r| !r.trim().is_empty()) {
        events::append(
            db,
            id,
            "reply",
            by.actor_id,
            true,
            tagged(
                json!({"body": fill(reply, &vars), "attachment_ids": [], "from": "agent"}),
                &by.tag,
            ),
            now,
        )
        .await?;
        if t.first_responded_at.is_none() {
            t.first_responded_at = Some(now);
        }
        // Like an agent's reply: a new ticket is open once answered (and moves on from there).
        if wf.status(&t.status).map(|s| s.category).ok() == Some(StatusCategory::New)
            && let Ok(open) = wf.status("open")
            && wf.check(&t.status, "open", by.perms).is_ok()
        {
            events::append(
                db,
                id,
                "status_changed",
                by.actor_id,
                true,
                tagged(
                    json!({"from": t.status, "to": "open", "comment": "reply"}),
                    &by.tag,
                ),
                now,
            )
            .await?;
            apply_status(&mut t, "open", open.category, now);
        }
        out.done.push("reply");
    }

    // Status last, through the workflow and its sign-offs.
    if let Some(to) = target.filter(|to| *to != t.status) {
        match wf.check(&t.status, &to, by.perms) {
            Err(e) => refuse(&mut out, "status", "transition_not_allowed", e.to_string())?,
            Ok(()) => {
                let category = wf
                    .status(&to)
                    .map(|s| s.category)
                    .map_err(|e| AppError::invalid("status", "unknown_status", e.to_string()))?;
                match super::approvals::gate(db, &t, &to).await? {
                    super::approvals::Gate::Open(ids) => {
                        super::approvals::use_up(db, &ids, now).await?;
                        events::append(
                            db,
                            id,
                            "status_changed",
                            by.actor_id,
                            true,
                            tagged(
                                json!({"from": t.status, "to": to, "comment": null}),
                                &by.tag,
                            ),
                            now,
                        )
                        .await?;
                        apply_status(&mut t, &to, category, now);
                        out.done.push("status");
                    }
                    super::approvals::Gate::Closed { missing, pending } => {
                        if by.strict {
                            out.blocked = Some((to, missing, pending));
                            return Ok(out);
                        }
                        out.skipped.push(format!("status: {to} needs approval"));
                    }
                }
            }
        }
    }
    out.after = Some(t);
    Ok(out)
}
