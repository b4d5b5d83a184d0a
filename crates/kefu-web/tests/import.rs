//! Asset import over HTTP on both databases: a multipart CSV with a mapping; bad rows are a
//! 422 problem document naming `file:row` and the field; a dry run reports without writing;
//! a broken mapping or a missing file is a field error. Exports: assets as CSV (BOM) read
//! back by the import as updates; tickets as XLSX through the API and from the queue page.

mod common;

use common::{Server, assert_field, ok_json, problem, session};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

fn form(name: &str, text: &str, mapping: Option<&str>) -> Form {
    let f = Form::new().part(
        "file",
        Part::bytes(text.as_bytes().to_vec()).file_name(name.to_owned()),
    );
    match mapping {
        Some(m) => f.text("mapping", m.to_owned()),
        None => f,
    }
}

async fn ok_json_bytes(r: reqwest::Response) -> Vec<u8> {
    let status = r.status();
    let body = r.bytes().await.unwrap().to_vec();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asset_import_over_http() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        ok_json(
            srv.post(
                &srv.admin,
                "/customers",
                &json!({"name": "精工机械", "code": "C001"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let customers = ok_json(
            srv.client
                .post(srv.url("/import/customers"))
                .bearer_auth(&srv.admin)
                .multipart(form(
                    "客户.csv",
                    "客户编码,客户名称,等级\nC002,华南食品,VIP\n",
                    None,
                ))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(customers["created"], 1);
        let url = |q: &str| srv.url(&format!("/import/assets{q}"));
        let bad = "Kunde,SN,Modell\nC001,SN-1,M7400\nC404,SN-2,M7400\n";
        let mapping = r#"{"Kunde":"customer","SN":"serial_number","Modell":"product_name"}"#;
        let p = problem(
            srv.client
                .post(url(""))
                .bearer_auth(&srv.admin)
                .multipart(form("anlagen.csv", bad, Some(mapping)))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "anlagen.csv:3", "customer");
        let good = "Kunde,SN,Modell\nC001,SN-1,M7400\nC001,SN-2,M7400\n";
        let dry = ok_json(
            srv.client
                .post(url("?dry_run=true"))
                .bearer_auth(&srv.admin)
                .multipart(form("anlagen.csv", good, Some(mapping)))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(dry["created"], 2);
        assert_eq!(dry["dry_run"], true);
        let done = ok_json(
            srv.client
                .post(url(""))
                .bearer_auth(&srv.admin)
                .multipart(form("anlagen.csv", good, Some(mapping)))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (done["created"].as_u64(), done["dry_run"].as_bool()),
            (Some(2), Some(false))
        );
        let p = problem(
            srv.client
                .post(url(""))
                .bearer_auth(&srv.admin)
                .multipart(form("anlagen.csv", good, Some("not json")))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "mapping", "invalid");
        let p = problem(
            srv.client
                .post(url(""))
                .bearer_auth(&srv.admin)
                .multipart(Form::new().text("mapping", "{}"))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "file", "required");

        // Assets out as CSV (UTF-8 with BOM for Excel) and back in: the same serials, updated.
        let csv = srv
            .get(&srv.admin, "/export/assets?format=csv")
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(
            csv.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let bytes = csv.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xef\xbb\xbf"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.contains("C001,SN-1,M7400"), "{text}");
        let back = ok_json(
            srv.client
                .post(url(""))
                .bearer_auth(&srv.admin)
                .multipart(form("assets.csv", &text, None))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (back["created"].as_u64(), back["updated"].as_u64()),
            (Some(0), Some(2))
        );

        // Tickets as XLSX, through the API and from the queue page's filters.
        srv.ticket(&srv.admin, json!({"subject": "=1+1 公式注入"}))
            .await;
        srv.ticket(&srv.admin, json!({"subject": "主轴异响", "priority": "P1"}))
            .await;
        let x = srv
            .get(&srv.admin, "/export/tickets?priority=P1&format=xlsx")
            .send()
            .await
            .unwrap();
        let x = ok_json_bytes(x).await;
        let rows = kefu_app::sheets::read_xlsx(x).unwrap();
        assert_eq!(rows.len(), 2, "header + the one P1 ticket: {rows:?}");
        assert_eq!(rows[1][1], "主轴异响");
        let admin = srv.user("admin", None).await;
        let c = session(&srv, &admin.email).await;
        let page = c
            .get(format!("{}/tickets/export?queue=all&format=csv", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let text = page.text().await.unwrap();
        assert!(
            text.contains("'=1+1 公式注入"),
            "a formula is written as text: {text}"
        );
        // Customers out and back in: the same codes, updated.
        let cs = srv
            .get(&srv.admin, "/export/customers?format=csv")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let text = String::from_utf8(cs[3..].to_vec()).unwrap();
        assert!(text.contains("C002,华南食品,company,vip"), "{text}");
        let again = ok_json(
            srv.client
                .post(srv.url("/import/customers"))
                .bearer_auth(&srv.admin)
                .multipart(form("customers.csv", &text, None))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (again["created"].as_u64(), again["updated"].as_u64()),
            (Some(0), Some(2))
        );
        let prs = srv
            .get(&srv.admin, "/export/purchase-requests?format=xlsx")
            .send()
            .await
            .unwrap();
        assert_eq!(prs.status(), StatusCode::OK);
        problem(
            srv.get(&srv.admin, "/export/nothing?format=csv")
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        problem(
            srv.get(&srv.admin, "/export/stock?format=pdf")
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        srv.stop();
        db.cleanup().await;
    }
}
