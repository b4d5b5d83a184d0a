//! Web chat: a visitor on the company's website chats with an agent in real time; the
//! transcript becomes a ticket when the chat ends (by either side, or when the visitor leaves);
//! when nobody is on shift the widget offers to leave a message, which becomes a ticket too.
//!
//! Every message is written to the database before anyone is told about it; the in-process
//! [`ChatHub`] only wakes connections on this node, and connections also re-read the database
//! every few seconds, so several server processes can share the chats.

mod agent;
mod close;
mod hub;
mod messages;
pub(crate) use messages::say_in_live_chat;
mod settings;
mod sweep;
mod view;
mod visitor;

pub use agent::{
    ChatConsole, accept_chat, agent_say, chat_messages, console, end_chat, get_chat, may_answer,
    set_presence,
};
pub use hub::ChatHub;
pub use settings::{ChatSettings, get_chat_settings, save_chat_settings};
pub use sweep::sweep_abandoned;
pub use view::{ChatMessageView, ChatSessionView};
pub use visitor::{
    LeaveMessage, LeftMessage, OfferView, StartChat, Started, VisitorState, leave_message,
    offer_now, start_chat, visitor_end, visitor_say, visitor_seen, visitor_state,
};

/// Job kind of the periodic sweep that ends chats whose visitor has gone.
pub const SWEEP_JOB: &str = "chat.sweep";
