//! The automation pages over HTTP on both databases: a trigger saved through the admin form is
//! what the API reads back (events, conditions, statuses, ticket changes, notices, mail, task),
//! and the form shows it again; a refused save re-renders the form with what was entered and
//! each problem in Chinese next to its trigger, writing nothing; a macro saved through its form
//! is offered on the ticket page and applied from there (status, priority, tags, assignee and
//! the filled-in reply in the timeline), while a macro that cannot be applied whole shows the
//! application's message and changes nothing; only admins reach the admin pages.

mod common;

use common::{Server, session};
use kefu_app::customers::{NewContact, NewCustomer, create_contact, create_customer};
use kefu_app::tickets::{self, NewTicket};
use kefu_domain::access::Actor;
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// A whole page's status and body; every page keeps its CSP (no inline styles).
async fn fetch(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    assert!(
        res.headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("script-src 'self'")),
        "no page CSP"
    );
    let body = res.text().await.unwrap();
    assert!(!body.contains(" style=\""), "inline style: {body}");
    (status, body)
}

async fn get(c: &reqwest::Client, srv: &Server, path: &str) -> (StatusCode, String) {
    fetch(c.get(format!("{}{path}", srv.base)).send().await.unwrap()).await
}

async fn post(
    c: &reqwest::Client,
    srv: &Server,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    fetch(
        c.post(format!("{}{path}", srv.base))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn csrf_of(body: &str) -> String {
    body.split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no CSRF token in {body}"))
        .to_owned()
}

async fn api(srv: &Server, path: &str) -> Value {
    common::ok_json(
        srv.get(&srv.admin, path).send().await.unwrap(),
        StatusCode::OK,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_and_macros_through_the_admin_forms_and_the_ticket_page() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let admin = srv.user("admin", None).await;
        let agent = srv.user("agent", None).await;
        let a = session(&srv, &admin.email).await;
        let g = session(&srv, &agent.email).await;

        // Only admins reach the pages.
        for path in ["/admin/triggers", "/admin/macros"] {
            assert_eq!(get(&g, &srv, path).await.0, StatusCode::FORBIDDEN, "{path}");
        }

        // An empty trigger list: the form, the loop-protection note and the nav links.
        let (st, body) = get(&a, &srv, "/admin/triggers").await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert!(body.contains("data-testid=\"loop-note\""), "{body}");
        assert!(body.contains("最多 5 层"), "{body}");
        assert!(body.contains("href=\"/admin/macros\""));
        assert!(body.contains("data-trigger=\"new\""));
        let csrf = csrf_of(&body);

        // Save one trigger through the form.
        let form: Vec<(&str, &str)> = vec![
            ("_csrf", &csrf),
            ("t0.name", "VIP 客户回复 → 升级"),
            ("t0.order", "0"),
            ("t0.enabled", "1"),
            ("t0.on", "customer_replied"),
            ("t0.on", "sla_warning"),
            ("t0.match", "all"),
            ("t0.c0.field", "tier"),
            ("t0.c0.key", ""),
            ("t0.c0.op", "is"),
            ("t0.c0.value", "vip"),
            ("t0.c1.field", ""),
            ("t0.c1.key", ""),
            ("t0.c1.op", "is"),
            ("t0.c1.value", ""),
            ("t0.status_in", "open"),
            ("t0.status_in", "pending_customer"),
            ("t0.status", ""),
            ("t0.priority", "P1"),
            ("t0.team_id", ""),
            ("t0.assignee", ""),
            ("t0.add_tags", "vip跟进， 加急"),
            ("t0.remove_tags", ""),
            ("t0.reply", ""),
            ("t0.note", "VIP 客户 {{contact}} 又来信了"),
            ("t0.notify_assignee", "1"),
            ("t0.notify_role", "supervisor"),
            ("t0.mail_to", "manager@example.cn"),
            ("t0.mail_subject", "{{number}} 已升级"),
            ("t0.mail_body", "{{customer}} 的工单已升级为 P1。"),
            ("t0.task_title", "回电 {{contact}}（{{number}}）"),
            ("t0.task_hours", "2"),
            ("t0.task_for", "owner"),
        ];
        let (st, body) = post(&a, &srv, "/admin/triggers", &form).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert!(body.contains("flash ok"), "{body}");
        let saved = api(&srv, "/triggers").await;
        let list = saved.as_array().expect("a list");
        assert_eq!(list.len(), 1, "{saved}");
        let t = &list[0];
        assert_eq!(t["name"], "VIP 客户回复 → 升级");
        assert_eq!(t["enabled"], true);
        assert_eq!(t["match_all"], true);
        assert_eq!(t["on"], json!(["customer_replied", "sla_warning"]));
        assert_eq!(
            t["conditions"],
            json!([{"field": "tier", "op": "is", "value": "vip"}])
        );
        assert_eq!(t["status_in"], json!(["open", "pending_customer"]));
        let act = &t["actions"];
        assert_eq!(act["priority"], "P1");
        assert_eq!(act["add_tags"], json!(["vip跟进", "加急"]));
        assert_eq!(act["note"], "VIP 客户 {{contact}} 又来信了");
        assert_eq!(act["notify"], json!(["assignee", {"role": "supervisor"}]));
        assert_eq!(act["mail"]["to"], "manager@example.cn");
        assert_eq!(
            act["task"],
            json!({"title": "回电 {{contact}}（{{number}}）", "due_business_hours": 2, "for_assignee": false})
        );
        assert!(
            act["status"].is_null() && act["assignee"].is_null(),
            "{act}"
        );
        let trigger_id = t["id"].as_str().unwrap().to_owned();

        // The form shows it again, ticked and filled in.
        let (_, body) = get(&a, &srv, "/admin/triggers").await;
        assert!(
            body.contains("data-trigger=\"VIP 客户回复 → 升级\""),
            "{body}"
        );
        assert!(body.contains(&format!("name=\"t0.id\" value=\"{trigger_id}\"")));
        assert!(
            body.contains("name=\"t0.on\" value=\"customer_replied\" checked"),
            "{body}"
        );
        assert!(!body.contains("name=\"t0.on\" value=\"created\" checked"));
        assert!(body.contains("value=\"manager@example.cn\""));
        assert!(body.contains("<option value=\"owner\" selected>"));

        // Refused: a new trigger without events or actions, and a note with an unknown
        // variable. The form comes back with what was entered; nothing is written.
        let csrf = csrf_of(&body);
        let form: Vec<(&str, &str)> = vec![
            ("_csrf", &csrf),
            ("t0.id", &trigger_id),
            ("t0.name", "VIP 客户回复 → 升级"),
            ("t0.enabled", "1"),
            ("t0.on", "customer_replied"),
            ("t0.priority", "P1"),
            ("t0.note", "{{nope}} 又来信了"),
            ("t1.name", "什么都不做"),
            ("t1.enabled", "1"),
            ("t1.mail_to", "not-an-address"),
        ];
        let (st, body) = post(&a, &srv, "/admin/triggers", &form).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("data-testid=\"form-errors\""), "{body}");
        assert!(body.contains("没有这个变量：{{nope}}"), "{body}");
        assert!(body.contains("请至少选择一个触发事件"), "{body}");
        assert!(body.contains("邮件须填写有效的收件地址和主题"), "{body}");
        assert!(body.contains("data-trigger=\"什么都不做\""), "{body}");
        assert!(body.contains("{{nope}} 又来信了</textarea>"), "{body}");
        assert!(body.contains("value=\"not-an-address\""), "{body}");
        let after = api(&srv, "/triggers").await;
        assert_eq!(after, saved, "nothing was written");

        // Removing it through the form empties the list.
        let (st, _) = post(
            &a,
            &srv,
            "/admin/triggers",
            &[
                ("_csrf", &csrf),
                ("t0.id", &trigger_id),
                ("t0.name", "VIP 客户回复 → 升级"),
                ("t0.on", "customer_replied"),
                ("t0.priority", "P1"),
                ("t0.remove", "1"),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(api(&srv, "/triggers").await, json!([]));

        // Macros: one that sends the parts, one that cannot be applied (nobody to assign to),
        // and a refused one that changes nothing.
        let (st, body) = get(&a, &srv, "/admin/macros").await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert!(
            body.contains("{{contact}}"),
            "the variables are listed: {body}"
        );
        let csrf = csrf_of(&body);
        let ghost = Uuid::now_v7().to_string();
        let mut form: Vec<(&str, &str)> = vec![
            ("_csrf", &csrf),
            ("m0.name", "配件已寄出"),
            ("m0.status", "pending_customer"),
            ("m0.priority", "P2"),
            ("m0.team_id", ""),
            ("m0.assignee", "me"),
            ("m0.add_tags", "已寄件"),
            ("m0.remove_tags", "待寄件"),
            ("m0.reply", "{{contact}}您好，{{number}} 的配件已寄出。"),
            ("m0.note", "已通知仓库"),
            ("m1.name", "给不存在的人"),
            ("m1.assignee", &ghost),
            ("m1.reply", "不会发出"),
            ("m2.name", "空宏"),
        ];
        let (st, body) = post(&a, &srv, "/admin/macros", &form).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("这个宏没有做任何改动"), "{body}");
        assert!(body.contains("data-macro=\"配件已寄出\""), "{body}");
        assert_eq!(api(&srv, "/macros").await, json!([]));
        form.retain(|(k, _)| !k.starts_with("m2."));
        let (st, body) = post(&a, &srv, "/admin/macros", &form).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let macros = api(&srv, "/macros").await;
        assert_eq!(macros.as_array().map(Vec::len), Some(2), "{macros}");
        let m = &macros[0];
        assert_eq!(m["name"], "配件已寄出");
        assert_eq!(
            m["actions"],
            json!({"status": "pending_customer", "priority": "P2", "team_id": null,
                "assignee": "me", "add_tags": ["已寄件"], "remove_tags": ["待寄件"],
                "reply": "{{contact}}您好，{{number}} 的配件已寄出。", "note": "已通知仓库"})
        );
        assert_eq!(macros[1]["actions"]["assignee"], json!({"user": ghost}));
        let send_parts = m["id"].as_str().unwrap().to_owned();
        let broken = macros[1]["id"].as_str().unwrap().to_owned();
        let (_, body) = get(&a, &srv, "/admin/macros").await;
        assert!(body.contains("<option value=\"me\" selected>"), "{body}");

        // A ticket for a customer with a contact.
        let sys = Actor::system();
        let customer = create_customer(
            &srv.app,
            &sys,
            NewCustomer {
                name: "宁波精工".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let contact = create_contact(
            &srv.app,
            &sys,
            customer.id,
            NewContact {
                name: "陈经理".into(),
                email: Some("chen@jinggong.cn".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let t = tickets::open_ticket(
            &srv.app,
            &sys,
            NewTicket {
                subject: "缺配件".into(),
                customer_id: Some(customer.id),
                contact_id: Some(contact.id),
                tags: vec!["待寄件".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let page = format!("/tickets/{}", t.id);
        let (st, body) = get(&g, &srv, &page).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert!(body.contains("data-testid=\"macro-box\""), "{body}");
        assert!(body.contains(&format!(
            "<option value=\"{send_parts}\">配件已寄出</option>"
        )));
        let csrf = csrf_of(&body);
        let version = t.version.to_string();
        let apply = format!("{}/tickets/{}/macros", srv.base, t.id);

        // The macro that cannot be applied whole: the app's message in the flash area, and
        // nothing changes.
        let res = g
            .post(&apply)
            .header("hx-request", "true")
            .header("x-csrf-token", &csrf)
            .form(&[("macro_id", broken.as_str()), ("version", version.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(res.headers()["hx-retarget"], "#flash");
        let msg = res.text().await.unwrap();
        assert!(msg.contains("处理人"), "{msg}");
        let unchanged = api(&srv, &format!("/tickets/{}", t.id)).await;
        assert_eq!(unchanged["version"], t.version);
        assert_eq!(unchanged["tags"], json!(["待寄件"]));

        // A stale version is refused.
        let res = g
            .post(&apply)
            .header("hx-request", "true")
            .header("x-csrf-token", &csrf)
            .form(&[("macro_id", send_parts.as_str()), ("version", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT);

        // Applied with htmx: the page reloads.
        let res = g
            .post(&apply)
            .header("hx-request", "true")
            .header("x-csrf-token", &csrf)
            .form(&[
                ("macro_id", send_parts.as_str()),
                ("version", version.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(res.headers()["hx-refresh"], "true");
        let now = api(&srv, &format!("/tickets/{}", t.id)).await;
        assert_eq!(now["status"], "pending_customer");
        assert_eq!(now["priority"], "P2");
        assert_eq!(now["tags"], json!(["已寄件"]));
        assert_eq!(now["assignee_id"], json!(agent.id));
        let (_, body) = get(&g, &srv, &page).await;
        let reply = format!("陈经理您好，{} 的配件已寄出。", t.number);
        assert!(
            body.contains(&reply),
            "the reply is in the timeline: {body}"
        );
        assert!(body.contains("已通知仓库"), "the note too");
        assert!(
            body.contains("data-testid=\"by-macro\">宏：配件已寄出"),
            "the timeline names the macro behind the changes"
        );

        // A plain form post (no script) goes back to the ticket page; a missing macro is a
        // whole error page.
        let csrf = csrf_of(&body);
        let res = g
            .post(&apply)
            .form(&[("_csrf", csrf.as_str()), ("macro_id", send_parts.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], page.as_str());
        let (st, body) = post(&g, &srv, &format!("{page}/macros"), &[("_csrf", &csrf)]).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("</html>"), "{body}");

        srv.stop();
        db.cleanup().await;
    }
}
