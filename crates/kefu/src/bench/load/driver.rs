//! Sends a plan's requests: one at a time for setup and pools, and a scenario with a fixed
//! number of concurrent clients until its request count or its time is used up.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use serde_json::Value;
use tokio::sync::Mutex;

use super::plan::{Fill, Request, Rng};

/// What every request draws its placeholders from, shared by the clients.
pub struct Shared {
    /// `--var` values and setup captures.
    pub vars: BTreeMap<String, String>,
    /// Collected id pools.
    pub pools: BTreeMap<String, Vec<String>>,
    /// The plan's lists.
    pub lists: BTreeMap<String, Vec<String>>,
    /// Headers sent with every request (`--header`).
    pub headers: Vec<(String, String)>,
}

/// The server under test.
#[derive(Clone)]
pub struct Target {
    /// Base URL without a trailing slash.
    pub base: String,
    /// Keeps connections (and the session cookie) across requests.
    pub client: reqwest::Client,
}

/// An answer: status and body.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> anyhow::Result<Value> {
        serde_json::from_slice(&self.body).context("the answer is not JSON")
    }

    /// The start of the body, for error reports.
    fn snippet(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
    }
}

/// One filled request, ready to send.
struct Filled {
    method: reqwest::Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

fn fill(
    target: &Target,
    shared: &Shared,
    req: &Request,
    n: usize,
    cursor: &str,
    rng: &mut Rng,
) -> anyhow::Result<Filled> {
    let mut f = Fill {
        vars: &shared.vars,
        pools: &shared.pools,
        lists: &shared.lists,
        n,
        cursor,
        rng,
        now: now_secs(),
    };
    let method = reqwest::Method::from_bytes(req.method.to_ascii_uppercase().as_bytes())
        .with_context(|| format!("{} is not an HTTP method", req.method))?;
    let url = format!("{}{}", target.base, f.text(&req.path, true)?);
    let mut headers = shared.headers.clone();
    for (k, v) in &req.headers {
        headers.push((k.clone(), f.text(v, false)?));
    }
    let body = req.body.as_ref().map(|b| f.json(b)).transpose()?;
    Ok(Filled {
        method,
        url,
        headers,
        body,
    })
}

async fn send(target: &Target, r: Filled) -> anyhow::Result<Answer> {
    let mut b = target.client.request(r.method, &r.url);
    for (k, v) in &r.headers {
        b = b.header(k, v);
    }
    if let Some(body) = &r.body {
        b = b.json(body);
    }
    let resp = b
        .send()
        .await
        .with_context(|| format!("{} failed", r.url))?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await?.to_vec();
    Ok(Answer { status, body })
}

/// Whether `status` is what `req` expects (its `expect`, else any 2xx).
fn accepted(req: &Request, status: u16) -> bool {
    match req.expect {
        Some(want) => status == want,
        None => (200..300).contains(&status),
    }
}

/// Sends `req` once and fails on an unexpected status.
pub async fn once(
    target: &Target,
    shared: &Shared,
    req: &Request,
    n: usize,
    cursor: &str,
    rng: &mut Rng,
) -> anyhow::Result<Answer> {
    let filled = fill(target, shared, req, n, cursor, rng)?;
    let (method, url) = (filled.method.clone(), filled.url.clone());
    let answer = send(target, filled).await?;
    if !accepted(req, answer.status) {
        bail!(
            "{method} {url} answered {}: {}",
            answer.status,
            answer.snippet()
        );
    }
    Ok(answer)
}

/// The value at JSON pointer `ptr` as a string (numbers are printed).
pub fn pointer_text(v: &Value, ptr: &str) -> Option<String> {
    match v.pointer(ptr)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// What a timed run saw.
#[derive(Default)]
pub struct Outcome {
    /// Latencies of accepted answers, sorted.
    pub latencies: Vec<Duration>,
    /// Refused or failed requests.
    pub errors: usize,
    /// The first of them, for the report.
    pub first_error: Option<String>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl Outcome {
    /// Accepted requests per second.
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn absorb(&mut self, other: Outcome) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn note(&mut self, what: String) {
        self.errors += 1;
        self.first_error.get_or_insert(what);
    }
}

/// Bounds of a timed run.
#[derive(Clone, Copy)]
pub struct Bounds {
    /// Concurrent clients.
    pub concurrency: usize,
    /// Requests in total.
    pub count: usize,
    /// Time limit.
    pub time: Duration,
}

/// Sends request `n` of `req` and records its latency or its error in `out`; `false` when it
/// could not even be filled (a missing variable or pool), which ends the run.
async fn attempt(
    target: &Target,
    shared: &Shared,
    req: &Request,
    n: usize,
    cursor: &str,
    rng: &mut Rng,
    out: &mut Outcome,
) -> bool {
    let filled = match fill(target, shared, req, n, cursor, rng) {
        Ok(f) => f,
        Err(e) => {
            out.note(format!("{e:#}"));
            return false;
        }
    };
    let t0 = Instant::now();
    match send(target, filled).await {
        Ok(a) if accepted(req, a.status) => out.latencies.push(t0.elapsed()),
        Ok(a) => out.note(format!("{}: {}", a.status, a.snippet())),
        Err(e) => out.note(format!("{e:#}")),
    }
    true
}

/// Sends `req` from `bounds.concurrency` clients until `bounds.count` requests were sent or
/// `bounds.time` passed, each client sending its next request when the previous one answered.
pub async fn timed(
    target: &Target,
    shared: &Arc<Shared>,
    req: &Request,
    cursor: &str,
    bounds: Bounds,
    seed: u64,
) -> Outcome {
    let issued = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + bounds.time;
    let started = Instant::now();
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..bounds.concurrency.max(1))
        .map(|k| {
            let (target, shared, req) = (target.clone(), shared.clone(), req.clone());
            let (issued, outcomes, cursor) = (issued.clone(), outcomes.clone(), cursor.to_owned());
            tokio::spawn(async move {
                let mut rng = Rng::new(seed ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let mut mine = Outcome::default();
                loop {
                    let n = issued.fetch_add(1, Ordering::Relaxed);
                    if n >= bounds.count || Instant::now() >= deadline {
                        break;
                    }
                    if !attempt(&target, &shared, &req, n, &cursor, &mut rng, &mut mine).await {
                        break;
                    }
                }
                outcomes.lock().await.push(mine);
            })
        })
        .collect();
    let mut all = Outcome::default();
    for c in clients {
        if let Err(e) = c.await {
            all.note(format!("a client failed: {e}"));
        }
    }
    all.elapsed = started.elapsed();
    for o in outcomes.lock().await.drain(..) {
        all.absorb(o);
    }
    all.latencies.sort_unstable();
    all
}

/// Sends `req` at `per_second` from one client until `stop` is set; returns what it saw.
pub fn paced(
    target: &Target,
    shared: &Arc<Shared>,
    req: &Request,
    per_second: f64,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<Outcome> {
    let (target, shared, req) = (target.clone(), shared.clone(), req.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut rng = Rng::new(0x5EED);
        let mut out = Outcome::default();
        let started = Instant::now();
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            tick.tick().await;
            n += 1;
            if !attempt(&target, &shared, &req, n, "", &mut rng, &mut out).await {
                break;
            }
        }
        out.elapsed = started.elapsed();
        out.latencies.sort_unstable();
        out
    })
}

/// Peak resident memory of a process, in KiB: all of it (`VmRSS`) and its anonymous part
/// (`RssAnon`: heap and stacks; the rest is file-backed, such as the memory-mapped search
/// index, which the kernel can drop and read again).
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// Highest `VmRSS`.
    pub rss_kib: u64,
    /// Highest `RssAnon`.
    pub anon_kib: u64,
}

/// Highest resident memory of process `pid` while the returned task runs, sampled every
/// 50 ms from `/proc/PID/status` (Linux).
pub fn sample_rss(pid: u32, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<Option<Memory>> {
    tokio::spawn(async move {
        let mut peak: Option<Memory> = None;
        loop {
            if let Some(now) = memory(pid) {
                let p = peak.get_or_insert_with(Memory::default);
                p.rss_kib = p.rss_kib.max(now.rss_kib);
                p.anon_kib = p.anon_kib.max(now.anon_kib);
            }
            if stop.load(Ordering::Relaxed) {
                return peak;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
}

/// Current resident memory of `pid`.
pub fn memory(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some(Memory {
        rss_kib: kib("VmRSS:")?,
        anon_kib: kib("RssAnon:").unwrap_or(0),
    })
}
