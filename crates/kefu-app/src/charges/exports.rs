//! Finance exports: every charge line of a finished (resolved or closed) ticket that no export
//! has taken yet goes into one numbered batch, in one transaction, claimed by a conditional
//! update so two exports running at once never take a line twice. A batch can be downloaded
//! again (XLSX or CSV) at any time; its lines no longer change.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::charges::{Totals, totals, yuan};
use kefu_store::entity::{charge, charge_export, customer, quote, ticket};
use kefu_store::sea_orm::sea_query::{Expr, Query};
use kefu_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::lines::priced;
use crate::export::{ExportFile, Format, MAX_ROWS, table_file};
use crate::{App, AppError, audit, require};

/// An export batch.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportView {
    /// Id.
    pub id: Uuid,
    /// Number, e.g. `FIN-202612-000001`.
    pub number: String,
    /// Lines taken.
    pub line_count: i64,
    /// Their list amount in fen.
    pub list_cents: i64,
    /// What customers pay, in fen.
    pub due_cents: i64,
    /// Who exported.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<charge_export::Model> for ExportView {
    fn from(e: charge_export::Model) -> Self {
        ExportView {
            id: e.id,
            number: e.number,
            line_count: e.line_count,
            list_cents: e.list_cents,
            due_cents: e.due_cents,
            created_by: e.created_by,
            created_at: e.created_at,
        }
    }
}

/// What the next export would take, and what still waits for its ticket to finish.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnexportedSummary {
    /// Lines ready (their ticket is resolved or closed).
    pub ready_lines: i64,
    /// Their sums in fen.
    #[schema(value_type = Object)]
    pub ready: Totals,
    /// Lines on tickets still open.
    pub open_lines: i64,
}

/// Tickets that are finished: resolved or closed.
fn finished_tickets() -> kefu_store::sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(ticket::Column::Id)
        .from(ticket::Entity)
        .cond_where(
            Condition::any()
                .add(ticket::Column::ResolvedAt.is_not_null())
                .add(ticket::Column::ClosedAt.is_not_null()),
        )
        .to_owned()
}

async fn ready_lines(db: &impl ConnectionTrait) -> Result<Vec<charge::Model>, AppError> {
    Ok(charge::Entity::find()
        .filter(charge::Column::ExportId.is_null())
        .filter(charge::Column::TicketId.in_subquery(finished_tickets()))
        .order_by_asc(charge::Column::TicketId)
        .order_by_asc(charge::Column::CreatedAt)
        .limit(MAX_ROWS as u64)
        .all(db)
        .await?)
}

/// What an export would take now (`finance.read`): counted and summed in the database (the
/// finance page shows it on every visit; the lines themselves are only read by an export).
pub async fn unexported_summary(app: &App, actor: &Actor) -> Result<UnexportedSummary, AppError> {
    require(actor, Permission::FinanceRead)?;
    let db = app.store.conn();
    // SUM over BIGINT is NUMERIC on PostgreSQL: cast back so both databases give an integer.
    let sum = |c: &str| Expr::cust(format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT)"));
    let (ready, list, due): (i64, i64, i64) = charge::Entity::find()
        .select_only()
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(sum("list_cents"), "list")
        .column_as(sum("due_cents"), "due")
        .filter(charge::Column::ExportId.is_null())
        .filter(charge::Column::TicketId.in_subquery(finished_tickets()))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or_default();
    let all = charge::Entity::find()
        .filter(charge::Column::ExportId.is_null())
        .count(db)
        .await?;
    Ok(UnexportedSummary {
        ready_lines: ready,
        ready: Totals {
            list,
            covered: list - due,
            due,
        },
        open_lines: all as i64 - ready,
    })
}

/// Takes every ready line into a new batch (`charges.manage`). Nothing ready: 422
/// `nothing_to_export`.
pub async fn create_export(app: &App, actor: &Actor) -> Result<ExportView, AppError> {
    require(actor, Permission::ChargesManage)?;
    let tx = app.store.begin().await?;
    let lines = ready_lines(&tx).await?;
    if lines.is_empty() {
        return Err(AppError::Rule {
            code: "nothing_to_export",
            message: "no charges of resolved or closed tickets wait for export".into(),
        });
    }
    let now = app.now();
    let local = now.with_timezone(&chrono_tz::Asia::Shanghai);
    let period = format!("FIN-{}", local.format("%Y%m"));
    let seq = kefu_store::next_ticket_seq(&tx, &period).await?;
    let sums = totals(lines.iter().map(priced));
    let m = charge_export::Model {
        id: Uuid::now_v7(),
        number: format!("{period}-{seq:06}"),
        line_count: lines.len() as i64,
        list_cents: sums.list,
        due_cents: sums.due,
        created_by: Some(actor.user_id),
        created_at: now,
    };
    charge_export::Entity::insert(charge_export::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    let ids: Vec<Uuid> = lines.iter().map(|l| l.id).collect();
    let mut taken = 0;
    for chunk in ids.chunks(500) {
        taken += charge::Entity::update_many()
            .col_expr(charge::Column::ExportId, Some(m.id).into())
            .col_expr(charge::Column::UpdatedAt, now.into())
            .filter(charge::Column::Id.is_in(chunk.to_vec()))
            .filter(charge::Column::ExportId.is_null())
            .exec(&tx)
            .await?
            .rows_affected;
    }
    if taken != ids.len() as u64 {
        // Another export (or a removal) took some lines meanwhile: nothing of this one stays.
        tx.rollback().await?;
        return Err(AppError::Conflict {
            code: "export_raced",
            message: "another export ran at the same time; try again".into(),
        });
    }
    audit::record(
        &tx,
        Some(actor.user_id),
        "charges.export",
        "charge_export",
        Some(m.id.to_string()),
        json!({"number": m.number, "lines": m.line_count, "due_cents": m.due_cents}),
        now,
    )
    .await?;
    crate::outbox::announce(
        &tx,
        "charge.exported",
        m.id,
        json!({"export_id": m.id, "number": m.number, "line_count": m.line_count,
            "list_cents": m.list_cents, "due_cents": m.due_cents}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(m.into())
}

/// Export batches, newest first (`finance.read`).
pub async fn list_exports(app: &App, actor: &Actor) -> Result<Vec<ExportView>, AppError> {
    require(actor, Permission::FinanceRead)?;
    Ok(charge_export::Entity::find()
        .order_by_desc(charge_export::Column::CreatedAt)
        .limit(200)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

fn local_date(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        t.with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%d")
            .to_string()
    })
    .unwrap_or_default()
}

/// A batch as a file for the finance system (`finance.read`): one row per line with ticket,
/// customer, amounts in yuan, coverage and the ticket's latest quotation.
pub async fn export_file(
    app: &App,
    actor: &Actor,
    export_id: Uuid,
    format: Format,
) -> Result<ExportFile, AppError> {
    require(actor, Permission::FinanceRead)?;
    let db = app.store.conn();
    let batch = charge_export::Entity::find_by_id(export_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("export"))?;
    let lines = charge::Entity::find()
        .filter(charge::Column::ExportId.eq(export_id))
        .order_by_asc(charge::Column::TicketId)
        .order_by_asc(charge::Column::CreatedAt)
        .all(db)
        .await?;
    let mut ticket_ids: Vec<Uuid> = lines.iter().map(|l| l.ticket_id).collect();
    ticket_ids.dedup();
    let mut tickets = HashMap::new();
    let mut quotes: HashMap<Uuid, quote::Model> = HashMap::new();
    for chunk in ticket_ids.chunks(500) {
        for t in ticket::Entity::find()
            .filter(ticket::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            tickets.insert(t.id, t);
        }
        // Oldest first, so the newest quotation of each ticket is the one kept.
        for q in quote::Entity::find()
            .filter(quote::Column::TicketId.is_in(chunk.to_vec()))
            .order_by_asc(quote::Column::SentAt)
            .all(db)
            .await?
        {
            quotes.insert(q.ticket_id, q);
        }
    }
    let customer_ids: Vec<Uuid> = tickets.values().filter_map(|t| t.customer_id).collect();
    let mut customers = HashMap::new();
    for chunk in customer_ids.chunks(500) {
        for c in customer::Entity::find()
            .filter(customer::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            customers.insert(c.id, c);
        }
    }
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let t = tickets.get(&l.ticket_id);
            let c = t
                .and_then(|t| t.customer_id)
                .and_then(|id| customers.get(&id));
            let q = quotes.get(&l.ticket_id);
            vec![
                batch.number.clone(),
                t.map(|t| t.number.clone()).unwrap_or_default(),
                c.and_then(|c| c.code.clone()).unwrap_or_default(),
                c.map(|c| c.name.clone()).unwrap_or_default(),
                l.kind.clone(),
                l.description.clone(),
                (l.quantity_milli as f64 / 1000.0).to_string(),
                l.unit.clone(),
                yuan(l.unit_price_cents),
                yuan(l.list_cents),
                l.coverage.clone().unwrap_or_default(),
                yuan(l.due_cents),
                q.map(|q| q.number.clone()).unwrap_or_default(),
                q.map(|q| q.status.clone()).unwrap_or_default(),
                local_date(t.and_then(|t| t.resolved_at.or(t.closed_at))),
                l.id.to_string(),
            ]
        })
        .collect();
    table_file(
        &batch.number,
        format,
        &[
            "批次 batch",
            "工单 ticket",
            "客户编码 customer_code",
            "客户 customer",
            "类别 kind",
            "项目 description",
            "数量 quantity",
            "单位 unit",
            "单价 unit_price",
            "金额 list_amount",
            "保修/合同 coverage",
            "应收 due",
            "报价单 quote",
            "报价状态 quote_status",
            "完成日期 resolved",
            "行号 line_id",
        ],
        &rows,
    )
}
