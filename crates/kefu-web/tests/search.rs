//! Search through the API on both databases: tickets become searchable once the indexer has
//! followed the outbox (subject, messages, customer, serial and order numbers), Chinese words
//! and exact codes, staff filters; a portal user finds only their company's tickets and never
//! by an internal note; a new index is built from the database; bad input is a field error.

mod common;

use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::entity::{outbox_message, ticket};
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn find(srv: &Server, token: &str, query: &str) -> Value {
    ok_json(
        srv.client
            .get(search_url(srv, &[("q", query)]))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await
}

fn search_url(srv: &Server, params: &[(&str, &str)]) -> String {
    format!(
        "{}?{}",
        srv.url("/search"),
        serde_urlencoded::to_string(params).unwrap()
    )
}

fn hit_ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_are_searchable_with_rights() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        // A ticket that exists before the index does: the first pass builds the index.
        let early = srv
            .ticket(
                &srv.admin,
                json!({"subject": "空调不制冷", "description": "机房空调不制冷"}),
            )
            .await;
        let r = kefu_app::search::index_pending(&srv.app, 100)
            .await
            .unwrap();
        assert!(r.rebuilt);
        let found = find(&srv, &srv.admin, "空调").await;
        assert_eq!(hit_ids(&found), [format!("ticket:{}", id_of(&early))]);

        let acme = srv.customer("精工机械").await;
        let globex = srv.customer("华南食品").await;
        let asset = ok_json(
            srv.post(
                &srv.admin,
                &format!("/customers/{acme}/assets"),
                &json!({"product_name": "激光打印机 M7400", "serial_number": "SN-8842X"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let order = ok_json(
            srv.post(
                &srv.admin,
                &format!("/customers/{globex}/orders"),
                &json!({"order_no": "SO2026110501", "order_date": "2026-11-05", "lines": []}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let jam = srv
            .ticket(
                &srv.admin,
                json!({"subject": "打印机卡纸", "description": "打印机频繁卡纸，请派工程师。",
                       "customer_id": acme, "asset_id": id_of(&asset)}),
            )
            .await;
        let bill = srv
            .ticket(
                &srv.admin,
                json!({"subject": "发票抬头错误", "description": "请重开发票。",
                       "customer_id": globex, "order_id": id_of(&order)}),
            )
            .await;
        let jam_id = format!("ticket:{}", id_of(&jam));
        let bill_id = format!("ticket:{}", id_of(&bill));
        ok_json(
            srv.post(
                &srv.admin,
                &format!("/tickets/{}/replies", id_of(&jam)),
                &json!({"body": "已安排更换定影组件。"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        ok_json(
            srv.post(
                &srv.admin,
                &format!("/tickets/{}/notes", id_of(&bill)),
                &json!({"body": "内部：客户信用额度超限"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        // Not indexed yet: the indexer has not run.
        assert!(hit_ids(&find(&srv, &srv.admin, "卡纸").await).is_empty());
        let r = kefu_app::search::index_pending(&srv.app, 100)
            .await
            .unwrap();
        assert!(!r.rebuilt && r.tickets >= 2, "{r:?}");

        let staff = |q: &'static str| find(&srv, &srv.admin, q);
        assert_eq!(hit_ids(&staff("卡纸").await), [jam_id.as_str()]);
        assert_eq!(
            hit_ids(&staff("定影").await),
            [jam_id.as_str()],
            "a reply is searchable"
        );
        assert_eq!(hit_ids(&staff("SN-8842X").await), [jam_id.as_str()]);
        assert_eq!(hit_ids(&staff("sn:SN-8842X").await), [jam_id.as_str()]);
        assert_eq!(hit_ids(&staff("SO2026110501").await), [bill_id.as_str()]);
        assert_eq!(
            hit_ids(&staff("华南食品").await),
            [bill_id.as_str()],
            "by customer name"
        );
        assert_eq!(
            hit_ids(&staff("信用额度").await),
            [bill_id.as_str()],
            "staff find notes"
        );
        let number = jam["number"].as_str().unwrap();
        assert_eq!(
            hit_ids(&staff_number(&srv, number).await),
            [jam_id.as_str()]
        );
        let hit = &staff("卡纸").await["hits"][0];
        assert!(
            hit["snippet"].as_str().unwrap().contains("<b>卡纸</b>"),
            "{hit}"
        );
        // Staff filters.
        let filtered = ok_json(
            srv.client
                .get(search_url(
                    &srv,
                    &[("q", "卡纸 OR 发票"), ("customer_id", &globex.to_string())],
                ))
                .bearer_auth(&srv.admin)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(hit_ids(&filtered), [bill_id.as_str()]);

        // A portal user of globex: their ticket, not acme's, and not by the internal note.
        let portal = srv.user("customer", Some(globex)).await;
        assert_eq!(
            hit_ids(&find(&srv, &portal.token, "发票").await),
            [bill_id.as_str()]
        );
        assert!(hit_ids(&find(&srv, &portal.token, "卡纸").await).is_empty());
        assert!(hit_ids(&find(&srv, &portal.token, "SN-8842X").await).is_empty());
        assert!(hit_ids(&find(&srv, &portal.token, "信用额度").await).is_empty());

        // A changed subject is searchable after the next pass; the old one is gone.
        ok_json(
            srv.patch(
                &srv.admin,
                &format!("/tickets/{}", id_of(&jam)),
                &json!({"subject": "打印机进纸器损坏"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        kefu_app::search::index_pending(&srv.app, 100)
            .await
            .unwrap();
        assert_eq!(hit_ids(&staff("进纸器").await), [jam_id.as_str()]);

        // Rows already indexed are not indexed again on the next pass, yet a row that commits
        // late, below one already indexed (its transaction took its id first), is picked up.
        let announce = |id: uuid::Uuid, ticket: uuid::Uuid| outbox_message::ActiveModel {
            id: Set(id),
            topic: Set("ticket.updated".into()),
            aggregate_id: Set(Some(ticket)),
            payload: Set(json!({})),
            created_at: Set(chrono::Utc::now()),
            processed_at: Set(None),
        };
        let newer = uuid::Uuid::now_v7();
        outbox_message::Entity::insert(announce(newer, id_of(&jam)))
            .exec_without_returning(srv.app.store.conn())
            .await
            .unwrap();
        let r = kefu_app::search::index_pending(&srv.app, 100)
            .await
            .unwrap();
        assert_eq!((r.events, r.tickets), (1, 1), "{r:?}");
        let r = kefu_app::search::index_pending(&srv.app, 100)
            .await
            .unwrap();
        assert_eq!(
            (r.events, r.tickets),
            (0, 0),
            "nothing indexed twice: {r:?}"
        );
        ticket::Entity::update_many()
            .col_expr(ticket::Column::Subject, Expr::value("发票抬头错误需重开"))
            .filter(ticket::Column::Id.eq(id_of(&bill)))
            .exec(srv.app.store.conn())
            .await
            .unwrap();
        let late = uuid::Uuid::from_u128(newer.as_u128() - 1);
        outbox_message::Entity::insert(announce(late, id_of(&bill)))
            .exec_without_returning(srv.app.store.conn())
            .await
            .unwrap();
        let r = kefu_app::search::index_pending(&srv.app, 100)
            .await
            .unwrap();
        assert_eq!((r.events, r.tickets), (0, 1), "{r:?}");
        assert_eq!(hit_ids(&staff("抬头").await), [bill_id.as_str()]);

        // A rebuild finds the same.
        let n = kefu_app::search::rebuild(&srv.app, &|_, _| {})
            .await
            .unwrap();
        assert_eq!(n, 3);
        assert_eq!(hit_ids(&staff("进纸器").await), [jam_id.as_str()]);

        let p = problem(
            srv.client
                .get(search_url(&srv, &[("q", "  ")]))
                .bearer_auth(&srv.admin)
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "q", "invalid");
        srv.stop();
        db.cleanup().await;
    }
}

async fn staff_number(srv: &Server, number: &str) -> Value {
    find(srv, &srv.admin, number).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_dictionary_takes_effect_after_a_rebuild() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let name = "凯撒定影辊";
        let t = srv
            .ticket(
                &srv.admin,
                json!({"subject": "更换凯撒定影辊", "description": "凯撒定影辊磨损，打印有重影"}),
            )
            .await;
        kefu_app::search::index_pending(&srv.app, 100)
            .await
            .unwrap();

        // Agents may not touch the dictionary.
        let agent = srv.user("agent", None).await;
        let res = srv
            .get(&agent.token, "/search/dictionary")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // A bad line is named, nothing is saved.
        let put = |words: Value| {
            srv.client
                .put(srv.url("/search/dictionary"))
                .bearer_auth(&srv.admin)
                .json(&json!({ "words": words }))
        };
        let p = problem(
            put(json!([name, "主控 板"])).send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "words[1]", "whitespace");
        let state = ok_json(
            srv.get(&srv.admin, "/search/dictionary")
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(state["words"], json!([]));
        assert_eq!(state["in_effect"], true);

        let state = ok_json(
            put(json!([format!(" {name} "), "", name]))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(state["words"], json!([name]));
        assert_eq!(state["in_effect"], false, "saved, not yet rebuilt");
        let hit = &find(&srv, &srv.admin, name).await["hits"][0];
        assert!(
            !hit["snippet"]
                .as_str()
                .unwrap()
                .contains(&format!("<b>{name}</b>")),
            "the old index still cuts the name apart: {hit}"
        );

        let started = ok_json(
            srv.post(&srv.admin, "/search/rebuild", &json!({}))
                .send()
                .await
                .unwrap(),
            StatusCode::ACCEPTED,
        )
        .await;
        assert_eq!(started["running"], true);
        let mut state = Value::Null;
        for _ in 0..200 {
            state = ok_json(
                srv.get(&srv.admin, "/search/dictionary")
                    .send()
                    .await
                    .unwrap(),
                StatusCode::OK,
            )
            .await;
            if state["rebuild"]["running"] == false {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(state["rebuild"]["running"], false, "{state}");
        assert_eq!(state["rebuild"]["error"], Value::Null, "{state}");
        assert_eq!(state["rebuild"]["done"], 1);
        assert_eq!(state["in_effect"], true);
        assert_eq!(state["documents"], 1);
        let found = find(&srv, &srv.admin, name).await;
        assert_eq!(hit_ids(&found), [format!("ticket:{}", id_of(&t))]);
        let snippet = found["hits"][0]["snippet"].as_str().unwrap();
        assert!(snippet.contains(&format!("<b>{name}</b>")), "{snippet}");
        srv.stop();
        db.cleanup().await;
    }
}
