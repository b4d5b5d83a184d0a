//! Installed equipment from a spreadsheet: each row's customer found by code or exact name,
//! its product by code, and its serial number either new (inserted) or known (updated), all in
//! one transaction, in batches.

use std::collections::HashMap;

use kefu_domain::access::{Actor, Permission};
use kefu_domain::import::{AssetRow, Problem, parse_asset_rows};
use kefu_store::entity::{asset, product};
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError, require};

/// Rows per INSERT statement (10 columns each, well under SQLite's parameter limit).
const CHUNK: usize = 1000;

/// An upload to import (assets or customers).
#[derive(Debug, Clone, Default)]
pub struct AssetImport {
    /// File name (`.xlsx` or `.csv`), used in problem locations.
    pub file_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Column header → field key (`序列号` → `serial_number`; empty ignores the column);
    /// columns not mapped are recognised by their header.
    pub mapping: HashMap<String, String>,
    /// Check and roll back.
    pub dry_run: bool,
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    /// New records.
    pub created: usize,
    /// Records updated (known serial numbers).
    pub updated: usize,
    /// Nothing was kept.
    pub dry_run: bool,
}

/// Imports assets (staff who may change customers). `progress(done, total)` after each batch.
pub async fn import_assets(
    app: &App,
    actor: &Actor,
    mut imp: AssetImport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, AppError> {
    require(actor, Permission::CustomerWrite)?;
    let file = imp.file_name.clone();
    let (rows, h, columns) = super::columns(&mut imp).await?;
    let (good, mut problems) = parse_asset_rows(&rows[h + 1..], &columns, h + 2);
    let total_rows = good.len() + {
        let mut bad: Vec<usize> = problems.iter().map(|p| p.row).collect();
        bad.dedup();
        bad.len()
    };

    let db = app.store.conn();
    let customers = super::CustomerIndex::load(db).await?;
    let products: HashMap<String, Uuid> = product::Entity::find()
        .select_only()
        .column(product::Column::Code)
        .column(product::Column::Id)
        .into_tuple::<(String, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut resolved: Vec<(usize, AssetRow, Uuid, Option<Uuid>)> = Vec::with_capacity(good.len());
    for (n, a) in good {
        let cust = match customers.resolve(&a.customer) {
            Ok(id) => Some(id),
            Err(message) => {
                problems.push(Problem {
                    row: n,
                    column: "customer".into(),
                    message,
                });
                None
            }
        };
        let product = match &a.product_code {
            Some(code) => match products.get(code) {
                Some(p) => Some(*p),
                None => {
                    problems.push(Problem {
                        row: n,
                        column: "product_code".into(),
                        message: format!("no product with code `{code}`"),
                    });
                    continue;
                }
            },
            None => None,
        };
        if let Some(c) = cust {
            resolved.push((n, a, c, product));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(super::located(&file, problems));
    }

    // Known serial numbers become updates.
    let mut known: HashMap<String, Uuid> = HashMap::new();
    for chunk in resolved.chunks(CHUNK) {
        let serials: Vec<String> = chunk.iter().map(|r| r.1.serial_number.clone()).collect();
        let found: Vec<(String, Uuid)> = asset::Entity::find()
            .select_only()
            .column(asset::Column::SerialNumber)
            .column(asset::Column::Id)
            .filter(asset::Column::SerialNumber.is_in(serials))
            .into_tuple()
            .all(db)
            .await?;
        known.extend(found);
    }
    let now = app.now();
    let total = resolved.len() as u64;
    let mut report = ImportReport {
        rows: total_rows,
        dry_run: imp.dry_run,
        ..Default::default()
    };
    let tx = app.store.begin().await?;
    let mut done = 0u64;
    for chunk in resolved.chunks(CHUNK) {
        let mut fresh = Vec::with_capacity(chunk.len());
        for (_, a, customer_id, product_id) in chunk {
            match known.get(&a.serial_number) {
                Some(id) => {
                    asset::Entity::update_many()
                        .col_expr(asset::Column::CustomerId, Expr::value(*customer_id))
                        .col_expr(asset::Column::ProductId, Expr::value(*product_id))
                        .col_expr(
                            asset::Column::ProductName,
                            Expr::value(a.product_name.clone()),
                        )
                        .col_expr(asset::Column::InstallDate, Expr::value(a.install_date))
                        .col_expr(asset::Column::WarrantyEnd, Expr::value(a.warranty_end))
                        .col_expr(asset::Column::ContractEnd, Expr::value(a.contract_end))
                        .col_expr(
                            asset::Column::SiteAddress,
                            Expr::value(a.site_address.clone()),
                        )
                        .col_expr(asset::Column::UpdatedAt, Expr::value(now))
                        .filter(asset::Column::Id.eq(*id))
                        .exec(&tx)
                        .await?;
                    report.updated += 1;
                }
                None => {
                    fresh.push(asset::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        customer_id: Set(*customer_id),
                        product_id: Set(*product_id),
                        product_name: Set(a.product_name.clone()),
                        serial_number: Set(a.serial_number.clone()),
                        install_date: Set(a.install_date),
                        warranty_end: Set(a.warranty_end),
                        contract_end: Set(a.contract_end),
                        site_address: Set(a.site_address.clone()),
                        created_at: Set(now),
                        updated_at: Set(now),
                    });
                }
            }
        }
        report.created += fresh.len();
        if !fresh.is_empty() {
            asset::Entity::insert_many(fresh)
                .exec_without_returning(&tx)
                .await?;
        }
        done += chunk.len() as u64;
        progress(done, total);
    }
    super::finish(tx, actor, "assets", &imp.file_name, &report, now).await?;
    Ok(report)
}
