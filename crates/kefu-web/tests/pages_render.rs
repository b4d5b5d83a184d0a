//! Every page renders (status 200, a full HTML document) with strict-undefined templates over
//! demo data, for an admin and for a portal user, on both databases. A template that reads a
//! missing variable fails here with the page's name.

mod common;

use common::{Server, session};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

async fn page(c: &reqwest::Client, srv: &Server, path: &str) {
    let res = c.get(format!("{}{path}", srv.base)).send().await.unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert!(body.contains("</html>"), "{path} is not a whole page");
    // The pages' CSP (style-src 'self') blocks inline styles.
    assert!(
        !body.contains(" style=\""),
        "{path} has an inline style attribute"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_renders_for_staff_and_portal_users() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        kefu_app::demo::load(&srv.app).await.expect("demo data");
        kefu_app::search::index_pending(&srv.app, 10_000)
            .await
            .unwrap();
        let admin = srv.user("admin", None).await;
        let c = session(&srv, &admin.email).await;
        // The search page with hits (demo tickets are about printers, among others).
        let body = c
            .get(format!("{}/search?q=%E6%89%93%E5%8D%B0%E6%9C%BA", srv.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("data-testid=\"search-hit\""), "{body}");
        let tickets: serde_json::Value = srv
            .get(&srv.admin, "/tickets?limit=5")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tk = tickets["items"][0]["id"].as_str().unwrap().to_owned();
        let customer = tickets["items"][0]["customer_id"]
            .as_str()
            .unwrap()
            .to_owned();
        // Rows in every table of the channels page.
        for (path, body) in [
            (
                "/mailboxes",
                serde_json::json!({"name": "售后信箱", "host": "127.0.0.1", "port": 1, "security": "none", "username": "u@kefu.test", "password": "pw-123456"}),
            ),
            (
                "/bots",
                serde_json::json!({"name": "售后群", "kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "events": ["ticket.created"]}),
            ),
        ] {
            let res = srv.post(&srv.admin, path, &body).send().await.unwrap();
            assert_eq!(res.status(), reqwest::StatusCode::CREATED, "{path}");
        }
        kefu_app::intake::ingest_mail(&srv.app, b"garbage without headers", Some("test"))
            .await
            .unwrap();
        // A product to relate articles to, and an article with a file.
        let product = uuid::Uuid::now_v7();
        {
            use kefu_store::entity::product;
            use kefu_store::sea_orm::{ActiveValue::Set, EntityTrait};
            product::Entity::insert(product::ActiveModel {
                id: Set(product),
                code: Set("M7400".into()),
                name: Set("激光打印机".into()),
                category: Set(None),
                warranty_months: Set(12),
                created_at: Set(chrono::Utc::now()),
            })
            .exec_without_returning(srv.app.store.conn())
            .await
            .unwrap();
        }
        let article: serde_json::Value = srv
            .post(
                &srv.admin,
                "/kb/articles",
                &json!({"title": "卡纸处理", "state": "public", "body": "打开前盖。", "product_ids": [product]}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let article = article["id"].as_str().unwrap().to_owned();
        let res = srv
            .client
            .post(srv.url(&format!("/kb/articles/{article}/files")))
            .bearer_auth(&srv.admin)
            .multipart(
                reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(b"GIF89a".to_vec())
                        .file_name("x.gif")
                        .mime_str("image/gif")
                        .unwrap(),
                ),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        // The editor shows the related product chosen, and saving the form keeps it.
        let editor = c
            .get(format!("{}/kb/{article}", srv.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            editor.contains(&format!("value=\"{product}\" selected")),
            "{editor}"
        );
        let csrf = editor
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_owned();
        let res = c
            .post(format!("{}/kb/{article}", srv.base))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("version", "1"),
                ("title", "卡纸处理"),
                ("state", "public"),
                ("body", "打开前盖，取出纸张。"),
                ("product_ids", &product.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let saved: serde_json::Value = srv
            .get(&srv.admin, &format!("/kb/articles/{article}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(saved["product_ids"], json!([product]));
        assert_eq!(saved["version"], 2);
        let hook: serde_json::Value = srv
            .post(
                &srv.admin,
                "/webhooks",
                &json!({"name": "ERP", "url": "https://erp.example.cn/hooks", "events": ["ticket.*"]}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        kefu_app::notify::dispatch_outbox(&srv.app, 1000)
            .await
            .unwrap();
        let hook = hook["id"].as_str().unwrap().to_owned();
        // A charge, a quotation and an export batch, so the charges panel, the finance page
        // and the portal's quotation render with rows.
        let item: serde_json::Value = srv
            .post(
                &srv.admin,
                "/price-items",
                &json!({"code": "LAB", "name": "工时", "kind": "labour", "unit": "小时",
                    "unit_price_cents": 12000, "vip_price_cents": 10000}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for t in [&tk, &tickets["items"][1]["id"].as_str().unwrap().to_owned()] {
            let res = srv
                .post(
                    &srv.admin,
                    &format!("/tickets/{t}/charges"),
                    &json!({"price_item_id": item["id"], "quantity": 1.5}),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
        }
        let res = srv
            .post(
                &srv.admin,
                &format!("/tickets/{tk}/quotes"),
                &json!({"note": "7 天有效"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let other = tickets["items"][1]["id"].as_str().unwrap();
        srv.post(
            &srv.admin,
            &format!("/tickets/{other}/transition"),
            &json!({"to": "closed"}),
        )
        .send()
        .await
        .unwrap();
        srv.post(&srv.admin, "/charges/exports", &json!({}))
            .send()
            .await
            .unwrap();
        // A maintenance plan on the demo customer's asset (every demo customer has one; the
        // customer page lists it).
        let assets: serde_json::Value = srv
            .get(&srv.admin, &format!("/customers/{customer}/assets"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let res = srv
            .post(
                &srv.admin,
                &format!(
                    "/assets/{}/maintenance-plans",
                    assets[0]["id"].as_str().unwrap()
                ),
                &json!({"name": "年度保养", "interval_months": 12, "next_due": "2027-01-04"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let body = c
            .get(format!("{}/customers/{customer}", srv.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("data-testid=\"pm-plan\""), "{body}");
        let panel = c
            .get(format!("{}/tickets/{tk}/charges", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(panel.status(), StatusCode::OK);
        let panel = panel.text().await.unwrap();
        assert!(
            panel.contains("data-testid=\"charge-line\"") && panel.contains("¥180.00"),
            "{panel}"
        );
        for path in [
            "/charges".to_owned(),
            "/import".to_owned(),
            "/admin/webhooks".to_owned(),
            format!("/admin/webhooks/{hook}"),
            "/parts".to_owned(),
            "/kb".to_owned(),
            "/kb/new".to_owned(),
            format!("/kb/{article}"),
            "/help".to_owned(),
            format!("/help/articles/{article}"),
            "/admin/channels?flash=saved".to_owned(),
            "/tickets?queue=all".to_owned(),
            "/tickets?queue=mine&sort=oldest".to_owned(),
            "/tickets?queue=sla_warning".to_owned(),
            format!("/tickets/{tk}"),
            "/tickets/new".to_owned(),
            "/customers".to_owned(),
            format!("/customers/{customer}"),
            "/customers/new".to_owned(),
            format!("/customers/{customer}/edit"),
            "/approvals".to_owned(),
            "/chat".to_owned(),
            "/me".to_owned(),
            "/admin".to_owned(),
            "/admin/users".to_owned(),
            "/admin/teams".to_owned(),
            "/admin/types".to_owned(),
            "/admin/workflow".to_owned(),
            "/admin/sla".to_owned(),
            "/admin/routing".to_owned(),
            "/admin/canned".to_owned(),
            "/admin/channels".to_owned(),
            "/admin/tokens".to_owned(),
            "/admin/search".to_owned(),
            "/search".to_owned(),
            "/search?q=%E6%89%93%E5%8D%B0%E6%9C%BA&kind=ticket&from=2024-01-01&to=2030-12-31"
                .to_owned(),
            "/search?q=%E6%89%93%E5%8D%B0%E6%9C%BA&offset=1".to_owned(),
        ] {
            page(&c, &srv, &path).await;
        }
        // Logged out: the login pages.
        let anon = reqwest::Client::new();
        page(&anon, &srv, "/login").await;
        page(&anon, &srv, "/portal/login?lang=en").await;
        page(&anon, &srv, "/chat/embed?locale=en").await;
        page(&anon, &srv, "/chat/embed").await;
        // A portal user of the ticket's customer.
        let portal = srv
            .user("customer", Some(uuid::Uuid::parse_str(&customer).unwrap()))
            .await;
        let p = session(&srv, &portal.email).await;
        for path in [
            "/portal".to_owned(),
            "/portal/tickets/new".to_owned(),
            format!("/portal/tickets/{tk}"),
            "/me".to_owned(),
        ] {
            page(&p, &srv, &path).await;
        }
        srv.stop();
        db.cleanup().await;
    }
}
