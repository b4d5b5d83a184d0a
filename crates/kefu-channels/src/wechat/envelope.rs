//! Safe-mode envelopes: what arrives (`<xml><ToUserName/><Encrypt/></xml>` with
//! `?msg_signature&timestamp&nonce&encrypt_type=aes`) and what goes back
//! (`<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`).

use super::crypto::{self, AesKey};
use super::error::{CryptoError, MessageError, VerifyError};
use super::signature::{msg_signature, verify_msg_signature};
use super::xml::{parse_fields, push_cdata_element, push_text_element};

/// The `encrypt_type` query parameter of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncryptType {
    /// Absent or `raw`: plaintext body (plain mode).
    Raw,
    /// `aes`: encrypted body (safe mode, or compatible mode).
    Aes,
}

impl EncryptType {
    /// Reads the `encrypt_type` query parameter; `None` for a value WeChat does not send.
    pub fn from_query(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("") | Some("raw") => Some(Self::Raw),
            Some("aes") => Some(Self::Aes),
            Some(_) => None,
        }
    }
}

/// The inbound encrypted body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedEnvelope {
    /// `ToUserName`: the account's original id (absent in some platform pushes).
    pub to_user_name: Option<String>,
    /// `Encrypt`: the base64 ciphertext.
    pub encrypt: String,
}

/// Reads the inbound encrypted body (`<xml><ToUserName/><Encrypt/></xml>`; in compatible
/// mode the plaintext fields beside `Encrypt` are ignored).
pub fn parse_encrypted_envelope(xml: &str) -> Result<EncryptedEnvelope, MessageError> {
    let fields = parse_fields(xml)?;
    let encrypt = fields
        .non_empty("Encrypt")
        .ok_or(MessageError::MissingField("Encrypt"))?
        .to_owned();
    Ok(EncryptedEnvelope {
        to_user_name: fields.non_empty("ToUserName").map(str::to_owned),
        encrypt,
    })
}

/// The safe-mode codec of one account: its Token, AES key and AppID (WXBizMsgCrypt).
///
/// WeChat lets an admin change the EncodingAESKey; the documentation suggests keeping the
/// previous key and retrying with it when decryption fails, then replying with the key that
/// worked: hold two `MsgCrypt`s for that.
#[derive(Clone)]
pub struct MsgCrypt {
    token: String,
    key: AesKey,
    app_id: String,
}

impl std::fmt::Debug for MsgCrypt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MsgCrypt")
            .field("token", &"<redacted>")
            .field("key", &self.key)
            .field("app_id", &self.app_id)
            .finish()
    }
}

impl MsgCrypt {
    /// Builds the codec from the console's Token, EncodingAESKey (43 chars) and AppID.
    pub fn new(token: &str, encoding_aes_key: &str, app_id: &str) -> Result<Self, CryptoError> {
        Ok(Self {
            token: token.to_owned(),
            key: AesKey::from_encoding_aes_key(encoding_aes_key)?,
            app_id: app_id.to_owned(),
        })
    }

    /// The AppID payloads are bound to.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// Verifies `msg_signature` over `encrypt`, then decrypts it.
    pub fn decrypt_verified(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<String, VerifyError> {
        if !verify_msg_signature(&self.token, timestamp, nonce, encrypt, msg_signature) {
            return Err(VerifyError::BadSignature);
        }
        Ok(crypto::decrypt(&self.key, &self.app_id, encrypt)?)
    }

    /// Decrypts a pushed body: parses the envelope, verifies `msg_signature` (from the query
    /// string) and returns the plaintext XML, ready for [`super::parse_message`].
    pub fn decrypt_message(
        &self,
        body: &str,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
    ) -> Result<String, VerifyError> {
        let envelope = parse_encrypted_envelope(body)?;
        self.decrypt_verified(msg_signature, timestamp, nonce, &envelope.encrypt)
    }

    /// Encrypted URL verification: `?msg_signature&timestamp&nonce&echostr` where `echostr`
    /// (already URL-decoded) is ciphertext; returns the decrypted echostr to answer.
    pub fn verify_url(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        echostr: &str,
    ) -> Result<String, VerifyError> {
        self.decrypt_verified(msg_signature, timestamp, nonce, echostr)
    }

    /// Encrypts `msg` with the given 16 random prefix bytes; returns the base64 `Encrypt`.
    pub fn encrypt(&self, msg: &str, random: [u8; 16]) -> String {
        crypto::encrypt(&self.key, &self.app_id, msg, random)
    }

    /// Wraps a passive reply (such as [`super::text_reply`]) into the encrypted reply body.
    /// `timestamp` and `nonce` are chosen by the caller (echoing the request's is fine);
    /// `random` should come from a CSPRNG.
    pub fn encrypt_reply(
        &self,
        reply_xml: &str,
        timestamp: &str,
        nonce: &str,
        random: [u8; 16],
    ) -> String {
        let encrypt = self.encrypt(reply_xml, random);
        let signature = msg_signature(&self.token, timestamp, nonce, &encrypt);
        build_reply_envelope(&encrypt, &signature, timestamp, nonce)
    }
}

/// Builds `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>` from its parts.
pub fn build_reply_envelope(
    encrypt: &str,
    msg_signature: &str,
    timestamp: &str,
    nonce: &str,
) -> String {
    let mut out = String::with_capacity(encrypt.len() + 160);
    out.push_str("<xml>");
    push_cdata_element(&mut out, "Encrypt", encrypt);
    push_cdata_element(&mut out, "MsgSignature", msg_signature);
    push_text_element(&mut out, "TimeStamp", timestamp);
    push_cdata_element(&mut out, "Nonce", nonce);
    out.push_str("</xml>");
    out
}
