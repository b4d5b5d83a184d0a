//! Outbound webhooks on both databases against a local receiver whose first answer is 500:
//! the event is retried after the backoff with the same delivery id, a later event of the
//! same ticket waits for it (order kept), every request carries a signature the secret
//! verifies, the log shows tries and answers, and a delivery can be sent again.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};

type Seen = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

async fn receiver() -> (SocketAddr, Seen, tokio::task::JoinHandle<()>) {
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let seen = s2.clone();
            async move {
                let mut g = seen.lock().unwrap();
                g.push((headers, body));
                if g.len() == 1 {
                    AxumStatus::INTERNAL_SERVER_ERROR
                } else {
                    AxumStatus::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let h = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (addr, seen, h)
}

fn header(h: &HeaderMap, k: &str) -> String {
    h.get(k).unwrap().to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_retry_in_order_signed() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let (addr, seen, rx) = receiver().await;
        let agent = srv.user("agent", None).await;
        let hook = json!({"name": "ERP", "url": format!("http://{addr}/hook"),
            "events": ["ticket.*", "purchase_request.*"]});
        problem(
            srv.post(&agent.token, "/webhooks", &hook)
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let p = problem(
            srv.post(
                &srv.admin,
                "/webhooks",
                &json!({"name": "x", "url": "ftp://erp.example.cn/", "events": ["Ticket"]}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "url", "invalid");
        assert_field(&p, "events[0]", "invalid");
        let created = ok_json(
            srv.post(&srv.admin, "/webhooks", &hook)
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let secret = created["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("whsec_"));
        let wid = id_of(&created);
        let listed = ok_json(
            srv.get(&srv.admin, "/webhooks").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(listed[0]["secret"].as_str().unwrap().starts_with('…'));

        // Two events of one ticket.
        let t = srv
            .ticket(&srv.admin, json!({"subject": "压缩机不启动"}))
            .await;
        let tid = id_of(&t);
        ok_json(
            srv.post(
                &srv.admin,
                &format!("/tickets/{tid}/transition"),
                &json!({"to": "open"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        let d = kefu_app::notify::dispatch_outbox(&srv.app, 100)
            .await
            .unwrap();
        assert!(d.webhooks >= 2, "{d:?}");

        let now = chrono::Utc::now();
        let r = kefu_app::webhooks::deliver_due(&srv.app, 50, now)
            .await
            .unwrap();
        assert_eq!((r.delivered, r.retrying), (0, 1), "the first answer is 500");
        assert_eq!(
            seen.lock().unwrap().len(),
            1,
            "the later event waits for the first"
        );
        let log = ok_json(
            srv.get(
                &srv.admin,
                &format!("/webhooks/{wid}/deliveries?status=pending"),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        let first = log
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["attempts"] == 1)
            .unwrap()
            .clone();
        assert_eq!(first["last_status"], 500);
        assert_eq!(first["topic"], "ticket.created");
        let next: chrono::DateTime<chrono::Utc> =
            first["next_attempt_at"].as_str().unwrap().parse().unwrap();
        let wait = (next - now).num_milliseconds();
        assert!(
            (29_000..=30_000).contains(&wait),
            "first retry after 30 s, not {wait} ms"
        );
        // Not yet due: nothing is sent.
        let r = kefu_app::webhooks::deliver_due(&srv.app, 50, now + chrono::Duration::seconds(10))
            .await
            .unwrap();
        assert_eq!(r, Default::default());
        // Due: the retry, then the next event of the ticket.
        let later = now + chrono::Duration::seconds(31);
        kefu_app::webhooks::deliver_due(&srv.app, 50, later)
            .await
            .unwrap();
        kefu_app::webhooks::deliver_due(&srv.app, 50, later)
            .await
            .unwrap();
        let got: Vec<(String, String, Value)> = seen
            .lock()
            .unwrap()
            .iter()
            .map(|(h, b)| {
                let sig = header(h, "x-kefu-signature");
                let ts: i64 = sig[2..sig.find(',').unwrap()].parse().unwrap();
                kefu_channels::bots::verify_webhook_signature(secret.as_bytes(), &sig, b, ts, 5)
                    .expect("the signature verifies with the secret");
                (
                    header(h, "x-kefu-event"),
                    header(h, "x-kefu-delivery"),
                    serde_json::from_slice(b).unwrap(),
                )
            })
            .collect();
        let events: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(
            &events[..3],
            ["ticket.created", "ticket.created", "ticket.status_changed"],
            "{events:?}"
        );
        assert_eq!(got[0].1, got[1].1, "a retry keeps its delivery id");
        assert_eq!(got[1].2["data"]["ticket"]["id"], tid.to_string());
        assert_eq!(got[2].2["data"]["event"]["data"]["to"], "open");

        // Redelivery sends the same delivery again.
        let delivered = ok_json(
            srv.get(
                &srv.admin,
                &format!("/webhooks/{wid}/deliveries?status=delivered"),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        let last = delivered[0]["id"].as_str().unwrap().to_owned();
        ok_json(
            srv.post(
                &srv.admin,
                &format!("/webhooks/{wid}/deliveries/{last}/redeliver"),
                &json!({}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        kefu_app::webhooks::deliver_due(&srv.app, 50, chrono::Utc::now())
            .await
            .unwrap();
        let resent = header(&seen.lock().unwrap().last().unwrap().0, "x-kefu-delivery");
        assert_eq!(resent, last);
        rx.abort();
        srv.stop();
        db.cleanup().await;
    }
}
