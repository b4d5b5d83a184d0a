//! Customers from a spreadsheet: keyed by code (a known code is updated, a new one created),
//! tier and kind from their Chinese or English names, one transaction in batches.

use std::collections::HashMap;

use kefu_domain::access::{Actor, Permission};
use kefu_domain::import::{CustomerField, parse_customer_rows};
use kefu_store::entity::customer;
use kefu_store::sea_orm::sea_query::{Expr, ExprTrait};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{AssetImport, ImportReport};
use crate::{App, AppError, require};

/// Rows per INSERT statement.
const CHUNK: usize = 1000;

/// Imports customers (staff who may change customers). Columns: 客户编码/code and
/// 客户名称/name required; 类型/kind, 等级/tier, 地区/region, 地址/address, 电话/phone,
/// 邮箱/email. `progress(done, total)` after each batch.
pub async fn import_customers(
    app: &App,
    actor: &Actor,
    mut imp: AssetImport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, AppError> {
    require(actor, Permission::CustomerWrite)?;
    let file = imp.file_name.clone();
    let (rows, h, columns) = super::columns::<CustomerField>(&mut imp).await?;
    let (good, problems) = parse_customer_rows(&rows[h + 1..], &columns, h + 2);
    if !problems.is_empty() {
        return Err(super::located(&file, problems));
    }
    let db = app.store.conn();
    let mut known: HashMap<String, Uuid> = HashMap::new();
    for chunk in good.chunks(CHUNK) {
        let codes: Vec<String> = chunk.iter().map(|r| r.1.code.clone()).collect();
        let found: Vec<(String, Uuid)> = customer::Entity::find()
            .select_only()
            .column(customer::Column::Code)
            .column(customer::Column::Id)
            .filter(customer::Column::Code.is_in(codes))
            .into_tuple()
            .all(db)
            .await?;
        known.extend(found);
    }
    let now = app.now();
    let total = good.len() as u64;
    let mut report = ImportReport {
        rows: good.len(),
        dry_run: imp.dry_run,
        ..Default::default()
    };
    let tx = app.store.begin().await?;
    let mut done = 0u64;
    for chunk in good.chunks(CHUNK) {
        let mut fresh = Vec::new();
        for (_, c) in chunk {
            match known.get(&c.code) {
                Some(id) => {
                    let mut q = customer::Entity::update_many()
                        .col_expr(customer::Column::Name, Expr::value(c.name.clone()))
                        .col_expr(customer::Column::UpdatedAt, Expr::value(now))
                        .col_expr(
                            customer::Column::Version,
                            Expr::col(customer::Column::Version).add(1),
                        );
                    for (col, v) in [
                        (customer::Column::Kind, &c.kind),
                        (customer::Column::Tier, &c.tier),
                        (customer::Column::Region, &c.region),
                        (customer::Column::Address, &c.address),
                        (customer::Column::Phone, &c.phone),
                        (customer::Column::Email, &c.email),
                    ] {
                        // An empty cell keeps what is there.
                        if let Some(v) = v {
                            q = q.col_expr(col, Expr::value(v.clone()));
                        }
                    }
                    q.filter(customer::Column::Id.eq(*id)).exec(&tx).await?;
                    report.updated += 1;
                }
                None => fresh.push(customer::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    kind: Set(c.kind.clone().unwrap_or_else(|| "company".into())),
                    name: Set(c.name.clone()),
                    code: Set(Some(c.code.clone())),
                    tier: Set(c.tier.clone().unwrap_or_else(|| "standard".into())),
                    lifecycle: Set("active".into()),
                    owner_id: Set(None),
                    region: Set(c.region.clone()),
                    address: Set(c.address.clone()),
                    phone: Set(c.phone.clone()),
                    email: Set(c.email.clone()),
                    tags: Set(serde_json::json!([])),
                    custom_fields: Set(serde_json::json!({})),
                    notes: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                }),
            }
        }
        report.created += fresh.len();
        if !fresh.is_empty() {
            customer::Entity::insert_many(fresh)
                .exec_without_returning(&tx)
                .await?;
        }
        done += chunk.len() as u64;
        progress(done, total);
    }
    super::finish(tx, actor, "customers", &imp.file_name, &report, now).await?;
    Ok(report)
}
