//! The parser never panics: on arbitrary bytes, and on corpus messages cut short or with bytes
//! changed. CI runs the default number of cases; for a longer run (a few minutes, see
//! BENCHMARKS.md) set `PROPTEST_CASES=200000`.

use std::path::Path;
use std::sync::LazyLock;

use kefu_channels::mail::{parse, strip_quoted};
use proptest::prelude::*;

static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
});

fn exercise(raw: &[u8]) {
    if let Ok(m) = parse(raw) {
        let _ = strip_quoted(&m.text);
        assert!(!m.text.contains('\0'));
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&raw);
    }

    #[test]
    fn damaged_corpus_messages(
        which in 0usize..1000,
        cut in 0.0f64..1.0,
        flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..16),
    ) {
        let mut raw = CORPUS[which % CORPUS.len()].clone();
        for (at, byte) in flips {
            let i = ((raw.len() as f64) * at) as usize;
            if i < raw.len() {
                raw[i] = byte;
            }
        }
        raw.truncate(((raw.len() as f64) * cut) as usize + 1);
        exercise(&raw);
    }
}
