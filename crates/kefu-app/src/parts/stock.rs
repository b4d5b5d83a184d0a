//! Stock rows changed by conditional updates inside the caller's transaction: a reservation
//! succeeds only while enough is free, so two requests can never both take the last unit;
//! the table's CHECK constraints hold the same rule underneath. Every change writes a move.

use chrono::{DateTime, Utc};
use kefu_store::entity::{stock, stock_move};
use kefu_store::sea_orm::sea_query::{Expr, ExprTrait};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::AppError;

/// The stock row of a part in a warehouse, created empty when missing.
pub(crate) async fn row(
    db: &impl ConnectionTrait,
    part: Uuid,
    warehouse: Uuid,
    now: DateTime<Utc>,
) -> Result<stock::Model, AppError> {
    stock::Entity::insert(stock::ActiveModel {
        part_id: Set(part),
        warehouse_id: Set(warehouse),
        on_hand: Set(0),
        reserved: Set(0),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([stock::Column::PartId, stock::Column::WarehouseId])
    .exec_without_returning(db)
    .await?;
    stock::Entity::find_by_id((part, warehouse))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("stock"))
}

/// Takes the stock row's write lock until the transaction ends (a no-op update), so that
/// shortages of the same part and warehouse raise or extend their purchase request one at a
/// time instead of each raising its own.
pub(crate) async fn lock(
    db: &impl ConnectionTrait,
    part: Uuid,
    warehouse: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    stock::Entity::update_many()
        .col_expr(stock::Column::UpdatedAt, Expr::value(now))
        .filter(stock::Column::PartId.eq(part))
        .filter(stock::Column::WarehouseId.eq(warehouse))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets aside `q` units if at least that many are free; false (nothing changed) otherwise.
pub(crate) async fn try_reserve(
    db: &impl ConnectionTrait,
    part: Uuid,
    warehouse: Uuid,
    q: i64,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let r = stock::Entity::update_many()
        .col_expr(
            stock::Column::Reserved,
            Expr::col(stock::Column::Reserved).add(q),
        )
        .col_expr(stock::Column::UpdatedAt, Expr::value(now))
        .filter(stock::Column::PartId.eq(part))
        .filter(stock::Column::WarehouseId.eq(warehouse))
        .filter(
            Expr::col(stock::Column::OnHand)
                .sub(Expr::col(stock::Column::Reserved))
                .gte(q),
        )
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Changes on hand and reserved by the given amounts (receipt: `+q, 0`; release: `0, -q`;
/// consume: `-q, -q`), refusing to go below zero or to reserve more than is on hand.
pub(crate) async fn shift(
    db: &impl ConnectionTrait,
    part: Uuid,
    warehouse: Uuid,
    on_hand: i64,
    reserved: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let r = stock::Entity::update_many()
        .col_expr(
            stock::Column::OnHand,
            Expr::col(stock::Column::OnHand).add(on_hand),
        )
        .col_expr(
            stock::Column::Reserved,
            Expr::col(stock::Column::Reserved).add(reserved),
        )
        .col_expr(stock::Column::UpdatedAt, Expr::value(now))
        .filter(stock::Column::PartId.eq(part))
        .filter(stock::Column::WarehouseId.eq(warehouse))
        .filter(Expr::col(stock::Column::Reserved).add(reserved).gte(0))
        .filter(
            Expr::col(stock::Column::OnHand)
                .add(on_hand)
                .gte(Expr::col(stock::Column::Reserved).add(reserved)),
        )
        .exec(db)
        .await?;
    if r.rows_affected != 1 {
        return Err(AppError::Rule {
            code: "insufficient_stock",
            message: "the warehouse does not hold that many units".into(),
        });
    }
    Ok(())
}

/// What caused a move.
#[derive(Debug, Clone, Default)]
pub(crate) struct MoveCause {
    pub(crate) ticket_id: Option<Uuid>,
    pub(crate) part_line_id: Option<Uuid>,
    pub(crate) purchase_request_id: Option<Uuid>,
    pub(crate) actor_id: Option<Uuid>,
}

/// Records a stock move.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    part: Uuid,
    warehouse: Uuid,
    kind: &str,
    on_hand: i64,
    reserved: i64,
    reason: &str,
    cause: &MoveCause,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    stock_move::Entity::insert(stock_move::ActiveModel {
        id: Set(Uuid::now_v7()),
        part_id: Set(part),
        warehouse_id: Set(warehouse),
        kind: Set(kind.to_owned()),
        on_hand_delta: Set(on_hand),
        reserved_delta: Set(reserved),
        reason: Set(reason.chars().take(500).collect()),
        ticket_id: Set(cause.ticket_id),
        part_line_id: Set(cause.part_line_id),
        purchase_request_id: Set(cause.purchase_request_id),
        actor_id: Set(cause.actor_id),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
