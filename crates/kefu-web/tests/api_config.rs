//! Configuration over HTTP: teams, ticket types with forms (used at once by ticket creation),
//! the workflow (a new status is usable at once; one in use cannot be removed), holiday import,
//! queue counts and the intake lookup. Agents may read but not change configuration.

mod common;

use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_changes_take_effect_without_a_restart() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;

        // Teams: admin creates, agent may not.
        let res = srv
            .post(
                &srv.admin,
                "/teams",
                &json!({"name": "售后一组", "member_ids": [agent.id]}),
            )
            .send()
            .await
            .unwrap();
        let team = ok_json(res, StatusCode::CREATED).await;
        assert_eq!(team["member_ids"], json!([agent.id]));
        let res = srv
            .post(&agent.token, "/teams", &json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::FORBIDDEN, "forbidden").await;

        // A ticket type with a required date field; ticket creation enforces it at once.
        let ty = json!({
            "code": "maintenance", "name_zh": "保养", "name_en": "Maintenance",
            "fields": [{"key": "visit_date", "label_zh": "上门日期", "label_en": "Visit date",
                        "kind": {"type": "date"}, "required": true}]
        });
        let res = srv
            .client
            .put(srv.url("/ticket-types"))
            .bearer_auth(&srv.admin)
            .json(&ty)
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;
        let res = srv
            .post(
                &agent.token,
                "/tickets",
                &json!({"subject": "季度保养", "kind": "maintenance"}),
            )
            .send()
            .await
            .unwrap();
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_field(&p, "custom_fields.visit_date", "required");
        let t = srv
            .ticket(
                &agent.token,
                json!({"subject": "季度保养", "kind": "maintenance", "custom_fields": {"visit_date": "2026-12-01"}}),
            )
            .await;
        assert_eq!(t["custom_fields"]["visit_date"], "2026-12-01");
        // A bad form definition names the field.
        let bad = json!({"code": "x1", "name_zh": "甲", "name_en": "A",
            "fields": [{"key": "opt", "label_zh": "选", "label_en": "Pick", "kind": {"type": "select", "options": []}}]});
        let res = srv
            .client
            .put(srv.url("/ticket-types"))
            .bearer_auth(&srv.admin)
            .json(&bad)
            .send()
            .await
            .unwrap();
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_field(&p, "fields[0].opt", "options_required");

        // Workflow: add a status and a transition to it; it is usable at once.
        let res = srv.get(&agent.token, "/workflow").send().await.unwrap();
        let mut wf = ok_json(res, StatusCode::OK).await;
        wf["statuses"].as_array_mut().unwrap().push(json!({
            "key": "awaiting_approval", "name_zh": "待审批", "name_en": "Awaiting approval", "category": "pending"}));
        wf["transitions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"from": "new", "to": "awaiting_approval"}));
        let res = srv
            .client
            .put(srv.url("/workflow"))
            .bearer_auth(&srv.admin)
            .json(&wf)
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;
        let res = srv
            .post(
                &agent.token,
                &format!("/tickets/{}/transition", id_of(&t)),
                &json!({"to": "awaiting_approval"}),
            )
            .send()
            .await
            .unwrap();
        let moved = ok_json(res, StatusCode::OK).await;
        assert_eq!(moved["status"], "awaiting_approval");
        // Removing the status while a ticket is in it is refused.
        wf["statuses"]
            .as_array_mut()
            .unwrap()
            .retain(|s| s["key"] != "awaiting_approval");
        wf["transitions"]
            .as_array_mut()
            .unwrap()
            .retain(|t| t["to"] != "awaiting_approval");
        let res = srv
            .client
            .put(srv.url("/workflow"))
            .bearer_auth(&srv.admin)
            .json(&wf)
            .send()
            .await
            .unwrap();
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_field(&p, "statuses", "in_use");

        // Holiday import into the default calendar: 2026 Spring Festival days appear.
        let res = srv.get(&srv.admin, "/calendars").send().await.unwrap();
        let cals = ok_json(res, StatusCode::OK).await;
        let cal = &cals.as_array().unwrap()[0];
        let res = srv
            .post(
                &srv.admin,
                &format!("/calendars/{}/import-holidays", id_of(cal)),
                &json!({"year": 2025}),
            )
            .send()
            .await
            .unwrap();
        let imp = ok_json(res, StatusCode::OK).await;
        assert!(imp["holidays"].as_u64().unwrap() >= 20, "{imp}");
        assert!(imp["makeup_workdays"].as_u64().unwrap() >= 4, "{imp}");
        let res = srv.get(&srv.admin, "/calendars").send().await.unwrap();
        let cals = ok_json(res, StatusCode::OK).await;
        let hol: Vec<&str> = cals[0]["definition"]["holidays"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(hol.contains(&"2025-01-29"), "Spring Festival 2025 imported");
        let res = srv
            .post(
                &srv.admin,
                &format!("/calendars/{}/import-holidays", id_of(cal)),
                &json!({"year": 1999}),
            )
            .send()
            .await
            .unwrap();
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_field(&p, "year", "not_shipped");

        // Queue counts and lookup.
        let res = srv
            .get(&agent.token, "/tickets/queues")
            .send()
            .await
            .unwrap();
        let counts = ok_json(res, StatusCode::OK).await;
        let all = counts
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["queue"] == "all")
            .unwrap();
        assert_eq!(all["count"], 1);
        let cid = srv.customer("苏州精工机械有限公司").await;
        let res = srv
            .post(
                &srv.admin,
                &format!("/customers/{cid}/assets"),
                &json!({"product_name": "激光打印机", "serial_number": "SN-8842X"}),
            )
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::CREATED).await;
        let res = srv
            .get(&agent.token, "/lookup?q=8842x")
            .send()
            .await
            .unwrap();
        let hits = ok_json(res, StatusCode::OK).await;
        assert_eq!(hits[0]["kind"], "asset");
        assert_eq!(hits[0]["customer_name"], "苏州精工机械有限公司");
        let res = srv
            .get(&agent.token, "/lookup?q=精工")
            .send()
            .await
            .unwrap();
        let hits = ok_json(res, StatusCode::OK).await;
        assert!(
            hits.as_array()
                .unwrap()
                .iter()
                .any(|h| h["kind"] == "customer")
        );

        srv.stop();
        db.cleanup().await;
    }
}
