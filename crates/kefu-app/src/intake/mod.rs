//! Intake: what a channel brings in becomes a ticket or a message on one, the same way for
//! every channel (dedupe, find or create the contact, thread, route, SLA, events + outbox in
//! one transaction).

mod contact;
mod email;
mod mail_settings;
mod reopen;

pub(crate) use contact::{Party, contact_for, new_person};
pub use email::{MailOutcome, ingest_mail};
pub use mail_settings::{MailSettings, OutboundSettings, save_mail_settings};
pub(crate) use reopen::reopen_on_message;
