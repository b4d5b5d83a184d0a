//! Exports of the catalogue and sales lists, in the columns their imports read back: parts,
//! products, the price list, contacts, orders (one row per line) and maintenance plans.

use kefu_domain::access::{Actor, Permission};
use kefu_domain::charges::yuan;
use kefu_store::entity::{asset, contact, order, order_line, part, product};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{ExportFile, Format, MAX_ROWS, customer_names, table_file};
use crate::{App, AppError, require};

fn staff(actor: &Actor) -> Result<(), AppError> {
    require(actor, Permission::CustomerRead)?;
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("staff only".into()))
    }
}

/// The parts catalogue (staff).
pub async fn export_parts(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    staff(actor)?;
    let rows: Vec<Vec<String>> = part::Entity::find()
        .order_by_asc(part::Column::Code)
        .limit(MAX_ROWS as u64)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|p| {
            vec![
                p.code,
                p.name,
                p.unit,
                yuan(p.unit_price_cents),
                p.external_id.unwrap_or_default(),
                if p.active { "是" } else { "否" }.into(),
            ]
        })
        .collect();
    table_file(
        "parts",
        format,
        &[
            "备件编码 code",
            "名称 name",
            "单位 unit",
            "单价 unit_price",
            "ERP编号 external_id",
            "启用 active",
        ],
        &rows,
    )
}

/// Products with their service BOM as `code×quantity` (staff).
pub async fn export_products(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    let rows: Vec<Vec<String>> = crate::products::list_products(app, actor)
        .await?
        .into_iter()
        .map(|p| {
            vec![
                p.code,
                p.name,
                p.category.unwrap_or_default(),
                p.warranty_months.to_string(),
                p.bom
                    .iter()
                    .map(|b| format!("{}×{}", b.part_code, b.quantity))
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
        })
        .collect();
    table_file(
        "products",
        format,
        &[
            "产品编码 code",
            "名称 name",
            "类别 category",
            "保修月数 warranty_months",
            "服务BOM bom",
        ],
        &rows,
    )
}

/// The price list, inactive entries included (staff).
pub async fn export_price_items(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    let opt = |x: Option<i64>| x.map(yuan).unwrap_or_default();
    let rows: Vec<Vec<String>> = crate::charges::list_price_items(app, actor, true)
        .await?
        .into_iter()
        .map(|p| {
            vec![
                p.code,
                p.name,
                p.kind,
                p.unit,
                yuan(p.unit_price_cents),
                opt(p.vip_price_cents),
                opt(p.strategic_price_cents),
                p.external_id.unwrap_or_default(),
                if p.active { "是" } else { "否" }.into(),
            ]
        })
        .collect();
    table_file(
        "price-list",
        format,
        &[
            "编码 code",
            "名称 name",
            "类别 kind",
            "单位 unit",
            "单价 unit_price",
            "VIP价 vip_price",
            "战略价 strategic_price",
            "ERP编号 external_id",
            "启用 active",
        ],
        &rows,
    )
}

/// Every contact with their customer's code (staff).
pub async fn export_contacts(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    staff(actor)?;
    let list = contact::Entity::find()
        .order_by_asc(contact::Column::CustomerId)
        .order_by_asc(contact::Column::Name)
        .limit(MAX_ROWS as u64)
        .all(app.store.conn())
        .await?;
    let labels = customer_names(app, list.iter().map(|c| c.customer_id), true).await?;
    let rows: Vec<Vec<String>> = list
        .into_iter()
        .map(|c| {
            vec![
                labels.get(&c.customer_id).cloned().unwrap_or_default(),
                c.name,
                c.phone.unwrap_or_default(),
                c.email.unwrap_or_default(),
                c.title.unwrap_or_default(),
                if c.is_primary { "是" } else { "否" }.into(),
            ]
        })
        .collect();
    table_file(
        "contacts",
        format,
        &[
            "客户 customer",
            "联系人 name",
            "电话 phone",
            "邮箱 email",
            "职务 title",
            "主要联系人 primary",
        ],
        &rows,
    )
}

/// Orders, one row per line (staff).
pub async fn export_orders(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    staff(actor)?;
    let db = app.store.conn();
    let orders = order::Entity::find()
        .order_by_desc(order::Column::OrderDate)
        .order_by_asc(order::Column::OrderNo)
        .limit(MAX_ROWS as u64)
        .all(db)
        .await?;
    let labels = customer_names(app, orders.iter().map(|o| o.customer_id), true).await?;
    let ids: Vec<_> = orders.iter().map(|o| o.id).collect();
    let mut lines: std::collections::HashMap<uuid::Uuid, Vec<order_line::Model>> =
        std::collections::HashMap::new();
    for chunk in ids.chunks(1000) {
        for l in order_line::Entity::find()
            .filter(order_line::Column::OrderId.is_in(chunk.to_vec()))
            .order_by_asc(order_line::Column::LineNo)
            .all(db)
            .await?
        {
            lines.entry(l.order_id).or_default().push(l);
        }
    }
    let codes: std::collections::HashMap<uuid::Uuid, String> = product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .column(product::Column::Code)
        .into_tuple::<(uuid::Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut rows = Vec::new();
    for o in orders {
        for l in lines.remove(&o.id).unwrap_or_default() {
            rows.push(vec![
                o.order_no.clone(),
                labels.get(&o.customer_id).cloned().unwrap_or_default(),
                o.order_date.to_string(),
                o.status.clone(),
                l.product_id
                    .and_then(|p| codes.get(&p).cloned())
                    .unwrap_or_default(),
                l.description,
                l.quantity.to_string(),
                yuan(l.unit_price_cents),
            ]);
        }
    }
    table_file(
        "orders",
        format,
        &[
            "订单号 order_no",
            "客户 customer",
            "订单日期 order_date",
            "状态 status",
            "产品编码 product_code",
            "品名 description",
            "数量 quantity",
            "单价 unit_price",
        ],
        &rows,
    )
}

/// Maintenance plans with their asset's serial number and next visit (staff).
pub async fn export_maintenance_plans(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    let plans = crate::maintenance::list_plans(app, actor, None).await?;
    let serials: std::collections::HashMap<uuid::Uuid, String> = asset::Entity::find()
        .select_only()
        .column(asset::Column::Id)
        .column(asset::Column::SerialNumber)
        .filter(asset::Column::Id.is_in(plans.iter().map(|p| p.asset_id).collect::<Vec<_>>()))
        .into_tuple::<(uuid::Uuid, String)>()
        .all(app.store.conn())
        .await?
        .into_iter()
        .collect();
    let rows: Vec<Vec<String>> = plans
        .into_iter()
        .map(|p| {
            vec![
                serials.get(&p.asset_id).cloned().unwrap_or_default(),
                p.name,
                p.interval_months.to_string(),
                p.next_due.to_string(),
                p.next_visit.to_string(),
                p.opens_on.to_string(),
                p.lead_days.to_string(),
                if p.active { "是" } else { "否" }.into(),
            ]
        })
        .collect();
    table_file(
        "maintenance-plans",
        format,
        &[
            "序列号 serial_number",
            "内容 name",
            "间隔月数 interval_months",
            "到期日 next_due",
            "上门日 next_visit",
            "工单生成日 opens_on",
            "提前工作日 lead_days",
            "启用 active",
        ],
        &rows,
    )
}
