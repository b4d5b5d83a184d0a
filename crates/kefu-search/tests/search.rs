//! The index on a small fixed corpus: Chinese, English and mixed text; ranking; exact codes
//! and the `sn:` / `order:` fields; phrases; who may find what; filters; highlighted,
//! escaped snippets; and what survives a crash (the committed documents and their position).

use kefu_search::{Audience, Doc, SearchIndex, SearchQuery};

fn ticket(id: &str, customer: &str, title: &str, body: &str) -> Doc {
    Doc {
        id: format!("ticket:{id}"),
        kind: "ticket".into(),
        title: title.into(),
        body: body.into(),
        customer_id: Some(customer.into()),
        visibility: "staff".into(),
        status: "open".into(),
        doc_type: "repair".into(),
        created: 1_763_000_000,
        ..Default::default()
    }
}

fn article(id: &str, public: bool, title: &str, body: &str) -> Doc {
    Doc {
        id: format!("article:{id}"),
        kind: "article".into(),
        title: title.into(),
        body: body.into(),
        visibility: if public { "public" } else { "staff" }.into(),
        status: "published".into(),
        doc_type: "faq".into(),
        created: 1_760_000_000,
        ..Default::default()
    }
}

fn corpus() -> SearchIndex {
    let idx = SearchIndex::in_memory(&["定影组件".into()]).unwrap();
    let mut t3 = ticket(
        "3",
        "acme",
        "订单 SO2026110501 发货少一台",
        "客户称订单少发一台打印机，请核对。",
    );
    t3.orders = vec!["SO2026110501".into()];
    let mut t4 = ticket(
        "4",
        "acme",
        "设备报错 E-204",
        "序列号 SN-8842X 的设备开机报错 E-204。",
    );
    t4.serials = vec!["SN-8842X".into()];
    t4.status = "resolved".into();
    idx.upsert(&[
        ticket(
            "1",
            "acme",
            "打印机卡纸",
            "M7400 打印机频繁卡纸，请派工程师上门。",
        ),
        ticket(
            "2",
            "globex",
            "主轴异响",
            "3号机床主轴在 3000 转以上有异响，温度 45℃。打印机正常。",
        ),
        t3,
        t4,
        {
            let mut t = ticket(
                "5",
                "globex",
                "订单 SO2026110502 发票",
                "请开具增值税专用发票。",
            );
            t.notes = "内部备注：该客户信用额度超限，暂缓开票。".into();
            t
        },
        article(
            "a",
            true,
            "打印机卡纸怎么办",
            "打开前盖，取出卡住的纸张，检查定影组件是否过热。",
        ),
        article(
            "b",
            false,
            "内部：定影组件更换流程",
            "仅限工程师：更换定影组件前先断电冷却 <30 分钟>。",
        ),
        article(
            "c",
            true,
            "How to clear a paper jam",
            "Open the front cover and remove the jammed paper.",
        ),
    ])
    .unwrap();
    idx.commit("outbox-42").unwrap();
    idx
}

fn ids(idx: &SearchIndex, q: &SearchQuery) -> Vec<String> {
    idx.search(q)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn chinese_words_rank_title_matches_first() {
    let idx = corpus();
    let got = ids(&idx, &SearchQuery::staff("打印机卡纸"));
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.contains(&"ticket:1".to_owned()) && got.contains(&"article:a".to_owned()));
    // "打印机" alone: the two with it in the title come before the one with it in the body.
    let got = ids(&idx, &SearchQuery::staff("打印机"));
    let pos = |id: &str| got.iter().position(|x| x == id).unwrap();
    assert!(
        pos("ticket:1") < pos("ticket:2") && pos("article:a") < pos("ticket:2"),
        "{got:?}"
    );
}

#[test]
fn english_and_mixed_text() {
    let idx = corpus();
    assert_eq!(ids(&idx, &SearchQuery::staff("paper JAM")), ["article:c"]);
    assert_eq!(ids(&idx, &SearchQuery::staff("M7400 卡纸")), ["ticket:1"]);
}

#[test]
fn codes_match_exactly() {
    let idx = corpus();
    assert_eq!(ids(&idx, &SearchQuery::staff("SO2026110501")), ["ticket:3"]);
    assert_eq!(ids(&idx, &SearchQuery::staff("so2026110502")), ["ticket:5"]);
    assert_eq!(ids(&idx, &SearchQuery::staff("SN-8842X")), ["ticket:4"]);
    assert_eq!(ids(&idx, &SearchQuery::staff("sn:SN-8842X")), ["ticket:4"]);
    assert_eq!(
        ids(&idx, &SearchQuery::staff("order:SO2026110501")),
        ["ticket:3"]
    );
    // The order number is no serial number.
    assert!(ids(&idx, &SearchQuery::staff("sn:SO2026110501")).is_empty());
    assert!(ids(&idx, &SearchQuery::staff("SO2026110509")).is_empty());
}

#[test]
fn phrases_need_the_words_together() {
    let idx = corpus();
    assert_eq!(ids(&idx, &SearchQuery::staff("\"主轴在\"")), ["ticket:2"]);
    // Both words occur in ticket 2, but not as this phrase.
    assert_eq!(ids(&idx, &SearchQuery::staff("主轴 正常")), ["ticket:2"]);
    assert!(ids(&idx, &SearchQuery::staff("\"主轴正常\"")).is_empty());
}

#[test]
fn the_user_dictionary_word_is_found() {
    let idx = corpus();
    let got = ids(&idx, &SearchQuery::staff("定影组件"));
    assert!(
        got.contains(&"article:a".to_owned()) && got.contains(&"article:b".to_owned()),
        "{got:?}"
    );
}

#[test]
fn customers_find_their_tickets_and_public_articles_only() {
    let idx = corpus();
    let mut q = SearchQuery::staff("打印机");
    q.audience = Audience::Customer("globex".into());
    let got = ids(&idx, &q);
    assert!(got.contains(&"ticket:2".to_owned()), "{got:?}");
    assert!(got.contains(&"article:a".to_owned()), "{got:?}");
    assert!(
        !got.contains(&"ticket:1".to_owned()),
        "another company's ticket: {got:?}"
    );
    let mut q = SearchQuery::staff("定影组件");
    q.audience = Audience::Customer("acme".into());
    assert_eq!(ids(&idx, &q), ["article:a"], "an internal article leaked");
    q.audience = Audience::Public;
    assert_eq!(ids(&idx, &q), ["article:a"]);
    let mut q = SearchQuery::staff("SO2026110501");
    q.audience = Audience::Public;
    assert!(ids(&idx, &q).is_empty());
}

#[test]
fn internal_notes_are_for_staff_only() {
    let idx = corpus();
    let r = idx.search(&SearchQuery::staff("信用额度")).unwrap();
    assert_eq!(r.hits[0].id, "ticket:5");
    assert!(
        r.hits[0].snippet.contains("<b>信用</b>") || r.hits[0].snippet.contains("<b>信用额度</b>"),
        "{}",
        r.hits[0].snippet
    );
    let mut q = SearchQuery::staff("信用额度");
    q.audience = Audience::Customer("globex".into());
    assert!(
        ids(&idx, &q).is_empty(),
        "a customer found a ticket by an internal note"
    );
    // Their own ticket is still found by its public text, without the note in the snippet.
    let mut q = SearchQuery::staff("SO2026110502");
    q.audience = Audience::Customer("globex".into());
    let r = idx.search(&q).unwrap();
    assert_eq!(r.hits.len(), 1);
    assert!(!r.hits[0].snippet.contains("信用"), "{}", r.hits[0].snippet);
}

#[test]
fn filters_narrow_the_hits() {
    let idx = corpus();
    let mut q = SearchQuery::staff("报错 OR 打印机");
    q.kinds = vec!["ticket".into()];
    q.statuses = vec!["resolved".into()];
    assert_eq!(ids(&idx, &q), ["ticket:4"]);
    let mut q = SearchQuery::staff("打印机");
    q.customer_id = Some("acme".into());
    let mut got = ids(&idx, &q);
    got.sort();
    assert_eq!(got, ["ticket:1", "ticket:3"]);
    let mut q = SearchQuery::staff("打印机");
    q.created_to = Some(1_761_000_000);
    assert_eq!(ids(&idx, &q), ["article:a"]);
    let mut q = SearchQuery::staff("打印机");
    q.limit = 1;
    let page = idx.search(&q).unwrap();
    assert_eq!(page.hits.len(), 1);
    assert!(page.total >= 3);
}

#[test]
fn snippets_highlight_and_escape() {
    let idx = corpus();
    let r = idx.search(&SearchQuery::staff("断电")).unwrap();
    let s = &r.hits[0].snippet;
    assert!(s.contains("<b>断电</b>"), "{s}");
    assert!(s.contains("&lt;30") && !s.contains("<30"), "{s}");
}

#[test]
fn odd_syntax_never_fails() {
    let idx = corpus();
    for q in ["(", "\"unclosed", "a:b:c", "^~*", "", "  "] {
        idx.search(&SearchQuery::staff(q)).unwrap();
    }
}

#[test]
fn a_crash_keeps_what_was_committed_and_its_position() {
    let dir = std::env::temp_dir().join(format!("kefu-search-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let idx = SearchIndex::open(&dir, &[]).unwrap();
        assert_eq!(idx.position().unwrap(), None);
        idx.upsert(&[ticket("1", "acme", "打印机卡纸", "卡纸")])
            .unwrap();
        idx.commit("outbox-7").unwrap();
        // Written but never committed: lost in the "crash" (the index is dropped).
        idx.upsert(&[ticket("2", "acme", "主轴异响", "异响")])
            .unwrap();
    }
    let idx = SearchIndex::open(&dir, &[]).unwrap();
    assert_eq!(idx.position().unwrap().as_deref(), Some("outbox-7"));
    assert_eq!(ids(&idx, &SearchQuery::staff("卡纸")), ["ticket:1"]);
    assert!(ids(&idx, &SearchQuery::staff("异响")).is_empty());
    // Re-applying from the position: an upsert replaces, never duplicates.
    idx.upsert(&[
        ticket("1", "acme", "打印机卡纸", "卡纸 更新"),
        ticket("2", "acme", "主轴异响", "异响"),
    ])
    .unwrap();
    idx.commit("outbox-9").unwrap();
    assert_eq!(idx.len(), 2);
    assert_eq!(ids(&idx, &SearchQuery::staff("异响")), ["ticket:2"]);
    idx.remove("ticket:2");
    idx.commit("outbox-10").unwrap();
    assert!(ids(&idx, &SearchQuery::staff("异响")).is_empty());
    drop(idx);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rebuild_after_a_failed_one_adds_each_document_once() {
    let idx = SearchIndex::in_memory(&[]).unwrap();
    idx.upsert(&[ticket("1", "acme", "打印机卡纸", "卡纸")])
        .unwrap();
    idx.commit("outbox-1").unwrap();
    // A rebuild that fails half-way: cleared, one document added, never committed.
    idx.clear().unwrap();
    idx.add_new(&[ticket("1", "acme", "打印机卡纸", "卡纸")])
        .unwrap();
    // Searches still answer from the last commit meanwhile.
    assert_eq!(ids(&idx, &SearchQuery::staff("卡纸")), ["ticket:1"]);
    // The retry: cleared again, every document added once, committed.
    idx.clear().unwrap();
    idx.add_new(&[
        ticket("1", "acme", "打印机卡纸", "卡纸"),
        ticket("2", "acme", "主轴异响", "异响"),
    ])
    .unwrap();
    idx.commit("outbox-2").unwrap();
    assert_eq!(idx.len(), 2);
    assert_eq!(ids(&idx, &SearchQuery::staff("卡纸")), ["ticket:1"]);
    assert_eq!(idx.position().unwrap().as_deref(), Some("outbox-2"));
}

#[test]
fn an_index_of_an_older_schema_is_replaced_by_an_empty_one() {
    use tantivy::schema::{STORED, STRING, Schema};
    let dir = std::env::temp_dir().join(format!("kefu-search-schema-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    {
        // An index as an older kefu could have left it: another schema, a document, a position.
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED);
        let old = tantivy::Index::create_in_dir(&dir, b.build()).unwrap();
        let mut w: tantivy::IndexWriter = old.writer(15_000_000).unwrap();
        w.add_document(tantivy::doc!(id => "ticket:old")).unwrap();
        let mut p = w.prepare_commit().unwrap();
        p.set_payload("outbox-3");
        p.commit().unwrap();
    }
    let idx = SearchIndex::open(&dir, &[]).unwrap();
    assert!(idx.replaced_old_schema());
    assert!(idx.is_empty());
    // No position: the indexer rebuilds it from the database.
    assert_eq!(idx.position().unwrap(), None);
    idx.upsert(&[ticket("1", "acme", "打印机卡纸", "卡纸")])
        .unwrap();
    idx.commit("outbox-7").unwrap();
    drop(idx);
    // Reopened with the same schema: kept.
    let idx = SearchIndex::open(&dir, &[]).unwrap();
    assert!(!idx.replaced_old_schema());
    assert_eq!(ids(&idx, &SearchQuery::staff("卡纸")), ["ticket:1"]);
    drop(idx);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_new_dictionary_cuts_new_documents_and_queries_at_once() {
    let idx = SearchIndex::in_memory(&[]).unwrap();
    let name = "凯撒定影辊";
    assert!(
        !idx.words("更换凯撒定影辊").contains(&name.to_owned()),
        "{:?}",
        idx.words("更换凯撒定影辊")
    );
    idx.set_words(&[name.into()]);
    assert!(idx.words("更换凯撒定影辊").contains(&name.to_owned()));
    idx.upsert(&[ticket(
        "9",
        "acme",
        "更换凯撒定影辊",
        "凯撒定影辊磨损，需更换。",
    )])
    .unwrap();
    idx.commit("p").unwrap();
    let r = idx.search(&SearchQuery::staff(name)).unwrap();
    assert_eq!(r.hits.len(), 1);
    assert!(
        r.hits[0].snippet.contains(&format!("<b>{name}</b>")),
        "the whole name is one highlighted word: {}",
        r.hits[0].snippet
    );
}
