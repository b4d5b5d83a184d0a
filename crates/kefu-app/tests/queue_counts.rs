//! Queue counts on both databases: they follow every ticket change at once even though they are
//! cached per user, and the SLA queues move with the clock alone.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use kefu_app::tickets::{self, AssignInput, NewTicket};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::ticket;
use kefu_store::sea_orm::{ActiveModelTrait, ActiveValue::Set};
use kefu_store::testing::TestDb;

fn admin() -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    }
}

async fn count(app: &App, actor: &Actor, queue: &str) -> u64 {
    tickets::queue_counts(app, actor)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.queue == queue)
        .unwrap()
        .count
}

#[tokio::test]
async fn counts_follow_changes_and_the_clock() {
    for db in TestDb::all().await {
        // Tuesday 2026-11-24 10:00 in Beijing, a working day.
        let start = Utc.with_ymd_and_hms(2026, 11, 24, 2, 0, 0).unwrap();
        let clock = Arc::new(FixedClock::new(start));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let admin_user = create_user(
            &app,
            None,
            NewUser {
                email: "lina@example.cn".into(),
                name: "李娜".into(),
                role: "admin".into(),
                password: Some("long enough pw".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
        let me = Actor {
            user_id: admin_user,
            ..admin()
        };
        let p1 = |subject: &str| NewTicket {
            subject: subject.into(),
            priority: Some("P1".into()),
            ..Default::default()
        };
        // A closed ticket from 2023 (its UUIDv7 id is older than the counts' id watermark, so
        // "all" holds it in the remembered count below the watermark).
        let old_at = Utc.with_ymd_and_hms(2023, 11, 14, 2, 0, 0).unwrap();
        let old = ticket::ActiveModel {
            id: Set(uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
                uuid::NoContext,
                old_at.timestamp() as u64,
                0,
            ))),
            number: Set("SR-202311-000001".into()),
            kind: Set("repair".into()),
            channel: Set("phone".into()),
            priority: Set("P3".into()),
            status: Set("closed".into()),
            subject: Set("旧工单 old ticket".into()),
            tags: Set(serde_json::json!([])),
            custom_fields: Set(serde_json::json!({})),
            created_at: Set(old_at),
            updated_at: Set(old_at),
            closed_at: Set(Some(old_at)),
            version: Set(1),
            ..Default::default()
        }
        .insert(db.store.conn())
        .await
        .unwrap();
        let a = tickets::open_ticket(&app, &me, p1("产线停机"))
            .await
            .unwrap();
        let b = tickets::open_ticket(&app, &me, p1("主轴异响"))
            .await
            .unwrap();
        assert_eq!(count(&app, &me, "all").await, 3, "{:?}", db.backend);
        assert_eq!(count(&app, &me, "unassigned").await, 2, "{:?}", db.backend);

        // A change is seen at once, though the counts above were cached.
        tickets::assign_ticket(
            &app,
            &me,
            a.id,
            AssignInput {
                assignee_id: Some(admin_user),
                team_id: None,
                version: Some(a.version),
            },
        )
        .await
        .unwrap();
        assert_eq!(count(&app, &me, "mine").await, 1, "{:?}", db.backend);
        assert_eq!(count(&app, &me, "unassigned").await, 1, "{:?}", db.backend);

        // P1 answer within 30 minutes: at 26 minutes both are in warning, at 31 breached,
        // with no ticket changing in between.
        assert_eq!(count(&app, &me, "sla_warning").await, 0, "{:?}", db.backend);
        clock.set(start + Duration::minutes(26));
        assert_eq!(count(&app, &me, "sla_warning").await, 2, "{:?}", db.backend);
        assert_eq!(count(&app, &me, "breached").await, 0, "{:?}", db.backend);
        clock.set(start + Duration::minutes(31));
        assert_eq!(count(&app, &me, "sla_warning").await, 0, "{:?}", db.backend);
        assert_eq!(count(&app, &me, "breached").await, 2, "{:?}", db.backend);

        // A merged ticket leaves "all" and "open"; requests counting at the same time share
        // one count and agree.
        tickets::merge_ticket(
            &app,
            &me,
            b.id,
            tickets::MergeInput {
                into_id: a.id,
                version: None,
            },
        )
        .await
        .unwrap();
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let (app, me) = (app.clone(), me.clone());
                tokio::spawn(async move { tickets::queue_counts(&app, &me).await.unwrap() })
            })
            .collect();
        for h in handles {
            let counts = h.await.unwrap();
            let get = |q: &str| counts.iter().find(|c| c.queue == q).unwrap().count;
            assert_eq!(get("all"), 2, "{:?}", db.backend);
            assert_eq!(get("open"), 1, "{:?}", db.backend);
            assert_eq!(get("breached"), 1, "{:?}", db.backend);
        }
        // Merging the old ticket changes the remembered count below the watermark too.
        tickets::merge_ticket(
            &app,
            &me,
            old.id,
            tickets::MergeInput {
                into_id: a.id,
                version: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(count(&app, &me, "all").await, 1, "{:?}", db.backend);

        // A new P1 enters its warning band 24 minutes in (20 % of 30 left) beside the breached
        // one; the warning queue lists exactly what it counts, and waiting for the customer
        // stops the clock and takes it out.
        let at = start + Duration::minutes(31);
        let c = tickets::open_ticket(&app, &me, p1("触摸屏无响应"))
            .await
            .unwrap();
        clock.set(at + Duration::minutes(23));
        assert_eq!(count(&app, &me, "sla_warning").await, 0, "{:?}", db.backend);
        clock.set(at + Duration::minutes(26));
        assert_eq!(count(&app, &me, "sla_warning").await, 1, "{:?}", db.backend);
        assert_eq!(count(&app, &me, "breached").await, 1, "{:?}", db.backend);
        let page = tickets::list_tickets(
            &app,
            &me,
            tickets::TicketListQuery {
                queue: Some("sla_warning".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let ids: Vec<_> = page.items.iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![c.id], "{:?}", db.backend);
        assert!(page.items[0].sla.in_warning(), "{:?}", db.backend);
        let mut version = c.version;
        for to in ["open", "pending_customer"] {
            version = tickets::transition_ticket(
                &app,
                &me,
                c.id,
                tickets::TransitionInput {
                    to: to.into(),
                    version: Some(version),
                    comment: None,
                },
            )
            .await
            .unwrap()
            .version;
        }
        assert_eq!(count(&app, &me, "sla_warning").await, 0, "{:?}", db.backend);
    }
}
