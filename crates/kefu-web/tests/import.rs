//! Asset import over HTTP on both databases: a multipart CSV with a mapping; bad rows are a
//! 422 problem document naming `file:row` and the field; a dry run reports without writing;
//! a broken mapping or a missing file is a field error.

mod common;

use common::{Server, assert_field, ok_json, problem};
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
        srv.stop();
        db.cleanup().await;
    }
}
