//! Passive replies (被动回复用户消息): the HTTP response body to a pushed message.
//!
//! WeChat waits 5 s for it; answering [`SUCCESS_REPLY`] (or an empty body) tells WeChat not
//! to retry and shows the user nothing, so replies that take longer go through the
//! customer-service API ([`super::api`]) instead. In safe mode a non-empty reply must be
//! wrapped with [`super::MsgCrypt::encrypt_reply`]; `success` is sent as is.

use super::xml::{push_cdata_element, push_text_element};

/// The body that acknowledges a push without replying.
pub const SUCCESS_REPLY: &str = "success";

fn header(to_user: &str, from_user: &str, create_time: i64, msg_type: &str) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("<xml>");
    push_cdata_element(&mut out, "ToUserName", to_user);
    push_cdata_element(&mut out, "FromUserName", from_user);
    push_text_element(&mut out, "CreateTime", &create_time.to_string());
    push_cdata_element(&mut out, "MsgType", msg_type);
    out
}

/// A text reply. `to_user` is the user's OpenID (the inbound `FromUserName`), `from_user`
/// the account id (the inbound `ToUserName`).
pub fn text_reply(to_user: &str, from_user: &str, create_time: i64, content: &str) -> String {
    let mut out = header(to_user, from_user, create_time, "text");
    push_cdata_element(&mut out, "Content", content);
    out.push_str("</xml>");
    out
}

/// An image reply, by the `media_id` of an uploaded image.
pub fn image_reply(to_user: &str, from_user: &str, create_time: i64, media_id: &str) -> String {
    let mut out = header(to_user, from_user, create_time, "image");
    out.push_str("<Image>");
    push_cdata_element(&mut out, "MediaId", media_id);
    out.push_str("</Image></xml>");
    out
}
