//! Outbound mail: an [`OutboundMail`] rendered to RFC 5322 bytes (with lettre's builder), with
//! the threading headers a helpdesk needs — our own Message-ID, In-Reply-To and a References
//! chain — and `Auto-Submitted` on notifications so well-behaved auto-responders stay quiet.

use std::time::SystemTime;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox as LettreMailbox, MultiPart, SinglePart};

use super::Mailbox;

/// Most ids kept in a References header: the first (the thread's root) and the newest ones.
const MAX_REFERENCES: usize = 20;

/// A message to send.
#[derive(Debug, Clone, Default)]
pub struct OutboundMail {
    /// Sender.
    pub from: Mailbox,
    /// Where replies go, when not to `from`.
    pub reply_to: Option<Mailbox>,
    /// Recipients.
    pub to: Vec<Mailbox>,
    /// Copy recipients.
    pub cc: Vec<Mailbox>,
    /// Subject (use [`subject_with_number`] for ticket mail).
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body (already safe); sent as multipart/alternative beside the text.
    pub html: Option<String>,
    /// Message-ID without angle brackets (see [`new_message_id`]).
    pub message_id: String,
    /// The message this one answers, bare.
    pub in_reply_to: Option<String>,
    /// The thread so far, oldest first, bare.
    pub references: Vec<String>,
    /// Files.
    pub attachments: Vec<OutboundAttachment>,
    /// Machine-generated (notifications): adds `Auto-Submitted: auto-generated`.
    pub auto_submitted: bool,
    /// Date header.
    pub date: Option<SystemTime>,
    /// Extra `X-…` headers (name, value), e.g. the ticket number.
    pub extra_headers: Vec<(String, String)>,
}

/// A file attached to an outbound message.
#[derive(Debug, Clone)]
pub struct OutboundAttachment {
    /// File name shown to the reader.
    pub name: String,
    /// MIME type; unparsable types are sent as `application/octet-stream`.
    pub content_type: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// Why a message could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// An address is not a valid mailbox.
    #[error("invalid address {address:?}: {reason}")]
    Address {
        /// The address as given.
        address: String,
        /// The parser's complaint.
        reason: String,
    },
    /// No recipient.
    #[error("the message has no recipient")]
    NoRecipient,
    /// A header name is not a valid `X-` name.
    #[error("invalid header name {0:?}")]
    HeaderName(String),
    /// lettre refused the message.
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// A fresh Message-ID (bare) in our domain: `kefu.<unique>@<domain>`. `unique` should be a
/// UUID or another value never reused.
pub fn new_message_id(unique: &str, domain: &str) -> String {
    let domain = if domain.trim().is_empty() {
        "kefu.invalid"
    } else {
        domain.trim()
    };
    format!("kefu.{unique}@{domain}")
}

/// The subject with `[number]` in front, unless the number is already in it.
pub fn subject_with_number(subject: &str, number: &str) -> String {
    if subject.contains(&format!("[{number}]")) {
        return subject.to_owned();
    }
    let s = subject.trim();
    if s.is_empty() {
        format!("[{number}]")
    } else {
        format!("[{number}] {s}")
    }
}

/// The References of a reply to a message whose own References were `parent_refs` and whose
/// id is `parent_id`: the chain plus the parent, without duplicates, trimmed to the root and
/// the newest ids (RFC 5322 §3.6.4; long chains break some servers).
pub fn references_for_reply(parent_refs: &[String], parent_id: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(parent_refs.len() + 1);
    for r in parent_refs.iter().map(String::as_str).chain([parent_id]) {
        if !r.is_empty() && !out.iter().any(|o| o == r) {
            out.push(r.to_owned());
        }
    }
    if out.len() > MAX_REFERENCES {
        let keep_from = out.len() - (MAX_REFERENCES - 1);
        let root = out[0].clone();
        out = std::iter::once(root)
            .chain(out.drain(keep_from..))
            .collect();
    }
    out
}

/// Renders the message to bytes ready for SMTP.
pub fn compose(m: &OutboundMail) -> Result<Vec<u8>, ComposeError> {
    if m.to.is_empty() && m.cc.is_empty() {
        return Err(ComposeError::NoRecipient);
    }
    let mut b = lettre::Message::builder()
        .from(mailbox(&m.from)?)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}>", m.message_id)))
        .date(m.date.unwrap_or_else(SystemTime::now));
    if let Some(r) = &m.reply_to {
        b = b.reply_to(mailbox(r)?);
    }
    for t in &m.to {
        b = b.to(mailbox(t)?);
    }
    for c in &m.cc {
        b = b.cc(mailbox(c)?);
    }
    if let Some(id) = &m.in_reply_to {
        b = b.in_reply_to(format!("<{id}>"));
    }
    if !m.references.is_empty() {
        let refs: Vec<String> = m.references.iter().map(|r| format!("<{r}>")).collect();
        b = b.references(refs.join(" "));
    }
    if m.auto_submitted {
        b = b.raw_header(raw("Auto-Submitted", "auto-generated")?);
    }
    for (name, value) in &m.extra_headers {
        if !name.starts_with("X-") {
            return Err(ComposeError::HeaderName(name.clone()));
        }
        b = b.raw_header(raw(name, value)?);
    }

    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(m.text.clone());
    let body = match &m.html {
        Some(html) => MultiPart::alternative().singlepart(text).singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html.clone()),
        ),
        None => MultiPart::mixed().singlepart(text),
    };
    let message = if m.attachments.is_empty() {
        match &m.html {
            Some(_) => b.multipart(body),
            None => b.singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(m.text.clone()),
            ),
        }
    } else {
        let mut mixed = if m.html.is_some() {
            MultiPart::mixed().multipart(body)
        } else {
            MultiPart::mixed().singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(m.text.clone()),
            )
        };
        for a in &m.attachments {
            let ct = ContentType::parse(&a.content_type)
                .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("valid"));
            mixed = mixed.singlepart(Attachment::new(a.name.clone()).body(a.bytes.clone(), ct));
        }
        b.multipart(mixed)
    }
    .map_err(|e| ComposeError::Build(e.to_string()))?;
    Ok(message.formatted())
}

fn mailbox(m: &Mailbox) -> Result<LettreMailbox, ComposeError> {
    let address = m
        .email
        .parse()
        .map_err(|e: lettre::address::AddressError| ComposeError::Address {
            address: m.email.clone(),
            reason: e.to_string(),
        })?;
    let name = m.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    Ok(LettreMailbox::new(name.map(str::to_owned), address))
}

/// A header lettre has no type for (`Auto-Submitted`, `X-…`), checked and sent as given
/// (lettre encodes non-ASCII values).
fn raw(name: &str, value: &str) -> Result<HeaderValue, ComposeError> {
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !valid {
        return Err(ComposeError::HeaderName(name.to_owned()));
    }
    let header = HeaderName::new_from_ascii(name.to_owned())
        .map_err(|_| ComposeError::HeaderName(name.to_owned()))?;
    Ok(HeaderValue::new(header, value.replace(['\r', '\n'], " ")))
}
