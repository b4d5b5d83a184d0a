//! Malformed requests over HTTP: every refusal is a 4xx problem document naming the field at
//! fault, never a 500, and nothing is written.

mod common;

use common::{Server, assert_field, ok_json, problem};
use kefu_store::testing::TestDb;
use kefu_web::WebSettings;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;

/// Sends a raw body as JSON to `POST /tickets`.
async fn post_raw(srv: &Server, body: &str) -> reqwest::Response {
    srv.client
        .post(srv.url("/tickets"))
        .bearer_auth(&srv.admin)
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("send")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_ticket_bodies_are_problems_and_write_nothing() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        srv.ticket(&srv.admin, json!({"subject": "existing"})).await;
        let before = srv.ticket_count().await;

        // Syntax errors: 400 without field errors.
        for body in ["{\"subject\":", "not json", "{\"subject\": \"x\",}", ""] {
            let p = problem(
                post_raw(&srv, body).await,
                StatusCode::BAD_REQUEST,
                "invalid_json",
            )
            .await;
            assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{p}");
        }

        // Shape errors: 422 naming the field.
        let cases = [
            (r#"{"subject":"x","bogus":1}"#, "bogus", "unknown"),
            (r#"{"description":"no subject"}"#, "subject", "required"),
            (r#"{"subject":5}"#, "subject", "wrong_type"),
            (r#"{"subject":null}"#, "subject", "wrong_type"),
            (r#"{"subject":"x","tags":[1]}"#, "tags[0]", "wrong_type"),
            (
                r#"{"subject":"x","customer_id":"nope"}"#,
                "customer_id",
                "wrong_type",
            ),
            (
                r#"{"subject":"x","custom_fields":[]}"#,
                "custom_fields",
                "wrong_type",
            ),
        ];
        for (body, field, code) in cases {
            let p = problem(
                post_raw(&srv, body).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
            assert_field(&p, field, code);
        }

        // Values the use case refuses.
        let cases = [
            (
                json!({"subject": "x", "priority": "P9"}),
                "priority",
                "invalid",
            ),
            (
                json!({"subject": "x", "kind": "nosuchtype"}),
                "kind",
                "unknown",
            ),
            (
                json!({"subject": "x", "kind": "Bad Kind!"}),
                "kind",
                "invalid",
            ),
            (
                json!({"subject": "x", "channel": "pigeon"}),
                "channel",
                "invalid",
            ),
            (json!({"subject": "   "}), "subject", "invalid"),
            (
                json!({"subject": "x", "customer_id": uuid::Uuid::now_v7()}),
                "customer_id",
                "not_found",
            ),
        ];
        for (body, field, code) in cases {
            let p = problem(
                srv.post(&srv.admin, "/tickets", &body)
                    .send()
                    .await
                    .expect("send"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .await;
            assert_field(&p, field, code);
        }

        // Not JSON at all.
        let res = srv
            .client
            .post(srv.url("/tickets"))
            .bearer_auth(&srv.admin)
            .header(CONTENT_TYPE, "text/plain")
            .body("subject=x")
            .send()
            .await
            .expect("send");
        problem(
            res,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;

        assert_eq!(srv.ticket_count().await, before, "nothing was written");
        srv.stop();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_on_other_routes_are_problems() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let t = srv.ticket(&srv.admin, json!({"subject": "patch me"})).await;
        let path = format!("/tickets/{}", t["id"].as_str().expect("id"));

        // PATCH through the shared extractor.
        let p = problem(
            srv.patch(&srv.admin, &path, &json!({"priority": "P9"}))
                .send()
                .await
                .expect("send"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "priority", "invalid");
        let p = problem(
            srv.patch(&srv.admin, &path, &json!({"status": "closed"}))
                .send()
                .await
                .expect("send"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "status", "unknown");
        let p = problem(
            srv.post(
                &srv.admin,
                &format!("{path}/transition"),
                &json!({"to": "nowhere"}),
            )
            .send()
            .await
            .expect("send"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "to", "unknown_status");
        let after = ok_json(
            srv.get(&srv.admin, &path).send().await.expect("send"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            after["version"], t["version"],
            "refused patches change nothing"
        );
        assert_eq!(after["priority"], t["priority"]);

        // Customers and users.
        let p = problem(
            srv.post(&srv.admin, "/customers", &json!({"name": "x", "tier": 3}))
                .send()
                .await
                .expect("send"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "tier", "wrong_type");
        let p = problem(
            srv.post(
                &srv.admin,
                "/users",
                &json!({"email": "not-an-email", "name": "x", "role": "wizard"}),
            )
            .send()
            .await
            .expect("send"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "email", "invalid");
        assert_field(&p, "role", "invalid");

        // Query strings and path parameters.
        for q in ["limit=abc", "bogus=1", "unassigned=maybe"] {
            problem(
                srv.get(&srv.admin, &format!("/tickets?{q}"))
                    .send()
                    .await
                    .expect("send"),
                StatusCode::BAD_REQUEST,
                "invalid_query",
            )
            .await;
        }
        let p = problem(
            srv.get(&srv.admin, "/tickets?limit=0")
                .send()
                .await
                .expect("send"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "limit", "out_of_range");
        problem(
            srv.get(&srv.admin, "/tickets/not-a-uuid")
                .send()
                .await
                .expect("send"),
            StatusCode::BAD_REQUEST,
            "invalid_path",
        )
        .await;
        problem(
            srv.get(&srv.admin, &format!("/tickets/{}", uuid::Uuid::now_v7()))
                .send()
                .await
                .expect("send"),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        problem(
            srv.get(&srv.admin, "/no-such-route")
                .send()
                .await
                .expect("send"),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        let res = srv
            .client
            .put(srv.url("/tickets"))
            .bearer_auth(&srv.admin)
            .send()
            .await
            .expect("send");
        let allow = res
            .headers()
            .get(reqwest::header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        assert!(
            allow.contains("GET") && allow.contains("POST"),
            "Allow: {allow}"
        );
        problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;

        srv.stop();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_bodies_are_413_problems() {
    for db in TestDb::all().await {
        let settings = WebSettings {
            max_body_bytes: 64 * 1024,
            ..WebSettings::default()
        };
        let srv = Server::start_with(&db, settings).await;
        let before = srv.ticket_count().await;
        let big = "长".repeat(40 * 1024);

        // Through the ticket handler (raw body) and through the shared JSON extractor.
        let res = srv
            .post(
                &srv.admin,
                "/tickets",
                &json!({"subject": "x", "description": big}),
            )
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
        let res = srv
            .post(
                &srv.admin,
                "/customers",
                &json!({"name": "x", "notes": big}),
            )
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;

        // A chunked body without Content-Length is cut off while it is read.
        let (head, body) = raw_chunked_post(&srv, "/api/v1/tickets", 100 * 1024).await;
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(body.contains("\"payload_too_large\""), "{body}");

        // An attachment over the limit.
        let part = reqwest::multipart::Part::bytes(vec![7u8; 100 * 1024]).file_name("big.bin");
        let t = srv.ticket(&srv.admin, json!({"subject": "files"})).await;
        let res = srv
            .client
            .post(srv.url(&format!(
                "/tickets/{}/attachments",
                t["id"].as_str().expect("id")
            )))
            .bearer_auth(&srv.admin)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;

        assert_eq!(
            srv.ticket_count().await,
            before + 1,
            "only the `files` ticket"
        );
        srv.stop();
        db.cleanup().await;
    }
}

/// Sends a chunked JSON body of about `size` bytes over a raw connection; returns the
/// response head and body.
async fn raw_chunked_post(srv: &Server, path: &str, size: usize) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = srv.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        srv.admin
    );
    s.write_all(head.as_bytes()).await.expect("write head");
    let chunk = format!(
        "{{\"subject\":\"x\",\"description\":\"{}\"}}",
        "a".repeat(size)
    );
    // The server may answer and close before everything is written.
    let _ = s
        .write_all(format!("{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len()).as_bytes())
        .await;
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (head.to_owned(), body.to_owned())
}
