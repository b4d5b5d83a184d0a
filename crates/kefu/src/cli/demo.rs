//! `kefu demo`: migrate, create the defaults and load demonstration data.

use anyhow::Context as _;

use crate::config::Config;

/// Runs the subcommand.
pub async fn run(cfg: Config) -> anyhow::Result<()> {
    let app = super::open_app(&cfg).await?;
    super::ensure_defaults(&app).await?;
    let summary = kefu_app::demo::load(&app)
        .await
        .context("cannot load the demo data")?;
    println!("{summary}");
    app.store.clone().close().await?;
    Ok(())
}
