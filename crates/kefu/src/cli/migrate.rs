//! `kefu migrate`: apply pending migrations and exit.

use crate::config::Config;

/// Runs the subcommand.
pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let app = super::open_app(&cfg).await?;
    app.store.clone().close().await?;
    println!("database is up to date");
    Ok(())
}
