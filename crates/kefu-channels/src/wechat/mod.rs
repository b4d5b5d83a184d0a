//! WeChat Official Account (微信公众号) message push protocol, as pure wire formats.
//!
//! Everything here is free of I/O: the HTTP layer hands in query parameters and bodies and
//! sends out what these functions build.
//!
//! - [`signature`](mod@signature): the SHA-1 request signatures (`signature`, `msg_signature`) and their
//!   constant-time verification, plus plain-mode URL verification (接入指南).
//! - [`crypto`]: the AES-256-CBC "safe mode" payload cipher of WXBizMsgCrypt (消息加解密).
//! - [`envelope`]: safe-mode envelopes: verifying and decrypting inbound `<Encrypt>` bodies,
//!   safe-mode URL verification, and building the encrypted reply XML.
//! - [`xml`]: the flat `<xml><Tag>value</Tag>…</xml>` reader and CDATA writer they share.
//! - [`message`]: inbound messages and events (接收普通消息, 接收事件推送) as a typed enum.
//! - [`reply`]: passive replies (被动回复用户消息).
//! - [`api`]: JSON bodies and URLs of the customer-service API (客服消息) and access tokens,
//!   the classification of WeChat's `errcode`s, and the 48-hour service window.

pub mod api;
pub mod crypto;
pub mod envelope;
pub mod error;
pub mod message;
pub mod reply;
pub mod signature;
pub mod xml;

pub use api::{
    AccessToken, ApiError, ErrorClass, access_token_url, custom_send_image_body,
    custom_send_text_body, custom_send_url, parse_access_token_response, parse_errcode_response,
    stable_token_body, within_service_window,
};
pub use crypto::{AesKey, decrypt, encrypt};
pub use envelope::{EncryptType, EncryptedEnvelope, MsgCrypt, parse_encrypted_envelope};
pub use error::{CryptoError, MessageError, VerifyError, XmlError};
pub use message::{Event, InboundMessage, MessageKind, parse_message};
pub use reply::{SUCCESS_REPLY, image_reply, text_reply};
pub use signature::{
    msg_signature, signature, verify_msg_signature, verify_signature, verify_url_plain,
};
