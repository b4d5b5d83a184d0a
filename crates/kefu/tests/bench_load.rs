//! Smoke run of the benchmark tools, so they keep working: `kefu demo --scale 1000` writes a
//! small realistic database, `kefu reindex` indexes it, and `kefu-bench load` starts `kefu
//! serve` on it and drives every scenario of the built-in plan (create, reply, queue, deep
//! page, ticket page, search, counts with replies beside them) plus the ceilings. Figures are
//! not checked (tests never assert timings); every scenario must succeed without one error.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

const KEFU: &str = env!("CARGO_BIN_EXE_kefu");
const BENCH: &str = env!("CARGO_BIN_EXE_kefu-bench");

fn run(exe: &str, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("KEFU_") {
            cmd.env_remove(key);
        }
    }
    let db = format!("sqlite://{}?mode=rwc", dir.join("kefu.db").display());
    cmd.env("KEFU_LOG__LEVEL", "warn")
        .env("KEFU_DATABASE__URL", db)
        .env("KEFU_STORAGE__DATA_DIR", dir.join("data"))
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn load_tool_drives_every_scenario_on_a_generated_database() {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("kefu-test-load-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let out = run(KEFU, &dir, &["demo", "--scale", "1000"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1000/1000 tickets"), "{}", text(&out));
    let out = run(KEFU, &dir, &["reindex"]);
    assert!(out.status.success(), "{}", text(&out));

    let db = format!("sqlite://{}?mode=rwc", dir.join("kefu.db").display());
    let data = dir.join("data");
    let out = run(
        BENCH,
        &dir,
        &[
            "load",
            "--kefu",
            KEFU,
            "--database-url",
            &db,
            "--data-dir",
            data.to_str().unwrap(),
            "--concurrency",
            "2",
            "--count",
            "40",
            "--seconds",
            "30",
            "--ceiling-seconds",
            "1",
            "--starts",
            "2",
        ],
    );
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("cold start to ready, ms: "), "{report}");
    assert!(report.contains("pool any: "), "{report}");
    for scenario in [
        "create",
        "reply",
        "queue",
        "queue_deep",
        "ticket",
        "search",
        "counts",
    ] {
        let row = report
            .lines()
            .find(|l| l.starts_with(&format!("| {scenario} |")))
            .unwrap_or_else(|| panic!("no row for {scenario}:\n{report}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[2], "40", "{scenario}: 40 answered requests\n{report}");
        assert_eq!(cells[3], "0", "{scenario}: no errors\n{report}");
        // "VmRSS (RssAnon)" in MiB: the anonymous part is a part.
        let mib: Vec<u64> = cells[9]
            .split(['(', ')', ' '])
            .filter_map(|x| x.parse().ok())
            .collect();
        assert!(
            mib.len() == 2 && mib[1] > 0 && mib[1] <= mib[0],
            "{scenario}: server memory sampled\n{report}"
        );
    }
    // Only this machine is a target.
    let out = run(
        BENCH,
        &dir,
        &[
            "load",
            "--url",
            "http://192.0.2.1:8080",
            "--ceiling-seconds",
            "0",
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not a loopback address"),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
