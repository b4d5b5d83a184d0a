//! WeCom group bot (企业微信「群机器人配置说明」): POST JSON to
//! `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`, no signature (the key is the secret).
//!
//! Per the doc, `mentioned_mobile_list` (and `"@all"`) exists only on the `text` msgtype;
//! `markdown` can only mention by `<@userid>`, which kefu does not know. So messages that
//! mention someone go out as `text`, the others as `markdown`.

use serde_json::json;
use url::Url;

use super::BotRequest;
use super::limit::{TITLE_MAX_BYTES, fit, truncate_utf8};
use super::message::{BotMessage, Link, defuse_markdown, markdown_link, single_line};

/// `markdown.content` limit: 4096 bytes of UTF-8.
pub const WECOM_MARKDOWN_MAX_BYTES: usize = 4096;
/// `text.content` limit: 2048 bytes of UTF-8.
pub const WECOM_TEXT_MAX_BYTES: usize = 2048;

pub(crate) fn build(url: Url, msg: &BotMessage, link: Option<&Link>) -> BotRequest {
    let title = single_line(&msg.title);
    let title = truncate_utf8(&title, TITLE_MAX_BYTES);
    let mut mentions = msg.mobiles();
    if msg.mention_all {
        mentions.push("@all".to_owned());
    }
    let body = if mentions.is_empty() {
        let head = if title.is_empty() {
            String::new()
        } else {
            format!("**{}**\n", defuse_markdown(&title))
        };
        let tail = link.map_or_else(String::new, |l| format!("\n{}", markdown_link(l)));
        let text = defuse_markdown(msg.text.trim());
        let content = fit(&head, &text, &tail, WECOM_MARKDOWN_MAX_BYTES);
        json!({ "msgtype": "markdown", "markdown": { "content": content } })
    } else {
        let head = if title.is_empty() {
            String::new()
        } else {
            format!("{title}\n")
        };
        let tail = link.map_or_else(String::new, |l| format!("\n{}: {}", l.label, l.url));
        let content = fit(&head, msg.text.trim(), &tail, WECOM_TEXT_MAX_BYTES);
        json!({
            "msgtype": "text",
            "text": { "content": content, "mentioned_mobile_list": mentions },
        })
    };
    BotRequest {
        url: url.into(),
        body,
    }
}
