//! DingTalk custom bot (钉钉「自定义机器人」): POST JSON to
//! `https://oapi.dingtalk.com/robot/send?access_token=…`.
//!
//! 加签: `sign = urlEncode(base64(HmacSHA256(key = secret, msg = timestamp_ms + "\n" + secret)))`,
//! appended as `&timestamp=…&sign=…` (the doc's Python sample uses `quote_plus`). Mentions go in
//! `at.atMobiles` / `at.isAtAll`, and each `@mobile` must also appear in the text to show.
//! A bot may send 20 messages a minute (errcode 130101 beyond that).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use url::Url;

use super::endpoint::with_query;
use super::limit::{TITLE_MAX_BYTES, fit_json, truncate_utf8};
use super::message::{BotMessage, Link, defuse_markdown, markdown_link, single_line};
use super::signature::hmac_sha256;
use super::{BotError, BotRequest};

/// Message size limit ("message too long, exceed 20000 bytes"), applied to the whole body.
pub const DINGTALK_MAX_BYTES: usize = 20_000;

/// The 加签 signature for `timestamp_ms`, base64 (not yet URL-encoded).
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let string_to_sign = format!("{timestamp_ms}\n{secret}");
    STANDARD.encode(hmac_sha256(secret.as_bytes(), &[string_to_sign.as_bytes()]))
}

pub(crate) fn build(
    url: Url,
    secret: Option<&str>,
    msg: &BotMessage,
    link: Option<&Link>,
    now_ms: i64,
) -> Result<BotRequest, BotError> {
    let title = single_line(&msg.title);
    let title = if title.is_empty() {
        single_line(msg.text.trim().lines().next().unwrap_or_default())
    } else {
        title
    };
    let title = truncate_utf8(&title, TITLE_MAX_BYTES);
    let mobiles = msg.mobiles();

    let mut head = String::new();
    if !title.is_empty() {
        head = format!("#### {}\n\n", defuse_markdown(&title));
    }
    let mut tail = String::new();
    if let Some(link) = link {
        tail.push_str("\n\n");
        tail.push_str(&markdown_link(link));
    }
    if !mobiles.is_empty() {
        let ats: Vec<String> = mobiles.iter().map(|m| format!("@{m}")).collect();
        tail.push_str("\n\n");
        tail.push_str(&ats.join(" "));
    }
    // DingTalk markdown needs a blank line for a visible line break.
    let text = defuse_markdown(msg.text.trim()).replace('\n', "\n\n");

    let body = fit_json(DINGTALK_MAX_BYTES, |budget| {
        json!({
            "msgtype": "markdown",
            "markdown": {
                "title": title,
                "text": format!("{head}{}{tail}", truncate_utf8(&text, budget)),
            },
            "at": { "atMobiles": mobiles, "isAtAll": msg.mention_all },
        })
    })?;

    let url = match secret {
        Some(secret) => {
            let timestamp = now_ms.to_string();
            let sign = dingtalk_sign(secret, now_ms);
            with_query(url, &[("timestamp", &timestamp), ("sign", &sign)])
        }
        None => url,
    };
    Ok(BotRequest {
        url: url.into(),
        body,
    })
}
