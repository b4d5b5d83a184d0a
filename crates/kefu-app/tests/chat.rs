//! Web chat use cases on both databases with a controlled clock: the offer follows the switch,
//! the service calendar and agent presence; concurrent lines get distinct numbers; two agents
//! racing for one chat — one wins; a chat whose visitor left ends by itself and its transcript
//! becomes a ticket; the same visitor address finds the same contact.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use kefu_app::chat::{self, ChatSettings, StartChat};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppError, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_domain::chat::Offer;
use kefu_store::entity::{chat_message, ticket};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use kefu_store::testing::TestDb;

fn admin() -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        role: Role::Admin,
        customer_id: None,
        scopes: None,
    }
}

async fn agent(app: &App, name: &str) -> Actor {
    let u = create_user(
        app,
        None,
        NewUser {
            email: format!("{}@example.cn", uuid::Uuid::now_v7().simple()),
            name: name.into(),
            role: "agent".into(),
            password: Some("correct horse battery".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    Actor {
        user_id: u.id,
        role: Role::Agent,
        customer_id: None,
        scopes: None,
    }
}

fn opening(email: &str, message: &str) -> StartChat {
    StartChat {
        name: "王先生".into(),
        email: Some(email.into()),
        message: message.into(),
        page_url: Some("https://www.example.cn/products/m7400".into()),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offer_races_and_abandoned_chats() {
    for db in TestDb::all().await {
        // Monday 2026-11-23 10:00 Beijing: a working day, in business hours.
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap();
        let clock = Arc::new(FixedClock::new(start));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();

        // Off by default; on, but nobody there; in hours with an agent → chat.
        assert_eq!(chat::offer_now(&app).await.unwrap().offer, Offer::Disabled);
        let settings = ChatSettings {
            enabled: true,
            ..Default::default()
        };
        chat::save_chat_settings(&app, &admin(), settings)
            .await
            .unwrap();
        assert_eq!(chat::offer_now(&app).await.unwrap().offer, Offer::NoAgent);
        let li = agent(&app, "李娜").await;
        let zhang = agent(&app, "张伟").await;
        assert!(chat::set_presence(&app, &li, Some(true)).await.unwrap());
        chat::set_presence(&app, &zhang, Some(true)).await.unwrap();
        assert_eq!(chat::offer_now(&app).await.unwrap().offer, Offer::Chat);
        // Sunday is outside the calendar: leave a message, whoever is online.
        clock.set(Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap());
        assert_eq!(
            chat::offer_now(&app).await.unwrap().offer,
            Offer::OutsideHours
        );
        clock.set(start);
        // A console silent for over a minute no longer counts.
        clock.advance(Duration::seconds(61));
        assert_eq!(chat::offer_now(&app).await.unwrap().offer, Offer::NoAgent);
        chat::set_presence(&app, &li, None).await.unwrap();
        chat::set_presence(&app, &zhang, None).await.unwrap();
        assert_eq!(chat::offer_now(&app).await.unwrap().offer, Offer::Chat);

        // Two agents race for one chat: exactly one takes it.
        let a = chat::start_chat(
            &app,
            opening("wang@jinggong.example.cn", "打印机卡纸"),
            "10.0.0.1",
        )
        .await
        .unwrap();
        let (r1, r2) = tokio::join!(
            chat::accept_chat(&app, &li, a.session_id),
            chat::accept_chat(&app, &zhang, a.session_id)
        );
        let winners = [&r1, &r2].iter().filter(|r| r.is_ok()).count();
        assert_eq!(winners, 1, "one agent takes the chat: {r1:?} {r2:?}");
        let loser = if r1.is_ok() { r2 } else { r1 };
        assert!(matches!(
            loser,
            Err(AppError::Conflict {
                code: "chat_taken",
                ..
            })
        ));
        let taker = chat::get_chat(&app, &li, a.session_id)
            .await
            .unwrap()
            .agent_id
            .unwrap();
        let (taker, other) = if taker == li.user_id {
            (&li, &zhang)
        } else {
            (&zhang, &li)
        };
        // The colleague may not write in it.
        assert!(matches!(
            chat::agent_say(&app, other, a.session_id, "我来").await,
            Err(AppError::Forbidden(_))
        ));

        // Lines written at the same time get distinct, gapless numbers.
        let mut says = tokio::task::JoinSet::new();
        for i in 0..6 {
            let app = app.clone();
            let token = a.token.clone();
            let taker = taker.clone();
            let id = a.session_id;
            says.spawn(async move {
                if i % 2 == 0 {
                    chat::visitor_say(&app, &token, &format!("访客 {i}")).await
                } else {
                    chat::agent_say(&app, &taker, id, &format!("客服 {i}")).await
                }
            });
        }
        for r in says.join_all().await {
            r.unwrap();
        }
        let seqs: Vec<i32> = chat_message::Entity::find()
            .filter(chat_message::Column::SessionId.eq(a.session_id))
            .order_by_asc(chat_message::Column::Seq)
            .all(app.store.conn())
            .await
            .unwrap()
            .iter()
            .map(|m| m.seq)
            .collect();
        assert_eq!(seqs, (1..=seqs.len() as i32).collect::<Vec<_>>());
        assert_eq!(seqs.len(), 1 + 1 + 6, "opening, joined, six lines");

        // The visitor goes quiet; ten minutes later the chat is still open, after that it ends.
        clock.advance(Duration::minutes(10));
        assert_eq!(chat::sweep_abandoned(&app).await.unwrap(), 0);
        clock.advance(Duration::minutes(1));
        assert_eq!(chat::sweep_abandoned(&app).await.unwrap(), 1);
        assert_eq!(chat::sweep_abandoned(&app).await.unwrap(), 0);
        let ended = chat::get_chat(&app, taker, a.session_id).await.unwrap();
        assert_eq!(ended.status, "ended");
        assert_eq!(ended.ended_by.as_deref(), Some("timeout"));
        let t = ticket::Entity::find_by_id(ended.ticket_id.unwrap())
            .one(app.store.conn())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t.channel, "chat");
        assert_eq!(t.subject, "打印机卡纸");
        assert_eq!(t.assignee_id, Some(taker.user_id));
        assert!(t.first_responded_at.is_some(), "the chat was answered");
        assert_eq!(t.status, "new", "a timed-out chat stays open");
        // Nothing is written into an ended chat.
        assert!(matches!(
            chat::visitor_say(&app, &a.token, "还在吗").await,
            Err(AppError::Conflict {
                code: "chat_ended",
                ..
            })
        ));

        // The same address next time: the same contact; an unanswered chat has no response.
        chat::set_presence(&app, &li, None).await.unwrap();
        let b = chat::start_chat(
            &app,
            opening("WANG@jinggong.example.cn", "还是卡纸"),
            "10.0.0.1",
        )
        .await
        .unwrap();
        let b_ended = chat::visitor_end(&app, &b.token).await.unwrap();
        assert_eq!(b_ended.status, "ended");
        let tickets = ticket::Entity::find()
            .filter(ticket::Column::Channel.eq("chat"))
            .order_by_asc(ticket::Column::CreatedAt)
            .all(app.store.conn())
            .await
            .unwrap();
        assert_eq!(tickets.len(), 2);
        assert_eq!(tickets[0].contact_id, tickets[1].contact_id);
        assert!(tickets[1].first_responded_at.is_none());
        assert_eq!(tickets[1].assignee_id, None);

        // Starting chats is limited per address.
        let mut limited = false;
        for i in 0..10 {
            match chat::start_chat(
                &app,
                opening("x@example.cn", &format!("刷屏 {i}")),
                "10.9.9.9",
            )
            .await
            {
                Ok(_) => {}
                Err(AppError::RateLimited { .. }) => {
                    limited = true;
                    break;
                }
                Err(e) => panic!("{e:?}"),
            }
        }
        assert!(limited, "a flood from one address is refused");
        db.cleanup().await;
    }
}
