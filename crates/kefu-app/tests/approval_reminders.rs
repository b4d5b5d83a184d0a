//! Reminders of waiting approvals on both databases, with a fixed clock: a sign-off requested
//! on Friday afternoon is not due for a reminder over the weekend (business time); four business
//! hours in, the supervisors get an in-app notice and the ticket an internal event; no second
//! reminder until another four business hours pass; a decided approval is never reminded.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use kefu_app::tickets::{self, NewTicket, TransitionInput, remind_approvals};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppError, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_domain::ticket::ApprovalRule;
use kefu_store::testing::TestDb;

fn actor(id: uuid::Uuid, role: Role) -> Actor {
    Actor {
        user_id: id,
        role,
        customer_id: None,
        scopes: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_approvals_are_reminded_in_business_time() {
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
        let admin = actor(uuid::Uuid::nil(), Role::Admin);
        let sup = create_user(
            &app,
            None,
            NewUser {
                email: "sup@example.cn".into(),
                name: "张主管".into(),
                role: "supervisor".into(),
                password: Some("a-long-password-1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
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
        let t = tickets::open_ticket(
            &app,
            &admin,
            NewTicket {
                subject: "退款申请".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let agent = actor(uuid::Uuid::now_v7(), Role::Agent);
        let r = tickets::transition_ticket(
            &app,
            &agent,
            t.id,
            TransitionInput {
                to: "resolved".into(),
                version: None,
                comment: None,
            },
        )
        .await;
        assert!(
            matches!(
                r,
                Err(AppError::Rule {
                    code: "approval_required",
                    ..
                })
            ),
            "{r:?}"
        );

        // Friday 18:00 → Monday 10:00: about 2.5 business hours; not yet.
        clock.set(Utc.with_ymd_and_hms(2026, 3, 9, 2, 0, 0).unwrap());
        assert_eq!(remind_approvals(&app).await.unwrap().reminded, 0);
        // Monday 13:30 + 1 h: past four business hours.
        clock.set(Utc.with_ymd_and_hms(2026, 3, 9, 6, 30, 0).unwrap());
        let r = remind_approvals(&app).await.unwrap();
        assert_eq!((r.pending, r.reminded), (1, 1));
        assert_eq!(
            remind_approvals(&app).await.unwrap().reminded,
            0,
            "not again at once"
        );
        kefu_app::notify::dispatch_outbox(&app, 100).await.unwrap();
        let sup_actor = actor(sup.id, Role::Supervisor);
        let notes = kefu_app::notify::list_notifications(&app, &sup_actor, true, None, 10)
            .await
            .unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].kind, "approval_reminder");
        assert_eq!(notes[0].ticket_id, Some(t.id));
        let history = tickets::ticket_history(&app, &admin, t.id).await.unwrap();
        let ev = history
            .iter()
            .find(|e| e.kind == "approval_reminder")
            .unwrap();
        assert!(!ev.public);
        // Four more business hours: a second reminder.
        clock.advance(Duration::hours(20));
        assert_eq!(remind_approvals(&app).await.unwrap().reminded, 1);
        // Decided: never again.
        let pending = tickets::pending_approvals(&app, &sup_actor).await.unwrap();
        tickets::decide_approval(
            &app,
            &sup_actor,
            pending[0].id,
            tickets::Decision {
                approve: false,
                comment: Some("金额不符".into()),
            },
        )
        .await
        .unwrap();
        clock.advance(Duration::days(3));
        let r = remind_approvals(&app).await.unwrap();
        assert_eq!((r.pending, r.reminded), (0, 0));
        db.cleanup().await;
    }
}
