//! `kefu reindex` on the embedded defaults: after `kefu demo` it indexes every ticket into
//! `<data_dir>/index`, and a second run rebuilds the same number (nothing doubled).

use std::path::PathBuf;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

const KEFU: &str = env!("CARGO_BIN_EXE_kefu");

fn kefu(dir: &PathBuf, args: &[&str]) -> (bool, String) {
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
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn reindex_builds_the_index_from_the_database() {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir =
        std::env::temp_dir().join(format!("kefu-test-reindex-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ok, out) = kefu(&dir, &["demo"]);
    assert!(ok, "{out}");
    for _ in 0..2 {
        let (ok, out) = kefu(&dir, &["reindex"]);
        assert!(ok, "{out}");
        assert!(out.contains("search index rebuilt: 10 tickets"), "{out}");
    }
    assert!(dir.join("kefu-data/index/meta.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
