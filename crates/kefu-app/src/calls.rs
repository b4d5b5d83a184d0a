//! The phone channel: agents log calls (direction, number, duration, notes) on a ticket, or
//! open a ticket from a call; a CTI system reports incoming calls and gets the caller's
//! customer and open tickets back (the screen pop), and the answering agent is notified.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{call, contact, customer, notification, ticket, user};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::tickets::{NewTicket, TicketView, events};
use crate::{App, AppError, FieldError, require};

/// A logged call.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CallView {
    /// Id.
    pub id: Uuid,
    /// Ticket it is logged on.
    pub ticket_id: Option<Uuid>,
    /// Caller's or callee's customer.
    pub customer_id: Option<Uuid>,
    /// Matched contact.
    pub contact_id: Option<Uuid>,
    /// Agent.
    pub user_id: Option<Uuid>,
    /// `in` or `out`.
    pub direction: String,
    /// Phone number as given.
    pub number: String,
    /// Length in seconds.
    pub duration_seconds: i32,
    /// What was said.
    pub notes: String,
    /// When the call began.
    pub started_at: DateTime<Utc>,
}

impl From<call::Model> for CallView {
    fn from(c: call::Model) -> Self {
        CallView {
            id: c.id,
            ticket_id: c.ticket_id,
            customer_id: c.customer_id,
            contact_id: c.contact_id,
            user_id: c.user_id,
            direction: c.direction,
            number: c.number,
            duration_seconds: c.duration_seconds,
            notes: c.notes,
            started_at: c.started_at,
        }
    }
}

/// A call to log.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CallInput {
    /// `in` or `out`.
    pub direction: String,
    /// Phone number.
    pub number: String,
    /// Length in seconds.
    #[serde(default)]
    pub duration_seconds: i32,
    /// Notes.
    #[serde(default)]
    pub notes: String,
    /// When the call began (default: now minus its duration).
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// Log it on this ticket.
    #[serde(default)]
    pub ticket_id: Option<Uuid>,
    /// Or open a ticket from it with this subject.
    #[serde(default)]
    pub new_ticket_subject: Option<String>,
    /// Type of that new ticket.
    #[serde(default)]
    pub new_ticket_kind: Option<String>,
    /// Priority of that new ticket.
    #[serde(default)]
    pub new_ticket_priority: Option<String>,
}

/// What the call log wrote.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoggedCall {
    /// The call.
    pub call: CallView,
    /// The ticket it was logged on or opened.
    pub ticket: Option<TicketView>,
}

/// Digits of a phone number, without a leading China country code (`+86 138-0013-8000` →
/// `13800138000`).
pub fn normalize_number(n: &str) -> String {
    let digits: String = n.chars().filter(char::is_ascii_digit).collect();
    let trimmed = if n.trim_start().starts_with('+') || digits.starts_with("0086") {
        digits
            .trim_start_matches("00")
            .strip_prefix("86")
            .map(str::to_owned)
            .unwrap_or(digits.clone())
    } else {
        digits.clone()
    };
    if trimmed.is_empty() { digits } else { trimmed }
}

/// The contact (and customer) whose phone is `number`, compared by digits.
pub(crate) async fn match_caller(
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    number: &str,
) -> Result<(Option<Uuid>, Option<Uuid>), AppError> {
    let n = normalize_number(number);
    if n.len() < 5 {
        return Ok((None, None));
    }
    // Stored numbers carry spaces and dashes; the last four digits are almost always written
    // together, so they narrow the search and the digits compare exactly below.
    let tail = &n[n.len().saturating_sub(4)..];
    let contacts = contact::Entity::find()
        .filter(kefu_store::contains_ci(contact::Column::Phone, tail))
        .limit(500)
        .all(db)
        .await?;
    if let Some(c) = contacts
        .iter()
        .find(|c| c.phone.as_deref().map(normalize_number).as_deref() == Some(n.as_str()))
    {
        return Ok((Some(c.id), Some(c.customer_id)));
    }
    let customers = customer::Entity::find()
        .filter(kefu_store::contains_ci(customer::Column::Phone, tail))
        .limit(500)
        .all(db)
        .await?;
    Ok((
        None,
        customers
            .iter()
            .find(|c| c.phone.as_deref().map(normalize_number).as_deref() == Some(n.as_str()))
            .map(|c| c.id),
    ))
}

fn check(input: &CallInput) -> Result<(), AppError> {
    let mut e = Vec::new();
    if !matches!(input.direction.as_str(), "in" | "out") {
        e.push(FieldError::new("direction", "invalid", "in or out"));
    }
    if normalize_number(&input.number).len() < 3 {
        e.push(FieldError::new("number", "invalid", "a phone number"));
    }
    if !(0..=86_400).contains(&input.duration_seconds) {
        e.push(FieldError::new(
            "duration_seconds",
            "out_of_range",
            "0 to 86400",
        ));
    }
    if input.ticket_id.is_some() && input.new_ticket_subject.is_some() {
        e.push(FieldError::new(
            "ticket_id",
            "conflict",
            "log on a ticket or open one, not both",
        ));
    }
    if input
        .new_ticket_subject
        .as_deref()
        .is_some_and(|s| s.trim().is_empty())
    {
        e.push(FieldError::new(
            "new_ticket_subject",
            "required",
            "a subject",
        ));
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(e))
    }
}

/// Logs a call (staff), on a ticket or opening one, in one transaction.
pub async fn log_call(app: &App, actor: &Actor, input: CallInput) -> Result<LoggedCall, AppError> {
    require(actor, Permission::TicketUpdate)?;
    check(&input)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let (contact_id, mut customer_id) = match_caller(&tx, &input.number).await?;
    let mut opened = None;
    let ticket_id = if let Some(id) = input.ticket_id {
        let t = crate::tickets::ticket_for_update(&tx, actor, id).await?;
        customer_id = t.customer_id.or(customer_id);
        Some(t.id)
    } else if let Some(subject) = &input.new_ticket_subject {
        require(actor, Permission::TicketCreate)?;
        let (t, sla) = crate::tickets::open_in(
            app,
            &tx,
            actor,
            NewTicket {
                subject: subject.trim().to_owned(),
                description: Some(input.notes.clone()).filter(|n| !n.trim().is_empty()),
                kind: input.new_ticket_kind.clone(),
                priority: input.new_ticket_priority.clone(),
                channel: Some("phone".into()),
                customer_id,
                contact_id,
                ..Default::default()
            },
            None,
        )
        .await?;
        let id = t.id;
        opened = Some((t, sla));
        Some(id)
    } else {
        None
    };
    let started_at = input
        .started_at
        .unwrap_or_else(|| now - chrono::Duration::seconds(i64::from(input.duration_seconds)));
    let c = call::Model {
        id: Uuid::now_v7(),
        ticket_id,
        customer_id,
        contact_id,
        user_id: actor.user_ref(),
        direction: input.direction.clone(),
        number: input.number.trim().to_owned(),
        duration_seconds: input.duration_seconds,
        notes: input.notes.trim().to_owned(),
        external_id: None,
        started_at,
        created_at: now,
    };
    call::Entity::insert(call::ActiveModel::from(c.clone()))
        .exec_without_returning(&tx)
        .await?;
    if let Some(t) = ticket_id {
        events::append(
            &tx,
            t,
            "call",
            actor.user_ref(),
            false,
            serde_json::json!({
                "call_id": c.id, "direction": c.direction, "number": c.number,
                "duration_seconds": c.duration_seconds, "notes": c.notes,
            }),
            now,
        )
        .await?;
    }
    let ticket = match (opened, ticket_id) {
        (Some((t, sla)), _) => Some(crate::tickets::TicketView::new(t, sla)),
        _ => None,
    };
    tx.commit().await?;
    let ticket = match (ticket, ticket_id) {
        (Some(v), _) => Some(v),
        (None, Some(id)) => Some(crate::tickets::get_ticket(app, actor, id).await?),
        _ => None,
    };
    Ok(LoggedCall {
        call: c.into(),
        ticket,
    })
}

/// Calls of a ticket or a customer, newest first (staff).
pub async fn list_calls(
    app: &App,
    actor: &Actor,
    ticket_id: Option<Uuid>,
    customer_id: Option<Uuid>,
) -> Result<Vec<CallView>, AppError> {
    require(actor, Permission::TicketRead)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("calls are for staff".into()));
    }
    let mut q = call::Entity::find()
        .order_by_desc(call::Column::StartedAt)
        .limit(200);
    if let Some(t) = ticket_id {
        q = q.filter(call::Column::TicketId.eq(t));
    }
    if let Some(c) = customer_id {
        q = q.filter(call::Column::CustomerId.eq(c));
    }
    Ok(q.all(app.store.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A ticket in the screen pop.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PopTicket {
    /// Id.
    pub id: Uuid,
    /// Number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status key.
    pub status: String,
    /// Priority.
    pub priority: String,
}

/// Who is calling: the matched customer and contact and their open tickets.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScreenPop {
    /// The call as recorded.
    pub call_id: Uuid,
    /// Number as reported.
    pub number: String,
    /// Matched customer.
    pub customer_id: Option<Uuid>,
    /// Its name.
    pub customer_name: Option<String>,
    /// Matched contact.
    pub contact_id: Option<Uuid>,
    /// Their name.
    pub contact_name: Option<String>,
    /// The customer's tickets not yet resolved or closed, newest first.
    pub open_tickets: Vec<PopTicket>,
    /// Where an agent sees this in kefu.
    pub url: String,
}

/// An incoming call reported by a CTI system.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct IncomingCall {
    /// Caller's number.
    pub number: String,
    /// The CTI system's call id: the same id twice is one call.
    pub call_id: Option<String>,
    /// The answering agent's login email, to notify them.
    pub agent_email: Option<String>,
}

/// Records an incoming call and returns the screen pop (staff or API token with ticket read).
pub async fn incoming_call(
    app: &App,
    actor: &Actor,
    input: IncomingCall,
) -> Result<ScreenPop, AppError> {
    require(actor, Permission::TicketRead)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("calls are for staff".into()));
    }
    if normalize_number(&input.number).len() < 3 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "number",
            "invalid",
            "a phone number",
        )]));
    }
    let now = app.now();
    let tx = app.store.begin().await?;
    let external = input
        .call_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let existing = match external {
        Some(x) => {
            call::Entity::find()
                .filter(call::Column::ExternalId.eq(x))
                .one(&tx)
                .await?
        }
        None => None,
    };
    let agent = match input.agent_email.as_deref() {
        Some(e) => user::Entity::find()
            .filter(user::Column::Email.eq(e.trim().to_lowercase()))
            .filter(user::Column::Active.eq(true))
            .one(&tx)
            .await?
            .filter(|u| u.role != "customer"),
        None => None,
    };
    let c = match existing {
        Some(c) => c,
        None => {
            let (contact_id, customer_id) = match_caller(&tx, &input.number).await?;
            let c = call::Model {
                id: Uuid::now_v7(),
                ticket_id: None,
                customer_id,
                contact_id,
                user_id: agent.as_ref().map(|u| u.id),
                direction: "in".into(),
                number: input.number.trim().to_owned(),
                duration_seconds: 0,
                notes: String::new(),
                external_id: external.map(str::to_owned),
                started_at: now,
                created_at: now,
            };
            call::Entity::insert(call::ActiveModel::from(c.clone()))
                .exec_without_returning(&tx)
                .await?;
            if let Some(u) = &agent {
                let en = u.locale.starts_with("en");
                notification::Entity::insert(notification::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(u.id),
                    kind: Set("incoming_call".into()),
                    ticket_id: Set(None),
                    title: Set(if en { "Incoming call" } else { "来电" }.into()),
                    body: Set(c.number.clone()),
                    read_at: Set(None),
                    created_at: Set(now),
                })
                .exec_without_returning(&tx)
                .await?;
            }
            c
        }
    };
    let customer = match c.customer_id {
        Some(id) => customer::Entity::find_by_id(id).one(&tx).await?,
        None => None,
    };
    let contact = match c.contact_id {
        Some(id) => contact::Entity::find_by_id(id).one(&tx).await?,
        None => None,
    };
    let open_tickets = match c.customer_id {
        Some(cid) => ticket::Entity::find()
            .filter(ticket::Column::CustomerId.eq(cid))
            .filter(ticket::Column::MergedIntoId.is_null())
            .filter(
                Condition::all()
                    .add(ticket::Column::ResolvedAt.is_null())
                    .add(ticket::Column::ClosedAt.is_null()),
            )
            .order_by_desc(ticket::Column::Id)
            .limit(20)
            .all(&tx)
            .await?
            .into_iter()
            .map(|t| PopTicket {
                id: t.id,
                number: t.number,
                subject: t.subject,
                status: t.status,
                priority: t.priority,
            })
            .collect(),
        None => Vec::new(),
    };
    tx.commit().await?;
    Ok(ScreenPop {
        call_id: c.id,
        url: format!("{}/calls/{}", app.settings.public_url, c.id),
        number: c.number,
        customer_id: c.customer_id,
        customer_name: customer.map(|c| c.name),
        contact_id: c.contact_id,
        contact_name: contact.map(|c| c.name),
        open_tickets,
    })
}

#[cfg(test)]
mod tests {
    use super::normalize_number;

    #[test]
    fn numbers_compare_by_digits_without_country_code() {
        assert_eq!(normalize_number("+86 138-0013-8000"), "13800138000");
        assert_eq!(normalize_number("0086 13800138000"), "13800138000");
        assert_eq!(normalize_number("138 0013 8000"), "13800138000");
        assert_eq!(normalize_number("021-6888 8888"), "02168888888");
    }
}
