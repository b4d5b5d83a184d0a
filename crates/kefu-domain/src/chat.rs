//! Web chat rules: the states of a conversation, who may say what, when kefu offers a chat or
//! a "leave us a message" form instead, and how a finished chat reads as a ticket transcript.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Longest chat message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// An agent's console that has not sent a heartbeat for this long counts as away.
pub const PRESENCE_TTL: Duration = Duration::seconds(60);

/// A visitor who has not been seen for this long has left; the chat ends and its transcript
/// becomes a ticket.
pub const VISITOR_IDLE: Duration = Duration::minutes(10);

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatStatus {
    /// The visitor wrote; no agent has taken it yet.
    Waiting,
    /// An agent took it.
    Active,
    /// Over; the transcript is on a ticket.
    Ended,
}

impl ChatStatus {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatStatus::Waiting => "waiting",
            ChatStatus::Active => "active",
            ChatStatus::Ended => "ended",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Option<Self> {
        [ChatStatus::Waiting, ChatStatus::Active, ChatStatus::Ended]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// Who wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    /// The website visitor.
    Visitor,
    /// An agent.
    Agent,
    /// kefu itself ("张三 joined", "chat ended").
    System,
}

impl Sender {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::Visitor => "visitor",
            Sender::Agent => "agent",
            Sender::System => "system",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Option<Self> {
        [Sender::Visitor, Sender::Agent, Sender::System]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// Nothing but whitespace.
    #[error("the message is empty")]
    Empty,
    /// Over [`MAX_MESSAGE_CHARS`].
    #[error("the message is longer than {MAX_MESSAGE_CHARS} characters")]
    TooLong,
    /// The conversation is over.
    #[error("the chat has ended")]
    Ended,
}

/// The text of a message as it will be stored: trimmed, not empty, not too long.
pub fn message_body(raw: &str) -> Result<String, ChatError> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(ChatError::Empty);
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(ChatError::TooLong);
    }
    Ok(body.to_owned())
}

/// Whether `sender` may still write in a chat of this status: anyone until it has ended (an
/// agent writing into a waiting chat takes it).
pub fn may_write(status: ChatStatus, sender: Sender) -> Result<(), ChatError> {
    match (status, sender) {
        (ChatStatus::Ended, _) => Err(ChatError::Ended),
        _ => Ok(()),
    }
}

/// What the widget offers a visitor right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Offer {
    /// Agents are on shift and at their console: start a live chat.
    Chat,
    /// Outside business hours: leave a message, it becomes a ticket.
    OutsideHours,
    /// In business hours but nobody is taking chats: leave a message.
    NoAgent,
    /// Web chat is switched off.
    Disabled,
}

/// Decides the offer: live chat only when chat is on, the service calendar is open (when the
/// settings ask for that) and at least one agent is available.
pub fn offer(enabled: bool, hours_only: bool, open_now: bool, agents_available: usize) -> Offer {
    if !enabled {
        Offer::Disabled
    } else if hours_only && !open_now {
        Offer::OutsideHours
    } else if agents_available == 0 {
        Offer::NoAgent
    } else {
        Offer::Chat
    }
}

/// Whether an agent's last heartbeat still counts as present.
pub fn present(seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - seen_at <= PRESENCE_TTL
}

/// Whether a visitor last seen at `seen_at` has gone.
pub fn abandoned(seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - seen_at > VISITOR_IDLE
}

/// One line of a transcript.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Who wrote it.
    pub sender: Sender,
    /// The display name of the writer (visitor's name, agent's name).
    pub name: &'a str,
    /// The text.
    pub body: &'a str,
}

/// The transcript as plain text for the ticket: one `[HH:MM] name: text` line per message in
/// the service's time zone, continuation lines indented, system lines in brackets.
pub fn transcript(lines: &[Line<'_>], tz: Tz) -> String {
    let mut out = String::new();
    for l in lines {
        let at = l.at.with_timezone(&tz).format("%H:%M");
        let mut body = l.body.lines();
        let first = body.next().unwrap_or("");
        match l.sender {
            Sender::System => out.push_str(&format!("[{at}] ({first})")),
            _ => out.push_str(&format!("[{at}] {}: {first}", l.name)),
        }
        for more in body {
            out.push_str("\n        ");
            out.push_str(more);
        }
        out.push('\n');
    }
    out
}

/// A ticket subject from the visitor's first message: its first line, at most 60 characters.
pub fn subject(first_visitor_message: Option<&str>) -> String {
    let line = first_visitor_message
        .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("");
    if line.is_empty() {
        return "在线咨询 / Web chat".into();
    }
    let mut s: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap()
    }

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(message_body("  你好 \n").unwrap(), "你好");
        assert_eq!(message_body(" \n\t"), Err(ChatError::Empty));
        let long = "字".repeat(MAX_MESSAGE_CHARS + 1);
        assert_eq!(message_body(&long), Err(ChatError::TooLong));
        assert!(message_body(&"字".repeat(MAX_MESSAGE_CHARS)).is_ok());
    }

    #[test]
    fn nobody_writes_into_an_ended_chat() {
        assert_eq!(
            may_write(ChatStatus::Ended, Sender::Visitor),
            Err(ChatError::Ended)
        );
        assert_eq!(
            may_write(ChatStatus::Ended, Sender::Agent),
            Err(ChatError::Ended)
        );
        assert!(may_write(ChatStatus::Waiting, Sender::Visitor).is_ok());
        assert!(may_write(ChatStatus::Active, Sender::Agent).is_ok());
    }

    #[test]
    fn offer_follows_switch_hours_and_agents() {
        assert_eq!(offer(false, true, true, 3), Offer::Disabled);
        assert_eq!(offer(true, true, false, 3), Offer::OutsideHours);
        assert_eq!(offer(true, false, false, 3), Offer::Chat);
        assert_eq!(offer(true, true, true, 0), Offer::NoAgent);
        assert_eq!(offer(true, true, true, 1), Offer::Chat);
    }

    #[test]
    fn presence_and_idle_windows() {
        assert!(present(at(10, 0), at(10, 1)));
        assert!(!present(at(10, 0), at(10, 1) + Duration::seconds(1)));
        assert!(!abandoned(at(10, 0), at(10, 10)));
        assert!(abandoned(at(10, 0), at(10, 11)));
    }

    #[test]
    fn transcript_in_local_time_with_indented_continuations() {
        let lines = [
            Line {
                at: at(2, 5),
                sender: Sender::Visitor,
                name: "张三",
                body: "打印机卡纸\n型号 M7400",
            },
            Line {
                at: at(2, 6),
                sender: Sender::System,
                name: "",
                body: "李四 接入 / joined",
            },
            Line {
                at: at(2, 7),
                sender: Sender::Agent,
                name: "李四",
                body: "请打开前盖",
            },
        ];
        let t = transcript(&lines, chrono_tz::Asia::Shanghai);
        assert_eq!(
            t,
            "[10:05] 张三: 打印机卡纸\n        型号 M7400\n[10:06] (李四 接入 / joined)\n[10:07] 李四: 请打开前盖\n"
        );
    }

    #[test]
    fn subject_from_first_line() {
        assert_eq!(subject(Some("\n  打印机卡纸 \n详情")), "打印机卡纸");
        assert_eq!(subject(None), "在线咨询 / Web chat");
        assert_eq!(subject(Some("   ")), "在线咨询 / Web chat");
        let long = "长".repeat(70);
        assert_eq!(subject(Some(&long)).chars().count(), 61);
    }
}
