//! `kefu reindex`: rebuilds the search index from the database (after changing the user
//! dictionary, or when the index was lost), printing progress. Stop `kefu serve` first: only
//! one process may write the index.

use std::io::Write as _;
use std::time::Instant;

use crate::config::Config;

/// Runs the subcommand.
pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let app = super::open_app(&cfg).await?;
    let started = Instant::now();
    let progress = |done: u64, total: u64| {
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        eprint!("\rindexed {done}/{total} tickets ({pct}%)");
        let _ = std::io::stderr().flush();
    };
    let n = kefu_app::search::rebuild(&app, &progress).await?;
    eprintln!();
    println!(
        "search index rebuilt: {n} tickets in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    app.store.clone().close().await?;
    Ok(())
}
