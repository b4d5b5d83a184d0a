//! `kefu-bench import`: installed equipment imported from generated CSV and XLSX files through
//! the use case behind `kefu import assets` and `POST /api/v1/import/assets` (read, map, check
//! every row, look up customers and known serial numbers, insert in batches, one transaction).

use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use kefu_app::customers::NewCustomer;
use kefu_app::import::AssetImport;
use kefu_domain::access::Actor;

use super::api::{open_app, scratch_dir};

/// Flags of `kefu-bench import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rows per file.
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    /// Customers the rows are spread over.
    #[arg(long, default_value_t = 1000)]
    customers: usize,
    /// Database (`sqlite://…` or `postgres://…`); default a fresh SQLite file.
    #[arg(long)]
    database_url: Option<String>,
}

/// Runs the benchmark and prints the figures.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let scratch = scratch_dir()?;
    let result = bench(&args, &scratch).await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn rows(prefix: &str, n: usize, customers: usize, stamp: u128) -> Vec<Vec<String>> {
    (0..n)
        .map(|i| {
            vec![
                format!("B{stamp}-{:05}", i % customers),
                format!("{prefix}-{stamp}-{i:07}"),
                ["激光打印机 M7400", "数控车床 CNC-850", "空压机 AC-22"][i % 3].to_owned(),
                format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                format!("2027-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                format!("广东省广州市黄埔区科学城 {} 号", i % 500),
            ]
        })
        .collect()
}

const HEADER: [&str; 6] = [
    "客户编码",
    "序列号",
    "型号",
    "安装日期",
    "保修截止",
    "安装地址",
];

async fn bench(args: &Args, scratch: &std::path::Path) -> anyhow::Result<()> {
    let (app, backend) = open_app(args.database_url.as_deref(), scratch).await?;
    kefu_app::bootstrap::ensure_defaults(&app).await?;
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let actor = Actor::system();
    eprint!("kefu-bench import: {} customers…", args.customers);
    for i in 0..args.customers {
        kefu_app::customers::create_customer(
            &app,
            &actor,
            NewCustomer {
                name: format!("压测客户 {stamp}-{i}"),
                code: Some(format!("B{stamp}-{i:05}")),
                ..Default::default()
            },
        )
        .await
        .context("creating a customer")?;
    }
    eprintln!(" done");
    let header: Vec<String> = HEADER.iter().map(|s| s.to_string()).collect();
    let csv_rows = rows("CSV", args.rows, args.customers, stamp);
    let mut csv = HEADER.join(",");
    csv.push('\n');
    for r in &csv_rows {
        csv.push_str(&r.join(","));
        csv.push('\n');
    }
    let xlsx_rows = rows("XLSX", args.rows, args.customers, stamp);
    let xlsx = kefu_app::sheets::write_xlsx("设备", &header, &xlsx_rows, &[])?;
    println!(
        "kefu-bench import: {backend}, {} rows per file (CSV {:.1} MB, XLSX {:.1} MB), {} customers",
        args.rows,
        csv.len() as f64 / 1e6,
        xlsx.len() as f64 / 1e6,
        args.customers
    );
    for (label, name, bytes, dry) in [
        ("CSV, dry run", "assets.csv", csv.clone().into_bytes(), true),
        ("CSV", "assets.csv", csv.into_bytes(), false),
        ("XLSX", "assets.xlsx", xlsx, false),
    ] {
        let t0 = Instant::now();
        let r = kefu_app::import::import_assets(
            &app,
            &actor,
            AssetImport {
                file_name: name.into(),
                bytes,
                mapping: HashMap::new(),
                dry_run: dry,
            },
            &|_, _| {},
        )
        .await
        .map_err(|e| anyhow::anyhow!("{label}: {e:?}"))?;
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "  {label:<14} {:>7} rows: {:>7} created, {:>7} updated in {secs:6.2} s = {:>8.0} rows/s",
            r.rows,
            r.created,
            r.updated,
            r.rows as f64 / secs
        );
    }
    app.store.clone().close().await?;
    Ok(())
}
