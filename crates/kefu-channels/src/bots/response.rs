//! Classifies a bot webhook's HTTP answer.
//!
//! Bodies: WeCom and DingTalk `{"errcode":0,"errmsg":"ok"}`; Feishu `{"code":0,"msg":"success"}`,
//! older Feishu answers `{"StatusCode":0,"StatusMessage":"success"}`. Feishu reports errors with
//! HTTP 400 and a JSON body, so the body is read before the status.

use serde_json::Value;

use super::BotKind;

/// What became of a bot request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BotOutcome {
    /// The vendor accepted the message.
    Delivered,
    /// Too many messages; retry after a pause (WeCom/DingTalk: 20 a minute per bot).
    RateLimited,
    /// Refused for good (bad key, signature mismatch, keyword filter, bad body…); do not retry.
    Rejected {
        /// Vendor error code, or the HTTP status when the body had none.
        code: i64,
        /// Vendor error message.
        message: String,
    },
    /// Transient failure (5xx, system busy, unreadable answer); retry later.
    Retry {
        /// Short reason for logs.
        reason: String,
    },
}

/// Classifies the HTTP status and body answered to a [`super::build_request`] request.
pub fn parse_response(kind: BotKind, http_status: u16, body: &str) -> BotOutcome {
    if http_status == 429 {
        return BotOutcome::RateLimited;
    }
    if http_status >= 500 || http_status == 408 {
        return BotOutcome::Retry {
            reason: format!("http {http_status}"),
        };
    }
    let Some((code, message)) = vendor_code(kind, body) else {
        return if (200..300).contains(&http_status) {
            BotOutcome::Retry {
                reason: "unreadable response body".to_owned(),
            }
        } else {
            BotOutcome::Rejected {
                code: i64::from(http_status),
                message: format!("http {http_status}"),
            }
        };
    };
    if code == 0 {
        return if (200..300).contains(&http_status) {
            BotOutcome::Delivered
        } else {
            BotOutcome::Retry {
                reason: format!("http {http_status} with code 0"),
            }
        };
    }
    if is_rate_limit(kind, code, &message) {
        return BotOutcome::RateLimited;
    }
    if code == -1 {
        // WeCom and DingTalk: "系统繁忙".
        return BotOutcome::Retry {
            reason: format!("vendor busy: {message}"),
        };
    }
    BotOutcome::Rejected { code, message }
}

/// The vendor's result code and message, if the body is JSON carrying one.
fn vendor_code(kind: BotKind, body: &str) -> Option<(i64, String)> {
    let value: Value = serde_json::from_str(body).ok()?;
    let (code_keys, msg_keys): (&[&str], &[&str]) = match kind {
        BotKind::WeCom | BotKind::DingTalk => (&["errcode"], &["errmsg"]),
        BotKind::Feishu => (&["code", "StatusCode"], &["msg", "StatusMessage"]),
    };
    let code = code_keys.iter().find_map(|k| value.get(*k)?.as_i64())?;
    let message = msg_keys
        .iter()
        .find_map(|k| value.get(*k)?.as_str())
        .unwrap_or_default()
        .to_owned();
    Some((code, message))
}

fn is_rate_limit(kind: BotKind, code: i64, message: &str) -> bool {
    match kind {
        // 45009: "api freq out of limit".
        BotKind::WeCom => code == 45009,
        // 130101: "send too fast, exceed 20 times per minute"; 410100: 发送速度太快而限流.
        BotKind::DingTalk => matches!(code, 130101 | 410100),
        // 11232: custom bot frequency limit; 99991400: platform frequency limit; 9499 is
        // generic "Bad Request" and only a rate limit when it says "too many request".
        BotKind::Feishu => {
            let message = message.to_ascii_lowercase();
            matches!(code, 11232 | 99991400)
                || (code == 9499 && (message.contains("too many") || message.contains("frequency")))
        }
    }
}
