//! Approvals through the API on both databases: a return needs a supervisor's sign-off (and
//! finance's above 1000 yuan) before it can be resolved; the first attempt files the requests
//! and is refused; only the right role decides; a rejection needs a comment; the approved
//! transition then goes through and uses the approval up.

mod common;

use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transition_waits_for_its_approvals() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let supervisor = srv.user("supervisor", None).await;
        let finance = srv.user("finance", None).await;
        let res = srv
            .client
            .put(srv.url("/approval-rules"))
            .bearer_auth(&srv.admin)
            .json(&json!([
                {"step": "主管审批", "kind": "return_exchange", "to": "resolved", "approver_role": "supervisor"},
                {"step": "财务审批", "kind": "return_exchange", "to": "resolved", "approver_role": "finance",
                 "amount_field": "refund_amount", "min_amount": 1000}
            ]))
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;
        let ty = json!({"code": "return_exchange", "name_zh": "退换货", "name_en": "Return / exchange",
            "fields": [{"key": "refund_amount", "label_zh": "退款金额", "label_en": "Refund", "kind": {"type": "number", "min": 0.0, "max": null}}]});
        let res = srv
            .client
            .put(srv.url("/ticket-types"))
            .bearer_auth(&srv.admin)
            .json(&ty)
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;
        let t = srv
            .ticket(
                &agent.token,
                json!({"subject": "退货退款", "kind": "return_exchange", "custom_fields": {"refund_amount": 2500}}),
            )
            .await;
        let path = format!("/tickets/{}/transition", id_of(&t));
        let resolve = || srv.post(&agent.token, &path, &json!({"to": "resolved"}));

        let p = problem(
            resolve().send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "approval_required",
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("主管审批"), "{p}");
        // Asking again files nothing new.
        problem(
            resolve().send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "approval_required",
        )
        .await;
        let res = srv
            .get(&supervisor.token, "/approvals")
            .send()
            .await
            .unwrap();
        let mine = ok_json(res, StatusCode::OK).await;
        assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
        let sup_id = id_of(&mine[0]);
        let res = srv.get(&finance.token, "/approvals").send().await.unwrap();
        let fin = ok_json(res, StatusCode::OK).await;
        assert_eq!(fin.as_array().unwrap().len(), 1);
        let fin_id = id_of(&fin[0]);

        // The wrong role cannot decide; rejecting needs a comment.
        let res = srv
            .post(
                &agent.token,
                &format!("/approvals/{sup_id}/decision"),
                &json!({"approve": true}),
            )
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        let res = srv
            .post(
                &finance.token,
                &format!("/approvals/{fin_id}/decision"),
                &json!({"approve": false}),
            )
            .send()
            .await
            .unwrap();
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_field(&p, "comment", "required");

        let res = srv
            .post(
                &supervisor.token,
                &format!("/approvals/{sup_id}/decision"),
                &json!({"approve": true, "comment": "同意"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(ok_json(res, StatusCode::OK).await["state"], "approved");
        let res = srv
            .post(
                &supervisor.token,
                &format!("/approvals/{sup_id}/decision"),
                &json!({"approve": false, "comment": "改主意"}),
            )
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::CONFLICT, "already_decided").await;
        // Finance still pending.
        let p = problem(
            resolve().send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "approval_required",
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("财务审批"), "{p}");
        let res = srv
            .post(
                &finance.token,
                &format!("/approvals/{fin_id}/decision"),
                &json!({"approve": true}),
            )
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;
        let res = resolve().send().await.unwrap();
        assert_eq!(ok_json(res, StatusCode::OK).await["status"], "resolved");

        // Reopened and resolved again: the approvals were used up, so new ones are needed.
        let res = srv
            .post(&supervisor.token, &path, &json!({"to": "open"}))
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;
        problem(
            resolve().send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "approval_required",
        )
        .await;

        // The history shows requests and decisions.
        let res = srv
            .get(&agent.token, &format!("/tickets/{}/history", id_of(&t)))
            .send()
            .await
            .unwrap();
        let kinds: Vec<String> = ok_json(res, StatusCode::OK)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            kinds.iter().filter(|k| *k == "approval_requested").count(),
            4,
            "{kinds:?}"
        );
        assert_eq!(
            kinds.iter().filter(|k| *k == "approval_approved").count(),
            2
        );
        srv.stop();
        db.cleanup().await;
    }
}
