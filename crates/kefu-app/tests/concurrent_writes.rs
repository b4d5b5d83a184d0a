//! Concurrent changes to one ticket on both databases: requests that carry no expected version
//! (replies, notes) all succeed and all land, however they interleave; two merges in opposite
//! directions at once end with exactly one merged ticket and no deadlock.

use kefu_app::tickets::{self, MergeInput, NewTicket, ReplyInput};
use kefu_app::users::{NewUser, create_user};
use kefu_app::{App, AppError, AppSettings};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::{ticket, ticket_event};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use kefu_store::testing::TestDb;

#[tokio::test]
async fn concurrent_changes_to_one_ticket_take_turns() {
    for db in TestDb::all().await {
        let app = App::new(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
        );
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let bootstrap = Actor {
            user_id: uuid::Uuid::nil(),
            role: Role::Admin,
            customer_id: None,
            scopes: None,
        };
        let agent = create_user(
            &app,
            None,
            NewUser {
                email: "wang@example.cn".into(),
                name: "王工".into(),
                role: "admin".into(),
                password: Some("long enough pw".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let me = Actor {
            user_id: agent.id,
            ..bootstrap
        };
        let open = |subject: &'static str| {
            let (app, me) = (app.clone(), me.clone());
            async move {
                tickets::open_ticket(
                    &app,
                    &me,
                    NewTicket {
                        subject: subject.into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
            }
        };
        let t = open("注塑机温控失灵").await;

        // Eight replies and eight notes at once: every one succeeds and is on the record.
        let mut handles = Vec::new();
        for i in 0..8 {
            let (app, me) = (app.clone(), me.clone());
            handles.push(tokio::spawn(async move {
                let body = format!("第 {i} 次答复 reply {i}");
                if i % 2 == 0 {
                    tickets::add_reply(
                        &app,
                        &me,
                        t.id,
                        ReplyInput {
                            body,
                            attachment_ids: vec![],
                        },
                    )
                    .await
                } else {
                    tickets::add_note(
                        &app,
                        &me,
                        t.id,
                        ReplyInput {
                            body,
                            attachment_ids: vec![],
                        },
                    )
                    .await
                }
            }));
        }
        for h in handles {
            h.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{:?}: {e:?}", db.backend));
        }
        let written = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(t.id))
            .filter(ticket_event::Column::Kind.is_in(["reply", "note"]))
            .count(db.store.conn())
            .await
            .unwrap();
        assert_eq!(written, 8, "{:?}", db.backend);

        // A into B and B into A at the same moment: one wins, the other is refused cleanly.
        let a = open("A 工单").await;
        let b = open("B 工单").await;
        let merge = |from: uuid::Uuid, into: uuid::Uuid| {
            let (app, me) = (app.clone(), me.clone());
            tokio::spawn(async move {
                tickets::merge_ticket(
                    &app,
                    &me,
                    from,
                    MergeInput {
                        into_id: into,
                        version: None,
                    },
                )
                .await
            })
        };
        let (ab, ba) = (merge(a.id, b.id), merge(b.id, a.id));
        let results = [ab.await.unwrap(), ba.await.unwrap()];
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{:?}: {results:?}",
            db.backend
        );
        // The other is told why (one side is already merged), not failed by a deadlock (a
        // 500) or a stale version.
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            matches!(
                refused,
                AppError::Invalid(_)
                    | AppError::Rule {
                        code: "ticket_merged",
                        ..
                    }
            ),
            "{:?}: {refused:?}",
            db.backend
        );
        let merged = ticket::Entity::find()
            .filter(ticket::Column::Id.is_in([a.id, b.id]))
            .filter(ticket::Column::MergedIntoId.is_not_null())
            .count(db.store.conn())
            .await
            .unwrap();
        assert_eq!(merged, 1, "{:?}", db.backend);
    }
}
