//! Inbound email: [`parse`] turns raw RFC 5322 bytes into an [`InboundMail`].

mod html;
mod noise;
mod parse;
mod quote;
mod thread;

pub use html::sanitize_html;
pub use noise::Noise;
pub use parse::{InboundMail, MailAttachment, Mailbox, ParseError, parse};
pub use quote::strip_quoted;
pub use thread::{bare_id, normalize_subject, ticket_number_in};
