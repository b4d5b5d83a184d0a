//! WeChat Official Account wire format: signatures, safe-mode crypto, XML messages,
//! passive replies and the customer-service API.

use base64::Engine as _;
use kefu_channels::wechat::api::{API_BASE, ErrorClass, SERVICE_WINDOW_SECS, STABLE_TOKEN_URL};
use kefu_channels::wechat::crypto::AesKey;
use kefu_channels::wechat::envelope::build_reply_envelope;
use kefu_channels::wechat::xml::parse_fields;
use kefu_channels::wechat::*;
use proptest::prelude::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Vectors
// ---------------------------------------------------------------------------------------

/// Official WXBizMsgCrypt Python sample (`Sample.py`, "WXBizMsgCrypt 使用demo文件", by
/// jonyqin, 2014), part of the sample code linked from 消息加解密说明. Its `from_xml` is a
/// compatible-mode push: plaintext fields plus `<Encrypt>`.
mod official_sample {
    pub const TOKEN: &str = "spamtest";
    pub const ENCODING_AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    pub const APP_ID: &str = "wx2c2769f8efd9abc2";
    pub const TIMESTAMP: &str = "1409735669";
    pub const NONCE: &str = "1320562132";
    pub const MSG_SIGNATURE: &str = "5d197aaffba7e9b25a30732f161a50dee96bd5fa";
    pub const FROM_XML: &str = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]></Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=]]></Encrypt></xml>";
    /// The plaintext it decrypts to (checked independently with Python `cryptography`).
    pub const PLAINTEXT: &str = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>";
}

/// wechatpy `tests/test_crypto.py` (`CryptoTestCase`, WeChat Work crypto, which is the same
/// WXBizMsgCrypt algorithm with the CorpID in place of the AppID).
mod wechatpy {
    pub const TOKEN: &str = "123456";
    pub const ENCODING_AES_KEY: &str = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR";
    pub const APP_ID: &str = "wx49f0ab532d5d035a";
    /// `test_check_signature_should_ok`: encrypted URL verification.
    pub const ECHO_SIGNATURE: &str = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96";
    pub const ECHO_TIMESTAMP: &str = "1411443780";
    pub const ECHO_NONCE: &str = "437374425";
    pub const ECHO_STR: &str =
        "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==";
    /// `test_encrypt_message`: random prefix "1234567890123456".
    pub const REPLY: &str = "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>";
    pub const REPLY_NONCE: &str = "461056294";
    pub const REPLY_TIMESTAMP: &str = "1411525903";
    pub const REPLY_ENCRYPT: &str = "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3";
    pub const REPLY_SIGNATURE: &str = "407518b7649e86ef23978113f92d27afa9296533";
    /// `test_decrypt_message`.
    pub const PUSH_XML: &str = "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA[RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>";
    pub const PUSH_SIGNATURE: &str = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d";
}

fn official_crypt() -> MsgCrypt {
    use official_sample::*;
    MsgCrypt::new(TOKEN, ENCODING_AES_KEY, APP_ID).unwrap()
}

fn wechatpy_crypt() -> MsgCrypt {
    use wechatpy::*;
    MsgCrypt::new(TOKEN, ENCODING_AES_KEY, APP_ID).unwrap()
}

// ---------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------

#[test]
fn signature_matches_official_url_verification_example() {
    // 消息推送 / 接入指南 example: Token "AAAAA", sorted ["1514711492","1714036504","AAAAA"].
    let sig = signature("AAAAA", "1714036504", "1514711492");
    assert_eq!(sig, "f464b24fc39322e44b38aa78f5edd27bd1441696");
    assert_eq!(
        verify_url_plain(
            "AAAAA",
            &sig,
            "1714036504",
            "1514711492",
            "4375120948345356249"
        ),
        Ok("4375120948345356249")
    );
}

#[test]
fn signature_matches_official_plain_push_example() {
    // 消息加解密说明, 明文模式 example.
    assert_eq!(
        signature("AAAAA", "1714037059", "486452656"),
        "899cf89e464efb63f54ddac96b0a0a235f53aa78"
    );
}

#[test]
fn signature_matches_wechatpy_vector() {
    // wechatpy tests/test_utils.py, test_check_signature_should_ok / _should_fail.
    assert!(verify_signature(
        "test",
        "1410685589",
        "test",
        "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"
    ));
    assert!(!verify_signature(
        "test",
        "1410685589",
        "test",
        "f21891de399b4e33a1a93c9a7b8a8fffb5a443fe"
    ));
}

#[test]
fn signature_sorts_before_hashing() {
    // sha1("123456789"); wechatpy test_wechat_card_signer adds "789","456","123".
    assert_eq!(
        signature("789", "456", "123"),
        "f7c3bc1d808e04732adf679965ccc34ca7ae3441"
    );
    assert_eq!(
        signature("123", "789", "456"),
        signature("456", "123", "789")
    );
}

#[test]
fn verify_accepts_uppercase_and_rejects_wrong_or_short() {
    let sig = signature("AAAAA", "1714036504", "1514711492");
    assert!(verify_signature(
        "AAAAA",
        "1714036504",
        "1514711492",
        &sig.to_uppercase()
    ));
    assert!(!verify_signature("AAAAA", "1714036504", "1514711492", ""));
    assert!(!verify_signature(
        "AAAAA",
        "1714036504",
        "1514711492",
        &sig[..39]
    ));
    assert!(!verify_signature("AAAAB", "1714036504", "1514711492", &sig));
    assert_eq!(
        verify_url_plain("AAAAA", "deadbeef", "1714036504", "1514711492", "x"),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn msg_signature_matches_official_sample() {
    use official_sample::*;
    let encrypt = parse_encrypted_envelope(FROM_XML).unwrap().encrypt;
    assert_eq!(
        msg_signature(TOKEN, TIMESTAMP, NONCE, &encrypt),
        MSG_SIGNATURE
    );
    assert!(verify_msg_signature(
        TOKEN,
        TIMESTAMP,
        NONCE,
        &encrypt,
        MSG_SIGNATURE
    ));
    assert!(!verify_msg_signature(
        TOKEN,
        TIMESTAMP,
        "1320562133",
        &encrypt,
        MSG_SIGNATURE
    ));
}

// ---------------------------------------------------------------------------------------
// AES safe mode
// ---------------------------------------------------------------------------------------

#[test]
fn aes_key_accepts_keys_with_nonzero_trailing_bits() {
    // 'G' leaves two non-zero trailing bits: a strict base64 decoder would reject this key.
    let key = AesKey::from_encoding_aes_key(official_sample::ENCODING_AES_KEY).unwrap();
    assert_eq!(key.as_bytes().len(), 32);
    assert_eq!(&key.as_bytes()[..3], &[0x69, 0xb7, 0x1d]); // "abcd" → 69 b7 1d
}

#[test]
fn aes_key_rejects_wrong_length_or_alphabet() {
    assert_eq!(
        AesKey::from_encoding_aes_key("short"),
        Err(CryptoError::InvalidAesKey)
    );
    assert_eq!(
        AesKey::from_encoding_aes_key(&"a".repeat(44)),
        Err(CryptoError::InvalidAesKey)
    );
    let bad = format!("{}!", &official_sample::ENCODING_AES_KEY[..42]);
    assert_eq!(
        AesKey::from_encoding_aes_key(&bad),
        Err(CryptoError::InvalidAesKey)
    );
    assert!(MsgCrypt::new("t", "nope", "wx").is_err());
}

#[test]
fn decrypts_official_sample_push() {
    use official_sample::*;
    let crypt = official_crypt();
    let plain = crypt
        .decrypt_message(FROM_XML, MSG_SIGNATURE, TIMESTAMP, NONCE)
        .unwrap();
    assert_eq!(plain, PLAINTEXT);
    let msg = parse_message(&plain).unwrap();
    assert_eq!(msg.openid(), "oyORnuP8q7ou2gfYjqLzSIWZf0rs");
    assert_eq!(msg.msg_id, Some(6054768590064713728));
    assert_eq!(
        msg.kind,
        MessageKind::Text {
            content: "abcdteT".into()
        }
    );
}

#[test]
fn decrypt_message_rejects_bad_signature_before_decrypting() {
    use official_sample::*;
    let err = official_crypt()
        .decrypt_message(FROM_XML, MSG_SIGNATURE, "1409735670", NONCE)
        .unwrap_err();
    assert_eq!(err, VerifyError::BadSignature);
}

#[test]
fn decrypts_wechatpy_push() {
    use wechatpy::*;
    let plain = wechatpy_crypt()
        .decrypt_message(PUSH_XML, PUSH_SIGNATURE, REPLY_TIMESTAMP, REPLY_NONCE)
        .unwrap();
    let fields = parse_fields(&plain).unwrap();
    assert_eq!(fields.get("Content"), Some("test"));
    assert_eq!(fields.get("FromUserName"), Some("messense"));
}

#[test]
fn encrypted_url_verification_returns_decrypted_echostr() {
    use wechatpy::*;
    let crypt = wechatpy_crypt();
    assert_eq!(
        crypt
            .verify_url(ECHO_SIGNATURE, ECHO_TIMESTAMP, ECHO_NONCE, ECHO_STR)
            .unwrap(),
        "5927782489442352469"
    );
    // wechatpy test_check_signature_should_fail: nonce off by one.
    assert_eq!(
        crypt.verify_url(ECHO_SIGNATURE, ECHO_TIMESTAMP, "437374424", ECHO_STR),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn encrypt_is_deterministic_given_the_random_prefix() {
    use wechatpy::*;
    let crypt = wechatpy_crypt();
    let encrypt = crypt.encrypt(REPLY, *b"1234567890123456");
    assert_eq!(encrypt, REPLY_ENCRYPT);

    let envelope = crypt.encrypt_reply(REPLY, REPLY_TIMESTAMP, REPLY_NONCE, *b"1234567890123456");
    assert_eq!(
        envelope,
        format!(
            "<xml><Encrypt><![CDATA[{REPLY_ENCRYPT}]]></Encrypt>\
             <MsgSignature><![CDATA[{REPLY_SIGNATURE}]]></MsgSignature>\
             <TimeStamp>{REPLY_TIMESTAMP}</TimeStamp>\
             <Nonce><![CDATA[{REPLY_NONCE}]]></Nonce></xml>"
        )
    );
    let fields = parse_fields(&envelope).unwrap();
    assert_eq!(fields.get("Encrypt"), Some(REPLY_ENCRYPT));
    assert_eq!(fields.get("MsgSignature"), Some(REPLY_SIGNATURE));
    assert_eq!(fields.get("TimeStamp"), Some(REPLY_TIMESTAMP));
    assert_eq!(fields.get("Nonce"), Some(REPLY_NONCE));
    assert_eq!(
        build_reply_envelope(REPLY_ENCRYPT, REPLY_SIGNATURE, REPLY_TIMESTAMP, REPLY_NONCE),
        envelope
    );
}

#[test]
fn aes_round_trip_and_padding_to_32() {
    let key = AesKey::from_encoding_aes_key(wechatpy::ENCODING_AES_KEY).unwrap();
    for len in 0..=70 {
        let msg = "x".repeat(len);
        let b64 = encrypt(&key, "wxapp", &msg, [7; 16]);
        let raw_len = b64_decode(&b64).len();
        assert_eq!(raw_len % 32, 0, "padded to 32 for len {len}");
        // 16 + 4 + len + 5, then 1..=32 bytes of padding.
        assert!(raw_len > 16 + 4 + len + 5 && raw_len <= 16 + 4 + len + 5 + 32);
        assert_eq!(decrypt(&key, "wxapp", &b64).unwrap(), msg);
    }
}

fn b64_decode(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn b64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn decrypt_rejects_wrong_app_id() {
    use official_sample::*;
    let encrypt = parse_encrypted_envelope(FROM_XML).unwrap().encrypt;
    let key = AesKey::from_encoding_aes_key(ENCODING_AES_KEY).unwrap();
    assert_eq!(
        decrypt(&key, "wx2c2769f8efd9abc3", &encrypt),
        Err(CryptoError::AppIdMismatch)
    );
    assert_eq!(
        decrypt(&key, "wx2c2769f8efd9abc", &encrypt),
        Err(CryptoError::AppIdMismatch)
    );
    let other = MsgCrypt::new(TOKEN, ENCODING_AES_KEY, "wxother").unwrap();
    assert_eq!(
        other.decrypt_message(FROM_XML, MSG_SIGNATURE, TIMESTAMP, NONCE),
        Err(VerifyError::Crypto(CryptoError::AppIdMismatch))
    );
}

#[test]
fn decrypt_rejects_wrong_key_or_tampered_padding() {
    let key = AesKey::from_encoding_aes_key(wechatpy::ENCODING_AES_KEY).unwrap();
    let b64 = encrypt(&key, "wxapp", "hello", [1; 16]);

    // Another key garbles the last block: the padding check catches it (or, with
    // negligible probability, the length/app id checks).
    let other = AesKey::from_encoding_aes_key(official_sample::ENCODING_AES_KEY).unwrap();
    assert!(decrypt(&other, "wxapp", &b64).is_err());

    // Flipping a bit of the second-to-last ciphertext block flips the same bit of the
    // last plaintext block, i.e. of the padding byte.
    let mut raw = b64_decode(&b64);
    let n = raw.len();
    raw[n - 17] ^= 0x01;
    assert_eq!(
        decrypt(&key, "wxapp", &b64_encode(&raw)),
        Err(CryptoError::Padding)
    );
    // A padding byte above 32 ("hello": 16+4+5+5 = 30 bytes, so 2 bytes of padding = 0x02).
    let mut raw = b64_decode(&b64);
    raw[n - 17] ^= 0x02 ^ 0x21;
    assert_eq!(
        decrypt(&key, "wxapp", &b64_encode(&raw)),
        Err(CryptoError::Padding)
    );
}

#[test]
fn decrypt_rejects_tampered_length_field() {
    let key = AesKey::from_encoding_aes_key(wechatpy::ENCODING_AES_KEY).unwrap();
    let b64 = encrypt(&key, "wxapp", "hello", [1; 16]);
    // Byte 16..20 is the length, in the second AES block: flip it through the first
    // ciphertext block (which is that block's IV). Length 5 → 5 + 0x100.
    let mut raw = b64_decode(&b64);
    raw[2] ^= 0x01;
    assert_eq!(
        decrypt(&key, "wxapp", &b64_encode(&raw)),
        Err(CryptoError::Length)
    );
}

#[test]
fn decrypt_rejects_malformed_ciphertext() {
    let key = AesKey::from_encoding_aes_key(wechatpy::ENCODING_AES_KEY).unwrap();
    assert_eq!(decrypt(&key, "wx", "not base64!"), Err(CryptoError::Base64));
    assert_eq!(
        decrypt(&key, "wx", ""),
        Err(CryptoError::CiphertextLength(0))
    );
    assert_eq!(
        decrypt(&key, "wx", &b64_encode(&[0u8; 20])),
        Err(CryptoError::CiphertextLength(20))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encrypt_decrypt_round_trip(msg in any::<String>(), app_id in "[a-z0-9]{1,32}", random in any::<[u8; 16]>()) {
        let crypt = MsgCrypt::new("token", wechatpy::ENCODING_AES_KEY, &app_id).unwrap();
        let b64 = crypt.encrypt(&msg, random);
        let key = AesKey::from_encoding_aes_key(wechatpy::ENCODING_AES_KEY).unwrap();
        prop_assert_eq!(decrypt(&key, &app_id, &b64).unwrap(), msg.clone());

        // And through the full reply envelope, as WeChat would read it.
        let envelope = crypt.encrypt_reply(&msg, "1700000000", "nonce", random);
        let fields = parse_fields(&envelope).unwrap();
        let signature = fields.get("MsgSignature").unwrap().to_owned();
        prop_assert_eq!(
            crypt.decrypt_message(&envelope, &signature, "1700000000", "nonce").unwrap(),
            msg
        );
    }
}

// ---------------------------------------------------------------------------------------
// Envelope and encrypt_type
// ---------------------------------------------------------------------------------------

#[test]
fn parses_inbound_encrypted_envelope() {
    let env = parse_encrypted_envelope(
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[msg_encrypt]]></Encrypt></xml>",
    )
    .unwrap();
    assert_eq!(env.to_user_name.as_deref(), Some("toUser"));
    assert_eq!(env.encrypt, "msg_encrypt");
    assert_eq!(
        parse_encrypted_envelope("<xml><ToUserName>a</ToUserName></xml>"),
        Err(MessageError::MissingField("Encrypt"))
    );
}

#[test]
fn encrypt_type_from_query() {
    assert_eq!(EncryptType::from_query(None), Some(EncryptType::Raw));
    assert_eq!(EncryptType::from_query(Some("raw")), Some(EncryptType::Raw));
    assert_eq!(EncryptType::from_query(Some("aes")), Some(EncryptType::Aes));
    assert_eq!(EncryptType::from_query(Some("des")), None);
}

// ---------------------------------------------------------------------------------------
// Inbound messages: samples copied from 接收普通消息 / 接收事件推送
// ---------------------------------------------------------------------------------------

fn parse(xml: &str) -> InboundMessage {
    parse_message(xml).unwrap_or_else(|e| panic!("{e}: {xml}"))
}

#[test]
fn parses_text_message() {
    let msg = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[this is a test]]></Content>
  <MsgId>1234567890123456</MsgId>
  <MsgDataId>xxxx</MsgDataId>
  <Idx>xxxx</Idx>
</xml>",
    );
    assert_eq!(
        msg,
        InboundMessage {
            to_user_name: "toUser".into(),
            from_user_name: "fromUser".into(),
            create_time: 1348831860,
            msg_type: "text".into(),
            msg_id: Some(1234567890123456),
            kind: MessageKind::Text {
                content: "this is a test".into()
            },
        }
    );
    assert_eq!(msg.dedup_key(), "msg:1234567890123456");
}

#[test]
fn parses_image_message() {
    let msg = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[image]]></MsgType>
  <PicUrl><![CDATA[this is a url]]></PicUrl>
  <MediaId><![CDATA[media_id]]></MediaId>
  <MsgId>1234567890123456</MsgId>
</xml>",
    );
    assert_eq!(
        msg.kind,
        MessageKind::Image {
            pic_url: "this is a url".into(),
            media_id: "media_id".into()
        }
    );
}

#[test]
fn parses_voice_message_with_and_without_recognition() {
    let plain = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1357290913</CreateTime>
  <MsgType><![CDATA[voice]]></MsgType>
  <MediaId><![CDATA[media_id]]></MediaId>
  <Format><![CDATA[Format]]></Format>
  <MsgId>1234567890123456</MsgId>
</xml>",
    );
    assert_eq!(
        plain.kind,
        MessageKind::Voice {
            media_id: "media_id".into(),
            format: "Format".into(),
            recognition: None
        }
    );
    let recognized = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1357290913</CreateTime>
  <MsgType><![CDATA[voice]]></MsgType>
  <MediaId><![CDATA[media_id]]></MediaId>
  <Format><![CDATA[Format]]></Format>
  <Recognition><![CDATA[腾讯微信团队]]></Recognition>
  <MsgId>1234567890123456</MsgId>
</xml>",
    );
    assert_eq!(
        recognized.kind,
        MessageKind::Voice {
            media_id: "media_id".into(),
            format: "Format".into(),
            recognition: Some("腾讯微信团队".into())
        }
    );
}

#[test]
fn parses_video_and_shortvideo_messages() {
    let video = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1357290913</CreateTime>
  <MsgType><![CDATA[video]]></MsgType>
  <MediaId><![CDATA[media_id]]></MediaId>
  <ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>
  <MsgId>1234567890123456</MsgId>
</xml>",
    );
    assert_eq!(
        video.kind,
        MessageKind::Video {
            media_id: "media_id".into(),
            thumb_media_id: "thumb_media_id".into()
        }
    );
    let short = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1357290913</CreateTime>
  <MsgType><![CDATA[shortvideo]]></MsgType>
  <MediaId><![CDATA[media_id]]></MediaId>
  <ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>
  <MsgId>1234567890123456</MsgId>
</xml>",
    );
    assert_eq!(
        short.kind,
        MessageKind::ShortVideo {
            media_id: "media_id".into(),
            thumb_media_id: "thumb_media_id".into()
        }
    );
}

#[test]
fn parses_location_message() {
    let msg = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1351776360</CreateTime>
  <MsgType><![CDATA[location]]></MsgType>
  <Location_X>23.134521</Location_X>
  <Location_Y>113.358803</Location_Y>
  <Scale>20</Scale>
  <Label><![CDATA[位置信息]]></Label>
  <MsgId>1234567890123456</MsgId>
</xml>",
    );
    assert_eq!(
        msg.kind,
        MessageKind::Location {
            x: 23.134521,
            y: 113.358803,
            scale: 20.0,
            label: "位置信息".into()
        }
    );
}

#[test]
fn parses_link_message() {
    let msg = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1351776360</CreateTime>
  <MsgType><![CDATA[link]]></MsgType>
  <Title><![CDATA[公众平台官网链接]]></Title>
  <Description><![CDATA[公众平台官网链接]]></Description>
  <Url><![CDATA[url]]></Url>
  <MsgId>1234567890123456</MsgId>
</xml>",
    );
    assert_eq!(
        msg.kind,
        MessageKind::Link {
            title: "公众平台官网链接".into(),
            description: "公众平台官网链接".into(),
            url: "url".into()
        }
    );
}

#[test]
fn parses_subscribe_and_unsubscribe_events() {
    let msg = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[subscribe]]></Event>
</xml>",
    );
    assert_eq!(
        msg.kind,
        MessageKind::Event(Event::Subscribe {
            event_key: None,
            ticket: None
        })
    );
    assert_eq!(msg.msg_id, None);
    assert_eq!(msg.dedup_key(), "evt:FromUser:123456789");

    let unsubscribe = parse(
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName><CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unsubscribe]]></Event></xml>",
    );
    assert_eq!(unsubscribe.kind, MessageKind::Event(Event::Unsubscribe));
}

#[test]
fn parses_subscribe_through_qr_code() {
    let msg = parse(
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[subscribe]]></Event>
  <EventKey><![CDATA[qrscene_123123]]></EventKey>
  <Ticket><![CDATA[TICKET]]></Ticket>
</xml>",
    );
    assert_eq!(
        msg.kind,
        MessageKind::Event(Event::Subscribe {
            event_key: Some("qrscene_123123".into()),
            ticket: Some("TICKET".into())
        })
    );
}

#[test]
fn parses_scan_event() {
    let msg = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[SCAN]]></Event>
  <EventKey><![CDATA[SCENE_VALUE]]></EventKey>
  <Ticket><![CDATA[TICKET]]></Ticket>
</xml>",
    );
    assert_eq!(
        msg.kind,
        MessageKind::Event(Event::Scan {
            event_key: "SCENE_VALUE".into(),
            ticket: "TICKET".into()
        })
    );
}

#[test]
fn parses_location_event() {
    let msg = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[LOCATION]]></Event>
  <Latitude>23.137466</Latitude>
  <Longitude>113.352425</Longitude>
  <Precision>119.385040</Precision>
</xml>",
    );
    assert_eq!(
        msg.kind,
        MessageKind::Event(Event::Location {
            lat: 23.137466,
            lng: 113.352425,
            precision: 119.38504
        })
    );
}

#[test]
fn parses_click_and_view_events() {
    let click = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[CLICK]]></Event>
  <EventKey><![CDATA[EVENTKEY]]></EventKey>
</xml>",
    );
    assert_eq!(
        click.kind,
        MessageKind::Event(Event::Click {
            event_key: "EVENTKEY".into()
        })
    );
    let view = parse(
        "<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[VIEW]]></Event>
  <EventKey><![CDATA[www.qq.com]]></EventKey>
</xml>",
    );
    assert_eq!(
        view.kind,
        MessageKind::Event(Event::View {
            event_key: "www.qq.com".into()
        })
    );
}

#[test]
fn keeps_unknown_events_and_message_types() {
    let event = parse(
        "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[scancode_push]]></Event><EventKey><![CDATA[k]]></EventKey><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo></xml>",
    );
    assert_eq!(
        event.kind,
        MessageKind::Event(Event::Other("scancode_push".into()))
    );
    let unknown = parse(
        "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>miniprogrampage</MsgType><MsgId>9</MsgId></xml>",
    );
    assert_eq!(unknown.kind, MessageKind::Unknown("miniprogrampage".into()));
}

#[test]
fn reads_plain_text_values_entities_and_padded_cdata() {
    // The official WXBizMsgCrypt sample writes `<MsgType>  <![CDATA[video]]></MsgType>`.
    let msg = parse(
        "<?xml version=\"1.0\"?><!-- push --><xml><ToUserName>gh</ToUserName><FromUserName> o1 </FromUserName><CreateTime> 7 </CreateTime><MsgType>  <![CDATA[text]]></MsgType><Content>a &lt;b&gt; &amp; &#20320;&#x597D; &quot;q&apos;</Content></xml>",
    );
    assert_eq!(msg.from_user_name, "o1");
    assert_eq!(msg.create_time, 7);
    assert_eq!(
        msg.kind,
        MessageKind::Text {
            content: "a <b> & 你好 \"q'".into()
        }
    );
    // CDATA content keeps its own whitespace and markup.
    let msg = parse(
        "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>7</CreateTime><MsgType>text</MsgType><Content><![CDATA[  <b>&amp;</b> ]]></Content></xml>",
    );
    assert_eq!(
        msg.kind,
        MessageKind::Text {
            content: "  <b>&amp;</b> ".into()
        }
    );
}

/// Checks that an error is the one expected.
type ErrorCheck = fn(&MessageError) -> bool;

#[test]
fn malformed_xml_is_a_typed_error() {
    let cases: &[(&str, ErrorCheck)] = &[
        ("", |e| {
            matches!(e, MessageError::Xml(XmlError::NotWechatXml))
        }),
        ("not xml at all", |e| matches!(e, MessageError::Xml(_))),
        ("<root><MsgType>text</MsgType></root>", |e| {
            matches!(e, MessageError::Xml(XmlError::NotWechatXml))
        }),
        ("<xml><MsgType>text</MsgType>", |e| {
            matches!(e, MessageError::Xml(XmlError::Syntax(_)))
        }),
        ("<xml><MsgType>text</Content></xml>", |e| {
            matches!(e, MessageError::Xml(XmlError::Syntax(_)))
        }),
        ("<xml></xml><xml></xml>", |e| {
            matches!(e, MessageError::Xml(XmlError::Syntax(_)))
        }),
        (
            "<!DOCTYPE x [<!ENTITY e \"boom\">]><xml><MsgType>&e;</MsgType></xml>",
            |e| matches!(e, MessageError::Xml(XmlError::DocType)),
        ),
        (
            "<xml><MsgType>&e;</MsgType></xml>",
            |e| matches!(e, MessageError::Xml(XmlError::UnknownEntity(n)) if n == "e"),
        ),
        ("<xml><MsgType><![CDATA[text]]></MsgType></xml>", |e| {
            matches!(e, MessageError::MissingField("ToUserName"))
        }),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime></xml>",
            |e| matches!(e, MessageError::MissingField("MsgType")),
        ),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>soon</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>",
            |e| {
                matches!(
                    e,
                    MessageError::InvalidField {
                        field: "CreateTime",
                        ..
                    }
                )
            },
        ),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>image</MsgType><MediaId>m</MediaId></xml>",
            |e| matches!(e, MessageError::MissingField("PicUrl")),
        ),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>LOCATION</Event><Latitude>NaN</Latitude><Longitude>1</Longitude><Precision>1</Precision></xml>",
            |e| {
                matches!(
                    e,
                    MessageError::InvalidField {
                        field: "Latitude",
                        ..
                    }
                )
            },
        ),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>SCAN</Event></xml>",
            |e| matches!(e, MessageError::MissingField("EventKey")),
        ),
        (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content><MsgId>-3</MsgId></xml>",
            |e| matches!(e, MessageError::InvalidField { field: "MsgId", .. }),
        ),
    ];
    for (xml, check) in cases {
        let err = parse_message(xml).expect_err(xml);
        assert!(check(&err), "{xml}: unexpected {err:?}");
    }
}

proptest! {
    #[test]
    fn parse_message_never_panics(input in ".{0,200}") {
        let _ = parse_message(&input);
        let _ = parse_message(&format!("<xml><MsgType>text</MsgType>{input}</xml>"));
    }

    #[test]
    fn cdata_round_trips_any_text(content in any::<String>()) {
        let xml = text_reply("o1", "gh", 1, &content);
        let msg = parse_message(&xml).unwrap();
        // Characters XML cannot carry are dropped; XML parsers turn `\r\n` and `\r` into `\n`.
        let expected: String = content
            .chars()
            .filter(|&c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
            .collect::<String>()
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        let got = match msg.kind {
            MessageKind::Text { content } => content,
            other => panic!("{other:?}"),
        };
        prop_assert_eq!(got, expected);
    }
}

// ---------------------------------------------------------------------------------------
// Passive replies
// ---------------------------------------------------------------------------------------

#[test]
fn builds_text_reply() {
    assert_eq!(
        text_reply("toUser", "fromUser", 12345678, "你好"),
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>12345678</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>"
    );
    assert_eq!(SUCCESS_REPLY, "success");
}

#[test]
fn builds_image_reply() {
    assert_eq!(
        image_reply("toUser", "fromUser", 12345678, "media_id"),
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>12345678</CreateTime><MsgType><![CDATA[image]]></MsgType><Image><MediaId><![CDATA[media_id]]></MediaId></Image></xml>"
    );
}

#[test]
fn cdata_terminator_in_content_is_split() {
    let content = "a]]>b<![CDATA[c]]]]>d\u{0}e";
    let xml = text_reply("o1", "gh", 1, content);
    assert!(
        xml.contains(
            "<Content><![CDATA[a]]]]><![CDATA[>b<![CDATA[c]]]]]]><![CDATA[>de]]></Content>"
        ),
        "{xml}"
    );
    let msg = parse_message(&xml).unwrap();
    assert_eq!(
        msg.kind,
        MessageKind::Text {
            content: "a]]>b<![CDATA[c]]]]>de".into()
        }
    );
    // Identity fields are escaped the same way.
    let xml = text_reply("o]]><x>", "gh", 1, "hi");
    assert_eq!(parse_message(&xml).unwrap().to_user_name, "o]]><x>");
}

// ---------------------------------------------------------------------------------------
// Customer-service API
// ---------------------------------------------------------------------------------------

#[test]
fn builds_custom_send_bodies() {
    let text: Value =
        serde_json::from_str(&custom_send_text_body("OPENID", "Hello \"World\" 你好")).unwrap();
    assert_eq!(
        text,
        json!({"touser": "OPENID", "msgtype": "text", "text": {"content": "Hello \"World\" 你好"}})
    );
    let image: Value = serde_json::from_str(&custom_send_image_body("OPENID", "MEDIA_ID")).unwrap();
    assert_eq!(
        image,
        json!({"touser": "OPENID", "msgtype": "image", "image": {"media_id": "MEDIA_ID"}})
    );
    // Non-ASCII goes out as UTF-8, not as \u escapes.
    assert!(custom_send_text_body("o", "你好").contains("你好"));
}

#[test]
fn builds_urls_and_token_bodies() {
    assert_eq!(
        custom_send_url("ACCESS_TOKEN"),
        "https://api.weixin.qq.com/cgi-bin/message/custom/send?access_token=ACCESS_TOKEN"
    );
    assert_eq!(
        custom_send_url("a+b/c="),
        format!("{API_BASE}/cgi-bin/message/custom/send?access_token=a%2Bb%2Fc%3D")
    );
    assert_eq!(
        access_token_url("APPID", "APPSECRET"),
        "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=APPID&secret=APPSECRET"
    );
    assert_eq!(
        STABLE_TOKEN_URL,
        "https://api.weixin.qq.com/cgi-bin/stable_token"
    );
    let body: Value =
        serde_json::from_str(&stable_token_body("APPID", "APPSECRET", false)).unwrap();
    assert_eq!(
        body,
        json!({"grant_type": "client_credential", "appid": "APPID", "secret": "APPSECRET", "force_refresh": false})
    );
}

#[test]
fn parses_token_and_errcode_responses() {
    let token = parse_access_token_response(r#"{"access_token":"ACCESS_TOKEN","expires_in":7200}"#)
        .unwrap();
    assert_eq!(token.access_token, "ACCESS_TOKEN");
    assert_eq!(token.expires_in, 7200);
    assert!(!format!("{token:?}").contains("ACCESS_TOKEN"));

    assert_eq!(
        parse_errcode_response(r#"{"errcode":0,"errmsg":"ok"}"#),
        Ok(())
    );
    assert_eq!(
        parse_access_token_response(r#"{"errcode":40013,"errmsg":"invalid appid"}"#),
        Err(ApiError::Wechat {
            errcode: 40013,
            errmsg: "invalid appid".into()
        })
    );
    assert!(matches!(
        parse_errcode_response("<html>502 Bad Gateway</html>"),
        Err(ApiError::Malformed(_))
    ));
    assert!(matches!(
        parse_errcode_response("{}"),
        Err(ApiError::Malformed(_))
    ));
    assert!(matches!(
        parse_access_token_response(r#"{"expires_in":7200}"#),
        Err(ApiError::Malformed(_))
    ));
}

#[test]
fn classifies_errcodes() {
    let class = |body: &str| parse_errcode_response(body).unwrap_err().class();
    assert_eq!(
        class(
            r#"{"errcode":45015,"errmsg":"response out of time limit or subscription is canceled"}"#
        ),
        ErrorClass::ServiceWindowExpired
    );
    for code in [40001, 40014, 42001] {
        assert_eq!(
            class(&format!(r#"{{"errcode":{code},"errmsg":"x"}}"#)),
            ErrorClass::TokenInvalid
        );
    }
    assert_eq!(
        class(r#"{"errcode":-1,"errmsg":"system error"}"#),
        ErrorClass::Busy
    );
    for code in [40003, 45047, 48001, 40013] {
        assert_eq!(ErrorClass::from_errcode(code), ErrorClass::Permanent);
    }
    assert_eq!(ApiError::Malformed("x".into()).class(), ErrorClass::Busy);
    assert!(
        parse_errcode_response(r#"{"errcode":42001,"errmsg":"access_token expired"}"#)
            .unwrap_err()
            .is_retryable()
    );
    assert!(
        !parse_errcode_response(r#"{"errcode":45015,"errmsg":"x"}"#)
            .unwrap_err()
            .is_retryable()
    );
}

#[test]
fn service_window_is_48_hours() {
    let last = 1_700_000_000;
    assert!(within_service_window(last, last));
    assert!(within_service_window(last, last + SERVICE_WINDOW_SECS - 1));
    assert!(!within_service_window(last, last + SERVICE_WINDOW_SECS));
    assert!(!within_service_window(last, last + 72 * 3600));
    assert!(within_service_window(last, last - 60)); // clock skew
    assert!(!within_service_window(i64::MIN, i64::MAX));
}
