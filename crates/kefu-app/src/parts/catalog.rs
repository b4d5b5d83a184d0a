//! The parts catalogue and the warehouses, and stock levels to read.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{part, stock, warehouse};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::require_staff;
use crate::{App, AppError, FieldError, audit, require};

/// A spare part.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartView {
    /// Id.
    pub id: Uuid,
    /// Part number (unique), e.g. `FU-M7400-220`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Unit (个, 套, 米).
    pub unit: String,
    /// List price per unit, in cents (分).
    pub unit_price_cents: i64,
    /// The ERP's id, for upserts.
    pub external_id: Option<String>,
    /// Offered for new reservations.
    pub active: bool,
    /// On hand in all warehouses.
    pub on_hand: i64,
    /// Reserved for tickets in all warehouses.
    pub reserved: i64,
    /// On hand minus reserved.
    pub available: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// A new part.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PartInput {
    /// Part number (unique).
    pub code: String,
    /// Name.
    pub name: String,
    /// Unit (default 个).
    #[serde(default)]
    pub unit: Option<String>,
    /// List price per unit in cents.
    #[serde(default)]
    pub unit_price_cents: i64,
    /// The ERP's id (unique).
    #[serde(default)]
    pub external_id: Option<String>,
}

/// A warehouse.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WarehouseView {
    /// Id.
    pub id: Uuid,
    /// Code (unique), e.g. `SH-01` or `VAN-王强`.
    pub code: String,
    /// Name.
    pub name: String,
    /// `central` or `van`.
    pub kind: String,
    /// The engineer whose van it is.
    pub engineer_id: Option<Uuid>,
    /// In use.
    pub active: bool,
}

/// A new warehouse.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct WarehouseInput {
    /// Code (unique).
    pub code: String,
    /// Name.
    pub name: String,
    /// `central` (default) or `van`.
    #[serde(default)]
    pub kind: Option<String>,
    /// For a van: its engineer.
    #[serde(default)]
    pub engineer_id: Option<Uuid>,
}

/// Stock of one part in one warehouse.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StockView {
    /// Part.
    pub part_id: Uuid,
    /// Part number.
    pub part_code: String,
    /// Part name.
    pub part_name: String,
    /// Warehouse.
    pub warehouse_id: Uuid,
    /// Warehouse code.
    pub warehouse_code: String,
    /// On hand.
    pub on_hand: i64,
    /// Reserved for tickets.
    pub reserved: i64,
    /// Free to reserve.
    pub available: i64,
}

fn text(field: &str, v: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = v.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "required", "required"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
    v.to_owned()
}

/// Adds a part (`parts.manage`).
pub async fn create_part(app: &App, actor: &Actor, p: PartInput) -> Result<PartView, AppError> {
    require(actor, Permission::PartsManage)?;
    let mut errors = Vec::new();
    let code = text("code", &p.code, 60, &mut errors);
    let name = text("name", &p.name, 200, &mut errors);
    let unit = p
        .unit
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "个".into());
    if unit.chars().count() > 10 {
        errors.push(FieldError::new("unit", "too_long", "at most 10 characters"));
    }
    if p.unit_price_cents < 0 {
        errors.push(FieldError::new("unit_price_cents", "negative", "0 or more"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let id = Uuid::now_v7();
    let tx = app.store.begin().await?;
    part::Entity::insert(part::ActiveModel {
        id: Set(id),
        code: Set(code.clone()),
        name: Set(name),
        unit: Set(unit),
        unit_price_cents: Set(p.unit_price_cents),
        external_id: Set(p.external_id.filter(|e| !e.trim().is_empty())),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&tx)
    .await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        "part.create",
        "part",
        Some(id.to_string()),
        serde_json::json!({"code": code}),
        now,
    )
    .await?;
    tx.commit().await?;
    let list = list_parts(app, actor, Some(id)).await?;
    list.into_iter().next().ok_or(AppError::NotFound("part"))
}

/// Parts with their stock over all warehouses, by code (staff); one part when `only` is given.
pub async fn list_parts(
    app: &App,
    actor: &Actor,
    only: Option<Uuid>,
) -> Result<Vec<PartView>, AppError> {
    require_staff(actor)?;
    let db = app.store.conn();
    let mut q = part::Entity::find().order_by_asc(part::Column::Code);
    if let Some(id) = only {
        q = q.filter(part::Column::Id.eq(id));
    }
    let parts = q.limit(2000).all(db).await?;
    let ids: Vec<Uuid> = parts.iter().map(|p| p.id).collect();
    let rows = stock::Entity::find()
        .filter(stock::Column::PartId.is_in(ids))
        .all(db)
        .await?;
    Ok(parts
        .into_iter()
        .map(|p| {
            let (on_hand, reserved) = rows
                .iter()
                .filter(|s| s.part_id == p.id)
                .fold((0, 0), |(h, r), s| (h + s.on_hand, r + s.reserved));
            PartView {
                id: p.id,
                code: p.code,
                name: p.name,
                unit: p.unit,
                unit_price_cents: p.unit_price_cents,
                external_id: p.external_id,
                active: p.active,
                on_hand,
                reserved,
                available: on_hand - reserved,
                created_at: p.created_at,
            }
        })
        .collect())
}

/// Adds a warehouse (`parts.manage`).
pub async fn create_warehouse(
    app: &App,
    actor: &Actor,
    w: WarehouseInput,
) -> Result<WarehouseView, AppError> {
    require(actor, Permission::PartsManage)?;
    let mut errors = Vec::new();
    let code = text("code", &w.code, 60, &mut errors);
    let name = text("name", &w.name, 200, &mut errors);
    let kind = w.kind.unwrap_or_else(|| "central".into());
    if !matches!(kind.as_str(), "central" | "van") {
        errors.push(FieldError::new("kind", "invalid", "central or van"));
    }
    if kind == "van" && w.engineer_id.is_none() {
        errors.push(FieldError::new(
            "engineer_id",
            "required",
            "a van belongs to an engineer",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let m = warehouse::Model {
        id: Uuid::now_v7(),
        code,
        name,
        kind,
        engineer_id: w.engineer_id,
        active: true,
        created_at: now,
    };
    warehouse::Entity::insert(warehouse::ActiveModel::from(m.clone()))
        .exec_without_returning(app.store.conn())
        .await?;
    Ok(view(m))
}

fn view(w: warehouse::Model) -> WarehouseView {
    WarehouseView {
        id: w.id,
        code: w.code,
        name: w.name,
        kind: w.kind,
        engineer_id: w.engineer_id,
        active: w.active,
    }
}

/// Every warehouse, by code (staff).
pub async fn list_warehouses(app: &App, actor: &Actor) -> Result<Vec<WarehouseView>, AppError> {
    require_staff(actor)?;
    Ok(warehouse::Entity::find()
        .order_by_asc(warehouse::Column::Code)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Stock rows, optionally of one part or one warehouse (staff).
pub async fn stock_levels(
    app: &App,
    actor: &Actor,
    part_id: Option<Uuid>,
    warehouse_id: Option<Uuid>,
) -> Result<Vec<StockView>, AppError> {
    require_staff(actor)?;
    let db = app.store.conn();
    let mut q = stock::Entity::find();
    if let Some(p) = part_id {
        q = q.filter(stock::Column::PartId.eq(p));
    }
    if let Some(w) = warehouse_id {
        q = q.filter(stock::Column::WarehouseId.eq(w));
    }
    let rows = q.limit(5000).all(db).await?;
    let parts: std::collections::HashMap<Uuid, part::Model> = part::Entity::find()
        .filter(part::Column::Id.is_in(rows.iter().map(|r| r.part_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let whs: std::collections::HashMap<Uuid, String> = warehouse::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w.code))
        .collect();
    let mut out: Vec<StockView> = rows
        .into_iter()
        .map(|r| StockView {
            part_code: parts
                .get(&r.part_id)
                .map(|p| p.code.clone())
                .unwrap_or_default(),
            part_name: parts
                .get(&r.part_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            warehouse_code: whs.get(&r.warehouse_id).cloned().unwrap_or_default(),
            part_id: r.part_id,
            warehouse_id: r.warehouse_id,
            on_hand: r.on_hand,
            reserved: r.reserved,
            available: r.on_hand - r.reserved,
        })
        .collect();
    out.sort_by(|a, b| {
        (a.part_code.as_str(), a.warehouse_code.as_str())
            .cmp(&(b.part_code.as_str(), b.warehouse_code.as_str()))
    });
    Ok(out)
}
