//! `kefu-bench`: repeatable measurements whose figures go into BENCHMARKS.md.
//!
//! `sla` times the SLA engine alone (pure, single-threaded); `api` drives ticket creation
//! through the real HTTP router over loopback; `pages` times the agent pages on an existing
//! large database; `mail` takes in 100 KB mails through the intake use case; `mail-delay` times
//! delivery to ticket through real mail servers; `search-eval` measures search recall; `parts`
//! reserves one part for many tickets at once; `import` imports assets from CSV and XLSX;
//! `load` drives a running server over loopback HTTP with the scenarios of a plan.

mod bench {
    pub mod api;
    pub mod import;
    pub mod load;
    pub mod mail;
    pub mod mail_delay;
    pub mod pages;
    pub mod parts;
    pub mod search_eval;
    pub mod sla;
    pub mod tick;
}

use std::process::ExitCode;

use clap::Parser;

/// kefu benchmarks.
#[derive(Debug, Parser)]
#[command(name = "kefu-bench", version, about)]
enum Cli {
    /// Compute first-response and resolution due times for many tickets.
    Sla(bench::sla::Args),
    /// The scheduler's periodic work over a large database (SLA watch, reminders, triggers).
    Tick(bench::tick::Args),
    /// Create tickets through POST /api/v1/tickets with concurrent clients.
    Api(bench::api::Args),
    /// Take in ~100 KB mails (parse, thread, store) with concurrent intakes.
    Mail(bench::mail::Args),
    /// Time from SMTP delivery to ticket with the mailbox watched by IMAP IDLE (real servers).
    MailDelay(bench::mail_delay::Args),
    /// Search quality on CMRC 2018 questions → passages (recall@1/@5, MRR@10, latency).
    SearchEval(bench::search_eval::Args),
    /// Render the agent pages (queues, deep pages, ticket pages) on an existing database.
    Pages(bench::pages::Args),
    /// Reserve one part for many tickets at once (contention on one stock row).
    Parts(bench::parts::Args),
    /// Import assets from generated CSV and XLSX files (rows/s).
    Import(bench::import::Args),
    /// Drive a running server over loopback HTTP: scenarios from a plan (create, reply, queue,
    /// deep page, ticket page, search, counts), ceilings, memory and cold start.
    Load(bench::load::Args),
    /// An empty axum handler on a loopback port (the HTTP ceiling of `load`).
    #[command(hide = true)]
    EmptyServer,
}

#[tokio::main]
async fn main() -> ExitCode {
    kefu_app::install_tls_provider();
    let result = match Cli::parse() {
        Cli::Sla(args) => {
            bench::sla::run(&args);
            Ok(())
        }
        Cli::Api(args) => bench::api::run(args).await,
        Cli::Pages(args) => bench::pages::run(args).await,
        Cli::Tick(args) => bench::tick::run(args).await,
        Cli::Parts(args) => bench::parts::run(args).await,
        Cli::Import(args) => bench::import::run(args).await,
        Cli::Load(args) => bench::load::run(args).await,
        Cli::EmptyServer => bench::load::empty_server().await,
        Cli::Mail(args) => bench::mail::run(args).await,
        Cli::MailDelay(args) => bench::mail_delay::run(args).await,
        Cli::SearchEval(args) => bench::search_eval::run(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kefu-bench: error: {e:#}");
            ExitCode::FAILURE
        }
    }
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
