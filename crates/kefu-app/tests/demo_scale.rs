//! The scale generator on both databases: 300 tickets whose rows, numbers, counters, events and
//! SLA projection are what the use cases would have written, the same for the same seed, and a
//! ticket opened afterwards continues the numbering.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use kefu_app::demo_scale::{ScaleOptions, generate};
use kefu_app::tickets::{self, NewTicket};
use kefu_app::{App, AppError, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_domain::ticket::{TicketNumber, Workflow};
use kefu_store::entity::{contact, customer, ticket, ticket_counter, ticket_event, user};
use kefu_store::sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use kefu_store::testing::TestDb;

fn admin() -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    }
}

/// Checks one ticket's history against its row; returns the number of events.
fn check_history(t: &ticket::Model, evs: &[ticket_event::Model], wf: &Workflow) -> usize {
    assert!(
        (3..=10).contains(&evs.len()),
        "{}: {} events",
        t.number,
        evs.len()
    );
    assert_eq!(evs[0].kind, "created");
    assert_eq!(evs[0].created_at, t.created_at);
    assert!(evs.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    assert!(wf.status(&t.status).is_ok(), "{}", t.status);
    let mut status = "new".to_owned();
    for e in evs {
        let d = &e.data;
        match e.kind.as_str() {
            "status_changed" => {
                assert_eq!(d["from"], status.as_str(), "{}", t.number);
                let to = d["to"].as_str().unwrap();
                assert!(wf.check(&status, to, &admin().permissions()).is_ok());
                assert!(d.get("comment").is_some());
                status = to.to_owned();
            }
            "reply" => {
                assert!(d["body"].is_string() && d["attachment_ids"].is_array());
                assert!(d["from"] == "agent" || d["from"] == "customer");
            }
            "note" => assert!(!e.public && d["body"].is_string()),
            "created" => assert_eq!(d["subject"], t.subject.as_str()),
            "assigned" => assert_eq!(d["to"], serde_json::json!(t.assignee_id)),
            other => panic!("unexpected event kind {other}"),
        }
    }
    assert_eq!(status, t.status, "{}", t.number);
    let finished = matches!(t.status.as_str(), "resolved" | "closed");
    assert_eq!(t.resolved_at.is_some(), finished, "{}", t.number);
    assert_eq!(t.closed_at.is_some(), t.status == "closed", "{}", t.number);
    assert_eq!(t.sla_paused_since.is_some(), t.status == "pending_customer");
    assert!(t.first_response_due_at.is_some(), "{}", t.number);
    evs.len()
}

#[tokio::test]
async fn generates_consistent_tickets_on_both_databases() {
    let mut first: Option<Vec<(String, String, String)>> = None;
    for db in TestDb::all().await {
        // Tuesday 2026-11-24 10:00 Beijing.
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 2, 0, 0).unwrap();
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            Arc::new(FixedClock::new(now)),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let opts = ScaleOptions {
            tickets: 300,
            seed: 7,
        };
        let mut calls = 0;
        let summary = generate(&app, opts, |done, total| {
            calls += 1;
            assert!(done <= total);
        })
        .await
        .unwrap();
        assert!(calls >= 1);
        let conn = app.store.conn();
        assert_eq!(summary.tickets, 300);
        assert_eq!(ticket::Entity::find().count(conn).await.unwrap(), 300);
        assert_eq!(customer::Entity::find().count(conn).await.unwrap(), 20);
        let contacts = contact::Entity::find().count(conn).await.unwrap();
        assert!((20..=60).contains(&contacts), "{contacts}");
        // The bootstrap admin, 20 staff, one portal login per customer.
        assert_eq!(user::Entity::find().count(conn).await.unwrap(), 1 + 20 + 20);

        let rows = ticket::Entity::find()
            .order_by_asc(ticket::Column::CreatedAt)
            .all(conn)
            .await
            .unwrap();
        let mut by_ticket: HashMap<_, Vec<ticket_event::Model>> = HashMap::new();
        for e in ticket_event::Entity::find()
            .order_by_asc(ticket_event::Column::CreatedAt)
            .order_by_asc(ticket_event::Column::Id)
            .all(conn)
            .await
            .unwrap()
        {
            by_ticket.entry(e.ticket_id).or_default().push(e);
        }
        let wf = Workflow::default();
        let events: usize = rows
            .iter()
            .map(|t| check_history(t, &by_ticket[&t.id], &wf))
            .sum();
        assert_eq!(events as u64, summary.events);
        let kinds: HashSet<_> = rows.iter().map(|t| t.kind.as_str()).collect();
        assert_eq!(kinds.len(), 6, "{kinds:?}");

        // Numbers are unique, dense per month, and the counters end where they do.
        let numbers: HashSet<_> = rows.iter().map(|t| t.number.as_str()).collect();
        assert_eq!(numbers.len(), rows.len());
        let mut per_period: HashMap<String, Vec<u64>> = HashMap::new();
        for t in &rows {
            let (period, seq) = t.number.rsplit_once('-').unwrap();
            assert!(TicketNumber::parse(&t.number).is_some(), "{}", t.number);
            per_period
                .entry(period.to_owned())
                .or_default()
                .push(seq.parse().unwrap());
        }
        let counters: HashMap<String, i64> = ticket_counter::Entity::find()
            .all(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.period, c.last_seq))
            .collect();
        for (period, mut seqs) in per_period {
            seqs.sort_unstable();
            assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
            assert_eq!(counters[&period], seqs.len() as i64, "{period}");
        }

        // The live clock computed from the history matches the stored projection.
        for t in rows.iter().step_by(7) {
            let v = tickets::get_ticket(&app, &admin(), t.id).await.unwrap();
            assert_eq!(v.sla.first_response.due_at, t.first_response_due_at);
            assert_eq!(v.sla.resolution.due_at, t.resolution_due_at, "{}", t.number);
        }

        // A ticket opened now continues this month's numbering.
        let last = counters.get("SR-202611").copied().unwrap_or(0);
        let opened = tickets::open_ticket(
            &app,
            &admin(),
            NewTicket {
                subject: "生成数据之后的新工单".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(opened.number, format!("SR-202611-{:06}", last + 1));

        let again = generate(&app, opts, |_, _| {}).await;
        assert!(
            matches!(
                again,
                Err(AppError::Rule {
                    code: "database_not_empty",
                    ..
                })
            ),
            "{again:?}"
        );

        // Same seed and clock, same tickets, whatever the database.
        let fingerprint: Vec<_> = rows
            .iter()
            .map(|t| (t.number.clone(), t.subject.clone(), t.status.clone()))
            .collect();
        match &first {
            None => first = Some(fingerprint),
            Some(f) => assert_eq!(f, &fingerprint),
        }
        db.cleanup().await;
    }
}
