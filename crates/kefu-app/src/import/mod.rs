//! Importing master data from the ERP's spreadsheets (XLSX, or CSV in UTF-8 or GBK): the
//! columns mapped by header or by the caller's mapping, every bad row reported by file, row and
//! field, and nothing written unless every row is good; a dry run does the same writes in a
//! transaction it rolls back.

mod assets;
mod customers;
mod master;
mod sales;
mod staged;
mod table;
mod tickets;

pub use assets::{AssetImport, ImportReport, import_assets};
pub use customers::import_customers;
pub use master::{import_parts, import_products, import_stock};
pub use sales::{import_contacts, import_orders};
pub use staged::{Staged, stage, staged, unstage};
pub use table::{decode_text, read_table};
pub use tickets::import_tickets;

use std::collections::HashMap;

use kefu_domain::import::Problem;
use kefu_store::entity::customer;
use kefu_store::sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use uuid::Uuid;

use crate::{AppError, FieldError};

/// Customers by code (any case) and by exact name, for rows that name their customer.
pub(crate) struct CustomerIndex {
    by_code: HashMap<String, Uuid>,
    by_name: HashMap<String, Vec<Uuid>>,
}

impl CustomerIndex {
    /// Reads every customer's id, code and name.
    pub(crate) async fn load(db: &impl ConnectionTrait) -> Result<Self, AppError> {
        let rows: Vec<(Uuid, Option<String>, String)> = customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .column(customer::Column::Code)
            .column(customer::Column::Name)
            .into_tuple()
            .all(db)
            .await?;
        let mut ix = CustomerIndex {
            by_code: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (id, code, name) in rows {
            if let Some(c) = code {
                ix.by_code.insert(c.to_lowercase(), id);
            }
            ix.by_name.entry(name).or_default().push(id);
        }
        Ok(ix)
    }

    /// The customer a cell names (code first, then an exact, unambiguous name), or why not.
    pub(crate) fn resolve(&self, s: &str) -> Result<Uuid, String> {
        if let Some(id) = self.by_code.get(&s.to_lowercase()) {
            return Ok(*id);
        }
        match self.by_name.get(s).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(_) => Err(format!("several customers are named `{s}`; use the code")),
            None => Err(format!("no customer with code or name `{s}`")),
        }
    }
}

/// What an import brings in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Customers (before their assets).
    Customers,
    /// Customers' people.
    Contacts,
    /// Sales orders, one row per line.
    Orders,
    /// Installed equipment.
    Assets,
    /// Spare parts.
    Parts,
    /// Products (models).
    Products,
    /// A stock count.
    Stock,
    /// Historical tickets.
    Tickets,
}

impl ImportKind {
    /// Every kind, in the order a first import goes.
    pub const ALL: [ImportKind; 8] = [
        ImportKind::Customers,
        ImportKind::Contacts,
        ImportKind::Products,
        ImportKind::Orders,
        ImportKind::Assets,
        ImportKind::Parts,
        ImportKind::Stock,
        ImportKind::Tickets,
    ];

    /// Its name in URLs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Customers => "customers",
            ImportKind::Contacts => "contacts",
            ImportKind::Orders => "orders",
            ImportKind::Assets => "assets",
            ImportKind::Parts => "parts",
            ImportKind::Products => "products",
            ImportKind::Stock => "stock",
            ImportKind::Tickets => "tickets",
        }
    }

    /// From its name.
    pub fn parse(s: &str) -> Option<ImportKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The field a column header names (as the import would read it), if any.
    pub fn guess(self, header: &str) -> Option<&'static str> {
        use kefu_domain::import::{
            AssetField, Column, ContactField, CustomerField, OrderField, PartField, ProductField,
            StockField, TicketField,
        };
        fn of<F: Column>(h: &str) -> Option<&'static str> {
            F::from_name(h).map(|f| f.key())
        }
        match self {
            ImportKind::Customers => of::<CustomerField>(header),
            ImportKind::Contacts => of::<ContactField>(header),
            ImportKind::Orders => of::<OrderField>(header),
            ImportKind::Assets => of::<AssetField>(header),
            ImportKind::Parts => of::<PartField>(header),
            ImportKind::Products => of::<ProductField>(header),
            ImportKind::Stock => of::<StockField>(header),
            ImportKind::Tickets => of::<TicketField>(header),
        }
    }

    /// The field keys its files may fill, required ones first.
    pub fn fields(self) -> Vec<(&'static str, bool)> {
        use kefu_domain::import::{
            AssetField, Column, ContactField, CustomerField, OrderField, PartField, ProductField,
            StockField, TicketField,
        };
        fn of<F: Column>() -> Vec<(&'static str, bool)> {
            let mut v: Vec<_> = F::all().iter().map(|f| (f.key(), f.required())).collect();
            v.sort_by_key(|f| !f.1);
            v
        }
        match self {
            ImportKind::Customers => of::<CustomerField>(),
            ImportKind::Contacts => of::<ContactField>(),
            ImportKind::Orders => of::<OrderField>(),
            ImportKind::Assets => of::<AssetField>(),
            ImportKind::Parts => of::<PartField>(),
            ImportKind::Products => of::<ProductField>(),
            ImportKind::Stock => of::<StockField>(),
            ImportKind::Tickets => of::<TicketField>(),
        }
    }
}

/// Runs an import of `kind`.
pub async fn run(
    app: &crate::App,
    actor: &kefu_domain::access::Actor,
    kind: ImportKind,
    imp: AssetImport,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, AppError> {
    match kind {
        ImportKind::Customers => import_customers(app, actor, imp, progress).await,
        ImportKind::Contacts => import_contacts(app, actor, imp, progress).await,
        ImportKind::Orders => import_orders(app, actor, imp, progress).await,
        ImportKind::Assets => import_assets(app, actor, imp, progress).await,
        ImportKind::Parts => import_parts(app, actor, imp, progress).await,
        ImportKind::Products => import_products(app, actor, imp, progress).await,
        ImportKind::Stock => import_stock(app, actor, imp, progress).await,
        ImportKind::Tickets => import_tickets(app, actor, imp, progress).await,
    }
}

/// The header row of a file (for the column-mapping step): the first non-blank row.
pub async fn headers(file: &str, bytes: Vec<u8>) -> Result<Vec<String>, AppError> {
    let (rows, h) = load(file, bytes).await?;
    Ok(rows[h].iter().map(|c| c.trim().to_owned()).collect())
}

/// Problems listed at most (the count is always complete).
const MAX_LISTED: usize = 2000;

/// The rows of an upload and the index of its header (the first non-blank row).
async fn load(file: &str, bytes: Vec<u8>) -> Result<(Vec<Vec<String>>, usize), AppError> {
    let name = file.to_owned();
    let rows = tokio::task::spawn_blocking(move || read_table(&name, bytes))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|m| AppError::Invalid(vec![FieldError::new(format!("{file}:1"), "file", m)]))?;
    let Some(h) = rows
        .iter()
        .position(|r| r.iter().any(|c| !c.trim().is_empty()))
    else {
        return Err(AppError::Invalid(vec![FieldError::new(
            format!("{file}:1"),
            "file",
            "the file is empty",
        )]));
    };
    Ok((rows, h))
}

/// The rows of an upload, the header's index, and the field each column fills (problems with
/// the header as `file:row` errors).
async fn columns<F: kefu_domain::import::Column>(
    imp: &mut AssetImport,
) -> Result<(Vec<Vec<String>>, usize, Vec<Option<F>>), AppError> {
    let (rows, h) = load(&imp.file_name, std::mem::take(&mut imp.bytes)).await?;
    let cols = kefu_domain::import::map_columns::<F>(&rows[h], h + 1, &imp.mapping)
        .map_err(|p| located(&imp.file_name, p))?;
    Ok((rows, h, cols))
}

/// Ends an import: one audit entry (`import.<what>`), then commit, or roll back on a dry run.
async fn finish(
    tx: kefu_store::Tx,
    actor: &kefu_domain::access::Actor,
    what: &str,
    file: &str,
    report: &ImportReport,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    crate::audit::record(
        &tx,
        actor.user_ref(),
        &format!("import.{what}"),
        what,
        None,
        serde_json::json!({"file": file, "created": report.created, "updated": report.updated}),
        now,
    )
    .await?;
    if report.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}

/// The problems as field errors `file:row` + field (at most [`MAX_LISTED`], then a count).
fn located(file: &str, problems: Vec<Problem>) -> AppError {
    let total = problems.len();
    let mut errors: Vec<FieldError> = problems
        .into_iter()
        .take(MAX_LISTED)
        .map(|p| FieldError::new(format!("{file}:{}", p.row), p.column, p.message))
        .collect();
    if total > MAX_LISTED {
        errors.push(FieldError::new(
            file,
            "more",
            format!("{} more problems not listed", total - MAX_LISTED),
        ));
    }
    AppError::Invalid(errors)
}
