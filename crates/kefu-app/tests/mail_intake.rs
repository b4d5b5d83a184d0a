//! Inbound mail on both databases: a new sender opens a ticket (contact and customer created),
//! the same message twice is one entry, replies thread by References and by `[SR-…]` from the
//! ticket's own contact only, a closed ticket reopens or gets a follow-up as configured, a
//! company domain finds its customer, noise and garbage are kept but reach no ticket, and a
//! sender over the hourly limit is held back.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use kefu_app::intake::{MailOutcome, MailSettings, ingest_mail, save_mail_settings};
use kefu_app::tickets::{self, TransitionInput};
use kefu_app::{App, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::{attachment, contact, customer, mail_message};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use kefu_store::testing::TestDb;
use uuid::Uuid;

fn admin() -> Actor {
    Actor {
        user_id: Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    }
}

fn mail(from: &str, id: &str, subject: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: support@kefu.test\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0800\r\n{extra}MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

fn opened(o: &MailOutcome) -> (Uuid, String) {
    match o {
        MailOutcome::Opened { ticket_id, number } => (*ticket_id, number.clone()),
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

fn appended(o: &MailOutcome) -> (Uuid, bool) {
    match o {
        MailOutcome::Appended {
            ticket_id,
            reopened,
            ..
        } => (*ticket_id, *reopened),
        other => panic!("expected a reply on a ticket, got {other:?}"),
    }
}

async fn to_status(app: &App, id: Uuid, to: &str) {
    let t = tickets::get_ticket(app, &admin(), id).await.unwrap();
    tickets::transition_ticket(
        app,
        &admin(),
        id,
        TransitionInput {
            to: to.into(),
            comment: None,
            version: Some(t.version),
        },
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn mail_becomes_tickets_and_replies() {
    for db in TestDb::all().await {
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap(),
        ));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let conn = db.store.conn();
        let b = format!("{:?}", db.backend);

        // A new sender at a public mail domain: a person-customer and contact are made, even
        // though another customer already has an address at that domain.
        let other = kefu_app::customers::create_customer(
            &app,
            &admin(),
            kefu_app::customers::NewCustomer {
                name: "另一家公司".into(),
                email: Some("boss@qq.com".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let first = mail(
            "=?UTF-8?B?5byg5Lyf?= <ZhangWei@QQ.com>",
            "m1@qq.com",
            "主轴异响，请尽快安排",
            "",
            "3号机床主轴有异响。",
        );
        let (t1, number) = opened(&ingest_mail(&app, &first, Some("support")).await.unwrap());
        let v = tickets::get_ticket(&app, &admin(), t1).await.unwrap();
        assert_eq!(
            (v.channel.as_str(), v.subject.as_str()),
            ("email", "主轴异响，请尽快安排"),
            "{b}"
        );
        let c = contact::Entity::find_by_id(v.contact_id.unwrap())
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.name.as_str(), c.email.as_deref()),
            ("张伟", Some("zhangwei@qq.com")),
            "{b}"
        );
        assert_eq!(Some(c.customer_id), v.customer_id, "{b}");
        assert_ne!(
            v.customer_id,
            Some(other.id),
            "{b}: matched by a public mail domain"
        );

        // The same message fetched again is one entry.
        let again = ingest_mail(&app, &first, Some("support")).await.unwrap();
        assert_eq!(
            again,
            MailOutcome::Duplicate {
                ticket_id: Some(t1)
            },
            "{b}"
        );
        let rows = mail_message::Entity::find().count(conn).await.unwrap();
        assert_eq!(rows, 1, "{b}");

        // A reply naming our message in References lands on the ticket.
        let reply = mail(
            "张伟 <zhangwei@qq.com>",
            "m2@qq.com",
            "Re: 主轴异响，请尽快安排",
            "In-Reply-To: <m1@qq.com>\r\nReferences: <m1@qq.com>\r\n",
            "补充：异响在 3000 转以上出现。\r\n\r\n------------------ 原始邮件 ------------------\r\n3号机床主轴有异响。",
        );
        let (on, reopened) = appended(&ingest_mail(&app, &reply, None).await.unwrap());
        assert_eq!((on, reopened), (t1, false), "{b}");
        let history = tickets::ticket_history(&app, &admin(), t1).await.unwrap();
        let last = history.iter().rev().find(|e| e.kind == "reply").unwrap();
        assert_eq!(
            last.data["body"], "补充：异响在 3000 转以上出现。",
            "{b}: quote not stripped"
        );

        // By ticket number in the subject: the contact is believed, a stranger is not.
        let by_number = mail(
            "zhangwei@qq.com",
            "m3@qq.com",
            &format!("回复：【{number}】 主轴异响"),
            "",
            "今天还响。",
        );
        assert_eq!(
            appended(&ingest_mail(&app, &by_number, None).await.unwrap()).0,
            t1,
            "{b}"
        );
        let stranger = mail(
            "someone@other.example.org",
            "m4@other.example.org",
            &format!("[{number}] 主轴异响"),
            "",
            "我也想看看这个工单。",
        );
        let (t_stranger, _) = opened(&ingest_mail(&app, &stranger, None).await.unwrap());
        assert_ne!(t_stranger, t1, "{b}");

        // A closed ticket reopens on a reply (default), or gets a follow-up when configured.
        for to in ["open", "resolved", "closed"] {
            to_status(&app, t1, to).await;
        }
        let late = mail(
            "zhangwei@qq.com",
            "m5@qq.com",
            "Re: 主轴异响",
            "References: <m1@qq.com>\r\n",
            "又响了。",
        );
        assert_eq!(
            appended(&ingest_mail(&app, &late, None).await.unwrap()),
            (t1, true),
            "{b}"
        );
        assert_eq!(
            tickets::get_ticket(&app, &admin(), t1)
                .await
                .unwrap()
                .status,
            "open",
            "{b}"
        );
        for to in ["resolved", "closed"] {
            to_status(&app, t1, to).await;
        }
        save_mail_settings(
            &app,
            &admin(),
            MailSettings {
                closed_reply: "follow_up".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let later = mail(
            "zhangwei@qq.com",
            "m6@qq.com",
            "Re: 主轴异响",
            "References: <m1@qq.com>\r\n",
            "还是响。",
        );
        let (follow, _) = opened(&ingest_mail(&app, &later, None).await.unwrap());
        let fv = tickets::get_ticket(&app, &admin(), follow).await.unwrap();
        assert_eq!(fv.parent_id, Some(t1), "{b}");
        assert_eq!(
            tickets::get_ticket(&app, &admin(), t1)
                .await
                .unwrap()
                .status,
            "closed",
            "{b}"
        );

        // A company domain finds the customer whose address shares it.
        let jg = kefu_app::customers::create_customer(
            &app,
            &admin(),
            kefu_app::customers::NewCustomer {
                name: "苏州精工机械有限公司".into(),
                email: Some("service@jinggong.example.cn".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let colleague = mail(
            "李娜 <lina@jinggong.example.cn>",
            "m7@jinggong.example.cn",
            "液压站压力低",
            "",
            "压力只有 8MPa。",
        );
        let (t_jg, _) = opened(&ingest_mail(&app, &colleague, None).await.unwrap());
        assert_eq!(
            tickets::get_ticket(&app, &admin(), t_jg)
                .await
                .unwrap()
                .customer_id,
            Some(jg.id),
            "{b}"
        );

        // Noise and garbage are kept, flagged, and reach no ticket.
        let ooo = mail(
            "lina@jinggong.example.cn",
            "m8@jinggong.example.cn",
            "自动回复: 液压站压力低",
            "Auto-Submitted: auto-replied\r\n",
            "我休假中。",
        );
        assert_eq!(
            ingest_mail(&app, &ooo, None).await.unwrap(),
            MailOutcome::Ignored {
                reason: "auto_reply".into()
            },
            "{b}"
        );
        let junk = ingest_mail(&app, b"\x00\x01 not a mail", None)
            .await
            .unwrap();
        assert!(matches!(junk, MailOutcome::Failed { .. }), "{b}: {junk:?}");
        let failed = mail_message::Entity::find()
            .filter(mail_message::Column::Status.eq("failed"))
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        assert!(failed.raw_sha256.is_some() && failed.size > 0, "{b}");

        // Attachments from the corpus message with a PDF, a workbook and a photo.
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../kefu-channels/tests/corpus/14-mixed-pdf-xlsx-photo.eml");
        let (t_files, _) = opened(
            &ingest_mail(&app, &std::fs::read(corpus).unwrap(), None)
                .await
                .unwrap(),
        );
        let files = attachment::Entity::find()
            .filter(attachment::Column::TicketId.eq(t_files))
            .count(conn)
            .await
            .unwrap();
        assert_eq!(files, 3, "{b}");

        // Over the hourly limit: kept, not a ticket.
        save_mail_settings(
            &app,
            &admin(),
            MailSettings {
                max_per_sender_per_hour: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let mut outcomes = Vec::new();
        for i in 0..3 {
            let m = mail(
                "flood@spam.example.net",
                &format!("f{i}@spam.example.net"),
                "buy",
                "",
                "x",
            );
            outcomes.push(ingest_mail(&app, &m, None).await.unwrap());
        }
        assert_eq!(
            outcomes[2],
            MailOutcome::Ignored {
                reason: "rate_limited".into()
            },
            "{b}"
        );
        let customers = customer::Entity::find().count(conn).await.unwrap();
        assert!(customers >= 4, "{b}");
    }
}
