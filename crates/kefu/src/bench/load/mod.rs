//! `kefu-bench load`: drives a running server over HTTP, scenario after scenario, with a fixed
//! number of concurrent clients and a bounded count and time, and reports throughput and
//! latency percentiles per scenario, the server's resident memory, kefu's cold start and the
//! machine's ceilings measured in the same run. Only loopback addresses are accepted: this is
//! a benchmark, not a load generator for other people's servers.

mod ceiling;
mod driver;
mod plan;
mod report;
mod spawn;

use std::collections::BTreeMap;
use std::net::{IpAddr, ToSocketAddrs as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};

pub use ceiling::empty_server;
use driver::{Bounds, Shared, Target};
use plan::{Plan, Rng};

/// Flags of `kefu-bench load`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Base URL of a running server (loopback only), e.g. http://127.0.0.1:8080.
    #[arg(long, conflicts_with = "kefu")]
    url: Option<String>,
    /// Start this `kefu` executable (`kefu serve` on a free loopback port) instead of --url;
    /// a bench admin is created with `kefu user create`. [default: `kefu` beside this program]
    #[arg(long)]
    kefu: Option<PathBuf>,
    /// Database of the started kefu (`KEFU_DATABASE__URL`), also used for the insert ceiling.
    #[arg(long)]
    database_url: Option<String>,
    /// Data directory of the started kefu (`KEFU_STORAGE__DATA_DIR`: files, search index).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The plan (JSON, see bench/README.md) [default: bench/kefu.json, built in].
    #[arg(long)]
    plan: Option<PathBuf>,
    /// A header sent with every request, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// A plan variable, `NAME=VALUE` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Run only these scenarios (repeatable) [default: all of the plan's].
    #[arg(long = "scenario")]
    scenarios: Vec<String>,
    /// Concurrent clients per scenario.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Requests per scenario at most.
    #[arg(long, default_value_t = 2_000)]
    count: usize,
    /// Seconds per scenario at most.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Seconds for each ceiling measurement (0 skips them).
    #[arg(long, default_value_t = 5)]
    ceiling_seconds: u64,
    /// Starts of kefu to time (cold start); the last one serves the scenarios.
    #[arg(long, default_value_t = 3)]
    starts: usize,
    /// With --url: the server's process id, to sample its resident memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seed of the random choices (ids, words).
    #[arg(long, default_value_t = 20261203)]
    seed: u64,
}

/// The HTTP client of every run: keeps `concurrency` connections open, follows no redirects
/// (a redirect to a login page must count as an error, not as a fast page), keeps cookies.
pub(crate) fn client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency.max(1))
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// Refuses anything but a loopback base URL.
fn loopback_only(base: &str) -> anyhow::Result<String> {
    let url = reqwest::Url::parse(base).with_context(|| format!("{base} is not a URL"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        bail!("{base}: only http and https are supported");
    }
    let host = url.host_str().context("the URL has no host")?;
    let port = url.port_or_known_default().unwrap_or(80);
    let host_bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<IpAddr> = match host_bare.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) if host.eq_ignore_ascii_case("localhost") => {
            (host, port).to_socket_addrs()?.map(|a| a.ip()).collect()
        }
        Err(_) => bail!("{host}: give a loopback address (127.0.0.1, ::1 or localhost)"),
    };
    if addrs.is_empty() || addrs.iter().any(|ip| !ip.is_loopback()) {
        bail!("{host} is not a loopback address; kefu-bench load only targets this machine");
    }
    Ok(base.trim_end_matches('/').to_owned())
}

fn pairs(items: &[String], sep: char, what: &str) -> anyhow::Result<Vec<(String, String)>> {
    items
        .iter()
        .map(|i| {
            let (k, v) = i
                .split_once(sep)
                .with_context(|| format!("{what} {i:?}: expected NAME{sep}VALUE"))?;
            Ok((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

/// Runs the benchmark and prints the report.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let plan_text = match &args.plan {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?
        }
        None => plan::KEFU_PLAN.to_owned(),
    };
    let plan = Plan::parse(&plan_text)?;
    for s in &args.scenarios {
        if !plan.scenarios.iter().any(|p| &p.name == s) {
            bail!("scenario {s} is not in the plan");
        }
    }
    let given = args.url.as_deref().map(loopback_only).transpose()?;
    let mut vars: BTreeMap<String, String> = pairs(&args.vars, '=', "--var")?.into_iter().collect();
    let headers = pairs(&args.headers, ':', "--header")?;
    let bounds = Bounds {
        concurrency: args.concurrency.max(1),
        count: args.count,
        time: Duration::from_secs(args.seconds),
    };
    let mut rep = report::Report::new(bounds);

    // The ceilings first, on an otherwise idle machine.
    let scratch = super::api::scratch_dir()?;
    if args.ceiling_seconds > 0 {
        let cb = Bounds {
            count: usize::MAX,
            time: Duration::from_secs(args.ceiling_seconds),
            ..bounds
        };
        let out = ceiling::http(cb).await?;
        rep.http_ceiling = Some(out.per_second());
        rep.line("ceiling: empty axum handler, GET /", &out, None);
        let (engine, rate) = ceiling::insert(
            args.database_url.as_deref(),
            &scratch,
            bounds.concurrency,
            cb.time,
        )
        .await?;
        println!("ceiling: raw {engine} single-row insert transactions: {rate:.0}/s");
        rep.insert_ceiling = Some((engine, rate));
    }
    let _ = std::fs::remove_dir_all(&scratch);

    // The server: started here, or given.
    let mut server = None;
    let (base, pid) = match given {
        Some(url) => (url, args.server_pid),
        None => {
            let launch = spawn::Launch {
                kefu: match &args.kefu {
                    Some(k) => k.clone(),
                    None => spawn::sibling_kefu()
                        .context("no kefu beside kefu-bench: pass --kefu or --url")?,
                },
                database_url: args.database_url.clone(),
                data_dir: args.data_dir.clone(),
            };
            let (email, password) = launch.create_admin()?;
            vars.entry("email".into()).or_insert(email);
            vars.entry("password".into()).or_insert(password);
            let dropped = spawn::drop_page_cache();
            for i in 0..args.starts.max(1) {
                let (s, took) = launch.start().await?;
                rep.starts.push(took);
                println!(
                    "start {}: ready in {:.0} ms{}",
                    i + 1,
                    took.as_secs_f64() * 1e3,
                    if i == 0 && dropped {
                        " (page cache dropped before)"
                    } else {
                        ""
                    }
                );
                server = Some(s);
                if i + 1 < args.starts.max(1)
                    && let Some(mut s) = server.take()
                {
                    s.stop();
                }
            }
            let s = server.as_ref().context("kefu did not start")?;
            (s.base.clone(), Some(s.pid()))
        }
    };
    let target = Target {
        base,
        client: client(bounds.concurrency)?,
    };
    let result = scenarios(&plan, &args, &target, vars, headers, pid, bounds, &mut rep).await;
    if let Some(mut s) = server {
        s.stop();
    }
    result?;
    rep.print();
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn scenarios(
    plan: &Plan,
    args: &Args,
    target: &Target,
    vars: BTreeMap<String, String>,
    headers: Vec<(String, String)>,
    pid: Option<u32>,
    bounds: Bounds,
    rep: &mut report::Report,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(args.seed);
    // One set of placeholder sources: setup captures go into its variables, pools into its
    // pools, before it is shared by the timed clients.
    let mut shared = Shared {
        vars,
        pools: BTreeMap::new(),
        lists: plan.lists.clone(),
        headers,
    };
    // Setup: one request after another, capturing variables.
    for (i, req) in plan.setup.iter().enumerate() {
        let answer = driver::once(target, &shared, req, i, "", &mut rng)
            .await
            .with_context(|| format!("setup request {}", i + 1))?;
        if !req.capture.is_empty() {
            let json = answer.json()?;
            for (name, ptr) in &req.capture {
                let v = driver::pointer_text(&json, ptr)
                    .with_context(|| format!("setup request {}: nothing at {ptr}", i + 1))?;
                shared.vars.insert(name.clone(), v);
            }
        }
    }
    // Pools.
    for (name, pool) in &plan.pools {
        let mut ids = Vec::new();
        for i in 0..pool.requests.max(1) {
            let json = driver::once(target, &shared, &pool.request, i, "", &mut rng)
                .await
                .with_context(|| format!("pool {name}"))?
                .json()?;
            let items = json
                .pointer(&pool.items)
                .and_then(|v| v.as_array())
                .with_context(|| format!("pool {name}: no array at {:?}", pool.items))?;
            ids.extend(
                items
                    .iter()
                    .filter_map(|i| driver::pointer_text(i, &pool.id)),
            );
        }
        ids.sort();
        ids.dedup();
        println!("pool {name}: {} ids", ids.len());
        shared.pools.insert(name.clone(), ids);
    }
    let shared = Arc::new(shared);

    for s in &plan.scenarios {
        if !args.scenarios.is_empty() && !args.scenarios.contains(&s.name) {
            continue;
        }
        // The deep page: follow the cursor, untimed.
        let mut cursor = String::new();
        if let Some(walk) = &s.walk {
            for page in 0..walk.pages {
                let json = driver::once(target, &shared, &s.request, page, &cursor, &mut rng)
                    .await?
                    .json()?;
                match driver::pointer_text(&json, &walk.next) {
                    Some(next) => cursor = next,
                    None => {
                        println!(
                            "{}: the listing ends after {} pages; timing the last one",
                            s.name,
                            page + 1
                        );
                        break;
                    }
                }
            }
        }
        // Two unmeasured requests warm the server's caches and the client's connections.
        for i in 0..2 {
            driver::once(target, &shared, &s.request, i, &cursor, &mut rng)
                .await
                .with_context(|| format!("scenario {}: first request", s.name))?;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = pid.map(|p| driver::sample_rss(p, stop.clone()));
        let background = match &s.background {
            Some(b) => {
                let other = plan
                    .scenarios
                    .iter()
                    .find(|o| o.name == b.scenario)
                    .context("background scenario")?;
                Some(driver::paced(
                    target,
                    &shared,
                    &other.request,
                    b.per_second,
                    stop.clone(),
                ))
            }
            None => None,
        };
        let out = driver::timed(
            target,
            &shared,
            &s.request,
            &cursor,
            bounds,
            rng.below(1 << 30) as u64,
        )
        .await;
        stop.store(true, Ordering::Relaxed);
        let rss = match sampler {
            Some(h) => h.await?,
            None => None,
        };
        if let Some(h) = background {
            let bg = h.await?;
            println!(
                "  {}: beside it {} × {} ({} errors)",
                s.name,
                bg.latencies.len(),
                s.background
                    .as_ref()
                    .map(|b| b.scenario.as_str())
                    .unwrap_or(""),
                bg.errors
            );
        }
        rep.scenario(s, &out, rss);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::loopback_only;

    #[test]
    fn only_loopback_targets() {
        assert_eq!(
            loopback_only("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(loopback_only("http://[::1]:8080").is_ok());
        assert!(loopback_only("http://localhost:3000").is_ok());
        for bad in [
            "http://192.0.2.1",
            "http://example.com",
            "ftp://127.0.0.1",
            "127.0.0.1",
        ] {
            assert!(loopback_only(bad).is_err(), "{bad}");
        }
    }
}
