//! Triggers and macros on both databases. A trigger on a VIP customer's reply raises the
//! priority, tags the ticket, notifies the assignee and the supervisors and makes a call-back
//! task, all named in the history; two triggers that react to each other's changes stop (loop
//! protection). A macro applies a reply, tags, priority, assignment and a status in one
//! transaction; a macro that cannot be applied whole writes nothing.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use kefu_app::care::{TaskQuery, list_tasks};
use kefu_app::customers::{NewContact, NewCustomer, create_contact, create_customer};
use kefu_app::dispatch::save_triggers;
use kefu_app::notify::{dispatch_outbox, list_notifications};
use kefu_app::tickets::{self, NewTicket, ReplyInput};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppError, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_domain::routing::{MAX_CHAIN, Trigger};
use kefu_domain::ticket::{ApprovalRule, Macro};
use kefu_store::entity::{ticket, ticket_event};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use kefu_store::testing::TestDb;
use serde_json::json;
use uuid::Uuid;

fn actor(id: Uuid, role: Role, customer: Option<Uuid>) -> Actor {
    Actor {
        user_id: id,
        role,
        customer_id: customer,
        scopes: None,
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

async fn drain(app: &App) -> usize {
    let mut fired = 0;
    for _ in 0..50 {
        let r = dispatch_outbox(app, 500).await.unwrap();
        fired += r.triggers;
        if r.processed == 0 {
            return fired;
        }
    }
    panic!("the outbox never drained: triggers loop");
}

async fn events_of(app: &App, t: Uuid, kind: &str) -> Vec<ticket_event::Model> {
    ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(t))
        .filter(ticket_event::Column::Kind.eq(kind))
        .all(app.store.conn())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_act_on_events_and_macros_apply_all_or_nothing() {
    for db in TestDb::all().await {
        let start = Utc.with_ymd_and_hms(2026, 3, 4, 2, 0, 0).unwrap();
        let clock = Arc::new(FixedClock::new(start));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let admin = actor(Uuid::nil(), Role::Admin, None);
        let sup_id = staff(&app, "sup@example.cn", "张主管", "supervisor").await;
        let agent_id = staff(&app, "agent@example.cn", "李工", "agent").await;
        let agent = actor(agent_id, Role::Agent, None);
        let vip = create_customer(
            &app,
            &admin,
            NewCustomer {
                name: "宁波精工".into(),
                tier: Some("vip".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let contact = create_contact(
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

        // Refused: a trigger without events names its field.
        let bad: Trigger = serde_json::from_value(json!({
            "id": Uuid::now_v7(), "name": "空", "on": [], "actions": {"priority": "P1"}
        }))
        .unwrap();
        match save_triggers(&app, &admin, vec![bad]).await {
            Err(AppError::Invalid(f)) => assert_eq!(f[0].field, "triggers[0].on"),
            other => panic!("{other:?}"),
        }
        let escalate = Uuid::now_v7();
        let ping = Uuid::now_v7();
        let pong = Uuid::now_v7();
        let list: Vec<Trigger> = serde_json::from_value(json!([
            {"id": escalate, "name": "VIP 客户回复 → 升级", "on": ["customer_replied"],
             "conditions": [{"field": "tier", "op": "is", "value": "vip"}],
             "actions": {"priority": "P1", "add_tags": ["vip跟进"],
                 "notify": ["assignee", {"role": "supervisor"}],
                 "task": {"title": "回电 {{contact}}（{{number}}）", "due_business_hours": 2}}},
            {"id": ping, "name": "ping", "on": ["updated"],
             "actions": {"add_tags": ["ping"], "remove_tags": ["pong"]}},
            {"id": pong, "name": "pong", "on": ["updated"],
             "actions": {"add_tags": ["pong"], "remove_tags": ["ping"]}}
        ]))
        .unwrap();
        save_triggers(&app, &admin, list).await.unwrap();

        let t = tickets::open_ticket(
            &app,
            &admin,
            NewTicket {
                subject: "主轴异响".into(),
                customer_id: Some(vip.id),
                contact_id: Some(contact.id),
                assignee_id: Some(agent_id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        drain(&app).await;
        let customer_user = actor(Uuid::now_v7(), Role::Customer, Some(vip.id));
        tickets::add_reply(
            &app,
            &customer_user,
            t.id,
            ReplyInput {
                body: "还是响，请尽快派人".into(),
                attachment_ids: vec![],
            },
        )
        .await
        .unwrap();
        let fired = drain(&app).await;
        assert!(fired >= 1);

        let row = ticket::Entity::find_by_id(t.id)
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.priority, "P1");
        let tags: Vec<String> = serde_json::from_value(row.tags.clone()).unwrap();
        assert!(tags.contains(&"vip跟进".to_string()), "{tags:?}");
        let fired_events = events_of(&app, t.id, "trigger_fired").await;
        let esc = fired_events
            .iter()
            .find(|e| e.data["trigger_id"] == json!(escalate))
            .expect("the escalation is in the history");
        assert_eq!(esc.data["notified"], 2, "assignee and supervisor");
        assert_eq!(esc.data["done"], json!(["priority", "tags"]));
        let prio = events_of(&app, t.id, "field_changed").await;
        assert!(
            prio.iter().any(
                |e| e.data["field"] == "priority" && e.data["trigger"] == "VIP 客户回复 → 升级"
            )
        );
        let tasks = list_tasks(
            &app,
            &agent,
            TaskQuery {
                ticket_id: Some(t.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].kind, "trigger");
        assert_eq!(tasks[0].title, format!("回电 陈经理（{}）", t.number));
        let sup = actor(sup_id, Role::Supervisor, None);
        let notes = list_notifications(&app, &sup, true, None, 50)
            .await
            .unwrap();
        assert!(
            notes
                .iter()
                .any(|n| n.kind == "trigger" && n.ticket_id == Some(t.id))
        );

        // Loop protection: ping and pong react to each other's tag changes, but each chain
        // ends; the history shows at most MAX_CHAIN links per chain.
        let pings = fired_events
            .iter()
            .filter(|e| e.data["trigger_id"] != json!(escalate))
            .count();
        assert!(pings >= 2, "ping and pong both fired: {pings}");
        for e in &fired_events {
            let chain = e.data["chain"].as_array().unwrap();
            assert!(chain.len() <= MAX_CHAIN, "{chain:?}");
            let ids: std::collections::HashSet<_> = chain.iter().collect();
            assert_eq!(ids.len(), chain.len(), "no trigger twice in a chain");
        }

        // Macros.
        let send_parts = Uuid::now_v7();
        let close = Uuid::now_v7();
        let broken = Uuid::now_v7();
        let macros: Vec<Macro> = serde_json::from_value(json!([
            {"id": send_parts, "name": "配件已寄出", "actions": {
                "status": "pending_customer", "priority": "P3", "assignee": "me",
                "add_tags": ["已寄件"], "reply": "{{contact}}您好，{{number}} 的配件已寄出。",
                "note": "macro note"}},
            {"id": close, "name": "直接解决", "actions": {
                "status": "resolved", "reply": "已为您解决。"}},
            {"id": broken, "name": "给不存在的人", "actions": {
                "assignee": {"user": Uuid::now_v7()}, "reply": "不会发出"}}
        ]))
        .unwrap();
        tickets::save_macros(&app, &admin, macros).await.unwrap();
        // Ping-pong triggers off for the macro part.
        save_triggers(&app, &admin, vec![]).await.unwrap();
        drain(&app).await;
        let t2 = tickets::open_ticket(
            &app,
            &admin,
            NewTicket {
                subject: "缺配件".into(),
                customer_id: Some(vip.id),
                contact_id: Some(contact.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let v = tickets::apply_macro(&app, &agent, t2.id, send_parts, None)
            .await
            .unwrap();
        assert_eq!(v.status, "pending_customer");
        assert_eq!(v.priority, "P3");
        assert_eq!(v.assignee_id, Some(agent_id));
        assert!(v.tags.contains(&"已寄件".to_string()));
        let replies = events_of(&app, t2.id, "reply").await;
        assert_eq!(replies.len(), 1);
        assert_eq!(
            replies[0].data["body"],
            format!("陈经理您好，{} 的配件已寄出。", t2.number)
        );
        assert_eq!(replies[0].data["macro"], "配件已寄出");
        assert!(replies[0].public);

        // All or nothing: an unknown assignee fails the whole macro.
        let before = ticket::Entity::find_by_id(t2.id)
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        match tickets::apply_macro(&app, &agent, t2.id, broken, None).await {
            Err(AppError::Invalid(f)) => assert_eq!(f[0].field, "assignee"),
            other => panic!("{other:?}"),
        }
        // A status waiting for sign-off refuses the macro, reply included.
        tickets::save_approval_rules(
            &app,
            &admin,
            vec![ApprovalRule {
                step: "主管审批".into(),
                kind: None,
                to: "resolved".into(),
                approver_role: Role::Supervisor,
                amount_field: None,
                min_amount: None,
            }],
        )
        .await
        .unwrap();
        assert!(
            tickets::apply_macro(&app, &agent, t2.id, close, None)
                .await
                .is_err()
        );
        let after = ticket::Entity::find_by_id(t2.id)
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.version, before.version, "nothing was written");
        assert_eq!(events_of(&app, t2.id, "reply").await.len(), 1);
        // A stale version is refused too.
        assert!(matches!(
            tickets::apply_macro(&app, &agent, t2.id, send_parts, Some(before.version - 1)).await,
            Err(AppError::Conflict { .. })
        ));
        assert!(matches!(
            tickets::apply_macro(&app, &agent, t2.id, Uuid::now_v7(), None).await,
            Err(AppError::NotFound(_))
        ));
    }
}
