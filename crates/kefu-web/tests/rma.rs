//! Returns and exchanges over HTTP on both databases: issuing an RMA waits for the approval
//! rules with target `rma`; the number follows the sign-off; goods are received, inspected and
//! restocked into a warehouse (stock goes up) in order; an exchange ships its replacement and
//! the RMA closes; the customer follows it on their ticket; other ticket types are refused.

mod common;

use common::{Server, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_and_exchange_flow() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let supervisor = srv.user("supervisor", None).await;
        let company = srv.customer("精工机械").await;
        let portal = srv.user("customer", Some(company)).await;
        let res = srv
            .client
            .put(srv.url("/approval-rules"))
            .bearer_auth(&srv.admin)
            .json(&json!([{"step": "退货审批", "kind": "return_exchange", "to": "rma", "approver_role": "supervisor"}]))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let part = ok_json(
            srv.post(
                &srv.admin,
                "/parts",
                &json!({"code": "FU-220", "name": "定影组件"}),
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
                &json!({"code": "RT-01", "name": "退货仓"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;

        let repair = srv
            .ticket(
                &srv.admin,
                json!({"subject": "维修", "customer_id": company}),
            )
            .await;
        let body = json!({"kind": "exchange", "part_id": id_of(&part), "quantity": 2,
            "serial_number": "FU-220-0009", "reason": "到货即损坏"});
        problem(
            srv.post(
                &agent.token,
                &format!("/tickets/{}/rmas", id_of(&repair)),
                &body,
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_a_return",
        )
        .await;
        let t = srv
            .ticket(
                &srv.admin,
                json!({"subject": "定影组件到货损坏，申请换货", "kind": "return_exchange", "customer_id": company}),
            )
            .await;
        let tid = id_of(&t);
        let issue = || srv.post(&agent.token, &format!("/tickets/{tid}/rmas"), &body);
        problem(
            issue().send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "approval_required",
        )
        .await;
        let pending = ok_json(
            srv.get(&supervisor.token, "/approvals")
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let ap = pending
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["ticket_id"] == tid.to_string())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        ok_json(
            srv.post(
                &supervisor.token,
                &format!("/approvals/{ap}/decision"),
                &json!({"approve": true, "comment": "同意换货"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        let rma = ok_json(issue().send().await.unwrap(), StatusCode::CREATED).await;
        assert!(rma["number"].as_str().unwrap().starts_with("RMA-"), "{rma}");
        assert_eq!(rma["goods_status"], "authorized");
        let rid = id_of(&rma);
        let step = |v: Value| srv.post(&agent.token, &format!("/rmas/{rid}/steps"), &v);

        // Out of order is refused; then received, inspected and restocked.
        problem(
            step(json!({"step": "inspect", "restock": true, "warehouse_id": id_of(&wh)}))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "rma_step",
        )
        .await;
        ok_json(
            step(json!({"step": "receive"})).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        let inspected = ok_json(
            step(json!({"step": "inspect", "restock": true, "warehouse_id": id_of(&wh), "note": "外观完好，可再销售"}))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(inspected["goods_status"], "restocked");
        assert_eq!(
            inspected["closed_at"],
            Value::Null,
            "the replacement has not left"
        );
        let stock = ok_json(
            srv.get(&agent.token, &format!("/stock?part_id={}", id_of(&part)))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(stock[0]["on_hand"], 2);
        let shipped = ok_json(
            step(
                json!({"step": "ship", "serial_number": "FU-220-0100", "tracking": "SF1234567890"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(shipped["closed_at"].is_string(), "{shipped}");
        problem(
            step(json!({"step": "ship"})).send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "rma_step",
        )
        .await;

        // The customer follows the exchange on their ticket, and may not act on it.
        let theirs = ok_json(
            srv.get(&portal.token, &format!("/tickets/{tid}/rmas"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(theirs[0]["replacement_tracking"], "SF1234567890");
        problem(
            srv.post(
                &portal.token,
                &format!("/rmas/{rid}/steps"),
                &json!({"step": "receive"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let history = ok_json(
            srv.get(&agent.token, &format!("/tickets/{tid}/history"))
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
            .map(|e| e["kind"].as_str().unwrap())
            .filter(|k| k.starts_with("rma_"))
            .collect();
        assert_eq!(
            kinds,
            [
                "rma_issued",
                "rma_received",
                "rma_restocked",
                "rma_replacement_shipped"
            ]
        );
        srv.stop();
        db.cleanup().await;
    }
}
