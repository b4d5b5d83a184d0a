//! The figures of a load run: one line per scenario as it finishes, then a Markdown table for
//! BENCHMARKS.md with each scenario's throughput as a share of its ceiling.

use std::time::Duration;

use super::driver::{Bounds, Memory, Outcome};
use super::plan::Scenario;
use crate::bench::api::pct;

struct Row {
    name: String,
    ok: usize,
    errors: usize,
    per_second: f64,
    ms: [f64; 4],
    memory: Option<Memory>,
    ratio: Option<f64>,
}

/// What the run measured.
pub struct Report {
    bounds: Bounds,
    /// Requests/s of the empty handler.
    pub http_ceiling: Option<f64>,
    /// Engine and transactions/s of raw single-row inserts.
    pub insert_ceiling: Option<(String, f64)>,
    /// Cold starts of kefu, spawn to ready.
    pub starts: Vec<Duration>,
    rows: Vec<Row>,
}

impl Report {
    /// An empty report.
    pub fn new(bounds: Bounds) -> Report {
        Report {
            bounds,
            http_ceiling: None,
            insert_ceiling: None,
            starts: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Prints one run as it finishes.
    pub fn line(&self, name: &str, out: &Outcome, memory: Option<Memory>) {
        let l = &out.latencies;
        println!(
            "{name}: {} ok, {} errors, {:.0}/s, ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}{}",
            l.len(),
            out.errors,
            out.per_second(),
            pct(l, 50.0),
            pct(l, 90.0),
            pct(l, 99.0),
            pct(l, 100.0),
            memory
                .map(|m| format!(", server RSS ≤ {}", mib(m)))
                .unwrap_or_default()
        );
        if let Some(e) = &out.first_error {
            println!("  first error: {e}");
        }
    }

    /// Records and prints a scenario.
    pub fn scenario(&mut self, s: &Scenario, out: &Outcome, memory: Option<Memory>) {
        self.line(&s.name, out, memory);
        let ratio = match s.ceiling.as_deref() {
            Some("http") => self.http_ceiling.map(|c| out.per_second() / c),
            Some("insert") => self.insert_ceiling.as_ref().map(|c| out.per_second() / c.1),
            _ => None,
        };
        let l = &out.latencies;
        self.rows.push(Row {
            name: s.name.clone(),
            ok: l.len(),
            errors: out.errors,
            per_second: out.per_second(),
            ms: [pct(l, 50.0), pct(l, 90.0), pct(l, 99.0), pct(l, 100.0)],
            memory,
            ratio,
        });
    }

    /// The summary table.
    pub fn print(&self) {
        println!();
        println!(
            "concurrency {}, at most {} requests or {} s per scenario",
            self.bounds.concurrency,
            self.bounds.count,
            self.bounds.time.as_secs()
        );
        if !self.starts.is_empty() {
            let ms: Vec<String> = self
                .starts
                .iter()
                .map(|d| format!("{:.0}", d.as_secs_f64() * 1e3))
                .collect();
            println!("cold start to ready, ms: {}", ms.join(", "));
        }
        if let Some(c) = self.http_ceiling {
            println!("ceiling http (empty axum handler): {c:.0} requests/s");
        }
        if let Some((engine, c)) = &self.insert_ceiling {
            println!("ceiling insert (raw {engine} single-row transactions): {c:.0}/s");
        }
        println!();
        println!(
            "| scenario | ok | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | server RSS max MiB (anonymous) | share of ceiling |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|");
        for r in &self.rows {
            println!(
                "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} |",
                r.name,
                r.ok,
                r.errors,
                r.per_second,
                r.ms[0],
                r.ms[1],
                r.ms[2],
                r.ms[3],
                r.memory.map(mib).unwrap_or_else(|| "–".into()),
                r.ratio
                    .map(|x| format!("{:.1} %", x * 100.0))
                    .unwrap_or_else(|| "–".into()),
            );
        }
    }
}

/// Peak memory as `VmRSS (RssAnon)` in MiB.
fn mib(m: Memory) -> String {
    format!(
        "{:.0} ({:.0})",
        m.rss_kib as f64 / 1024.0,
        m.anon_kib as f64 / 1024.0
    )
}
