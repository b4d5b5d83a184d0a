//! Importing master data from the ERP's spreadsheets (XLSX, or CSV in UTF-8 or GBK): the
//! columns mapped by header or by the caller's mapping, every bad row reported by file, row and
//! field, and nothing written unless every row is good; a dry run does the same writes in a
//! transaction it rolls back.

mod assets;
mod customers;
mod table;

pub use assets::{AssetImport, ImportReport, import_assets};
pub use customers::import_customers;
pub use table::{decode_text, read_table};

use kefu_domain::import::Problem;

use crate::{AppError, FieldError};

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
