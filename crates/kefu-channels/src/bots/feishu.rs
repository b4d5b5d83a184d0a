//! Feishu / Lark custom bot (飞书「自定义机器人使用指南」): POST JSON to
//! `https://open.feishu.cn/open-apis/bot/v2/hook/…` (Lark: `open.larksuite.com`).
//!
//! 签名校验: `timestamp_s + "\n" + secret` is the HMAC-SHA256 *key* over an empty message;
//! the base64 result goes in the body as `"sign"`, next to `"timestamp"` (a string, seconds).
//! Messages are `post` rich text. Custom bots can only @ by open_id/user_id, so mobiles in
//! [`BotMessage::mention_mobiles`] are not mentioned; `mention_all` becomes `<at user_id="all">`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use url::Url;

use super::limit::{TITLE_MAX_BYTES, fit_json, truncate_utf8};
use super::message::{BotMessage, Link, single_line};
use super::signature::hmac_sha256;
use super::{BotError, BotRequest};

/// Request body limit of custom bots (the guide: "请求体大小不能超过20k").
pub const FEISHU_MAX_BODY_BYTES: usize = 20_000;

/// The 签名校验 signature for `timestamp_s` (seconds), base64.
pub fn feishu_sign(secret: &str, timestamp_s: i64) -> String {
    let key = format!("{timestamp_s}\n{secret}");
    STANDARD.encode(hmac_sha256(key.as_bytes(), &[]))
}

pub(crate) fn build(
    url: Url,
    secret: Option<&str>,
    msg: &BotMessage,
    link: Option<&Link>,
    now_ms: i64,
) -> Result<BotRequest, BotError> {
    let title = single_line(&msg.title);
    let title = truncate_utf8(&title, TITLE_MAX_BYTES);
    let signature = secret.map(|secret| {
        let timestamp_s = now_ms.div_euclid(1000);
        (timestamp_s.to_string(), feishu_sign(secret, timestamp_s))
    });
    let text = msg.text.trim();

    let body = fit_json(FEISHU_MAX_BODY_BYTES, |budget| {
        let mut paragraphs: Vec<Value> = truncate_utf8(text, budget)
            .lines()
            .map(|line| json!([{ "tag": "text", "text": line }]))
            .collect();
        if let Some(link) = link {
            paragraphs.push(json!([{ "tag": "a", "text": link.label, "href": link.url.as_str() }]));
        }
        if msg.mention_all {
            paragraphs.push(json!([{ "tag": "at", "user_id": "all", "user_name": "所有人" }]));
        }
        let mut body = json!({
            "msg_type": "post",
            "content": { "post": { "zh_cn": { "title": title, "content": paragraphs } } },
        });
        if let Some((timestamp, sign)) = &signature {
            body["timestamp"] = json!(timestamp);
            body["sign"] = json!(sign);
        }
        body
    })?;
    Ok(BotRequest {
        url: url.into(),
        body,
    })
}
