//! Time rules on both databases: pending-customer for three business days → reminder;
//! seven → closed; each fires once per stay in the status; the weekend does not count.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use kefu_app::tickets::{self, NewTicket, TransitionInput};
use kefu_app::{App, AppSettings, FixedClock, dispatch};
use kefu_domain::access::{Actor, Role};
use kefu_domain::routing::{TimeAction, TimeRule};
use kefu_store::testing::TestDb;

fn admin() -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    }
}

#[tokio::test]
async fn pending_customer_reminds_then_closes() {
    for db in TestDb::all().await {
        // Thursday 2026-03-05 10:00 Beijing.
        let start = Utc.with_ymd_and_hms(2026, 3, 5, 2, 0, 0).unwrap();
        let clock = Arc::new(FixedClock::new(start));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let day = 450; // business minutes in a working day (09:00–12:00, 13:30–18:00)
        dispatch::save_time_rules(
            &app,
            &admin(),
            vec![
                TimeRule {
                    id: uuid::Uuid::now_v7(),
                    name: "三天未回复提醒".into(),
                    status: "pending_customer".into(),
                    after_minutes: 3 * day,
                    action: TimeAction::Remind,
                },
                TimeRule {
                    id: uuid::Uuid::now_v7(),
                    name: "七天未回复关闭".into(),
                    status: "pending_customer".into(),
                    after_minutes: 7 * day,
                    action: TimeAction::Transition {
                        to: "closed".into(),
                    },
                },
            ],
        )
        .await
        .unwrap();
        let bad = dispatch::save_time_rules(
            &app,
            &admin(),
            vec![TimeRule {
                id: uuid::Uuid::now_v7(),
                name: "x".into(),
                status: "nope".into(),
                after_minutes: 1,
                action: TimeAction::Remind,
            }],
        )
        .await;
        assert!(bad.is_err());

        let t = tickets::open_ticket(
            &app,
            &admin(),
            NewTicket {
                subject: "等待客户确认".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        for to in ["open", "pending_customer"] {
            tickets::transition_ticket(
                &app,
                &admin(),
                t.id,
                TransitionInput {
                    to: to.into(),
                    version: None,
                    comment: None,
                },
            )
            .await
            .unwrap();
        }
        // Thu 10:00 + 3 working days (Thu, Fri, Mon … ) lands on Tue 10:00; the weekend skips.
        clock.set(Utc.with_ymd_and_hms(2026, 3, 10, 1, 59, 0).unwrap());
        assert_eq!(dispatch::scan_time_rules(&app).await.unwrap().fired, 0);
        clock.set(Utc.with_ymd_and_hms(2026, 3, 10, 2, 0, 0).unwrap());
        assert_eq!(dispatch::scan_time_rules(&app).await.unwrap().fired, 1);
        assert_eq!(dispatch::scan_time_rules(&app).await.unwrap().fired, 0);
        assert_eq!(
            tickets::get_ticket(&app, &admin(), t.id)
                .await
                .unwrap()
                .status,
            "pending_customer"
        );
        // Seven working days: the following Monday 10:00.
        clock.set(Utc.with_ymd_and_hms(2026, 3, 16, 2, 0, 0).unwrap());
        assert_eq!(dispatch::scan_time_rules(&app).await.unwrap().fired, 1);
        let closed = tickets::get_ticket(&app, &admin(), t.id).await.unwrap();
        assert_eq!(closed.status, "closed");
        assert!(closed.closed_at.is_some());
        let kinds: Vec<String> = tickets::ticket_history(&app, &admin(), t.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "time_rule")
            .map(|e| e.data["rule"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(kinds, ["三天未回复提醒", "七天未回复关闭"]);
        clock.advance(Duration::days(30));
        assert_eq!(dispatch::scan_time_rules(&app).await.unwrap().fired, 0);
        db.cleanup().await;
    }
}
