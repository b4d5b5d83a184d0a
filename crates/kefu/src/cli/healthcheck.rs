//! `kefu healthcheck`: ask a running server for `/healthz`; for container health checks and
//! scripts. Exit status 0 means it answered 200.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use crate::config::Config;

/// Flags of `kefu healthcheck`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// URL to check [default: http://<server.bind>/healthz].
    #[arg(long)]
    url: Option<String>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 5)]
    timeout_secs: u64,
}

/// Runs the subcommand.
pub async fn run(cfg: &Config, args: Args) -> ExitCode {
    let url = args
        .url
        .unwrap_or_else(|| format!("http://{}/healthz", reachable(cfg.server.bind)));
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout_secs))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("healthcheck: {e}");
            return ExitCode::FAILURE;
        }
    };
    match client.get(&url).send().await {
        Ok(resp) if resp.status() == reqwest::StatusCode::OK => {
            println!("healthy: {url}");
            ExitCode::SUCCESS
        }
        Ok(resp) => {
            eprintln!("unhealthy: {url} answered {}", resp.status());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("unhealthy: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A listening address one can connect to: the wildcard becomes loopback.
fn reachable(bind: SocketAddr) -> SocketAddr {
    match bind.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, bind.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, bind.port()).into(),
        _ => bind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binds_are_checked_on_loopback() {
        let v4: SocketAddr = "0.0.0.0:8080".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reachable(v4).to_string(), "127.0.0.1:8080");
        let v6: SocketAddr = "[::]:8080".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reachable(v6).to_string(), "[::1]:8080");
        let ip: SocketAddr = "10.0.0.5:80".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reachable(ip), ip);
    }
}
