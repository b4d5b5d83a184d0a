//! One story through the use cases, run on SQLite and on PostgreSQL (a fresh database per run).
//! With `CI=true` an unreachable PostgreSQL fails the test instead of skipping it.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use kefu_app::customers::{NewAsset, NewCustomer, create_asset, create_customer};
use kefu_app::tickets::{
    MergeInput, NewTicket, ReplyInput, TicketListQuery, TicketPatch, TransitionInput,
};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppError, AppSettings, FixedClock, tickets};
use kefu_domain::access::{Actor, Role};
use kefu_store::testing::TestDb;

fn app_on(db: &TestDb, clock: Arc<FixedClock>) -> App {
    App::with_clock(
        db.store.clone(),
        AppSettings::for_tests(db.dir.join("files")),
        clock,
    )
}

async fn story(app: &App, clock: &FixedClock) {
    assert!(
        kefu_app::bootstrap::ensure_defaults(app)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        kefu_app::bootstrap::ensure_defaults(app)
            .await
            .unwrap()
            .is_none(),
        "idempotent"
    );
    let admin = Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    };
    let agent_u = create_user(
        app,
        None,
        NewUser {
            email: "Agent@Example.cn".into(),
            name: "李娜".into(),
            role: "agent".into(),
            password: Some("long enough pw".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(agent_u.email, "agent@example.cn");
    let dup = create_user(
        app,
        None,
        NewUser {
            email: "agent@example.cn".into(),
            name: "x".into(),
            role: "agent".into(),
            password: Some("long enough pw".into()),
            ..Default::default()
        },
    )
    .await;
    assert!(
        matches!(dup, Err(AppError::Invalid(ref e)) if e[0].code == "taken"),
        "{dup:?}"
    );
    let agent = Actor {
        user_id: agent_u.id,
        role: Role::Agent,
        customer_id: None,
        scopes: None,
    };

    let c1 = create_customer(
        app,
        &admin,
        NewCustomer {
            name: "苏州精工".into(),
            tier: Some("vip".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let c2 = create_customer(
        app,
        &admin,
        NewCustomer {
            name: "广州华南".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let asset = create_asset(
        app,
        &admin,
        c1.id,
        NewAsset {
            product_name: "CK6150".into(),
            serial_number: "SN-1".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let portal_u = create_user(
        app,
        None,
        NewUser {
            email: "kehu@c2.cn".into(),
            name: "客户".into(),
            role: "customer".into(),
            password: Some("long enough pw".into()),
            customer_id: Some(c2.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let portal = Actor {
        user_id: portal_u.id,
        role: Role::Customer,
        customer_id: Some(c2.id),
        scopes: None,
    };

    // Monday 2026-11-23 10:00 Beijing: a P1 repair on the asset picks the customer from it.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap());
    let t = tickets::open_ticket(
        app,
        &agent,
        NewTicket {
            subject: "主轴异响".into(),
            kind: Some("repair".into()),
            priority: Some("P1".into()),
            asset_id: Some(asset.id),
            description: Some("停机".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(t.customer_id, Some(c1.id));
    assert_eq!(t.number, "SR-202611-000001");
    assert_eq!(t.status, "new");
    assert_eq!(
        t.sla.first_response.due_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 23, 2, 30, 0).unwrap())
    );
    assert_eq!(
        t.sla.resolution.due_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 23, 4, 0, 0).unwrap())
    );

    // Portal users never see other customers' tickets.
    assert!(matches!(
        tickets::get_ticket(app, &portal, t.id).await,
        Err(AppError::NotFound(_))
    ));
    let page = tickets::list_tickets(app, &portal, TicketListQuery::default())
        .await
        .unwrap();
    assert!(page.items.is_empty());

    // A reply stops the first-response timer and opens the ticket.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 2, 10, 0).unwrap());
    let t = tickets::add_reply(
        app,
        &agent,
        t.id,
        ReplyInput {
            body: "工程师已出发".into(),
            attachment_ids: vec![],
        },
    )
    .await
    .unwrap();
    assert_eq!(t.status, "open");
    assert_eq!(t.sla.first_response.state, "met");

    // Pending customer pauses the clock for one business hour, moving the resolution due time.
    let t = tickets::transition_ticket(
        app,
        &agent,
        t.id,
        TransitionInput {
            to: "pending_customer".into(),
            version: Some(t.version),
            comment: None,
        },
    )
    .await
    .unwrap();
    assert!(t.sla.paused);
    assert_eq!(t.sla.resolution.state, "paused");
    clock.set(Utc.with_ymd_and_hms(2026, 11, 23, 3, 10, 0).unwrap());
    let t = tickets::transition_ticket(
        app,
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
    // 10 min worked, 1 h paused, 50 min to noon, lunch, 60 min from 13:30 → 14:30 Beijing.
    assert_eq!(
        t.sla.resolution.due_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 23, 6, 30, 0).unwrap())
    );

    // Stale version is a conflict; a refused transition is a rule error.
    let stale = tickets::update_ticket(
        app,
        &agent,
        t.id,
        TicketPatch {
            version: Some(1),
            priority: Some("P3".into()),
            ..Default::default()
        },
    )
    .await;
    assert!(
        matches!(
            stale,
            Err(AppError::Conflict {
                code: "stale_version",
                ..
            })
        ),
        "{stale:?}"
    );
    let bad = tickets::transition_ticket(
        app,
        &agent,
        t.id,
        TransitionInput {
            to: "new".into(),
            version: None,
            comment: None,
        },
    )
    .await;
    assert!(matches!(bad, Err(AppError::Rule { .. })), "{bad:?}");

    // Priority change recomputes due times from creation (P3: 48 business hours).
    let t = tickets::update_ticket(
        app,
        &agent,
        t.id,
        TicketPatch {
            version: Some(t.version),
            priority: Some("P3".into()),
            tags: Some(vec!["主轴".into()]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_ne!(
        t.sla.resolution.due_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 23, 6, 30, 0).unwrap())
    );
    let tagged = tickets::list_tickets(
        app,
        &agent,
        TicketListQuery {
            tag: Some("主轴".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(tagged.items.len(), 1);

    // Merge a duplicate; it closes and points at the survivor.
    let dup_t = tickets::open_ticket(
        app,
        &agent,
        NewTicket {
            subject: "同一问题".into(),
            customer_id: Some(c1.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(dup_t.number, "SR-202611-000002");
    let merged = tickets::merge_ticket(
        app,
        &agent,
        dup_t.id,
        MergeInput {
            into_id: t.id,
            version: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(merged.merged_into_id, Some(t.id));
    assert_eq!(merged.status, "closed");

    // The history records every change, in order, with actors.
    let h = tickets::ticket_history(app, &agent, t.id).await.unwrap();
    let kinds: Vec<&str> = h.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds[0], "created");
    assert!(
        kinds.contains(&"reply")
            && kinds.contains(&"status_changed")
            && kinds.contains(&"field_changed")
            && kinds.contains(&"merged")
    );
    assert!(h.iter().all(|e| e.actor_id == Some(agent.user_id)));

    // Cursor pagination walks every ticket once.
    for i in 0..5 {
        tickets::open_ticket(
            app,
            &portal,
            NewTicket {
                subject: format!("门户工单 {i}"),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let p = tickets::list_tickets(
            app,
            &portal,
            TicketListQuery {
                limit: Some(2),
                cursor: cursor.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        seen.extend(p.items.iter().map(|t| t.id));
        assert!(
            p.items
                .iter()
                .all(|t| t.customer_id == Some(c2.id) && t.channel == "portal")
        );
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
}

#[tokio::test]
async fn story_on_sqlite_and_postgres() {
    for db in TestDb::all().await {
        eprintln!("{:?}", db.backend);
        let clock = Arc::new(FixedClock::new(Utc::now()));
        story(&app_on(&db, clock.clone()), &clock).await;
        db.cleanup().await;
    }
}
