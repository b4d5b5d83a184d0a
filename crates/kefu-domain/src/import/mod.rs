//! Importing master data (installed equipment, customers) from a spreadsheet: which column is
//! which field (by header, in Chinese or English, or by an explicit mapping), and each row
//! checked — required cells, dates in the forms people type, warranty not before
//! installation, known codes for tiers and kinds, a key (serial number, customer code) only
//! once per file. Problems name the row (the sheet's own number) and the field.

use std::collections::HashMap;

use chrono::NaiveDate;

mod master;
mod tickets;

pub use master::{
    ContactField, ContactRow, OrderField, OrderLineRow, PartField, PartRow, ProductField,
    ProductRow, StockField, StockRow, parse_contact_rows, parse_order_rows, parse_part_rows,
    parse_product_rows, parse_stock_rows,
};

pub use tickets::{
    Step, TicketField, TicketRow, parse_channel, parse_priority, parse_ticket_rows, parse_time,
    status_of,
};

/// A field of an import: its key, the headers people use for it, whether a row needs it.
pub trait Column: Copy + PartialEq + Sized + 'static {
    /// Every field.
    fn all() -> &'static [Self];
    /// Stable key (`serial_number`), also the English header.
    fn key(self) -> &'static str;
    /// Headers people use for it (lower case).
    fn aliases(self) -> &'static [&'static str];
    /// A row must fill it.
    fn required(self) -> bool;

    /// The field a key or header names; a two-language header (`序列号 serial_number`,
    /// `客户 / customer`, as kefu's exports write them) by either half.
    fn from_name(s: &str) -> Option<Self> {
        let one = |s: &str| {
            let s = s.trim().to_lowercase().replace('_', " ");
            Self::all()
                .iter()
                .copied()
                .find(|f| f.key().replace('_', " ") == s || f.aliases().iter().any(|a| *a == s))
        };
        one(s).or_else(|| {
            s.split(|c: char| c == '/' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .find_map(one)
        })
    }
}

/// A field an asset row can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssetField {
    /// The customer: its code, or its exact name.
    Customer,
    /// Serial number (unique).
    SerialNumber,
    /// Product name / model as the customer knows it.
    ProductName,
    /// Product code in the catalogue (optional).
    ProductCode,
    /// Installed on.
    InstallDate,
    /// Warranty ends on.
    WarrantyEnd,
    /// Service contract ends on.
    ContractEnd,
    /// Where it stands.
    SiteAddress,
}

impl AssetField {
    /// Every field.
    pub const ALL: [AssetField; 8] = [
        AssetField::Customer,
        AssetField::SerialNumber,
        AssetField::ProductName,
        AssetField::ProductCode,
        AssetField::InstallDate,
        AssetField::WarrantyEnd,
        AssetField::ContractEnd,
        AssetField::SiteAddress,
    ];
}

impl Column for AssetField {
    fn all() -> &'static [Self] {
        &AssetField::ALL
    }

    fn key(self) -> &'static str {
        match self {
            AssetField::Customer => "customer",
            AssetField::SerialNumber => "serial_number",
            AssetField::ProductName => "product_name",
            AssetField::ProductCode => "product_code",
            AssetField::InstallDate => "install_date",
            AssetField::WarrantyEnd => "warranty_end",
            AssetField::ContractEnd => "contract_end",
            AssetField::SiteAddress => "site_address",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            AssetField::Customer => &["客户", "客户编码", "客户名称", "customer", "customer code"],
            AssetField::SerialNumber => &["序列号", "设备序列号", "sn", "serial", "serial number"],
            AssetField::ProductName => {
                &["产品", "产品名称", "设备名称", "型号", "product", "model"]
            }
            AssetField::ProductCode => &["产品编码", "物料编码", "product code"],
            AssetField::InstallDate => &["安装日期", "install date", "installed"],
            AssetField::WarrantyEnd => &[
                "保修截止",
                "保修到期",
                "保修截止日期",
                "warranty end",
                "warranty",
            ],
            AssetField::ContractEnd => &["合同截止", "维保合同到期", "合同到期", "contract end"],
            AssetField::SiteAddress => &["安装地址", "地址", "site", "address", "site address"],
        }
    }

    fn required(self) -> bool {
        matches!(
            self,
            AssetField::Customer | AssetField::SerialNumber | AssetField::ProductName
        )
    }
}

/// A problem with one cell, row or the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Sheet row, 1-based (the header's row for header problems).
    pub row: usize,
    /// Field key, or `header`.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

fn problem(row: usize, column: &str, message: impl Into<String>) -> Problem {
    Problem {
        row,
        column: column.to_owned(),
        message: message.into(),
    }
}

/// Which field each column fills: `mapping` (column header → field key) first, then the
/// header's own name. Unknown columns are ignored; a missing required field or a field given
/// twice is a problem on the header row.
pub fn map_columns<F: Column>(
    header: &[String],
    header_row: usize,
    mapping: &HashMap<String, String>,
) -> Result<Vec<Option<F>>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(header.len());
    for cell in header {
        let name = cell.trim();
        let field = match mapping.get(name) {
            Some(target) if target.is_empty() => None,
            Some(target) => match F::from_name(target) {
                Some(f) => Some(f),
                None => {
                    problems.push(problem(
                        header_row,
                        "header",
                        format!("`{target}` (mapped from `{name}`) is not a field"),
                    ));
                    None
                }
            },
            None => F::from_name(name),
        };
        if let Some(f) = field
            && out.contains(&Some(f))
        {
            problems.push(problem(
                header_row,
                f.key(),
                format!("two columns fill `{}`", f.key()),
            ));
            out.push(None);
            continue;
        }
        out.push(field);
    }
    for f in F::all().iter().copied().filter(|f| f.required()) {
        if !out.contains(&Some(f)) {
            problems.push(problem(
                header_row,
                f.key(),
                format!("no column for `{}`", f.key()),
            ));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A date as people type it: `2026-11-05`, `2026/11/5`, `2026.11.05`, `20261105`, or
/// `2026年11月5日`; also the date part of `2026-11-05 00:00:00`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or(s);
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    let norm: String = s
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_owned();
    NaiveDate::parse_from_str(&norm, "%Y-%m-%d").ok()
}

/// One asset row, checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssetRow {
    /// Customer code or name as written.
    pub customer: String,
    /// Serial number.
    pub serial_number: String,
    /// Product name.
    pub product_name: String,
    /// Product code.
    pub product_code: Option<String>,
    /// Installed on.
    pub install_date: Option<NaiveDate>,
    /// Warranty end.
    pub warranty_end: Option<NaiveDate>,
    /// Contract end.
    pub contract_end: Option<NaiveDate>,
    /// Site address.
    pub site_address: Option<String>,
}

/// Longest text accepted in a cell.
const MAX_CELL: usize = 500;

/// Checks the rows under the header (`first_row` is the sheet row of `rows[0]`); blank rows are
/// skipped. Returns the good rows with their row numbers, and every problem.
pub fn parse_asset_rows(
    rows: &[Vec<String>],
    columns: &[Option<AssetField>],
    first_row: usize,
) -> (Vec<(usize, AssetRow)>, Vec<Problem>) {
    let mut good = Vec::with_capacity(rows.len());
    let mut problems = Vec::new();
    let mut serials: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let n = first_row + i;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let before = problems.len();
        let mut a = AssetRow::default();
        for (cell, field) in row.iter().zip(columns) {
            let Some(f) = field else { continue };
            let v = cell.trim();
            if v.chars().count() > MAX_CELL {
                problems.push(problem(
                    n,
                    f.key(),
                    format!("at most {MAX_CELL} characters"),
                ));
                continue;
            }
            let date = |problems: &mut Vec<Problem>| -> Option<NaiveDate> {
                if v.is_empty() {
                    return None;
                }
                let d = parse_date(v);
                if d.is_none() {
                    problems.push(problem(
                        n,
                        f.key(),
                        format!("`{v}` is not a date (2026-11-05)"),
                    ));
                }
                d
            };
            match f {
                AssetField::Customer => a.customer = v.to_owned(),
                AssetField::SerialNumber => a.serial_number = v.to_owned(),
                AssetField::ProductName => a.product_name = v.to_owned(),
                AssetField::ProductCode => a.product_code = (!v.is_empty()).then(|| v.to_owned()),
                AssetField::InstallDate => a.install_date = date(&mut problems),
                AssetField::WarrantyEnd => a.warranty_end = date(&mut problems),
                AssetField::ContractEnd => a.contract_end = date(&mut problems),
                AssetField::SiteAddress => a.site_address = (!v.is_empty()).then(|| v.to_owned()),
            }
        }
        for (f, v) in [
            (AssetField::Customer, &a.customer),
            (AssetField::SerialNumber, &a.serial_number),
            (AssetField::ProductName, &a.product_name),
        ] {
            if v.is_empty() {
                problems.push(problem(n, f.key(), "required"));
            }
        }
        if let (Some(i), Some(w)) = (a.install_date, a.warranty_end)
            && w < i
        {
            problems.push(problem(
                n,
                "warranty_end",
                "the warranty cannot end before installation",
            ));
        }
        if !a.serial_number.is_empty()
            && let Some(first) = serials.insert(a.serial_number.clone(), n)
        {
            problems.push(problem(
                n,
                "serial_number",
                format!("`{}` is also on row {first}", a.serial_number),
            ));
        }
        if problems.len() == before {
            good.push((n, a));
        }
    }
    (good, problems)
}

/// A field a customer row can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerField {
    /// Customer code (the key: a known code is updated).
    Code,
    /// Name.
    Name,
    /// `company` or `person`.
    Kind,
    /// `standard`, `vip` or `strategic`.
    Tier,
    /// Region.
    Region,
    /// Address.
    Address,
    /// Phone.
    Phone,
    /// Mail address.
    Email,
}

impl CustomerField {
    /// Every field.
    pub const ALL: [CustomerField; 8] = [
        CustomerField::Code,
        CustomerField::Name,
        CustomerField::Kind,
        CustomerField::Tier,
        CustomerField::Region,
        CustomerField::Address,
        CustomerField::Phone,
        CustomerField::Email,
    ];
}

impl Column for CustomerField {
    fn all() -> &'static [Self] {
        &CustomerField::ALL
    }

    fn key(self) -> &'static str {
        match self {
            CustomerField::Code => "code",
            CustomerField::Name => "name",
            CustomerField::Kind => "kind",
            CustomerField::Tier => "tier",
            CustomerField::Region => "region",
            CustomerField::Address => "address",
            CustomerField::Phone => "phone",
            CustomerField::Email => "email",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            CustomerField::Code => &["客户编码", "编码", "客户编号", "customer code"],
            CustomerField::Name => &["客户名称", "名称", "公司名称", "customer", "customer name"],
            CustomerField::Kind => &["类型", "客户类型", "type"],
            CustomerField::Tier => &["等级", "客户等级", "level"],
            CustomerField::Region => &["地区", "区域", "省份", "area"],
            CustomerField::Address => &["地址", "详细地址"],
            CustomerField::Phone => &["电话", "联系电话", "手机", "tel", "mobile"],
            CustomerField::Email => &["邮箱", "电子邮件", "mail", "e-mail"],
        }
    }

    fn required(self) -> bool {
        matches!(self, CustomerField::Code | CustomerField::Name)
    }
}

/// One customer row, checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomerRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `company` or `person` (none: keep / default).
    pub kind: Option<String>,
    /// `standard`, `vip` or `strategic` (none: keep / default).
    pub tier: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Mail address.
    pub email: Option<String>,
}

fn kind_of(v: &str) -> Option<&'static str> {
    match v.to_lowercase().as_str() {
        "company" | "企业" | "公司" | "单位" => Some("company"),
        "person" | "个人" => Some("person"),
        _ => None,
    }
}

fn tier_of(v: &str) -> Option<&'static str> {
    match v.to_lowercase().as_str() {
        "standard" | "标准" | "普通" => Some("standard"),
        "vip" | "重要" => Some("vip"),
        "strategic" | "战略" | "战略客户" => Some("strategic"),
        _ => None,
    }
}

/// Checks customer rows like [`parse_asset_rows`]: code and name required, kind and tier from
/// their Chinese or English names, a plausible mail address, a code only once per file.
pub fn parse_customer_rows(
    rows: &[Vec<String>],
    columns: &[Option<CustomerField>],
    first_row: usize,
) -> (Vec<(usize, CustomerRow)>, Vec<Problem>) {
    let mut good = Vec::with_capacity(rows.len());
    let mut problems = Vec::new();
    let mut codes: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let n = first_row + i;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let before = problems.len();
        let mut c = CustomerRow::default();
        for (cell, field) in row.iter().zip(columns) {
            let Some(f) = field else { continue };
            let v = cell.trim();
            if v.chars().count() > MAX_CELL {
                problems.push(problem(
                    n,
                    f.key(),
                    format!("at most {MAX_CELL} characters"),
                ));
                continue;
            }
            let some = || (!v.is_empty()).then(|| v.to_owned());
            match f {
                CustomerField::Code => c.code = v.to_owned(),
                CustomerField::Name => c.name = v.to_owned(),
                CustomerField::Kind if v.is_empty() => {}
                CustomerField::Kind => match kind_of(v) {
                    Some(k) => c.kind = Some(k.into()),
                    None => problems.push(problem(
                        n,
                        "kind",
                        format!("`{v}` is not 企业/company or 个人/person"),
                    )),
                },
                CustomerField::Tier if v.is_empty() => {}
                CustomerField::Tier => match tier_of(v) {
                    Some(t) => c.tier = Some(t.into()),
                    None => problems.push(problem(
                        n,
                        "tier",
                        format!("`{v}` is not 标准/standard, VIP or 战略/strategic"),
                    )),
                },
                CustomerField::Region => c.region = some(),
                CustomerField::Address => c.address = some(),
                CustomerField::Phone => c.phone = some(),
                CustomerField::Email => {
                    if !v.is_empty()
                        && !v
                            .split_once('@')
                            .is_some_and(|(a, d)| !a.is_empty() && d.contains('.'))
                    {
                        problems.push(problem(n, "email", format!("`{v}` is not a mail address")));
                    }
                    c.email = some();
                }
            }
        }
        for (f, v) in [
            (CustomerField::Code, &c.code),
            (CustomerField::Name, &c.name),
        ] {
            if v.is_empty() {
                problems.push(problem(n, f.key(), "required"));
            }
        }
        if !c.code.is_empty()
            && let Some(first) = codes.insert(c.code.to_lowercase(), n)
        {
            problems.push(problem(
                n,
                "code",
                format!("`{}` is also on row {first}", c.code),
            ));
        }
        if problems.len() == before {
            good.push((n, c));
        }
    }
    (good, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn headers_in_chinese_or_english_or_mapped() {
        let header = row(&["客户编码", "序列号", "型号", "保修截止", "备注"]);
        let cols = map_columns::<AssetField>(&header, 1, &HashMap::new()).unwrap();
        assert_eq!(
            cols,
            [
                Some(AssetField::Customer),
                Some(AssetField::SerialNumber),
                Some(AssetField::ProductName),
                Some(AssetField::WarrantyEnd),
                None
            ]
        );
        let header = row(&["Kunde", "SN", "Gerät"]);
        let e = map_columns::<AssetField>(&header, 3, &HashMap::new()).unwrap_err();
        assert!(e.iter().all(|p| p.row == 3));
        let mapping: HashMap<String, String> = [("Kunde", "customer"), ("Gerät", "product_name")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        assert!(map_columns::<AssetField>(&header, 1, &mapping).is_ok());
        // kefu's own export headers.
        assert_eq!(
            AssetField::from_name("序列号 serial_number"),
            Some(AssetField::SerialNumber)
        );
        assert_eq!(
            AssetField::from_name("客户 / customer"),
            Some(AssetField::Customer)
        );
        assert_eq!(
            AssetField::from_name("serial number"),
            Some(AssetField::SerialNumber)
        );
    }

    #[test]
    fn dates_in_the_forms_people_type() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 5);
        for s in [
            "2026-11-05",
            "2026/11/5",
            "2026.11.05",
            "20261105",
            "2026年11月5日",
            "2026-11-05 00:00:00",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        for s in ["05/11/2026", "2026-13-01", "明天", ""] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn every_bad_cell_is_named_and_good_rows_pass() {
        let cols = [
            Some(AssetField::Customer),
            Some(AssetField::SerialNumber),
            Some(AssetField::ProductName),
            Some(AssetField::InstallDate),
            Some(AssetField::WarrantyEnd),
        ];
        let rows = vec![
            row(&["C001", "SN-1", "M7400", "2026-01-01", "2027-01-01"]),
            row(&["", "SN-2", "M7400", "2026-13-01", ""]),
            row(&["", "", "", "", ""]),
            row(&["C001", "SN-1", "M7400", "2026-01-01", "2025-01-01"]),
        ];
        let (good, problems) = parse_asset_rows(&rows, &cols, 2);
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].0, 2);
        let got: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (3, "install_date"),
                (3, "customer"),
                (5, "warranty_end"),
                (5, "serial_number")
            ]
        );
        assert!(problems[3].message.contains("row 2"));
    }

    #[test]
    fn customer_rows_take_chinese_tiers_and_name_bad_cells() {
        let header = row(&["客户编码", "客户名称", "等级", "类型", "邮箱"]);
        let cols = map_columns::<CustomerField>(&header, 1, &HashMap::new()).unwrap();
        let rows = vec![
            row(&["C001", "精工机械", "战略", "企业", "it@jinggong.cn"]),
            row(&["C002", "", "金牌", "", "not-mail"]),
            row(&["c001", "重复", "", "", ""]),
        ];
        let (good, problems) = parse_customer_rows(&rows, &cols, 2);
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].1.tier.as_deref(), Some("strategic"));
        assert_eq!(good[0].1.kind.as_deref(), Some("company"));
        let got: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(got, [(3, "tier"), (3, "email"), (3, "name"), (4, "code")]);
    }
}
