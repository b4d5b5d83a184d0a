//! Products and maintenance plans over HTTP on both databases: a product is added (201) and
//! updated by its code (200) with its service BOM replaced; a BOM naming an unknown part is a
//! field error and writes nothing; only `parts.manage` writes products; plans are checked,
//! placed on the business calendar, listed per asset and paused; customers see none of it.

mod common;

use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_and_maintenance_plans() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let company = srv.customer("苏州精密").await;
        let portal = srv.user("customer", Some(company)).await;
        for code in ["BLT-1", "BRG-2"] {
            ok_json(
                srv.post(&srv.admin, "/parts", &json!({"code": code, "name": code}))
                    .send()
                    .await
                    .unwrap(),
                StatusCode::CREATED,
            )
            .await;
        }
        let body = |bom: serde_json::Value| {
            json!({"code": "CNC-5", "name": "CNC-5 加工中心", "category": "机床",
                "warranty_months": 18, "bom": bom})
        };
        let res = srv
            .post(&agent.token, "/products", &body(json!([])))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let p = ok_json(
            srv.post(
                &srv.admin,
                "/products",
                &body(json!([{"part_code": "BLT-1", "quantity": 2}])),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let again = ok_json(
            srv.post(
                &srv.admin,
                "/products",
                &body(json!([{"part_code": "BRG-2", "quantity": 4, "note": "主轴"}])),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(again["id"], p["id"]);
        assert_eq!(again["bom"].as_array().unwrap().len(), 1);
        assert_eq!(again["bom"][0]["part_code"], "BRG-2");
        let bad = problem(
            srv.post(
                &srv.admin,
                "/products",
                &body(json!([{"part_code": "BRG-2", "quantity": 1}, {"part_code": "NOPE", "quantity": 1}])),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&bad, "bom[1].part_id", "not_found");
        let list = ok_json(
            srv.get(&agent.token, "/products").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            list[0]["bom"][0]["quantity"], 4,
            "the failed save changed nothing"
        );

        let asset = ok_json(
            srv.post(
                &srv.admin,
                &format!("/customers/{company}/assets"),
                &json!({"product_name": "CNC-5 加工中心", "serial_number": "CNC5-001"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let aid = id_of(&asset);
        let bad = problem(
            srv.post(
                &agent.token,
                &format!("/assets/{aid}/maintenance-plans"),
                &json!({"name": "年度保养", "interval_months": 0, "next_due": "2026-10-01", "lead_days": 99}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&bad, "interval_months", "invalid");
        assert_field(&bad, "lead_days", "invalid");
        // Due on the Labour Day holiday (1–5 May 2026): the visit is the first working day
        // after it, and its ticket opens two working days before that, across the holiday.
        let plan = ok_json(
            srv.post(
                &agent.token,
                &format!("/assets/{aid}/maintenance-plans"),
                &json!({"name": "年度保养", "interval_months": 12, "next_due": "2026-05-01", "lead_days": 2}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(plan["next_visit"], "2026-05-06");
        assert_eq!(plan["opens_on"], "2026-04-29");
        let pid = id_of(&plan);
        let paused = ok_json(
            srv.client
                .put(srv.url(&format!("/maintenance-plans/{pid}")))
                .bearer_auth(&agent.token)
                .json(&json!({"name": "年度保养", "interval_months": 6, "next_due": "2027-05-03", "active": false}))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(paused["active"], false);
        assert_eq!(paused["interval_months"], 6);
        let of_asset = ok_json(
            srv.get(&agent.token, &format!("/assets/{aid}/maintenance-plans"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(of_asset.as_array().unwrap().len(), 1);
        for path in [
            "/products".to_owned(),
            format!("/assets/{aid}/maintenance-plans"),
        ] {
            let res = srv.get(&portal.token, &path).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        }
        srv.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erp_upserts_by_its_own_keys() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let put = |token: &str, path: &str, body: serde_json::Value| {
            srv.client
                .put(srv.url(path))
                .bearer_auth(token.to_owned())
                .json(&body)
        };
        // Customer by code: created, then updated (tier changed, phone kept).
        let c = ok_json(
            put(
                &srv.admin,
                "/customers/by-code/ERP-C1",
                json!({"name": "东方重工", "phone": "021-1234"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let c2 = ok_json(
            put(
                &srv.admin,
                "/customers/by-code/ERP-C1",
                json!({"name": "东方重工集团", "tier": "vip"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(c2["id"], c["id"]);
        assert_eq!(
            (c2["tier"].as_str(), c2["phone"].as_str()),
            (Some("vip"), Some("021-1234"))
        );
        problem(
            put(
                &srv.admin,
                "/customers/by-code/ERP-C1",
                json!({"name": "x", "code": "OTHER"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        // Product by code (POST upserts), then an asset by serial naming both by code.
        ok_json(
            srv.post(
                &srv.admin,
                "/products",
                &json!({"code": "GT-3", "name": "GT-3 燃气轮机"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let a = ok_json(
            put(&agent.token, "/assets/by-serial/GT3-0001", json!({"customer_code": "ERP-C1", "product_code": "GT-3", "warranty_end": "2099-01-01"}))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(a["product_name"], "GT-3 燃气轮机");
        assert_eq!(a["entitlement"], "in_warranty");
        let a2 = ok_json(
            put(&agent.token, "/assets/by-serial/GT3-0001", json!({"customer_code": "ERP-C1", "warranty_end": "2020-01-01", "contract_end": "2099-01-01"}))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(a2["id"], a["id"]);
        assert_eq!(a2["entitlement"], "in_contract");
        let p = problem(
            put(
                &agent.token,
                "/assets/by-serial/GT3-0002",
                json!({"customer_code": "NOPE", "product_name": "x"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "customer_code", "not_found");
        // Part by code.
        let part = ok_json(
            put(
                &srv.admin,
                "/parts/by-code/BRG-9",
                json!({"code": "BRG-9", "name": "轴承", "unit_price_cents": 1500}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let part2 = ok_json(
            put(
                &srv.admin,
                "/parts/by-code/BRG-9",
                json!({"code": "BRG-9", "name": "主轴轴承", "unit_price_cents": 1800}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(part2["id"], part["id"]);
        assert_eq!(part2["unit_price_cents"], 1800);
        let res = put(
            &agent.token,
            "/parts/by-code/BRG-9",
            json!({"code": "BRG-9", "name": "x", "unit_price_cents": 1}),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        srv.stop();
    }
}
