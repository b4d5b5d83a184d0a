//! Importing master data from the ERP's spreadsheets (XLSX, or CSV in UTF-8 or GBK): the
//! columns mapped by header or by the caller's mapping, every bad row reported by file, row and
//! field, and nothing written unless every row is good; a dry run does the same writes in a
//! transaction it rolls back.

mod assets;
mod table;

pub use assets::{AssetImport, ImportReport, import_assets};
pub use table::{decode_text, read_table};
