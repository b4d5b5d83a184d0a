//! Channels through the API on both databases: mail settings (validated, password never
//! returned), mailboxes (a failed poll is recorded, not thrown), group bots (SSRF guard; a
//! DingTalk bot receives a signed message when a ticket is opened), in-app notifications (only
//! one's own), and the phone channel (call log, ticket from a call, CTI screen pop).

mod common;

use common::outside::{fake_http, next, run_jobs};
use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn dingtalk_ok(_line: &str) -> &'static str {
    r#"{"errcode":0,"errmsg":"ok"}"#
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_settings_mailboxes_and_bots() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;

        // Mail settings: admins only, validated per field, password write-only.
        problem(
            srv.get(&agent.token, "/mail/settings")
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let mut s = ok_json(
            srv.get(&srv.admin, "/mail/settings").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        s["outbound"]["enabled"] = json!(true);
        let put = |v: &Value| {
            srv.client
                .put(srv.url("/mail/settings"))
                .bearer_auth(&srv.admin)
                .json(v)
        };
        let p = problem(
            put(&s).send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "outbound.smtp_host", "required");
        assert_field(&p, "outbound.from_address", "invalid");
        s["outbound"]["smtp_host"] = json!("smtp.example.cn");
        s["outbound"]["from_address"] = json!("support@example.cn");
        s["outbound"]["smtp_password"] = json!("s3cret-pw");
        let saved = ok_json(put(&s).send().await.unwrap(), StatusCode::OK).await;
        assert_eq!(saved["outbound"]["smtp_password"], "");
        let got = ok_json(
            srv.get(&srv.admin, "/mail/settings").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(got["outbound"]["smtp_host"], "smtp.example.cn");
        assert_eq!(got["outbound"]["smtp_password"], "");
        // Saving again without a password keeps the stored one.
        ok_json(put(&got).send().await.unwrap(), StatusCode::OK).await;
        let stored = kefu_app::intake::MailSettings::load(srv.app.store.conn())
            .await
            .unwrap();
        assert_eq!(stored.outbound.smtp_password, "s3cret-pw");
        let audit = ok_json(
            srv.get(&srv.admin, "/audit").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(
            !audit.to_string().contains("s3cret-pw"),
            "the audit log must not hold the password"
        );

        // Mailboxes: a bad port is a field error; an unreachable server is recorded on the box.
        let mb = json!({"name": "售后信箱", "host": "127.0.0.1", "port": 0, "security": "none",
                        "username": "support@kefu.test", "password": "pw-123456"});
        let p = problem(
            srv.post(&srv.admin, "/mailboxes", &mb)
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "port", "out_of_range");
        let mut mb = mb;
        mb["port"] = json!(1);
        let created = ok_json(
            srv.post(&srv.admin, "/mailboxes", &mb)
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert!(created.get("password").is_none());
        let poll_path = format!("/mailboxes/{}/poll", id_of(&created));
        problem(
            srv.post(&agent.token, &poll_path, &json!({}))
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let poll = ok_json(
            srv.post(
                &srv.admin,
                &format!("/mailboxes/{}/poll", id_of(&created)),
                &json!({}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(
            poll["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{poll}"
        );
        let list = ok_json(
            srv.get(&srv.admin, "/mailboxes").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(list[0]["last_error"].as_str().is_some(), "{list}");
        assert!(!list.to_string().contains("pw-123456"));
        problem(
            srv.post(&srv.admin, "/mailboxes", &mb)
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;

        // Bots: a webhook must point at the vendor (or loopback in tests).
        let evil = json!({"name": "x", "kind": "dingtalk", "url": "https://169.254.169.254/robot/send?access_token=a", "events": ["ticket.created"]});
        let p = problem(
            srv.post(&srv.admin, "/bots", &evil).send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "url", "invalid");
        let bad_event = json!({"name": "x", "kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=a", "events": ["ticket.exploded"]});
        let p = problem(
            srv.post(&srv.admin, "/bots", &bad_event)
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "events[0]", "invalid");

        let (base, mut seen) = fake_http(dingtalk_ok).await;
        let url = format!("{base}/robot/send?access_token=t0ken");
        let bot = ok_json(
            srv.post(
                &srv.admin,
                "/bots",
                &json!({"name": "售后群", "kind": "dingtalk", "url": url, "secret": "SECabc",
                "events": ["ticket.created", "ticket.assigned"]}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert!(
            !bot.to_string().contains("t0ken") && !bot.to_string().contains("SECabc"),
            "{bot}"
        );
        assert_eq!(bot["has_secret"], true);

        let t = srv
            .ticket(
                &agent.token,
                json!({"subject": "产线停机", "priority": "P1"}),
            )
            .await;
        let d = kefu_app::notify::dispatch_outbox(&srv.app, 100)
            .await
            .unwrap();
        assert_eq!(d.bot_messages, 1, "{d:?}");
        let app = &srv.app;
        let sent = run_jobs(&srv, "bot.send", |j| async move {
            kefu_app::notify::send_bot_message(app, &j).await.unwrap()
        })
        .await;
        assert_eq!(sent, vec![kefu_app::notify::BotSend::Delivered]);
        let (line, body) = next(&mut seen).await;
        assert!(
            line.starts_with("POST /robot/send?access_token=t0ken&timestamp="),
            "{line}"
        );
        assert!(
            line.contains("&sign="),
            "DingTalk signature missing: {line}"
        );
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["msgtype"], "markdown");
        assert!(
            body["markdown"]["text"]
                .as_str()
                .unwrap()
                .contains(t["number"].as_str().unwrap()),
            "{body}"
        );
        let bots = ok_json(
            srv.get(&srv.admin, "/bots").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(bots[0]["last_status"], "ok");

        // Notifications: the assignee hears of the assignment; only their own can be read.
        let other = srv.user("agent", None).await;
        let res = srv
            .post(
                &srv.admin,
                &format!("/tickets/{}/assign", id_of(&t)),
                &json!({"assignee_id": agent.id}),
            )
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;
        kefu_app::notify::dispatch_outbox(&srv.app, 100)
            .await
            .unwrap();
        let mine = ok_json(
            srv.get(&agent.token, "/notifications?unread=true")
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let n = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "assigned")
            .expect("assigned notice")
            .clone();
        assert_eq!(n["ticket_id"], t["id"]);
        let theirs = ok_json(
            srv.post(
                &other.token,
                "/notifications/read",
                &json!({"ids": [n["id"]]}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            theirs["marked"], 0,
            "someone else's notification stays unread"
        );
        let marked = ok_json(
            srv.post(&agent.token, "/notifications/read", &json!({}))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(marked["marked"].as_u64().unwrap() >= 1);
        let unread = ok_json(
            srv.get(&agent.token, "/notifications?unread=true")
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(unread.as_array().unwrap().len(), 0);
        srv.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_calls_and_screen_pop() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let cust = srv.customer("华东精密机械").await;
        let res = srv
            .post(
                &srv.admin,
                &format!("/customers/{cust}/contacts"),
                &json!({"name": "王工", "phone": "+86 138-0013-8000"}),
            )
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::CREATED).await;
        let open = srv
            .ticket(
                &agent.token,
                json!({"subject": "主轴异响", "customer_id": cust}),
            )
            .await;

        // CTI: the caller is recognised whatever the number's format; one call id, one call.
        let call = json!({"number": "13800138000", "call_id": "cti-1", "agent_email": agent.email});
        let pop = ok_json(
            srv.post(&agent.token, "/cti/incoming", &call)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(pop["customer_name"], "华东精密机械");
        assert_eq!(pop["contact_name"], "王工");
        assert_eq!(pop["open_tickets"][0]["id"], open["id"]);
        let again = ok_json(
            srv.post(&agent.token, "/cti/incoming", &call)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(again["call_id"], pop["call_id"]);
        let notes = ok_json(
            srv.get(&agent.token, "/notifications")
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            notes
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["kind"] == "incoming_call")
                .count(),
            1
        );
        let unknown = ok_json(
            srv.post(
                &agent.token,
                "/cti/incoming",
                &json!({"number": "021-5555 0000"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(
            unknown["customer_id"].is_null()
                && unknown["open_tickets"].as_array().unwrap().is_empty()
        );

        // Logging: a call opens a phone ticket for the caller's customer…
        let logged = ok_json(
            srv.post(&agent.token, "/calls", &json!({"direction": "in", "number": "138 0013 8000", "duration_seconds": 180,
                "notes": "客户反映二号机漏油", "new_ticket_subject": "二号机漏油", "new_ticket_priority": "P2"}))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(logged["ticket"]["channel"], "phone");
        assert_eq!(logged["ticket"]["customer_id"], json!(cust));
        // …or lands on an existing ticket's history.
        let on_ticket = ok_json(
            srv.post(
                &agent.token,
                "/calls",
                &json!({"direction": "out", "number": "13800138000", "duration_seconds": 60,
                "notes": "回访确认", "ticket_id": open["id"]}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(on_ticket["call"]["ticket_id"], open["id"]);
        let history = ok_json(
            srv.get(&agent.token, &format!("/tickets/{}/history", id_of(&open)))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(history.to_string().contains("回访确认"), "{history}");
        let calls = ok_json(
            srv.get(&agent.token, &format!("/calls?customer_id={cust}"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(calls.as_array().unwrap().len(), 3);

        // Bad input is a field error; customers never see the call log.
        let p = problem(
            srv.post(
                &agent.token,
                "/calls",
                &json!({"direction": "sideways", "number": "x"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "direction", "invalid");
        assert_field(&p, "number", "invalid");
        let portal = srv.user("customer", Some(cust)).await;
        let res = srv.get(&portal.token, "/calls").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        srv.stop();
    }
}
