//! HMAC-SHA256 signatures, and the Stripe-style signature of kefu's own outgoing webhooks:
//! header `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::BotError;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 keyed by `key` over the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = keyed(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; this cannot fail.
    <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length")
}

fn signed_mac(secret: &[u8], timestamp_s: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = keyed(secret);
    mac.update(timestamp_s.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Signature header for a webhook `body` sent at `timestamp_s`: `t=<ts>,v1=<hex>`.
pub fn webhook_signature(secret: &[u8], timestamp_s: i64, body: &[u8]) -> String {
    let tag = signed_mac(secret, timestamp_s, body)
        .finalize()
        .into_bytes();
    format!("t={timestamp_s},v1={}", hex::encode(tag))
}

/// Checks a [`webhook_signature`] header against `body`.
///
/// Any of several `v1=` entries may match (secret rotation); comparison is constant-time.
/// The signed time must be within `tolerance_s` seconds of `now_s`, either way.
pub fn verify_webhook_signature(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_s: i64,
    tolerance_s: i64,
) -> Result<(), BotError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key.trim() {
            "t" => {
                let t = value.trim().parse::<i64>();
                timestamp = Some(t.map_err(|_| BotError::MalformedSignatureHeader)?);
            }
            "v1" => candidates.push(value.trim()),
            _ => {}
        }
    }
    let (Some(timestamp), false) = (timestamp, candidates.is_empty()) else {
        return Err(BotError::MalformedSignatureHeader);
    };
    let mac = signed_mac(secret, timestamp, body);
    let matched = candidates.iter().any(|candidate| {
        hex::decode(candidate).is_ok_and(|tag| mac.clone().verify_slice(&tag).is_ok())
    });
    if !matched {
        return Err(BotError::SignatureMismatch);
    }
    if now_s.abs_diff(timestamp) > tolerance_s.max(0).unsigned_abs() {
        return Err(BotError::SignatureExpired);
    }
    Ok(())
}
