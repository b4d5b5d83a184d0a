//! Subcommands, one file each, plus the start-up steps they share.

pub mod demo;
pub mod healthcheck;
pub mod import;
pub mod jobs;
pub mod mail;
pub mod mail_watch;
pub mod migrate;
pub mod print_config;
pub mod reindex;
pub mod search_index;
pub mod serve;
pub mod user;

use anyhow::Context as _;
use kefu_app::App;
use kefu_app::bootstrap::InitialAdmin;
use kefu_store::Store;

use crate::config::Config;

/// Creates the data directories, connects, applies pending migrations and builds the [`App`].
pub async fn open_app(cfg: &Config) -> anyhow::Result<App> {
    for dir in [cfg.storage.data_dir.clone(), cfg.files_dir()] {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    }
    let url = cfg.database_url();
    let store = Store::connect(url.expose(), cfg.database.max_connections)
        .await
        .with_context(|| format!("cannot open the database at {url}"))?;
    tracing::info!(database.url = %url, "database connected");
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    tracing::info!("database migrations applied");
    Ok(App::new(store, cfg.app_settings()))
}

/// Creates the built-in defaults (first admin, default SLA policy…) when missing, and prints
/// the first admin's login to stdout, once. It is never logged.
pub async fn ensure_defaults(app: &App) -> anyhow::Result<()> {
    let created = kefu_app::bootstrap::ensure_defaults(app)
        .await
        .context("cannot create the built-in defaults")?;
    if let Some(admin) = created {
        print_initial_admin(&admin);
    }
    Ok(())
}

fn print_initial_admin(admin: &InitialAdmin) {
    let rule = "=".repeat(64);
    println!("{rule}");
    println!(" 已创建首个管理员账号 / First administrator created");
    println!("   email:    {}", admin.email);
    println!("   password: {}", admin.password);
    println!(" 此密码只显示这一次，请登录后修改。");
    println!(" This password is shown only once; sign in and change it.");
    println!("{rule}");
}
