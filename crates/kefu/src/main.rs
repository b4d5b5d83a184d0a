//! `kefu`: the one executable. Parses the command line, loads the configuration, starts
//! logging and hands over to a subcommand in `cli/`.

mod cli;
mod config;
mod malloc;
mod shutdown;
mod telemetry;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// kefu 客服: self-hosted after-sales and customer service.
#[derive(Debug, Parser)]
#[command(name = "kefu", version, about)]
struct Cli {
    /// Configuration file [default: ./kefu.toml when present].
    #[arg(long, global = true, env = "KEFU_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server and background work (migrates the database first).
    Serve(cli::serve::Args),
    /// Run only the background worker (jobs and schedules), for scale-out next to `serve --no-worker`.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(cli::user::Command),
    /// Mail: take in messages (`kefu mail ingest < message.eml`).
    #[command(subcommand)]
    Mail(cli::mail::Command),
    /// Migrate and load demonstration data (customers, products, tickets); `--scale N` generates
    /// N realistic tickets for scale tests instead.
    Demo(cli::demo::Args),
    /// Rebuild the search index from the database (stop `serve` first).
    Reindex,
    /// Import master data from an XLSX or CSV file (`kefu import assets FILE [--dry-run]`).
    #[command(subcommand)]
    Import(cli::import::Command),
    /// Print the effective configuration as TOML, secrets masked.
    PrintConfig(cli::print_config::Args),
    /// Exit 0 when a running server answers /healthz with 200, 1 otherwise.
    Healthcheck(cli::healthcheck::Args),
}

fn main() -> ExitCode {
    malloc::cap_arenas();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kefu: error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        kefu_app::install_tls_provider();
        let cli = Cli::parse();
        match run(cli).await {
            Ok(code) => code,
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "kefu failed");
                eprintln!("kefu: error: {e:#}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let overrides = match &cli.command {
        Command::Serve(args) => args.overrides(),
        _ => config::Overrides::default(),
    };
    let cfg = config::Config::load(cli.config.as_deref(), &overrides)?;
    if !matches!(cli.command, Command::PrintConfig(_)) {
        telemetry::init(&cfg.log);
    }
    match cli.command {
        Command::Serve(args) => cli::serve::run(cfg, args).await?,
        Command::Worker => cli::jobs::run(cfg).await?,
        Command::Migrate => cli::migrate::run(cfg).await?,
        Command::Reindex => cli::reindex::run(cfg).await?,
        Command::User(cmd) => cli::user::run(cfg, cmd).await?,
        Command::Demo(args) => cli::demo::run(cfg, args).await?,
        Command::Mail(cmd) => return cli::mail::run(cfg, cmd).await,
        Command::Import(cmd) => return cli::import::run(cfg, cmd).await,
        Command::PrintConfig(args) => cli::print_config::run(&cfg, args),
        Command::Healthcheck(args) => return Ok(cli::healthcheck::run(&cfg, args).await),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
