//! The parser against real mail nobody here wrote (`../shared/data/email`): every message
//! parses without panic, and the cases the corpus documents come out as documented. A clone
//! without the shared data skips, saying so.

use std::path::{Path, PathBuf};

use kefu_channels::mail::{Noise, parse, strip_quoted};

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/email");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} is missing (no shared mail corpus)",
            dir.display()
        );
        None
    }
}

fn mail_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            mail_files(&p, out);
        } else {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let meta = name.ends_with(".md") || name.ends_with(".json") || name.ends_with(".csv");
            if !meta {
                out.push(p);
            }
        }
    }
}

fn read(dir: &Path, rel: &str) -> kefu_channels::mail::InboundMail {
    parse(&std::fs::read(dir.join(rel)).unwrap()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn every_shared_message_parses_without_panic() {
    let Some(dir) = shared() else { return };
    let mut files = Vec::new();
    mail_files(&dir, &mut files);
    assert!(files.len() >= 80, "only {} files", files.len());
    let mut parsed = 0;
    for f in &files {
        let raw = std::fs::read(f).unwrap();
        if let Ok(m) = parse(&raw) {
            parsed += 1;
            // Whatever came out is usable text.
            assert!(!m.text.contains('\0'), "{}", f.display());
        }
    }
    // A few "crash" fixtures are not mail at all; nearly everything else must parse.
    assert!(
        parsed * 100 >= files.len() * 90,
        "{parsed} of {}",
        files.len()
    );
    eprintln!("parsed {parsed} of {} shared files", files.len());
}

#[test]
fn chinese_charsets_decode() {
    let Some(dir) = shared() else { return };
    let gbk = read(&dir, "parse-emails/chinese_gbk_encoding.eml");
    assert!(gbk.text.contains("你好，中国"), "{:?}", gbk.text);
    let gb2312 = read(&dir, "parse-emails/chinese_gb2312_encoding.eml");
    assert!(
        gb2312.text.contains("你好，我是程序员"),
        "{:?}",
        gb2312.text
    );
    let big5 = read(&dir, "parse-emails/chinese_big5_encoding.eml");
    assert!(big5.text.contains("圖形碼"), "{:?}", big5.text);
    let raw_utf8 = read(&dir, "parse-emails/chinese_email_test.eml");
    assert_eq!(raw_utf8.subject, "示例邮件");
    let gb18030 = read(&dir, "rt/new-ticket-from-gb18030");
    assert_eq!(gb18030.subject, "测试");
    assert!(gb18030.text.contains("测试"));
}

#[test]
fn bounces_are_noise_and_name_the_undelivered_message() {
    let Some(dir) = shared() else { return };
    for rel in ["cpython/msg_16.eml", "rt/multipart-report"] {
        let m = read(&dir, rel);
        assert_eq!(m.noise, Some(Noise::Bounce), "{rel}");
    }
    let ucla = read(&dir, "cpython/msg_16.eml");
    assert_eq!(
        ucla.bounced_message_id.as_deref(),
        Some("002001c144a6$8752e060$56104586@oxy.edu")
    );
}

#[test]
fn standard_replies_strip_to_hello() {
    let Some(dir) = shared() else { return };
    // talon's own expectation: with the quotation removed, each reply is exactly "Hello".
    for f in ["gmail", "outlook", "hotmail", "apple_mail_2", "yahoo"] {
        let m = read(&dir, &format!("talon/{f}.eml"));
        assert_eq!(
            strip_quoted(&m.text),
            "Hello",
            "talon/{f}.eml: {:?}",
            m.text
        );
    }
}

#[test]
fn threading_headers_of_real_replies() {
    let Some(dir) = shared() else { return };
    let apple = read(&dir, "talon/apple_mail_2.eml");
    assert!(!apple.in_reply_to.is_empty() && !apple.references.is_empty());
    assert!(apple.in_reply_to.iter().all(|id| !id.contains('<')));
    let proxmox = read(&dir, "mail-parser-rs/thirdparty-015.eml");
    assert!(proxmox.subject.contains("#5290765"), "{}", proxmox.subject);
    // mail-parser's own oracle (thirdparty-015.expected.json) lists one top-level attachment:
    // the other two forwarded mails sit inside the first.
    assert_eq!(proxmox.attachments[0].name, "training-mail.txt");
    assert_eq!(proxmox.attachments[0].content_type, "message/rfc822");
}
