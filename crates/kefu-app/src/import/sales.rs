//! Customers' people and sales from the ERP (`customer.write`): contacts (a known mail address,
//! else phone, else name under the same customer is updated) and orders (one row per line; rows
//! with the same order number are one order; a known order number has its header updated and
//! its lines replaced). All or nothing.

use std::collections::HashMap;

use kefu_domain::access::{Actor, Permission};
use kefu_domain::import::{
    ContactField, OrderField, OrderLineRow, Problem, parse_contact_rows, parse_order_rows,
};
use kefu_store::entity::{contact, order, order_line, product};
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{AssetImport, CustomerIndex, ImportReport};
use crate::{App, AppError, require};

/// An order line checked against customers and products: sheet row, the line, product,
/// description.
type Line = (usize, OrderLineRow, Option<Uuid>, String);

fn problem(row: usize, column: &str, message: String) -> Problem {
    Problem {
        row,
        column: column.into(),
        message,
    }
}

/// Imports contacts: `customer` (code or exact name) and `name` required; `phone`, `email`,
/// `title`, `primary` (是/否).
pub async fn import_contacts(
    app: &App,
    actor: &Actor,
    mut imp: AssetImport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, AppError> {
    require(actor, Permission::CustomerWrite)?;
    let file = imp.file_name.clone();
    let (rows, h, columns) = super::columns::<ContactField>(&mut imp).await?;
    let (good, mut problems) = parse_contact_rows(&rows[h + 1..], &columns, h + 2);
    let db = app.store.conn();
    let customers = CustomerIndex::load(db).await?;
    let mut resolved = Vec::with_capacity(good.len());
    for (n, c) in good {
        match customers.resolve(&c.customer) {
            Ok(id) => resolved.push((n, id, c)),
            Err(m) => problems.push(problem(n, "customer", m)),
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(super::located(&file, problems));
    }
    let ids: Vec<Uuid> = resolved.iter().map(|r| r.1).collect();
    let mut existing: HashMap<(Uuid, String), Uuid> = HashMap::new();
    for chunk in ids.chunks(500) {
        for c in contact::Entity::find()
            .filter(contact::Column::CustomerId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            for k in [c.email.clone(), c.phone.clone(), Some(c.name.clone())]
                .into_iter()
                .flatten()
            {
                existing
                    .entry((c.customer_id, k.to_lowercase()))
                    .or_insert(c.id);
            }
        }
    }
    let now = app.now();
    let mut report = ImportReport {
        rows: resolved.len(),
        dry_run: imp.dry_run,
        ..Default::default()
    };
    let tx = app.store.begin().await?;
    for (_, customer_id, c) in &resolved {
        let who = c
            .email
            .clone()
            .or(c.phone.clone())
            .unwrap_or(c.name.clone());
        if c.primary {
            // One main contact per customer.
            contact::Entity::update_many()
                .col_expr(contact::Column::IsPrimary, Expr::value(false))
                .filter(contact::Column::CustomerId.eq(*customer_id))
                .exec(&tx)
                .await?;
        }
        match existing.get(&(*customer_id, who.to_lowercase())) {
            Some(id) => {
                let mut q = contact::Entity::update_many()
                    .col_expr(contact::Column::Name, Expr::value(c.name.clone()))
                    .col_expr(contact::Column::UpdatedAt, Expr::value(now));
                for (col, v) in [
                    (contact::Column::Phone, &c.phone),
                    (contact::Column::Email, &c.email),
                    (contact::Column::Title, &c.title),
                ] {
                    if let Some(v) = v {
                        q = q.col_expr(col, Expr::value(v.clone()));
                    }
                }
                if c.primary {
                    q = q.col_expr(contact::Column::IsPrimary, Expr::value(true));
                }
                q.filter(contact::Column::Id.eq(*id)).exec(&tx).await?;
                report.updated += 1;
            }
            None => {
                contact::Entity::insert(contact::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    customer_id: Set(*customer_id),
                    name: Set(c.name.clone()),
                    email: Set(c.email.clone()),
                    phone: Set(c.phone.clone()),
                    wechat_openid: Set(None),
                    title: Set(c.title.clone()),
                    is_primary: Set(c.primary),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(&tx)
                .await?;
                report.created += 1;
            }
        }
    }
    progress(resolved.len() as u64, resolved.len() as u64);
    super::finish(tx, actor, "contacts", &file, &report, now).await?;
    Ok(report)
}

/// Imports orders, one row per line: `order_no`, `customer`, `order_date` required; `status`
/// (default `completed`), `product_code`, `description`, `quantity` (default 1), `unit_price`
/// (yuan). The lines of one order must name the same customer.
pub async fn import_orders(
    app: &App,
    actor: &Actor,
    mut imp: AssetImport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, AppError> {
    require(actor, Permission::CustomerWrite)?;
    let file = imp.file_name.clone();
    let (rows, h, columns) = super::columns::<OrderField>(&mut imp).await?;
    let (good, mut problems) = parse_order_rows(&rows[h + 1..], &columns, h + 2);
    let db = app.store.conn();
    let customers = CustomerIndex::load(db).await?;
    let products: HashMap<String, (Uuid, String)> = product::Entity::find()
        .select_only()
        .column(product::Column::Code)
        .column(product::Column::Id)
        .column(product::Column::Name)
        .into_tuple::<(String, Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(c, i, n)| (c.to_lowercase(), (i, n)))
        .collect();
    // Orders in first-appearance order, their lines in file order.
    let mut orders: Vec<(String, Uuid, Vec<Line>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (n, l) in good {
        let customer = match customers.resolve(&l.customer) {
            Ok(id) => id,
            Err(m) => {
                problems.push(problem(n, "customer", m));
                continue;
            }
        };
        let (product_id, name) = match &l.product_code {
            Some(code) => match products.get(&code.to_lowercase()) {
                Some((id, name)) => (Some(*id), name.clone()),
                None => {
                    problems.push(problem(
                        n,
                        "product_code",
                        format!("no product with code `{code}`"),
                    ));
                    continue;
                }
            },
            None => (None, String::new()),
        };
        let description = l.description.clone().unwrap_or(name);
        if description.is_empty() {
            problems.push(problem(
                n,
                "description",
                "give a product code or a description".into(),
            ));
            continue;
        }
        let i = *index.entry(l.order_no.clone()).or_insert_with(|| {
            orders.push((l.order_no.clone(), customer, Vec::new()));
            orders.len() - 1
        });
        if orders[i].1 != customer {
            problems.push(problem(
                n,
                "customer",
                format!(
                    "order `{}` is for another customer on an earlier row",
                    l.order_no
                ),
            ));
            continue;
        }
        orders[i].2.push((n, l, product_id, description));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(super::located(&file, problems));
    }
    let numbers: Vec<String> = orders.iter().map(|o| o.0.clone()).collect();
    let mut known: HashMap<String, Uuid> = HashMap::new();
    for chunk in numbers.chunks(500) {
        let found: Vec<(String, Uuid)> = order::Entity::find()
            .select_only()
            .column(order::Column::OrderNo)
            .column(order::Column::Id)
            .filter(order::Column::OrderNo.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        known.extend(found);
    }
    let now = app.now();
    let mut report = ImportReport {
        rows: orders.iter().map(|o| o.2.len()).sum(),
        dry_run: imp.dry_run,
        ..Default::default()
    };
    let tx = app.store.begin().await?;
    for (order_no, customer_id, lines) in &orders {
        let first = &lines[0].1;
        let total: i64 = lines.iter().map(|l| l.1.quantity * l.1.unit_price).sum();
        let status = first.status.clone().unwrap_or_else(|| "completed".into());
        let id = match known.get(order_no) {
            Some(id) => {
                order::Entity::update_many()
                    .col_expr(order::Column::CustomerId, Expr::value(*customer_id))
                    .col_expr(order::Column::OrderDate, Expr::value(first.order_date))
                    .col_expr(order::Column::Status, Expr::value(status))
                    .col_expr(order::Column::TotalCents, Expr::value(total))
                    .filter(order::Column::Id.eq(*id))
                    .exec(&tx)
                    .await?;
                order_line::Entity::delete_many()
                    .filter(order_line::Column::OrderId.eq(*id))
                    .exec(&tx)
                    .await?;
                report.updated += 1;
                *id
            }
            None => {
                let id = Uuid::now_v7();
                order::Entity::insert(order::ActiveModel {
                    id: Set(id),
                    customer_id: Set(*customer_id),
                    order_no: Set(order_no.clone()),
                    order_date: Set(first.order_date),
                    status: Set(status),
                    currency: Set("CNY".into()),
                    total_cents: Set(total),
                    created_at: Set(now),
                })
                .exec_without_returning(&tx)
                .await?;
                report.created += 1;
                id
            }
        };
        let rows: Vec<order_line::ActiveModel> = lines
            .iter()
            .enumerate()
            .map(
                |(i, (_, l, product_id, description))| order_line::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    order_id: Set(id),
                    line_no: Set(i as i32 + 1),
                    product_id: Set(*product_id),
                    description: Set(description.clone()),
                    quantity: Set(l.quantity as i32),
                    unit_price_cents: Set(l.unit_price),
                },
            )
            .collect();
        order_line::Entity::insert_many(rows)
            .exec_without_returning(&tx)
            .await?;
    }
    progress(orders.len() as u64, orders.len() as u64);
    super::finish(tx, actor, "orders", &file, &report, now).await?;
    Ok(report)
}
