//! `kefu demo`: migrate, create the defaults and load demonstration data; with `--scale N`,
//! generate N realistic tickets (and their customers and staff) for scale tests instead.

use std::time::Instant;

use anyhow::Context as _;
use kefu_app::demo_scale::{ScaleOptions, generate};

use crate::config::Config;

/// Flags of `kefu demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Generate this many tickets (customers ≈ N/1000, at least 20) instead of the small demo.
    /// Writes only into a database without customers or tickets.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    scale: Option<u64>,
    /// Seed of the pseudo-random generator used by --scale.
    #[arg(long, default_value_t = 20261123, requires = "scale")]
    seed: u64,
}

/// Runs the subcommand.
pub async fn run(cfg: Config, args: Args) -> anyhow::Result<()> {
    let app = super::open_app(&cfg).await?;
    super::ensure_defaults(&app).await?;
    match args.scale {
        None => {
            let summary = kefu_app::demo::load(&app)
                .await
                .context("cannot load the demo data")?;
            println!("{summary}");
        }
        Some(tickets) => {
            let started = Instant::now();
            let mut next_percent = 0;
            let progress = |done: u64, total: u64| {
                let percent = done * 100 / total.max(1);
                if percent >= next_percent || done == total {
                    let secs = started.elapsed().as_secs_f64();
                    eprintln!(
                        "kefu demo --scale: {done}/{total} tickets ({percent}%), {secs:.0} s, \
                         {:.0} tickets/s",
                        done as f64 / secs.max(1e-9)
                    );
                    next_percent = percent + 5;
                }
            };
            let opts = ScaleOptions {
                tickets,
                seed: args.seed,
            };
            let summary = generate(&app, opts, progress)
                .await
                .context("cannot generate the scale demo data")?;
            println!("{summary}");
        }
    }
    app.store.clone().close().await?;
    Ok(())
}
