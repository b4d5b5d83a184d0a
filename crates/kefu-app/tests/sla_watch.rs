//! The SLA watch on both databases: a P1 ticket opened on a Tuesday morning (Beijing) gets one
//! warning and then one breach for its first-response timer, later a warning for resolution;
//! repeated scans record nothing twice; a paused ticket is left alone.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use kefu_app::tickets::{self, NewTicket, TransitionInput};
use kefu_app::{App, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
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

        // 10:25: five minutes left of thirty, inside the 20 % warning band.
        clock.set(start + Duration::minutes(25));
        let scan = tickets::scan_sla(&app).await.unwrap();
        assert_eq!((scan.warnings, scan.breaches), (1, 0));
        let again = tickets::scan_sla(&app).await.unwrap();
        assert_eq!((again.warnings, again.breaches), (0, 0), "idempotent");

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
        db.cleanup().await;
    }
}
