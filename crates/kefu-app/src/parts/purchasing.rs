//! Purchasing: a shortage raises a purchase request for the part and warehouse, or adds to
//! the open one; received stock goes first to the tickets waiting for it (priority, then the
//! sooner resolution due time, then the longer wait), each of which hears about it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::parts::{LineStatus, PurchaseStatus, Waiting, allocate};
use kefu_domain::ticket::Priority;
use kefu_store::entity::{part, part_line, purchase_request, ticket, warehouse};
use kefu_store::sea_orm::sea_query::{Expr, ExprTrait};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::stock::{self, MoveCause};
use super::{quantity, require_staff};
use crate::tickets::events;
use crate::{App, AppError, FieldError, require};

/// A purchase request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PurchaseRequestView {
    /// Id.
    pub id: Uuid,
    /// Number, e.g. `PR-202612-000001`.
    pub number: String,
    /// Part.
    pub part_id: Uuid,
    /// Part number.
    pub part_code: String,
    /// Warehouse to deliver to.
    pub warehouse_id: Uuid,
    /// Units asked for.
    pub quantity: i64,
    /// Units received so far.
    pub received: i64,
    /// Needed by.
    pub needed_by: Option<NaiveDate>,
    /// `open`, `ordered`, `received` or `cancelled`.
    pub status: String,
    /// Tickets waiting for it.
    pub ticket_ids: Vec<Uuid>,
    /// Raised.
    pub created_at: DateTime<Utc>,
}

/// Views of purchase requests with their part codes and waiting tickets: two queries for
/// the whole list, however long.
async fn pr_views(
    db: &impl ConnectionTrait,
    prs: Vec<purchase_request::Model>,
) -> Result<Vec<PurchaseRequestView>, AppError> {
    let part_ids: Vec<Uuid> = prs.iter().map(|p| p.part_id).collect();
    let codes: HashMap<Uuid, String> = part::Entity::find()
        .select_only()
        .column(part::Column::Id)
        .column(part::Column::Code)
        .filter(part::Column::Id.is_in(part_ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let pr_ids: Vec<Uuid> = prs.iter().map(|p| p.id).collect();
    let mut waiting: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let links: Vec<(Option<Uuid>, Uuid)> = part_line::Entity::find()
        .select_only()
        .column(part_line::Column::PurchaseRequestId)
        .column(part_line::Column::TicketId)
        .filter(part_line::Column::PurchaseRequestId.is_in(pr_ids))
        .into_tuple()
        .all(db)
        .await?;
    for (pr, ticket) in links {
        if let Some(pr) = pr {
            waiting.entry(pr).or_default().push(ticket);
        }
    }
    Ok(prs
        .into_iter()
        .map(|pr| {
            let mut ticket_ids = waiting.remove(&pr.id).unwrap_or_default();
            ticket_ids.sort();
            ticket_ids.dedup();
            PurchaseRequestView {
                id: pr.id,
                number: pr.number,
                part_id: pr.part_id,
                part_code: codes.get(&pr.part_id).cloned().unwrap_or_default(),
                warehouse_id: pr.warehouse_id,
                quantity: pr.quantity,
                received: pr.received,
                needed_by: pr.needed_by,
                status: pr.status,
                ticket_ids,
                created_at: pr.created_at,
            }
        })
        .collect())
}

async fn pr_view(
    db: &impl ConnectionTrait,
    pr: purchase_request::Model,
) -> Result<PurchaseRequestView, AppError> {
    pr_views(db, vec![pr])
        .await?
        .pop()
        .ok_or(AppError::NotFound("purchase request"))
}

/// Announces a purchase request's new state (webhooks read it from the outbox).
async fn announce(
    db: &impl ConnectionTrait,
    pr: &purchase_request::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    crate::outbox::announce(
        db,
        "purchase_request.updated",
        pr.id,
        json!({"purchase_request_id": pr.id, "number": pr.number, "part_id": pr.part_id,
            "warehouse_id": pr.warehouse_id, "quantity": pr.quantity, "received": pr.received,
            "needed_by": pr.needed_by, "status": pr.status}),
        now,
    )
    .await
}

/// Raises a purchase request for `q` more units, or adds them to the open one of the same
/// part and warehouse (an earlier `needed_by` wins).
pub(super) async fn shortage(
    tx: &kefu_store::Tx,
    part_id: Uuid,
    warehouse_id: Uuid,
    q: i64,
    needed_by: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<PurchaseRequestView, AppError> {
    stock::lock(tx, part_id, warehouse_id, now).await?;
    let open = purchase_request::Entity::find()
        .filter(purchase_request::Column::PartId.eq(part_id))
        .filter(purchase_request::Column::WarehouseId.eq(warehouse_id))
        .filter(purchase_request::Column::Status.eq(PurchaseStatus::Open.as_str()))
        .order_by_asc(purchase_request::Column::Id)
        .one(tx)
        .await?;
    let pr = match open {
        Some(pr) => {
            let need = match (pr.needed_by, needed_by) {
                (Some(a), Some(b)) => Some(Ord::min(a, b)),
                (a, b) => a.or(b),
            };
            purchase_request::Entity::update_many()
                .col_expr(
                    purchase_request::Column::Quantity,
                    Expr::col(purchase_request::Column::Quantity).add(q),
                )
                .col_expr(purchase_request::Column::NeededBy, need.into())
                .col_expr(purchase_request::Column::UpdatedAt, now.into())
                .filter(purchase_request::Column::Id.eq(pr.id))
                .exec(tx)
                .await?;
            purchase_request::Entity::find_by_id(pr.id)
                .one(tx)
                .await?
                .ok_or(AppError::NotFound("purchase request"))?
        }
        None => {
            let local = now.with_timezone(&chrono_tz::Asia::Shanghai);
            let period = format!("PR-{}", local.format("%Y%m"));
            let seq = kefu_store::next_ticket_seq(tx, &period).await?;
            let m = purchase_request::Model {
                id: Uuid::now_v7(),
                number: format!("{period}-{seq:06}"),
                part_id,
                warehouse_id,
                quantity: q,
                received: 0,
                needed_by,
                status: PurchaseStatus::Open.as_str().into(),
                external_id: None,
                created_at: now,
                updated_at: now,
            };
            purchase_request::Entity::insert(purchase_request::ActiveModel::from(m.clone()))
                .exec_without_returning(tx)
                .await?;
            m
        }
    };
    announce(tx, &pr, now).await?;
    pr_view(tx, pr).await
}

/// A receipt of stock.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ReceiveInput {
    /// Part.
    pub part_id: Uuid,
    /// Warehouse.
    pub warehouse_id: Uuid,
    /// Units received.
    pub quantity: i64,
    /// The purchase request it fills (default: the oldest pending one of this part and
    /// warehouse, if any).
    #[serde(default)]
    pub purchase_request_id: Option<Uuid>,
    /// Delivery note, supplier, …
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a receipt did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReceiveOutcome {
    /// On hand in the warehouse afterwards.
    pub on_hand: i64,
    /// Reserved afterwards.
    pub reserved: i64,
    /// Waiting lines that got stock: (line, units), in the order they were served.
    pub allocated: Vec<Allocation>,
    /// The purchase request credited.
    pub purchase_request: Option<PurchaseRequestView>,
}

/// Units handed to a waiting ticket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Allocation {
    /// Ticket.
    pub ticket_id: Uuid,
    /// The reserved line created (or the waiting line itself when it was filled whole).
    pub line_id: Uuid,
    /// Units.
    pub quantity: i64,
}

fn priority_of(s: &str) -> Priority {
    Priority::ALL
        .into_iter()
        .find(|p| p.as_str() == s)
        .unwrap_or_default()
}

/// Books received stock (`parts.manage`), credits the purchase request, and allocates what is
/// free to waiting tickets in priority and SLA order, all in one transaction.
pub async fn receive_stock(
    app: &App,
    actor: &Actor,
    r: ReceiveInput,
) -> Result<ReceiveOutcome, AppError> {
    require(actor, Permission::PartsManage)?;
    let q = quantity("quantity", r.quantity)?;
    let tx = app.store.begin().await?;
    let mut errors = Vec::new();
    let p = part::Entity::find_by_id(r.part_id).one(&tx).await?;
    if p.is_none() {
        errors.push(FieldError::new("part_id", "not_found", "no such part"));
    }
    if warehouse::Entity::find_by_id(r.warehouse_id)
        .one(&tx)
        .await?
        .is_none()
    {
        errors.push(FieldError::new(
            "warehouse_id",
            "not_found",
            "no such warehouse",
        ));
    }
    let pr = match r.purchase_request_id {
        Some(id) => {
            let pr = purchase_request::Entity::find_by_id(id).one(&tx).await?;
            match pr {
                Some(pr) if pr.part_id == r.part_id && pr.warehouse_id == r.warehouse_id => {
                    Some(pr)
                }
                _ => {
                    errors.push(FieldError::new(
                        "purchase_request_id",
                        "not_found",
                        "no such purchase request for this part and warehouse",
                    ));
                    None
                }
            }
        }
        None => {
            purchase_request::Entity::find()
                .filter(purchase_request::Column::PartId.eq(r.part_id))
                .filter(purchase_request::Column::WarehouseId.eq(r.warehouse_id))
                .filter(purchase_request::Column::Status.is_in(["open", "ordered"]))
                .order_by_asc(purchase_request::Column::Id)
                .one(&tx)
                .await?
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let Some(p) = p else {
        return Err(AppError::NotFound("part"));
    };
    let now = app.now();
    let who = Some(actor.user_id);
    stock::row(&tx, r.part_id, r.warehouse_id, now).await?;
    stock::shift(&tx, r.part_id, r.warehouse_id, q, 0, now).await?;
    let reason = r
        .reason
        .clone()
        .filter(|x| !x.trim().is_empty())
        .unwrap_or_else(|| "入库 / receipt".into());
    stock::record(
        &tx,
        r.part_id,
        r.warehouse_id,
        "receipt",
        q,
        0,
        &reason,
        &MoveCause {
            purchase_request_id: pr.as_ref().map(|x| x.id),
            actor_id: who,
            ..Default::default()
        },
        now,
    )
    .await?;
    let mut pr_out = None;
    if let Some(pr) = pr {
        let received = pr.received + q;
        let status = if received >= pr.quantity {
            PurchaseStatus::Received.as_str()
        } else {
            pr.status.as_str()
        };
        purchase_request::Entity::update_many()
            .col_expr(purchase_request::Column::Received, received.into())
            .col_expr(purchase_request::Column::Status, status.into())
            .col_expr(purchase_request::Column::UpdatedAt, now.into())
            .filter(purchase_request::Column::Id.eq(pr.id))
            .exec(&tx)
            .await?;
        let saved = purchase_request::Entity::find_by_id(pr.id)
            .one(&tx)
            .await?
            .ok_or(AppError::NotFound("purchase request"))?;
        announce(&tx, &saved, now).await?;
        pr_out = Some(pr_view(&tx, saved).await?);
    }

    // Waiting lines of this part and warehouse, with their tickets' urgency.
    let waiting = part_line::Entity::find()
        .filter(part_line::Column::PartId.eq(r.part_id))
        .filter(part_line::Column::WarehouseId.eq(r.warehouse_id))
        .filter(part_line::Column::Status.eq(LineStatus::Waiting.as_str()))
        .all(&tx)
        .await?;
    let tickets: std::collections::HashMap<Uuid, ticket::Model> = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(waiting.iter().map(|l| l.ticket_id).collect::<Vec<_>>()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let candidates: Vec<Waiting<Uuid>> = waiting
        .iter()
        .map(|l| {
            let t = tickets.get(&l.ticket_id);
            Waiting {
                id: l.id,
                quantity: l.quantity,
                priority: t.map(|t| priority_of(&t.priority)).unwrap_or_default(),
                due: t.and_then(|t| t.resolution_due_at),
                since: l.created_at,
            }
        })
        .collect();
    let row = stock::row(&tx, r.part_id, r.warehouse_id, now).await?;
    let mut allocated = Vec::new();
    for (line_id, give) in allocate(row.on_hand - row.reserved, &candidates) {
        let Some(line) = waiting.iter().find(|l| l.id == line_id) else {
            continue;
        };
        if !stock::try_reserve(&tx, r.part_id, r.warehouse_id, give, now).await? {
            break;
        }
        let reserved_id = if give == line.quantity {
            part_line::Entity::update_many()
                .col_expr(
                    part_line::Column::Status,
                    LineStatus::Reserved.as_str().into(),
                )
                .col_expr(part_line::Column::UpdatedAt, now.into())
                .filter(part_line::Column::Id.eq(line.id))
                .exec(&tx)
                .await?;
            line.id
        } else {
            // Part of what it misses: the waiting line shrinks, a reserved line takes the rest.
            part_line::Entity::update_many()
                .col_expr(part_line::Column::Quantity, (line.quantity - give).into())
                .col_expr(part_line::Column::UpdatedAt, now.into())
                .filter(part_line::Column::Id.eq(line.id))
                .exec(&tx)
                .await?;
            let id = Uuid::now_v7();
            part_line::Entity::insert(part_line::ActiveModel {
                id: Set(id),
                ticket_id: Set(line.ticket_id),
                part_id: Set(line.part_id),
                warehouse_id: Set(line.warehouse_id),
                quantity: Set(give),
                status: Set(LineStatus::Reserved.as_str().into()),
                purchase_request_id: Set(line.purchase_request_id),
                created_by: Set(who),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_without_returning(&tx)
            .await?;
            id
        };
        stock::record(
            &tx,
            r.part_id,
            r.warehouse_id,
            "reserve",
            0,
            give,
            "到货分配 / allocated on receipt",
            &MoveCause {
                ticket_id: Some(line.ticket_id),
                part_line_id: Some(reserved_id),
                purchase_request_id: line.purchase_request_id,
                actor_id: who,
            },
            now,
        )
        .await?;
        let still_waiting = if give == line.quantity {
            0
        } else {
            line.quantity - give
        };
        events::append(
            &tx,
            line.ticket_id,
            "parts_arrived",
            who,
            false,
            json!({"line_id": reserved_id, "part_id": p.id, "part_code": p.code,
                "part_name": p.name, "quantity": give, "unit": p.unit,
                "still_waiting": still_waiting}),
            now,
        )
        .await?;
        allocated.push(Allocation {
            ticket_id: line.ticket_id,
            line_id: reserved_id,
            quantity: give,
        });
    }
    let row = stock::row(&tx, r.part_id, r.warehouse_id, now).await?;
    crate::outbox::announce(
        &tx,
        "part.received",
        r.part_id,
        json!({"part_id": r.part_id, "part_code": p.code, "warehouse_id": r.warehouse_id,
            "quantity": q, "on_hand": row.on_hand, "reserved": row.reserved,
            "allocated": allocated.iter().map(|a| a.quantity).sum::<i64>()}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ReceiveOutcome {
        on_hand: row.on_hand,
        reserved: row.reserved,
        allocated,
        purchase_request: pr_out,
    })
}

/// Purchase requests, newest first, optionally of one status (staff).
pub async fn list_purchase_requests(
    app: &App,
    actor: &Actor,
    status: Option<&str>,
) -> Result<Vec<PurchaseRequestView>, AppError> {
    require_staff(actor)?;
    let db = app.store.conn();
    let mut q = purchase_request::Entity::find().order_by_desc(purchase_request::Column::Id);
    if let Some(s) = status {
        q = q.filter(purchase_request::Column::Status.eq(s));
    }
    pr_views(db, q.limit(500).all(db).await?).await
}

/// Marks a purchase request ordered (sent to the ERP, with its id there) or cancelled
/// (`parts.manage`). A received request cannot change.
pub async fn set_purchase_status(
    app: &App,
    actor: &Actor,
    id: Uuid,
    status: &str,
    external_id: Option<String>,
) -> Result<PurchaseRequestView, AppError> {
    require(actor, Permission::PartsManage)?;
    let to = match PurchaseStatus::parse(status) {
        Some(s @ (PurchaseStatus::Ordered | PurchaseStatus::Cancelled)) => s,
        _ => {
            return Err(AppError::invalid(
                "status",
                "invalid",
                "ordered or cancelled",
            ));
        }
    };
    let tx = app.store.begin().await?;
    let pr = purchase_request::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("purchase request"))?;
    let from = PurchaseStatus::parse(&pr.status).unwrap_or(PurchaseStatus::Open);
    if !from.is_pending() {
        return Err(AppError::Rule {
            code: "purchase_closed",
            message: format!("the request is {}", pr.status),
        });
    }
    let now = app.now();
    let mut am: purchase_request::ActiveModel = pr.into();
    am.status = Set(to.as_str().into());
    if external_id.is_some() {
        am.external_id = Set(external_id);
    }
    am.updated_at = Set(now);
    let saved = purchase_request::Entity::update(am).exec(&tx).await?;
    announce(&tx, &saved, now).await?;
    let view = pr_view(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// Returned goods that passed inspection go back on hand (an RMA's restock), with their move,
/// inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn restock_return(
    tx: &kefu_store::Tx,
    part_id: Uuid,
    warehouse_id: Uuid,
    q: i64,
    rma_number: &str,
    ticket_id: Uuid,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    stock::row(tx, part_id, warehouse_id, now).await?;
    stock::shift(tx, part_id, warehouse_id, q, 0, now).await?;
    stock::record(
        tx,
        part_id,
        warehouse_id,
        "return",
        q,
        0,
        &format!("退货入库 {rma_number} / returned goods restocked"),
        &MoveCause {
            ticket_id: Some(ticket_id),
            actor_id: actor.user_ref(),
            ..Default::default()
        },
        now,
    )
    .await
}
