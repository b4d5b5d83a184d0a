//! Telling people: the outbox dispatcher turns ticket events into customer mail, in-app
//! notifications for staff and group-bot messages.

mod bots;
mod dispatch;
mod inapp;
mod mails;
mod plan;
pub(crate) mod text;

pub use bots::{
    BOT_JOB, BotChannelInput, BotChannelView, BotSend, create_bot, delete_bot, list_bots,
    send_bot_message, test_bot, update_bot,
};
pub use dispatch::{DispatchReport, dispatch_outbox};
pub use inapp::{NotificationView, list_notifications, mark_read, unread_count};
pub(crate) use inapp::{notify_user, write as notify_loaded};
pub use plan::BOT_EVENTS;
