//! More imports on both databases. Historical tickets: a real ServiceNow event log
//! (`../shared/data/tickets`, 5,998 rows of 890 incidents; skipped when absent) folds into one
//! ticket per number with its status changes in the history, a second import of the same file is
//! refused row by row; a small file full of mistakes names each bad row and field and writes
//! nothing. Catalogue and stock: parts (GBK CSV, prices in yuan) and products keyed by code, and
//! a stock count that sets what a warehouse holds, records the difference as a move, and is
//! refused below what tickets have reserved.

use std::collections::HashMap;
use std::path::Path;

use kefu_app::import::{AssetImport, ImportKind, run};
use kefu_app::{App, AppError, AppSettings};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::{part, product, stock, stock_move, ticket, ticket_event};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use kefu_store::testing::TestDb;
use uuid::Uuid;

fn admin() -> Actor {
    Actor {
        user_id: Uuid::now_v7(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    }
}

fn file(name: &str, bytes: Vec<u8>, dry_run: bool) -> AssetImport {
    AssetImport {
        file_name: name.into(),
        bytes,
        mapping: HashMap::new(),
        dry_run,
    }
}

async fn tickets(app: &App) -> u64 {
    ticket::Entity::find()
        .count(app.store.conn())
        .await
        .unwrap()
}

fn problems(r: Result<kefu_app::import::ImportReport, AppError>) -> Vec<(String, String)> {
    match r {
        Err(AppError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn historical_tickets() {
    for db in TestDb::all().await {
        let app = App::new(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let a = admin();
        kefu_app::customers::create_customer(
            &app,
            &a,
            kefu_app::customers::NewCustomer {
                name: "精工机械".into(),
                code: Some("C001".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();

        // Mistakes: an unknown status, a time that is not one, an unknown customer and type.
        let bad = "编号,主题,客户,类型,状态,创建时间,优先级\n\
                   H-1,打印机卡纸,C001,repair,处理中,2025-03-01 09:00,高\n\
                   H-2,无法开机,C999,repair,limbo,2025-03-02 25:00,P2\n\
                   H-3,咨询,C001,nonsense,已关闭,2025-03-03,P4\n";
        let p = problems(
            run(
                &app,
                &a,
                ImportKind::Tickets,
                file("old.csv", bad.into(), false),
                &|_, _| {},
            )
            .await,
        );
        let fields: Vec<&str> = p.iter().map(|x| x.1.as_str()).collect();
        for f in ["opened_at", "kind"] {
            assert!(fields.contains(&f), "{f} in {p:?}");
        }
        assert!(
            p.contains(&("old.csv:3".into(), "opened_at".into())),
            "{p:?}"
        );
        assert!(p.contains(&("old.csv:4".into(), "kind".into())), "{p:?}");
        assert_eq!(tickets(&app).await, 0, "nothing written");
        // Status and customer problems are found once the times parse.
        let bad2 = bad.replace("25:00", "10:00");
        let p = problems(
            run(
                &app,
                &a,
                ImportKind::Tickets,
                file("old.csv", bad2.into(), false),
                &|_, _| {},
            )
            .await,
        );
        assert!(p.contains(&("old.csv:3".into(), "status".into())), "{p:?}");
        assert!(
            p.contains(&("old.csv:3".into(), "customer".into())),
            "{p:?}"
        );

        // A good file without numbers: ours, in the month each was opened.
        let good = "主题,客户,状态,创建时间,解决时间,优先级,渠道\n\
                    打印机卡纸,C001,已解决,2025-03-01 09:00,2025-03-01 15:30,高,电话\n\
                    咨询保修,精工机械,处理中,2025-04-02 10:00,,,邮件\n";
        let r = run(
            &app,
            &a,
            ImportKind::Tickets,
            file("good.csv", good.into(), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(r.created, 2);
        let all = ticket::Entity::find().all(app.store.conn()).await.unwrap();
        let first = all.iter().find(|t| t.subject == "打印机卡纸").unwrap();
        assert!(first.number.contains("-202503-"), "{}", first.number);
        assert_eq!(first.status, "resolved");
        assert_eq!(first.priority, "P2");
        assert_eq!(first.channel, "phone");
        assert_eq!(first.created_at.to_rfc3339(), "2025-03-01T01:00:00+00:00");
        assert_eq!(
            first.resolved_at.unwrap().to_rfc3339(),
            "2025-03-01T07:30:00+00:00"
        );
        assert!(first.sla_policy_id.is_none() && first.resolution_due_at.is_none());
        assert!(all.iter().all(|t| t.customer_id.is_some()));

        // The real event log, when it is here.
        let log = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/tickets/uci-incident-event-log-subset.csv");
        let Ok(bytes) = std::fs::read(&log) else {
            eprintln!("skipped: {} is not here (../shared/data)", log.display());
            db.cleanup().await;
            continue;
        };
        let before = tickets(&app).await;
        let dry = run(
            &app,
            &a,
            ImportKind::Tickets,
            file("uci.csv", bytes.clone(), true),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((dry.rows, dry.created), (5998, 890));
        assert_eq!(tickets(&app).await, before, "a dry run writes nothing");
        let r = run(
            &app,
            &a,
            ImportKind::Tickets,
            file("uci.csv", bytes.clone(), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(r.created, 890);
        let closed = ticket::Entity::find()
            .filter(ticket::Column::Number.starts_with("INC"))
            .filter(ticket::Column::Status.eq("closed"))
            .count(app.store.conn())
            .await
            .unwrap();
        assert_eq!(closed, 890, "all 890 end closed");
        let t = ticket::Entity::find()
            .filter(ticket::Column::Number.eq("INC0000045"))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((t.priority.as_str(), t.channel.as_str()), ("P3", "phone"));
        assert_eq!(t.tags, serde_json::json!(["Category 55"]));
        assert_eq!(
            t.resolved_at.unwrap().to_rfc3339(),
            "2016-02-29T03:29:00+00:00"
        );
        assert_eq!(
            t.closed_at.unwrap().to_rfc3339(),
            "2016-03-05T04:00:00+00:00"
        );
        let evs = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(t.id))
            .all(app.store.conn())
            .await
            .unwrap();
        let changes: Vec<String> = evs
            .iter()
            .filter(|e| e.kind == "status_changed")
            .map(|e| {
                format!(
                    "{}→{}",
                    e.data["from"].as_str().unwrap(),
                    e.data["to"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(changes, ["new→resolved", "resolved→closed"]);
        // The same file again: every incident is already here.
        let p = problems(
            run(
                &app,
                &a,
                ImportKind::Tickets,
                file("uci.csv", bytes, false),
                &|_, _| {},
            )
            .await,
        );
        assert!(p.iter().any(|x| x.1 == "number"), "{:?}", &p[..3]);
        assert_eq!(tickets(&app).await, before + 890);
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parts_products_and_stock_counts() {
    for db in TestDb::all().await {
        let app = App::new(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let a = admin();
        let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
        let parts_csv =
            "物料编码,物料名称,单位,单价\nFU-220,定影组件,套,\"1,280.50\"\nLD-40,激光头,个,350\n";
        let r = run(
            &app,
            &a,
            ImportKind::Parts,
            file("parts.csv", gbk(parts_csv), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated), (2, 0));
        // Again with a new name and no price: updated, the price kept.
        let again = "物料编码,物料名称,单价\nfu-220,定影组件（新）,\n";
        let r = run(
            &app,
            &a,
            ImportKind::Parts,
            file("parts2.csv", gbk(again), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated), (0, 1));
        let fu = part::Entity::find()
            .filter(part::Column::Code.eq("FU-220"))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (fu.name.as_str(), fu.unit_price_cents),
            ("定影组件（新）", 128_050)
        );

        let products_csv =
            "产品编码,产品名称,类别,保修月数\nAC-900,空压机,压缩机,24\nAC-901,空压机 B,,x\n";
        let p = problems(
            run(
                &app,
                &a,
                ImportKind::Products,
                file("p.csv", products_csv.into(), false),
                &|_, _| {},
            )
            .await,
        );
        assert_eq!(p, [("p.csv:3".to_owned(), "warranty_months".to_owned())]);
        let fixed = products_csv.replace(",x\n", ",12\n");
        run(
            &app,
            &a,
            ImportKind::Products,
            file("p.csv", fixed.into(), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(
            product::Entity::find()
                .count(app.store.conn())
                .await
                .unwrap(),
            2
        );

        // Stock: a warehouse, 3 reserved of 5 received on a ticket, then counts.
        let wh = kefu_app::parts::create_warehouse(
            &app,
            &a,
            kefu_app::parts::WarehouseInput {
                code: "SH".into(),
                name: "上海仓".into(),
                kind: None,
                engineer_id: None,
            },
        )
        .await
        .unwrap();
        kefu_app::parts::receive_stock(
            &app,
            &a,
            kefu_app::parts::ReceiveInput {
                part_id: fu.id,
                warehouse_id: wh.id,
                quantity: 5,
                purchase_request_id: None,
                reason: None,
            },
        )
        .await
        .unwrap();
        let t = kefu_app::tickets::open_ticket(
            &app,
            &a,
            kefu_app::tickets::NewTicket {
                subject: "定影器故障".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        kefu_app::parts::reserve_for_ticket(
            &app,
            &a,
            t.id,
            kefu_app::parts::ReserveInput {
                part_id: fu.id,
                warehouse_id: wh.id,
                quantity: 3,
                needed_by: None,
            },
        )
        .await
        .unwrap();
        let count = "料号,仓库,盘点数量\nFU-220,SH,2\nLD-40,SH,7\nNOPE,XX,1\n";
        let p = problems(
            run(
                &app,
                &a,
                ImportKind::Stock,
                file("count.csv", count.into(), false),
                &|_, _| {},
            )
            .await,
        );
        assert_eq!(
            p.iter()
                .map(|x| (x.0.as_str(), x.1.as_str()))
                .collect::<Vec<_>>(),
            [("count.csv:4", "part_code"), ("count.csv:4", "warehouse")]
        );
        let count = "料号,仓库,盘点数量\nFU-220,SH,2\nLD-40,SH,7\n";
        let p = problems(
            run(
                &app,
                &a,
                ImportKind::Stock,
                file("count.csv", count.into(), false),
                &|_, _| {},
            )
            .await,
        );
        assert_eq!(
            p,
            [("count.csv:2".to_owned(), "on_hand".to_owned())],
            "below the 3 reserved"
        );
        let count = "料号,仓库,盘点数量\nFU-220,SH,4\nLD-40,SH,7\n";
        let r = run(
            &app,
            &a,
            ImportKind::Stock,
            file("count.csv", count.into(), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(r.updated, 2);
        let s = stock::Entity::find_by_id((fu.id, wh.id))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((s.on_hand, s.reserved), (4, 3));
        let moves: Vec<i64> = stock_move::Entity::find()
            .filter(stock_move::Column::Kind.eq("count"))
            .all(app.store.conn())
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.on_hand_delta)
            .collect();
        let mut moves = moves;
        moves.sort();
        assert_eq!(moves, [-1, 7]);
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_and_orders() {
    for db in TestDb::all().await {
        let app = App::new(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let a = admin();
        let c = kefu_app::customers::create_customer(
            &app,
            &a,
            kefu_app::customers::NewCustomer {
                name: "精工机械".into(),
                code: Some("C001".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let contacts = "客户编码,联系人,手机,邮箱,职务,主要联系人\n\
                        C001,王工,13800000001,wang@jg.cn,设备主管,是\n\
                        C001,李工,13800000002,,采购,否\n\
                        C999,赵工,,,,\n";
        let p = problems(
            run(
                &app,
                &a,
                ImportKind::Contacts,
                file("c.csv", contacts.into(), false),
                &|_, _| {},
            )
            .await,
        );
        assert_eq!(p, [("c.csv:4".to_owned(), "customer".to_owned())]);
        let contacts = contacts.replace("C999,赵工,,,,\n", "");
        let r = run(
            &app,
            &a,
            ImportKind::Contacts,
            file("c.csv", contacts.clone().into(), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated), (2, 0));
        // Again, with 李工 now the main contact: updated, and only one main contact.
        let again = contacts
            .replace("采购,否", "采购,是")
            .replace("设备主管,是", "设备主管,否");
        let r = run(
            &app,
            &a,
            ImportKind::Contacts,
            file("c.csv", again.into(), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated), (0, 2));
        let list = kefu_app::customers::list_contacts(&app, &a, c.id)
            .await
            .unwrap();
        assert_eq!(list.len(), 2);
        let main: Vec<&str> = list
            .iter()
            .filter(|x| x.is_primary)
            .map(|x| x.name.as_str())
            .collect();
        assert_eq!(main, ["李工"]);

        let orders = "订单号,客户,订单日期,品名,数量,单价\n\
                      SO-1,C001,2026/3/5,JX-9 激光切割机,1,\"128,000\"\n\
                      SO-1,C001,2026/3/5,安装调试,1,2000\n\
                      SO-2,精工机械,2026-03-09,滤芯,10,80\n";
        let r = run(
            &app,
            &a,
            ImportKind::Orders,
            file("o.csv", orders.into(), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.rows, r.created), (3, 2));
        let list = kefu_app::customers::list_orders(&app, &a, c.id)
            .await
            .unwrap();
        let so1 = list.iter().find(|o| o.order_no == "SO-1").unwrap();
        assert_eq!(so1.total_cents, 13_000_000);
        // The ERP sends SO-1 again with one line: replaced, not doubled.
        let again =
            "订单号,客户,订单日期,品名,数量,单价\nSO-1,C001,2026/3/5,JX-9 激光切割机,1,120000\n";
        let r = run(
            &app,
            &a,
            ImportKind::Orders,
            file("o.csv", again.into(), false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated), (0, 1));
        let list = kefu_app::customers::list_orders(&app, &a, c.id)
            .await
            .unwrap();
        let so1 = list.iter().find(|o| o.order_no == "SO-1").unwrap();
        assert_eq!((so1.total_cents, so1.lines.len()), (12_000_000, 1));
        // Exports read back as updates: nothing new, nothing lost.
        use kefu_app::export::{Format, export_contacts, export_orders};
        let f = export_contacts(&app, &a, Format::Csv).await.unwrap();
        let r = run(
            &app,
            &a,
            ImportKind::Contacts,
            file("c.csv", f.bytes, false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated), (0, 2));
        let f = export_orders(&app, &a, Format::Xlsx).await.unwrap();
        let r = run(
            &app,
            &a,
            ImportKind::Orders,
            file("o.xlsx", f.bytes, false),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!((r.created, r.updated), (0, 2));
        let list = kefu_app::customers::list_orders(&app, &a, c.id)
            .await
            .unwrap();
        assert_eq!(
            list.iter().map(|o| o.total_cents).sum::<i64>(),
            12_000_000 + 80_000
        );
        db.cleanup().await;
    }
}
