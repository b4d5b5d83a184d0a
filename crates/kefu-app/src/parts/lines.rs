//! Parts on a ticket: reserve (what stock cannot cover waits for a purchase request and the
//! ticket moves to pending parts), consume on the job, release. Each is one transaction with
//! its stock move and a ticket event.

use chrono::{DateTime, NaiveDate, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::parts::{LineAction, LineStatus, apply, split};
use kefu_store::entity::{part, part_line, ticket, warehouse};
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::purchasing::{PurchaseRequestView, shortage};
use super::stock::{self, MoveCause};
use super::{quantity, require_staff};
use crate::tickets::{events, ticket_for_update, visible_ticket};
use crate::{App, AppError, FieldError, require};

/// Attempts at a reservation when other requests keep taking the stock it saw.
const RESERVE_ATTEMPTS: usize = 8;

/// A part line on a ticket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartLineView {
    /// Id.
    pub id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// Part.
    pub part_id: Uuid,
    /// Part number.
    pub part_code: String,
    /// Part name.
    pub part_name: String,
    /// Unit.
    pub unit: String,
    /// Warehouse.
    pub warehouse_id: Uuid,
    /// Warehouse code.
    pub warehouse_code: String,
    /// Units.
    pub quantity: i64,
    /// `reserved`, `waiting`, `consumed`, `released` or `cancelled`.
    pub status: String,
    /// The purchase request a waiting line waits for.
    pub purchase_request_id: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A reservation request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ReserveInput {
    /// Part.
    pub part_id: Uuid,
    /// Warehouse to take it from.
    pub warehouse_id: Uuid,
    /// Units.
    pub quantity: i64,
    /// When the parts are needed, for a purchase request (default: the ticket's resolution
    /// due date).
    #[serde(default)]
    pub needed_by: Option<NaiveDate>,
}

/// What a reservation did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReserveOutcome {
    /// The reserved line (none when nothing was free).
    pub reserved: Option<PartLineView>,
    /// The waiting line for the shortage (none when stock covered everything).
    pub waiting: Option<PartLineView>,
    /// The purchase request raised or extended by the shortage.
    pub purchase_request: Option<PurchaseRequestView>,
    /// The ticket moved to pending parts.
    pub ticket_status: String,
}

pub(super) async fn views(
    db: &impl ConnectionTrait,
    lines: Vec<part_line::Model>,
) -> Result<Vec<PartLineView>, AppError> {
    let part_ids: Vec<Uuid> = lines.iter().map(|l| l.part_id).collect();
    let wh_ids: Vec<Uuid> = lines.iter().map(|l| l.warehouse_id).collect();
    let parts: std::collections::HashMap<Uuid, part::Model> = part::Entity::find()
        .filter(part::Column::Id.is_in(part_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let whs: std::collections::HashMap<Uuid, String> = warehouse::Entity::find()
        .filter(warehouse::Column::Id.is_in(wh_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w.code))
        .collect();
    Ok(lines
        .into_iter()
        .map(|l| {
            let p = parts.get(&l.part_id);
            PartLineView {
                id: l.id,
                ticket_id: l.ticket_id,
                part_id: l.part_id,
                part_code: p.map(|p| p.code.clone()).unwrap_or_default(),
                part_name: p.map(|p| p.name.clone()).unwrap_or_default(),
                unit: p.map(|p| p.unit.clone()).unwrap_or_default(),
                warehouse_id: l.warehouse_id,
                warehouse_code: whs.get(&l.warehouse_id).cloned().unwrap_or_default(),
                quantity: l.quantity,
                status: l.status,
                purchase_request_id: l.purchase_request_id,
                created_at: l.created_at,
                updated_at: l.updated_at,
            }
        })
        .collect())
}

/// The part lines of a ticket, oldest first (anyone who may see the ticket).
pub async fn ticket_part_lines(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
) -> Result<Vec<PartLineView>, AppError> {
    require(actor, Permission::TicketRead)?;
    let db = app.store.conn();
    visible_ticket(db, actor, ticket_id).await?;
    let lines = part_line::Entity::find()
        .filter(part_line::Column::TicketId.eq(ticket_id))
        .order_by_asc(part_line::Column::Id)
        .all(db)
        .await?;
    views(db, lines).await
}

pub(super) fn new_line(
    ticket_id: Uuid,
    r: &ReserveInput,
    quantity: i64,
    status: LineStatus,
    purchase_request_id: Option<Uuid>,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> part_line::Model {
    part_line::Model {
        id: Uuid::now_v7(),
        ticket_id,
        part_id: r.part_id,
        warehouse_id: r.warehouse_id,
        quantity,
        status: status.as_str().into(),
        purchase_request_id,
        created_by: actor,
        created_at: now,
        updated_at: now,
    }
}

/// Moves the ticket to pending parts when its workflow allows it from where it is; the new
/// status (or the old one).
async fn to_pending_parts(
    app: &App,
    tx: &kefu_store::Tx,
    actor: &Actor,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    const PENDING: &str = "pending_parts";
    if t.status == PENDING {
        return Ok(t.status.clone());
    }
    let wf = crate::tickets::workflow_of(app, tx).await?;
    let perms = actor.permissions();
    if wf.check(&t.status, PENDING, &perms).is_err() {
        return Ok(t.status.clone());
    }
    let Ok(status) = wf.status(PENDING) else {
        return Ok(t.status.clone());
    };
    let mut after = t.clone();
    crate::tickets::apply_status(&mut after, PENDING, status.category, now);
    events::append(
        tx,
        t.id,
        "status_changed",
        Some(actor.user_id),
        true,
        json!({"from": t.status, "to": PENDING, "comment": "等待备件 / waiting for parts"}),
        now,
    )
    .await?;
    crate::tickets::write_ticket(app, tx, t, after, now).await?;
    Ok(PENDING.to_owned())
}

/// Reserves a part for a ticket (staff who may update tickets). Free stock is reserved at
/// once; the rest waits on a purchase request (raised, or an open one for the same part and
/// warehouse extended) and the ticket moves to pending parts.
pub async fn reserve_for_ticket(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    r: ReserveInput,
) -> Result<ReserveOutcome, AppError> {
    require(actor, Permission::TicketUpdate)?;
    require_staff(actor)?;
    let wanted = quantity("quantity", r.quantity)?;
    let tx = app.store.begin().await?;
    let t = ticket_for_update(&tx, actor, ticket_id).await?;
    let p = part::Entity::find_by_id(r.part_id).one(&tx).await?;
    let w = warehouse::Entity::find_by_id(r.warehouse_id)
        .one(&tx)
        .await?;
    let mut errors = Vec::new();
    if !p.as_ref().is_some_and(|p| p.active) {
        errors.push(FieldError::new(
            "part_id",
            "not_found",
            "no such active part",
        ));
    }
    if !w.as_ref().is_some_and(|w| w.active) {
        errors.push(FieldError::new(
            "warehouse_id",
            "not_found",
            "no such active warehouse",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (Some(p), Some(_)) = (p, w) else {
        return Err(AppError::NotFound("part"));
    };
    let now = app.now();
    // What is free, taken with a conditional update; a competing request that got there first
    // makes the update miss, and we look again.
    let mut got = 0;
    for _ in 0..RESERVE_ATTEMPTS {
        let row = stock::row(&tx, r.part_id, r.warehouse_id, now).await?;
        let s = split(row.on_hand - row.reserved, wanted);
        if s.reserve == 0
            || stock::try_reserve(&tx, r.part_id, r.warehouse_id, s.reserve, now).await?
        {
            got = s.reserve;
            break;
        }
    }
    let wait = wanted - got;
    let mut out = ReserveOutcome {
        reserved: None,
        waiting: None,
        purchase_request: None,
        ticket_status: t.status.clone(),
    };
    let who = Some(actor.user_id);
    if got > 0 {
        let line = new_line(ticket_id, &r, got, LineStatus::Reserved, None, who, now);
        part_line::Entity::insert(part_line::ActiveModel::from(line.clone()))
            .exec_without_returning(&tx)
            .await?;
        stock::record(
            &tx,
            r.part_id,
            r.warehouse_id,
            "reserve",
            0,
            got,
            &format!("工单 {} 预留 / reserved for ticket", t.number),
            &MoveCause {
                ticket_id: Some(ticket_id),
                part_line_id: Some(line.id),
                actor_id: who,
                ..Default::default()
            },
            now,
        )
        .await?;
        events::append(
            &tx,
            ticket_id,
            "part_reserved",
            who,
            false,
            json!({"line_id": line.id, "part_id": p.id, "part_code": p.code, "part_name": p.name,
                "quantity": got, "unit": p.unit, "warehouse_id": r.warehouse_id}),
            now,
        )
        .await?;
        out.reserved = views(&tx, vec![line]).await?.pop();
    }
    if wait > 0 {
        let needed_by = r.needed_by.or(t
            .resolution_due_at
            .map(|d| d.with_timezone(&chrono_tz::Asia::Shanghai).date_naive()));
        let pr = shortage(&tx, r.part_id, r.warehouse_id, wait, needed_by, now).await?;
        let line = new_line(
            ticket_id,
            &r,
            wait,
            LineStatus::Waiting,
            Some(pr.id),
            who,
            now,
        );
        part_line::Entity::insert(part_line::ActiveModel::from(line.clone()))
            .exec_without_returning(&tx)
            .await?;
        events::append(
            &tx,
            ticket_id,
            "part_waiting",
            who,
            false,
            json!({"line_id": line.id, "part_id": p.id, "part_code": p.code, "part_name": p.name,
                "quantity": wait, "unit": p.unit, "purchase_request": pr.number}),
            now,
        )
        .await?;
        out.ticket_status = to_pending_parts(app, &tx, actor, &t, now).await?;
        out.waiting = views(&tx, vec![line]).await?.pop();
        out.purchase_request = Some(pr);
    }
    tx.commit().await?;
    Ok(out)
}

async fn line_action(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    line_id: Uuid,
    action: LineAction,
) -> Result<PartLineView, AppError> {
    require(actor, Permission::TicketUpdate)?;
    require_staff(actor)?;
    let tx = app.store.begin().await?;
    let t = ticket_for_update(&tx, actor, ticket_id).await?;
    let line = part_line::Entity::find_by_id(line_id)
        .one(&tx)
        .await?
        .filter(|l| l.ticket_id == ticket_id)
        .ok_or(AppError::NotFound("part line"))?;
    let from = LineStatus::parse(&line.status).ok_or(AppError::NotFound("part line"))?;
    let to = apply(from, action).map_err(|m| AppError::Rule {
        code: "line_closed",
        message: m.into(),
    })?;
    let now = app.now();
    // The status moves only from the one we read, so a double click cannot consume twice.
    let r = part_line::Entity::update_many()
        .col_expr(part_line::Column::Status, to.as_str().into())
        .col_expr(part_line::Column::UpdatedAt, now.into())
        .filter(part_line::Column::Id.eq(line_id))
        .filter(part_line::Column::Status.eq(from.as_str()))
        .exec(&tx)
        .await?;
    if r.rows_affected != 1 {
        return Err(AppError::Conflict {
            code: "stale_version",
            message: "the line changed meanwhile; reload".into(),
        });
    }
    let q = line.quantity;
    let who = Some(actor.user_id);
    let cause = MoveCause {
        ticket_id: Some(ticket_id),
        part_line_id: Some(line_id),
        actor_id: who,
        purchase_request_id: line.purchase_request_id,
    };
    let (kind, event) = match to {
        LineStatus::Consumed => {
            stock::shift(&tx, line.part_id, line.warehouse_id, -q, -q, now).await?;
            ("consume", "part_consumed")
        }
        LineStatus::Released => {
            stock::shift(&tx, line.part_id, line.warehouse_id, 0, -q, now).await?;
            ("release", "part_released")
        }
        _ => ("", "part_cancelled"),
    };
    if !kind.is_empty() {
        let (dh, dr) = if kind == "consume" { (-q, -q) } else { (0, -q) };
        stock::record(
            &tx,
            line.part_id,
            line.warehouse_id,
            kind,
            dh,
            dr,
            &format!("工单 {} / ticket", t.number),
            &cause,
            now,
        )
        .await?;
    }
    let p = part::Entity::find_by_id(line.part_id).one(&tx).await?;
    if to == LineStatus::Consumed
        && let Some(p) = &p
    {
        // Parts used on the job are billed in the same transaction (zeroed by warranty rules).
        crate::charges::bill_part_line(&tx, &t, &line, p, who, now).await?;
    }
    events::append(
        &tx,
        ticket_id,
        event,
        who,
        false,
        json!({"line_id": line_id, "part_id": line.part_id,
            "part_code": p.as_ref().map(|p| p.code.clone()),
            "part_name": p.as_ref().map(|p| p.name.clone()),
            "quantity": q, "unit": p.as_ref().map(|p| p.unit.clone())}),
        now,
    )
    .await?;
    let saved = part_line::Entity::find_by_id(line_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("part line"))?;
    let view = views(&tx, vec![saved]).await?.pop();
    tx.commit().await?;
    view.ok_or(AppError::NotFound("part line"))
}

/// Uses a reserved line on the job: the units leave the warehouse.
pub async fn consume_line(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    line_id: Uuid,
) -> Result<PartLineView, AppError> {
    line_action(app, actor, ticket_id, line_id, LineAction::Consume).await
}

/// Gives a reserved line back to stock, or withdraws a waiting one.
pub async fn release_line(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    line_id: Uuid,
) -> Result<PartLineView, AppError> {
    line_action(app, actor, ticket_id, line_id, LineAction::Release).await
}

/// A ticket closed with parts still reserved or waiting: the reserved units go back to stock
/// and waiting claims are withdrawn, in the closing transaction, each with its move and event.
/// Consumed lines stay as they are.
pub(crate) async fn close_out(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let open = part_line::Entity::find()
        .filter(part_line::Column::TicketId.eq(t.id))
        .filter(
            part_line::Column::Status
                .is_in([LineStatus::Reserved.as_str(), LineStatus::Waiting.as_str()]),
        )
        .all(db)
        .await?;
    for line in open {
        let reserved = line.status == LineStatus::Reserved.as_str();
        let to = if reserved {
            LineStatus::Released
        } else {
            LineStatus::Cancelled
        };
        part_line::Entity::update_many()
            .col_expr(part_line::Column::Status, to.as_str().into())
            .col_expr(part_line::Column::UpdatedAt, now.into())
            .filter(part_line::Column::Id.eq(line.id))
            .exec(db)
            .await?;
        if reserved {
            stock::shift(db, line.part_id, line.warehouse_id, 0, -line.quantity, now).await?;
            stock::record(
                db,
                line.part_id,
                line.warehouse_id,
                "release",
                0,
                -line.quantity,
                &format!("工单 {} 关闭 / ticket closed", t.number),
                &MoveCause {
                    ticket_id: Some(t.id),
                    part_line_id: Some(line.id),
                    purchase_request_id: line.purchase_request_id,
                    actor_id: None,
                },
                now,
            )
            .await?;
        }
        let p = part::Entity::find_by_id(line.part_id).one(db).await?;
        events::append(
            db,
            t.id,
            if reserved {
                "part_released"
            } else {
                "part_cancelled"
            },
            None,
            false,
            json!({"line_id": line.id, "part_id": line.part_id,
                "part_code": p.as_ref().map(|p| p.code.clone()),
                "part_name": p.as_ref().map(|p| p.name.clone()),
                "quantity": line.quantity, "unit": p.as_ref().map(|p| p.unit.clone()),
                "reason": "ticket_closed"}),
            now,
        )
        .await?;
    }
    Ok(())
}
