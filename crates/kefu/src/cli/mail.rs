//! `kefu mail ingest`: take in raw messages, from standard input (an MTA's pipe delivery, e.g.
//! Postfix `mailbox_command` or an alias `|kefu mail ingest`) or from .eml files.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::config::Config;

/// `kefu mail …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Take in messages: each FILE, or one message on standard input. Prints one JSON line per
    /// message (what became of it). Exits 0 when every message was stored (a ticket, a reply,
    /// a duplicate, or kept as ignored/failed for an admin), 75 (EX_TEMPFAIL, "try again") when
    /// one could not be stored, so an MTA keeps it queued.
    Ingest(IngestArgs),
}

/// Flags of `kefu mail ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// Name of the mailbox the messages arrived at (shown to admins).
    #[arg(long)]
    pub mailbox: Option<String>,
    /// Message files (.eml); none reads one message from standard input.
    pub files: Vec<PathBuf>,
}

/// Exit code asking the delivering MTA to retry later (sysexits.h EX_TEMPFAIL).
const EX_TEMPFAIL: u8 = 75;

/// Runs the subcommand.
pub async fn run(cfg: Config, cmd: Command) -> anyhow::Result<ExitCode> {
    let Command::Ingest(args) = cmd;
    let app = super::open_app(&cfg).await?;
    super::ensure_defaults(&app).await?;
    let mut inputs = Vec::new();
    if args.files.is_empty() {
        let mut raw = Vec::new();
        std::io::stdin()
            .read_to_end(&mut raw)
            .context("cannot read the message from standard input")?;
        inputs.push(("-".to_owned(), raw));
    } else {
        for f in &args.files {
            let raw = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
            inputs.push((f.display().to_string(), raw));
        }
    }
    let mut code = ExitCode::SUCCESS;
    for (name, raw) in inputs {
        match kefu_app::intake::ingest_mail(&app, &raw, args.mailbox.as_deref()).await {
            Ok(outcome) => {
                let mut line = serde_json::to_value(&outcome)?;
                line["file"] = name.into();
                println!("{line}");
            }
            Err(e) => {
                eprintln!("kefu: {name}: not stored, try again later: {e}");
                code = ExitCode::from(EX_TEMPFAIL);
            }
        }
    }
    app.store.clone().close().await?;
    Ok(code)
}
