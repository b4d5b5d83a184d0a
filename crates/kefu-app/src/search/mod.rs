//! Full-text search over tickets (articles follow with the knowledge base): the index is
//! opened once per process on first use, fed from the outbox by [`index_pending`], rebuilt
//! from the database by [`rebuild`], and queried by [`search`] with the caller's rights.

mod dictionary;
mod docs;
mod indexer;
mod query;

use std::sync::Arc;

use kefu_search::SearchIndex;

pub use dictionary::{
    DictionaryState, MAX_WORD_CHARS, MAX_WORDS, RebuildStatus, RebuildTracker, dictionary,
    normalize_words, save_dictionary, start_rebuild,
};
pub(crate) use indexer::Indexed;
pub use indexer::{IndexReport, index_pending, rebuild};
pub use query::{SearchParams, search};

use crate::{App, AppError};

/// The setting with the user dictionary (product and part names).
pub const DICTIONARY_SETTING: &str = "search_dictionary";
/// The setting with the dictionary the index was last rebuilt with.
pub const INDEXED_DICTIONARY_SETTING: &str = "search_dictionary_indexed";

/// The process's search index, opened on first use under the configured directory, cutting
/// words with the dictionary it was last rebuilt with (so queries are cut like the documents
/// they search; a saved but not yet rebuilt dictionary waits for the rebuild).
pub async fn index_of(app: &App) -> Result<Arc<SearchIndex>, AppError> {
    // One opening at a time: the first caller opens, the others wait for it and share the
    // index (two openings would race for tantivy's writer lock and the loser would fail).
    app.search
        .get_or_try_init(|| async {
            let db = app.store.conn();
            let words: Vec<String> =
                match crate::sla::get_setting(db, INDEXED_DICTIONARY_SETTING).await? {
                    Some(v) => serde_json::from_value(v).unwrap_or_default(),
                    None => crate::config::list_setting::read_list(db, DICTIONARY_SETTING).await?,
                };
            let dir = app.settings.index_dir.clone();
            let opened = tokio::task::spawn_blocking(move || SearchIndex::open(&dir, &words))
                .await
                .map_err(anyhow::Error::from)?
                .map_err(anyhow::Error::from)?;
            if opened.replaced_old_schema() {
                tracing::warn!(
                    "the search index was written by an older kefu (another schema): it starts \
                     empty and is rebuilt from the database (searches find less until then)"
                );
            }
            Ok::<_, AppError>(Arc::new(opened))
        })
        .await
        .cloned()
}

/// A turn to search: a search is CPU work from start to end, so at most one runs per core and
/// the others wait in arrival order. Sharing the cores among all of them instead would stretch
/// every running search, the costly ones (two frequent words over a million tickets) most.
pub(crate) async fn search_slot(app: &App) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
    Ok(app
        .search_slots
        .acquire()
        .await
        .map_err(anyhow::Error::from)?)
}

/// Runs `q` on the process's index, in its turn (see [`search_slot`]) and off the async
/// threads.
pub(crate) async fn run_query(
    app: &App,
    q: kefu_search::SearchQuery,
) -> Result<kefu_search::SearchResults, AppError> {
    let idx = index_of(app).await?;
    let _slot = search_slot(app).await?;
    tokio::task::spawn_blocking(move || idx.search(&q))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|e| AppError::Internal(e.into()))
}
