//! What the ticket page reads, on both databases: the ticket with its history in one go gives
//! what `get_ticket` and `ticket_history` give (a customer sees public entries only, and the
//! SLA clock still counts the status changes); the configuration it reads through the cache
//! (staff directory, ticket types, macros, canned replies) shows a change at once.

use kefu_app::config::ticket_types::{TicketTypeInput, save_ticket_type};
use kefu_app::customers::{NewCustomer, create_customer};
use kefu_app::tickets::{self, NewTicket, ReplyInput, TransitionInput};
use kefu_app::users::{NewUser, UserPatch, create_user, staff_directory, update_user};
use kefu_app::{App, AppSettings};
use kefu_domain::access::{Actor, Role};
use kefu_domain::ticket::{CannedReply, Macro};
use kefu_store::testing::TestDb;

async fn setup(db: &TestDb) -> (App, Actor) {
    let app = App::new(
        db.store.clone(),
        AppSettings::for_tests(db.dir.join("files")),
    );
    kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
    let admin = create_user(
        &app,
        None,
        NewUser {
            email: "li@example.cn".into(),
            name: "李主管".into(),
            role: "admin".into(),
            password: Some("long enough pw".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let me = Actor {
        user_id: admin.id,
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    };
    (app, me)
}

#[tokio::test]
async fn ticket_with_history_is_get_ticket_and_ticket_history() {
    for db in TestDb::all().await {
        let (app, me) = setup(&db).await;
        let c = create_customer(
            &app,
            &me,
            NewCustomer {
                name: "华东精密机械".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let portal = create_user(
            &app,
            None,
            NewUser {
                email: "buyer@huadong.cn".into(),
                name: "采购 张".into(),
                role: "customer".into(),
                password: Some("long enough pw".into()),
                customer_id: Some(c.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let customer = Actor {
            user_id: portal.id,
            role: Role::Customer,
            customer_id: Some(c.id),
            scopes: None,
        };
        let t = tickets::open_ticket(
            &app,
            &me,
            NewTicket {
                subject: "数控车床主轴异响".into(),
                customer_id: Some(c.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tickets::add_reply(
            &app,
            &me,
            t.id,
            ReplyInput {
                body: "请拍一段异响的视频".into(),
                attachment_ids: vec![],
            },
        )
        .await
        .unwrap();
        tickets::add_note(
            &app,
            &me,
            t.id,
            ReplyInput {
                body: "内部：可能是轴承".into(),
                attachment_ids: vec![],
            },
        )
        .await
        .unwrap();
        // Waiting for the customer pauses the clock: the status change is in the history.
        tickets::transition_ticket(
            &app,
            &me,
            t.id,
            TransitionInput {
                to: "pending_customer".into(),
                version: None,
                comment: None,
            },
        )
        .await
        .unwrap();

        for who in [&me, &customer] {
            let (view, events) = tickets::ticket_with_history(&app, who, t.id).await.unwrap();
            let alone = tickets::get_ticket(&app, who, t.id).await.unwrap();
            let history = tickets::ticket_history(&app, who, t.id).await.unwrap();
            assert_eq!(
                serde_json::to_value(&view).unwrap(),
                serde_json::to_value(&alone).unwrap(),
                "{:?}",
                db.backend
            );
            assert!(view.sla.paused, "{:?}", db.backend);
            assert_eq!(
                serde_json::to_value(&events).unwrap(),
                serde_json::to_value(&history).unwrap(),
                "{:?}",
                db.backend
            );
        }
        let (_, staff_events) = tickets::ticket_with_history(&app, &me, t.id).await.unwrap();
        let (_, customer_events) = tickets::ticket_with_history(&app, &customer, t.id)
            .await
            .unwrap();
        assert!(
            staff_events.iter().any(|e| e.kind == "note"),
            "{:?}",
            db.backend
        );
        assert!(customer_events.iter().all(|e| e.public), "{:?}", db.backend);
        assert!(
            customer_events.len() < staff_events.len(),
            "{:?}",
            db.backend
        );

        // Another customer's user finds nothing.
        let other = Actor {
            customer_id: Some(uuid::Uuid::now_v7()),
            ..customer.clone()
        };
        assert!(
            tickets::ticket_with_history(&app, &other, t.id)
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn configuration_read_through_the_cache_shows_a_change_at_once() {
    for db in TestDb::all().await {
        let (app, me) = setup(&db).await;
        // Read once so that each list is cached before the change.
        let staff_before = staff_directory(&app, &me).await.unwrap().len();
        assert!(tickets::list_macros(&app, &me).await.unwrap().is_empty());
        let canned_before = tickets::canned_replies(&app, &me).await.unwrap().len();
        let types_before = tickets::list_ticket_types(&app, &me).await.unwrap().len();

        let agent = create_user(
            &app,
            Some(&me),
            NewUser {
                email: "zhao@example.cn".into(),
                name: "赵工".into(),
                role: "agent".into(),
                password: Some("long enough pw".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let names = |s: Vec<kefu_app::users::StaffEntry>| -> Vec<String> {
            s.into_iter().map(|u| u.name).collect()
        };
        let staff = names(staff_directory(&app, &me).await.unwrap());
        assert_eq!(staff.len(), staff_before + 1, "{:?}", db.backend);
        assert!(
            staff.contains(&"赵工".to_owned()),
            "{:?}: {staff:?}",
            db.backend
        );
        update_user(
            &app,
            &me,
            agent.id,
            UserPatch {
                name: Some("赵高级工程师".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let staff = names(staff_directory(&app, &me).await.unwrap());
        assert!(
            staff.contains(&"赵高级工程师".to_owned()) && !staff.contains(&"赵工".to_owned()),
            "{:?}: {staff:?}",
            db.backend
        );

        let m = Macro {
            id: uuid::Uuid::now_v7(),
            name: "转备件组".into(),
            actions: kefu_domain::ticket::TicketActions {
                add_tags: vec!["备件".into()],
                ..Default::default()
            },
        };
        tickets::save_macros(&app, &me, vec![m]).await.unwrap();
        let macros = tickets::list_macros(&app, &me).await.unwrap();
        assert_eq!(macros.len(), 1, "{:?}", db.backend);
        assert_eq!(macros[0].name, "转备件组");

        let mut canned = tickets::canned_replies(&app, &me).await.unwrap();
        canned.push(CannedReply {
            id: uuid::Uuid::now_v7(),
            title: "上门时间".into(),
            body: "{{contact}} 您好，工程师明天上门。".into(),
        });
        tickets::save_canned_replies(&app, &me, canned)
            .await
            .unwrap();
        let canned = tickets::canned_replies(&app, &me).await.unwrap();
        assert_eq!(canned.len(), canned_before + 1, "{:?}", db.backend);

        save_ticket_type(
            &app,
            &me,
            TicketTypeInput {
                code: "calibration".into(),
                name_zh: "校准".into(),
                name_en: "Calibration".into(),
                fields: vec![],
                active: true,
            },
        )
        .await
        .unwrap();
        let types = tickets::list_ticket_types(&app, &me).await.unwrap();
        assert_eq!(types.len(), types_before + 1, "{:?}", db.backend);
        assert!(types.iter().any(|t| t.code == "calibration" && t.active));
    }
}
