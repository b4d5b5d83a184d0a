//! The user dictionary: product and part names (定影组件, 主控板) the word cutter must keep
//! whole. Admins edit it; it takes effect when the index is rebuilt, which they start from the
//! admin page (in this process, in the background, with progress) or with `kefu reindex`.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use serde::Serialize;

use super::{DICTIONARY_SETTING, INDEXED_DICTIONARY_SETTING, index_of};
use crate::config::list_setting::{read_list, write_list};
use crate::{App, AppError, FieldError, require};

/// Most words in the dictionary.
pub const MAX_WORDS: usize = 20_000;
/// Longest word, in characters.
pub const MAX_WORD_CHARS: usize = 30;

/// Cleans the admin's words: trimmed, blanks and repeats dropped, in their order. A word with
/// whitespace inside or longer than [`MAX_WORD_CHARS`] is an error naming its line (1-based).
pub fn normalize_words(lines: &[String]) -> Result<Vec<String>, Vec<FieldError>> {
    let mut out: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let w = raw.trim();
        if w.is_empty() {
            continue;
        }
        if w.contains(char::is_whitespace) {
            errors.push(FieldError::new(
                format!("words[{i}]"),
                "whitespace",
                format!("line {}: one word per line, no spaces inside: {w}", i + 1),
            ));
        } else if w.chars().count() > MAX_WORD_CHARS {
            errors.push(FieldError::new(
                format!("words[{i}]"),
                "too_long",
                format!("line {}: at most {MAX_WORD_CHARS} characters", i + 1),
            ));
        } else if !out.iter().any(|o| o == w) {
            out.push(w.to_owned());
        }
    }
    if out.len() > MAX_WORDS {
        errors.push(FieldError::new(
            "words",
            "too_many",
            format!("at most {MAX_WORDS} words"),
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A rebuild of the index in this process.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RebuildStatus {
    /// A rebuild is running now.
    pub running: bool,
    /// Tickets indexed so far (of the running or last rebuild).
    pub done: u64,
    /// Tickets to index.
    pub total: u64,
    /// When the running or last rebuild started.
    pub started_at: Option<DateTime<Utc>>,
    /// When the last rebuild ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Why the last rebuild failed.
    pub error: Option<String>,
}

/// This process's rebuild status, shared by the background task and the pages that poll it.
#[derive(Debug, Clone, Default)]
pub struct RebuildTracker(Arc<Mutex<RebuildStatus>>);

impl RebuildTracker {
    fn get(&self) -> RebuildStatus {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn update(&self, f: impl FnOnce(&mut RebuildStatus)) {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// The dictionary and the index's state, for the admin page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DictionaryState {
    /// The words, in the admin's order.
    pub words: Vec<String>,
    /// The index was built with exactly these words (no rebuild needed).
    pub in_effect: bool,
    /// Documents in the index (tickets and articles).
    pub documents: u64,
    /// The rebuild running or last run in this process.
    pub rebuild: RebuildStatus,
}

/// The dictionary, whether the index follows it, and the rebuild status (admins).
pub async fn dictionary(app: &App, actor: &Actor) -> Result<DictionaryState, AppError> {
    require(actor, Permission::ConfigManage)?;
    let db = app.store.conn();
    let words: Vec<String> = read_list(db, DICTIONARY_SETTING).await?;
    let indexed: Vec<String> = read_list(db, INDEXED_DICTIONARY_SETTING).await?;
    let documents = index_of(app).await?.len();
    Ok(DictionaryState {
        in_effect: words == indexed,
        words,
        documents,
        rebuild: app.search_rebuild.get(),
    })
}

/// Replaces the dictionary (admins); the index follows after a rebuild.
pub async fn save_dictionary(
    app: &App,
    actor: &Actor,
    lines: &[String],
) -> Result<DictionaryState, AppError> {
    require(actor, Permission::ConfigManage)?;
    let words = normalize_words(lines).map_err(AppError::Invalid)?;
    write_list(app, actor, DICTIONARY_SETTING, &words).await?;
    dictionary(app, actor).await
}

/// Starts rebuilding the index with the saved dictionary in the background (admins). Refused
/// with `409 rebuild_running` while one runs. Searches keep answering from the old index
/// until the new one commits.
pub async fn start_rebuild(app: &App, actor: &Actor) -> Result<RebuildStatus, AppError> {
    require(actor, Permission::ConfigManage)?;
    let tracker = app.search_rebuild.clone();
    {
        let mut s = tracker.0.lock().unwrap_or_else(|e| e.into_inner());
        if s.running {
            return Err(AppError::Conflict {
                code: "rebuild_running",
                message: "the search index is being rebuilt; wait for it to finish".into(),
            });
        }
        *s = RebuildStatus {
            running: true,
            started_at: Some(app.now()),
            ..RebuildStatus::default()
        };
    }
    crate::audit::record(
        app.store.conn(),
        Some(actor.user_id),
        "search.rebuild",
        "search_index",
        None,
        serde_json::json!({}),
        app.now(),
    )
    .await?;
    let app2 = app.clone();
    tokio::spawn(async move {
        let progress_tracker = app2.search_rebuild.clone();
        let progress = move |done: u64, total: u64| {
            progress_tracker.update(|s| {
                s.done = done;
                s.total = total;
            });
        };
        let result = super::rebuild(&app2, &progress).await;
        let now = app2.now();
        app2.search_rebuild.update(|s| {
            s.running = false;
            s.finished_at = Some(now);
            if let Err(e) = &result {
                s.error = Some(e.to_string());
            }
        });
        if let Err(e) = result {
            tracing::error!(error = %e, "search index rebuild failed");
        }
    });
    Ok(app.search_rebuild.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn words_are_trimmed_deduplicated_and_blank_lines_dropped() {
        let w = normalize_words(&lines(&[
            " 定影组件 ",
            "",
            "主控板",
            "定影组件",
            "SN-8842X",
        ]))
        .unwrap();
        assert_eq!(w, lines(&["定影组件", "主控板", "SN-8842X"]));
    }

    #[test]
    fn a_word_with_a_space_or_too_long_names_its_line() {
        let long = "长".repeat(MAX_WORD_CHARS + 1);
        let e = normalize_words(&lines(&["定影组件", "主控 板", &long])).unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].field, "words[1]");
        assert_eq!(e[0].code, "whitespace");
        assert!(e[0].message.contains("line 2"), "{}", e[0].message);
        assert_eq!(e[1].field, "words[2]");
        assert_eq!(e[1].code, "too_long");
    }
}
