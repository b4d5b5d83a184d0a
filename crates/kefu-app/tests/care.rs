//! Follow-up visits and satisfaction surveys on both databases, with a fixed clock: resolving a
//! VIP customer's ticket schedules a follow-up task for the account owner (due in business time)
//! and a CSAT survey after the delay; a standard customer gets the survey but no visit; the
//! sender mails the signed link; answers through the link are checked (scale, comment below the
//! threshold, altered link, second answer, expired link — none of them writes); a low score
//! opens a call-back task; tasks are reminded when due and closed with an outcome; results per
//! agent; NPS rounds respect the cool-down.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use kefu_app::care::surveys::{
    SurveyAnswer, SurveyResultsQuery, answer_survey, nps_round, open_survey, send_due_surveys,
    survey_results, ticket_survey_link,
};
use kefu_app::care::{
    TaskDone, TaskQuery, complete_task, list_tasks, remind_tasks, save_survey_settings,
    survey_settings,
};
use kefu_app::customers::{NewContact, NewCustomer, create_contact, create_customer};
use kefu_app::intake::{MailSettings, OutboundSettings, save_mail_settings};
use kefu_app::tickets::{self, NewTicket, TransitionInput};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppError, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::{job, mail_message, survey, ticket_event};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use kefu_store::testing::TestDb;
use uuid::Uuid;

fn actor(id: Uuid, role: Role) -> Actor {
    Actor {
        user_id: id,
        role,
        customer_id: None,
        scopes: None,
    }
}

fn all(ticket: Uuid) -> TaskQuery {
    TaskQuery {
        assignee: Some("all".into()),
        status: Some("all".into()),
        ticket_id: Some(ticket),
        ..Default::default()
    }
}

async fn staff(app: &App, email: &str, name: &str, role: &str) -> Uuid {
    create_user(
        app,
        None,
        NewUser {
            email: email.into(),
            name: name.into(),
            role: role.into(),
            password: Some("a-long-password-1".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

async fn resolve(app: &App, who: &Actor, id: Uuid) {
    tickets::transition_ticket(
        app,
        who,
        id,
        TransitionInput {
            to: "resolved".into(),
            version: None,
            comment: None,
        },
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ups_and_surveys_run_from_resolution_to_results() {
    for db in TestDb::all().await {
        // Friday 2026-03-06 16:00 Beijing.
        let start = Utc.with_ymd_and_hms(2026, 3, 6, 8, 0, 0).unwrap();
        let clock = Arc::new(FixedClock::new(start));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let admin = actor(Uuid::nil(), Role::Admin);
        let owner_id = staff(&app, "owner@example.cn", "王客户经理", "supervisor").await;
        let agent_id = staff(&app, "agent@example.cn", "李工", "agent").await;
        let engineer_id = staff(&app, "fe@example.cn", "赵工", "field_engineer").await;
        let owner = actor(owner_id, Role::Supervisor);
        let agent = actor(agent_id, Role::Agent);
        let mut s = MailSettings::load(app.store.conn()).await.unwrap();
        s.outbound = OutboundSettings {
            enabled: true,
            from_address: "support@kefu.test".into(),
            from_name: "演示公司客服".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 2525,
            smtp_security: "none".into(),
            ..Default::default()
        };
        save_mail_settings(&app, &admin, s).await.unwrap();

        let vip = create_customer(
            &app,
            &admin,
            NewCustomer {
                name: "宁波精工".into(),
                tier: Some("vip".into()),
                owner_id: Some(owner_id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let plain = create_customer(
            &app,
            &admin,
            NewCustomer {
                name: "小店".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let vip_contact = create_contact(
            &app,
            &admin,
            vip.id,
            NewContact {
                name: "陈经理".into(),
                email: Some("chen@jinggong.cn".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let plain_contact = create_contact(
            &app,
            &admin,
            plain.id,
            NewContact {
                name: "周老板".into(),
                email: Some("zhou@shop.cn".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let open = |customer: Uuid, contact: Uuid, subject: &str| NewTicket {
            subject: subject.into(),
            customer_id: Some(customer),
            contact_id: Some(contact),
            assignee_id: Some(agent_id),
            ..Default::default()
        };
        let t = tickets::open_ticket(&app, &admin, open(vip.id, vip_contact.id, "主轴异响"))
            .await
            .unwrap();
        let t2 = tickets::open_ticket(&app, &admin, open(plain.id, plain_contact.id, "咨询"))
            .await
            .unwrap();
        resolve(&app, &agent, t.id).await;
        resolve(&app, &agent, t2.id).await;

        // The VIP ticket gets a visit for the account owner, 16 business hours on: Friday
        // 16:00–18:00 (2 h), Monday (7.5 h), Tuesday 09:00–12:00 and 13:30–17:00 (6.5 h).
        let visits = list_tasks(&app, &owner, all(t.id)).await.unwrap();
        assert_eq!(visits.len(), 1, "{visits:?}");
        assert_eq!(visits[0].kind, "follow_up");
        assert_eq!(visits[0].assignee_id, Some(owner_id));
        assert_eq!(visits[0].customer_name.as_deref(), Some("宁波精工"));
        assert_eq!(
            visits[0].due_at,
            Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap()
        );
        assert!(
            list_tasks(&app, &owner, all(t2.id))
                .await
                .unwrap()
                .is_empty()
        );
        // The owner's own list (default: mine, open) has it too.
        let mine = list_tasks(&app, &owner, TaskQuery::default())
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);

        // Reopened and resolved again: still one visit and one survey.
        tickets::transition_ticket(
            &app,
            &agent,
            t.id,
            TransitionInput {
                to: "open".into(),
                version: None,
                comment: None,
            },
        )
        .await
        .unwrap();
        resolve(&app, &agent, t.id).await;
        assert_eq!(list_tasks(&app, &owner, all(t.id)).await.unwrap().len(), 1);
        let rows = survey::Entity::find().all(app.store.conn()).await.unwrap();
        assert_eq!(rows.len(), 2, "one CSAT survey per resolved ticket");
        let s1 = rows.iter().find(|r| r.ticket_id == Some(t.id)).unwrap();
        assert_eq!(s1.status, "scheduled");
        assert_eq!(s1.send_at, start + Duration::minutes(60));
        assert_eq!(s1.agent_id, Some(agent_id));

        // Nothing goes out before the delay; then both do, by mail, with the signed link.
        assert_eq!(send_due_surveys(&app).await.unwrap().sent, 0);
        clock.set(start + Duration::minutes(61));
        let sent = send_due_surveys(&app).await.unwrap();
        assert_eq!((sent.sent, sent.mailed), (2, 2), "{sent:?}");
        let link = ticket_survey_link(&app, &agent, t.id)
            .await
            .unwrap()
            .unwrap();
        let token = link.strip_prefix("/survey/").unwrap().to_owned();
        let mails = mail_message::Entity::find()
            .filter(mail_message::Column::Purpose.eq("survey"))
            .all(app.store.conn())
            .await
            .unwrap();
        assert_eq!(mails.len(), 2);
        assert!(
            mails
                .iter()
                .any(|m| m.to_email.as_deref() == Some("chen@jinggong.cn"))
        );
        let jobs = job::Entity::find()
            .filter(job::Column::Kind.eq(kefu_app::mail::SEND_JOB))
            .all(app.store.conn())
            .await
            .unwrap();
        let url = format!("http://kefu.test/survey/{token}");
        assert!(
            jobs.iter().any(|j| j.payload["spec"]["text"]
                .as_str()
                .is_some_and(|x| x.contains(&url))),
            "the mail carries the link"
        );

        let page = open_survey(&app, &token).await.unwrap();
        assert_eq!((page.state.as_str(), page.min, page.max), ("open", 1, 5));
        assert_eq!(page.ticket_subject.as_deref(), Some("主轴异响"));

        // Refused answers write nothing.
        let answer = |score: i32, comment: &str| SurveyAnswer {
            score,
            comment: Some(comment.into()),
        };
        match answer_survey(&app, &token, answer(2, " ")).await {
            Err(AppError::Invalid(f)) => assert_eq!(
                (f[0].field.as_str(), f[0].code.as_str()),
                ("comment", "required")
            ),
            other => panic!("{other:?}"),
        }
        match answer_survey(&app, &token, answer(6, "太好了")).await {
            Err(AppError::Invalid(f)) => assert_eq!(f[0].field, "score"),
            other => panic!("{other:?}"),
        }
        let mut altered = token.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == '0' { '1' } else { '0' });
        assert!(matches!(
            answer_survey(&app, &altered, answer(5, "")).await,
            Err(AppError::Forbidden(_))
        ));
        let forged = format!(
            "{}.{}",
            Uuid::now_v7().simple(),
            token.split_once('.').unwrap().1
        );
        assert!(matches!(
            open_survey(&app, &forged).await,
            Err(AppError::Forbidden(_))
        ));
        let untouched = survey::Entity::find_by_id(s1.id)
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((untouched.score, untouched.answered_at), (None, None));

        // A low score with a comment is taken once, and opens a call-back for the owner.
        let done = answer_survey(&app, &token, answer(2, "工程师迟到两小时"))
            .await
            .unwrap();
        assert_eq!((done.state.as_str(), done.score), ("answered", Some(2)));
        match answer_survey(&app, &token, answer(5, "")).await {
            Err(AppError::Conflict { code, .. }) => assert_eq!(code, "survey_answered"),
            other => panic!("{other:?}"),
        }
        let tasks = list_tasks(&app, &owner, all(t.id)).await.unwrap();
        let callback = tasks
            .iter()
            .find(|x| x.kind == "low_score")
            .expect("call-back task");
        assert_eq!(callback.assignee_id, Some(owner_id));
        assert_eq!(callback.details.as_deref(), Some("工程师迟到两小时"));
        let kinds: Vec<String> = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(t.id))
            .all(app.store.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        for k in ["task_created", "survey_sent", "survey_answered"] {
            assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
        }

        // The other link expires unanswered: refused as gone, nothing written, marked expired.
        let link2 = ticket_survey_link(&app, &agent, t2.id)
            .await
            .unwrap()
            .unwrap();
        let token2 = link2.strip_prefix("/survey/").unwrap().to_owned();
        clock.set(start + Duration::days(16));
        match answer_survey(&app, &token2, answer(5, "")).await {
            Err(AppError::Gone { code, .. }) => assert_eq!(code, "survey_expired"),
            other => panic!("{other:?}"),
        }
        assert_eq!(open_survey(&app, &token2).await.unwrap().state, "expired");
        assert_eq!(send_due_surveys(&app).await.unwrap().expired, 1);
        assert!(
            ticket_survey_link(&app, &agent, t2.id)
                .await
                .unwrap()
                .is_none()
        );

        // Results: one answer, for the agent who resolved it; one of two sent answered.
        let r = survey_results(
            &app,
            &owner,
            SurveyResultsQuery {
                kind: None,
                by: Some("agent".into()),
                from: None,
                to: None,
            },
        )
        .await
        .unwrap();
        assert_eq!((r.sent, r.answered, r.response_rate), (2, 1, Some(50.0)));
        assert_eq!(r.total.responses, 1);
        assert_eq!(r.total.average, Some(2.0));
        assert_eq!(r.total.csat_percent, Some(0.0));
        assert_eq!(r.groups.len(), 1);
        assert_eq!(
            (r.groups[0].key, r.groups[0].name.as_str()),
            (Some(agent_id), "李工")
        );
        assert!(matches!(
            survey_results(
                &app,
                &agent,
                SurveyResultsQuery {
                    kind: None,
                    by: None,
                    from: None,
                    to: None
                }
            )
            .await,
            Err(AppError::Forbidden(_))
        ));

        // Due tasks are reminded once.
        let n = remind_tasks(&app).await.unwrap();
        assert_eq!(n.reminded, 2, "visit and call-back");
        assert_eq!(remind_tasks(&app).await.unwrap().reminded, 0);
        let notes = kefu_app::notify::list_notifications(&app, &owner, true, None, 50)
            .await
            .unwrap();
        assert!(notes.iter().any(|n| n.kind == "task_due"), "{notes:?}");
        assert!(notes.iter().any(|n| n.kind == "task_assigned"));

        // Outcomes: a problem needs a note; someone else's task is not theirs to close.
        let visit = visits[0].id;
        let issue = |note: Option<&str>| TaskDone {
            outcome: "issue_found".into(),
            note: note.map(Into::into),
        };
        match complete_task(&app, &owner, visit, issue(None)).await {
            Err(AppError::Invalid(f)) => assert_eq!(f[0].field, "note"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            complete_task(
                &app,
                &actor(engineer_id, Role::FieldEngineer),
                visit,
                issue(Some("x"))
            )
            .await,
            Err(AppError::Forbidden(_))
        ));
        let closed = complete_task(
            &app,
            &owner,
            visit,
            issue(Some("偶尔仍有异响，已约下周复查")),
        )
        .await
        .unwrap();
        assert_eq!(
            (closed.status.as_str(), closed.outcome.as_deref()),
            ("done", Some("issue_found"))
        );
        match complete_task(&app, &owner, visit, issue(Some("again"))).await {
            Err(AppError::Conflict { code, .. }) => assert_eq!(code, "task_closed"),
            other => panic!("{other:?}"),
        }
        let history = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(t.id))
            .filter(ticket_event::Column::Kind.eq("task_done"))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(history.data["outcome"], "issue_found");

        // NPS: off by default; on, both active contacts are asked once, then left alone.
        assert_eq!(nps_round(&app).await.unwrap().asked, 0);
        let mut ss = survey_settings(&app, &admin).await.unwrap();
        ss.nps.enabled = true;
        save_survey_settings(&app, &admin, ss.clone())
            .await
            .unwrap();
        let round = nps_round(&app).await.unwrap();
        assert_eq!((round.eligible, round.asked), (2, 2));
        assert_eq!(nps_round(&app).await.unwrap().asked, 0, "cool-down");
        let sent = send_due_surveys(&app).await.unwrap();
        assert_eq!(sent.mailed, 2);
        ss.nps.cooldown_days = 0;
        match save_survey_settings(&app, &admin, ss).await {
            Err(AppError::Invalid(f)) => assert_eq!(f[0].field, "nps.cooldown_days"),
            other => panic!("{other:?}"),
        }
    }
}
