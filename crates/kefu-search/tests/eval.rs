//! Search quality on real Chinese questions: CMRC 2018 (../shared/data/kb-eval/cmrc2018), the
//! passages as public articles and the first 300 questions asked as a customer would. The full
//! run with figures is `kefu-bench search-eval` (BENCHMARKS.md).

use std::collections::HashMap;
use std::path::Path;

use kefu_search::{Audience, Doc, SearchIndex, SearchQuery};

#[test]
fn recall_at_5_on_cmrc2018_questions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/kb-eval/cmrc2018");
    let Ok(passages) = std::fs::read_to_string(dir.join("passages.jsonl")) else {
        eprintln!("skipped: {} is not here (../shared/data)", dir.display());
        return;
    };
    let queries = std::fs::read_to_string(dir.join("queries.tsv")).unwrap();
    let qrels = std::fs::read_to_string(dir.join("qrels.tsv")).unwrap();
    let idx = SearchIndex::in_memory(&[]).unwrap();
    let docs: Vec<Doc> = passages
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Doc {
                id: v["passage_id"].as_str().unwrap().to_owned(),
                kind: "article".into(),
                title: v["title"].as_str().unwrap().to_owned(),
                body: v["text"].as_str().unwrap().to_owned(),
                visibility: "public".into(),
                status: "published".into(),
                ..Default::default()
            }
        })
        .collect();
    idx.upsert(&docs).unwrap();
    idx.commit("eval").unwrap();
    let relevant: HashMap<&str, &str> = qrels
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t'))
        .map(|(q, p)| (q, p.split('\t').next().unwrap_or(p)))
        .collect();
    let (mut asked, mut found) = (0, 0);
    for line in queries.lines().skip(1).take(300) {
        let mut f = line.split('\t');
        let (Some(qid), Some(question)) = (f.next(), f.next()) else {
            continue;
        };
        let Some(want) = relevant.get(qid) else {
            continue;
        };
        let mut q = SearchQuery::staff(question);
        q.audience = Audience::Public;
        q.match_all = false;
        q.limit = 5;
        asked += 1;
        if idx.search(&q).unwrap().hits.iter().any(|h| h.id == *want) {
            found += 1;
        }
    }
    assert!(
        asked >= 250,
        "only {asked} questions had a relevant passage"
    );
    let recall = found as f64 / asked as f64;
    assert!(recall >= 0.85, "recall@5 {recall:.3} on {asked} questions");
}
