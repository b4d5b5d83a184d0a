//! Lists as files for Excel: CSV (UTF-8 with a BOM, so Excel on Chinese Windows reads it
//! right; cells that Excel would run as formulas are quoted as text) or XLSX. Tickets follow
//! the caller's filters and rights; at most [`MAX_ROWS`] rows per file.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{asset, customer};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

mod catalog;

pub use catalog::{
    export_contacts, export_maintenance_plans, export_orders, export_parts, export_price_items,
    export_products,
};

use crate::tickets::TicketListQuery;
use crate::{App, AppError, require};

/// Most rows in one file (a bigger export is narrowed by filters, or taken through the API).
pub const MAX_ROWS: usize = 100_000;

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV, UTF-8 with BOM.
    Csv,
    /// Excel workbook.
    Xlsx,
}

impl Format {
    /// `csv` or `xlsx`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// A file to send.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// Download name.
    pub file_name: String,
    /// MIME type.
    pub content_type: &'static str,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// A cell Excel would take for a formula (`=`, `+`, `-`, `@`, tab, CR) is written as text.
fn defused(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// A table as a file named `<stem>.<ext>`.
pub fn table_file(
    stem: &str,
    format: Format,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<ExportFile, AppError> {
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
            w.write_record(&header).map_err(anyhow::Error::from)?;
            for r in rows {
                w.write_record(r.iter().map(|c| defused(c).into_owned()))
                    .map_err(anyhow::Error::from)?;
            }
            let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(ExportFile {
                file_name: format!("{stem}.csv"),
                content_type: "text/csv; charset=utf-8",
                bytes,
            })
        }
        Format::Xlsx => Ok(ExportFile {
            file_name: format!("{stem}.xlsx"),
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes: crate::sheets::write_xlsx(stem, &header, rows, &[])
                .map_err(AppError::Internal)?,
        }),
    }
}

fn local(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        t.with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

/// Customers' names, or (`prefer_code`, as imports name customers) their codes where they have
/// one.
async fn customer_names(
    app: &App,
    ids: impl Iterator<Item = Uuid>,
    prefer_code: bool,
) -> Result<HashMap<Uuid, String>, AppError> {
    let ids: Vec<Uuid> = ids
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(1000) {
        let rows: Vec<(Uuid, Option<String>, String)> = customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .column(customer::Column::Code)
            .column(customer::Column::Name)
            .filter(customer::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(app.store.conn())
            .await?;
        out.extend(
            rows.into_iter()
                .map(|(id, code, name)| (id, code.filter(|_| prefer_code).unwrap_or(name))),
        );
    }
    Ok(out)
}

/// The tickets `q` lists for `actor` (every page), as a file.
pub async fn export_tickets(
    app: &App,
    actor: &Actor,
    mut q: TicketListQuery,
    format: Format,
) -> Result<ExportFile, AppError> {
    require(actor, Permission::TicketRead)?;
    q.cursor = None;
    q.limit = Some(200);
    let mut tickets = Vec::new();
    loop {
        let page = crate::tickets::list_tickets(app, actor, q.clone()).await?;
        tickets.extend(page.items);
        match page.next_cursor {
            Some(c) if tickets.len() < MAX_ROWS => q.cursor = Some(c),
            _ => break,
        }
    }
    tickets.truncate(MAX_ROWS);
    let customers =
        customer_names(app, tickets.iter().filter_map(|t| t.customer_id), false).await?;
    let staff: HashMap<Uuid, String> = if actor.role.is_staff() {
        crate::users::staff_directory(app, actor)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect()
    } else {
        HashMap::new()
    };
    let rows: Vec<Vec<String>> = tickets
        .iter()
        .map(|t| {
            vec![
                t.number.clone(),
                t.subject.clone(),
                t.kind.clone(),
                t.priority.clone(),
                t.status.clone(),
                t.channel.clone(),
                t.customer_id
                    .and_then(|c| customers.get(&c).cloned())
                    .unwrap_or_default(),
                t.assignee_id
                    .and_then(|a| staff.get(&a).cloned())
                    .unwrap_or_default(),
                t.tags.join(", "),
                local(Some(t.created_at)),
                local(t.first_responded_at),
                local(t.resolved_at),
            ]
        })
        .collect();
    table_file(
        "tickets",
        format,
        &[
            "编号 number",
            "主题 subject",
            "类型 type",
            "优先级 priority",
            "状态 status",
            "渠道 channel",
            "客户 customer",
            "处理人 assignee",
            "标签 tags",
            "创建时间 created",
            "首次响应 first response",
            "解决时间 resolved",
        ],
        &rows,
    )
}

/// Every asset (staff), by serial number, with its customer and dates — the columns
/// `kefu import assets` reads back.
pub async fn export_assets(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    require(actor, Permission::CustomerRead)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let assets = asset::Entity::find()
        .order_by_asc(asset::Column::SerialNumber)
        .limit(MAX_ROWS as u64)
        .all(app.store.conn())
        .await?;
    let labels = customer_names(app, assets.iter().map(|a| a.customer_id), true).await?;
    let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = assets
        .into_iter()
        .map(|a| {
            vec![
                labels.get(&a.customer_id).cloned().unwrap_or_default(),
                a.serial_number,
                a.product_name,
                d(a.install_date),
                d(a.warranty_end),
                d(a.contract_end),
                a.site_address.unwrap_or_default(),
            ]
        })
        .collect();
    table_file(
        "assets",
        format,
        &[
            "客户 customer",
            "序列号 serial_number",
            "型号 product_name",
            "安装日期 install_date",
            "保修截止 warranty_end",
            "合同截止 contract_end",
            "安装地址 site_address",
        ],
        &rows,
    )
}

/// Stock per part and warehouse (staff).
pub async fn export_stock(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    let rows: Vec<Vec<String>> = crate::parts::stock_levels(app, actor, None, None)
        .await?
        .into_iter()
        .map(|s| {
            vec![
                s.part_code,
                s.part_name,
                s.warehouse_code,
                s.on_hand.to_string(),
                s.reserved.to_string(),
                s.available.to_string(),
            ]
        })
        .collect();
    table_file(
        "stock",
        format,
        &[
            "备件编码 part",
            "名称 name",
            "仓库 warehouse",
            "在库 on_hand",
            "已预留 reserved",
            "可用 available",
        ],
        &rows,
    )
}

/// Every customer (staff), by code then name — the columns the customer import reads back.
pub async fn export_customers(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    require(actor, Permission::CustomerRead)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let list = customer::Entity::find()
        .order_by_asc(customer::Column::Code)
        .order_by_asc(customer::Column::Name)
        .limit(MAX_ROWS as u64)
        .all(app.store.conn())
        .await?;
    let rows: Vec<Vec<String>> = list
        .into_iter()
        .map(|c| {
            vec![
                c.code.unwrap_or_default(),
                c.name,
                c.kind,
                c.tier,
                c.region.unwrap_or_default(),
                c.address.unwrap_or_default(),
                c.phone.unwrap_or_default(),
                c.email.unwrap_or_default(),
                c.lifecycle,
            ]
        })
        .collect();
    table_file(
        "customers",
        format,
        &[
            "客户编码 code",
            "客户名称 name",
            "类型 kind",
            "等级 tier",
            "地区 region",
            "地址 address",
            "电话 phone",
            "邮箱 email",
            "生命周期 lifecycle",
        ],
        &rows,
    )
}

/// Purchase requests (staff), newest first, with what arrived and how many tickets wait.
pub async fn export_purchase_requests(
    app: &App,
    actor: &Actor,
    format: Format,
) -> Result<ExportFile, AppError> {
    let rows: Vec<Vec<String>> = crate::parts::list_purchase_requests(app, actor, None)
        .await?
        .into_iter()
        .map(|p| {
            vec![
                p.number,
                p.part_code,
                p.quantity.to_string(),
                p.received.to_string(),
                p.needed_by.map(|d| d.to_string()).unwrap_or_default(),
                p.status,
                p.ticket_ids.len().to_string(),
                local(Some(p.created_at)),
            ]
        })
        .collect();
    table_file(
        "purchase-requests",
        format,
        &[
            "编号 number",
            "备件 part",
            "数量 quantity",
            "已到货 received",
            "需求日期 needed_by",
            "状态 status",
            "等待工单 tickets",
            "创建 created",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_bom_and_formulas_are_text() {
        let f = table_file(
            "t",
            Format::Csv,
            &["a", "b"],
            &[vec!["=HYPERLINK(\"x\")".into(), "打印机, 卡纸".into()]],
        )
        .unwrap();
        assert!(f.bytes.starts_with(b"\xef\xbb\xbf"));
        let text = String::from_utf8(f.bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "a,b\n\"'=HYPERLINK(\"\"x\"\")\",\"打印机, 卡纸\"\n");
        let back = crate::import::read_table("t.csv", f.bytes).unwrap();
        assert_eq!(back[1][1], "打印机, 卡纸");
    }

    #[test]
    fn xlsx_reads_back() {
        let f = table_file("t", Format::Xlsx, &["a"], &[vec!["1".into()]]).unwrap();
        assert_eq!(crate::sheets::read_xlsx(f.bytes).unwrap()[1], ["1"]);
    }
}
