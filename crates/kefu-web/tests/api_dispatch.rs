//! Dispatch through the API on both databases: routing rules applied on intake (team, priority,
//! tags, skills), assignment by least open work with skills and region, a manual team left
//! alone, capacity exhausted → stays in the queue with an `assignment_failed` event, every
//! decision in the history, and the rule tester.

mod common;

use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn put(srv: &Server, path: &str, body: &Value) -> reqwest::Response {
    srv.client
        .put(srv.url(path))
        .bearer_auth(&srv.admin)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn history_kinds(srv: &Server, id: &str) -> Vec<Value> {
    let res = srv
        .get(&srv.admin, &format!("/tickets/{id}/history"))
        .send()
        .await
        .unwrap();
    ok_json(res, StatusCode::OK)
        .await
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_route_and_teams_assign_on_intake() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        // Two field engineers in 华东 (one with PLC skills) and one in 华南.
        let mut ids = Vec::new();
        for (name, skills, region) in [
            ("王工", json!(["PLC", "数控"]), "华东"),
            ("赵工", json!(["钣金"]), "华东"),
            ("李工", json!(["PLC"]), "华南"),
        ] {
            let res = srv
                .post(
                    &srv.admin,
                    "/users",
                    &json!({"email": format!("{}@kefu.local", uuid::Uuid::now_v7().simple()),
                            "name": name, "role": "field_engineer", "skills": skills, "region": region,
                            "password": "long enough password"}),
                )
                .send()
                .await
                .unwrap();
            ids.push(id_of(&ok_json(res, StatusCode::CREATED).await));
        }
        let res = srv
            .post(
                &srv.admin,
                "/teams",
                &json!({"name": "现场服务", "member_ids": ids}),
            )
            .send()
            .await
            .unwrap();
        let field = id_of(&ok_json(res, StatusCode::CREATED).await);
        let res = srv
            .post(&srv.admin, "/teams", &json!({"name": "投诉组"}))
            .send()
            .await
            .unwrap();
        let complaints = id_of(&ok_json(res, StatusCode::CREATED).await);
        let res = put(
            &srv,
            &format!("/teams/{field}/assignment"),
            &json!({"strategy": "least_open", "match_skills": true, "match_region": true, "capacity": 5}),
        )
        .await;
        ok_json(res, StatusCode::OK).await;

        let rules = json!([
            {"id": uuid::Uuid::now_v7(), "name": "PLC 故障派现场", "conditions": [
                {"field": "kind", "op": "is", "value": "repair"},
                {"field": "text", "op": "contains_any", "value": ["plc", "控制器"]}],
             "actions": {"team_id": field, "add_tags": ["现场"], "require_skills": ["plc"]}},
            {"id": uuid::Uuid::now_v7(), "name": "投诉提级", "conditions": [
                {"field": "kind", "op": "is", "value": "complaint"}],
             "actions": {"team_id": complaints, "priority": "P2"}, "stop": true}
        ]);
        ok_json(put(&srv, "/routing-rules", &rules).await, StatusCode::OK).await;
        // A rule that changes nothing is refused, naming the rule.
        let bad = json!([{"id": uuid::Uuid::now_v7(), "name": "空", "conditions": []}]);
        let p = problem(
            put(&srv, "/routing-rules", &bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "rules[0]", "invalid");

        let east = srv.customer("苏州精工").await;
        let res = srv
            .client
            .patch(srv.url(&format!("/customers/{east}")))
            .bearer_auth(&srv.admin)
            .json(&json!({"region": "华东"}))
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;

        // PLC repair for an 华东 customer → field team, the PLC engineer in 华东.
        let t = srv
            .ticket(
                &srv.admin,
                json!({"subject": "PLC 控制器报警", "kind": "repair", "customer_id": east}),
            )
            .await;
        assert_eq!(t["team_id"], json!(field));
        assert_eq!(
            t["assignee_id"],
            json!(ids[0]),
            "skills and region pick 王工"
        );
        assert_eq!(t["tags"], json!(["现场"]));
        let h = history_kinds(&srv, t["id"].as_str().unwrap()).await;
        let routed = h
            .iter()
            .find(|e| e["kind"] == "routed")
            .expect("routed event");
        assert_eq!(routed["data"]["rules"], json!(["PLC 故障派现场"]));
        let auto = h
            .iter()
            .find(|e| e["kind"] == "auto_assigned")
            .expect("assignment event");
        assert!(
            auto["data"]["reason"].as_str().unwrap().contains("王工"),
            "{auto}"
        );

        // A P1 (weight 4) on top of 王工's P3 (2) exceeds capacity 5 → stays in the queue.
        let t2 = srv
            .ticket(
                &srv.admin,
                json!({"subject": "PLC 停机", "kind": "repair", "customer_id": east, "priority": "P1"}),
            )
            .await;
        assert_eq!(t2["team_id"], json!(field));
        assert_eq!(t2["assignee_id"], Value::Null);
        assert_eq!(t2["priority"], "P1", "an explicit priority wins");
        let h = history_kinds(&srv, t2["id"].as_str().unwrap()).await;
        let failed = h
            .iter()
            .find(|e| e["kind"] == "assignment_failed")
            .expect("failure event");
        assert!(
            failed["data"]["reason"]
                .as_str()
                .unwrap()
                .contains("capacity"),
            "{failed}"
        );

        // Complaint → its team (manual: nobody assigned), P2; the first rule did not match.
        let t3 = srv
            .ticket(
                &srv.admin,
                json!({"subject": "服务态度差", "kind": "complaint"}),
            )
            .await;
        assert_eq!(t3["team_id"], json!(complaints));
        assert_eq!(t3["priority"], "P2");
        assert_eq!(t3["assignee_id"], Value::Null);

        // The tester: described facts and an existing ticket.
        let res = srv
            .post(
                &srv.admin,
                "/routing-rules/test",
                &json!({"kind": "complaint"}),
            )
            .send()
            .await
            .unwrap();
        let d = ok_json(res, StatusCode::OK).await;
        assert_eq!(d["fired"], json!(["投诉提级"]));
        let res = srv
            .post(
                &srv.admin,
                "/routing-rules/test",
                &json!({"ticket_id": t["id"]}),
            )
            .send()
            .await
            .unwrap();
        let d = ok_json(res, StatusCode::OK).await;
        assert_eq!(d["fired"], json!(["PLC 故障派现场"]));

        srv.stop();
        db.cleanup().await;
    }
}
