//! Returns and exchanges on a return/exchange ticket: issuing the RMA number (after the
//! sign-offs that approval rules with target `rma` ask for), the goods received, inspected and
//! restocked (back into a warehouse's stock, for a part) or scrapped, and an exchange's
//! replacement shipped. Each step is one transaction with a ticket event and an outbox
//! announcement (`rma.updated`) for webhooks.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::rma::{GoodsStatus, RmaKind, RmaStep, apply, done};
use kefu_store::entity::{order_line, part, rma, warehouse};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::tickets::{events, ticket_for_update, visible_ticket};
use crate::{App, AppError, FieldError, require};

/// The ticket type RMAs belong to.
pub const RETURN_KIND: &str = "return_exchange";
/// The approval target that gates issuing an RMA (approval rules with `to: "rma"`).
pub const APPROVAL_TARGET: &str = "rma";

/// An RMA.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RmaView {
    /// Id.
    pub id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// Number, e.g. `RMA-202612-000001`.
    pub number: String,
    /// `return` or `exchange`.
    pub kind: String,
    /// Serial number of the goods.
    pub serial_number: Option<String>,
    /// Order line they were sold on.
    pub order_line_id: Option<Uuid>,
    /// Part, when the goods are a spare part (restocking puts them back into stock).
    pub part_id: Option<Uuid>,
    /// Units.
    pub quantity: i64,
    /// Why they come back.
    pub reason: String,
    /// `authorized`, `received`, `restocked` or `scrapped`.
    pub goods_status: String,
    /// What the inspection found.
    pub inspection_note: Option<String>,
    /// Where restocked goods went.
    pub warehouse_id: Option<Uuid>,
    /// The replacement's serial number (exchanges).
    pub replacement_serial: Option<String>,
    /// The replacement's tracking number.
    pub replacement_tracking: Option<String>,
    /// When the replacement left.
    pub shipped_at: Option<DateTime<Utc>>,
    /// When nothing was left to do.
    pub closed_at: Option<DateTime<Utc>>,
    /// Issued.
    pub created_at: DateTime<Utc>,
}

impl From<rma::Model> for RmaView {
    fn from(r: rma::Model) -> Self {
        RmaView {
            id: r.id,
            ticket_id: r.ticket_id,
            number: r.number,
            kind: r.kind,
            serial_number: r.serial_number,
            order_line_id: r.order_line_id,
            part_id: r.part_id,
            quantity: r.quantity,
            reason: r.reason,
            goods_status: r.goods_status,
            inspection_note: r.inspection_note,
            warehouse_id: r.warehouse_id,
            replacement_serial: r.replacement_serial,
            replacement_tracking: r.replacement_tracking,
            shipped_at: r.shipped_at,
            closed_at: r.closed_at,
            created_at: r.created_at,
        }
    }
}

/// What comes back.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RmaInput {
    /// `return` or `exchange`.
    #[schema(value_type = String)]
    pub kind: RmaKind,
    /// Serial number of the goods.
    #[serde(default)]
    pub serial_number: Option<String>,
    /// The order line they were sold on.
    #[serde(default)]
    pub order_line_id: Option<Uuid>,
    /// The part, when the goods are a spare part.
    #[serde(default)]
    pub part_id: Option<Uuid>,
    /// Units (default 1).
    #[serde(default)]
    pub quantity: Option<i64>,
    /// Why.
    pub reason: String,
}

fn staff(actor: &Actor) -> Result<(), AppError> {
    require(actor, Permission::TicketUpdate)?;
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("staff only".into()))
    }
}

async fn announce(
    db: &impl ConnectionTrait,
    r: &rma::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    crate::outbox::announce(
        db,
        "rma.updated",
        r.id,
        json!({"rma_id": r.id, "number": r.number, "ticket_id": r.ticket_id, "kind": r.kind,
            "goods_status": r.goods_status, "shipped": r.shipped_at.is_some(),
            "closed": r.closed_at.is_some()}),
        now,
    )
    .await
}

/// Issues an RMA for a return/exchange ticket (staff). Approval rules with target `rma` must
/// be signed off first: without them the call files the requests and answers
/// `approval_required`.
pub async fn issue_rma(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    input: RmaInput,
) -> Result<RmaView, AppError> {
    staff(actor)?;
    let tx = app.store.begin().await?;
    let t = ticket_for_update(&tx, actor, ticket_id).await?;
    if t.kind != RETURN_KIND {
        return Err(AppError::Rule {
            code: "not_a_return",
            message: "RMAs are issued on return/exchange tickets".into(),
        });
    }
    let mut errors = Vec::new();
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        errors.push(FieldError::new("reason", "invalid", "1 to 500 characters"));
    }
    let quantity = input.quantity.unwrap_or(1);
    if kefu_domain::parts::check_quantity(quantity).is_err() {
        errors.push(FieldError::new("quantity", "invalid", "at least 1"));
    }
    if let Some(l) = input.order_line_id
        && order_line::Entity::find_by_id(l).one(&tx).await?.is_none()
    {
        errors.push(FieldError::new(
            "order_line_id",
            "not_found",
            "no such order line",
        ));
    }
    if let Some(p) = input.part_id
        && part::Entity::find_by_id(p).one(&tx).await?.is_none()
    {
        errors.push(FieldError::new("part_id", "not_found", "no such part"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    match crate::tickets::gate(&tx, &t, APPROVAL_TARGET).await? {
        crate::tickets::Gate::Open(ids) => crate::tickets::use_up(&tx, &ids, now).await?,
        crate::tickets::Gate::Closed { missing, pending } => {
            tx.rollback().await?;
            return Err(crate::tickets::request_approvals(
                app,
                actor,
                &t,
                APPROVAL_TARGET,
                missing,
                pending,
            )
            .await);
        }
    }
    let local = now.with_timezone(&chrono_tz::Asia::Shanghai);
    let period = format!("RMA-{}", local.format("%Y%m"));
    let seq = kefu_store::next_ticket_seq(&tx, &period).await?;
    let m = rma::Model {
        id: Uuid::now_v7(),
        ticket_id,
        number: format!("{period}-{seq:06}"),
        kind: match input.kind {
            RmaKind::Return => "return",
            RmaKind::Exchange => "exchange",
        }
        .into(),
        serial_number: input
            .serial_number
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        order_line_id: input.order_line_id,
        part_id: input.part_id,
        warehouse_id: None,
        quantity,
        reason,
        goods_status: GoodsStatus::Authorized.as_str().into(),
        inspection_note: None,
        replacement_serial: None,
        replacement_tracking: None,
        shipped_at: None,
        closed_at: None,
        created_at: now,
        updated_at: now,
    };
    rma::Entity::insert(rma::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    events::append(
        &tx,
        ticket_id,
        "rma_issued",
        Some(actor.user_id),
        true,
        json!({"rma_id": m.id, "number": m.number, "kind": m.kind, "serial_number": m.serial_number,
            "quantity": m.quantity}),
        now,
    )
    .await?;
    announce(&tx, &m, now).await?;
    tx.commit().await?;
    Ok(m.into())
}

/// The RMAs of a ticket (anyone who may see the ticket: the customer follows the return).
pub async fn ticket_rmas(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
) -> Result<Vec<RmaView>, AppError> {
    require(actor, Permission::TicketRead)?;
    let db = app.store.conn();
    visible_ticket(db, actor, ticket_id).await?;
    Ok(rma::Entity::find()
        .filter(rma::Column::TicketId.eq(ticket_id))
        .order_by_asc(rma::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(RmaView::from)
        .collect())
}

/// A step on an RMA.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum RmaAction {
    /// The goods arrived.
    Receive,
    /// Inspected: `restock` puts a part back into `warehouse_id`'s stock; otherwise scrapped.
    Inspect {
        /// Back into stock.
        restock: bool,
        /// Warehouse for a restocked part.
        #[serde(default)]
        warehouse_id: Option<Uuid>,
        /// What the inspection found.
        #[serde(default)]
        note: Option<String>,
    },
    /// An exchange's replacement left.
    Ship {
        /// Serial number of the replacement.
        #[serde(default)]
        serial_number: Option<String>,
        /// Carrier tracking number.
        #[serde(default)]
        tracking: Option<String>,
    },
}

/// Records a step (staff), in order; a part restocked goes back into stock with a move.
pub async fn rma_step(
    app: &App,
    actor: &Actor,
    rma_id: Uuid,
    action: RmaAction,
) -> Result<RmaView, AppError> {
    staff(actor)?;
    let tx = app.store.begin().await?;
    let r = rma::Entity::find_by_id(rma_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("rma"))?;
    let t = ticket_for_update(&tx, actor, r.ticket_id).await?;
    let kind = if r.kind == "exchange" {
        RmaKind::Exchange
    } else {
        RmaKind::Return
    };
    let goods = GoodsStatus::parse(&r.goods_status).unwrap_or(GoodsStatus::Authorized);
    let step = match &action {
        RmaAction::Receive => RmaStep::Receive,
        RmaAction::Inspect { restock, .. } => RmaStep::Inspect { restock: *restock },
        RmaAction::Ship { .. } => RmaStep::ShipReplacement,
    };
    let after = apply(kind, goods, r.shipped_at.is_some(), step).map_err(|m| AppError::Rule {
        code: "rma_step",
        message: m.into(),
    })?;
    let now = app.now();
    let mut am: rma::ActiveModel = r.clone().into();
    am.goods_status = Set(after.as_str().into());
    am.updated_at = Set(now);
    let mut shipped = r.shipped_at.is_some();
    let event = match &action {
        RmaAction::Receive => "rma_received",
        RmaAction::Inspect {
            restock,
            warehouse_id,
            note,
        } => {
            am.inspection_note = Set(note.clone().filter(|n| !n.trim().is_empty()));
            if *restock && let Some(p) = r.part_id {
                let Some(w) = warehouse_id else {
                    return Err(AppError::invalid(
                        "warehouse_id",
                        "required",
                        "a restocked part goes into a warehouse",
                    ));
                };
                if warehouse::Entity::find_by_id(*w).one(&tx).await?.is_none() {
                    return Err(AppError::invalid(
                        "warehouse_id",
                        "not_found",
                        "no such warehouse",
                    ));
                }
                crate::parts::restock_return(
                    &tx,
                    p,
                    *w,
                    r.quantity,
                    &r.number,
                    r.ticket_id,
                    actor,
                    now,
                )
                .await?;
                am.warehouse_id = Set(Some(*w));
            }
            if *restock {
                "rma_restocked"
            } else {
                "rma_scrapped"
            }
        }
        RmaAction::Ship {
            serial_number,
            tracking,
        } => {
            am.replacement_serial = Set(serial_number.clone());
            am.replacement_tracking = Set(tracking.clone());
            am.shipped_at = Set(Some(now));
            shipped = true;
            "rma_replacement_shipped"
        }
    };
    if done(kind, after, shipped) && r.closed_at.is_none() {
        am.closed_at = Set(Some(now));
    }
    let saved = rma::Entity::update(am).exec(&tx).await?;
    events::append(
        &tx,
        t.id,
        event,
        Some(actor.user_id),
        true,
        json!({"rma_id": saved.id, "number": saved.number, "goods_status": saved.goods_status,
            "tracking": saved.replacement_tracking, "closed": saved.closed_at.is_some()}),
        now,
    )
    .await?;
    announce(&tx, &saved, now).await?;
    tx.commit().await?;
    Ok(saved.into())
}
