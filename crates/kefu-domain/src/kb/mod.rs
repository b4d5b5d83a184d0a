//! Knowledge-base rules: the states an article goes through, who may read it in each, what a
//! valid article is, which fields a save changed, and when an article is due for review.

pub mod bot;
pub mod markdown_file;
pub mod sheet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::fields::FieldViolation;

fn problem(field: &str, code: &'static str, message: impl Into<String>) -> FieldViolation {
    FieldViolation {
        field: field.to_owned(),
        code,
        message: message.into(),
    }
}

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest body, in characters.
pub const MAX_BODY_CHARS: usize = 200_000;
/// Most tags on one article.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;

/// Where an article stands (Zammad's four: draft, internal, public, archived).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ArticleState {
    /// Being written: only knowledge editors see it.
    Draft,
    /// Published to staff only (agents' answers, internal procedures).
    Internal,
    /// Published to everyone: help center, portal, chat widget, bot.
    Public,
    /// Withdrawn: kept with its history, shown to no one but editors.
    Archived,
}

impl ArticleState {
    /// All states, in their natural order.
    pub const ALL: [ArticleState; 4] = [
        ArticleState::Draft,
        ArticleState::Internal,
        ArticleState::Public,
        ArticleState::Archived,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleState::Draft => "draft",
            ArticleState::Internal => "internal",
            ArticleState::Public => "public",
            ArticleState::Archived => "archived",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Published (readable by agents, and by everyone when public).
    pub fn is_published(self) -> bool {
        matches!(self, ArticleState::Internal | ArticleState::Public)
    }
}

/// Who is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// May edit articles: sees every state.
    Editor,
    /// Staff: published articles (internal and public).
    Staff,
    /// A customer or an anonymous visitor: public articles only.
    Public,
}

/// Whether `reader` may read an article in `state`.
pub fn readable(state: ArticleState, reader: Reader) -> bool {
    match reader {
        Reader::Editor => true,
        Reader::Staff => state.is_published(),
        Reader::Public => state == ArticleState::Public,
    }
}

/// What an editor submits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleInput {
    /// Title.
    pub title: String,
    /// Markdown.
    pub body: String,
    /// State.
    pub state: ArticleState,
    /// Tags as typed.
    pub tags: Vec<String>,
}

/// Tags trimmed, without `#`, empty ones and repeats (case-insensitive), in their first order.
pub fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim().trim_start_matches('#').trim();
        if !t.is_empty() && !out.iter().any(|o| o.to_lowercase() == t.to_lowercase()) {
            out.push(t.to_owned());
        }
    }
    out
}

/// Field problems of an article (empty when it is valid); the title is trimmed first.
pub fn validate(a: &ArticleInput) -> Vec<FieldViolation> {
    let mut p = Vec::new();
    let title = a.title.trim();
    if title.is_empty() {
        p.push(problem("title", "required", "a title is required"));
    } else if title.chars().count() > MAX_TITLE_CHARS {
        p.push(problem(
            "title",
            "too_long",
            format!("at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    let body_chars = a.body.chars().count();
    if body_chars > MAX_BODY_CHARS {
        p.push(problem(
            "body",
            "too_long",
            format!("at most {MAX_BODY_CHARS} characters"),
        ));
    }
    if a.state.is_published() && a.body.trim().is_empty() {
        p.push(problem(
            "body",
            "required",
            "a published article needs a text",
        ));
    }
    let tags = normalize_tags(&a.tags);
    if tags.len() > MAX_TAGS {
        p.push(problem(
            "tags",
            "too_many",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    if let Some(t) = tags
        .iter()
        .find(|t| t.chars().count() > MAX_TAG_CHARS || t.contains(','))
    {
        p.push(problem(
            "tags",
            "invalid",
            format!("`{t}`: at most {MAX_TAG_CHARS} characters, no commas"),
        ));
    }
    p
}

/// A saved version's comparable parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionParts<'a> {
    /// Title.
    pub title: &'a str,
    /// Body.
    pub body: &'a str,
    /// State.
    pub state: &'a str,
    /// Category id as text (empty for none).
    pub category: String,
    /// Tags.
    pub tags: &'a [String],
    /// Product ids as text.
    pub products: Vec<String>,
    /// Review date.
    pub review_at: Option<NaiveDate>,
}

/// The fields that differ between two versions, in a fixed order.
pub fn changed_fields(old: &VersionParts<'_>, new: &VersionParts<'_>) -> Vec<&'static str> {
    let mut c = Vec::new();
    if old.title != new.title {
        c.push("title");
    }
    if old.body != new.body {
        c.push("body");
    }
    if old.state != new.state {
        c.push("state");
    }
    if old.category != new.category {
        c.push("category");
    }
    if old.tags != new.tags {
        c.push("tags");
    }
    if old.products != new.products {
        c.push("products");
    }
    if old.review_at != new.review_at {
        c.push("review_at");
    }
    c
}

/// Whether an article with this review date needs reviewing on `today`.
pub fn review_due(review_at: Option<NaiveDate>, state: ArticleState, today: NaiveDate) -> bool {
    state != ArticleState::Archived && review_at.is_some_and(|d| d <= today)
}

/// Share of "helpful" votes, none without votes.
pub fn helpful_ratio(yes: i64, no: i64) -> Option<f64> {
    let total = yes + no;
    (total > 0).then(|| yes as f64 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str, body: &str, state: ArticleState) -> ArticleInput {
        ArticleInput {
            title: title.into(),
            body: body.into(),
            state,
            tags: vec![],
        }
    }

    #[test]
    fn readers_see_what_their_state_allows() {
        use ArticleState::*;
        assert!(readable(Draft, Reader::Editor));
        assert!(!readable(Draft, Reader::Staff));
        assert!(readable(Internal, Reader::Staff));
        assert!(!readable(Internal, Reader::Public));
        assert!(readable(Public, Reader::Public));
        assert!(!readable(Archived, Reader::Staff));
        assert!(!readable(Archived, Reader::Public));
    }

    #[test]
    fn validation_names_the_field() {
        assert!(validate(&input("打印机卡纸怎么办", "", ArticleState::Draft)).is_empty());
        let p = validate(&input("  ", "", ArticleState::Public));
        let fields: Vec<&str> = p.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["title", "body"]);
        let long = "字".repeat(MAX_TITLE_CHARS + 1);
        assert_eq!(
            validate(&input(&long, "x", ArticleState::Draft))[0].code,
            "too_long"
        );
        let mut tagged = input("t", "b", ArticleState::Draft);
        tagged.tags = vec!["a,b".into()];
        assert_eq!(validate(&tagged)[0].field, "tags");
    }

    #[test]
    fn tags_are_cleaned() {
        let t = normalize_tags(&[
            " 打印机 ".into(),
            "#卡纸".into(),
            "打印机".into(),
            "".into(),
            "Fuser".into(),
            "fuser".into(),
        ]);
        assert_eq!(t, ["打印机", "卡纸", "Fuser"]);
    }

    #[test]
    fn changes_are_listed() {
        let tags = vec!["a".to_owned()];
        let old = VersionParts {
            title: "t",
            body: "b",
            state: "draft",
            category: String::new(),
            tags: &tags,
            products: vec![],
            review_at: None,
        };
        let mut new = old.clone();
        assert!(changed_fields(&old, &new).is_empty());
        new.body = "b2";
        new.state = "public";
        new.review_at = NaiveDate::from_ymd_opt(2027, 1, 1);
        assert_eq!(changed_fields(&old, &new), ["body", "state", "review_at"]);
    }

    #[test]
    fn review_dates() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-12-02");
        assert!(review_due(
            Some(d("2026-12-02")),
            ArticleState::Public,
            today
        ));
        assert!(!review_due(
            Some(d("2026-12-03")),
            ArticleState::Public,
            today
        ));
        assert!(!review_due(
            Some(d("2026-01-01")),
            ArticleState::Archived,
            today
        ));
        assert!(!review_due(None, ArticleState::Public, today));
        assert_eq!(helpful_ratio(3, 1), Some(0.75));
        assert_eq!(helpful_ratio(0, 0), None);
    }
}
