//! `kefu import assets|customers FILE`: installed equipment or customers from an XLSX or CSV
//! file (UTF-8 or GBK), like `POST /api/v1/import/…`, with progress. Every problem is printed as
//! `file:row field: message` and nothing is written unless every row is good.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use kefu_app::AppError;
use kefu_app::import::{AssetImport, ImportKind};
use kefu_domain::access::Actor;

use crate::config::Config;

/// What to import.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Assets (serial number, customer code or name, product, install, warranty and contract
    /// dates, site); known serial numbers are updated.
    Assets(Args),
    /// Customers (code, name, kind, tier, region, address, phone, email); known codes are
    /// updated. Import customers before their assets.
    Customers(Args),
    /// Contacts (customer, name, phone, email, title, primary); a known mail address, phone or
    /// name under the customer is updated.
    Contacts(Args),
    /// Orders, one row per line (order number, customer, date, status, product code,
    /// description, quantity, unit price); a known order number is replaced.
    Orders(Args),
    /// Products (code, name, category, warranty months); known codes are updated.
    Products(Args),
    /// Spare parts (code, name, unit, unit price in yuan, ERP id); known codes are updated.
    Parts(Args),
    /// A stock count (part code, warehouse code, counted quantity replacing what is on hand).
    Stock(Args),
    /// Historical tickets from another helpdesk: one row per ticket, or an event log with one
    /// row per change (same number = same ticket).
    Tickets(Args),
}

/// Flags of an import.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file (`.xlsx` or `.csv`).
    file: PathBuf,
    /// Check everything and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Map a column header to a field: `--map 设备编号=serial_number` (repeatable; `=` with
    /// nothing after it ignores the column).
    #[arg(long = "map", value_name = "HEADER=FIELD")]
    map: Vec<String>,
}

/// Runs the subcommand; exit code 2 when the file has problems.
pub async fn run(cfg: Config, cmd: Command) -> anyhow::Result<ExitCode> {
    let (kind, args) = match cmd {
        Command::Assets(a) => (ImportKind::Assets, a),
        Command::Customers(a) => (ImportKind::Customers, a),
        Command::Products(a) => (ImportKind::Products, a),
        Command::Contacts(a) => (ImportKind::Contacts, a),
        Command::Orders(a) => (ImportKind::Orders, a),
        Command::Parts(a) => (ImportKind::Parts, a),
        Command::Stock(a) => (ImportKind::Stock, a),
        Command::Tickets(a) => (ImportKind::Tickets, a),
    };
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let mut mapping = HashMap::new();
    for m in &args.map {
        let (k, v) = m
            .split_once('=')
            .with_context(|| format!("--map {m}: expected HEADER=FIELD"))?;
        mapping.insert(k.trim().to_owned(), v.trim().to_owned());
    }
    let app = super::open_app(&cfg).await?;
    let started = Instant::now();
    let progress = |done: u64, total: u64| {
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        eprint!("\rimported {done}/{total} rows ({pct}%)");
        let _ = std::io::stderr().flush();
    };
    let imp = AssetImport {
        file_name: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes,
        mapping,
        dry_run: args.dry_run,
    };
    let result = kefu_app::import::run(&app, &Actor::system(), kind, imp, &progress).await;
    eprintln!();
    app.store.clone().close().await?;
    match result {
        Ok(r) => {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{}{} rows: {} created, {} updated in {secs:.2} s ({:.0} rows/s)",
                if r.dry_run {
                    "dry run (nothing kept): "
                } else {
                    ""
                },
                r.rows,
                r.created,
                r.updated,
                r.rows as f64 / secs.max(1e-9)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::Invalid(errors)) => {
            for e in &errors {
                println!("{} {}: {}", e.field, e.code, e.message);
            }
            eprintln!("nothing imported: {} problem(s)", errors.len());
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}
