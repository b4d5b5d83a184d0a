//! Feeding the index: every ticket named in the outbox since the index's position is
//! re-read from the database and upserted, then the index commits with its new position. The
//! position only passes outbox rows older than a few seconds, so a transaction that took an
//! earlier id but committed later is still picked up (re-indexing is idempotent). The rows
//! above the position that were already indexed are remembered in memory, so each pass
//! indexes only what is new (or came in late) instead of the last few seconds again; after a
//! restart they are indexed once more. A fresh index is first built from all tickets and
//! articles.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use kefu_search::{Doc, SearchIndex};
use kefu_store::entity::{kb_article, outbox_message, ticket};
use kefu_store::sea_orm::Condition;
use kefu_store::sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::docs::{article_docs, ticket_docs};
use super::{DICTIONARY_SETTING, INDEXED_DICTIONARY_SETTING, index_of};
use crate::config::list_setting::read_list;
use crate::sla::put_setting;
use crate::{App, AppError};

/// Rows younger than this are indexed but not yet passed by the position.
const SETTLE: chrono::Duration = chrono::Duration::seconds(5);
/// Tickets per rebuild batch.
const REBUILD_BATCH: u64 = 500;

/// Outbox rows above the index's committed position that are already indexed (id → when
/// written), held under the index's write lock.
#[derive(Debug, Default)]
pub(crate) struct Indexed {
    above: BTreeMap<Uuid, chrono::DateTime<chrono::Utc>>,
}

/// What one indexing pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexReport {
    /// Outbox rows read.
    pub events: usize,
    /// Tickets (re-)indexed.
    pub tickets: usize,
    /// Articles (re-)indexed.
    pub articles: usize,
    /// Documents removed (deleted tickets; articles deleted, archived or back to draft).
    pub removed: usize,
    /// The whole index was rebuilt first (a new index).
    pub rebuilt: bool,
}

fn search_error(e: kefu_search::SearchError) -> AppError {
    AppError::Internal(e.into())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, kefu_search::SearchError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(anyhow::Error::from)?
        .map_err(search_error)
}

async fn upsert(idx: &Arc<SearchIndex>, docs: Vec<Doc>) -> Result<(), AppError> {
    let idx = idx.clone();
    blocking(move || idx.upsert(&docs)).await
}

/// Adds documents to a cleared index (rebuild): no delete per document.
async fn add_new(idx: &Arc<SearchIndex>, docs: Vec<Doc>) -> Result<(), AppError> {
    let idx = idx.clone();
    blocking(move || idx.add_new(&docs)).await
}

async fn commit(idx: &Arc<SearchIndex>, position: String) -> Result<(), AppError> {
    let idx = idx.clone();
    blocking(move || idx.commit(&position)).await
}

/// Indexes what the outbox announced since the last pass (up to `limit` new rows, and any
/// row that committed late below them).
pub async fn index_pending(app: &App, limit: u64) -> Result<IndexReport, AppError> {
    let idx = index_of(app).await?;
    let mut indexed = app.search_write.lock().await;
    let mut report = IndexReport::default();
    let position = match idx.position().map_err(search_error)? {
        None => {
            rebuild_locked(app, &mut indexed, &|_, _| {}).await?;
            report.rebuilt = true;
            idx.position().map_err(search_error)?.unwrap_or_default()
        }
        Some(p) => p,
    };
    let after = Uuid::parse_str(&position).ok();
    if let Some(a) = after {
        indexed.above.retain(|id, _| *id > a);
    } else {
        indexed.above.clear();
    }
    let db = app.store.conn();
    // Every row above the position: the remembered ones come back too (the limit makes room
    // for them) and are skipped, so what is left is new, or committed late below a row
    // already indexed (its transaction took its id first).
    let newest = indexed.above.last_key_value().map(|(id, _)| *id);
    let mut q = outbox_message::Entity::find()
        .select_only()
        .columns([
            outbox_message::Column::Id,
            outbox_message::Column::Topic,
            outbox_message::Column::AggregateId,
            outbox_message::Column::CreatedAt,
        ])
        .filter(outbox_message::Column::AggregateId.is_not_null())
        .filter(
            Condition::any()
                .add(outbox_message::Column::Topic.starts_with("ticket."))
                .add(outbox_message::Column::Topic.starts_with("article.")),
        );
    if let Some(a) = after {
        q = q.filter(outbox_message::Column::Id.gt(a));
    }
    type Row = (Uuid, String, Option<Uuid>, chrono::DateTime<chrono::Utc>);
    let rows: Vec<Row> = q
        .order_by_asc(outbox_message::Column::Id)
        .limit(limit + indexed.above.len() as u64)
        .into_tuple::<Row>()
        .all(db)
        .await?
        .into_iter()
        .filter(|r| !indexed.above.contains_key(&r.0))
        .collect();
    // New rows (beyond the newest indexed one) against the limit; late ones do not count.
    report.events = rows
        .iter()
        .filter(|r| newest.is_none_or(|n| r.0 > n))
        .count();
    if rows.is_empty() {
        // Nothing to index; the position still moves past what has settled meanwhile.
        let new_position = settled_position(app, &indexed, &position);
        if new_position != position {
            commit(&idx, new_position.clone()).await?;
            forget_passed(&mut indexed, &new_position);
        }
        return Ok(report);
    }
    let of = |prefix: &str| -> Vec<Uuid> {
        rows.iter()
            .filter(|r| r.1.starts_with(prefix))
            .filter_map(|r| r.2)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let ticket_ids = of("ticket.");
    let article_ids = of("article.");
    let mut docs = ticket_docs(db, &ticket_ids).await?;
    report.tickets = docs.len();
    let articles = article_docs(db, &article_ids).await?;
    report.articles = articles.len();
    docs.extend(articles);
    let found: BTreeSet<String> = docs.iter().map(|d| d.id.clone()).collect();
    for (kind, ids) in [("ticket", &ticket_ids), ("article", &article_ids)] {
        for id in ids {
            let key = format!("{kind}:{id}");
            if !found.contains(&key) {
                idx.remove(&key);
                report.removed += 1;
            }
        }
    }
    upsert(&idx, docs).await?;
    indexed.above.extend(rows.iter().map(|r| (r.0, r.3)));
    let new_position = settled_position(app, &indexed, &position);
    commit(&idx, new_position.clone()).await?;
    forget_passed(&mut indexed, &new_position);
    Ok(report)
}

/// The position after the indexed rows in id order, up to the first one still settling.
fn settled_position(app: &App, indexed: &Indexed, position: &str) -> String {
    let settled = app.now() - SETTLE;
    indexed
        .above
        .iter()
        .take_while(|(_, at)| **at <= settled)
        .last()
        .map_or_else(|| position.to_owned(), |(id, _)| id.to_string())
}

/// Drops the remembered rows the committed position has passed.
fn forget_passed(indexed: &mut Indexed, position: &str) {
    if let Ok(p) = Uuid::parse_str(position) {
        indexed.above.retain(|id, _| *id > p);
    }
}

/// Rebuilds the index from every ticket, then every article, cutting words with the saved
/// user dictionary; `progress(done, total)` after each batch of tickets. Returns the number of
/// tickets indexed. The position becomes the newest outbox row at the start, so changes made
/// during the rebuild are replayed afterwards. Searches answer from the old index until the
/// rebuilt one commits; a crash in between leaves the old index (and its position) in place.
pub async fn rebuild(app: &App, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<u64, AppError> {
    let mut indexed = app.search_write.lock().await;
    rebuild_locked(app, &mut indexed, progress).await
}

async fn rebuild_locked(
    app: &App,
    indexed: &mut Indexed,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<u64, AppError> {
    let idx = index_of(app).await?;
    indexed.above.clear();
    let db = app.store.conn();
    let words: Vec<String> = read_list(db, DICTIONARY_SETTING).await?;
    idx.set_words(&words);
    let position = outbox_message::Entity::find()
        .order_by_desc(outbox_message::Column::Id)
        .one(db)
        .await?
        .map(|r| r.id.to_string())
        .unwrap_or_default();
    let total = ticket::Entity::find().count(db).await?;
    {
        let idx = idx.clone();
        blocking(move || idx.clear()).await?;
    }
    let mut done = 0u64;
    let mut last: Option<Uuid> = None;
    loop {
        let mut q = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::Id);
        if let Some(l) = last {
            q = q.filter(ticket::Column::Id.gt(l));
        }
        let ids: Vec<Uuid> = q
            .order_by_asc(ticket::Column::Id)
            .limit(REBUILD_BATCH)
            .into_tuple()
            .all(db)
            .await?;
        let Some(&tail) = ids.last() else { break };
        last = Some(tail);
        let docs = ticket_docs(db, &ids).await?;
        done += ids.len() as u64;
        add_new(&idx, docs).await?;
        progress(done, total);
    }
    let article_ids: Vec<Uuid> = kb_article::Entity::find()
        .select_only()
        .column(kb_article::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for chunk in article_ids.chunks(REBUILD_BATCH as usize) {
        let docs = article_docs(db, chunk).await?;
        add_new(&idx, docs).await?;
    }
    commit(&idx, position).await?;
    put_setting(
        db,
        INDEXED_DICTIONARY_SETTING,
        serde_json::to_value(&words).map_err(anyhow::Error::from)?,
        app.now(),
    )
    .await?;
    Ok(done)
}
