//! The ERP's catalogue and stock from spreadsheets (`parts.manage`): parts and products keyed
//! by code (known codes updated, empty cells keep what is there), and stock counts that set
//! what a warehouse holds (a `count` move records each difference; a count below what tickets
//! have reserved is refused). All or nothing, like every import.

use std::collections::HashMap;

use kefu_domain::access::{Actor, Permission};
use kefu_domain::import::{
    PartField, Problem, ProductField, StockField, parse_part_rows, parse_product_rows,
    parse_stock_rows,
};
use kefu_store::entity::{part, product, warehouse};
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::{AssetImport, ImportReport};
use crate::parts::stock::{MoveCause, record, row, shift};
use crate::{App, AppError, require};

/// Codes (lower case) → ids of a table with a `code` column.
async fn codes<E>(
    db: &impl ConnectionTrait,
    code: E::Column,
    id: E::Column,
) -> Result<HashMap<String, Uuid>, AppError>
where
    E: EntityTrait,
{
    let rows: Vec<(String, Uuid)> = E::find()
        .select_only()
        .column(code)
        .column(id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(c, i)| (c.to_lowercase(), i))
        .collect())
}

/// Imports parts: `code`, `name` required; `unit`, `unit_price` (yuan), `external_id`.
pub async fn import_parts(
    app: &App,
    actor: &Actor,
    mut imp: AssetImport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, AppError> {
    require(actor, Permission::PartsManage)?;
    let file = imp.file_name.clone();
    let (rows, h, columns) = super::columns::<PartField>(&mut imp).await?;
    let (good, problems) = parse_part_rows(&rows[h + 1..], &columns, h + 2);
    if !problems.is_empty() {
        return Err(super::located(&file, problems));
    }
    let known =
        codes::<part::Entity>(app.store.conn(), part::Column::Code, part::Column::Id).await?;
    let now = app.now();
    let mut report = ImportReport {
        rows: good.len(),
        dry_run: imp.dry_run,
        ..Default::default()
    };
    let tx = app.store.begin().await?;
    for (i, (_, p)) in good.iter().enumerate() {
        match known.get(&p.code.to_lowercase()) {
            Some(id) => {
                let mut q = part::Entity::update_many()
                    .col_expr(part::Column::Name, Expr::value(p.name.clone()))
                    .col_expr(part::Column::UpdatedAt, Expr::value(now));
                if let Some(u) = &p.unit {
                    q = q.col_expr(part::Column::Unit, Expr::value(u.clone()));
                }
                if let Some(x) = p.unit_price {
                    q = q.col_expr(part::Column::UnitPriceCents, Expr::value(x));
                }
                if let Some(x) = &p.external_id {
                    q = q.col_expr(part::Column::ExternalId, Expr::value(x.clone()));
                }
                q.filter(part::Column::Id.eq(*id)).exec(&tx).await?;
                report.updated += 1;
            }
            None => {
                part::Entity::insert(part::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    code: Set(p.code.clone()),
                    name: Set(p.name.clone()),
                    unit: Set(p.unit.clone().unwrap_or_else(|| "个".into())),
                    unit_price_cents: Set(p.unit_price.unwrap_or(0)),
                    external_id: Set(p.external_id.clone()),
                    active: Set(true),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(&tx)
                .await?;
                report.created += 1;
            }
        }
        if i % 500 == 499 {
            progress(i as u64 + 1, good.len() as u64);
        }
    }
    progress(good.len() as u64, good.len() as u64);
    super::finish(tx, actor, "parts", &file, &report, now).await?;
    Ok(report)
}

/// Imports products: `code`, `name` required; `category`, `warranty_months`.
pub async fn import_products(
    app: &App,
    actor: &Actor,
    mut imp: AssetImport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, AppError> {
    require(actor, Permission::PartsManage)?;
    let file = imp.file_name.clone();
    let (rows, h, columns) = super::columns::<ProductField>(&mut imp).await?;
    let (good, problems) = parse_product_rows(&rows[h + 1..], &columns, h + 2);
    if !problems.is_empty() {
        return Err(super::located(&file, problems));
    }
    let known =
        codes::<product::Entity>(app.store.conn(), product::Column::Code, product::Column::Id)
            .await?;
    let now = app.now();
    let mut report = ImportReport {
        rows: good.len(),
        dry_run: imp.dry_run,
        ..Default::default()
    };
    let tx = app.store.begin().await?;
    for (_, p) in &good {
        match known.get(&p.code.to_lowercase()) {
            Some(id) => {
                let mut q = product::Entity::update_many()
                    .col_expr(product::Column::Name, Expr::value(p.name.clone()));
                if let Some(c) = &p.category {
                    q = q.col_expr(product::Column::Category, Expr::value(c.clone()));
                }
                if let Some(m) = p.warranty_months {
                    q = q.col_expr(product::Column::WarrantyMonths, Expr::value(m));
                }
                q.filter(product::Column::Id.eq(*id)).exec(&tx).await?;
                report.updated += 1;
            }
            None => {
                product::Entity::insert(product::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    code: Set(p.code.clone()),
                    name: Set(p.name.clone()),
                    category: Set(p.category.clone()),
                    warranty_months: Set(p.warranty_months.unwrap_or(12)),
                    created_at: Set(now),
                })
                .exec_without_returning(&tx)
                .await?;
                report.created += 1;
            }
        }
    }
    progress(good.len() as u64, good.len() as u64);
    super::finish(tx, actor, "products", &file, &report, now).await?;
    Ok(report)
}

/// Imports a stock count: `part_code`, `warehouse` (code), `on_hand` (the counted quantity,
/// which replaces what is on hand). Unknown parts or warehouses, and counts below what tickets
/// have reserved, are problems.
pub async fn import_stock(
    app: &App,
    actor: &Actor,
    mut imp: AssetImport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, AppError> {
    require(actor, Permission::PartsManage)?;
    let file = imp.file_name.clone();
    let (rows, h, columns) = super::columns::<StockField>(&mut imp).await?;
    let (good, mut problems) = parse_stock_rows(&rows[h + 1..], &columns, h + 2);
    let db = app.store.conn();
    let parts = codes::<part::Entity>(db, part::Column::Code, part::Column::Id).await?;
    let warehouses =
        codes::<warehouse::Entity>(db, warehouse::Column::Code, warehouse::Column::Id).await?;
    let mut resolved = Vec::with_capacity(good.len());
    for (n, s) in &good {
        let p = parts.get(&s.part_code.to_lowercase());
        let w = warehouses.get(&s.warehouse.to_lowercase());
        if p.is_none() {
            problems.push(Problem {
                row: *n,
                column: "part_code".into(),
                message: format!("no part with code `{}`", s.part_code),
            });
        }
        if w.is_none() {
            problems.push(Problem {
                row: *n,
                column: "warehouse".into(),
                message: format!("no warehouse with code `{}`", s.warehouse),
            });
        }
        if let (Some(p), Some(w)) = (p, w) {
            resolved.push((*n, *p, *w, s.on_hand));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(super::located(&file, problems));
    }
    let now = app.now();
    let mut report = ImportReport {
        rows: good.len(),
        dry_run: imp.dry_run,
        ..Default::default()
    };
    let tx = app.store.begin().await?;
    let cause = MoveCause {
        actor_id: actor.user_ref(),
        ..Default::default()
    };
    for (n, p, w, counted) in resolved {
        let before = row(&tx, p, w, now).await?;
        if counted < before.reserved {
            problems.push(Problem {
                row: n,
                column: "on_hand".into(),
                message: format!(
                    "{counted} is less than the {} reserved on tickets",
                    before.reserved
                ),
            });
            continue;
        }
        let delta = counted - before.on_hand;
        if delta != 0 {
            shift(&tx, p, w, delta, 0, now).await?;
            record(
                &tx,
                p,
                w,
                "count",
                delta,
                0,
                &format!("盘点 / count: {file}"),
                &cause,
                now,
            )
            .await?;
            report.updated += 1;
        }
    }
    if !problems.is_empty() {
        tx.rollback().await?;
        return Err(super::located(&file, problems));
    }
    progress(good.len() as u64, good.len() as u64);
    super::finish(tx, actor, "stock", &file, &report, now).await?;
    Ok(report)
}
