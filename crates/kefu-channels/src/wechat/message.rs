//! Inbound messages (接收普通消息) and events (接收事件推送) pushed by WeChat.

use super::error::MessageError;
use super::xml::{Fields, parse_fields};

/// A message or event pushed to the account's server URL (the decrypted plaintext in safe
/// mode).
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// `ToUserName`: the account's original id (`gh_…`).
    pub to_user_name: String,
    /// `FromUserName`: the sender's OpenID.
    pub from_user_name: String,
    /// `CreateTime`: Unix seconds.
    pub create_time: i64,
    /// `MsgType` as sent (`text`, `image`, `event`, …).
    pub msg_type: String,
    /// `MsgId`: present on ordinary messages, absent on events.
    pub msg_id: Option<u64>,
    /// The type-specific part.
    pub kind: MessageKind,
}

impl InboundMessage {
    /// The OpenID of the user who sent the message.
    pub fn openid(&self) -> &str {
        &self.from_user_name
    }

    /// A key for discarding WeChat's retries (it retries up to three times when no answer
    /// comes in 5 s): `MsgId` for messages, `FromUserName` + `CreateTime` for events, as the
    /// documentation recommends.
    pub fn dedup_key(&self) -> String {
        match self.msg_id {
            Some(id) => format!("msg:{id}"),
            None => format!("evt:{}:{}", self.from_user_name, self.create_time),
        }
    }
}

/// The type-specific content of an [`InboundMessage`].
#[derive(Debug, Clone, PartialEq)]
pub enum MessageKind {
    /// `text`.
    Text {
        /// `Content`.
        content: String,
    },
    /// `image`.
    Image {
        /// `PicUrl`.
        pic_url: String,
        /// `MediaId`.
        media_id: String,
    },
    /// `voice`.
    Voice {
        /// `MediaId`.
        media_id: String,
        /// `Format` (`amr`, `speex`, …).
        format: String,
        /// `Recognition`: speech-to-text result, when the account enabled it.
        recognition: Option<String>,
    },
    /// `video`.
    Video {
        /// `MediaId`.
        media_id: String,
        /// `ThumbMediaId`.
        thumb_media_id: String,
    },
    /// `shortvideo`.
    ShortVideo {
        /// `MediaId`.
        media_id: String,
        /// `ThumbMediaId`.
        thumb_media_id: String,
    },
    /// `location`: a location the user sent as a message.
    Location {
        /// `Location_X`: latitude.
        x: f64,
        /// `Location_Y`: longitude.
        y: f64,
        /// `Scale`: map zoom level.
        scale: f64,
        /// `Label`: place description.
        label: String,
    },
    /// `link`.
    Link {
        /// `Title`.
        title: String,
        /// `Description`.
        description: String,
        /// `Url`.
        url: String,
    },
    /// `event`.
    Event(Event),
    /// Any other `MsgType` (kept as sent).
    Unknown(String),
}

/// An event push (`MsgType` = `event`).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `subscribe`: the user followed the account, through a parametric QR code when
    /// `event_key` (`qrscene_…`) and `ticket` are present.
    Subscribe {
        /// `EventKey`, e.g. `qrscene_123123`.
        event_key: Option<String>,
        /// `Ticket` of the QR code.
        ticket: Option<String>,
    },
    /// `unsubscribe`.
    Unsubscribe,
    /// `SCAN`: a follower scanned a parametric QR code.
    Scan {
        /// `EventKey`: the scene value.
        event_key: String,
        /// `Ticket` of the QR code.
        ticket: String,
    },
    /// `LOCATION`: periodic location report.
    Location {
        /// `Latitude`.
        lat: f64,
        /// `Longitude`.
        lng: f64,
        /// `Precision`.
        precision: f64,
    },
    /// `CLICK`: a menu button.
    Click {
        /// `EventKey`: the button's key.
        event_key: String,
    },
    /// `VIEW`: a menu link.
    View {
        /// `EventKey`: the URL opened.
        event_key: String,
    },
    /// Any other event (kept as sent in `Event`).
    Other(String),
}

fn required(fields: &Fields, name: &'static str) -> Result<String, MessageError> {
    fields
        .non_empty(name)
        .map(str::to_owned)
        .ok_or(MessageError::MissingField(name))
}

/// A required field that may legitimately be empty (e.g. `Content`, `Description`).
fn present(fields: &Fields, name: &'static str) -> Result<String, MessageError> {
    fields
        .get(name)
        .map(str::to_owned)
        .ok_or(MessageError::MissingField(name))
}

fn optional(fields: &Fields, name: &str) -> Option<String> {
    fields.non_empty(name).map(str::to_owned)
}

fn number<T: std::str::FromStr>(fields: &Fields, name: &'static str) -> Result<T, MessageError> {
    let raw = fields
        .non_empty(name)
        .ok_or(MessageError::MissingField(name))?;
    raw.parse().map_err(|_| MessageError::InvalidField {
        field: name,
        value: raw.to_owned(),
    })
}

fn coordinate(fields: &Fields, name: &'static str) -> Result<f64, MessageError> {
    let value: f64 = number(fields, name)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(MessageError::InvalidField {
            field: name,
            value: value.to_string(),
        })
    }
}

/// Parses a pushed message or event. Unknown `MsgType`s and events are kept, not rejected;
/// malformed XML, missing required fields and unparsable numbers are errors.
pub fn parse_message(xml: &str) -> Result<InboundMessage, MessageError> {
    let fields = parse_fields(xml)?;
    let to_user_name = required(&fields, "ToUserName")?;
    let from_user_name = required(&fields, "FromUserName")?;
    let create_time = number(&fields, "CreateTime")?;
    let msg_type = required(&fields, "MsgType")?;
    let msg_id = match fields.non_empty("MsgId") {
        Some(_) => Some(number(&fields, "MsgId")?),
        None => None,
    };
    let kind = match msg_type.to_ascii_lowercase().as_str() {
        "text" => MessageKind::Text {
            content: present(&fields, "Content")?,
        },
        "image" => MessageKind::Image {
            pic_url: required(&fields, "PicUrl")?,
            media_id: required(&fields, "MediaId")?,
        },
        "voice" => MessageKind::Voice {
            media_id: required(&fields, "MediaId")?,
            format: required(&fields, "Format")?,
            recognition: optional(&fields, "Recognition"),
        },
        "video" => MessageKind::Video {
            media_id: required(&fields, "MediaId")?,
            thumb_media_id: required(&fields, "ThumbMediaId")?,
        },
        "shortvideo" => MessageKind::ShortVideo {
            media_id: required(&fields, "MediaId")?,
            thumb_media_id: required(&fields, "ThumbMediaId")?,
        },
        "location" => MessageKind::Location {
            x: coordinate(&fields, "Location_X")?,
            y: coordinate(&fields, "Location_Y")?,
            scale: coordinate(&fields, "Scale")?,
            label: present(&fields, "Label")?,
        },
        "link" => MessageKind::Link {
            title: present(&fields, "Title")?,
            description: present(&fields, "Description")?,
            url: required(&fields, "Url")?,
        },
        "event" => MessageKind::Event(parse_event(&fields)?),
        _ => MessageKind::Unknown(msg_type.clone()),
    };
    Ok(InboundMessage {
        to_user_name,
        from_user_name,
        create_time,
        msg_type,
        msg_id,
        kind,
    })
}

fn parse_event(fields: &Fields) -> Result<Event, MessageError> {
    let name = required(fields, "Event")?;
    Ok(match name.to_ascii_lowercase().as_str() {
        "subscribe" => Event::Subscribe {
            event_key: optional(fields, "EventKey"),
            ticket: optional(fields, "Ticket"),
        },
        "unsubscribe" => Event::Unsubscribe,
        "scan" => Event::Scan {
            event_key: required(fields, "EventKey")?,
            ticket: required(fields, "Ticket")?,
        },
        "location" => Event::Location {
            lat: coordinate(fields, "Latitude")?,
            lng: coordinate(fields, "Longitude")?,
            precision: coordinate(fields, "Precision")?,
        },
        "click" => Event::Click {
            event_key: required(fields, "EventKey")?,
        },
        "view" => Event::View {
            event_key: required(fields, "EventKey")?,
        },
        _ => Event::Other(name),
    })
}
