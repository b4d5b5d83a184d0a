//! kefu's full-text search: a tantivy index whose text is cut into words by jieba (with an
//! admin-editable user dictionary for product and part names such as 定影组件), plus exact
//! matching of codes such as `SO2026110501` or `SN-8842X`.
//!
//! The database stays the truth: this crate knows documents, not tickets, and the index can
//! always be rebuilt. A commit carries the caller's position (the last outbox entry indexed),
//! so an indexer that crashes resumes from what the index really holds.

mod codes;
mod index;
mod tokenizer;

pub use codes::extract_codes;
pub use index::{Audience, Doc, Hit, SearchError, SearchIndex, SearchQuery, SearchResults};
pub use tokenizer::{CodeTokenizer, WordTokenizer, jieba_with};
