//! The JSON side: access tokens, the customer-service message API (客服消息,
//! `POST /cgi-bin/message/custom/send`), WeChat's `{"errcode","errmsg"}` answers and the
//! 48-hour window in which the API may message a user.

use serde_json::{Value, json};
use thiserror::Error;

/// Base URL of WeChat's server API.
pub const API_BASE: &str = "https://api.weixin.qq.com";

/// `POST` target of the stable access token (body: [`stable_token_body`]).
pub const STABLE_TOKEN_URL: &str = "https://api.weixin.qq.com/cgi-bin/stable_token";

/// How long after the user's last interaction the customer-service API may message them.
pub const SERVICE_WINDOW_SECS: i64 = 48 * 3600;

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `GET` URL of the classic access token:
/// `/cgi-bin/token?grant_type=client_credential&appid=…&secret=…`.
pub fn access_token_url(app_id: &str, secret: &str) -> String {
    format!(
        "{API_BASE}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
        encode_query_value(app_id),
        encode_query_value(secret)
    )
}

/// JSON body of `POST /cgi-bin/stable_token`. `force_refresh` invalidates the current token
/// (limited to 20 times a day), so normally `false`.
pub fn stable_token_body(app_id: &str, secret: &str, force_refresh: bool) -> String {
    json!({
        "grant_type": "client_credential",
        "appid": app_id,
        "secret": secret,
        "force_refresh": force_refresh,
    })
    .to_string()
}

/// `POST` URL of the customer-service message API.
pub fn custom_send_url(access_token: &str) -> String {
    format!(
        "{API_BASE}/cgi-bin/message/custom/send?access_token={}",
        encode_query_value(access_token)
    )
}

/// Body of a customer-service text message to an OpenID.
pub fn custom_send_text_body(touser: &str, content: &str) -> String {
    json!({
        "touser": touser,
        "msgtype": "text",
        "text": { "content": content },
    })
    .to_string()
}

/// Body of a customer-service image message, by the `media_id` of an uploaded image.
pub fn custom_send_image_body(touser: &str, media_id: &str) -> String {
    json!({
        "touser": touser,
        "msgtype": "image",
        "image": { "media_id": media_id },
    })
    .to_string()
}

/// What a caller should do about a failed API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// 45015: the user has not interacted within 48 hours; the message cannot be sent.
    ServiceWindowExpired,
    /// 40001, 40014, 42001: the access token is invalid or expired; refresh it and retry.
    TokenInvalid,
    /// -1: WeChat is busy; retry later. Also an unreadable response.
    Busy,
    /// Anything else: retrying the same request will not help.
    Permanent,
}

impl ErrorClass {
    /// Classifies a non-zero `errcode`.
    pub fn from_errcode(errcode: i64) -> Self {
        match errcode {
            45015 => Self::ServiceWindowExpired,
            40001 | 40014 | 42001 => Self::TokenInvalid,
            -1 => Self::Busy,
            _ => Self::Permanent,
        }
    }
}

/// A failed API call, as read from the response body.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// WeChat answered with a non-zero `errcode`.
    #[error("WeChat API error {errcode}: {errmsg}")]
    Wechat {
        /// `errcode`.
        errcode: i64,
        /// `errmsg`.
        errmsg: String,
    },
    /// The body is not the JSON expected (e.g. a gateway error page).
    #[error("unreadable WeChat API response: {0}")]
    Malformed(String),
}

impl ApiError {
    /// What to do about it; an unreadable response counts as [`ErrorClass::Busy`].
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Wechat { errcode, .. } => ErrorClass::from_errcode(*errcode),
            Self::Malformed(_) => ErrorClass::Busy,
        }
    }

    /// Whether the same request may succeed later (busy, or after a token refresh).
    pub fn is_retryable(&self) -> bool {
        matches!(self.class(), ErrorClass::Busy | ErrorClass::TokenInvalid)
    }
}

/// An access token and its lifetime.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// `access_token`.
    pub access_token: String,
    /// `expires_in`, seconds (currently at most 7200).
    pub expires_in: u64,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

fn parse_object(body: &str) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::Malformed("not a JSON object".into())),
        Err(e) => Err(ApiError::Malformed(e.to_string())),
    }
}

/// `Err` when the object carries a non-zero `errcode`; `Ok(present)` otherwise.
fn check_errcode(map: &serde_json::Map<String, Value>) -> Result<bool, ApiError> {
    let Some(code) = map.get("errcode") else {
        return Ok(false);
    };
    let errcode = code
        .as_i64()
        .ok_or_else(|| ApiError::Malformed(format!("errcode is not an integer: {code}")))?;
    if errcode == 0 {
        return Ok(true);
    }
    let errmsg = map
        .get("errmsg")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Err(ApiError::Wechat { errcode, errmsg })
}

/// Reads an answer that is only `{"errcode":…,"errmsg":…}` (e.g. custom/send).
pub fn parse_errcode_response(body: &str) -> Result<(), ApiError> {
    let map = parse_object(body)?;
    if check_errcode(&map)? {
        Ok(())
    } else {
        Err(ApiError::Malformed("missing errcode".into()))
    }
}

/// Reads the answer of `/cgi-bin/token` or `/cgi-bin/stable_token`:
/// `{"access_token":"…","expires_in":7200}` or an error object.
pub fn parse_access_token_response(body: &str) -> Result<AccessToken, ApiError> {
    let map = parse_object(body)?;
    check_errcode(&map)?;
    let access_token = map
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Malformed("missing access_token".into()))?
        .to_owned();
    let expires_in = map
        .get("expires_in")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::Malformed("missing expires_in".into()))?;
    Ok(AccessToken {
        access_token,
        expires_in,
    })
}

/// Whether the customer-service API may still message a user whose last inbound
/// interaction was at `last_inbound_at_unix`: strictly less than 48 hours have passed
/// (a last interaction in the future, from clock skew, counts as now).
pub fn within_service_window(last_inbound_at_unix: i64, now_unix: i64) -> bool {
    now_unix.saturating_sub(last_inbound_at_unix) < SERVICE_WINDOW_SECS
}
