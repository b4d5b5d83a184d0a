//! The search index is opened once per process, however many requests ask for it first at the
//! same moment (two openings would race for tantivy's writer lock and one would fail: the
//! first search after a start answered 500 now and then).

use kefu_app::{App, AppSettings};
use kefu_store::testing::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_uses_share_one_index() {
    let db = TestDb::sqlite().await;
    let app = App::new(
        db.store.clone(),
        AppSettings::for_tests(db.dir.join("files")),
    );
    kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
    let mut handles = Vec::new();
    for _ in 0..8 {
        let app = app.clone();
        handles.push(tokio::spawn(async move {
            kefu_app::search::index_of(&app).await
        }));
    }
    let mut opened = Vec::new();
    for h in handles {
        opened.push(h.await.unwrap().expect("every caller gets the index"));
    }
    assert!(opened.iter().all(|i| std::sync::Arc::ptr_eq(i, &opened[0])));
}
