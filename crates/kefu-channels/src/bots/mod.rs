//! Staff notifications to chat group bots: WeCom (企业微信群机器人), DingTalk (钉钉自定义机器人)
//! and Feishu/Lark (飞书自定义机器人).
//!
//! Pure wire format: [`build_request`] turns a neutral [`BotMessage`] into the URL and JSON body
//! to POST, and [`parse_response`] classifies what the vendor answered. Sending is the caller's
//! job. [`webhook_signature`] signs kefu's own outgoing JSON webhooks.

mod dingtalk;
mod endpoint;
mod error;
mod feishu;
mod limit;
mod message;
mod response;
mod signature;
mod wecom;

use std::fmt;
use std::str::FromStr;

pub use dingtalk::{DINGTALK_MAX_BYTES, dingtalk_sign};
pub use endpoint::validate_webhook_url;
pub use error::BotError;
pub use feishu::{FEISHU_MAX_BODY_BYTES, feishu_sign};
pub use limit::truncate_utf8;
pub use message::BotMessage;
pub use response::{BotOutcome, parse_response};
pub use signature::{hmac_sha256, verify_webhook_signature, webhook_signature};
pub use wecom::{WECOM_MARKDOWN_MAX_BYTES, WECOM_TEXT_MAX_BYTES};

/// Which vendor's group bot a webhook belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BotKind {
    /// 企业微信群机器人.
    WeCom,
    /// 钉钉自定义机器人.
    DingTalk,
    /// 飞书 / Lark 自定义机器人.
    Feishu,
}

impl BotKind {
    /// Parses the stored name ("wecom", "dingtalk", "feishu"), case-insensitively.
    pub fn parse(s: &str) -> Result<Self, BotError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wecom" => Ok(Self::WeCom),
            "dingtalk" => Ok(Self::DingTalk),
            "feishu" => Ok(Self::Feishu),
            _ => Err(BotError::UnknownKind(s.to_owned())),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WeCom => "wecom",
            Self::DingTalk => "dingtalk",
            Self::Feishu => "feishu",
        }
    }
}

impl fmt::Display for BotKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BotKind {
    type Err = BotError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An HTTP request to send: POST `body` as `application/json; charset=utf-8` to `url`.
#[derive(Clone, PartialEq)]
pub struct BotRequest {
    /// Full URL, signature query included for DingTalk. Holds the bot's credential.
    pub url: String,
    /// JSON body.
    pub body: serde_json::Value,
}

impl fmt::Debug for BotRequest {
    /// Hides the query string, which carries the webhook key or access token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = match self.url.split_once('?') {
            Some((base, _)) => format!("{base}?<redacted>"),
            None => self.url.clone(),
        };
        f.debug_struct("BotRequest")
            .field("url", &shown)
            .field("body", &self.body)
            .finish()
    }
}

/// Builds the request for `msg` to the bot at `webhook_url`.
///
/// The URL must be https on the vendor's host (http only on loopback, for local test
/// servers). `secret` turns on the vendor's signature (DingTalk 加签, Feishu 签名校验);
/// `now_ms` is the current Unix time in milliseconds. Over-long text is truncated, not refused.
pub fn build_request(
    kind: BotKind,
    webhook_url: &str,
    secret: Option<&str>,
    msg: &BotMessage,
    now_ms: i64,
) -> Result<BotRequest, BotError> {
    let url = validate_webhook_url(kind, webhook_url, true)?;
    let link = msg.checked_link()?;
    let secret = match secret {
        Some(s) if s.trim().is_empty() => return Err(BotError::EmptySecret),
        Some(s) => Some(s.trim()),
        None => None,
    };
    match kind {
        BotKind::WeCom => Ok(wecom::build(url, msg, link.as_ref())),
        BotKind::DingTalk => dingtalk::build(url, secret, msg, link.as_ref(), now_ms),
        BotKind::Feishu => feishu::build(url, secret, msg, link.as_ref(), now_ms),
    }
}
