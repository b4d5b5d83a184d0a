//! Raw RFC 5322 bytes to an [`InboundMail`], leniently: real mail is often malformed, and
//! whatever can be read is kept.

use mail_parser::{
    Encoding, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use mail_parser::decoders::html::html_to_text;

use super::html::sanitize_html;
use super::noise::{Noise, classify};
use super::thread::bare_id;

/// A sender or recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// Plain text of the body (HTML-only mail converted).
    pub text: String,
    /// Attachments and inline images, in order.
    pub attachments: Vec<MailAttachment>,
    /// Auto-reply, bulk, list or bounce.
    pub noise: Option<Noise>,
    /// For a bounce: the message id of the mail that could not be delivered, when the report
    /// carries its headers.
    pub bounced_message_id: Option<String>,
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
    let text = body_text(&m);
    let attachments = m
        .attachments()
        .enumerate()
        .map(|(i, p)| attachment(&m, i, p))
        .collect();
    let noise = classify(&m);
    let bounced_message_id = (noise == Some(Noise::Bounce))
        .then(|| bounced_id(&m))
        .flatten();
    Ok(InboundMail {
        message_id: m.message_id().and_then(bare_id),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
        subject: match m.subject() {
            Some(s) if s.contains('\u{FFFD}') => {
                raw_header_gb(&m, "Subject").unwrap_or_else(|| s.trim().to_owned())
            }
            s => s.unwrap_or("").trim().to_owned(),
        },
        from: from(&m),
        text,
        attachments,
        noise,
        bounced_message_id,
    })
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => bare_id(t).into_iter().collect(),
        HeaderValue::TextList(l) => l.iter().filter_map(|t| bare_id(t)).collect(),
        _ => Vec::new(),
    }
}

/// The first `From` address; a display name that is raw GBK is read from the raw header.
fn from(m: &Message<'_>) -> Option<Mailbox> {
    let mut f = m.from().and_then(|a| a.first()).and_then(mailbox)?;
    if f.name.as_deref().is_some_and(|n| n.contains('\u{FFFD}'))
        && let Some(raw) = raw_header_gb(m, "From")
    {
        let name = raw
            .split('<')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .trim();
        f.name = (!name.is_empty()).then(|| name.to_owned());
    }
    Some(f)
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
fn body_text(m: &Message<'_>) -> String {
    let mut out = Vec::new();
    for (i, id) in m.text_body.iter().enumerate() {
        let Some(part) = m.parts.get(*id as usize) else {
            continue;
        };
        let text = match &part.body {
            PartType::Text(t) if t.contains('\u{FFFD}') => {
                undeclared_charset(m, part).unwrap_or_else(|| t.to_string())
            }
            // Sanitized first: the converter keeps the contents of `<style type=…>` and
            // `<script type=…>`.
            PartType::Html(h) => {
                let h = if h.contains('\u{FFFD}') {
                    undeclared_charset(m, part).map_or(h.clone(), Into::into)
                } else {
                    h.clone()
                };
                html_to_text(&sanitize_html(&h))
            }
            _ => m.body_text(i).map(|t| t.into_owned()).unwrap_or_default(),
        };
        if !text.trim().is_empty() {
            out.push(text.trim_end().to_owned());
        }
    }
    out.join("\n\n").replace('\0', "")
}

/// A body without a declared charset that is not UTF-8: decoded with the charset an HTML body
/// names in its `<meta>`, else as GB18030.
fn undeclared_charset(m: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
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
    let encoding = meta_charset(raw)
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        .unwrap_or(encoding_rs::GB18030);
    let (text, _, bad) = encoding.decode(raw);
    (!bad).then(|| text.into_owned())
}

/// The charset named by `<meta charset=…>` or `<meta … content="…; charset=…">` in the first
/// kilobytes of an HTML body.
fn meta_charset(raw: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&raw[..raw.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")?;
    let label: String = head[at + 8..]
        .trim_start_matches(['"', '\'', ' '])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!label.is_empty()).then_some(label)
}

/// A header whose raw value carries 8-bit bytes that are not UTF-8 (old ERP and mailer
/// software writes GBK straight into headers): decoded as GB18030.
fn raw_header_gb(m: &Message<'_>, name: &str) -> Option<String> {
    let h = m
        .root_part()
        .headers
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))?;
    let raw = m
        .raw_message()
        .get(h.offset_start() as usize..h.offset_end() as usize)?;
    if std::str::from_utf8(raw).is_ok() {
        return None;
    }
    let (text, _, bad) = encoding_rs::GB18030.decode(raw);
    (!bad).then(|| unfold(&text))
}

fn unfold(s: &str) -> String {
    s.split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn attachment(m: &Message<'_>, i: usize, p: &MessagePart<'_>) -> MailAttachment {
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
        .map(|n| {
            if n.contains('\u{FFFD}') {
                continued_name(m, p).unwrap_or_else(|| n.to_owned())
            } else {
                n.to_owned()
            }
        })
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

/// An RFC 2231 file name split into continuations (`filename*0*=UTF-8''…; filename*1*=…`)
/// whose cut falls inside a multi-byte character: the parser decodes each piece alone, so the
/// pieces are joined as bytes here and decoded once.
fn continued_name(m: &Message<'_>, p: &MessagePart<'_>) -> Option<String> {
    for header in ["Content-Disposition", "Content-Type"] {
        let Some(h) = p
            .headers
            .iter()
            .find(|h| h.name().eq_ignore_ascii_case(header))
        else {
            continue;
        };
        let Some(raw) = m
            .raw_message()
            .get(h.offset_start() as usize..h.offset_end() as usize)
        else {
            continue;
        };
        let raw = String::from_utf8_lossy(raw);
        for param in ["filename", "name"] {
            if let Some(n) = join_continuations(&raw, param) {
                return Some(n);
            }
        }
    }
    None
}

fn join_continuations(raw: &str, param: &str) -> Option<String> {
    let mut pieces: Vec<(u32, bool, String)> = Vec::new();
    for item in raw.split(';') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let Some(rest) = key.strip_prefix(&format!("{param}*")) else {
            continue;
        };
        let (num, extended) = match rest.strip_suffix('*') {
            Some(n) => (n, true),
            None => (rest, false),
        };
        let Ok(n) = num.parse::<u32>() else { continue };
        pieces.push((n, extended, value.trim().trim_matches('"').to_owned()));
    }
    if pieces.len() < 2 {
        return None;
    }
    pieces.sort_by_key(|p| p.0);
    let mut charset = "utf-8".to_owned();
    let mut bytes = Vec::new();
    for (i, (_, extended, value)) in pieces.iter().enumerate() {
        let mut v = value.as_str();
        if i == 0 && *extended {
            let mut parts = v.splitn(3, '\'');
            let (c, _lang, rest) = (parts.next()?, parts.next()?, parts.next()?);
            if !c.is_empty() {
                charset = c.to_owned();
            }
            v = rest;
        }
        if *extended {
            bytes.extend(percent_decode(v));
        } else {
            bytes.extend_from_slice(v.as_bytes());
        }
    }
    let encoding =
        encoding_rs::Encoding::for_label(charset.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    let (text, _, bad) = encoding.decode(&bytes);
    (!bad).then(|| text.into_owned())
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && s.is_char_boundary(i + 3)
            && let Ok(byte) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
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
