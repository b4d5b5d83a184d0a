//! Quotations: a snapshot of a ticket's charge lines and totals sent to the customer, who
//! accepts or declines it in the portal (or staff record a decision given by phone). Any
//! later change of the lines supersedes a live quotation; a decision counts only on the
//! quotation that is still waiting.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::charges::{QuoteStatus, totals};
use kefu_store::entity::{charge, quote};
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::lines::{lines_of, priced};
use super::staff;
use crate::tickets::{events, ticket_for_update, visible_ticket};
use crate::{App, AppError, FieldError, require};

/// One line of a quotation.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuoteLine {
    /// `labour`, `part`, `travel` or `fee`.
    pub kind: String,
    /// What it is.
    pub description: String,
    /// Unit.
    pub unit: String,
    /// Quantity.
    pub quantity: f64,
    /// Price per unit in fen.
    pub unit_price_cents: i64,
    /// Quantity × price in fen.
    pub list_cents: i64,
    /// `warranty`, `contract`, `goodwill`, or none.
    pub coverage: Option<String>,
    /// What the customer pays in fen.
    pub due_cents: i64,
}

impl From<&charge::Model> for QuoteLine {
    fn from(c: &charge::Model) -> Self {
        QuoteLine {
            kind: c.kind.clone(),
            description: c.description.clone(),
            unit: c.unit.clone(),
            quantity: c.quantity_milli as f64 / 1000.0,
            unit_price_cents: c.unit_price_cents,
            list_cents: c.list_cents,
            coverage: c.coverage.clone(),
            due_cents: c.due_cents,
        }
    }
}

/// A quotation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuoteView {
    /// Id.
    pub id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// Number, e.g. `QT-202612-000001`.
    pub number: String,
    /// `sent`, `accepted`, `declined` or `superseded`.
    pub status: String,
    /// The lines as sent.
    pub lines: Vec<QuoteLine>,
    /// Everything at list price, in fen.
    pub list_cents: i64,
    /// Covered by warranty, contract or goodwill, in fen.
    pub covered_cents: i64,
    /// What the customer pays, in fen.
    pub due_cents: i64,
    /// A note to the customer.
    pub note: Option<String>,
    /// Sent.
    pub sent_at: DateTime<Utc>,
    /// Decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The customer's comment on the decision.
    pub decision_comment: Option<String>,
}

impl From<quote::Model> for QuoteView {
    fn from(q: quote::Model) -> Self {
        QuoteView {
            id: q.id,
            ticket_id: q.ticket_id,
            number: q.number,
            status: q.status,
            lines: serde_json::from_value(q.lines).unwrap_or_default(),
            list_cents: q.list_cents,
            covered_cents: q.covered_cents,
            due_cents: q.due_cents,
            note: q.note,
            sent_at: q.sent_at,
            decided_at: q.decided_at,
            decision_comment: q.decision_comment,
        }
    }
}

/// Sending a quotation.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteInput {
    /// A note to the customer (validity, payment terms).
    #[serde(default)]
    pub note: Option<String>,
}

/// The customer's answer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteDecision {
    /// Accept (`true`) or decline.
    pub accept: bool,
    /// Why, or anything to add.
    #[serde(default)]
    pub comment: Option<String>,
}

pub(super) async fn ticket_quotes_in(
    db: &impl ConnectionTrait,
    ticket_id: Uuid,
) -> Result<Vec<QuoteView>, AppError> {
    Ok(quote::Entity::find()
        .filter(quote::Column::TicketId.eq(ticket_id))
        .order_by_desc(quote::Column::SentAt)
        .order_by_desc(quote::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The quotations of a ticket, newest first (the customer sees their own).
pub async fn ticket_quotes(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
) -> Result<Vec<QuoteView>, AppError> {
    require(actor, Permission::TicketRead)?;
    let db = app.store.conn();
    visible_ticket(db, actor, ticket_id).await?;
    ticket_quotes_in(db, ticket_id).await
}

/// Marks the ticket's live quotations superseded (the lines changed), with a public event.
pub(super) async fn supersede_live(
    db: &impl ConnectionTrait,
    ticket_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let live = quote::Entity::find()
        .filter(quote::Column::TicketId.eq(ticket_id))
        .filter(
            quote::Column::Status
                .is_in([QuoteStatus::Sent.as_str(), QuoteStatus::Accepted.as_str()]),
        )
        .all(db)
        .await?;
    for q in live {
        quote::Entity::update_many()
            .col_expr(
                quote::Column::Status,
                QuoteStatus::Superseded.as_str().into(),
            )
            .filter(quote::Column::Id.eq(q.id))
            .exec(db)
            .await?;
        events::append(
            db,
            ticket_id,
            "quote_superseded",
            None,
            true,
            json!({"quote_id": q.id, "number": q.number, "was": q.status}),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Sends a quotation of the ticket's current lines to the customer (staff); a quotation
/// still live is superseded by it.
pub async fn send_quote(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    input: QuoteInput,
) -> Result<QuoteView, AppError> {
    staff(actor)?;
    let note = input
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::invalid(
            "note",
            "too_long",
            "at most 1000 characters",
        ));
    }
    let tx = app.store.begin().await?;
    let t = ticket_for_update(&tx, actor, ticket_id).await?;
    if t.customer_id.is_none() {
        return Err(AppError::Rule {
            code: "no_customer",
            message: "the ticket has no customer to send a quotation to".into(),
        });
    }
    let lines = lines_of(&tx, ticket_id).await?;
    if lines.is_empty() {
        return Err(AppError::Rule {
            code: "no_charges",
            message: "add charges before sending a quotation".into(),
        });
    }
    let now = app.now();
    supersede_live(&tx, ticket_id, now).await?;
    let sums = totals(lines.iter().map(priced));
    let snapshot: Vec<QuoteLine> = lines.iter().map(QuoteLine::from).collect();
    let local = now.with_timezone(&chrono_tz::Asia::Shanghai);
    let period = format!("QT-{}", local.format("%Y%m"));
    let seq = kefu_store::next_ticket_seq(&tx, &period).await?;
    let m = quote::Model {
        id: Uuid::now_v7(),
        ticket_id,
        number: format!("{period}-{seq:06}"),
        status: QuoteStatus::Sent.as_str().into(),
        lines: serde_json::to_value(&snapshot).map_err(anyhow::Error::from)?,
        list_cents: sums.list,
        covered_cents: sums.covered,
        due_cents: sums.due,
        note,
        sent_by: Some(actor.user_id),
        sent_at: now,
        decided_by: None,
        decided_at: None,
        decision_comment: None,
    };
    quote::Entity::insert(quote::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    events::append(
        &tx,
        ticket_id,
        "quote_sent",
        Some(actor.user_id),
        true,
        json!({"quote_id": m.id, "number": m.number, "due_cents": m.due_cents,
            "list_cents": m.list_cents, "covered_cents": m.covered_cents}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(m.into())
}

/// The customer accepts or declines the quotation (a portal user of that customer, or staff
/// recording an answer given by phone). Only a quotation still waiting can be decided.
pub async fn decide_quote(
    app: &App,
    actor: &Actor,
    quote_id: Uuid,
    d: QuoteDecision,
) -> Result<QuoteView, AppError> {
    require(actor, Permission::TicketUpdate)?;
    let comment = d
        .comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 1000) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "comment",
            "too_long",
            "at most 1000 characters",
        )]));
    }
    let tx = app.store.begin().await?;
    let q = quote::Entity::find_by_id(quote_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("quote"))?;
    // A quotation of a ticket the actor cannot see does not exist for them.
    ticket_for_update(&tx, actor, q.ticket_id)
        .await
        .map_err(|e| e.when_not_found(AppError::NotFound("quote")))?;
    let to = if d.accept {
        QuoteStatus::Accepted
    } else {
        QuoteStatus::Declined
    };
    let now = app.now();
    let r = quote::Entity::update_many()
        .col_expr(quote::Column::Status, to.as_str().into())
        .col_expr(quote::Column::DecidedAt, Some(now).into())
        .col_expr(quote::Column::DecidedBy, Some(actor.user_id).into())
        .col_expr(quote::Column::DecisionComment, comment.clone().into())
        .filter(quote::Column::Id.eq(quote_id))
        .filter(quote::Column::Status.eq(QuoteStatus::Sent.as_str()))
        .exec(&tx)
        .await?;
    if r.rows_affected != 1 {
        return Err(AppError::Conflict {
            code: "quote_closed",
            message: match QuoteStatus::parse(&q.status) {
                Some(QuoteStatus::Superseded) => {
                    "the charges changed; this quotation was replaced".into()
                }
                _ => format!("the quotation is already {}", q.status),
            },
        });
    }
    events::append(
        &tx,
        q.ticket_id,
        if d.accept {
            "quote_accepted"
        } else {
            "quote_declined"
        },
        Some(actor.user_id),
        true,
        json!({"quote_id": q.id, "number": q.number, "due_cents": q.due_cents,
            "comment": comment, "by_staff": actor.role.is_staff()}),
        now,
    )
    .await?;
    let saved = quote::Entity::find_by_id(quote_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("quote"))?;
    tx.commit().await?;
    Ok(saved.into())
}
