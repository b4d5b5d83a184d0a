//! The knowledge base through HTTP on both databases: anonymous readers get public articles
//! only (others are 404), writing needs `kb.manage`, stale saves are 409, votes keep one per
//! browser cookie, a bad import is 422 naming file:line and writes nothing, the help center
//! renders sanitized Markdown, suggestions and the bot answer from public articles.

mod common;

use common::{Server, assert_field, id_of, ok_json, problem};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowledge_base_over_http() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let agent = srv.user("agent", None).await;
        let anon = reqwest::Client::new();

        // Agents may not write; admins may.
        problem(
            srv.post(&agent.token, "/kb/articles", &json!({"title": "x"}))
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let bad = problem(
            srv.post(
                &srv.admin,
                "/kb/articles",
                &json!({"title": "", "state": "published"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&bad, "state", "invalid");
        assert_field(&bad, "title", "required");
        let public = ok_json(
            srv.post(
                &srv.admin,
                "/kb/articles",
                &json!({"title": "打印机卡纸怎么办", "state": "public", "tags": ["卡纸"],
                    "body": "关闭电源，打开前盖，取出卡住的纸张。\n\n<script>alert(1)</script>**注意**定影组件很烫。"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let internal = ok_json(
            srv.post(
                &srv.admin,
                "/kb/articles",
                &json!({"title": "退款审批内部流程", "state": "internal", "body": "五万元以上需财务审批。"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let (pid, iid) = (id_of(&public), id_of(&internal));

        // Anonymous readers: public only; internal is 404, not 403.
        let list = ok_json(
            anon.get(srv.url("/kb/articles")).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(list["total"], 1);
        problem(
            anon.get(srv.url(&format!("/kb/articles/{iid}")))
                .send()
                .await
                .unwrap(),
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        let staff_list = ok_json(
            srv.get(&agent.token, "/kb/articles").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(staff_list["total"], 2);

        // A stale save is 409; If-Match works.
        let put = |version: i32| {
            srv.client
                .put(srv.url(&format!("/kb/articles/{pid}")))
                .bearer_auth(&srv.admin)
                .header("If-Match", format!("\"{version}\""))
                .json(
                    &json!({"title": "打印机卡纸怎么办", "state": "public", "tags": ["卡纸"],
                    "body": "关闭电源，打开前盖，慢慢取出卡住的纸张。\n\n**注意**定影组件很烫。"}),
                )
        };
        let v2 = ok_json(put(1).send().await.unwrap(), StatusCode::OK).await;
        assert_eq!(v2["version"], 2);
        problem(
            put(1).send().await.unwrap(),
            StatusCode::CONFLICT,
            "stale_version",
        )
        .await;
        let versions = ok_json(
            srv.get(&agent.token, &format!("/kb/articles/{pid}/versions"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(versions[0]["changed"], json!(["body"]));

        // Votes: the browser cookie keeps one vote per reader.
        let jar = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let vote = |helpful: bool| {
            jar.post(srv.url(&format!("/kb/articles/{pid}/feedback")))
                .json(&json!({"helpful": helpful}))
        };
        let first = vote(true).send().await.unwrap();
        assert!(
            first
                .headers()
                .get("set-cookie")
                .is_some_and(|c| c.to_str().unwrap().starts_with("kefu_voter="))
        );
        ok_json(first, StatusCode::OK).await;
        let second = ok_json(vote(false).send().await.unwrap(), StatusCode::OK).await;
        assert_eq!(
            (second["helpful_yes"].clone(), second["helpful_no"].clone()),
            (json!(0), json!(1))
        );

        // Import: one bad file and nothing is written; file:line named.
        let before = ok_json(
            srv.get(&srv.admin, "/kb/articles").send().await.unwrap(),
            StatusCode::OK,
        )
        .await["total"]
            .clone();
        let form = Form::new()
            .part(
                "files",
                Part::bytes("# 好文章\n\n正文".as_bytes().to_vec()).file_name("good.md"),
            )
            .part(
                "files",
                Part::bytes(
                    "---\ntitle: 坏\nstate: secret\n---\n正文"
                        .as_bytes()
                        .to_vec(),
                )
                .file_name("bad.md"),
            );
        let p = problem(
            srv.client
                .post(srv.url("/kb/import"))
                .bearer_auth(&srv.admin)
                .multipart(form)
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "bad.md:3", "state");
        let after = ok_json(
            srv.get(&srv.admin, "/kb/articles").send().await.unwrap(),
            StatusCode::OK,
        )
        .await["total"]
            .clone();
        assert_eq!(before, after);
        let export = srv.get(&srv.admin, "/kb/export").send().await.unwrap();
        assert_eq!(export.status(), StatusCode::OK);
        assert_eq!(export.headers()["content-type"], "application/zip");
        assert!(export.bytes().await.unwrap().starts_with(b"PK"));
        let xlsx = srv
            .get(&srv.admin, "/kb/export?format=xlsx")
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert_eq!(
            xlsx.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let rows = kefu_app::sheets::read_xlsx(xlsx.bytes().await.unwrap().to_vec()).unwrap();
        assert!(
            rows.iter()
                .any(|r| r.contains(&"打印机卡纸怎么办".to_owned()))
        );
        let p = problem(
            srv.get(&srv.admin, "/kb/export?format=pdf")
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "format", "invalid");

        // Files: an image of a public article is shown inline to anyone; a file of an internal
        // article is not found for anonymous readers; agents may not upload.
        let upload = |token: &str, article: uuid::Uuid, name: &str, ct: &str| {
            srv.client
                .post(srv.url(&format!("/kb/articles/{article}/files")))
                .bearer_auth(token)
                .multipart(
                    Form::new().part(
                        "file",
                        Part::bytes(b"\x89PNG\r\n\x1a\nfake".to_vec())
                            .file_name(name.to_owned())
                            .mime_str(ct)
                            .unwrap(),
                    ),
                )
        };
        problem(
            upload(&agent.token, pid, "a.png", "image/png")
                .send()
                .await
                .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let img = ok_json(
            upload(&srv.admin, pid, "卡纸.png", "image/png")
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let shown = anon
            .get(format!("{}{}", srv.base, img["url"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(shown.status(), StatusCode::OK);
        assert!(
            shown.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("inline")
        );
        let secret = ok_json(
            upload(&srv.admin, iid, "flow.html", "text/html")
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let hidden_file = anon
            .get(format!("{}{}", srv.base, secret["url"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(hidden_file.status(), StatusCode::NOT_FOUND);
        let as_staff = srv
            .client
            .get(format!("{}{}", srv.base, secret["url"].as_str().unwrap()))
            .bearer_auth(&agent.token)
            .send()
            .await
            .unwrap();
        assert_eq!(as_staff.status(), StatusCode::OK);
        // HTML is never shown inline on our origin.
        assert!(
            as_staff.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );

        // The help center: sanitized Markdown for everyone; internal articles are 404.
        let page = anon
            .get(format!("{}/help/articles/{pid}", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("<strong>注意</strong>"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
        let hidden = anon
            .get(format!("{}/help/articles/{iid}", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND);

        // Suggestions and the bot read the index.
        kefu_app::search::index_pending(&srv.app, 1000)
            .await
            .unwrap();
        let sg = ok_json(
            anon.get(format!("{}?q=打印机卡纸了", srv.url("/kb/suggest")))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(sg[0]["id"], public["id"]);
        let none = ok_json(
            anon.get(format!("{}?q=退款审批", srv.url("/kb/suggest")))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(none, json!([]));
        let answer = ok_json(
            anon.post(srv.url("/bot/ask"))
                .json(&json!({"question": "打印机卡纸怎么取出纸张"}))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(answer["decision"], "answer", "{answer}");
        assert_eq!(answer["article"]["id"], public["id"]);
        let empty = problem(
            anon.post(srv.url("/bot/ask"))
                .json(&json!({"question": " "}))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&empty, "question", "invalid");
        let t = srv
            .ticket(
                &srv.admin,
                json!({"subject": "打印机卡纸", "description": "又卡纸了"}),
            )
            .await;
        kefu_app::search::index_pending(&srv.app, 1000)
            .await
            .unwrap();
        let s = ok_json(
            srv.get(&agent.token, &format!("/tickets/{}/suggestions", id_of(&t)))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let titles: Vec<&str> = s["articles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["打印机卡纸怎么办"]);
        srv.stop();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_bot_answers_first_and_hands_over_with_context() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let chat = |p: &str| format!("{}/chat/api{p}", srv.base);
        let agent = srv.user("agent", None).await;
        let anon = reqwest::Client::new();
        ok_json(
            srv.post(
                &srv.admin,
                "/kb/articles",
                &json!({"title": "打印机卡纸怎么办", "state": "public",
                    "body": "关闭电源，打开前盖，取出卡住的纸张。\n\n定影组件很烫，请等待冷却。"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        kefu_app::search::index_pending(&srv.app, 1000)
            .await
            .unwrap();
        let settings = json!({"enabled": true, "hours_only": false, "title": "在线客服",
            "greeting": "您好", "allowed_origins": [], "bot_first": true});
        ok_json(
            srv.client
                .put(srv.url("/chat/settings"))
                .bearer_auth(&srv.admin)
                .json(&settings)
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        ok_json(
            srv.client
                .put(srv.url("/chats/presence"))
                .bearer_auth(&agent.token)
                .json(&json!({"available": true}))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let offer = ok_json(
            anon.get(chat("/offer")).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(offer["offer"], "chat");
        assert_eq!(offer["bot"], true);

        // The bot answers; the visitor still wants a person: the chat starts with the answer
        // linked and a line telling the agent what the bot offered.
        let question = "打印机卡纸了怎么取出纸张";
        let answer = ok_json(
            anon.post(srv.url("/bot/ask"))
                .json(&json!({"question": question, "channel": "chat"}))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(answer["decision"], "answer", "{answer}");
        let answer_id = answer["answer_id"].as_str().unwrap().to_owned();
        let res = anon
            .post(srv.url(&format!("/bot/answers/{answer_id}/rating")))
            .json(&json!({"helpful": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let started = ok_json(
            anon.post(chat("/sessions"))
                .json(&json!({"message": question, "bot_answer_id": answer_id}))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let chat_id = started["session_id"].as_str().unwrap().to_owned();
        let lines = ok_json(
            srv.get(&agent.token, &format!("/chats/{chat_id}/messages"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let bodies: Vec<String> = lines
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                format!(
                    "{}:{}",
                    l["sender"].as_str().unwrap(),
                    l["body"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(bodies.len(), 2, "{bodies:?}");
        assert_eq!(bodies[0], format!("visitor:{question}"));
        assert!(
            bodies[1].starts_with("system:") && bodies[1].contains("打印机卡纸怎么办"),
            "{bodies:?}"
        );
        // The same answer cannot be linked to a second chat.
        let again = ok_json(
            anon.post(chat("/sessions"))
                .json(&json!({"message": "还是不行", "bot_answer_id": answer_id}))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let lines = ok_json(
            srv.get(
                &agent.token,
                &format!("/chats/{}/messages", again["session_id"].as_str().unwrap()),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(lines.as_array().unwrap().len(), 1, "{lines}");
        srv.stop();
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_bot_and_suggestions_are_rate_limited_per_address() {
    let db = TestDb::sqlite().await;
    let srv = Server::start(&db).await;
    let anon = reqwest::Client::new();
    let url = format!("{}?q=打印机", srv.url("/kb/suggest"));
    for i in 0..kefu_app::kb::PUBLIC_REQUESTS {
        let res = anon.get(&url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "request {i}");
    }
    let res = anon
        .post(srv.url("/bot/ask"))
        .json(&json!({"question": "打印机卡纸"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    // Signed-in callers are not counted against the address.
    let res = srv
        .get(&srv.admin, "/kb/suggest?q=%E6%89%93%E5%8D%B0%E6%9C%BA")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    srv.stop();
    db.cleanup().await;
}
