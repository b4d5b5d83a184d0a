//! `kefu import` on the embedded defaults: a parts file with a bad row exits 2 naming
//! `file:row` and the field and writes nothing; the corrected file's dry run writes nothing
//! either; the real run reports what it created, with its progress on stderr; historical tickets
//! import through the same command.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

const KEFU: &str = env!("CARGO_BIN_EXE_kefu");

/// Runs kefu in `dir`: exit code, stdout, stderr.
fn kefu(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(KEFU);
    cmd.current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("KEFU_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .env("KEFU_LOG__LEVEL", "warn")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir() -> PathBuf {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("kefu-test-import-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn import_parts_and_history_from_the_command_line() {
    let dir = temp_dir();
    let bad = dir.join("parts.csv");
    std::fs::write(
        &bad,
        "物料编码,物料名称,单价\nFU-220,定影组件,1280.5\nLD-40,激光头,abc\n",
    )
    .unwrap();
    let (code, out, err) = kefu(&dir, &["import", "parts", bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("parts.csv:3") && all.contains("unit_price"),
        "{all}"
    );

    std::fs::write(
        &bad,
        "物料编码,物料名称,单价\nFU-220,定影组件,1280.5\nLD-40,激光头,350\n",
    )
    .unwrap();
    let (code, out, err) = kefu(
        &dir,
        &["import", "parts", bad.to_str().unwrap(), "--dry-run"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("dry run (nothing kept): 2 rows: 2 created"),
        "{out}"
    );
    // The dry run wrote nothing: the real run creates both, with its progress on stderr.
    let (code, out, err) = kefu(&dir, &["import", "parts", bad.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 rows: 2 created, 0 updated"), "{out}");
    assert!(
        err.contains("imported 2/2 rows (100%)"),
        "progress on stderr: {err}"
    );
    let (_, out, _) = kefu(&dir, &["import", "parts", bad.to_str().unwrap()]);
    assert!(out.contains("2 rows: 0 created, 2 updated"), "{out}");

    let history = dir.join("history.csv");
    std::fs::write(
        &history,
        "number,state,opened_at,sys_updated_at,priority\n\
         INC1,New,29-02-2016 01:16,29-02-2016 01:23,3 - Moderate\n\
         INC1,Closed,29-02-2016 01:16,05-03-2016 12:00,3 - Moderate\n",
    )
    .unwrap();
    let (code, out, err) = kefu(&dir, &["import", "tickets", history.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("2 rows: 1 created"),
        "an event log of one incident: {out}"
    );
    let (code, out, err) = kefu(&dir, &["import", "tickets", history.to_str().unwrap()]);
    assert_eq!(code, 2, "imported twice: {out}{err}");
    assert!(
        format!("{out}{err}").contains("already in kefu"),
        "{out}{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
