//! `kefu-bench search-eval`: search quality on CMRC 2018 (Chinese Wikipedia passages and
//! questions people wrote about them, `../shared/data/kb-eval/cmrc2018`). The passages become
//! public articles in an in-memory index; each question is asked as a customer would (any word
//! may match, ranked by BM25) and the rank of its one relevant passage is recorded.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kefu_search::{Audience, Doc, SearchIndex, SearchQuery};

use super::api::pct;

/// Flags of `kefu-bench search-eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CMRC 2018 folder (passages.jsonl, queries.tsv, qrels.tsv).
    #[arg(long, default_value = "../shared/data/kb-eval/cmrc2018")]
    data: PathBuf,
    /// Ask only the first N questions (0: all).
    #[arg(long, default_value_t = 0)]
    limit: usize,
    /// Also time the questions against an on-disk index of this many articles (the passages
    /// repeated under new ids), and report build time and index size (0: skip).
    #[arg(long, default_value_t = 0)]
    articles: usize,
}

/// Runs the evaluation and prints recall@1, recall@5, MRR@10 and latency.
pub async fn run(args: Args) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || eval(&args)).await?
}

fn eval(args: &Args) -> anyhow::Result<()> {
    let read = |name: &str| {
        std::fs::read_to_string(args.data.join(name)).map_err(|e| {
            anyhow::anyhow!(
                "{}: {e} (the evaluation data lives in ../shared/data)",
                args.data.join(name).display()
            )
        })
    };
    let passages = read("passages.jsonl")?;
    let queries = read("queries.tsv")?;
    let qrels = read("qrels.tsv")?;
    let idx = SearchIndex::in_memory(&[])?;
    let built = Instant::now();
    let mut docs = Vec::new();
    for line in passages.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        docs.push(Doc {
            id: v["passage_id"].as_str().unwrap_or_default().to_owned(),
            kind: "article".into(),
            title: v["title"].as_str().unwrap_or_default().to_owned(),
            body: v["text"].as_str().unwrap_or_default().to_owned(),
            visibility: "public".into(),
            status: "published".into(),
            doc_type: "wiki".into(),
            ..Default::default()
        });
    }
    let n_docs = docs.len();
    idx.upsert(&docs)?;
    idx.commit("eval")?;
    let build_time = built.elapsed();
    let relevant: HashMap<&str, &str> = qrels
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?))
        })
        .collect();
    let mut asked = 0usize;
    let (mut at1, mut at5, mut rr, mut answer_in_snippet) = (0usize, 0usize, 0f64, 0usize);
    let mut lat: Vec<Duration> = Vec::new();
    for line in queries.lines().skip(1) {
        let mut f = line.split('\t');
        let (Some(qid), Some(question), answer) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let Some(&want) = relevant.get(qid) else {
            continue;
        };
        if args.limit > 0 && asked >= args.limit {
            break;
        }
        asked += 1;
        let mut q = SearchQuery::staff(question);
        q.audience = Audience::Public;
        q.match_all = false;
        q.limit = 10;
        let t0 = Instant::now();
        let r = idx.search(&q)?;
        lat.push(t0.elapsed());
        if let Some(rank) = r.hits.iter().position(|h| h.id == want) {
            if rank == 0 {
                at1 += 1;
                if answer
                    .is_some_and(|a| !a.is_empty() && strip_tags(&r.hits[0].snippet).contains(a))
                {
                    answer_in_snippet += 1;
                }
            }
            if rank < 5 {
                at5 += 1;
            }
            rr += 1.0 / (rank as f64 + 1.0);
        }
    }
    lat.sort_unstable();
    let n = asked.max(1) as f64;
    println!(
        "kefu-bench search-eval: CMRC 2018 dev, {n_docs} passages (indexed in {:.2} s), {asked} questions, any-word BM25, jieba",
        build_time.as_secs_f64()
    );
    println!(
        "  recall@1 {:.3}, recall@5 {:.3}, MRR@10 {:.3}; answer in the top hit's snippet {:.3}",
        at1 as f64 / n,
        at5 as f64 / n,
        rr / n,
        answer_in_snippet as f64 / n
    );
    println!(
        "  latency p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        pct(&lat, 50.0),
        pct(&lat, 95.0),
        pct(&lat, 100.0)
    );
    if args.articles > 0 {
        let questions: Vec<String> = queries
            .lines()
            .skip(1)
            .filter_map(|l| l.split('\t').nth(1).map(str::to_owned))
            .collect();
        at_scale(&docs, &questions, args.articles)?;
    }
    Ok(())
}

/// Builds an on-disk index of `n` articles (the passages cycled under new ids) and times
/// every question against it, as a customer (public articles, any word, 10 hits).
fn at_scale(docs: &[Doc], questions: &[String], n: usize) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("kefu-search-scale-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let idx = SearchIndex::open(&dir, &[])?;
    let built = Instant::now();
    let mut batch = Vec::with_capacity(1000);
    for i in 0..n {
        let d = &docs[i % docs.len()];
        batch.push(Doc {
            id: format!("article:{i}"),
            title: format!("{} {}", d.title, i / docs.len()),
            ..d.clone()
        });
        if batch.len() == 1000 {
            idx.upsert(&batch)?;
            batch.clear();
        }
    }
    idx.upsert(&batch)?;
    idx.commit("scale")?;
    let build = built.elapsed();
    let size: u64 = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let mut lat = Vec::with_capacity(questions.len());
    for question in questions {
        let mut q = SearchQuery::staff(question);
        q.audience = Audience::Public;
        q.match_all = false;
        q.limit = 10;
        let t0 = Instant::now();
        idx.search(&q)?;
        lat.push(t0.elapsed());
    }
    lat.sort_unstable();
    println!(
        "  {n} articles on disk: built in {:.1} s ({:.1} s per 100k), index {:.1} MB; {} questions p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        build.as_secs_f64(),
        build.as_secs_f64() * 100_000.0 / n as f64,
        size as f64 / 1e6,
        lat.len(),
        pct(&lat, 50.0),
        pct(&lat, 99.0),
        pct(&lat, 100.0)
    );
    drop(idx);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn strip_tags(s: &str) -> String {
    s.replace("<b>", "").replace("</b>", "")
}
