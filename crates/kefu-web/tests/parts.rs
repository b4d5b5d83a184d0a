//! Spare parts over HTTP on both databases: managers keep the catalogue and receive stock,
//! agents reserve on a ticket (a shortage raises a purchase request and the ticket waits for
//! parts), consume; customers and bad input get problem documents; the pages render.

mod common;

use common::{Server, assert_field, id_of, ok_json, problem, session};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parts_over_http() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let company = srv.customer("精工机械").await;
        let portal = srv.user("customer", Some(company)).await;

        problem(
            srv.post(&agent.token, "/parts", &json!({"code": "X", "name": "x"}))
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let p = problem(
            srv.post(&srv.admin, "/parts", &json!({"code": " ", "name": "主板"}))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "code", "required");
        let part = ok_json(
            srv.post(
                &srv.admin,
                "/parts",
                &json!({"code": "MB-220", "name": "主控板", "unit": "块", "unit_price_cents": 56000}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let wh = ok_json(
            srv.post(
                &srv.admin,
                "/warehouses",
                &json!({"code": "GZ-01", "name": "广州仓"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let (pid, wid) = (id_of(&part), id_of(&wh));
        ok_json(
            srv.post(
                &srv.admin,
                "/stock/receipts",
                &json!({"part_id": pid, "warehouse_id": wid, "quantity": 2}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;

        let t = srv
            .ticket(
                &srv.admin,
                json!({"subject": "主控板烧毁", "customer_id": company}),
            )
            .await;
        let tid = id_of(&t);
        let p = problem(
            srv.post(
                &agent.token,
                &format!("/tickets/{tid}/parts"),
                &json!({"part_id": pid, "warehouse_id": wid, "quantity": 0}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "quantity", "not_positive");
        let out = ok_json(
            srv.post(
                &agent.token,
                &format!("/tickets/{tid}/parts"),
                &json!({"part_id": pid, "warehouse_id": wid, "quantity": 3}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(out["reserved"]["quantity"], 2);
        assert_eq!(out["waiting"]["quantity"], 1);
        assert_eq!(out["purchase_request"]["quantity"], 1);
        let stock = ok_json(
            srv.get(&agent.token, &format!("/stock?part_id={pid}"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(stock[0]["available"], 0);
        // The customer sees their ticket's parts but may not reserve.
        let lines = ok_json(
            srv.get(&portal.token, &format!("/tickets/{tid}/parts"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(lines.as_array().unwrap().len(), 2);
        problem(
            srv.post(
                &portal.token,
                &format!("/tickets/{tid}/parts"),
                &json!({"part_id": pid, "warehouse_id": wid, "quantity": 1}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let reserved = out["reserved"]["id"].as_str().unwrap();
        let used = ok_json(
            srv.post(
                &agent.token,
                &format!("/tickets/{tid}/parts/{reserved}/consume"),
                &json!({}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(used["status"], "consumed");
        problem(
            srv.post(
                &agent.token,
                &format!("/tickets/{tid}/parts/{reserved}/consume"),
                &json!({}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "line_closed",
        )
        .await;
        let pr = out["purchase_request"]["id"].as_str().unwrap();
        let ordered = ok_json(
            srv.post(
                &srv.admin,
                &format!("/purchase-requests/{pr}/status"),
                &json!({"status": "ordered", "external_id": "PO-2026-0091"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(ordered["status"], "ordered");

        // The pages: the parts page and the ticket's panel.
        let admin = srv.user("admin", None).await;
        let c = session(&srv, &admin.email).await;
        let page = c
            .get(format!("{}/parts", srv.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("data-part=\"MB-220\""), "{page}");
        assert!(page.contains("data-status=\"ordered\""), "{page}");
        let panel = c
            .get(format!("{}/tickets/{tid}/parts", srv.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            panel.matches("data-testid=\"part-line\"").count(),
            2,
            "{panel}"
        );
        assert!(panel.contains("data-status=\"waiting\""), "{panel}");
        srv.stop();
        db.cleanup().await;
    }
}
