//! Portal isolation over HTTP: a customer's portal user sees its own company's tickets and
//! nothing else; another company's ticket answers exactly like one that does not exist.

mod common;

use std::collections::BTreeSet;

use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// Uploads a file to a ticket as `token`; returns the response.
async fn upload(srv: &Server, token: &str, ticket: Uuid, public: bool) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(format!("日志 {ticket} {public}").into_bytes())
                .file_name("log.txt")
                .mime_str("text/plain")
                .expect("mime"),
        )
        .text("public", public.to_string());
    srv.client
        .post(srv.url(&format!("/tickets/{ticket}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("send")
}

/// The problem document of a response, minus what legitimately differs between requests.
async fn not_found_body(res: reqwest::Response) -> Value {
    problem(res, StatusCode::NOT_FOUND, "not_found").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_users_see_only_their_company() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let a = srv.customer("甲公司 A").await;
        let b = srv.customer("乙公司 B").await;
        let portal = srv.user("customer", Some(a)).await;

        let t_a = srv
            .ticket(
                &srv.admin,
                json!({"subject": "A 的设备报警", "customer_id": a}),
            )
            .await;
        let t_b = srv
            .ticket(
                &srv.admin,
                json!({"subject": "B 的机密工单", "customer_id": b}),
            )
            .await;
        let t_none = srv
            .ticket(&srv.admin, json!({"subject": "no customer"}))
            .await;
        let t_own = srv
            .ticket(
                &portal.token,
                json!({"subject": "门户提交", "description": "坏了"}),
            )
            .await;
        assert_eq!(t_own["customer_id"], a.to_string());
        assert_eq!(t_own["channel"], "portal");
        let att_b = ok_json(
            upload(&srv, &srv.admin, id_of(&t_b), true).await,
            StatusCode::CREATED,
        )
        .await;
        let att_a = ok_json(
            upload(&srv, &srv.admin, id_of(&t_a), true).await,
            StatusCode::CREATED,
        )
        .await;
        let att_a_internal = ok_json(
            upload(&srv, &srv.admin, id_of(&t_a), false).await,
            StatusCode::CREATED,
        )
        .await;

        // Listings hold A's tickets only, whatever the filter asks for.
        let want: BTreeSet<String> = [&t_a, &t_own]
            .iter()
            .map(|t| t["id"].as_str().expect("id").to_owned())
            .collect();
        let page = ok_json(
            srv.get(&portal.token, "/tickets")
                .send()
                .await
                .expect("send"),
            StatusCode::OK,
        )
        .await;
        let got: BTreeSet<String> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|t| t["id"].as_str().expect("id").to_owned())
            .collect();
        assert_eq!(got, want);
        let page = ok_json(
            srv.get(&portal.token, &format!("/tickets?customer_id={b}"))
                .send()
                .await
                .expect("send"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(page["items"].as_array().map(Vec::len), Some(0));
        let page = ok_json(
            srv.get(&portal.token, "/tickets?q=%E6%9C%BA%E5%AF%86")
                .send()
                .await
                .expect("send"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(page["items"].as_array().map(Vec::len), Some(0));

        // Own tickets, their history and public files are readable.
        ok_json(
            srv.get(&portal.token, &format!("/tickets/{}", id_of(&t_a)))
                .send()
                .await
                .expect("send"),
            StatusCode::OK,
        )
        .await;
        let history = ok_json(
            srv.get(&portal.token, &format!("/tickets/{}/history", id_of(&t_a)))
                .send()
                .await
                .expect("send"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            history.as_array().map(Vec::len),
            Some(2),
            "created + the public upload, not the internal one: {history}"
        );
        let res = srv
            .get(&portal.token, &format!("/attachments/{}", id_of(&att_a)))
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), StatusCode::OK);
        let res = srv
            .get(
                &portal.token,
                &format!("/attachments/{}", id_of(&att_a_internal)),
            )
            .send()
            .await
            .expect("send");
        not_found_body(res).await;

        // B's ticket answers exactly like a ticket that does not exist.
        let missing = Uuid::now_v7();
        let number_b = t_b["number"].as_str().expect("number");
        let pairs = [
            (
                format!("/tickets/{}", id_of(&t_b)),
                format!("/tickets/{missing}"),
            ),
            (
                format!("/tickets/{}", id_of(&t_none)),
                format!("/tickets/{missing}"),
            ),
            (
                format!("/tickets/by-number/{number_b}"),
                "/tickets/by-number/SR-209901-999999".to_owned(),
            ),
            (
                format!("/tickets/{}/history", id_of(&t_b)),
                format!("/tickets/{missing}/history"),
            ),
            (
                format!("/attachments/{}", id_of(&att_b)),
                format!("/attachments/{missing}"),
            ),
        ];
        for (theirs, nothing) in pairs {
            let seen =
                not_found_body(srv.get(&portal.token, &theirs).send().await.expect("send")).await;
            let absent =
                not_found_body(srv.get(&portal.token, &nothing).send().await.expect("send")).await;
            assert_eq!(seen, absent, "{theirs} must look like {nothing}");
        }
        // Writes to B's ticket are refused the same way, and write nothing.
        let b_path = format!("/tickets/{}", id_of(&t_b));
        not_found_body(upload(&srv, &portal.token, id_of(&t_b), true).await).await;
        not_found_body(
            srv.post(
                &portal.token,
                &format!("{b_path}/replies"),
                &json!({"body": "我能看到吗"}),
            )
            .send()
            .await
            .expect("send"),
        )
        .await;
        not_found_body(
            srv.post(
                &portal.token,
                &format!("{b_path}/transition"),
                &json!({"to": "closed"}),
            )
            .send()
            .await
            .expect("send"),
        )
        .await;
        let b_now = ok_json(
            srv.get(&srv.admin, &b_path).send().await.expect("send"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(b_now["version"], t_b["version"], "B's ticket is untouched");
        let b_history = ok_json(
            srv.get(&srv.admin, &format!("{b_path}/history"))
                .send()
                .await
                .expect("send"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(b_history.as_array().map(Vec::len), Some(2));

        // Tickets can only be opened for the portal user's own company.
        let before = srv.ticket_count().await;
        let p = problem(
            srv.post(
                &portal.token,
                "/tickets",
                &json!({"subject": "for B", "customer_id": b}),
            )
            .send()
            .await
            .expect("send"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "customer_id", "forbidden");
        assert_eq!(srv.ticket_count().await, before);

        // Customers: only A is visible; B looks absent.
        let list = ok_json(
            srv.get(&portal.token, "/customers")
                .send()
                .await
                .expect("send"),
            StatusCode::OK,
        )
        .await;
        let ids: Vec<&str> = list
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert_eq!(ids, vec![a.to_string().as_str()]);
        for path in [
            format!("/customers/{b}"),
            format!("/customers/{b}/contacts"),
        ] {
            not_found_body(srv.get(&portal.token, &path).send().await.expect("send")).await;
        }

        // Staff routes are refused.
        for path in ["/users", "/audit", "/calendars", "/sla-policies"] {
            let res = srv.get(&portal.token, path).send().await.expect("send");
            problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        }
        let writes = [
            ("/customers".to_owned(), json!({"name": "C"})),
            (
                "/users".to_owned(),
                json!({"email": "x@example.cn", "name": "x", "role": "agent"}),
            ),
            (
                format!("/tickets/{}/notes", id_of(&t_a)),
                json!({"body": "internal"}),
            ),
        ];
        for (path, body) in writes {
            let res = srv
                .post(&portal.token, &path, &body)
                .send()
                .await
                .expect("send");
            problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        }
        let res = srv
            .patch(
                &portal.token,
                &format!("/tickets/{}", id_of(&t_a)),
                &json!({"priority": "P1"}),
            )
            .send()
            .await
            .expect("send");
        problem(res, StatusCode::FORBIDDEN, "forbidden").await;

        srv.stop();
        db.cleanup().await;
    }
}
