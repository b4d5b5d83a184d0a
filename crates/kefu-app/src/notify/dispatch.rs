//! The outbox dispatcher: reads announced ticket events (table `outbox`, written in the same
//! transaction as each change), decides who hears about them ([`super::plan`]), and records the
//! consequences — customer mail and bot messages as jobs, in-app notifications as rows — then
//! marks the outbox rows processed, all in one transaction. A crash before commit leaves the
//! rows unprocessed, so nothing is lost and nothing is sent twice by this step.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use kefu_store::entity::{
    bot_channel, contact, customer, outbox_message, ticket, ticket_event, user,
};
use kefu_store::sea_orm::sea_query::{LockBehavior, LockType};
use kefu_store::sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use super::plan::{Action, plan};
use super::{bots, inapp, mails};
use crate::intake::{MailSettings, OutboundSettings};
use crate::{App, AppError};

/// What one dispatch pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Outbox rows marked processed.
    pub processed: usize,
    /// Mails queued.
    pub mails: usize,
    /// In-app notifications written.
    pub notifications: usize,
    /// Bot messages queued.
    pub bot_messages: usize,
    /// Webhook deliveries written.
    pub webhooks: usize,
    /// Triggers fired.
    pub triggers: usize,
}

/// Events older than this are marked processed without telling anyone (a dispatcher that was
/// down for a day should not mail customers about yesterday).
const STALE_AFTER_HOURS: i64 = 24;

/// Everything one batch needs, loaded once.
pub(crate) struct Batch {
    pub(crate) now: DateTime<Utc>,
    pub(crate) out: OutboundSettings,
    pub(crate) tickets: HashMap<Uuid, ticket::Model>,
    pub(crate) users: HashMap<Uuid, user::Model>,
    pub(crate) contacts: HashMap<Uuid, contact::Model>,
    pub(crate) customer_names: HashMap<Uuid, String>,
    pub(crate) templates: crate::mail::Templates,
    pub(crate) bots: Vec<bot_channel::Model>,
}

impl Batch {
    /// The name of the ticket's customer, empty when it has none.
    pub(crate) fn customer_name(&self, t: &ticket::Model) -> &str {
        t.customer_id
            .and_then(|c| self.customer_names.get(&c))
            .map_or("", String::as_str)
    }
}

/// Processes up to `limit` outbox rows, oldest first.
pub async fn dispatch_outbox(app: &App, limit: u64) -> Result<DispatchReport, AppError> {
    let now = app.now();
    let tx = app.store.begin().await?;
    let mut pick = outbox_message::Entity::find()
        .filter(outbox_message::Column::ProcessedAt.is_null())
        .order_by_asc(outbox_message::Column::Id)
        .limit(limit);
    if app.store.backend() == DbBackend::Postgres {
        // Several workers share the outbox: each takes rows the others have not locked.
        pick = pick.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = pick.all(&tx).await?;
    let mut report = DispatchReport::default();
    if rows.is_empty() {
        return Ok(report);
    }
    let event_ids: Vec<Uuid> = rows
        .iter()
        .filter(|r| r.topic.starts_with("ticket."))
        .filter_map(|r| r.payload.get("event_id")?.as_str()?.parse().ok())
        .collect();
    let events = ticket_event::Entity::find()
        .filter(ticket_event::Column::Id.is_in(event_ids))
        .order_by_asc(ticket_event::Column::Id)
        .all(&tx)
        .await?;
    let batch = load_batch(app, &tx, &events, now).await?;

    // Triggers first: what they change is announced in the outbox for the next pass.
    let triggers = crate::dispatch::triggers::load(&tx).await?;
    if !triggers.is_empty() {
        for ev in &events {
            if (now - ev.created_at).num_hours() < STALE_AFTER_HOURS {
                report.triggers += crate::dispatch::triggers::run_for_event(
                    app, &tx, &triggers, &batch.out, ev, now,
                )
                .await?;
            }
        }
    }

    let mut told: HashSet<(Uuid, Uuid, &'static str)> = HashSet::new();
    for ev in &events {
        let Some(t) = batch.tickets.get(&ev.ticket_id) else {
            continue;
        };
        if (now - ev.created_at).num_hours() >= STALE_AFTER_HOURS {
            continue;
        }
        let actor_is_staff = ev
            .actor_id
            .and_then(|a| batch.users.get(&a))
            .is_some_and(|u| u.role != "customer");
        for action in plan(ev, t, actor_is_staff, &batch.out) {
            match action {
                Action::CustomerMail(purpose) => {
                    if mails::mail_customer(app, &tx, &batch, purpose, ev, t).await? {
                        report.mails += 1;
                    }
                }
                Action::CustomerWeChat => {
                    let openid = t
                        .contact_id
                        .and_then(|c| batch.contacts.get(&c))
                        .and_then(|c| c.wechat_openid.clone());
                    if let Some(openid) = openid {
                        crate::wechat::queue_reply(&tx, &openid, ev, t, now).await?;
                    }
                }
                Action::StaffMail(user_id, purpose) => {
                    if mails::mail_staff(app, &tx, &batch, user_id, purpose, ev, t).await? {
                        report.mails += 1;
                    }
                }
                Action::InApp(user_id, kind) => {
                    // One notice per person, ticket and kind per batch (a new ticket that is
                    // auto-assigned says "assigned" twice).
                    if told.insert((user_id, t.id, kind))
                        && inapp::notify(&tx, &batch, user_id, kind, ev, t).await?
                    {
                        report.notifications += 1;
                    }
                }
                Action::Bot(event) => {
                    report.bot_messages +=
                        bots::queue_for_event(app, &tx, &batch, event, ev, t).await?;
                }
            }
        }
    }

    // Outbound webhooks get every matching event, however old (the ERP must not miss one).
    report.webhooks = crate::webhooks::fan_out(&tx, &rows, now).await?;

    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::ProcessedAt, Expr::val(now))
        .filter(outbox_message::Column::Id.is_in(ids))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    report.processed = rows.len();
    Ok(report)
}

async fn load_batch(
    _app: &App,
    tx: &kefu_store::Tx,
    events: &[ticket_event::Model],
    now: DateTime<Utc>,
) -> Result<Batch, AppError> {
    let ticket_ids: HashSet<Uuid> = events.iter().map(|e| e.ticket_id).collect();
    let tickets: HashMap<Uuid, ticket::Model> = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ticket_ids))
        .all(tx)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut user_ids: HashSet<Uuid> = events.iter().filter_map(|e| e.actor_id).collect();
    user_ids.extend(tickets.values().filter_map(|t| t.assignee_id));
    for e in events {
        for key in ["to", "assignee_to"] {
            if let Some(u) = e
                .data
                .get(key)
                .and_then(|v| v.as_str())
                .and_then(|v| v.parse().ok())
            {
                user_ids.insert(u);
            }
        }
        if let Some(list) = e.data.get("notify").and_then(|v| v.as_array()) {
            user_ids.extend(list.iter().filter_map(|v| v.as_str()?.parse::<Uuid>().ok()));
        }
    }
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(tx)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let contact_ids: HashSet<Uuid> = tickets.values().filter_map(|t| t.contact_id).collect();
    let contacts = contact::Entity::find()
        .filter(contact::Column::Id.is_in(contact_ids))
        .all(tx)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let customer_ids: HashSet<Uuid> = tickets.values().filter_map(|t| t.customer_id).collect();
    let customer_names = customer::Entity::find()
        .filter(customer::Column::Id.is_in(customer_ids))
        .all(tx)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let bots = bot_channel::Entity::find()
        .filter(bot_channel::Column::Enabled.eq(true))
        .all(tx)
        .await?;
    Ok(Batch {
        now,
        out: MailSettings::load(tx).await?.outbound,
        tickets,
        users,
        contacts,
        customer_names,
        templates: crate::mail::Templates::load(tx).await?,
        bots,
    })
}
