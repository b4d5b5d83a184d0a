//! Preventive maintenance on both databases with a fixed clock and the shipped 2026 holidays:
//! a quarterly plan due during the National Day holiday visits on the first working day after
//! it, and its ticket opens three working days before that (not on a holiday, not twice, not
//! early); the ticket names the asset and the product's service BOM; a plan left overdue opens
//! one ticket and moves to its next future date; two passes running at once open each visit
//! once.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use kefu_app::customers::{NewAsset, NewCustomer, create_asset, create_customer};
use kefu_app::maintenance::{PlanInput, create_plan, list_plans, run_due};
use kefu_app::parts::{PartInput, create_part};
use kefu_app::products::{BomInput, ProductInput, save_product};
use kefu_app::tickets::{TicketListQuery, list_tickets};
use kefu_app::{App, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::{calendar, ticket};
use kefu_store::sea_orm::EntityTrait;
use kefu_store::testing::TestDb;

fn admin() -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    }
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// 10:00 Beijing time on `day`.
fn at(day: &str) -> chrono::DateTime<Utc> {
    let d = d(day);
    Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_visits_follow_the_business_calendar() {
    for db in TestDb::all().await {
        let clock = Arc::new(FixedClock::new(at("2026-09-01")));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let cal = calendar::Entity::find()
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        kefu_app::config::holidays::import_cn_holidays(&app, &admin(), cal.id, 2026)
            .await
            .unwrap();
        let a = admin();
        let filter = create_part(
            &app,
            &a,
            PartInput {
                code: "FLT-01".into(),
                name: "空气滤芯".into(),
                unit: Some("个".into()),
                unit_price_cents: 8_000,
                external_id: None,
            },
        )
        .await
        .unwrap();
        // Upsert by code: the second save replaces the BOM, it does not add a product.
        for qty in [1, 2] {
            save_product(
                &app,
                &a,
                ProductInput {
                    code: "AC-900".into(),
                    name: "AC-900 空压机".into(),
                    category: Some("空压机".into()),
                    warranty_months: Some(24),
                    bom: Some(vec![BomInput {
                        part_id: None,
                        part_code: Some("FLT-01".into()),
                        quantity: qty,
                        note: None,
                    }]),
                },
            )
            .await
            .unwrap();
        }
        let products = kefu_app::products::list_products(&app, &a).await.unwrap();
        assert_eq!(products.len(), 1);
        assert_eq!(products[0].bom[0].quantity, 2);
        assert_eq!(products[0].bom[0].part_id, filter.id);
        let bad = save_product(
            &app,
            &a,
            ProductInput {
                code: "AC-901".into(),
                name: "x".into(),
                category: None,
                warranty_months: None,
                bom: Some(vec![BomInput {
                    part_id: None,
                    part_code: Some("NOPE".into()),
                    quantity: 1,
                    note: None,
                }]),
            },
        )
        .await;
        assert!(
            matches!(&bad, Err(kefu_app::AppError::Invalid(e)) if e[0].field == "bom[0].part_id"),
            "{bad:?}"
        );

        let company = create_customer(
            &app,
            &a,
            NewCustomer {
                name: "宁波精工".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let mut assets = Vec::new();
        for sn in ["AC900-0001", "AC900-0002"] {
            let v = create_asset(
                &app,
                &a,
                company.id,
                NewAsset {
                    product_name: "AC-900 空压机".into(),
                    serial_number: sn.into(),
                    site_address: Some("宁波市北仑区".into()),
                    product_id: Some(products[0].id),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assets.push(v.id);
        }
        let plan = create_plan(
            &app,
            &a,
            assets[0],
            PlanInput {
                name: "季度保养".into(),
                interval_months: 3,
                next_due: d("2026-10-02"),
                lead_days: Some(3),
                kind: None,
                priority: None,
                team_id: None,
                assignee_id: None,
                active: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            plan.next_visit,
            d("2026-10-08"),
            "after the National Day holiday"
        );
        assert_eq!(plan.opens_on, d("2026-09-28"), "three working days before");
        let bad = create_plan(
            &app,
            &a,
            assets[0],
            PlanInput {
                name: "".into(),
                interval_months: 0,
                next_due: d("2026-10-02"),
                lead_days: Some(-1),
                kind: Some("no_such_type".into()),
                priority: Some("P9".into()),
                team_id: None,
                assignee_id: None,
                active: None,
            },
        )
        .await;
        assert!(matches!(bad, Err(kefu_app::AppError::Invalid(e)) if e.len() == 4));

        // Friday 25 Sep (a holiday): too early. Monday 28 Sep: the ticket opens.
        clock.set(at("2026-09-25"));
        assert_eq!(run_due(&app).await.unwrap().opened, 0);
        clock.set(at("2026-09-28"));
        assert_eq!(run_due(&app).await.unwrap().opened, 1);
        assert_eq!(run_due(&app).await.unwrap().opened, 0, "not twice");
        let page = list_tickets(
            &app,
            &a,
            TicketListQuery {
                customer_id: Some(company.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(page.items.len(), 1);
        let t = ticket::Entity::find_by_id(page.items[0].id)
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t.asset_id, Some(assets[0]));
        assert_eq!(t.channel, "monitoring");
        assert!(
            t.subject.contains("季度保养") && t.subject.contains("AC900-0001"),
            "{}",
            t.subject
        );
        assert!(t.tags.to_string().contains(kefu_app::maintenance::TAG));
        let history = kefu_app::tickets::ticket_history(&app, &a, t.id)
            .await
            .unwrap();
        let body = history[0].data.to_string();
        assert!(
            body.contains("2026-10-08") && body.contains("FLT-01") && body.contains("× 2"),
            "{body}"
        );
        let plans = list_plans(&app, &a, Some(assets[0])).await.unwrap();
        assert_eq!(plans[0].next_due, d("2027-01-02"));
        assert_eq!(plans[0].last_ticket_id, Some(t.id));
        assert_eq!(plans[0].last_visit, Some(d("2026-10-08")));

        // Overdue since January (nothing ran): one ticket, next date in the future. Two passes
        // at once open it once.
        create_plan(
            &app,
            &a,
            assets[1],
            PlanInput {
                name: "月度巡检".into(),
                interval_months: 1,
                next_due: d("2026-01-15"),
                lead_days: Some(0),
                kind: Some("installation".into()),
                priority: Some("P2".into()),
                team_id: None,
                assignee_id: None,
                active: None,
            },
        )
        .await
        .unwrap();
        let (x, y) = tokio::join!(run_due(&app), run_due(&app));
        assert_eq!(x.unwrap().opened + y.unwrap().opened, 1);
        let plans = list_plans(&app, &a, Some(assets[1])).await.unwrap();
        assert_eq!(plans[0].next_due, d("2026-10-15"));
        let page = list_tickets(
            &app,
            &a,
            TicketListQuery {
                customer_id: Some(company.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(page.items.len(), 2);
        db.cleanup().await;
    }
}
