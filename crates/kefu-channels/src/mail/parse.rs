//! Raw RFC 5322 bytes to an [`InboundMail`], leniently: real mail is often malformed, and
//! whatever can be read is kept.

use mail_parser::{
    Encoding, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use super::html::sanitize_html;
use super::noise::{Noise, classify};
use super::thread::bare_id;

/// A sender or recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Display name, decoded.
    pub name: Option<String>,
    /// Address, lower-cased.
    pub email: String,
}

/// A file that came with the mail.
#[derive(Debug, Clone)]
pub struct MailAttachment {
    /// File name, decoded (a made-up one when the mail gave none).
    pub name: String,
    /// `type/subtype`.
    pub content_type: String,
    /// Shown inside the message (an inline image) rather than attached.
    pub inline: bool,
    /// `Content-ID` without angle brackets, for `cid:` references.
    pub content_id: Option<String>,
    /// Decoded bytes.
    pub bytes: Vec<u8>,
}

/// What kefu needs from an inbound message.
#[derive(Debug, Clone)]
pub struct InboundMail {
    /// `Message-ID` without angle brackets, if the mail has one.
    pub message_id: Option<String>,
    /// `In-Reply-To` ids.
    pub in_reply_to: Vec<String>,
    /// `References` ids, oldest first.
    pub references: Vec<String>,
    /// Subject, decoded ("" when missing).
    pub subject: String,
    /// `From` (first address).
    pub from: Option<Mailbox>,
    /// `Reply-To` (first address).
    pub reply_to: Option<Mailbox>,
    /// `To` and `Cc` recipients.
    pub recipients: Vec<Mailbox>,
    /// `Date`, seconds since the epoch.
    pub date: Option<i64>,
    /// Plain text of the body (HTML-only mail converted).
    pub text: String,
    /// Sanitized HTML body, when the mail had one.
    pub html: Option<String>,
    /// Attachments and inline images, in order.
    pub attachments: Vec<MailAttachment>,
    /// Auto-reply, bulk, list or bounce.
    pub noise: Option<Noise>,
    /// For a bounce: the message id of the mail that could not be delivered, when the report
    /// carries its headers.
    pub bounced_message_id: Option<String>,
    /// Some part could not be decoded cleanly (unknown charset, broken encoding).
    pub encoding_problem: bool,
}

/// Why raw bytes could not be read as mail at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Empty input, or no header block.
    NotMail,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::NotMail => f.write_str("not an RFC 5322 message (no header block)"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses raw mail bytes.
pub fn parse(raw: &[u8]) -> Result<InboundMail, ParseError> {
    let m = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::NotMail)?;
    if m.headers().is_empty() {
        return Err(ParseError::NotMail);
    }
    let mut encoding_problem = false;
    let text = body_text(&m, &mut encoding_problem);
    let html = body_html(&m);
    let attachments = m
        .attachments()
        .enumerate()
        .map(|(i, p)| attachment(i, p))
        .collect();
    let noise = classify(&m);
    let bounced_message_id = (noise == Some(Noise::Bounce))
        .then(|| bounced_id(&m))
        .flatten();
    Ok(InboundMail {
        message_id: m.message_id().and_then(bare_id),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
        subject: m.subject().unwrap_or("").trim().to_owned(),
        from: m.from().and_then(|a| a.first()).and_then(mailbox),
        reply_to: m.reply_to().and_then(|a| a.first()).and_then(mailbox),
        recipients: m
            .to()
            .into_iter()
            .chain(m.cc())
            .flat_map(|a| a.iter())
            .filter_map(mailbox)
            .collect(),
        date: m.date().map(|d| d.to_timestamp()),
        text,
        html,
        attachments,
        noise,
        bounced_message_id,
        encoding_problem,
    })
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => bare_id(t).into_iter().collect(),
        HeaderValue::TextList(l) => l.iter().filter_map(|t| bare_id(t)).collect(),
        _ => Vec::new(),
    }
}

fn mailbox(a: &mail_parser::Addr<'_>) -> Option<Mailbox> {
    let email = a.address()?.trim().trim_matches(['<', '>']).to_lowercase();
    if !email.contains('@') {
        return None;
    }
    let name = a
        .name()
        .map(|n| n.trim().trim_matches('"').trim().to_owned())
        .filter(|n| !n.is_empty() && n.to_lowercase() != email);
    Some(Mailbox { name, email })
}

/// The text parts joined; HTML-only mail converted to text. An undeclared 8-bit body that is
/// not UTF-8 is read as GB18030, the superset of GBK and GB2312 that Chinese clients send.
fn body_text(m: &Message<'_>, problem: &mut bool) -> String {
    let mut out = Vec::new();
    for (i, id) in m.text_body.iter().enumerate() {
        let Some(part) = m.parts.get(*id as usize) else {
            continue;
        };
        *problem |= part.is_encoding_problem;
        let text = match &part.body {
            PartType::Text(t) if t.contains('\u{FFFD}') => {
                *problem = true;
                undeclared_gb(m, part).unwrap_or_else(|| t.to_string())
            }
            _ => m.body_text(i).map(|t| t.into_owned()).unwrap_or_default(),
        };
        if !text.trim().is_empty() {
            out.push(text.trim_end().to_owned());
        }
    }
    out.join("\n\n").replace('\0', "")
}

fn undeclared_gb(m: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let declared = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .is_some();
    if declared || part.encoding != Encoding::None {
        return None;
    }
    let raw = m
        .raw_message()
        .get(part.offset_body as usize..part.offset_end as usize)?;
    let (text, _, bad) = encoding_rs::GB18030.decode(raw);
    (!bad).then(|| text.into_owned())
}

fn body_html(m: &Message<'_>) -> Option<String> {
    let html: Vec<String> = m
        .html_body
        .iter()
        .filter_map(|id| m.parts.get(*id as usize))
        .filter_map(|p| match &p.body {
            PartType::Html(h) => Some(sanitize_html(h)),
            _ => None,
        })
        .collect();
    (!html.is_empty()).then(|| html.join("\n"))
}

fn attachment(i: usize, p: &MessagePart<'_>) -> MailAttachment {
    let content_type = p
        .content_type()
        .map(|ct| match ct.subtype() {
            Some(s) => format!("{}/{}", ct.ctype(), s),
            None => ct.ctype().to_owned(),
        })
        .unwrap_or_else(|| "application/octet-stream".into())
        .to_ascii_lowercase();
    let nested = p.message();
    let name = p
        .attachment_name()
        .map(|n| n.trim().replace(['/', '\\', '\0'], "_"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| match nested {
            Some(inner) => format!("{}.eml", inner.subject().unwrap_or("message").trim()),
            None => format!("attachment-{}.{}", i + 1, extension(&content_type)),
        });
    let disposition_inline = p.content_disposition().map(|d| d.is_inline());
    let inline = match disposition_inline {
        Some(inline) => inline && p.content_id().is_some(),
        None => p.content_id().is_some() || matches!(p.body, PartType::InlineBinary(_)),
    };
    MailAttachment {
        name,
        content_type,
        inline,
        content_id: p.content_id().and_then(bare_id),
        bytes: p.contents().to_vec(),
    }
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/html" => "html",
        "message/rfc822" => "eml",
        _ => "bin",
    }
}

/// The `Message-ID` of the undelivered mail inside a delivery report (its attached
/// `message/rfc822` or `text/rfc822-headers` part).
fn bounced_id(m: &Message<'_>) -> Option<String> {
    for p in m.attachments() {
        if let Some(inner) = p.message() {
            if let Some(id) = inner.message_id().and_then(bare_id) {
                return Some(id);
            }
            continue;
        }
        if p.is_content_type("text", "rfc822-headers") {
            let headers = MessageParser::default().parse_headers(p.contents())?;
            if let Some(id) = headers.message_id().and_then(bare_id) {
                return Some(id);
            }
        }
    }
    None
}
