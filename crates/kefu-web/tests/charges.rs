//! Service charges over HTTP on both databases: the price list (checked, upserted by ERP id,
//! tier prices), lines zeroed by warranty and contract rules on the service date, a consumed
//! part billed once, hand prices and waivers only for `charges.manage`, quotations the
//! customer accepts (and only their own), superseded by a later change, and finance exports
//! that take each line of a finished ticket exactly once, even when two run at the same time.

mod common;

use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn created(srv: &Server, token: &str, path: &str, body: Value) -> Value {
    ok_json(
        srv.post(token, path, &body).send().await.unwrap(),
        StatusCode::CREATED,
    )
    .await
}

async fn charges_of(srv: &Server, token: &str, tid: Uuid) -> Value {
    ok_json(
        srv.get(token, &format!("/tickets/{tid}/charges"))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await
}

async fn ticket_on_asset(
    srv: &Server,
    company: Uuid,
    serial: &str,
    warranty_end: &str,
    contract_end: Option<&str>,
) -> Uuid {
    let asset = created(
        srv,
        &srv.admin,
        &format!("/customers/{company}/assets"),
        json!({"product_name": "JX-9 激光切割机", "serial_number": serial,
            "warranty_end": warranty_end, "contract_end": contract_end}),
    )
    .await;
    id_of(
        &srv.ticket(
            &srv.admin,
            json!({"subject": format!("{serial} 无法启动"), "customer_id": company,
                "asset_id": id_of(&asset)}),
        )
        .await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charges_quotes_and_exports() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let finance = srv.user("finance", None).await;
        let company = srv.customer("华东精密").await;
        let other = srv.customer("别家公司").await;
        let portal = srv.user("customer", Some(company)).await;
        let stranger = srv.user("customer", Some(other)).await;

        // The price list: checked field by field; only charges.manage writes it.
        let p = problem(
            srv.post(
                &srv.admin,
                "/price-items",
                &json!({"code": "bad code", "name": "", "kind": "part", "unit": "次",
                    "unit_price_cents": -1}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        for (f, code) in [
            ("code", "invalid"),
            ("name", "invalid"),
            ("kind", "invalid"),
            ("unit_price_cents", "not_positive"),
        ] {
            assert_field(&p, f, code);
        }
        let item = |code: &str, kind: &str, unit: &str, price: i64| {
            json!({"code": code, "name": format!("{code} 项目"), "kind": kind, "unit": unit,
                "unit_price_cents": price})
        };
        let res = srv
            .post(&agent.token, "/price-items", &item("X", "fee", "次", 1))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let mut labour = item("LAB-STD", "labour", "小时", 12_000);
        labour["vip_price_cents"] = json!(10_000);
        labour["external_id"] = json!("ERP-LAB-1");
        let lab = ok_json(
            srv.post(&srv.admin, "/price-items", &labour)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        // The ERP pushes the same entry again with a new price: updated, not duplicated.
        labour["unit_price_cents"] = json!(12_000);
        labour["name"] = json!("标准工时");
        let again = ok_json(
            srv.post(&srv.admin, "/price-items", &labour)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(again["id"], lab["id"]);
        assert_eq!(again["name"], "标准工时");
        let fee = ok_json(
            srv.post(
                &srv.admin,
                "/price-items",
                &item("FEE-EXP", "fee", "次", 5_000),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        let list = ok_json(
            srv.get(&agent.token, "/price-items").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(list.as_array().unwrap().len(), 2, "{list}");

        // In warranty (ends far ahead): labour and parts free, the expedite fee billed.
        let t1 = ticket_on_asset(&srv, company, "JX9-0001", "2099-12-31", None).await;
        let add = |token: &str, tid: Uuid, body: Value| {
            srv.post(token, &format!("/tickets/{tid}/charges"), &body)
        };
        let l1 = ok_json(
            add(
                &agent.token,
                t1,
                json!({"price_item_id": id_of(&lab), "quantity": 1.5}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(l1["list_cents"], 18_000);
        assert_eq!(l1["coverage"], "warranty");
        assert_eq!(l1["due_cents"], 0);
        ok_json(
            add(
                &agent.token,
                t1,
                json!({"price_item_id": id_of(&fee), "quantity": 1}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        // Hand prices and waivers are for charges.manage; bad quantities are field errors.
        for body in [
            json!({"price_item_id": id_of(&fee), "quantity": 1, "goodwill": true}),
            json!({"price_item_id": id_of(&fee), "quantity": 1, "unit_price_cents": 1}),
            json!({"kind": "fee", "description": "杂费", "quantity": 1, "unit_price_cents": 1}),
        ] {
            let res = add(&agent.token, t1, body).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
        }
        let p = problem(
            add(
                &agent.token,
                t1,
                json!({"price_item_id": id_of(&fee), "quantity": 0.0001}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "quantity", "too_precise");

        // A part consumed on the job is billed once, at its price, covered by the warranty.
        let part = created(
            &srv,
            &srv.admin,
            "/parts",
            json!({"code": "LD-40", "name": "激光头", "unit_price_cents": 350_000}),
        )
        .await;
        let wh = created(
            &srv,
            &srv.admin,
            "/warehouses",
            json!({"code": "SH", "name": "上海仓"}),
        )
        .await;
        created(
            &srv,
            &srv.admin,
            "/stock/receipts",
            json!({"part_id": id_of(&part), "warehouse_id": id_of(&wh), "quantity": 5}),
        )
        .await;
        let out = created(
            &srv,
            &agent.token,
            &format!("/tickets/{t1}/parts"),
            json!({"part_id": id_of(&part), "warehouse_id": id_of(&wh), "quantity": 2}),
        )
        .await;
        let line = out["reserved"]["id"].as_str().unwrap().to_owned();
        ok_json(
            srv.post(
                &agent.token,
                &format!("/tickets/{t1}/parts/{line}/consume"),
                &json!({}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        let c1 = charges_of(&srv, &agent.token, t1).await;
        assert_eq!(c1["entitlement"], "in_warranty");
        let lines = c1["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 3, "{c1}");
        let billed: Vec<&Value> = lines.iter().filter(|l| l["part_line_id"] == line).collect();
        assert_eq!(billed.len(), 1);
        assert_eq!(billed[0]["list_cents"], 700_000);
        assert_eq!(billed[0]["coverage"], "warranty");
        assert_eq!(
            c1["totals"],
            json!({"list": 723_000, "covered": 718_000, "due": 5_000})
        );

        // Out of warranty, under contract: labour covered, the part billed. The admin waives
        // a fee (goodwill) and prices one by hand.
        let t2 = ticket_on_asset(&srv, company, "JX9-0002", "2020-01-01", Some("2099-12-31")).await;
        for body in [
            json!({"price_item_id": id_of(&lab), "quantity": 2}),
            json!({"part_id": id_of(&part), "quantity": 1}),
        ] {
            ok_json(
                add(&agent.token, t2, body).send().await.unwrap(),
                StatusCode::CREATED,
            )
            .await;
        }
        let waived = ok_json(
            add(
                &srv.admin,
                t2,
                json!({"price_item_id": id_of(&fee), "quantity": 1, "goodwill": true}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(waived["coverage"], "goodwill");
        let c2 = charges_of(&srv, &agent.token, t2).await;
        assert_eq!(c2["entitlement"], "in_contract");
        let cov: Vec<Value> = c2["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["coverage"].clone())
            .collect();
        assert_eq!(cov, vec![json!("contract"), Value::Null, json!("goodwill")]);
        assert_eq!(c2["totals"]["due"], 350_000);
        // Customers do not read charge lines.
        let res = srv
            .get(&portal.token, &format!("/tickets/{t2}/charges"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // A quotation: the customer sees and accepts it; nobody else sees it.
        let q = created(
            &srv,
            &agent.token,
            &format!("/tickets/{t2}/quotes"),
            json!({"note": "报价 7 天内有效"}),
        )
        .await;
        assert!(q["number"].as_str().unwrap().starts_with("QT-"), "{q}");
        assert_eq!(q["due_cents"], 350_000);
        assert_eq!(q["lines"].as_array().unwrap().len(), 3);
        let mine = ok_json(
            srv.get(&portal.token, &format!("/tickets/{t2}/quotes"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(mine[0]["id"], q["id"]);
        let qid = id_of(&q);
        let decide = |token: &str, accept: bool| {
            srv.post(
                token,
                &format!("/quotes/{qid}/decision"),
                &json!({"accept": accept, "comment": "同意维修"}),
            )
        };
        let res = srv
            .get(&stranger.token, &format!("/tickets/{t2}/quotes"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        problem(
            decide(&stranger.token, false).send().await.unwrap(),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        let accepted = ok_json(
            decide(&portal.token, true).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(accepted["status"], "accepted");
        problem(
            decide(&portal.token, false).send().await.unwrap(),
            StatusCode::CONFLICT,
            "quote_closed",
        )
        .await;
        // A later change supersedes the accepted quotation (and says so on the ticket).
        ok_json(
            add(
                &agent.token,
                t2,
                json!({"price_item_id": id_of(&fee), "quantity": 1}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let c2 = charges_of(&srv, &agent.token, t2).await;
        assert_eq!(c2["quotes"][0]["status"], "superseded");
        let history = ok_json(
            srv.get(&portal.token, &format!("/tickets/{t2}/history"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let kinds: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["kind"].as_str())
            .collect();
        for k in ["quote_sent", "quote_accepted", "quote_superseded"] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
        assert!(
            !kinds.contains(&"charge_added"),
            "internal events stay internal"
        );

        // Finance: nothing is ready while the tickets are open; agents cannot export.
        problem(
            srv.post(&finance.token, "/charges/exports", &json!({}))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing_to_export",
        )
        .await;
        let res = srv
            .post(&agent.token, "/charges/exports", &json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        for t in [t1, t2] {
            ok_json(
                srv.post(
                    &srv.admin,
                    &format!("/tickets/{t}/transition"),
                    &json!({"to": "resolved"}),
                )
                .send()
                .await
                .unwrap(),
                StatusCode::OK,
            )
            .await;
        }
        let ready = ok_json(
            srv.get(&finance.token, "/charges/unexported")
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(ready["ready_lines"], 7, "{ready}");
        assert_eq!(ready["ready"]["due"], 5_000 + 350_000 + 5_000);

        // Two exports at once: every line lands in exactly one batch.
        let (a, b) = tokio::join!(
            srv.post(&finance.token, "/charges/exports", &json!({}))
                .send(),
            srv.post(&srv.admin, "/charges/exports", &json!({})).send(),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let statuses = [a.status(), b.status()];
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::CREATED)
                .count(),
            1,
            "{statuses:?}"
        );
        let batch = if a.status() == StatusCode::CREATED {
            a
        } else {
            b
        };
        let batch: Value = batch.json().await.unwrap();
        assert_eq!(batch["line_count"], 7);
        assert_eq!(batch["due_cents"], 360_000);
        problem(
            srv.post(&finance.token, "/charges/exports", &json!({}))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing_to_export",
        )
        .await;
        // Exported lines are frozen.
        let exported = c1["lines"][0]["id"].as_str().unwrap();
        let res = srv
            .client
            .delete(srv.url(&format!("/tickets/{t1}/charges/{exported}")))
            .bearer_auth(&agent.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT);
        // The batch downloads as often as needed, for Excel.
        let bid = id_of(&batch);
        let res = srv
            .get(
                &finance.token,
                &format!("/charges/exports/{bid}/file?format=csv"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xef\xbb\xbf"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text.lines().count(), 8, "{text}");
        assert!(
            text.contains("3500.00") && text.contains("华东精密"),
            "{text}"
        );
        assert!(text.contains(batch["number"].as_str().unwrap()));
        let batches = ok_json(
            srv.get(&finance.token, "/charges/exports")
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(batches.as_array().unwrap().len(), 1);
        srv.stop();
    }
}
