//! Spare parts on both databases: parallel reservations never take more than is on hand
//! (the rest waits on one purchase request and the tickets move to pending parts), received
//! stock goes to waiting tickets by priority, consume and release move stock once, and only
//! staff with the right permissions touch any of it.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use kefu_app::parts::{self, PartInput, ReceiveInput, ReserveInput, WarehouseInput};
use kefu_app::tickets::{self, NewTicket, TransitionInput};
use kefu_app::{App, AppError, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::{stock, stock_move};
use kefu_store::sea_orm::{EntityTrait, PaginatorTrait};
use kefu_store::testing::TestDb;
use uuid::Uuid;

fn actor(role: Role) -> Actor {
    Actor {
        user_id: Uuid::now_v7(),
        role,
        customer_id: None,
        scopes: None,
    }
}

async fn open_ticket(app: &App, who: &Actor, subject: &str, priority: &str) -> Uuid {
    let t = tickets::open_ticket(
        app,
        who,
        NewTicket {
            subject: subject.into(),
            priority: Some(priority.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    if t.status != "open" {
        tickets::transition_ticket(
            app,
            who,
            t.id,
            TransitionInput {
                to: "open".into(),
                version: None,
                comment: None,
            },
        )
        .await
        .unwrap();
    }
    t.id
}

async fn stock_row(app: &App, part: Uuid, wh: Uuid) -> stock::Model {
    stock::Entity::find_by_id((part, wh))
        .one(app.store.conn())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reservations_shortages_receipts_and_allocation() {
    for db in TestDb::all().await {
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap(),
        ));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let manager = actor(Role::Supervisor);
        let agent = actor(Role::Agent);

        // Catalogue: agents may not add parts; codes are unique.
        let fuser = PartInput {
            code: "FU-M7400".into(),
            name: "定影组件 M7400".into(),
            unit: Some("套".into()),
            unit_price_cents: 128_000,
            external_id: Some("ERP-4711".into()),
        };
        assert!(matches!(
            parts::create_part(&app, &agent, fuser.clone()).await,
            Err(AppError::Forbidden(_))
        ));
        let part = parts::create_part(&app, &manager, fuser.clone())
            .await
            .unwrap();
        assert!(matches!(
            parts::create_part(&app, &manager, fuser).await,
            Err(AppError::Invalid(e)) if e[0].code == "taken"
        ));
        let wh = parts::create_warehouse(
            &app,
            &manager,
            WarehouseInput {
                code: "SH-01".into(),
                name: "上海中心仓".into(),
                kind: None,
                engineer_id: None,
            },
        )
        .await
        .unwrap();
        let bad = parts::receive_stock(
            &app,
            &manager,
            ReceiveInput {
                part_id: part.id,
                warehouse_id: wh.id,
                quantity: 0,
                purchase_request_id: None,
                reason: None,
            },
        )
        .await;
        assert!(matches!(bad, Err(AppError::Invalid(e)) if e[0].field == "quantity"));
        let got = parts::receive_stock(
            &app,
            &manager,
            ReceiveInput {
                part_id: part.id,
                warehouse_id: wh.id,
                quantity: 10,
                purchase_request_id: None,
                reason: Some("期初库存".into()),
            },
        )
        .await
        .unwrap();
        assert_eq!((got.on_hand, got.reserved), (10, 0));

        // Twenty tickets ask for one unit each at the same time: ten get it, ten wait.
        let mut ids = Vec::new();
        for i in 0..20 {
            let prio = if i % 5 == 0 { "P1" } else { "P3" };
            ids.push(open_ticket(&app, &agent, &format!("定影器故障 {i}"), prio).await);
        }
        let mut tasks = Vec::new();
        for id in ids.clone() {
            let (app, agent) = (app.clone(), agent.clone());
            let r = ReserveInput {
                part_id: part.id,
                warehouse_id: wh.id,
                quantity: 1,
                needed_by: None,
            };
            tasks.push(tokio::spawn(async move {
                parts::reserve_for_ticket(&app, &agent, id, r).await
            }));
        }
        let mut reserved = 0;
        let mut waiting = Vec::new();
        for (id, task) in ids.iter().zip(tasks) {
            let out = task.await.unwrap().unwrap();
            if out.reserved.is_some() {
                reserved += 1;
                assert_eq!(out.ticket_status, "open");
            } else {
                assert_eq!(out.waiting.as_ref().unwrap().quantity, 1);
                assert_eq!(out.ticket_status, "pending_parts");
                waiting.push(*id);
            }
        }
        assert_eq!((reserved, waiting.len()), (10, 10));
        let row = stock_row(&app, part.id, wh.id).await;
        assert_eq!(
            (row.on_hand, row.reserved),
            (10, 10),
            "never more than on hand"
        );
        let prs = parts::list_purchase_requests(&app, &agent, Some("open"))
            .await
            .unwrap();
        assert_eq!(prs.len(), 1, "one request, extended by every shortage");
        assert_eq!(prs[0].quantity, 10);
        assert_eq!(prs[0].ticket_ids.len(), 10);
        assert!(prs[0].number.starts_with("PR-202612-"), "{}", prs[0].number);

        // Four units arrive: the P1 tickets among the waiting go first.
        let waiting_p1: Vec<Uuid> = {
            let mut v = Vec::new();
            for id in &waiting {
                let t = tickets::get_ticket(&app, &agent, *id).await.unwrap();
                if t.priority == "P1" {
                    v.push(*id);
                }
            }
            v
        };
        let arrived = parts::receive_stock(
            &app,
            &manager,
            ReceiveInput {
                part_id: part.id,
                warehouse_id: wh.id,
                quantity: 4,
                purchase_request_id: None,
                reason: Some("送货单 DN-88".into()),
            },
        )
        .await
        .unwrap();
        assert_eq!((arrived.on_hand, arrived.reserved), (14, 14));
        assert_eq!(arrived.allocated.len(), 4);
        for id in &waiting_p1 {
            assert!(
                arrived.allocated.iter().any(|a| a.ticket_id == *id),
                "a waiting P1 ticket was passed over"
            );
        }
        let pr = arrived.purchase_request.unwrap();
        assert_eq!((pr.received, pr.status.as_str()), (4, "open"));
        let served = arrived.allocated[0].ticket_id;
        let lines = parts::ticket_part_lines(&app, &agent, served)
            .await
            .unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].status, "reserved");
        let history = tickets::ticket_history(&app, &agent, served).await.unwrap();
        assert!(history.iter().any(|e| e.kind == "parts_arrived"));

        // Consume once; a second consume and consuming a waiting line are refused.
        let line = lines[0].id;
        let used = parts::consume_line(&app, &agent, served, line)
            .await
            .unwrap();
        assert_eq!(used.status, "consumed");
        assert!(
            parts::consume_line(&app, &agent, served, line)
                .await
                .is_err()
        );
        let row = stock_row(&app, part.id, wh.id).await;
        assert_eq!((row.on_hand, row.reserved), (13, 13));
        let still_waiting = waiting
            .iter()
            .find(|id| !arrived.allocated.iter().any(|a| a.ticket_id == **id))
            .copied()
            .unwrap();
        let wl = parts::ticket_part_lines(&app, &agent, still_waiting)
            .await
            .unwrap();
        assert!(matches!(
            parts::consume_line(&app, &agent, still_waiting, wl[0].id).await,
            Err(AppError::Rule { .. })
        ));
        // Release a reserved line: stock is free again; cancel a waiting one.
        let first = ids
            .iter()
            .find(|id| !waiting.contains(id))
            .copied()
            .unwrap();
        let fl = parts::ticket_part_lines(&app, &agent, first).await.unwrap();
        parts::release_line(&app, &agent, first, fl[0].id)
            .await
            .unwrap();
        let cancelled = parts::release_line(&app, &agent, still_waiting, wl[0].id)
            .await
            .unwrap();
        assert_eq!(cancelled.status, "cancelled");
        let row = stock_row(&app, part.id, wh.id).await;
        assert_eq!((row.on_hand, row.reserved), (13, 12));
        // Every change is a move: 2 receipts, 14 reservations, 1 consume, 1 release.
        assert_eq!(
            stock_move::Entity::find()
                .count(app.store.conn())
                .await
                .unwrap(),
            18
        );

        // Closing a ticket gives back what it still holds.
        let holder = arrived
            .allocated
            .iter()
            .map(|a| a.ticket_id)
            .find(|id| *id != served)
            .unwrap();
        for to in ["resolved", "closed"] {
            tickets::transition_ticket(
                &app,
                &agent,
                holder,
                TransitionInput {
                    to: to.into(),
                    version: None,
                    comment: None,
                },
            )
            .await
            .unwrap();
        }
        let hl = parts::ticket_part_lines(&app, &agent, holder)
            .await
            .unwrap();
        assert!(hl.iter().all(|l| l.status == "released"), "{hl:?}");
        let row = stock_row(&app, part.id, wh.id).await;
        assert_eq!((row.on_hand, row.reserved), (13, 11));

        // Customers never reserve.
        let customer = Actor {
            user_id: Uuid::now_v7(),
            role: Role::Customer,
            customer_id: Some(Uuid::now_v7()),
            scopes: None,
        };
        assert!(
            parts::reserve_for_ticket(
                &app,
                &customer,
                first,
                ReserveInput {
                    part_id: part.id,
                    warehouse_id: wh.id,
                    quantity: 1,
                    needed_by: None,
                },
            )
            .await
            .is_err()
        );
        db.cleanup().await;
    }
}
