//! The care pages over HTTP on both databases: the public survey page behind a signed link (the
//! question with the company and the ticket, field errors re-rendering the form with what was
//! entered and nothing written, an altered link, a second answer, an expired link, the thank-you
//! state), the portal ticket's "rate our service" box, the staff task list with closing a task
//! (plain form and htmx), the admin care settings with per-field errors, and the survey results
//! (supervisors and admins only).

mod common;

use chrono::{Duration, Utc};
use common::{Server, session};
use kefu_app::care::surveys::{send_due_surveys, ticket_survey_link};
use kefu_app::care::{save_survey_settings, survey_settings};
use kefu_app::customers::{NewContact, NewCustomer, create_contact, create_customer};
use kefu_app::intake::{MailSettings, save_mail_settings};
use kefu_app::tickets::{self, NewTicket, TransitionInput};
use kefu_domain::access::Actor;
use kefu_store::entity::{survey, task};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use uuid::Uuid;

fn admin() -> Actor {
    Actor::system()
}

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

async fn resolved_ticket(
    srv: &Server,
    customer: Uuid,
    contact: Uuid,
    agent: Uuid,
    subject: &str,
) -> (Uuid, String) {
    let t = tickets::open_ticket(
        &srv.app,
        &admin(),
        NewTicket {
            subject: subject.into(),
            customer_id: Some(customer),
            contact_id: Some(contact),
            assignee_id: Some(agent),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tickets::transition_ticket(
        &srv.app,
        &admin(),
        t.id,
        TransitionInput {
            to: "resolved".into(),
            version: None,
            comment: None,
        },
    )
    .await
    .unwrap();
    (t.id, t.number)
}

async fn unanswered(srv: &Server, ticket: Uuid) -> bool {
    let s = survey::Entity::find()
        .filter(survey::Column::TicketId.eq(ticket))
        .one(srv.app.store.conn())
        .await
        .unwrap()
        .unwrap();
    s.answered_at.is_none() && s.score.is_none()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_tasks_settings_and_results_pages() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let app = &srv.app;
        let owner = srv.user("supervisor", None).await;
        let agent = srv.user("agent", None).await;
        let mut mail = MailSettings::load(app.store.conn()).await.unwrap();
        mail.outbound.from_name = "演示公司客服".into();
        save_mail_settings(app, &admin(), mail).await.unwrap();
        let mut ss = survey_settings(app, &admin()).await.unwrap();
        ss.csat.delay_minutes = 0;
        save_survey_settings(app, &admin(), ss).await.unwrap();
        let vip = create_customer(
            app,
            &admin(),
            NewCustomer {
                name: "宁波精工".into(),
                tier: Some("vip".into()),
                owner_id: Some(owner.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let contact = create_contact(
            app,
            &admin(),
            vip.id,
            NewContact {
                name: "陈经理".into(),
                email: Some("chen@jinggong.cn".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let (t1, number) = resolved_ticket(&srv, vip.id, contact.id, agent.id, "主轴异响").await;
        let (t2, _) = resolved_ticket(&srv, vip.id, contact.id, agent.id, "冷库温度报警").await;
        let (t3, _) = resolved_ticket(&srv, vip.id, contact.id, agent.id, "传感器换货").await;
        assert_eq!(send_due_surveys(app).await.unwrap().sent, 3);
        let link = ticket_survey_link(app, &admin(), t1)
            .await
            .unwrap()
            .expect("a survey link");
        assert!(link.starts_with("/survey/"), "{link}");

        // The question: who asks, which ticket, the scale, the comment rule.
        let anon = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let (status, body) = get(&anon, &srv, &link).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("data-state=\"open\""), "{body}");
        assert!(body.contains("演示公司客服"), "{body}");
        assert!(
            body.contains(&number) && body.contains("主轴异响"),
            "{body}"
        );
        assert!(
            body.contains("很不满意") && body.contains("非常满意"),
            "{body}"
        );
        assert!(body.contains("data-testid=\"score-5\""), "{body}");
        assert!(!body.contains("data-testid=\"score-6\""), "{body}");
        assert!(body.contains("评分低于 3 分时必填"), "{body}");
        assert!(
            !body.contains("name=\"_csrf\""),
            "the link is the credential"
        );
        let (_, en) = get(&anon, &srv, &format!("{link}?lang=en")).await;
        assert!(en.contains("Very dissatisfied"), "{en}");

        // Field errors: the form again, 422, the entries kept, the message by the field, and
        // nothing written.
        let (status, body) = post(&anon, &srv, &link, &[("score", "2"), ("comment", " ")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("data-state=\"open\""), "{body}");
        assert!(body.contains("data-testid=\"error-comment\""), "{body}");
        assert!(body.contains("评分较低时请告诉我们原因"), "{body}");
        assert!(body.contains("value=\"2\" required checked"), "{body}");
        let (status, body) = post(
            &anon,
            &srv,
            &link,
            &[("score", "9"), ("comment", "工程师很专业")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("data-testid=\"error-score\""), "{body}");
        assert!(body.contains(">工程师很专业</textarea>"), "{body}");
        let (status, body) = post(&anon, &srv, &link, &[("comment", "没选分数")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("请选择一个评分"), "{body}");
        assert!(unanswered(&srv, t1).await, "refused answers write nothing");

        // An altered link is refused, reading and answering.
        let mut altered = link.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == '0' { '1' } else { '0' });
        let (status, body) = get(&anon, &srv, &altered).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body.contains("data-state=\"invalid\""), "{body}");
        assert!(body.contains("此评价链接无效或已被修改"), "{body}");
        let (status, _) = post(&anon, &srv, &altered, &[("score", "5")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(unanswered(&srv, t1).await);

        // The answer, then the thank-you; a second answer is a conflict, the link then says
        // it was answered.
        let (status, body) = post(
            &anon,
            &srv,
            &link,
            &[("score", "2"), ("comment", "工程师迟到两小时")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("data-state=\"thanks\""), "{body}");
        assert!(
            body.contains("data-testid=\"survey-score\">2</strong>"),
            "{body}"
        );
        let (status, body) = post(&anon, &srv, &link, &[("score", "5"), ("comment", "")]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("您已评价过，感谢！"), "{body}");
        let (status, body) = get(&anon, &srv, &link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("data-state=\"answered\""), "{body}");

        // An expired link.
        let expired_link = ticket_survey_link(app, &admin(), t2)
            .await
            .unwrap()
            .unwrap();
        survey::Entity::update_many()
            .col_expr(
                survey::Column::ExpiresAt,
                Expr::val(Utc::now() - Duration::days(1)),
            )
            .filter(survey::Column::TicketId.eq(t2))
            .exec(app.store.conn())
            .await
            .unwrap();
        let (status, body) = get(&anon, &srv, &expired_link).await;
        assert_eq!(status, StatusCode::GONE, "{body}");
        assert!(body.contains("此评价链接已过期"), "{body}");
        let (status, _) = post(&anon, &srv, &expired_link, &[("score", "5")]).await;
        assert_eq!(status, StatusCode::GONE);
        assert!(unanswered(&srv, t2).await);

        // The customer's portal page offers the open survey of t3, none for the answered t1.
        let portal = srv.user("customer", Some(vip.id)).await;
        let p = session(&srv, &portal.email).await;
        let (status, body) = get(&p, &srv, &format!("/portal/tickets/{t3}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("data-testid=\"survey-link\""), "{body}");
        // (minijinja escapes the slashes of attribute values.)
        let t3_link = ticket_survey_link(app, &admin(), t3)
            .await
            .unwrap()
            .unwrap();
        assert!(
            body.contains(&format!("href=\"{}\"", t3_link.replace('/', "&#x2f;"))),
            "{body}"
        );
        let (_, body) = get(&p, &srv, &format!("/portal/tickets/{t1}")).await;
        assert!(!body.contains("data-testid=\"survey-invite\""), "{body}");

        // The owner's tasks: three follow-up visits and the low-score call-back.
        let o = session(&srv, &owner.email).await;
        let (status, body) = get(&o, &srv, "/tasks").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body.matches("data-testid=\"task-row\"").count(),
            4,
            "{body}"
        );
        assert!(body.contains("data-kind=\"low_score\""), "{body}");
        assert!(
            body.contains("低分回访") && body.contains("工程师迟到两小时"),
            "{body}"
        );
        assert!(body.contains(&format!("href=\"/tickets/{t1}\"")), "{body}");
        assert!(
            body.contains(&format!("href=\"/customers/{}\"", vip.id)),
            "{body}"
        );
        assert!(body.contains("hx-include=\"closest form\""), "{body}");
        let low = task::Entity::find()
            .filter(task::Column::Kind.eq("low_score"))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        let csrf = csrf_of(&body);
        // "Issue found" needs a note: refused, the task stays open.
        let (status, _) = post(
            &o,
            &srv,
            &format!("/tasks/{}/complete", low.id),
            &[("_csrf", &csrf), ("outcome", "issue_found"), ("note", "")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let res = o
            .post(format!("{}/tasks/{}/complete", srv.base, low.id))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("outcome", "satisfied"),
                ("note", "已致电道歉，客户接受"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()["location"].to_str().unwrap(),
            "/tasks?tab=mine&closed=1"
        );
        let visit = task::Entity::find()
            .filter(task::Column::Kind.eq("follow_up"))
            .filter(task::Column::TicketId.eq(t1))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        // htmx: the list comes back in place, with the confirmation.
        let res = o
            .post(format!("{}/tasks/{}/complete", srv.base, visit.id))
            .header("hx-request", "true")
            .header("x-csrf-token", &csrf)
            .form(&[("outcome", "unreachable"), ("tab", "all")])
            .send()
            .await
            .unwrap();
        let (status, body) = fetch(res).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.starts_with("<div id=\"tasks\""), "{body}");
        assert!(body.contains("data-testid=\"task-closed\""), "{body}");
        assert!(body.contains("data-tab=\"all\""), "{body}");
        assert_eq!(
            body.matches("data-testid=\"task-row\"").count(),
            2,
            "{body}"
        );
        let (_, body) = get(&o, &srv, "/tasks?tab=done").await;
        assert_eq!(
            body.matches("data-testid=\"task-row\"").count(),
            2,
            "{body}"
        );
        assert!(
            body.contains("客户满意") && body.contains("联系不上"),
            "{body}"
        );

        // Results: the supervisor sees the agent's low score; an agent may not.
        let (status, body) = get(&o, &srv, "/reports/surveys?by=agent").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("测试 agent"), "{body}");
        assert!(body.contains("data-testid=\"results-sent\">3<"), "{body}");
        assert!(
            body.contains("data-testid=\"results-answered\">1<"),
            "{body}"
        );
        let (status, body) = get(
            &o,
            &srv,
            "/reports/surveys?kind=nps&by=customer&from=2020-01-01&to=2099-12-31",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let a = session(&srv, &agent.email).await;
        let (status, _) = get(&a, &srv, "/reports/surveys").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, body) = get(&a, &srv, "/tasks").await;
        assert!(body.contains("data-testid=\"tasks-empty\""), "{body}");

        // Settings: shown, refused per field with the typed value kept, saved.
        let admin_user = srv.user("admin", None).await;
        let ad = session(&srv, &admin_user.email).await;
        let (status, body) = get(&ad, &srv, "/admin/care").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.contains("name=\"csat.delay_minutes\" value=\"0\""),
            "{body}"
        );
        let csrf = csrf_of(&body);
        let (status, body) = post(
            &ad,
            &srv,
            "/admin/care/surveys",
            &[
                ("_csrf", &csrf),
                ("csat.enabled", "1"),
                ("csat.delay_minutes", "30"),
                ("csat.sample_percent", "150"),
                ("csat.comment_below", "3"),
                ("csat.expires_days", "14"),
                ("csat.low_score_at_most", "2"),
                ("nps.cooldown_days", "90"),
                ("nps.active_days", "180"),
                ("nps.sample_percent", "100"),
                ("nps.expires_days", "abc"),
                ("nps.low_score_at_most", "6"),
                ("nps.comment_below", "0"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body.contains("data-testid=\"error-nps.expires_days\""),
            "{body}"
        );
        assert!(
            body.contains("name=\"nps.expires_days\" value=\"abc\""),
            "{body}"
        );
        let (status, body) = post(
            &ad,
            &srv,
            "/admin/care/surveys",
            &[
                ("_csrf", &csrf),
                ("csat.enabled", "1"),
                ("csat.delay_minutes", "30"),
                ("csat.sample_percent", "150"),
                ("csat.comment_below", "3"),
                ("csat.expires_days", "14"),
                ("csat.low_score_at_most", "2"),
                ("nps.cooldown_days", "90"),
                ("nps.active_days", "180"),
                ("nps.sample_percent", "100"),
                ("nps.expires_days", "14"),
                ("nps.low_score_at_most", "6"),
                ("nps.comment_below", "0"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body.contains("data-testid=\"error-csat.sample_percent\""),
            "{body}"
        );
        assert!(body.contains("须为 0 到 100 之间的整数"), "{body}");
        assert!(
            body.contains("name=\"csat.sample_percent\" value=\"150\""),
            "{body}"
        );
        assert_eq!(
            survey_settings(app, &admin())
                .await
                .unwrap()
                .csat
                .delay_minutes,
            0,
            "nothing saved"
        );
        let (status, body) = post(
            &ad,
            &srv,
            "/admin/care/follow-up",
            &[
                ("_csrf", &csrf),
                ("enabled", "1"),
                ("after_business_hours", "8"),
                ("assignee", "ticket_assignee"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("data-testid=\"error-tiers\""), "{body}");
        let (status, body) = post(
            &ad,
            &srv,
            "/admin/care/follow-up",
            &[
                ("_csrf", &csrf),
                ("enabled", "1"),
                ("tiers", "vip"),
                ("ticket_kinds", "repair"),
                ("after_business_hours", "8"),
                ("assignee", "ticket_assignee"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("data-testid=\"follow-up-saved\""), "{body}");
        let f = kefu_app::care::follow_up_settings(app, &admin())
            .await
            .unwrap();
        assert_eq!(
            (f.after_business_hours, f.ticket_kinds.clone()),
            (8, vec!["repair".to_owned()])
        );
        let (status, body) = get(&ad, &srv, "/admin").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("href=\"/admin/care\""), "{body}");
        assert!(body.contains("href=\"/tasks\""), "{body}");

        // Staff's ticket page shows the survey and task events in the history.
        let (status, body) = get(&ad, &srv, &format!("/tickets/{t1}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = get(&ad, &srv, &format!("/tickets/{t1}/timeline")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("data-kind=\"survey_answered\""), "{body}");
        assert!(body.contains("data-kind=\"task_done\""), "{body}");

        srv.stop();
        db.cleanup().await;
    }
}
