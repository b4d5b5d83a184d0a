//! `kefu mail ingest` as an MTA pipe and as a file importer, on the embedded defaults: a
//! message on standard input opens a ticket, the same message again is a duplicate, and the
//! whole corpus goes in with exit status 0 and one JSON line per message.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

const KEFU: &str = env!("CARGO_BIN_EXE_kefu");

fn scratch() -> PathBuf {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("kefu-test-mail-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn kefu(dir: &Path) -> Command {
    let mut cmd = Command::new(KEFU);
    cmd.current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("KEFU_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("KEFU_LOG__LEVEL", "warn");
    cmd
}

fn ingest_stdin(dir: &Path, raw: &[u8]) -> (i32, String) {
    let mut child = kefu(dir)
        .args(["mail", "ingest", "--mailbox", "support"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let last = stdout.lines().last().unwrap_or("").to_owned();
    (out.status.code().unwrap_or(-1), last)
}

#[test]
fn mail_ingest_pipe_and_files() {
    let dir = scratch();
    let raw = b"From: =?UTF-8?B?5byg5Lyf?= <zhangwei@jinggong.example.cn>\r\n\
        To: support@kefu.test\r\nSubject: =?UTF-8?B?5Li76L205byC5ZON?=\r\n\
        Message-ID: <pipe-1@jinggong.example.cn>\r\n\r\n3\xe5\x8f\xb7\xe6\x9c\xba\xe5\xba\x8a\r\n";
    let (code, line) = ingest_stdin(&dir, raw);
    assert_eq!(code, 0, "{line}");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["outcome"], "opened", "{line}");
    assert!(v["number"].as_str().unwrap().starts_with("SR-"));
    let (code, line) = ingest_stdin(&dir, raw);
    assert_eq!(code, 0);
    let again: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(again["outcome"], "duplicate");
    assert_eq!(again["ticket_id"], v["ticket_id"]);

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kefu-channels/tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    let out = kefu(&dir)
        .args(["mail", "ingest"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), files.len());
    let count = |o: &str| lines.iter().filter(|l| l["outcome"] == o).count();
    // The corpus holds noise (auto-replies, bulk, list, bounces) and one re-fetched duplicate.
    assert!(count("ignored") >= 6, "{lines:?}");
    assert!(count("duplicate") >= 1, "{lines:?}");
    assert!(count("opened") >= 30, "{lines:?}");
    std::fs::remove_dir_all(&dir).ok();
}
