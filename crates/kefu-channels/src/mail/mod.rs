//! Email: [`parse`] turns raw RFC 5322 bytes into an [`InboundMail`]; [`compose`] renders an
//! [`OutboundMail`]; [`SmtpSender`] sends it; [`fetch_new`] takes new mail from IMAP.

mod compose;
mod html;
mod idle;
mod imap;
mod noise;
mod parse;
mod quote;
mod smtp;
mod thread;

pub use compose::{
    ComposeError, OutboundAttachment, OutboundMail, compose, new_message_id, references_for_reply,
    subject_with_number,
};
pub use html::sanitize_html;
pub use idle::{Waited, wait_for_mail};
pub use imap::{FetchBatch, FetchedMail, ImapConfig, ImapError, ImapSecurity, fetch_new};
pub use noise::Noise;
pub use parse::{InboundMail, MailAttachment, Mailbox, ParseError, parse};
pub use quote::strip_quoted;
pub use smtp::{SendError, SmtpConfig, SmtpSecurity, SmtpSender};
pub use thread::{bare_id, normalize_subject, ticket_number_in};
