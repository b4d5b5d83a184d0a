//! `kefu print-config`: the effective configuration as TOML, credentials masked.

use crate::config::{Config, render_toml};

/// Flags of `kefu print-config`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the built-in defaults instead (this is how kefu.example.toml is made).
    #[arg(long)]
    defaults: bool,
}

/// Runs the subcommand.
pub fn run(cfg: &Config, args: Args) {
    let cfg = if args.defaults {
        &Config::default()
    } else {
        cfg
    };
    print!("{}", render_toml(cfg));
}
