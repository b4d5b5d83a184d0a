//! Tickets over HTTP: optimistic concurrency with `If-Match`, `Idempotency-Key` on creation
//! (including concurrent retries), and cursor pagination.

mod common;

use std::collections::BTreeSet;

use common::{Server, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MATCH};
use serde_json::{Value, json};

fn etag(res: &reqwest::Response) -> String {
    res.headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("ETag")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_versions_are_409_and_current_ones_move_the_etag() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let t = srv.ticket(&srv.admin, json!({"subject": "并发"})).await;
        let path = format!("/tickets/{}", id_of(&t));

        let res = srv.get(&srv.admin, &path).send().await.expect("send");
        let v1 = etag(&res);
        assert_eq!(v1, format!("\"{}\"", t["version"]));

        // The current version succeeds and moves the ETag.
        let res = srv
            .patch(&srv.admin, &path, &json!({"priority": "P2"}))
            .header(IF_MATCH, &v1)
            .send()
            .await
            .expect("send");
        let v2 = etag(&res);
        let after = ok_json(res, StatusCode::OK).await;
        assert_ne!(v1, v2);
        assert_eq!(after["priority"], "P2");
        assert_eq!(v2, format!("\"{}\"", after["version"]));

        // The old version is refused, by header and by body, and changes nothing.
        let res = srv
            .patch(&srv.admin, &path, &json!({"priority": "P1"}))
            .header(IF_MATCH, &v1)
            .send()
            .await
            .expect("send");
        let p = problem(res, StatusCode::CONFLICT, "stale_version").await;
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{p}");
        let res = srv
            .patch(
                &srv.admin,
                &path,
                &json!({"priority": "P1", "version": t["version"]}),
            )
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::CONFLICT, "stale_version").await;
        let res = srv
            .post(
                &srv.admin,
                &format!("{path}/transition"),
                &json!({"to": "open"}),
            )
            .header(IF_MATCH, &v1)
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::CONFLICT, "stale_version").await;
        let res = srv
            .post(
                &srv.admin,
                &format!("{path}/assign"),
                &json!({"assignee_id": null}),
            )
            .header(IF_MATCH, "W/\"1\"")
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::CONFLICT, "stale_version").await;
        let res = srv.get(&srv.admin, &path).send().await.expect("send");
        assert_eq!(etag(&res), v2, "refused changes leave the version alone");
        let now = ok_json(res, StatusCode::OK).await;
        assert_eq!(now["priority"], "P2");
        assert_eq!(now["status"], t["status"]);

        // Two writers that read the same version: the second one loses.
        let first = srv
            .patch(&srv.admin, &path, &json!({"subject": "first"}))
            .header(IF_MATCH, &v2)
            .send()
            .await
            .expect("send");
        let v3 = etag(&first);
        ok_json(first, StatusCode::OK).await;
        let second = srv
            .patch(&srv.admin, &path, &json!({"subject": "second"}))
            .header(IF_MATCH, &v2)
            .send()
            .await
            .expect("send");
        problem(second, StatusCode::CONFLICT, "stale_version").await;
        let res = srv
            .post(
                &srv.admin,
                &format!("{path}/transition"),
                &json!({"to": "open"}),
            )
            .header(IF_MATCH, &v3)
            .send()
            .await
            .expect("send");
        assert_ne!(etag(&res), v3);
        let opened = ok_json(res, StatusCode::OK).await;
        assert_eq!(opened["subject"], "first");
        assert_eq!(opened["status"], "open");
        srv.stop();
        db.cleanup().await;
    }
}

/// POSTs a ticket with an `Idempotency-Key`.
async fn post_with_key(srv: &Server, key: &str, body: &Value) -> reqwest::Response {
    srv.post(&srv.admin, "/tickets", body)
        .header("Idempotency-Key", key)
        .send()
        .await
        .expect("send")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_key_replays_the_first_response() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let before = srv.ticket_count().await;
        let body = json!({"subject": "重复提交", "priority": "P2"});

        let first = ok_json(
            post_with_key(&srv, "key-1", &body).await,
            StatusCode::CREATED,
        )
        .await;
        let res = post_with_key(&srv, "key-1", &body).await;
        assert_eq!(
            res.headers()
                .get("idempotent-replayed")
                .and_then(|v| v.to_str().ok()),
            Some("true")
        );
        let again = ok_json(res, StatusCode::CREATED).await;
        assert_eq!(again, first, "the replay is the first response");
        assert_eq!(srv.ticket_count().await, before + 1);

        // Same key, different body: refused, nothing written.
        let res = post_with_key(&srv, "key-1", &json!({"subject": "另一个"})).await;
        problem(res, StatusCode::CONFLICT, "idempotency_mismatch").await;
        assert_eq!(srv.ticket_count().await, before + 1);

        // Keys belong to their user: another user's identical key is a new request.
        let agent = srv.user("agent", None).await;
        let theirs = ok_json(
            srv.post(&agent.token, "/tickets", &body)
                .header("Idempotency-Key", "key-1")
                .send()
                .await
                .expect("send"),
            StatusCode::CREATED,
        )
        .await;
        assert_ne!(theirs["id"], first["id"]);
        assert_eq!(srv.ticket_count().await, before + 2);

        // A refused request does not burn the key.
        let res = post_with_key(&srv, "key-2", &json!({"subject": "x", "priority": "P9"})).await;
        problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(srv.ticket_count().await, before + 2);
        let fixed = json!({"subject": "x", "priority": "P1"});
        ok_json(
            post_with_key(&srv, "key-2", &fixed).await,
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(srv.ticket_count().await, before + 3);

        // An empty or oversized key is a field error.
        for key in [String::new(), "k".repeat(201)] {
            let res = post_with_key(&srv, &key, &body).await;
            problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        }
        assert_eq!(srv.ticket_count().await, before + 3);
        srv.stop();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_with_one_key_open_one_ticket() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        for round in 0..3 {
            let before = srv.ticket_count().await;
            let key = format!("burst-{round}");
            let body = json!({"subject": format!("同时重试 {round}")});
            let sends = (0..8).map(|_| {
                let req = srv
                    .post(&srv.admin, "/tickets", &body)
                    .header("Idempotency-Key", &key);
                tokio::spawn(async move {
                    let res = req.send().await.expect("send");
                    let status = res.status();
                    (status, res.text().await.expect("body"))
                })
            });
            let mut ids = BTreeSet::new();
            for h in sends.collect::<Vec<_>>() {
                let (status, text) = h.await.expect("join");
                assert_eq!(status, StatusCode::CREATED, "{text}");
                let v: Value = serde_json::from_str(&text).expect("json");
                ids.insert(id_of(&v));
            }
            assert_eq!(ids.len(), 1, "every response names the same ticket");
            assert_eq!(
                srv.ticket_count().await,
                before + 1,
                "exactly one ticket for key {key}"
            );
        }
        srv.stop();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_pagination_returns_every_ticket_once() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let customer = srv.customer("分页客户").await;
        let mut created = BTreeSet::new();
        for i in 0..23 {
            let body = if i % 3 == 0 {
                json!({"subject": format!("工单 {i}"), "customer_id": customer})
            } else {
                json!({"subject": format!("工单 {i}")})
            };
            created.insert(id_of(&srv.ticket(&srv.admin, body).await));
        }

        for limit in [1u64, 5, 10, 23, 50] {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            let mut pages = 0;
            loop {
                let mut path = format!("/tickets?limit={limit}");
                if let Some(c) = &cursor {
                    path.push_str(&format!("&cursor={c}"));
                }
                let page = ok_json(
                    srv.get(&srv.admin, &path).send().await.expect("send"),
                    StatusCode::OK,
                )
                .await;
                let items = page["items"].as_array().expect("items");
                assert!(items.len() as u64 <= limit);
                seen.extend(items.iter().map(|t| {
                    (
                        t["created_at"].as_str().expect("created_at").to_owned(),
                        id_of(t),
                    )
                }));
                pages += 1;
                assert!(pages <= 30, "pagination does not end");
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_owned()),
                    None => break,
                }
            }
            let ids: BTreeSet<_> = seen.iter().map(|(_, id)| *id).collect();
            assert_eq!(ids.len(), seen.len(), "no ticket twice (limit {limit})");
            assert_eq!(ids, created, "every ticket (limit {limit})");
            assert!(
                seen.windows(2).all(|w| {
                    let a = chrono::DateTime::parse_from_rfc3339(&w[0].0).expect("time");
                    let b = chrono::DateTime::parse_from_rfc3339(&w[1].0).expect("time");
                    a >= b
                }),
                "newest first (limit {limit})"
            );
        }

        // Filters hold across pages.
        let mut seen = 0;
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/tickets?limit=2&customer_id={customer}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = ok_json(
                srv.get(&srv.admin, &path).send().await.expect("send"),
                StatusCode::OK,
            )
            .await;
            for t in page["items"].as_array().expect("items") {
                assert_eq!(t["customer_id"], customer.to_string());
                seen += 1;
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, 8);

        let res = srv
            .get(&srv.admin, "/tickets?cursor=garbage")
            .send()
            .await
            .expect("send");
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        common::assert_field(&p, "cursor", "invalid");
        // An empty cursor is the first page.
        let mut firsts = Vec::new();
        for path in ["/tickets?limit=3", "/tickets?limit=3&cursor="] {
            let res = srv.get(&srv.admin, path).send().await.expect("send");
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let page: serde_json::Value = res.json().await.expect("json");
            firsts.push(page["items"].clone());
        }
        assert_eq!(firsts[0].as_array().map(Vec::len), Some(3));
        assert_eq!(firsts[0], firsts[1]);
        srv.stop();
        db.cleanup().await;
    }
}
