//! The safe-mode payload cipher of WXBizMsgCrypt (消息加解密技术方案).
//!
//! - `AESKey = Base64_Decode(EncodingAESKey + "=")`, 32 bytes; the IV is `AESKey[0..16]`.
//! - plaintext = 16 random bytes ‖ `msg_len` (4 bytes, big-endian) ‖ msg ‖ appid,
//!   PKCS#7-padded to a multiple of **32** bytes (not the AES block size of 16).
//! - ciphertext = `Base64_Encode(AES-256-CBC(plaintext))`.
//!
//! CBC is unauthenticated: check `msg_signature` before decrypting (as
//! [`super::MsgCrypt`] does), so that the padding check is no oracle for an attacker
//! without the token.

use aes::Aes256;
use aes::cipher::{Array, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

use super::error::CryptoError;

/// PKCS#7 block size WeChat pads to.
const PAD_BLOCK: usize = 32;
/// AES block size.
const AES_BLOCK: usize = 16;
/// Length of the random prefix.
const RANDOM_LEN: usize = 16;

/// Base64 with the standard alphabet that tolerates non-zero trailing bits: WeChat's
/// EncodingAESKey is 43 random alphanumerics, whose last character usually carries two
/// non-zero bits that a canonical decoder would reject (PHP/Python/Java decoders accept them).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// The 32-byte AES key derived from an EncodingAESKey.
#[derive(Clone, PartialEq, Eq)]
pub struct AesKey([u8; 32]);

impl AesKey {
    /// Derives the key from the 43-character EncodingAESKey of the WeChat console.
    pub fn from_encoding_aes_key(encoding_aes_key: &str) -> Result<Self, CryptoError> {
        if encoding_aes_key.len() != 43 {
            return Err(CryptoError::InvalidAesKey);
        }
        let bytes = LENIENT
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| CryptoError::InvalidAesKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::InvalidAesKey)?;
        Ok(Self(key))
    }

    /// Wraps raw key bytes.
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self(key)
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.0[..16]);
        iv
    }
}

impl std::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesKey(<redacted>)")
    }
}

/// Encrypts `msg` for `app_id` with the given 16 random prefix bytes; returns base64.
pub fn encrypt(key: &AesKey, app_id: &str, msg: &str, random: [u8; 16]) -> String {
    let body_len = RANDOM_LEN + 4 + msg.len() + app_id.len();
    let pad = PAD_BLOCK - body_len % PAD_BLOCK; // 1..=32
    let mut buf = Vec::with_capacity(body_len + pad);
    buf.extend_from_slice(&random);
    // A message over 4 GiB cannot be sent to WeChat anyway; saturate rather than panic.
    let msg_len = u32::try_from(msg.len()).unwrap_or(u32::MAX);
    buf.extend_from_slice(&msg_len.to_be_bytes());
    buf.extend_from_slice(msg.as_bytes());
    buf.extend_from_slice(app_id.as_bytes());
    // `pad` is at most 32, so the cast is lossless.
    buf.resize(body_len + pad, pad as u8);

    // The length is a multiple of 32, so there is no remainder.
    let (blocks, _) = Array::slice_as_chunks_mut(&mut buf);
    cbc::Encryptor::<Aes256>::new(key.as_bytes().into(), &key.iv().into()).encrypt_blocks(blocks);
    STANDARD.encode(&buf)
}

/// Decrypts a base64 `Encrypt` value and returns the message, checking the padding, the
/// length field and that the trailing app id equals `app_id`.
pub fn decrypt(key: &AesKey, app_id: &str, encrypted_b64: &str) -> Result<String, CryptoError> {
    let mut buf = STANDARD
        .decode(encrypted_b64.trim())
        .map_err(|_| CryptoError::Base64)?;
    if buf.is_empty() || !buf.len().is_multiple_of(AES_BLOCK) {
        return Err(CryptoError::CiphertextLength(buf.len()));
    }
    // The length was checked to be a multiple of 16, so there is no remainder.
    let (blocks, _) = Array::slice_as_chunks_mut(&mut buf);
    cbc::Decryptor::<Aes256>::new(key.as_bytes().into(), &key.iv().into()).decrypt_blocks(blocks);

    let unpadded_len = strip_pkcs7(&buf)?;
    let plain = &buf[..unpadded_len];
    if plain.len() < RANDOM_LEN + 4 {
        return Err(CryptoError::Length);
    }
    let len_bytes: [u8; 4] = plain[RANDOM_LEN..RANDOM_LEN + 4]
        .try_into()
        .map_err(|_| CryptoError::Length)?;
    let msg_len = u32::from_be_bytes(len_bytes) as usize;
    let rest = &plain[RANDOM_LEN + 4..];
    if msg_len > rest.len() {
        return Err(CryptoError::Length);
    }
    let (msg, got_app_id) = rest.split_at(msg_len);
    if got_app_id != app_id.as_bytes() {
        return Err(CryptoError::AppIdMismatch);
    }
    String::from_utf8(msg.to_vec()).map_err(|_| CryptoError::Utf8)
}

/// Validates PKCS#7 padding with block size 32; returns the unpadded length.
fn strip_pkcs7(buf: &[u8]) -> Result<usize, CryptoError> {
    let pad = usize::from(*buf.last().ok_or(CryptoError::Padding)?);
    if pad == 0 || pad > PAD_BLOCK || pad > buf.len() {
        return Err(CryptoError::Padding);
    }
    let start = buf.len() - pad;
    if buf[start..].iter().any(|&b| usize::from(b) != pad) {
        return Err(CryptoError::Padding);
    }
    Ok(start)
}
