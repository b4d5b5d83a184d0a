//! Portal invitations on both databases: an agent invites a contact, the link works once, the
//! new portal user belongs to that customer only, and a used or expired link is refused.

use std::sync::Arc;

use chrono::{Duration, Utc};
use kefu_app::customers::{self, NewCustomer};
use kefu_app::{App, AppError, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_store::testing::TestDb;

fn staff(role: Role) -> Actor {
    Actor {
        user_id: uuid::Uuid::nil(),
        role,
        customer_id: None,
        scopes: None,
    }
}

#[tokio::test]
async fn an_invitation_makes_one_portal_user_once() {
    for db in TestDb::all().await {
        let clock = Arc::new(FixedClock::new(Utc::now()));
        let app = App::with_clock(
            db.store.clone(),
            AppSettings::for_tests(db.dir.join("files")),
            clock.clone(),
        );
        let agent = staff(Role::Agent);
        let c = customers::create_customer(
            &app,
            &agent,
            NewCustomer {
                name: "苏州精工".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let finance = staff(Role::Finance);
        let refused = customers::invite_portal_user(&app, &finance, c.id, "a@b.cn", "甲").await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{refused:?}"
        );
        let bad = customers::invite_portal_user(&app, &agent, c.id, "not-an-email", "").await;
        assert!(
            matches!(bad, Err(AppError::Invalid(ref e)) if e.len() == 2),
            "{bad:?}"
        );

        let inv = customers::invite_portal_user(&app, &agent, c.id, "Liu.Yang@Example.cn", "刘洋")
            .await
            .unwrap();
        let pending = customers::pending_invitation(&app, &inv.token)
            .await
            .unwrap();
        assert_eq!(
            (pending.email.as_str(), pending.customer_name.as_str()),
            ("liu.yang@example.cn", "苏州精工")
        );
        let weak = customers::accept_invitation(&app, &inv.token, None, "short").await;
        assert!(matches!(weak, Err(AppError::Invalid(_))), "{weak:?}");
        // A refused attempt leaves the link usable.
        let user = customers::accept_invitation(&app, &inv.token, Some("刘洋"), "a long password")
            .await
            .unwrap();
        assert_eq!(user.role, "customer");
        assert_eq!(user.customer_id, Some(c.id));
        let again = customers::accept_invitation(&app, &inv.token, None, "a long password").await;
        assert!(
            matches!(again, Err(AppError::NotFound(_))),
            "used once: {again:?}"
        );
        let s =
            kefu_app::auth::sessions::login(&app, "liu.yang@example.cn", "a long password", "t")
                .await
                .unwrap();
        assert_eq!(s.user.customer_id, Some(c.id));

        let late = customers::invite_portal_user(&app, &agent, c.id, "late@example.cn", "迟到")
            .await
            .unwrap();
        clock.advance(Duration::days(15));
        let expired = customers::pending_invitation(&app, &late.token).await;
        assert!(matches!(expired, Err(AppError::NotFound(_))), "{expired:?}");
        db.cleanup().await;
    }
}
