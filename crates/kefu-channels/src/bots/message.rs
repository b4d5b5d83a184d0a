//! The neutral notification every vendor format is rendered from.

use ::url::Url;

use super::BotError;

/// A staff notification, independent of the vendor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BotMessage {
    /// One-line headline.
    pub title: String,
    /// Plain-text body; may span several lines.
    pub text: String,
    /// Optional `(label, url)` link, e.g. to the ticket in kefu.
    pub link: Option<(String, String)>,
    /// Mobile numbers of staff to @-mention (WeCom and DingTalk; Feishu custom bots cannot).
    pub mention_mobiles: Vec<String>,
    /// @-mention everyone in the group.
    pub mention_all: bool,
}

/// A link whose URL has been checked.
pub(crate) struct Link {
    pub label: String,
    pub url: Url,
}

impl BotMessage {
    /// A message with a title and a body and nothing else.
    pub fn new(title: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            text: text.into(),
            ..Self::default()
        }
    }

    /// Adds a link shown below the body.
    pub fn with_link(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.link = Some((label.into(), url.into()));
        self
    }

    /// Trimmed, non-empty, de-duplicated mobile numbers, in order.
    pub(crate) fn mobiles(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for m in &self.mention_mobiles {
            let m = m.trim();
            if !m.is_empty() && !out.iter().any(|o| o == m) {
                out.push(m.to_owned());
            }
        }
        out
    }

    /// The link, if any, with its URL required to be absolute http(s).
    pub(crate) fn checked_link(&self) -> Result<Option<Link>, BotError> {
        let Some((label, raw)) = &self.link else {
            return Ok(None);
        };
        let url = Url::parse(raw.trim()).map_err(|_| BotError::InvalidLink)?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(BotError::InvalidLink);
        }
        let label = label.trim();
        let label = if label.is_empty() {
            url.as_str()
        } else {
            label
        };
        Ok(Some(Link {
            label: single_line(label),
            url,
        }))
    }
}

/// `s` with line breaks turned into spaces.
pub(crate) fn single_line(s: &str) -> String {
    s.trim().replace(['\r', '\n'], " ")
}

/// Markdown link `[label](url)` that user text cannot break out of.
pub(crate) fn markdown_link(link: &Link) -> String {
    let label = link.label.replace('[', "［").replace(']', "］");
    let url = link.url.as_str().replace('(', "%28").replace(')', "%29");
    format!("[{label}]({url})")
}

/// Defuses markdown in untrusted text: no links/images (`](`) and no WeCom `<@userid>` mentions.
///
/// A zero-width space is inserted, so the text still reads the same.
pub(crate) fn defuse_markdown(s: &str) -> String {
    s.replace("](", "]\u{200B}(").replace("<@", "<\u{200B}@")
}
