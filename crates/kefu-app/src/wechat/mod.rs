//! The WeChat official-account channel (微信公众号): settings, the message-push callback
//! (inbound) and agent replies through the customer-service message API (outbound).

mod inbound;
mod outbound;
mod settings;

pub use inbound::{CallbackError, CallbackQuery, WeChatOutcome, receive, verify_url};
pub(crate) use outbound::{TokenCache, queue_reply};
pub use outbound::{WECHAT_SEND_JOB, WeChatSend, send_queued_wechat};
pub use settings::{WeChatSettings, get_wechat_settings, save_wechat_settings};
