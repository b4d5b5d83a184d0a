//! The SLA watch on both databases: a P1 ticket opened on a Tuesday morning (Beijing) gets one
//! warning and then one breach for its first-response timer, later a warning for resolution;
//! repeated scans record nothing twice; a paused ticket is left alone.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use kefu_app::tickets::{self, NewTicket, TransitionInput};
use kefu_app::{App, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::ticket;
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use kefu_store::testing::TestDb;

fn admin() -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    }
}

async fn kinds(app: &App, id: uuid::Uuid) -> Vec<(String, String)> {
    tickets::ticket_history(app, &admin(), id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind.starts_with("sla_"))
        .map(|e| (e.kind, e.data["timer"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[tokio::test]
async fn warnings_and_breaches_are_recorded_once() {
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
        let open = |subject: &str| NewTicket {
            subject: subject.into(),
            priority: Some("P1".into()),
            ..Default::default()
        };
        let t = tickets::open_ticket(&app, &admin(), open("产线停机"))
            .await
            .unwrap();
        let paused = tickets::open_ticket(&app, &admin(), open("等客户回复"))
            .await
            .unwrap();
        for to in ["open", "pending_customer"] {
            tickets::transition_ticket(
                &app,
                &admin(),
                paused.id,
                TransitionInput {
                    to: to.into(),
                    version: None,
                    comment: None,
                },
            )
            .await
            .unwrap();
        }

        let scan = tickets::scan_sla(&app).await.unwrap();
        assert_eq!((scan.warnings, scan.breaches), (0, 0), "{:?}", db.backend);
        // Nothing is due for a look: the scan reads no ticket at all (next checks are stored).
        assert_eq!(scan.checked, 0);

        // 10:25: five minutes left of thirty, inside the 20 % warning band.
        clock.set(start + Duration::minutes(25));
        let scan = tickets::scan_sla(&app).await.unwrap();
        assert_eq!((scan.warnings, scan.breaches), (1, 0));
        let again = tickets::scan_sla(&app).await.unwrap();
        assert_eq!((again.warnings, again.breaches), (0, 0), "idempotent");
        assert_eq!(again.checked, 0, "next look is at the due time, not before");

        // 10:31: first response breached; resolution (2 h) still on track.
        clock.set(start + Duration::minutes(31));
        let scan = tickets::scan_sla(&app).await.unwrap();
        assert_eq!((scan.warnings, scan.breaches), (0, 1));

        // 11:40: twenty minutes of resolution left.
        clock.set(start + Duration::minutes(100));
        let scan = tickets::scan_sla(&app).await.unwrap();
        assert_eq!((scan.warnings, scan.breaches), (1, 0));
        assert_eq!(
            kinds(&app, t.id).await,
            vec![
                ("sla_warning".into(), "first_response".into()),
                ("sla_breached".into(), "first_response".into()),
                ("sla_warning".into(), "resolution".into()),
            ]
        );
        assert!(kinds(&app, paused.id).await.is_empty(), "paused clock");

        // A finished ticket left due for a look (data from before an upgrade) is looked at
        // once and then never again: its check is cleared.
        ticket::Entity::update_many()
            .col_expr(ticket::Column::Status, Expr::value("resolved"))
            .col_expr(ticket::Column::SlaCheckAt, Expr::value(Some(start)))
            .filter(ticket::Column::Id.eq(t.id))
            .exec(db.store.conn())
            .await
            .unwrap();
        tickets::scan_sla(&app).await.unwrap();
        let row = ticket::Entity::find_by_id(t.id)
            .one(db.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.sla_check_at, None, "{:?}", db.backend);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn escalation_levels_fire_once_in_business_time() {
    for db in TestDb::all().await {
        // Tuesday 2026-11-24 10:00 Beijing.
        let start = Utc.with_ymd_and_hms(2026, 11, 24, 2, 0, 0).unwrap();
        let clock = Arc::new(FixedClock::new(start));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let supervisor = kefu_app::users::create_user(
            &app,
            None,
            kefu_app::users::NewUser {
                email: "lead@kefu.local".into(),
                name: "主管".into(),
                role: "supervisor".into(),
                password: Some("long enough pw".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        // Level 0 at the breach: notify the supervisor; level 1 two business hours later:
        // reassign to them and raise the priority.
        let policies = kefu_app::sla::list_policies(&app, &admin()).await.unwrap();
        let p = &policies[0];
        let mut def = p.definition.clone();
        def["escalations"] = serde_json::json!([
            {"after_minutes": 0, "timer": "first_response", "notify": [supervisor.id]},
            {"after_minutes": 120, "timer": "first_response", "assign_to": supervisor.id, "raise_priority": true}
        ]);
        kefu_app::sla::save_policy(
            &app,
            Some(&admin()),
            Some(p.id),
            kefu_app::sla::PolicyInput {
                name: p.name.clone(),
                calendar_id: p.calendar_id,
                definition: def,
                is_default: true,
            },
        )
        .await
        .unwrap();
        // P3: first response due after 8 business hours, Wednesday 10:30.
        let t = tickets::open_ticket(
            &app,
            &admin(),
            NewTicket {
                subject: "报价咨询".into(),
                priority: Some("P3".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let due = t.sla.first_response.due_at.unwrap();
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 11, 25, 2, 30, 0).unwrap());
        clock.set(due + Duration::minutes(1));
        let scan = tickets::scan_sla(&app).await.unwrap();
        assert_eq!(
            (scan.breaches, scan.escalations),
            (1, 1),
            "{:?}",
            db.backend
        );
        assert_eq!(
            tickets::scan_sla(&app).await.unwrap().escalations,
            0,
            "once"
        );
        // Two business hours past 10:30 is 14:00 (lunch 12:00–13:30 does not count), not 12:30.
        clock.set(Utc.with_ymd_and_hms(2026, 11, 25, 4, 30, 0).unwrap()); // 12:30
        assert_eq!(
            tickets::scan_sla(&app).await.unwrap().escalations,
            0,
            "12:30"
        );
        clock.set(Utc.with_ymd_and_hms(2026, 11, 25, 5, 59, 0).unwrap()); // 13:59
        assert_eq!(
            tickets::scan_sla(&app).await.unwrap().escalations,
            0,
            "13:59"
        );
        clock.set(Utc.with_ymd_and_hms(2026, 11, 25, 6, 0, 0).unwrap()); // 14:00
        assert_eq!(
            tickets::scan_sla(&app).await.unwrap().escalations,
            1,
            "14:00"
        );
        let last = tickets::get_ticket(&app, &admin(), t.id).await.unwrap();
        assert_eq!(last.assignee_id, Some(supervisor.id));
        assert_eq!(last.priority, "P2");
        // The raised priority moved the due time; the levels do not start over.
        clock.advance(Duration::hours(3));
        assert_eq!(tickets::scan_sla(&app).await.unwrap().escalations, 0);
        let esc: Vec<_> = tickets::ticket_history(&app, &admin(), t.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "sla_escalated")
            .map(|e| e.data["level"].as_u64().unwrap())
            .collect();
        assert_eq!(esc, vec![0, 1]);
        db.cleanup().await;
    }
}
