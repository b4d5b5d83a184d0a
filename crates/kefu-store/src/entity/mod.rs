//! SeaORM entities, one file per table. Enumerations are stored as their stable string codes
//! (see `kefu_domain`), lists and custom fields as JSON.

pub mod api_token;
pub mod approval;
pub mod asset;
pub mod attachment;
pub mod audit_entry;
pub mod bot_channel;
pub mod calendar;
pub mod call;
pub mod chat_message;
pub mod chat_presence;
pub mod chat_session;
pub mod contact;
pub mod customer;
pub mod idempotency_key;
pub mod job;
pub mod job_schedule;
pub mod mail_message;
pub mod mailbox;
pub mod notification;
pub mod order;
pub mod order_line;
pub mod outbox_message;
pub mod portal_invitation;
pub mod product;
pub mod session;
pub mod setting;
pub mod sla_policy;
pub mod team;
pub mod team_member;
pub mod ticket;
pub mod ticket_counter;
pub mod ticket_event;
pub mod ticket_type;
pub mod user;
pub mod wechat_message;
