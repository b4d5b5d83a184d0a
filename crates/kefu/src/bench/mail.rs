//! `kefu-bench mail`: inbound mail parsed, threaded and stored per second. Each message is about
//! 100 KB (a Chinese text body and a base64 attachment of distinct bytes, so every file is
//! really written); four in five open a ticket, one in five replies to an earlier message by
//! References. Messages go through the same use case as `kefu mail ingest` and IMAP polling.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kefu_app::intake::{MailOutcome, ingest_mail};

use super::api::{open_app, pct, scratch_dir};

/// Flags of `kefu-bench mail`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Messages to take in.
    #[arg(long, default_value_t = 2_000)]
    count: usize,
    /// Messages taken in at the same time (pollers / MTA pipes).
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Database [default: a fresh SQLite file under the temp directory].
    #[arg(long)]
    database_url: Option<String>,
}

/// Runs the benchmark and prints the figures.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let scratch = scratch_dir()?;
    let result = bench(&args, &scratch).await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// A ~100 KB message number `i` from sender `i`, replying to message `i - 5` when `i % 5 == 4`.
pub fn message(i: usize) -> Vec<u8> {
    let mut attachment = Vec::with_capacity(72 * 1024);
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while attachment.len() < 72 * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        attachment.extend_from_slice(&x.to_le_bytes());
    }
    let b64 = base64_lines(&attachment);
    let reply = if i % 5 == 4 && i >= 5 {
        format!(
            "In-Reply-To: <bench-{}@kefu-bench.example.cn>\r\nReferences: <bench-{}@kefu-bench.example.cn>\r\n",
            i - 5,
            i - 5
        )
    } else {
        String::new()
    };
    let body = "3号机床主轴在 3000 转以上有异响，温度 45℃，请安排工程师。\r\n".repeat(40);
    format!(
        "From: 客户{i} <customer{i}@kefu-bench.example.cn>\r\nTo: support@kefu.test\r\n\
         Subject: =?UTF-8?B?5Li76L205byC5ZON?= #{i}\r\nMessage-ID: <bench-{i}@kefu-bench.example.cn>\r\n\
         {reply}Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n\
         --b\r\nContent-Type: application/octet-stream; name=\"log-{i}.bin\"\r\n\
         Content-Disposition: attachment; filename=\"log-{i}.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {b64}--b--\r\n"
    )
    .into_bytes()
}

fn base64_lines(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len() * 4 / 3 + data.len() / 57 * 2 + 4);
    for line in data.chunks(57) {
        for c in line.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for k in 0..4 {
                if k <= c.len() {
                    out.push(T[(n >> (18 - 6 * k) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out.push_str("\r\n");
    }
    out
}

async fn bench(args: &Args, scratch: &std::path::Path) -> anyhow::Result<()> {
    let (app, backend) = open_app(args.database_url.as_deref(), scratch).await?;
    kefu_app::bootstrap::ensure_defaults(&app).await?;
    let messages: Arc<Vec<Vec<u8>>> = Arc::new((0..args.count).map(message).collect());
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency.max(1) {
        let (app, messages, next) = (app.clone(), messages.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut outcomes = [0usize; 3];
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(raw) = messages.get(i) else { break };
                let t0 = Instant::now();
                let o = ingest_mail(&app, raw, Some("bench")).await?;
                lat.push(t0.elapsed());
                match o {
                    MailOutcome::Opened { .. } => outcomes[0] += 1,
                    MailOutcome::Appended { .. } => outcomes[1] += 1,
                    _ => outcomes[2] += 1,
                }
            }
            anyhow::Ok((lat, outcomes))
        }));
    }
    let mut lat: Vec<Duration> = Vec::new();
    let mut outcomes = [0usize; 3];
    for w in workers {
        let (l, o) = w.await??;
        lat.extend(l);
        for k in 0..3 {
            outcomes[k] += o[k];
        }
    }
    let wall = started.elapsed();
    lat.sort_unstable();
    println!(
        "kefu-bench mail: {backend}, {} messages of {:.0} KB average, concurrency {}",
        args.count,
        bytes as f64 / args.count.max(1) as f64 / 1024.0,
        args.concurrency
    );
    println!(
        "  {:.0} messages/s ({:.1} MB/s) in {:.2} s; per message p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        args.count as f64 / wall.as_secs_f64(),
        bytes as f64 / wall.as_secs_f64() / 1e6,
        wall.as_secs_f64(),
        pct(&lat, 50.0),
        pct(&lat, 99.0),
        pct(&lat, 100.0),
    );
    println!(
        "  {} new tickets, {} replies threaded, {} other",
        outcomes[0], outcomes[1], outcomes[2]
    );
    if outcomes[2] > 0 {
        anyhow::bail!("{} messages were neither tickets nor replies", outcomes[2]);
    }
    app.store.clone().close().await?;
    Ok(())
}
