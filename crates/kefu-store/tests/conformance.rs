//! The store's conformance suite: every repository function and every table's constraints, run
//! on SQLite and on PostgreSQL (a fresh database each). Both backends must behave the same.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use kefu_store::entity::{
    asset, contact, customer, outbox_message, setting, team, ticket, ticket_event, user,
};
use kefu_store::sea_orm::sea_query::InsertStatement;
use kefu_store::sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, ModelTrait, TransactionTrait,
};
use kefu_store::testing::TestDb;
use kefu_store::{
    IdempotencyRecord, StoreError, TicketCursor, TicketFilter, count_tickets, find_idempotent,
    insert_all, insert_and_number, list_tickets, next_ticket_seq, save_idempotent,
    update_ticket_versioned,
};
use serde_json::json;
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    // Sub-second part on purpose: both backends must keep microseconds.
    Utc.with_ymd_and_hms(2026, 2, 14, 9, 30, 0).unwrap() + Duration::microseconds(123_456)
}

async fn new_customer(
    db: &impl ConnectionTrait,
    name: &str,
    code: Option<&str>,
) -> customer::Model {
    customer::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set("company".into()),
        name: Set(name.into()),
        code: Set(code.map(Into::into)),
        tier: Set("vip".into()),
        lifecycle: Set("active".into()),
        owner_id: Set(None),
        region: Set(Some("华东".into())),
        address: Set(Some("上海市浦东新区张江路 88 号".into())),
        phone: Set(None),
        email: Set(None),
        tags: Set(json!(["重点客户", "ERP"])),
        custom_fields: Set(json!({"行业": "制造业", "employees": 420})),
        notes: Set(None),
        created_at: Set(t0()),
        updated_at: Set(t0()),
        version: Set(1),
    }
    .insert(db)
    .await
    .expect("insert customer")
}

async fn new_user(db: &impl ConnectionTrait, email: &str) -> user::Model {
    user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.into()),
        name: Set("王工".into()),
        role: Set("agent".into()),
        password_hash: Set("$argon2id$v=19$m=19456,t=2,p=1$x$y".into()),
        customer_id: Set(None),
        phone: Set(None),
        locale: Set("zh-CN".into()),
        time_zone: Set("Asia/Shanghai".into()),
        skills: Set(json!(["打印机", "plc"])),
        region: Set(None),
        active: Set(true),
        created_at: Set(t0()),
        updated_at: Set(t0()),
        version: Set(1),
    }
    .insert(db)
    .await
    .expect("insert user")
}

struct T<'a> {
    number: &'a str,
    subject: &'a str,
    status: &'a str,
    priority: &'a str,
    kind: &'a str,
    customer: Option<Uuid>,
    assignee: Option<Uuid>,
    team: Option<Uuid>,
    tags: serde_json::Value,
    created_at: DateTime<Utc>,
}

impl Default for T<'_> {
    fn default() -> Self {
        T {
            number: "SR-202602-000001",
            subject: "激光打印机卡纸",
            status: "new",
            priority: "P3",
            kind: "repair",
            customer: None,
            assignee: None,
            team: None,
            tags: json!([]),
            created_at: t0(),
        }
    }
}

async fn new_ticket(db: &impl ConnectionTrait, t: T<'_>) -> ticket::Model {
    ticket::ActiveModel {
        id: Set(Uuid::now_v7()),
        number: Set(t.number.into()),
        kind: Set(t.kind.into()),
        channel: Set("phone".into()),
        priority: Set(t.priority.into()),
        status: Set(t.status.into()),
        subject: Set(t.subject.into()),
        customer_id: Set(t.customer),
        contact_id: Set(None),
        asset_id: Set(None),
        order_id: Set(None),
        team_id: Set(t.team),
        assignee_id: Set(t.assignee),
        sla_policy_id: Set(None),
        first_response_due_at: Set(Some(t.created_at + Duration::minutes(30))),
        resolution_due_at: Set(None),
        first_responded_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        sla_paused_since: Set(None),
        sla_check_at: Set(None),
        sla_warn_at: Set(None),
        tags: Set(t.tags),
        custom_fields: Set(json!({})),
        parent_id: Set(None),
        merged_into_id: Set(None),
        created_by: Set(None),
        created_at: Set(t.created_at),
        updated_at: Set(t.created_at),
        version: Set(1),
    }
    .insert(db)
    .await
    .expect("insert ticket")
}

/// Runs `check` on each backend with a fresh database, then drops it.
macro_rules! on_both {
    ($check:ident) => {
        for db in TestDb::all().await {
            eprintln!("{:?}", db.backend);
            $check(&db).await;
            db.cleanup().await;
        }
    };
}

#[tokio::test]
async fn migrations_are_idempotent_and_create_every_table() {
    async fn check(db: &TestDb) {
        db.store.migrate().await.expect("second migrate is a no-op");
        for table in [
            "users",
            "teams",
            "team_members",
            "customers",
            "contacts",
            "products",
            "assets",
            "orders",
            "order_lines",
            "calendars",
            "sla_policies",
            "ticket_types",
            "settings",
            "ticket_counters",
            "tickets",
            "ticket_events",
            "attachments",
            "api_tokens",
            "sessions",
            "audit_log",
            "idempotency_keys",
            "outbox",
        ] {
            db.store
                .conn()
                .execute_unprepared(&format!("SELECT COUNT(*) FROM {table}"))
                .await
                .unwrap_or_else(|e| panic!("{:?}: table {table}: {e}", db.backend));
        }
    }
    on_both!(check);
}

#[tokio::test]
async fn postgres_vacuums_tickets_after_a_few_percent_changed() {
    async fn check(db: &TestDb) {
        if db.store.conn().get_database_backend() != kefu_store::sea_orm::DbBackend::Postgres {
            return;
        }
        let row = db
            .store
            .conn()
            .query_one_raw(kefu_store::sea_orm::Statement::from_string(
                kefu_store::sea_orm::DbBackend::Postgres,
                "SELECT array_to_string(reloptions, ',') AS o FROM pg_class \
                 WHERE relname = 'tickets' AND relkind = 'r' \
                 AND relnamespace = to_regnamespace(current_schema())",
            ))
            .await
            .unwrap()
            .expect("tickets in pg_class");
        let options: String = row.try_get("", "o").unwrap_or_default();
        for want in [
            "autovacuum_vacuum_scale_factor=0.02",
            "autovacuum_analyze_scale_factor=0.02",
            "autovacuum_vacuum_insert_scale_factor=0.01",
        ] {
            assert!(options.contains(want), "{want} not in {options:?}");
        }
    }
    on_both!(check);
}

#[tokio::test]
async fn values_round_trip_exactly() {
    async fn check(db: &TestDb) {
        let conn = db.store.conn();
        let c = new_customer(conn, "苏州精工机械有限公司", Some("C-001")).await;
        let back = customer::Entity::find_by_id(c.id)
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back, c, "{:?}", db.backend);
        assert_eq!(back.created_at, t0(), "microseconds kept");
        assert_eq!(back.custom_fields["行业"], "制造业");

        let a = asset::ActiveModel {
            id: Set(Uuid::now_v7()),
            customer_id: Set(c.id),
            product_id: Set(None),
            product_name: Set("HP LaserJet M406dn".into()),
            serial_number: Set("SN-8842X".into()),
            install_date: Set(NaiveDate::from_ymd_opt(2024, 2, 29)),
            warranty_end: Set(NaiveDate::from_ymd_opt(2027, 2, 28)),
            contract_end: Set(None),
            site_address: Set(None),
            created_at: Set(t0()),
            updated_at: Set(t0()),
        }
        .insert(conn)
        .await
        .unwrap();
        let back = asset::Entity::find_by_id(a.id)
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back, a);

        let u = new_user(conn, "wang@example.cn").await;
        let back = user::Entity::find_by_id(u.id).one(conn).await.unwrap();
        assert_eq!(back, Some(u));

        setting::ActiveModel {
            key: Set("sla.default".into()),
            value: Set(json!({"nested": [1, 2.5, null, "中文"]})),
            updated_at: Set(t0()),
        }
        .insert(conn)
        .await
        .unwrap();
        let s = setting::Entity::find_by_id("sla.default".to_owned())
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.value, json!({"nested": [1, 2.5, null, "中文"]}));
    }
    on_both!(check);
}

#[tokio::test]
async fn unique_and_foreign_keys_are_enforced_with_typed_errors() {
    async fn check(db: &TestDb) {
        let conn = db.store.conn();
        let c = new_customer(conn, "甲公司", Some("C-001")).await;
        // Unique customer code.
        let mut dup = customer::ActiveModel::from(c.clone()).reset_all();
        dup.id = Set(Uuid::now_v7());
        let dup = dup.insert(conn).await.map_err(StoreError::from);
        assert!(
            matches!(&dup, Err(StoreError::Conflict { constraint }) if constraint == "customers.code"),
            "{:?}: {dup:?}",
            db.backend
        );
        // Several customers without a code are fine (NULLs are distinct).
        new_customer(conn, "乙公司", None).await;
        new_customer(conn, "丙公司", None).await;
        // Unique user email.
        new_user(conn, "a@example.cn").await;
        let dup = user::ActiveModel {
            id: Set(Uuid::now_v7()),
            ..new_user_model("a@example.cn")
        }
        .insert(conn)
        .await
        .map_err(StoreError::from);
        assert!(
            matches!(&dup, Err(StoreError::Conflict { constraint }) if constraint == "users.email"),
            "{:?}: {dup:?}",
            db.backend
        );
        // Unique ticket number.
        new_ticket(conn, T::default()).await;
        let dup = ticket::ActiveModel {
            id: Set(Uuid::now_v7()),
            ..new_ticket_model()
        }
        .insert(conn)
        .await
        .map_err(StoreError::from);
        assert!(
            matches!(&dup, Err(StoreError::Conflict { constraint }) if constraint == "tickets.number"),
            "{:?}: {dup:?}",
            db.backend
        );
        // A contact needs an existing customer.
        let orphan = contact_model(Uuid::now_v7())
            .insert(conn)
            .await
            .map_err(StoreError::from);
        assert!(
            matches!(orphan, Err(StoreError::ForeignKey(_))),
            "{:?}: {orphan:?}",
            db.backend
        );
        // A customer with tickets cannot be deleted; its contacts go with it when it can.
        let with_ticket = new_customer(conn, "丁公司", Some("C-004")).await;
        new_ticket(
            conn,
            T {
                number: "SR-202602-000002",
                customer: Some(with_ticket.id),
                ..T::default()
            },
        )
        .await;
        let del = with_ticket
            .clone()
            .delete(conn)
            .await
            .map_err(StoreError::from);
        assert!(
            matches!(del, Err(StoreError::ForeignKey(_))),
            "{:?}: {del:?}",
            db.backend
        );
        let plain = new_customer(conn, "戊公司", Some("C-005")).await;
        let ct = contact_model(plain.id).insert(conn).await.unwrap();
        plain.delete(conn).await.unwrap();
        assert!(
            contact::Entity::find_by_id(ct.id)
                .one(conn)
                .await
                .unwrap()
                .is_none(),
            "contacts cascade"
        );
        // Events of a ticket: unknown ticket is refused.
        let ev = ticket_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            ticket_id: Set(Uuid::now_v7()),
            kind: Set("note".into()),
            actor_id: Set(None),
            public: Set(false),
            data: Set(json!({})),
            created_at: Set(t0()),
        }
        .insert(conn)
        .await
        .map_err(StoreError::from);
        assert!(matches!(ev, Err(StoreError::ForeignKey(_))), "{ev:?}");
    }
    on_both!(check);
}

fn new_user_model(email: &str) -> user::ActiveModel {
    user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.into()),
        name: Set("李四".into()),
        role: Set("agent".into()),
        password_hash: Set("x".into()),
        customer_id: Set(None),
        phone: Set(None),
        locale: Set("zh-CN".into()),
        time_zone: Set("Asia/Shanghai".into()),
        skills: Set(json!([])),
        region: Set(None),
        active: Set(true),
        created_at: Set(t0()),
        updated_at: Set(t0()),
        version: Set(1),
    }
}

/// The insert of an event of `kind` on ticket `ticket_id`.
fn event_insert(ticket_id: Uuid, kind: &str) -> InsertStatement {
    use kefu_store::sea_orm::QueryTrait;
    ticket_event::Entity::insert(ticket_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        ticket_id: Set(ticket_id),
        kind: Set(kind.into()),
        actor_id: Set(None),
        public: Set(true),
        data: Set(json!({"subject": "主轴异响"})),
        created_at: Set(t0()),
    })
    .into_query()
}

fn new_ticket_model() -> ticket::ActiveModel {
    ticket::ActiveModel {
        id: Set(Uuid::now_v7()),
        number: Set("SR-202602-000001".into()),
        kind: Set("inquiry".into()),
        channel: Set("email".into()),
        priority: Set("P4".into()),
        status: Set("new".into()),
        subject: Set("重复编号".into()),
        customer_id: Set(None),
        contact_id: Set(None),
        asset_id: Set(None),
        order_id: Set(None),
        team_id: Set(None),
        assignee_id: Set(None),
        sla_policy_id: Set(None),
        first_response_due_at: Set(None),
        resolution_due_at: Set(None),
        first_responded_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        sla_paused_since: Set(None),
        sla_check_at: Set(None),
        sla_warn_at: Set(None),
        tags: Set(json!([])),
        custom_fields: Set(json!({})),
        parent_id: Set(None),
        merged_into_id: Set(None),
        created_by: Set(None),
        created_at: Set(t0()),
        updated_at: Set(t0()),
        version: Set(1),
    }
}

fn contact_model(customer_id: Uuid) -> contact::ActiveModel {
    contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer_id),
        name: Set("张三".into()),
        email: Set(Some("zhang@example.cn".into())),
        phone: Set(Some("13800138000".into())),
        wechat_openid: Set(None),
        title: Set(Some("设备科长".into())),
        is_primary: Set(true),
        created_at: Set(t0()),
        updated_at: Set(t0()),
    }
}

#[tokio::test]
async fn ticket_sequence_counts_per_period_and_rolls_back_with_its_transaction() {
    async fn check(db: &TestDb) {
        let conn = db.store.conn();
        assert_eq!(next_ticket_seq(conn, "SR-202611").await.unwrap(), 1);
        assert_eq!(next_ticket_seq(conn, "SR-202611").await.unwrap(), 2);
        assert_eq!(next_ticket_seq(conn, "SR-202612").await.unwrap(), 1);
        let tx = db.store.begin().await.unwrap();
        assert_eq!(next_ticket_seq(&tx, "SR-202611").await.unwrap(), 3);
        tx.rollback().await.unwrap();
        assert_eq!(
            next_ticket_seq(conn, "SR-202611").await.unwrap(),
            3,
            "a rolled-back ticket does not burn its number"
        );
        // Concurrent transactions never hand out the same number.
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                let tx = store.begin().await.unwrap();
                let n = next_ticket_seq(&tx, "SR-202701").await.unwrap();
                tx.commit().await.unwrap();
                n
            }));
        }
        let mut got = Vec::new();
        for t in tasks {
            got.push(t.await.unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, (1..=16).collect::<Vec<i64>>(), "{:?}", db.backend);
    }
    on_both!(check);
}

#[tokio::test]
async fn numbering_an_existing_ticket_takes_the_sequence_and_writes_the_number() {
    async fn check(db: &TestDb) {
        let conn = db.store.conn();
        let a = new_ticket(conn, T::default()).await;
        let b = new_ticket(
            conn,
            T {
                number: "~b",
                ..T::default()
            },
        )
        .await;
        let tx = db.store.begin().await.unwrap();
        assert_eq!(
            insert_and_number(&tx, vec![], a.id, "SR-202611", 6)
                .await
                .unwrap(),
            "SR-202611-000001"
        );
        tx.commit().await.unwrap();
        let stored = ticket::Entity::find_by_id(a.id).one(conn).await.unwrap();
        assert_eq!(
            stored.unwrap().number,
            "SR-202611-000001",
            "{:?}",
            db.backend
        );
        // Past the padding the number grows instead of being cut.
        conn.execute_unprepared("UPDATE ticket_counters SET last_seq = 999999")
            .await
            .unwrap();
        assert_eq!(
            insert_and_number(conn, vec![], b.id, "SR-202611", 6)
                .await
                .unwrap(),
            "SR-202611-1000000",
            "{:?}",
            db.backend
        );
        // No such ticket: an error, and in a transaction the number is not burnt.
        let tx = db.store.begin().await.unwrap();
        assert!(
            insert_and_number(&tx, vec![], Uuid::now_v7(), "SR-202611", 6)
                .await
                .is_err()
        );
        tx.rollback().await.unwrap();
        assert_eq!(next_ticket_seq(conn, "SR-202611").await.unwrap(), 1_000_001);
    }
    on_both!(check);
}

#[tokio::test]
async fn inserts_sent_together_land_together_or_not_at_all() {
    async fn check(db: &TestDb) {
        use kefu_store::sea_orm::QueryTrait;
        let event = |ticket_id: Uuid| event_insert(ticket_id, "created");
        // A ticket and its event (the child references the parent of the same statement).
        let t = new_ticket_model();
        let id = t.id.clone().unwrap();
        let tx = db.store.begin().await.unwrap();
        insert_all(&tx, vec![ticket::Entity::insert(t).into_query(), event(id)])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let conn = db.store.conn();
        let stored = ticket::Entity::find_by_id(id).one(conn).await.unwrap();
        assert!(stored.is_some(), "{:?}", db.backend);
        use kefu_store::sea_orm::{ColumnTrait, QueryFilter};
        let events = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(id))
            .all(conn)
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "{:?}", db.backend);
        // An event of no ticket: refused as a foreign key, and the ticket sent with it is gone
        // with the transaction.
        let mut t = new_ticket_model();
        t.number = Set("SR-202602-000002".into());
        let other = t.id.clone().unwrap();
        let tx = db.store.begin().await.unwrap();
        let r = insert_all(
            &tx,
            vec![
                ticket::Entity::insert(t).into_query(),
                event(Uuid::now_v7()),
            ],
        )
        .await;
        assert!(matches!(r, Err(StoreError::ForeignKey(_))), "{r:?}");
        tx.rollback().await.unwrap();
        assert!(
            ticket::Entity::find_by_id(other)
                .one(conn)
                .await
                .unwrap()
                .is_none()
        );
    }
    on_both!(check);
}

/// A new ticket's rows and its number in one call (SQLite: one batch): all land, numbered;
/// or, when one insert fails, none does and the number is not burnt.
#[tokio::test]
async fn inserting_and_numbering_a_ticket_is_all_or_nothing() {
    async fn check(db: &TestDb) {
        use kefu_store::sea_orm::{ColumnTrait, QueryFilter, QueryTrait};
        let conn = db.store.conn();
        let mut numbers = Vec::new();
        // A new ticket (numbered `~id` until numbered) and these events, numbered in `tx`.
        let open = |tx: kefu_store::Tx, events: fn(Uuid) -> Vec<InsertStatement>| async move {
            let mut t = new_ticket_model();
            let id = t.id.clone().unwrap();
            t.number = Set(format!("~{id}"));
            let mut inserts = vec![ticket::Entity::insert(t).into_query()];
            inserts.extend(events(id));
            let r = insert_and_number(&tx, inserts, id, "SR-202612", 6).await;
            (tx, id, r)
        };
        for _ in 0..2 {
            let (tx, id, number) = open(db.store.begin().await.unwrap(), |id| {
                vec![event_insert(id, "created"), event_insert(id, "routed")]
            })
            .await;
            let number = number.unwrap();
            tx.commit().await.unwrap();
            let stored = ticket::Entity::find_by_id(id)
                .one(conn)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(stored.number, number, "{:?}", db.backend);
            let events = ticket_event::Entity::find()
                .filter(ticket_event::Column::TicketId.eq(id))
                .all(conn)
                .await
                .unwrap();
            assert_eq!(events.len(), 2, "{:?}", db.backend);
            numbers.push(number);
        }
        assert_eq!(numbers, ["SR-202612-000001", "SR-202612-000002"]);
        // An event of no ticket fails the batch: the ticket is not there and the next ticket
        // gets the next number.
        let (tx, id, r) = open(db.store.begin().await.unwrap(), |_| {
            vec![event_insert(Uuid::now_v7(), "created")]
        })
        .await;
        assert!(matches!(r, Err(StoreError::ForeignKey(_))), "{r:?}");
        tx.rollback().await.unwrap();
        assert!(
            ticket::Entity::find_by_id(id)
                .one(conn)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(next_ticket_seq(conn, "SR-202612").await.unwrap(), 3);
    }
    on_both!(check);
}

#[tokio::test]
async fn versioned_update_detects_lost_races() {
    async fn check(db: &TestDb) {
        let conn = db.store.conn();
        let t = new_ticket(conn, T::default()).await;
        let change = |status: &str| ticket::ActiveModel {
            status: Set(status.into()),
            ..Default::default()
        };
        update_ticket_versioned(conn, t.id, 1, change("open"))
            .await
            .unwrap();
        let stale = update_ticket_versioned(conn, t.id, 1, change("resolved")).await;
        assert!(
            matches!(&stale, Err(StoreError::Conflict { constraint }) if constraint == "version"),
            "{stale:?}"
        );
        let missing = update_ticket_versioned(conn, Uuid::now_v7(), 1, change("open")).await;
        assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
        let now = ticket::Entity::find_by_id(t.id)
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((now.status.as_str(), now.version), ("open", 2));

        // Two writers holding version 2: exactly one wins.
        let mut tasks = Vec::new();
        for status in ["pending_customer", "on_site"] {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                let tx = store.begin().await.unwrap();
                let r = update_ticket_versioned(&tx, t.id, 2, change(status)).await;
                tx.commit().await.unwrap();
                r.is_ok()
            }));
        }
        let mut wins = 0;
        for t in tasks {
            wins += usize::from(t.await.unwrap());
        }
        assert_eq!(wins, 1, "{:?}", db.backend);
    }
    on_both!(check);
}

/// Every ticket `f` lists, walked in keyset pages of `size`.
async fn all_pages(
    conn: &kefu_store::Conn,
    f: &TicketFilter,
    size: u64,
) -> Vec<kefu_store::entity::ticket::Model> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = list_tickets(conn, f, after, size).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(TicketCursor {
            created_at: last.created_at,
            id: last.id,
        });
        all.extend(page);
    }
    all
}

#[tokio::test]
async fn ticket_filters_and_keyset_pages_agree_on_both_backends() {
    async fn check(db: &TestDb) {
        let conn = db.store.conn();
        let acme = new_customer(conn, "甲公司", Some("A")).await;
        let other = new_customer(conn, "乙公司", Some("B")).await;
        let agent = new_user(conn, "agent@example.cn").await;
        let tm = team::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set("售后一组".into()),
            created_at: Set(t0()),
        }
        .insert(conn)
        .await
        .unwrap();
        // 25 tickets; some share a creation time so the cursor's id tie-break matters.
        let mut numbers = Vec::new();
        for i in 0..25u32 {
            let number = format!("SR-202602-{:06}", i + 1);
            let subject = match i % 3 {
                0 => "激光打印机卡纸 Printer jam",
                1 => "PLC 通讯故障 50% 丢包",
                _ => "安装调试预约",
            };
            new_ticket(
                conn,
                T {
                    number: &number,
                    subject,
                    status: ["new", "open", "resolved"][i as usize % 3],
                    priority: ["P1", "P2", "P3", "P4"][i as usize % 4],
                    kind: ["repair", "installation"][i as usize % 2],
                    customer: Some(if i % 5 == 0 { other.id } else { acme.id }),
                    assignee: (i % 2 == 0).then_some(agent.id),
                    team: (i % 4 == 0).then_some(tm.id),
                    tags: if i % 6 == 0 {
                        json!(["保修", "VIP"])
                    } else {
                        json!(["收费"])
                    },
                    created_at: t0() + Duration::minutes(i64::from(i / 2)),
                },
            )
            .await;
            numbers.push(number);
        }
        let count = |f: TicketFilter| async move { count_tickets(conn, &f).await.unwrap() };
        assert_eq!(count(TicketFilter::default()).await, 25);
        let by_status = TicketFilter {
            statuses: vec!["new".into(), "open".into()],
            ..Default::default()
        };
        assert_eq!(count(by_status).await, 17);
        let by_priority = TicketFilter {
            priorities: vec!["P1".into()],
            ..Default::default()
        };
        assert_eq!(count(by_priority).await, 7);
        let by_kind = TicketFilter {
            kinds: vec!["installation".into()],
            ..Default::default()
        };
        assert_eq!(count(by_kind).await, 12);
        let by_customer = TicketFilter {
            customer_id: Some(other.id),
            ..Default::default()
        };
        assert_eq!(count(by_customer).await, 5);
        let scoped = TicketFilter {
            customer_scope: Some(acme.id),
            customer_id: Some(other.id),
            ..Default::default()
        };
        assert_eq!(count(scoped).await, 0, "the scope wins over a filter");
        let mine = TicketFilter {
            assignee_id: Some(agent.id),
            ..Default::default()
        };
        assert_eq!(count(mine).await, 13);
        let unassigned = TicketFilter {
            unassigned: true,
            ..Default::default()
        };
        assert_eq!(count(unassigned).await, 12);
        let by_team = TicketFilter {
            team_id: Some(tm.id),
            ..Default::default()
        };
        assert_eq!(count(by_team).await, 7);
        let by_tag = TicketFilter {
            tag: Some("保修".into()),
            ..Default::default()
        };
        assert_eq!(count(by_tag).await, 5);
        let no_partial_tag = TicketFilter {
            tag: Some("保".into()),
            ..Default::default()
        };
        assert_eq!(count(no_partial_tag).await, 0, "tags match whole");
        let range = TicketFilter {
            created_from: Some(t0() + Duration::minutes(2)),
            created_to: Some(t0() + Duration::minutes(4)),
            ..Default::default()
        };
        assert_eq!(count(range).await, 4, "from inclusive, to exclusive");
        let text = TicketFilter {
            text: Some("打印机".into()),
            ..Default::default()
        };
        assert_eq!(count(text).await, 9);
        let text_ci = TicketFilter {
            text: Some("printer".into()),
            ..Default::default()
        };
        assert_eq!(
            count(text_ci).await,
            9,
            "{:?}: case-insensitive",
            db.backend
        );
        let percent = TicketFilter {
            text: Some("50%".into()),
            ..Default::default()
        };
        assert_eq!(count(percent).await, 8, "{:?}: % is literal", db.backend);
        let wildcard = TicketFilter {
            text: Some("_".into()),
            ..Default::default()
        };
        assert_eq!(count(wildcard).await, 0, "{:?}: _ is literal", db.backend);
        let by_number = TicketFilter {
            text: Some("SR-202602-000007".into()),
            ..Default::default()
        };
        assert_eq!(count(by_number).await, 1);

        // Keyset pages of 7: every ticket exactly once, newest first.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = list_tickets(conn, &TicketFilter::default(), after, 7)
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            let last = page.last().unwrap();
            after = Some(
                TicketCursor::decode(
                    &TicketCursor {
                        created_at: last.created_at,
                        id: last.id,
                    }
                    .encode(),
                )
                .expect("cursor round-trips"),
            );
            seen.extend(page.into_iter().map(|t| (t.created_at, t.id, t.number)));
        }
        assert_eq!(seen.len(), 25, "{:?}", db.backend);
        assert!(seen.windows(2).all(|w| (w[0].0, w[0].1) > (w[1].0, w[1].1)));
        let mut got: Vec<_> = seen.into_iter().map(|s| s.2).collect();
        got.sort();
        assert_eq!(got, numbers);

        // Oldest first walks the same tickets the other way.
        let oldest = TicketFilter {
            oldest_first: true,
            ..Default::default()
        };
        let asc: Vec<_> = all_pages(conn, &oldest, 6)
            .await
            .into_iter()
            .map(|t| (t.created_at, t.id))
            .collect();
        assert_eq!(asc.len(), 25);
        assert!(asc.windows(2).all(|w| w[0] < w[1]), "{:?}", db.backend);

        // A queue filtered by priority (unfinished P1/P2) in pages of 3, both ways: exactly
        // the full listing's tickets with those priorities and statuses, in its order.
        let everything = list_tickets(conn, &TicketFilter::default(), None, 100)
            .await
            .unwrap();
        let queue = TicketFilter {
            priorities: vec!["P1".into(), "P2".into()],
            exclude_statuses: vec!["resolved".into()],
            ..Default::default()
        };
        let want: Vec<Uuid> = everything
            .iter()
            .filter(|t| ["P1", "P2"].contains(&t.priority.as_str()) && t.status != "resolved")
            .map(|t| t.id)
            .collect();
        assert!(want.len() > 3, "{want:?}");
        for oldest_first in [false, true] {
            let f = TicketFilter {
                oldest_first,
                ..queue.clone()
            };
            let got: Vec<Uuid> = all_pages(conn, &f, 3)
                .await
                .into_iter()
                .map(|t| t.id)
                .collect();
            let mut expect = want.clone();
            if oldest_first {
                expect.reverse();
            }
            assert_eq!(
                got, expect,
                "{:?}, oldest first: {oldest_first}",
                db.backend
            );
        }
        // SQLite walks that queue in the priority index, and never a customer's or an agent's
        // P1/P2 tickets (their own indexes are narrower).
        if conn.get_database_backend() == kefu_store::sea_orm::DbBackend::Sqlite {
            let plan = |f: TicketFilter| async move {
                use kefu_store::sea_orm::{DbBackend, Statement};
                let st = kefu_store::list_tickets_statement(&f, DbBackend::Sqlite, None, 51);
                let rows = conn
                    .query_all_raw(Statement::from_sql_and_values(
                        DbBackend::Sqlite,
                        format!("EXPLAIN QUERY PLAN {}", st.sql),
                        st.values.map(|v| v.0).unwrap_or_default(),
                    ))
                    .await
                    .unwrap();
                rows.iter()
                    .map(|r| r.try_get::<String>("", "detail").unwrap())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let walked = plan(queue.clone()).await;
            assert!(walked.contains("ix_tickets_priority_queue"), "{walked}");
            for narrower in [
                TicketFilter {
                    customer_id: Some(acme.id),
                    ..queue.clone()
                },
                TicketFilter {
                    assignee_id: Some(agent.id),
                    ..queue.clone()
                },
            ] {
                let p = plan(narrower).await;
                assert!(!p.contains("ix_tickets_priority_queue"), "{p}");
            }
        }

        // Merged tickets are hidden unless asked for.
        let first = ticket::Entity::find().one(conn).await.unwrap().unwrap();
        let last = list_tickets(conn, &TicketFilter::default(), None, 1)
            .await
            .unwrap()
            .remove(0);
        update_ticket_versioned(
            conn,
            first.id,
            first.version,
            ticket::ActiveModel {
                merged_into_id: Set(Some(last.id)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(count(TicketFilter::default()).await, 24);
        let all = TicketFilter {
            include_merged: true,
            ..Default::default()
        };
        assert_eq!(count(all).await, 25);
    }
    on_both!(check);
}

#[tokio::test]
async fn idempotency_keys_are_per_user_and_first_write_wins() {
    async fn check(db: &TestDb) {
        let conn = db.store.conn();
        let alice = new_user(conn, "alice@example.cn").await;
        let bob = new_user(conn, "bob@example.cn").await;
        let rec = IdempotencyRecord {
            request_hash: "h1".into(),
            status: 201,
            body: r#"{"number":"SR-1"}"#.into(),
        };
        assert_eq!(find_idempotent(conn, alice.id, "k1").await.unwrap(), None);
        save_idempotent(conn, alice.id, "k1", &rec, t0())
            .await
            .unwrap();
        assert_eq!(
            find_idempotent(conn, alice.id, "k1").await.unwrap(),
            Some(rec.clone())
        );
        assert_eq!(find_idempotent(conn, bob.id, "k1").await.unwrap(), None);
        let again = save_idempotent(
            conn,
            alice.id,
            "k1",
            &IdempotencyRecord {
                request_hash: "h2".into(),
                ..rec.clone()
            },
            t0(),
        )
        .await;
        assert!(
            matches!(again, Err(StoreError::Conflict { .. })),
            "{again:?}"
        );
        save_idempotent(conn, bob.id, "k1", &rec, t0())
            .await
            .unwrap();
    }
    on_both!(check);
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_nothing_behind() {
    async fn check(db: &TestDb) {
        let tx = db.store.begin().await.unwrap();
        let c = new_customer(&tx, "回滚公司", Some("R")).await;
        let t = new_ticket(
            &tx,
            T {
                customer: Some(c.id),
                ..T::default()
            },
        )
        .await;
        outbox_message::ActiveModel {
            id: Set(Uuid::now_v7()),
            topic: Set("ticket.created".into()),
            aggregate_id: Set(Some(t.id)),
            payload: Set(json!({"id": t.id})),
            created_at: Set(t0()),
            processed_at: Set(None),
        }
        .insert(&tx)
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        let conn = db.store.conn();
        assert!(customer::Entity::find().all(conn).await.unwrap().is_empty());
        assert!(ticket::Entity::find().all(conn).await.unwrap().is_empty());
        assert!(
            outbox_message::Entity::find()
                .all(conn)
                .await
                .unwrap()
                .is_empty()
        );
        // A committed one keeps everything; nested savepoints roll back on their own.
        let tx = db.store.begin().await.unwrap();
        new_customer(&tx, "提交公司", Some("K")).await;
        let inner = tx.begin().await.unwrap();
        new_customer(&inner, "内层公司", Some("I")).await;
        inner.rollback().await.unwrap();
        tx.commit().await.unwrap();
        let names: Vec<String> = customer::Entity::find()
            .all(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, vec!["提交公司".to_owned()]);
    }
    on_both!(check);
}

/// On SQLite, a statement outside a transaction that is not a `SELECT` runs on the writer
/// connection (where transactions run), so writes queue for the writer instead of fighting
/// for SQLite's lock from the reader connections; reads still run beside an open transaction.
#[tokio::test]
async fn sqlite_writes_outside_transactions_run_on_the_writer() {
    use kefu_store::sea_orm::Statement;
    let db = TestDb::sqlite().await;
    let backend = db.store.backend();
    // A temporary table exists on the connection that created it only.
    db.store
        .conn()
        .execute_unprepared("CREATE TEMP TABLE conn_probe (n INTEGER)")
        .await
        .expect("create");
    db.store
        .conn()
        .execute_raw(Statement::from_string(
            backend,
            "INSERT INTO temp.conn_probe (n) VALUES (7)",
        ))
        .await
        .expect("insert on the connection that has the table");
    let tx = db.store.begin().await.unwrap();
    let row = tx
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT n FROM temp.conn_probe",
        ))
        .await
        .expect("the transaction's connection has the table")
        .expect("a row");
    assert_eq!(row.try_get::<i32>("", "n").unwrap(), 7);
    // The writer is taken by the transaction; a read outside it does not wait for it.
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        db.store.conn().query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM tickets",
        )),
    )
    .await
    .expect("a read does not wait for the writer")
    .unwrap()
    .unwrap();
    assert_eq!(read.try_get::<i64>("", "n").unwrap(), 0);
    // A write outside it waits its turn and lands after the commit.
    let store = db.store.clone();
    let write = tokio::spawn(async move {
        store
            .conn()
            .execute_raw(Statement::from_string(
                backend,
                "INSERT INTO temp.conn_probe (n) VALUES (8)",
            ))
            .await
    });
    tokio::task::yield_now().await;
    tx.commit().await.unwrap();
    write.await.unwrap().expect("the queued write");
    db.cleanup().await;
}

/// Transactions that read before they write run beside single statements written outside any
/// transaction (SQLite: on the reader connections) without a `database is locked` error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_and_single_writes_interleave_without_busy_errors() {
    for db in TestDb::all().await {
        let backend = db.store.backend();
        let id = match backend {
            kefu_store::sea_orm::DbBackend::Postgres => "BIGSERIAL",
            _ => "INTEGER",
        };
        db.store
            .conn()
            .execute_unprepared(&format!(
                "CREATE TABLE busy_probe (id {id} PRIMARY KEY, who TEXT NOT NULL)"
            ))
            .await
            .expect("create");
        let insert = |who: &str| {
            kefu_store::sea_orm::Statement::from_sql_and_values(
                backend,
                match backend {
                    kefu_store::sea_orm::DbBackend::Postgres => {
                        "INSERT INTO busy_probe (who) VALUES ($1)"
                    }
                    _ => "INSERT INTO busy_probe (who) VALUES (?)",
                },
                [who.into()],
            )
        };
        let mut tasks = Vec::new();
        for k in 0..4 {
            let store = db.store.clone();
            let stmt = insert("tx");
            tasks.push(tokio::spawn(async move {
                for _ in 0..25 {
                    let tx = store.begin().await?;
                    // Read first, then write: the upgrade that a deferred SQLite transaction
                    // cannot make once another connection wrote in between.
                    tx.query_one_raw(kefu_store::sea_orm::Statement::from_string(
                        backend,
                        "SELECT COUNT(*) FROM busy_probe",
                    ))
                    .await
                    .map_err(kefu_store::StoreError::from)?;
                    tokio::task::yield_now().await;
                    tx.execute_raw(stmt.clone())
                        .await
                        .map_err(kefu_store::StoreError::from)?;
                    tx.commit().await.map_err(kefu_store::StoreError::from)?;
                }
                Ok::<_, kefu_store::StoreError>(k)
            }));
            let store = db.store.clone();
            let stmt = insert("single");
            tasks.push(tokio::spawn(async move {
                for _ in 0..25 {
                    store
                        .conn()
                        .execute_raw(stmt.clone())
                        .await
                        .map_err(kefu_store::StoreError::from)?;
                    tokio::task::yield_now().await;
                }
                Ok(k)
            }));
        }
        for t in tasks {
            t.await.expect("join").expect("no busy error");
        }
        let n = db
            .store
            .conn()
            .query_one_raw(kefu_store::sea_orm::Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n FROM busy_probe",
            ))
            .await
            .expect("count")
            .expect("row")
            .try_get::<i64>("", "n")
            .expect("n");
        assert_eq!(n, 200, "{:?}", db.backend);
        db.cleanup().await;
    }
}
