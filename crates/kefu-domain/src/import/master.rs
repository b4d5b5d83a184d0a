//! The ERP's catalogue and stock from a spreadsheet: parts (code, name, unit, price), stock
//! counts per part and warehouse (the counted quantity replaces what is on hand), and products
//! (model code, name, category, warranty months). Each row is checked cell by cell; a key
//! (part code, part + warehouse, product code) only once per file.

use std::collections::HashMap;

use super::{Column, MAX_CELL, Problem, problem};
use crate::charges::parse_yuan;

/// The cells of one data row by field (blank cells left out), or the row's problems.
fn cells<F: Column + std::hash::Hash + Eq>(
    row: &[String],
    columns: &[Option<F>],
    n: usize,
    problems: &mut Vec<Problem>,
) -> Option<HashMap<F, String>> {
    if row.iter().all(|c| c.trim().is_empty()) {
        return None;
    }
    let before = problems.len();
    let mut out = HashMap::new();
    for (cell, field) in row.iter().zip(columns) {
        let Some(f) = field else { continue };
        let v = cell.trim();
        if v.chars().count() > MAX_CELL {
            problems.push(problem(
                n,
                f.key(),
                format!("at most {MAX_CELL} characters"),
            ));
        } else if !v.is_empty() {
            out.insert(*f, v.to_owned());
        }
    }
    for f in F::all().iter().copied().filter(|f| f.required()) {
        if !out.contains_key(&f) {
            problems.push(problem(n, f.key(), "required"));
        }
    }
    (problems.len() == before).then_some(out)
}

/// A whole number cell in `lo..=hi`.
fn number(
    v: Option<&String>,
    field: &str,
    lo: i64,
    hi: i64,
    n: usize,
    p: &mut Vec<Problem>,
) -> Option<i64> {
    let v = v?;
    // Excel writes whole numbers from formulas as `12.0`.
    let x = v
        .trim_end_matches(".0")
        .replace(',', "")
        .parse::<i64>()
        .ok();
    match x {
        Some(x) if (lo..=hi).contains(&x) => Some(x),
        _ => {
            p.push(problem(
                n,
                field,
                format!("`{v}` is not a whole number from {lo} to {hi}"),
            ));
            None
        }
    }
}

macro_rules! fields {
    ($name:ident { $($v:ident => $key:literal, [$($alias:literal),*], $req:literal;)* }) => {
        /// A field of this import.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $(#[allow(missing_docs)] $v),* }

        impl Column for $name {
            fn all() -> &'static [Self] {
                &[$($name::$v),*]
            }
            fn key(self) -> &'static str {
                match self { $($name::$v => $key),* }
            }
            fn aliases(self) -> &'static [&'static str] {
                match self { $($name::$v => &[$($alias),*]),* }
            }
            fn required(self) -> bool {
                match self { $($name::$v => $req),* }
            }
        }
    };
}

fields!(PartField {
    Code => "code", ["备件编码", "物料编码", "料号", "编码", "part code", "part number"], true;
    Name => "name", ["备件名称", "物料名称", "名称", "part name"], true;
    Unit => "unit", ["单位", "计量单位"], false;
    UnitPrice => "unit_price", ["单价", "价格", "price"], false;
    ExternalId => "external_id", ["erp id", "erp编号", "外部编号"], false;
});

fields!(StockField {
    PartCode => "part_code", ["备件编码", "物料编码", "料号", "part", "备件"], true;
    Warehouse => "warehouse", ["仓库", "仓库编码", "warehouse code"], true;
    OnHand => "on_hand", ["库存", "数量", "盘点数量", "在库", "quantity", "qty"], true;
});

fields!(ProductField {
    Code => "code", ["产品编码", "型号编码", "物料编码", "product code", "model code"], true;
    Name => "name", ["产品名称", "型号", "名称", "product name", "model"], true;
    Category => "category", ["类别", "产品类别", "分类"], false;
    WarrantyMonths => "warranty_months", ["保修月数", "保修期", "保修期(月)", "warranty"], false;
});

fields!(ContactField {
    Customer => "customer", ["客户", "客户编码", "客户名称", "公司", "company"], true;
    Name => "name", ["联系人", "姓名", "contact", "contact name"], true;
    Phone => "phone", ["电话", "手机", "手机号", "mobile"], false;
    Email => "email", ["邮箱", "电子邮件", "e-mail", "mail"], false;
    Title => "title", ["职务", "职位", "job title"], false;
    Primary => "primary", ["主要联系人", "首要联系人", "is primary"], false;
});

fields!(OrderField {
    OrderNo => "order_no", ["订单号", "订单编号", "销售单号", "order", "order number"], true;
    Customer => "customer", ["客户", "客户编码", "客户名称"], true;
    OrderDate => "order_date", ["订单日期", "下单日期", "日期", "date"], true;
    Status => "status", ["订单状态", "状态"], false;
    ProductCode => "product_code", ["产品编码", "物料编码", "型号编码"], false;
    Description => "description", ["品名", "产品名称", "描述", "item"], false;
    Quantity => "quantity", ["数量", "qty"], false;
    UnitPrice => "unit_price", ["单价", "价格", "price"], false;
});

/// A contact row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    /// Customer code or exact name.
    pub customer: String,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Mail address.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// The customer's main contact.
    pub primary: bool,
}

/// One line of an order (rows with the same order number are one order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLineRow {
    /// Order number.
    pub order_no: String,
    /// Customer code or exact name.
    pub customer: String,
    /// Order date.
    pub order_date: chrono::NaiveDate,
    /// Status as written (default `completed`).
    pub status: Option<String>,
    /// Product code.
    pub product_code: Option<String>,
    /// What was sold.
    pub description: Option<String>,
    /// Units.
    pub quantity: i64,
    /// Price per unit in fen.
    pub unit_price: i64,
}

/// A yes/no cell (`是`, `否`, `yes`, `1`, `true`, `Y`, `×`).
fn yes(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "是" | "yes" | "y" | "true" | "1" | "√" | "✓" => Some(true),
        "否" | "no" | "n" | "false" | "0" | "×" | "" => Some(false),
        _ => None,
    }
}

/// Checks contact rows (one person per customer and mail address, or phone, or name).
pub fn parse_contact_rows(
    rows: &[Vec<String>],
    columns: &[Option<ContactField>],
    first_row: usize,
) -> (Vec<(usize, ContactRow)>, Vec<Problem>) {
    rows_of(rows, columns, first_row, "name", |c, n, p| {
        let email = c.get(&ContactField::Email).cloned();
        if let Some(e) = &email
            && (!e.contains('@') || e.contains(char::is_whitespace))
        {
            p.push(problem(n, "email", format!("`{e}` is not a mail address")));
        }
        let primary = match c.get(&ContactField::Primary) {
            None => false,
            Some(v) => yes(v).unwrap_or_else(|| {
                p.push(problem(n, "primary", format!("`{v}`: 是 or 否")));
                false
            }),
        };
        let customer = c.get(&ContactField::Customer)?.clone();
        let name = c.get(&ContactField::Name)?.clone();
        let phone = c.get(&ContactField::Phone).cloned();
        let who = email.clone().or(phone.clone()).unwrap_or(name.clone());
        Some((
            format!("{customer} / {who}"),
            ContactRow {
                customer,
                name,
                phone,
                email,
                title: c.get(&ContactField::Title).cloned(),
                primary,
            },
        ))
    })
}

/// Checks order lines.
pub fn parse_order_rows(
    rows: &[Vec<String>],
    columns: &[Option<OrderField>],
    first_row: usize,
) -> (Vec<(usize, OrderLineRow)>, Vec<Problem>) {
    rows_of(rows, columns, first_row, "order_no", |c, n, p| {
        let date = c.get(&OrderField::OrderDate).and_then(|v| {
            let d = super::parse_date(v);
            if d.is_none() {
                p.push(problem(
                    n,
                    "order_date",
                    format!("`{v}` is not a date (2026-11-05)"),
                ));
            }
            d
        });
        let quantity = match c.get(&OrderField::Quantity) {
            None => Some(1),
            v => number(v, "quantity", 1, 1_000_000, n, p),
        };
        let unit_price = match c.get(&OrderField::UnitPrice) {
            None => Some(0),
            Some(v) => {
                let x = parse_yuan(v);
                if x.is_none() {
                    p.push(problem(
                        n,
                        "unit_price",
                        format!("`{v}` is not a price in yuan (88.50)"),
                    ));
                }
                x
            }
        };
        let order_no = c.get(&OrderField::OrderNo)?.clone();
        Some((
            format!("{order_no}#{n}"),
            OrderLineRow {
                order_no,
                customer: c.get(&OrderField::Customer)?.clone(),
                order_date: date?,
                status: c.get(&OrderField::Status).cloned(),
                product_code: c.get(&OrderField::ProductCode).cloned(),
                description: c.get(&OrderField::Description).cloned(),
                quantity: quantity?,
                unit_price: unit_price?,
            },
        ))
    })
}

/// A part row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRow {
    /// Code (the key).
    pub code: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: Option<String>,
    /// Price in fen.
    pub unit_price: Option<i64>,
    /// ERP id.
    pub external_id: Option<String>,
}

/// A stock count row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    /// Part code.
    pub part_code: String,
    /// Warehouse code.
    pub warehouse: String,
    /// Counted quantity.
    pub on_hand: i64,
}

/// A product row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    /// Code (the key).
    pub code: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: Option<String>,
    /// Warranty months.
    pub warranty_months: Option<i32>,
}

/// Checks every row with `one` and refuses a key seen on an earlier row.
fn rows_of<F: Column + std::hash::Hash + Eq, T>(
    rows: &[Vec<String>],
    columns: &[Option<F>],
    first_row: usize,
    key_field: &str,
    one: impl Fn(&HashMap<F, String>, usize, &mut Vec<Problem>) -> Option<(String, T)>,
) -> (Vec<(usize, T)>, Vec<Problem>) {
    let mut good = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let n = first_row + i;
        let Some(c) = cells(row, columns, n, &mut problems) else {
            continue;
        };
        let before = problems.len();
        let Some((key, t)) = one(&c, n, &mut problems) else {
            continue;
        };
        if let Some(first) = seen.insert(key.to_lowercase(), n) {
            problems.push(problem(
                n,
                key_field,
                format!("`{key}` is also on row {first}"),
            ));
        } else if problems.len() == before {
            good.push((n, t));
        }
    }
    (good, problems)
}

/// Checks part rows.
pub fn parse_part_rows(
    rows: &[Vec<String>],
    columns: &[Option<PartField>],
    first_row: usize,
) -> (Vec<(usize, PartRow)>, Vec<Problem>) {
    rows_of(rows, columns, first_row, "code", |c, n, p| {
        let unit_price = c.get(&PartField::UnitPrice).and_then(|v| {
            let x = parse_yuan(v);
            if x.is_none() {
                p.push(problem(
                    n,
                    "unit_price",
                    format!("`{v}` is not a price in yuan (88.50)"),
                ));
            }
            x
        });
        let unit = c.get(&PartField::Unit).cloned();
        if unit.as_ref().is_some_and(|u| u.chars().count() > 10) {
            p.push(problem(n, "unit", "at most 10 characters"));
        }
        let code = c.get(&PartField::Code)?.clone();
        Some((
            code.clone(),
            PartRow {
                code,
                name: c.get(&PartField::Name)?.clone(),
                unit,
                unit_price,
                external_id: c.get(&PartField::ExternalId).cloned(),
            },
        ))
    })
}

/// Checks stock count rows (a part and warehouse once per file).
pub fn parse_stock_rows(
    rows: &[Vec<String>],
    columns: &[Option<StockField>],
    first_row: usize,
) -> (Vec<(usize, StockRow)>, Vec<Problem>) {
    rows_of(rows, columns, first_row, "part_code", |c, n, p| {
        let on_hand = number(
            c.get(&StockField::OnHand),
            "on_hand",
            0,
            1_000_000_000,
            n,
            p,
        )?;
        let part_code = c.get(&StockField::PartCode)?.clone();
        let warehouse = c.get(&StockField::Warehouse)?.clone();
        Some((
            format!("{part_code} @ {warehouse}"),
            StockRow {
                part_code,
                warehouse,
                on_hand,
            },
        ))
    })
}

/// Checks product rows.
pub fn parse_product_rows(
    rows: &[Vec<String>],
    columns: &[Option<ProductField>],
    first_row: usize,
) -> (Vec<(usize, ProductRow)>, Vec<Problem>) {
    rows_of(rows, columns, first_row, "code", |c, n, p| {
        let months = c
            .get(&ProductField::WarrantyMonths)
            .map(|v| number(Some(v), "warranty_months", 0, 240, n, p).map(|x| x as i32));
        if months == Some(None) {
            return None;
        }
        let code = c.get(&ProductField::Code)?.clone();
        Some((
            code.clone(),
            ProductRow {
                code,
                name: c.get(&ProductField::Name)?.clone(),
                category: c.get(&ProductField::Category).cloned(),
                warranty_months: months.flatten(),
            },
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::super::map_columns;
    use super::*;

    fn header<F: Column>(h: &[&str]) -> Vec<Option<F>> {
        let h: Vec<String> = h.iter().map(|s| s.to_string()).collect();
        map_columns::<F>(&h, 1, &HashMap::new()).unwrap()
    }

    fn rows(r: &[&[&str]]) -> Vec<Vec<String>> {
        r.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn parts_with_prices_in_yuan_and_each_code_once() {
        let c = header::<PartField>(&["物料编码", "物料名称", "单位", "单价"]);
        let (good, p) = parse_part_rows(
            &rows(&[
                &["FU-220", "定影组件", "套", "¥1,280.50"],
                &["fu-220", "重复", "", ""],
                &["", "无编码", "", "abc"],
                &["LD-40", "激光头", "", ""],
            ]),
            &c,
            2,
        );
        assert_eq!(good.len(), 2);
        assert_eq!(good[0].1.unit_price, Some(128_050));
        let got: Vec<(usize, &str)> = p.iter().map(|p| (p.row, p.column.as_str())).collect();
        assert_eq!(got, [(3, "code"), (4, "code")]);
    }

    #[test]
    fn stock_counts_are_whole_and_once_per_warehouse() {
        let c = header::<StockField>(&["料号", "仓库", "盘点数量"]);
        let (good, p) = parse_stock_rows(
            &rows(&[
                &["FU-220", "SH", "12"],
                &["FU-220", "BJ", "3.0"],
                &["FU-220", "SH", "1"],
                &["LD-40", "SH", "-1"],
                &["LD-40", "BJ", "2.5"],
            ]),
            &c,
            2,
        );
        assert_eq!(
            good.iter().map(|g| g.1.on_hand).collect::<Vec<_>>(),
            [12, 3]
        );
        let got: Vec<(usize, &str)> = p.iter().map(|p| (p.row, p.column.as_str())).collect();
        assert_eq!(got, [(4, "part_code"), (5, "on_hand"), (6, "on_hand")]);
    }

    #[test]
    fn contacts_once_per_customer_and_address() {
        let c = header::<ContactField>(&["客户编码", "联系人", "邮箱", "主要联系人"]);
        let (good, p) = parse_contact_rows(
            &rows(&[
                &["C001", "王工", "wang@jg.cn", "是"],
                &["C001", "王工", "WANG@jg.cn", ""],
                &["C001", "李工", "li at jg", "maybe"],
            ]),
            &c,
            2,
        );
        assert_eq!(good.len(), 1);
        assert!(good[0].1.primary);
        let got: Vec<(usize, &str)> = p.iter().map(|p| (p.row, p.column.as_str())).collect();
        assert_eq!(got, [(3, "name"), (4, "email"), (4, "primary")]);
    }

    #[test]
    fn order_lines_with_dates_quantities_and_prices() {
        let c = header::<OrderField>(&["订单号", "客户", "订单日期", "产品编码", "数量", "单价"]);
        let (good, p) = parse_order_rows(
            &rows(&[
                &["SO-1", "C001", "2026/3/5", "AC-900", "2", "12,800"],
                &["SO-1", "C001", "2026/3/5", "FLT-01", "", ""],
                &["SO-2", "C001", "yesterday", "", "0", "x"],
            ]),
            &c,
            2,
        );
        assert_eq!(good.len(), 2);
        assert_eq!((good[0].1.quantity, good[0].1.unit_price), (2, 1_280_000));
        assert_eq!((good[1].1.quantity, good[1].1.unit_price), (1, 0));
        let got: Vec<&str> = p.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(got, ["order_date", "quantity", "unit_price"]);
    }

    #[test]
    fn products_with_warranty_months() {
        let c = header::<ProductField>(&["产品编码", "产品名称", "保修月数"]);
        let (good, p) = parse_product_rows(
            &rows(&[&["AC-900", "空压机", "24"], &["AC-901", "x", "forever"]]),
            &c,
            2,
        );
        assert_eq!(good[0].1.warranty_months, Some(24));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].column, "warranty_months");
    }
}
