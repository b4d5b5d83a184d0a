//! Typed errors of the WeChat wire formats.

use thiserror::Error;

/// Failure of the AES safe-mode cipher or of its key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CryptoError {
    /// The EncodingAESKey is not 43 base64 characters decoding to 32 bytes.
    #[error("EncodingAESKey must be 43 base64 characters decoding to 32 bytes")]
    InvalidAesKey,
    /// The ciphertext is not valid base64.
    #[error("ciphertext is not valid base64")]
    Base64,
    /// The decoded ciphertext is empty or not a whole number of AES blocks.
    #[error("ciphertext length {0} is not a positive multiple of 16")]
    CiphertextLength(usize),
    /// The PKCS#7 padding (block size 32) is malformed.
    #[error("invalid PKCS#7 padding")]
    Padding,
    /// The 4-byte message length does not fit the decrypted payload.
    #[error("message length field does not fit the payload")]
    Length,
    /// The trailing app id is not the expected one.
    #[error("app id mismatch")]
    AppIdMismatch,
    /// The decrypted message is not UTF-8.
    #[error("decrypted message is not UTF-8")]
    Utf8,
}

/// Failure to read WeChat's flat XML.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum XmlError {
    /// The document is not well-formed XML.
    #[error("malformed XML: {0}")]
    Syntax(String),
    /// The root element is missing or is not `<xml>`.
    #[error("root element is not <xml>")]
    NotWechatXml,
    /// The document carries a `<!DOCTYPE>`, which WeChat never sends.
    #[error("DOCTYPE is not allowed")]
    DocType,
    /// An entity reference other than the five predefined ones or a character reference.
    #[error("unknown entity &{0};")]
    UnknownEntity(String),
}

/// Failure to turn WeChat XML into a typed value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MessageError {
    /// The XML itself is malformed.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// A field the message type requires is absent or empty.
    #[error("missing field <{0}>")]
    MissingField(&'static str),
    /// A field is present but its value does not parse.
    #[error("invalid value {value:?} in <{field}>")]
    InvalidField {
        /// Element name.
        field: &'static str,
        /// The offending value.
        value: String,
    },
}

/// Failure to authenticate (and, in safe mode, decrypt) a request from WeChat.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    /// The signature does not match: the request is not from WeChat (or the token is wrong).
    #[error("signature mismatch")]
    BadSignature,
    /// The body is not a readable encrypted envelope.
    #[error(transparent)]
    Envelope(#[from] MessageError),
    /// The signature matched but the payload does not decrypt.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
