//! Web chat over HTTP and WebSockets on both databases: the widget settings (validated), the
//! offer, a message left when nobody is there, a live chat between a visitor's WebSocket and an
//! agent (REST and console WebSocket), who may take and write in a chat, the transcript filed
//! as a resolved ticket, the frame's embedding policy, and the console's Origin check.

mod common;

use std::time::Duration;

use common::{Server, assert_field, id_of, ok_json, problem};
use futures_util::{SinkExt, StreamExt};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(srv: &Server, path: &str, headers: &[(&str, String)]) -> Result<Ws, WsError> {
    let url = format!("{}{path}", srv.base.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    for (k, v) in headers {
        let name = tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes())
            .expect("header name");
        req.headers_mut()
            .insert(name, v.parse().expect("header value"));
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

async fn say(ws: &mut Ws, frame: Value) {
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
}

/// Reads frames until one satisfies `pred` (15 s at most); returns it.
async fn until(ws: &mut Ws, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let wait = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap();
                    if pred(&v) {
                        return v;
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("connection ended while waiting for {what}: {other:?}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(15), wait)
        .await
        .unwrap_or_else(|_| panic!("no frame with {what} within 15 s"))
}

fn has_line(v: &Value, body: &str) -> bool {
    v["messages"]
        .as_array()
        .is_some_and(|m| m.iter().any(|l| l["body"] == body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_chat_end_to_end() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let chat = |p: &str| format!("{}/chat/api{p}", srv.base);
        let agent = srv.user("agent", None).await;
        let colleague = srv.user("agent", None).await;
        let company = srv.customer("精工机械").await;
        let portal = srv.user("customer", Some(company)).await;

        // Off by default: the widget says so and refuses chats.
        let offer = ok_json(
            srv.client.get(chat("/offer")).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(offer["offer"], "disabled");
        let opening = json!({"name": "王先生", "email": "wang@jinggong.example.cn",
            "message": "打印机卡纸 M7400", "page_url": "https://www.example.cn/m7400"});
        problem(
            srv.client
                .post(chat("/sessions"))
                .json(&opening)
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "chat_unavailable",
        )
        .await;

        // Settings: admins only, origins checked.
        let put = |token: &str, v: &Value| {
            srv.client
                .put(srv.url("/chat/settings"))
                .bearer_auth(token)
                .json(v)
        };
        let mut settings = json!({"enabled": true, "hours_only": false, "title": "在线客服",
            "greeting": "您好", "allowed_origins": ["www.example.cn"]});
        problem(
            put(&agent.token, &settings).send().await.unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let p = problem(
            put(&srv.admin, &settings).send().await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "allowed_origins[0]", "invalid");
        settings["allowed_origins"] = json!(["https://www.example.cn/"]);
        let saved = ok_json(
            put(&srv.admin, &settings).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(saved["allowed_origins"], json!(["https://www.example.cn"]));

        // The frame may be embedded by the allowed site only; the script is served.
        let embed = srv
            .client
            .get(format!(
                "{}/chat/embed?locale=en&page=https://www.example.cn/m7400",
                srv.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(embed.status(), StatusCode::OK);
        let csp = embed.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("frame-ancestors 'self' https://www.example.cn;"),
            "{csp}"
        );
        assert!(embed.headers().get("x-frame-options").is_none());
        let html = embed.text().await.unwrap();
        assert!(
            html.contains("data-page-url=\"https:") && html.contains("m7400"),
            "the frame knows the page it sits on"
        );
        let js = srv
            .client
            .get(format!("{}/chat/widget.js", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(js.status(), StatusCode::OK);
        assert!(
            js.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        // Other pages still refuse framing.
        let login = srv
            .client
            .get(format!("{}/login", srv.base))
            .send()
            .await
            .unwrap();
        assert_eq!(login.headers()["x-frame-options"], "DENY");

        // Nobody available: leave a message (a way to answer is required) → a ticket.
        let offer = ok_json(
            srv.client.get(chat("/offer")).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(offer["offer"], "no_agent");
        let p = problem(
            srv.client
                .post(chat("/leave"))
                .json(&json!({"name": "赵女士", "message": "请回电"}))
                .send()
                .await
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "email", "required");
        let left = ok_json(
            srv.client
                .post(chat("/leave"))
                .json(&json!({"name": "赵女士", "phone": "138 0013 8000", "message": "请回电，设备报错 E-204"}))
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let number = left["number"].as_str().unwrap();
        let t = ok_json(
            srv.get(&srv.admin, &format!("/tickets/by-number/{number}"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["channel"], "chat");
        assert_eq!(t["subject"], "请回电，设备报错 E-204");

        // Portal users are not agents.
        problem(
            srv.get(&portal.token, "/chats").send().await.unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        // The agent becomes available: live chat is offered.
        let pres = ok_json(
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
        assert_eq!(pres["available"], true);
        let offer = ok_json(
            srv.client.get(chat("/offer")).send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(offer["offer"], "chat");

        // The visitor starts a chat and connects.
        let started = ok_json(
            srv.client
                .post(chat("/sessions"))
                .json(&opening)
                .send()
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let token = started["token"].as_str().unwrap().to_owned();
        let chat_id = started["session_id"].as_str().unwrap().to_owned();
        let mut visitor = connect(&srv, "/chat/ws", &[]).await.unwrap();
        say(
            &mut visitor,
            json!({"type": "hello", "token": "0".repeat(64), "after": 0}),
        )
        .await;
        let err = until(&mut visitor, "an error", |v| v["type"] == "error").await;
        assert_eq!(err["code"], "not_found");
        let mut visitor = connect(&srv, "/chat/ws", &[]).await.unwrap();
        say(
            &mut visitor,
            json!({"type": "hello", "token": token, "after": 0}),
        )
        .await;
        let st = until(&mut visitor, "the waiting state", |v| v["type"] == "state").await;
        assert_eq!(st["status"], "waiting");
        assert!(has_line(&st, "打印机卡纸 M7400"));

        // The agent sees it waiting and takes it; a colleague is too late.
        let console = ok_json(
            srv.get(&agent.token, "/chats").send().await.unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(
            console["waiting"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == chat_id.as_str())
        );
        let taken = ok_json(
            srv.post(
                &agent.token,
                &format!("/chats/{chat_id}/accept"),
                &json!({}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(taken["status"], "active");
        problem(
            srv.post(
                &colleague.token,
                &format!("/chats/{chat_id}/accept"),
                &json!({}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CONFLICT,
            "chat_taken",
        )
        .await;
        problem(
            srv.post(
                &colleague.token,
                &format!("/chats/{chat_id}/messages"),
                &json!({"body": "我来"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let st = until(&mut visitor, "the agent joining", |v| {
            v["status"] == "active"
        })
        .await;
        assert_eq!(st["agent_name"], "测试 agent");

        // Agent (REST) → visitor (socket) → agent.
        ok_json(
            srv.post(
                &agent.token,
                &format!("/chats/{chat_id}/messages"),
                &json!({"body": "请问设备型号是什么？"}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::CREATED,
        )
        .await;
        let st = until(&mut visitor, "the agent's line", |v| {
            has_line(v, "请问设备型号是什么？")
        })
        .await;
        let line = st["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["body"] == "请问设备型号是什么？")
            .unwrap()
            .clone();
        assert_eq!(line["sender"], "agent");
        say(
            &mut visitor,
            json!({"type": "say", "body": "M7400，序列号 SN-8842X"}),
        )
        .await;
        until(&mut visitor, "the visitor's own line", |v| {
            has_line(v, "M7400，序列号 SN-8842X")
        })
        .await;
        let lines = ok_json(
            srv.get(&agent.token, &format!("/chats/{chat_id}/messages?after=0"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        let bodies: Vec<&str> = lines
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["body"].as_str().unwrap())
            .collect();
        assert_eq!(bodies.len(), 4, "{bodies:?}");
        assert_eq!(bodies[0], "打印机卡纸 M7400");
        assert_eq!(bodies[3], "M7400，序列号 SN-8842X");
        let p = problem(
            srv.post(
                &agent.token,
                &format!("/chats/{chat_id}/messages"),
                &json!({"body": "  "}),
            )
            .send()
            .await
            .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_field(&p, "body", "required");

        // The console socket: only from kefu's own pages.
        let bearer = ("authorization", format!("Bearer {}", agent.token));
        match connect(&srv, "/chat/agent/ws", std::slice::from_ref(&bearer)).await {
            Err(WsError::Http(r)) => assert_eq!(r.status(), 403),
            other => panic!("a console without Origin must be refused: {other:?}"),
        }
        match connect(
            &srv,
            "/chat/agent/ws",
            &[bearer.clone(), ("origin", "https://evil.example".into())],
        )
        .await
        {
            Err(WsError::Http(r)) => assert_eq!(r.status(), 403),
            other => panic!("a foreign Origin must be refused: {other:?}"),
        }
        match connect(
            &srv,
            "/chat/agent/ws",
            &[
                ("authorization", format!("Bearer {}", portal.token)),
                ("origin", srv.base.clone()),
            ],
        )
        .await
        {
            Err(WsError::Http(r)) => assert_eq!(r.status(), 403),
            other => panic!("a portal user has no console: {other:?}"),
        }
        let mut console = connect(
            &srv,
            "/chat/agent/ws",
            &[bearer, ("origin", srv.base.clone())],
        )
        .await
        .unwrap();
        let c = until(&mut console, "the console", |v| v["type"] == "console").await;
        assert_eq!(c["available"], true);
        assert!(
            c["mine"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == chat_id.as_str())
        );
        say(
            &mut console,
            json!({"type": "open", "id": chat_id, "after": 3}),
        )
        .await;
        let m = until(&mut console, "the open chat's lines", |v| {
            v["type"] == "messages"
        })
        .await;
        assert_eq!(m["messages"][0]["body"], "M7400，序列号 SN-8842X");
        say(
            &mut console,
            json!({"type": "say", "id": chat_id, "body": "请打开前盖取出卡纸"}),
        )
        .await;
        until(&mut visitor, "the console's line", |v| {
            has_line(v, "请打开前盖取出卡纸")
        })
        .await;
        say(&mut visitor, json!({"type": "say", "body": "好了，谢谢！"})).await;
        until(&mut console, "the visitor's thanks", |v| {
            v["type"] == "messages" && has_line(v, "好了，谢谢！")
        })
        .await;

        // The agent ends it as resolved: the visitor learns the ticket number.
        say(
            &mut console,
            json!({"type": "end", "id": chat_id, "resolved": true}),
        )
        .await;
        let st = until(&mut visitor, "the end", |v| v["status"] == "ended").await;
        let number = st["ticket_number"].as_str().unwrap().to_owned();
        assert!(number.starts_with("SR-"), "{number}");
        let t = ok_json(
            srv.get(&srv.admin, &format!("/tickets/by-number/{number}"))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(t["channel"], "chat");
        assert_eq!(t["status"], "resolved");
        assert_eq!(t["subject"], "打印机卡纸 M7400");
        assert_eq!(t["assignee_id"], agent.id.to_string());
        assert!(!t["first_responded_at"].is_null());
        let history = ok_json(
            srv.get(&srv.admin, &format!("/tickets/{}/history", id_of(&t)))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await
        .to_string();
        for line in [
            "王先生: 打印机卡纸 M7400",
            "测试 agent: 请问设备型号是什么？",
            "王先生: M7400，序列号 SN-8842X",
            "page: https://www.example.cn/m7400",
        ] {
            assert!(history.contains(line), "transcript lacks {line}: {history}");
        }
        // Over: nothing more is written, by either side.
        problem(
            srv.client
                .post(chat("/messages"))
                .header("x-chat-token", &token)
                .json(&json!({"body": "还在吗"}))
                .send()
                .await
                .unwrap(),
            StatusCode::CONFLICT,
            "chat_ended",
        )
        .await;
        let c = until(&mut console, "the console after the end", |v| {
            v["type"] == "console" && v["mine"].as_array().is_some_and(Vec::is_empty)
        })
        .await;
        assert_eq!(c["recent"][0]["ticket_number"], number.as_str());
        srv.stop();
        db.cleanup().await;
    }
}
