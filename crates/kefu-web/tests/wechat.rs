//! The WeChat official-account channel on both databases, with messages built from the
//! documented push formats and a local server speaking WeChat's API wire format:
//! URL verification, a plain-mode text message opening a ticket (once, however often WeChat
//! retries it), a safe-mode (AES) message landing on the same ticket, forged signatures
//! refused, events recorded without tickets, the agent's reply sent through the
//! customer-service API, and a reply outside the 48-hour window failing visibly.

mod common;

use common::outside::{fake_http, next, run_jobs};
use common::{Server, ok_json};
use kefu_channels::wechat::{MsgCrypt, msg_signature, signature};
use kefu_store::entity::{ticket, ticket_event, wechat_message};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use kefu_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::json;

const TOKEN: &str = "kefuToken2026";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const APP_ID: &str = "wx1234567890abcdef";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

/// What api.weixin.qq.com answers: a token, then `errcode 0` for custom/send.
fn wechat_api(line: &str) -> &'static str {
    if line.contains("/cgi-bin/token?") {
        r#"{"access_token":"ACCESS_TOKEN_1","expires_in":7200}"#
    } else {
        r#"{"errcode":0,"errmsg":"ok"}"#
    }
}

fn text_xml(msg_id: u64, content: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_kefu]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>\
         <CreateTime>1795000000</CreateTime><MsgType><![CDATA[text]]></MsgType>\
         <Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wechat_messages_become_tickets_and_replies_go_back() {
    for db in TestDb::all().await {
        let srv = Server::start(&db).await;
        let (api_base, mut api_seen) = fake_http(wechat_api).await;
        let res = srv
            .client
            .put(srv.url("/wechat/settings"))
            .bearer_auth(&srv.admin)
            .json(&json!({"enabled": true, "app_id": APP_ID, "app_secret": "secret-xyz", "token": TOKEN,
                          "encoding_aes_key": AES_KEY, "api_base": api_base}))
            .send()
            .await
            .unwrap();
        let saved = ok_json(res, StatusCode::OK).await;
        assert_eq!(saved["app_secret"], "", "secrets are write-only");
        let cb = |q: &str| format!("{}/wechat/callback?{q}", srv.base);

        // URL verification.
        let (ts, nonce) = ("1795000000", "n0nce");
        let sig = signature(TOKEN, ts, nonce);
        let res = srv
            .client
            .get(cb(&format!(
                "signature={sig}&timestamp={ts}&nonce={nonce}&echostr=4375120948345356249"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.text().await.unwrap(), "4375120948345356249");
        let res = srv
            .client
            .get(cb(&format!(
                "signature=deadbeef&timestamp={ts}&nonce={nonce}&echostr=1"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // A plain-mode text message opens a ticket; WeChat's retry of it changes nothing.
        let push = |body: String| {
            srv.client
                .post(cb(&format!(
                    "signature={sig}&timestamp={ts}&nonce={nonce}&openid={OPENID}"
                )))
                .body(body)
                .send()
        };
        for _ in 0..2 {
            let res = push(text_xml(6_000_000_001, "打印机卡纸，型号 LX-300"))
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.text().await.unwrap(), "success");
        }
        let tickets: Vec<ticket::Model> = ticket::Entity::find()
            .filter(ticket::Column::Channel.eq("wechat"))
            .all(srv.app.store.conn())
            .await
            .unwrap();
        assert_eq!(tickets.len(), 1, "{:?}", db.backend);
        let t = &tickets[0];
        assert!(t.subject.contains("打印机卡纸"), "{}", t.subject);

        // A forged push is refused and stores nothing.
        let res = srv
            .client
            .post(cb(&format!(
                "signature={}&timestamp={ts}&nonce={nonce}",
                "0".repeat(40)
            )))
            .body(text_xml(6_000_000_009, "伪造"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // Safe mode: the same customer writes again, encrypted; it lands on the same ticket.
        let crypt = MsgCrypt::new(TOKEN, AES_KEY, APP_ID).unwrap();
        let enc = crypt.encrypt(
            &text_xml(6_000_000_002, "补充：卡纸发生在第二个纸盒"),
            *b"0123456789abcdef",
        );
        let msig = msg_signature(TOKEN, ts, nonce, &enc);
        let body = format!(
            "<xml><ToUserName><![CDATA[gh_kefu]]></ToUserName><Encrypt><![CDATA[{enc}]]></Encrypt></xml>"
        );
        let res = srv
            .client
            .post(cb(&format!(
                "signature={sig}&timestamp={ts}&nonce={nonce}&encrypt_type=aes&msg_signature={msig}"
            )))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let res = srv
            .client
            .post(cb(&format!(
                "signature={sig}&timestamp={ts}&nonce={nonce}&encrypt_type=aes&msg_signature={}",
                "1".repeat(40)
            )))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "a wrong msg_signature is refused"
        );
        let history = ok_json(
            srv.get(&srv.admin, &format!("/tickets/{}/history", t.id))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert!(history.to_string().contains("第二个纸盒"), "{history}");

        // Events are recorded but open nothing.
        let subscribe = String::from(
            "<xml><ToUserName><![CDATA[gh_kefu]]></ToUserName><FromUserName><![CDATA[oNew]]></FromUserName>\
             <CreateTime>1795000100</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>",
        );
        assert_eq!(push(subscribe).await.unwrap().status(), StatusCode::OK);
        assert_eq!(
            ticket::Entity::find()
                .filter(ticket::Column::Channel.eq("wechat"))
                .count(srv.app.store.conn())
                .await
                .unwrap(),
            1
        );

        // The agent's reply goes out through the customer-service message API.
        let agent = srv.user("agent", None).await;
        let res = srv
            .post(
                &agent.token,
                &format!("/tickets/{}/replies", t.id),
                &json!({"body": "请打开后盖取出卡纸，稍后工程师电话联系您。"}),
            )
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;
        kefu_app::notify::dispatch_outbox(&srv.app, 100)
            .await
            .unwrap();
        let sent = run_wechat_jobs(&srv).await;
        assert_eq!(sent, vec![kefu_app::wechat::WeChatSend::Sent]);
        let (token_req, _) = next(&mut api_seen).await;
        assert!(token_req.starts_with("GET /cgi-bin/token?grant_type=client_credential&appid=wx1234567890abcdef&secret=secret-xyz"), "{token_req}");
        let (send_req, body) = next(&mut api_seen).await;
        assert!(
            send_req.starts_with("POST /cgi-bin/message/custom/send?access_token=ACCESS_TOKEN_1"),
            "{send_req}"
        );
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["touser"], OPENID);
        assert_eq!(body["msgtype"], "text");
        assert!(
            body["text"]["content"]
                .as_str()
                .unwrap()
                .contains("取出卡纸")
        );

        // Three days later the window is closed: the reply fails, visibly, without a call.
        let three_days_ago = srv.app.now() - chrono::Duration::days(3);
        wechat_message::Entity::update_many()
            .col_expr(
                wechat_message::Column::CreatedAt,
                kefu_store::sea_orm::sea_query::Expr::val(three_days_ago),
            )
            .filter(wechat_message::Column::Direction.eq("in"))
            .exec(srv.app.store.conn())
            .await
            .unwrap();
        let res = srv
            .post(
                &agent.token,
                &format!("/tickets/{}/replies", t.id),
                &json!({"body": "请问问题解决了吗？"}),
            )
            .send()
            .await
            .unwrap();
        ok_json(res, StatusCode::OK).await;
        kefu_app::notify::dispatch_outbox(&srv.app, 100)
            .await
            .unwrap();
        assert!(
            run_wechat_jobs(&srv).await.is_empty(),
            "nothing is sent outside the window"
        );
        let failed = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(t.id))
            .filter(ticket_event::Column::Kind.eq("wechat_failed"))
            .count(srv.app.store.conn())
            .await
            .unwrap();
        assert_eq!(failed, 1);
        srv.stop();
    }
}

async fn run_wechat_jobs(srv: &Server) -> Vec<kefu_app::wechat::WeChatSend> {
    let app = &srv.app;
    run_jobs(srv, kefu_app::wechat::WECHAT_SEND_JOB, |j| async move {
        kefu_app::wechat::send_queued_wechat(app, &j).await.unwrap()
    })
    .await
}
