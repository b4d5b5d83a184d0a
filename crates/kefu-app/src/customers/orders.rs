//! Orders imported or synced from the ERP, with their lines.

use chrono::{DateTime, NaiveDate, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{order, order_line};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::visible_customer;
use crate::{App, AppError, FieldError, require};

/// One order line in a request.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrderLine {
    /// What was sold.
    pub description: String,
    /// Quantity (≥ 1).
    pub quantity: i32,
    /// Unit price in cents (分).
    pub unit_price_cents: i64,
}

/// Request to record an order.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// ERP order number (unique), e.g. `SO2026110501`.
    pub order_no: String,
    /// Order date.
    pub order_date: NaiveDate,
    /// Status as in the ERP (default `open`).
    #[serde(default)]
    pub status: Option<String>,
    /// Currency (default `CNY`).
    #[serde(default)]
    pub currency: Option<String>,
    /// Lines.
    #[serde(default)]
    pub lines: Vec<NewOrderLine>,
}

/// An order with its lines.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    /// Id.
    pub id: Uuid,
    /// Customer.
    pub customer_id: Uuid,
    /// ERP number.
    pub order_no: String,
    /// Date.
    pub order_date: NaiveDate,
    /// Status.
    pub status: String,
    /// Currency.
    pub currency: String,
    /// Sum of lines, in cents.
    pub total_cents: i64,
    /// Lines.
    pub lines: Vec<NewOrderLine>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Records an order and its lines in one transaction.
pub async fn create_order(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    req: NewOrder,
) -> Result<OrderView, AppError> {
    require(actor, Permission::CustomerWrite)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let mut errors = Vec::new();
    if req.order_no.trim().is_empty() || req.order_no.len() > 64 {
        errors.push(FieldError::new("order_no", "invalid", "1 to 64 characters"));
    }
    for (i, l) in req.lines.iter().enumerate() {
        if l.quantity < 1 {
            errors.push(FieldError::new(
                format!("lines[{i}].quantity"),
                "out_of_range",
                "at least 1",
            ));
        }
        if l.unit_price_cents < 0 {
            errors.push(FieldError::new(
                format!("lines[{i}].unit_price_cents"),
                "out_of_range",
                "not negative",
            ));
        }
        if l.description.trim().is_empty() {
            errors.push(FieldError::new(
                format!("lines[{i}].description"),
                "required",
                "a description is required",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let total: i64 = req
        .lines
        .iter()
        .map(|l| i64::from(l.quantity) * l.unit_price_cents)
        .sum();
    let tx = app.store.begin().await?;
    visible_customer(&tx, actor, customer_id).await?;
    let now = app.now();
    let m = order::Model {
        id: Uuid::now_v7(),
        customer_id,
        order_no: req.order_no.trim().into(),
        order_date: req.order_date,
        status: req.status.unwrap_or_else(|| "open".into()),
        currency: req.currency.unwrap_or_else(|| "CNY".into()),
        total_cents: total,
        created_at: now,
    };
    order::Entity::insert(order::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    for (i, l) in req.lines.iter().enumerate() {
        order_line::Entity::insert(order_line::ActiveModel::from(order_line::Model {
            id: Uuid::now_v7(),
            order_id: m.id,
            line_no: i as i32 + 1,
            product_id: None,
            description: l.description.clone(),
            quantity: l.quantity,
            unit_price_cents: l.unit_price_cents,
        }))
        .exec_without_returning(&tx)
        .await?;
    }
    tx.commit().await?;
    Ok(OrderView {
        id: m.id,
        customer_id,
        order_no: m.order_no,
        order_date: m.order_date,
        status: m.status,
        currency: m.currency,
        total_cents: total,
        lines: req.lines,
        created_at: now,
    })
}

/// A customer's orders, newest first.
pub async fn list_orders(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
) -> Result<Vec<OrderView>, AppError> {
    visible_customer(app.store.conn(), actor, customer_id).await?;
    orders_of(app, customer_id).await
}

/// The orders of a customer the caller has already checked.
pub(super) async fn orders_of(app: &App, customer_id: Uuid) -> Result<Vec<OrderView>, AppError> {
    let db = app.store.conn();
    let orders = order::Entity::find()
        .filter(order::Column::CustomerId.eq(customer_id))
        .order_by_desc(order::Column::OrderDate)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
    let mut lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.is_in(ids))
        .order_by_asc(order_line::Column::LineNo)
        .all(db)
        .await?;
    Ok(orders
        .into_iter()
        .map(|o| {
            let mine: Vec<NewOrderLine> = lines
                .extract_if(.., |l| l.order_id == o.id)
                .map(|l| NewOrderLine {
                    description: l.description,
                    quantity: l.quantity,
                    unit_price_cents: l.unit_price_cents,
                })
                .collect();
            OrderView {
                id: o.id,
                customer_id: o.customer_id,
                order_no: o.order_no,
                order_date: o.order_date,
                status: o.status,
                currency: o.currency,
                total_cents: o.total_cents,
                lines: mine,
                created_at: o.created_at,
            }
        })
        .collect())
}
