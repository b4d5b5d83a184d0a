//! Request signatures: `signature` (plain mode, URL verification) and `msg_signature`
//! (safe mode).
//!
//! Both are the lowercase hex SHA-1 of the parameters sorted lexicographically (byte order)
//! and concatenated without separator: `sha1(sort(token, timestamp, nonce))` and
//! `sha1(sort(token, timestamp, nonce, encrypt))`.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use super::error::VerifyError;

fn sorted_sha1_hex(parts: &mut [&str]) -> String {
    parts.sort_unstable();
    let mut hasher = Sha1::new();
    for part in parts.iter() {
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Compares a computed lowercase hex digest with one received, in constant time
/// (the received one is ASCII-lowercased first).
fn hex_eq(expected: &str, given: &str) -> bool {
    let given = given.trim().to_ascii_lowercase();
    expected.as_bytes().ct_eq(given.as_bytes()).into()
}

/// `signature` of plain mode: `sha1(sort(token, timestamp, nonce))` as lowercase hex.
pub fn signature(token: &str, timestamp: &str, nonce: &str) -> String {
    sorted_sha1_hex(&mut [token, timestamp, nonce])
}

/// `msg_signature` of safe mode: `sha1(sort(token, timestamp, nonce, encrypt))` as lowercase
/// hex, where `encrypt` is the base64 ciphertext.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    sorted_sha1_hex(&mut [token, timestamp, nonce, encrypt])
}

/// Checks a received `signature` in constant time.
pub fn verify_signature(token: &str, timestamp: &str, nonce: &str, given: &str) -> bool {
    hex_eq(&signature(token, timestamp, nonce), given)
}

/// Checks a received `msg_signature` in constant time.
pub fn verify_msg_signature(
    token: &str,
    timestamp: &str,
    nonce: &str,
    encrypt: &str,
    given: &str,
) -> bool {
    hex_eq(&msg_signature(token, timestamp, nonce, encrypt), given)
}

/// URL verification (接入指南): WeChat sends `GET ?signature&timestamp&nonce&echostr`; when the
/// signature matches, the body to answer is `echostr` unchanged.
///
/// The Official Account sends this plain form even when safe mode is on; the encrypted form
/// (`msg_signature` + encrypted `echostr`) is [`super::MsgCrypt::verify_url`].
pub fn verify_url_plain<'a>(
    token: &str,
    signature: &str,
    timestamp: &str,
    nonce: &str,
    echostr: &'a str,
) -> Result<&'a str, VerifyError> {
    if verify_signature(token, timestamp, nonce, signature) {
        Ok(echostr)
    } else {
        Err(VerifyError::BadSignature)
    }
}
