//! Email end to end against real servers (Postfix on 127.0.0.1:2525, Dovecot IMAP on
//! 127.0.0.1:1143, started by `ci/mail-servers.sh`), on both databases:
//!
//! 1. a customer's mail is sent over SMTP, fetched by kefu from IMAP and opens a ticket;
//! 2. kefu's acknowledgement reaches the customer's mailbox with the ticket number in the
//!    subject, In-Reply-To the customer's message and `Auto-Submitted`;
//! 3. an agent's reply is mailed with the whole References chain;
//! 4. the customer answers that reply *without* the number in the subject, and the answer is
//!    threaded onto the same ticket by its headers;
//! 5. with the mailbox watched by IMAP IDLE, a new mail is taken in as soon as it arrives;
//! 6. mail the server refuses for good is marked failed and shows on the ticket.
//!
//! Without the servers the test is skipped, except under `CI=true`, where it fails.

use std::time::Duration;

use kefu_app::intake::{
    MailOutcome, MailSettings, OutboundSettings, ingest_mail, save_mail_settings,
};
use kefu_app::mail::{self, MailboxInput, SendOutcome};
use kefu_app::tickets::{self, AssignInput, ReplyInput};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppSettings};
use kefu_channels::mail::{
    FetchedMail, ImapConfig, ImapSecurity, Mailbox, OutboundMail, SmtpConfig, SmtpSecurity,
    SmtpSender, compose, fetch_new, parse,
};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::{mail_message, ticket_event};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use kefu_store::testing::TestDb;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use uuid::Uuid;

const PW: &str = "kefu-test-pw";

fn admin() -> Actor {
    Actor {
        user_id: Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    }
}

async fn servers_up() -> bool {
    let up = TcpStream::connect("127.0.0.1:2525").await.is_ok()
        && TcpStream::connect("127.0.0.1:1143").await.is_ok();
    if !up {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but the test mail servers are down: run ci/mail-servers.sh"
        );
        eprintln!(
            "SKIPPED mail_roundtrip: no SMTP on :2525 / IMAP on :1143 (run ci/mail-servers.sh)"
        );
    }
    up
}

fn imap(user: &str) -> ImapConfig {
    ImapConfig {
        host: "127.0.0.1".into(),
        port: 1143,
        security: ImapSecurity::None,
        username: user.into(),
        password: PW.into(),
        folder: "INBOX".into(),
        timeout: Duration::from_secs(30),
    }
}

/// Empties a user's INBOX with plain IMAP commands.
async fn clear(user: &str) {
    let stream = TcpStream::connect("127.0.0.1:1143").await.unwrap();
    let (r, mut w) = stream.into_split();
    let mut lines = BufReader::new(r).lines();
    lines.next_line().await.unwrap();
    for (tag, cmd) in [
        ("a1", format!("LOGIN {user} {PW}")),
        ("a2", "SELECT INBOX".into()),
        ("a3", "STORE 1:* +FLAGS.SILENT (\\Deleted)".into()),
        ("a4", "EXPUNGE".into()),
        ("a5", "LOGOUT".into()),
    ] {
        w.write_all(format!("{tag} {cmd}\r\n").as_bytes())
            .await
            .unwrap();
        while let Some(l) = lines.next_line().await.unwrap() {
            if l.starts_with(tag) {
                // STORE on an empty folder answers NO/BAD: nothing to delete.
                break;
            }
        }
    }
}

/// Waits until `user` has messages above `after_uid` and returns them.
async fn wait_mail(user: &str, after_uid: u32) -> Vec<FetchedMail> {
    for _ in 0..100 {
        let validity = fetch_new(&imap(user), u32::MAX - 1, None, 0)
            .await
            .unwrap()
            .uid_validity;
        let b = fetch_new(&imap(user), after_uid, Some(validity), 50)
            .await
            .unwrap();
        if !b.messages.is_empty() {
            return b.messages;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no mail reached {user} within 20 s");
}

async fn smtp_send(
    from: &str,
    to: &str,
    subject: &str,
    id: &str,
    reply_to: Option<(&str, Vec<String>)>,
) {
    let m = OutboundMail {
        from: Mailbox {
            name: Some("王工".into()),
            email: from.into(),
        },
        to: vec![Mailbox {
            name: None,
            email: to.into(),
        }],
        subject: subject.into(),
        text: "您好，三号机床主轴异响，请派人检修。".into(),
        message_id: id.into(),
        in_reply_to: reply_to.as_ref().map(|(p, _)| p.to_string()),
        references: reply_to.map(|(_, r)| r).unwrap_or_default(),
        ..Default::default()
    };
    let sender = SmtpSender::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port: 2525,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        timeout: Duration::from_secs(10),
    })
    .unwrap();
    sender
        .send(from, &[to.into()], &compose(&m).unwrap())
        .await
        .unwrap();
}

/// Runs the queued `mail.send` jobs once, as the worker would.
async fn run_send_jobs(app: &App) -> Vec<SendOutcome> {
    let jobs = kefu_jobs::claim(
        &app.store,
        "test",
        &[mail::SEND_JOB],
        Duration::from_secs(60),
        app.now(),
        50,
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    for j in jobs {
        out.push(mail::send_queued(app, &j).await.unwrap());
        kefu_jobs::complete(app.store.conn(), &j, app.now())
            .await
            .unwrap();
    }
    out
}

#[tokio::test]
async fn mail_round_trip_through_real_servers() {
    if !servers_up().await {
        return;
    }
    for db in TestDb::all().await {
        clear("support@kefu.test").await;
        clear("customer@example.test").await;
        let app = App::new(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let agent = create_user(
            &app,
            None,
            NewUser {
                email: "agent@kefu.test".into(),
                name: "张工".into(),
                role: "agent".into(),
                password: Some("long enough pw".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
        let me = Actor {
            user_id: agent,
            role: Role::Agent,
            customer_id: None,
            scopes: None,
        };
        let mut s = MailSettings::load(app.store.conn()).await.unwrap();
        s.outbound = OutboundSettings {
            enabled: true,
            from_address: "support@kefu.test".into(),
            from_name: "演示公司客服".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: 2525,
            smtp_security: "none".into(),
            ..Default::default()
        };
        save_mail_settings(&app, &admin(), s).await.unwrap();
        let mbox = mail::create_mailbox(
            &app,
            &admin(),
            MailboxInput {
                name: "support".into(),
                host: "127.0.0.1".into(),
                port: 1143,
                security: "none".into(),
                username: "support@kefu.test".into(),
                password: PW.into(),
                folder: "INBOX".into(),
                poll_seconds: 60,
                enabled: true,
            },
        )
        .await
        .unwrap();

        // 1. The customer writes; kefu fetches it and opens a ticket.
        let run = Uuid::now_v7().simple().to_string();
        let first_id = format!("c1.{run}@example.test");
        smtp_send(
            "customer@example.test",
            "support@kefu.test",
            "三号机床主轴异响",
            &first_id,
            None,
        )
        .await;
        let mut report = mail::poll_mailbox(&app, &admin(), mbox.id).await.unwrap();
        for _ in 0..100 {
            if report.fetched > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            report = mail::poll_mailbox(&app, &admin(), mbox.id).await.unwrap();
        }
        assert_eq!(
            (report.fetched, report.opened),
            (1, 1),
            "{:?} {report:?}",
            db.backend
        );
        let row = mail_message::Entity::find()
            .filter(mail_message::Column::MessageId.eq(first_id.clone()))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        let ticket_id = row.ticket_id.unwrap();
        let t = tickets::get_ticket(&app, &admin(), ticket_id)
            .await
            .unwrap();
        // Polling again finds nothing new: the position moved past the message.
        assert_eq!(
            mail::poll_mailbox(&app, &admin(), mbox.id)
                .await
                .unwrap()
                .fetched,
            0
        );

        // 2. The acknowledgement goes out and reaches the customer, threaded.
        let d = kefu_app::notify::dispatch_outbox(&app, 100).await.unwrap();
        assert_eq!(d.mails, 1, "{d:?}");
        assert_eq!(run_send_jobs(&app).await, vec![SendOutcome::Sent]);
        let got = wait_mail("customer@example.test", 0).await;
        let ack = parse(&got[0].raw).unwrap();
        assert!(
            ack.subject.contains(&format!("[{}]", t.number)),
            "{}",
            ack.subject
        );
        assert_eq!(ack.in_reply_to, vec![first_id.clone()]);
        assert!(
            ack.noise.is_some(),
            "an acknowledgement is marked Auto-Submitted"
        );
        let ack_id = ack.message_id.clone().unwrap();
        assert!(ack_id.ends_with("@kefu.test"), "{ack_id}");

        // 3. The agent answers; the reply carries the whole chain and is not auto-submitted.
        tickets::assign_ticket(
            &app,
            &admin(),
            ticket_id,
            AssignInput {
                assignee_id: Some(agent),
                team_id: None,
                version: None,
            },
        )
        .await
        .unwrap();
        tickets::add_reply(
            &app,
            &me,
            ticket_id,
            ReplyInput {
                body: "请先检查主轴轴承润滑，明天上午派工程师上门。".into(),
                attachment_ids: vec![],
            },
        )
        .await
        .unwrap();
        let d = kefu_app::notify::dispatch_outbox(&app, 100).await.unwrap();
        assert_eq!(d.mails, 1, "{d:?}");
        assert_eq!(run_send_jobs(&app).await, vec![SendOutcome::Sent]);
        let got = wait_mail("customer@example.test", got[0].uid).await;
        let reply = parse(&got[0].raw).unwrap();
        assert!(reply.text.contains("主轴轴承"), "{}", reply.text);
        assert!(reply.noise.is_none());
        assert_eq!(reply.in_reply_to, vec![first_id.clone()]);
        assert!(
            reply.references.contains(&first_id) && reply.references.contains(&ack_id),
            "{:?}",
            reply.references
        );
        let reply_id = reply.message_id.clone().unwrap();

        // 4. The customer answers with a plain "Re:" subject: headers alone thread it.
        let mut refs = reply.references.clone();
        refs.push(reply_id.clone());
        let answer_id = format!("c2.{run}@example.test");
        smtp_send(
            "customer@example.test",
            "support@kefu.test",
            "Re: 三号机床主轴异响",
            &answer_id,
            Some((&reply_id, refs)),
        )
        .await;
        let mut r = mail::poll_mailbox(&app, &admin(), mbox.id).await.unwrap();
        for _ in 0..100 {
            if r.fetched > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            r = mail::poll_mailbox(&app, &admin(), mbox.id).await.unwrap();
        }
        assert_eq!((r.fetched, r.appended, r.opened), (1, 1, 0), "{r:?}");
        let answer = mail_message::Entity::find()
            .filter(mail_message::Column::MessageId.eq(answer_id))
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(answer.ticket_id, Some(ticket_id));
        // The assignee hears of the answer in the app.
        kefu_app::notify::dispatch_outbox(&app, 100).await.unwrap();
        let notes = kefu_app::notify::list_notifications(&app, &me, true, None, 20)
            .await
            .unwrap();
        assert!(
            notes
                .iter()
                .any(|n| n.kind == "customer_reply" && n.ticket_id == Some(ticket_id)),
            "{notes:?}"
        );

        // 5. Watched by IMAP IDLE: a new mail is taken in as soon as it arrives, without a poll.
        let watcher = {
            let app = app.clone();
            tokio::spawn(async move {
                mail::watch_mailbox(&app, mbox.id, Duration::from_secs(30)).await
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        let idle_id = format!("c3.{run}@example.test");
        smtp_send(
            "customer@example.test",
            "support@kefu.test",
            "四号机床漏油",
            &idle_id,
            None,
        )
        .await;
        let outcome = tokio::time::timeout(Duration::from_secs(25), watcher)
            .await
            .expect("IDLE reported the new mail")
            .unwrap()
            .unwrap();
        match outcome {
            mail::WatchOutcome::Fetched(r) => assert_eq!((r.fetched, r.opened), (1, 1), "{r:?}"),
            other => panic!("expected the new mail to be fetched: {other:?}"),
        }
        assert!(
            mail_message::Entity::find()
                .filter(mail_message::Column::MessageId.eq(idle_id))
                .one(app.store.conn())
                .await
                .unwrap()
                .is_some_and(|m| m.ticket_id.is_some())
        );
        // With nothing new the watch just ends quietly at its limit.
        assert_eq!(
            mail::watch_mailbox(&app, mbox.id, Duration::from_secs(1))
                .await
                .unwrap(),
            mail::WatchOutcome::Quiet
        );
        // Its acknowledgement goes out now, so the next step sees only its own mail.
        kefu_app::notify::dispatch_outbox(&app, 100).await.unwrap();
        assert!(matches!(
            &run_send_jobs(&app).await[..],
            [SendOutcome::Sent]
        ));

        // 6. A recipient the server refuses (550 at RCPT): failed for good, shown on the ticket.
        let raw = format!(
            "From: nobody@example.test\r\nTo: support@kefu.test\r\nSubject: 无人信箱\r\n\
             Message-ID: <x.{run}@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n你好\r\n"
        );
        let MailOutcome::Opened {
            ticket_id: lost, ..
        } = ingest_mail(&app, raw.as_bytes(), None).await.unwrap()
        else {
            panic!("expected a ticket");
        };
        kefu_app::notify::dispatch_outbox(&app, 100).await.unwrap();
        let outcomes = run_send_jobs(&app).await;
        assert!(
            matches!(&outcomes[..], [SendOutcome::Failed(reason)] if reason.contains("550") || reason.to_lowercase().contains("reject")),
            "{outcomes:?}"
        );
        let failed = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(lost))
            .filter(ticket_event::Column::Kind.eq("mail_failed"))
            .one(app.store.conn())
            .await
            .unwrap();
        assert!(failed.is_some_and(|e| !e.public), "{:?}", db.backend);
    }
}
