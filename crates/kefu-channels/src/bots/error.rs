//! Errors of the bot wire format.

use super::BotKind;

/// Why a bot request could not be built or a webhook signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BotError {
    /// Not one of "wecom", "dingtalk", "feishu".
    #[error("unknown bot kind {0:?}")]
    UnknownKind(String),
    /// The webhook URL does not parse as an absolute URL with a host.
    #[error("webhook URL is not a valid absolute URL")]
    InvalidUrl,
    /// Not https (http is only allowed for loopback hosts).
    #[error("webhook URL must use https")]
    InsecureScheme,
    /// The host is neither the vendor's nor loopback.
    #[error("webhook host {host:?} is not allowed for {kind}")]
    HostNotAllowed {
        /// Bot vendor.
        kind: BotKind,
        /// Offending host (with port when one was given).
        host: String,
    },
    /// The URL embeds a user name or password.
    #[error("webhook URL must not contain credentials")]
    UrlCredentials,
    /// Right host, but not the vendor's webhook path or token parameter.
    #[error("webhook URL is not a {kind} bot webhook")]
    UnexpectedPath {
        /// Bot vendor.
        kind: BotKind,
    },
    /// The message link is not an absolute http(s) URL.
    #[error("message link must be an absolute http(s) URL")]
    InvalidLink,
    /// A secret was given but is blank.
    #[error("bot secret is empty")]
    EmptySecret,
    /// Even with the body text cut to nothing the message exceeds the vendor limit.
    #[error("message exceeds the vendor size limit")]
    MessageTooLarge,
    /// The signature header lacks `t=` or `v1=`, or `t` is not an integer.
    #[error("malformed webhook signature header")]
    MalformedSignatureHeader,
    /// No `v1` signature matches the body.
    #[error("webhook signature mismatch")]
    SignatureMismatch,
    /// The signed timestamp is outside the accepted tolerance.
    #[error("webhook signature timestamp outside tolerance")]
    SignatureExpired,
}
