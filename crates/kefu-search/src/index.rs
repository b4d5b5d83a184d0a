//! The index: one tantivy index of tickets and articles. Callers upsert and remove documents,
//! commit with their position, and search with an audience that decides what may be found.

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use jieba_rs::Jieba;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::tokenizer::{CodeTokenizer, WordTokenizer, segment_query};

/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 32 * 1024 * 1024;
/// Indexing threads of the writer. One: tantivy's default is one per core, each with its own
/// share of the memory budget, its own term hash table and its own malloc arena, and all of
/// them are rebuilt after every commit (the serving indexer commits every half second). On a
/// two-core server that cost ~30 MiB of resident memory under load (whole bench plan at a
/// million tickets: anonymous peak 138–149 → 116–118 MiB) and bought nothing: creation was
/// no slower, and `kefu reindex` of a million tickets took 88 s instead of 84 s.
const WRITER_THREADS: usize = 1;

/// Why an index operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// tantivy refused (corrupt files, disk full, lock held by another process).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The index directory could not be opened.
    #[error("search index directory: {0}")]
    Directory(String),
}

/// A document to index.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Unique key, e.g. `ticket:<uuid>` or `article:<uuid>`.
    pub id: String,
    /// `ticket` or `article`.
    pub kind: String,
    /// Subject or article title.
    pub title: String,
    /// Everything else worth finding that its audience may read: public messages, customer
    /// name, article text.
    pub body: String,
    /// Text only staff may find or read (internal notes).
    pub notes: String,
    /// Serial numbers of assets concerned (searchable as `sn:`).
    pub serials: Vec<String>,
    /// Order numbers concerned (searchable as `order:`).
    pub orders: Vec<String>,
    /// The customer a ticket belongs to.
    pub customer_id: Option<String>,
    /// Who may find it: `staff` (tickets, internal articles) or `public` (public articles).
    pub visibility: String,
    /// Ticket status or article state.
    pub status: String,
    /// Ticket type or article category.
    pub doc_type: String,
    /// Creation time, Unix seconds.
    pub created: i64,
}

/// Who is searching, which decides what can be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Staff: everything.
    Staff,
    /// A customer's user: their company's tickets and public articles.
    Customer(String),
    /// Anyone (help center, widget): public articles only.
    Public,
}

/// A search.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// The user's text: words, `"phrases"`, `sn:…`, `order:…`, codes.
    pub text: String,
    /// Who searches.
    pub audience: Audience,
    /// Only these kinds (`ticket`, `article`); empty for all.
    pub kinds: Vec<String>,
    /// Only these statuses; empty for all.
    pub statuses: Vec<String>,
    /// Only these types / categories; empty for all.
    pub types: Vec<String>,
    /// Only this customer's documents (staff filtering by customer).
    pub customer_id: Option<String>,
    /// Created at or after (Unix seconds).
    pub created_from: Option<i64>,
    /// Created before (Unix seconds).
    pub created_to: Option<i64>,
    /// Every word must match (agents' search); otherwise any word may, ranked by BM25
    /// (suggestions and the bot, where the question's wording differs from the answer's).
    pub match_all: bool,
    /// Page size.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
}

impl SearchQuery {
    /// A staff search for `text` in everything, all words required, 20 hits.
    pub fn staff(text: &str) -> Self {
        SearchQuery {
            text: text.to_owned(),
            audience: Audience::Staff,
            kinds: Vec::new(),
            statuses: Vec::new(),
            types: Vec::new(),
            customer_id: None,
            created_from: None,
            created_to: None,
            match_all: true,
            limit: 20,
            offset: 0,
        }
    }
}

/// One hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The document's key.
    pub id: String,
    /// `ticket` or `article`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// The best passage of the body, HTML with `<b>` around matched words (escaped otherwise).
    pub snippet: String,
    /// BM25 score.
    pub score: f32,
    /// Status or state.
    pub status: String,
    /// Type or category.
    pub doc_type: String,
    /// Creation time, Unix seconds.
    pub created: i64,
}

/// Hits and how many documents matched in all.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Matches in all (not just this page).
    pub total: usize,
    /// This page, best first.
    pub hits: Vec<Hit>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    title: Field,
    body: Field,
    notes: Field,
    all: Field,
    codes: Field,
    sn: Field,
    order: Field,
    customer: Field,
    visibility: Field,
    status: Field,
    doc_type: Field,
    created: Field,
}

fn schema() -> (Schema, Fields) {
    let words = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("kefu_words")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { o.set_stored() } else { o }
    };
    let codes = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("kefu_codes")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let mut b = Schema::builder();
    let f = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        title: b.add_text_field("title", words(true)),
        body: b.add_text_field("body", words(true)),
        notes: b.add_text_field("notes", words(true)),
        // Title, body and notes once more in one field: staff searches match words here, one
        // posting list per word instead of a union of three (see `SearchIndex::search`).
        all: b.add_text_field("all", words(false)),
        codes: b.add_text_field("codes", codes.clone()),
        sn: b.add_text_field("sn", codes.clone()),
        order: b.add_text_field("order", codes),
        customer: b.add_text_field("customer", STRING),
        visibility: b.add_text_field("visibility", STRING),
        status: b.add_text_field("status", STRING | STORED),
        doc_type: b.add_text_field("type", STRING | STORED),
        created: b.add_i64_field("created", INDEXED | FAST | STORED),
    };
    (b.build(), f)
}

/// The search index (one per process; the writer is shared behind a lock).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    jieba: RwLock<Arc<Jieba>>,
    f: Fields,
    replaced: bool,
}

impl SearchIndex {
    /// The words of `text` as the index cuts them (lower case, punctuation dropped, in text
    /// order, repeats kept); for judging how well a hit covers a question.
    pub fn words(&self, text: &str) -> Vec<String> {
        use tantivy::tokenizer::{TokenStream, Tokenizer};
        let mut t = crate::tokenizer::WordTokenizer::new(self.jieba());
        let mut ts = t.token_stream(text);
        let mut out = Vec::new();
        while let Some(tok) = ts.next() {
            out.push(tok.text.clone());
        }
        out
    }

    /// Opens (or creates) the index in `dir`. `user_words` are the dictionary additions;
    /// changing them takes effect for new documents at once and for old ones after a rebuild.
    ///
    /// An index written with another schema (an older kefu) is deleted and started empty,
    /// without a position, so that the indexer rebuilds it from the database; see
    /// [`SearchIndex::replaced_old_schema`].
    pub fn open(dir: &Path, user_words: &[String]) -> Result<SearchIndex, SearchError> {
        let dir_error = |e: &dyn std::fmt::Display| SearchError::Directory(e.to_string());
        std::fs::create_dir_all(dir).map_err(|e| dir_error(&e))?;
        let (schema, _) = schema();
        let mmap = MmapDirectory::open(dir).map_err(|e| dir_error(&e))?;
        let mut replaced = false;
        if Index::exists(&mmap).map_err(|e| dir_error(&e))?
            && Index::open(mmap.clone())?.schema() != schema
        {
            drop(mmap);
            std::fs::remove_dir_all(dir).map_err(|e| dir_error(&e))?;
            std::fs::create_dir_all(dir).map_err(|e| dir_error(&e))?;
            replaced = true;
        }
        let mmap = MmapDirectory::open(dir).map_err(|e| dir_error(&e))?;
        let index = Index::open_or_create(mmap, schema)?;
        let mut opened = Self::with_index(index, user_words)?;
        opened.replaced = replaced;
        Ok(opened)
    }

    /// Whether [`SearchIndex::open`] found an index of an older schema and started this one
    /// empty in its place (it needs a rebuild).
    pub fn replaced_old_schema(&self) -> bool {
        self.replaced
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory(user_words: &[String]) -> Result<SearchIndex, SearchError> {
        let (schema, _) = schema();
        Self::with_index(Index::create_in_ram(schema), user_words)
    }

    /// Replaces the user dictionary. Documents added from now on and queries are cut with the
    /// new words; documents already indexed keep their old cut until they are indexed again
    /// (rebuild). Call it when no uncommitted documents are pending.
    pub fn set_words(&self, user_words: &[String]) {
        let jieba = register_words(&self.index, user_words);
        *self.jieba.write().unwrap_or_else(|e| e.into_inner()) = jieba;
    }

    fn jieba(&self) -> Arc<Jieba> {
        self.jieba.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn with_index(index: Index, user_words: &[String]) -> Result<SearchIndex, SearchError> {
        let (_, f) = schema();
        let jieba = register_words(&index, user_words);
        index
            .tokenizers()
            .register("kefu_codes", TextAnalyzer::from(CodeTokenizer));
        let writer = index.writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            jieba: RwLock::new(jieba),
            f,
            replaced: false,
        })
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter<TantivyDocument>> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds documents, replacing any with the same id (visible after [`SearchIndex::commit`]).
    pub fn upsert(&self, docs: &[Doc]) -> Result<(), SearchError> {
        let w = self.writer();
        for d in docs {
            w.delete_term(Term::from_field_text(self.f.id, &d.id));
            w.add_document(self.document(d))?;
        }
        Ok(())
    }

    /// Adds documents that are not in the index: after [`SearchIndex::clear`], each id once
    /// (visible after [`SearchIndex::commit`]). Unlike [`SearchIndex::upsert`] it queues no
    /// delete per document; tantivy holds every queued delete (~0.7 KiB each) until the
    /// commit, which made a rebuild of a million tickets grow to 1.4 GB.
    pub fn add_new(&self, docs: &[Doc]) -> Result<(), SearchError> {
        let w = self.writer();
        for d in docs {
            w.add_document(self.document(d))?;
        }
        Ok(())
    }

    fn document(&self, d: &Doc) -> TantivyDocument {
        let f = self.f;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &d.id);
        doc.add_text(f.kind, &d.kind);
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &d.body);
        doc.add_text(f.notes, &d.notes);
        for text in [&d.title, &d.body, &d.notes] {
            doc.add_text(f.all, text);
        }
        doc.add_text(f.codes, &d.title);
        doc.add_text(f.codes, &d.body);
        for s in &d.serials {
            doc.add_text(f.sn, s);
            doc.add_text(f.codes, s);
        }
        for o in &d.orders {
            doc.add_text(f.order, o);
            doc.add_text(f.codes, o);
        }
        if let Some(c) = &d.customer_id {
            doc.add_text(f.customer, c);
        }
        doc.add_text(f.visibility, &d.visibility);
        doc.add_text(f.status, &d.status);
        doc.add_text(f.doc_type, &d.doc_type);
        doc.add_i64(f.created, d.created);
        doc
    }

    /// Removes a document (visible after [`SearchIndex::commit`]).
    pub fn remove(&self, id: &str) {
        self.writer()
            .delete_term(Term::from_field_text(self.f.id, id));
    }

    /// Removes every document, committed or not (before a rebuild).
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut w = self.writer();
        // What a failed pass left uncommitted goes first: documents still in the indexing
        // thread's memory survive `delete_all_documents`, and a rebuild's `add_new` would
        // then add them twice.
        w.rollback()?;
        w.delete_all_documents()?;
        Ok(())
    }

    /// Makes the changes durable and visible, recording `position` with them.
    pub fn commit(&self, position: &str) -> Result<(), SearchError> {
        {
            let mut w = self.writer();
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(position);
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// The position recorded with the last commit (none for a new index).
    pub fn position(&self) -> Result<Option<String>, SearchError> {
        Ok(self.index.load_metas()?.payload)
    }

    /// Documents in the committed index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the committed index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn term(&self, field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    fn any_of(&self, field: Field, values: &[String]) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            values
                .iter()
                .map(|v| (Occur::Should, self.term(field, v)))
                .collect(),
        ))
    }

    /// What the audience may see.
    fn audience_filter(&self, a: &Audience) -> Option<Box<dyn Query>> {
        let f = self.f;
        let public_articles = || -> Box<dyn Query> {
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, self.term(f.kind, "article")),
                (Occur::Must, self.term(f.visibility, "public")),
            ]))
        };
        match a {
            Audience::Staff => None,
            Audience::Public => Some(public_articles()),
            Audience::Customer(c) => Some(Box::new(BooleanQuery::new(vec![
                (
                    Occur::Should,
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, self.term(f.kind, "ticket")),
                        (Occur::Must, self.term(f.customer, c)),
                    ])) as Box<dyn Query>,
                ),
                (Occur::Should, public_articles()),
            ]))),
        }
    }

    /// `text` parsed for `fields` (title ×2, codes ×3); every word required when `all_words`.
    fn parse(&self, text: &str, fields: Vec<Field>, all_words: bool) -> Box<dyn Query> {
        let f = self.f;
        let mut parser = QueryParser::for_index(&self.index, fields);
        parser.set_field_boost(f.title, 2.0);
        parser.set_field_boost(f.codes, 3.0);
        if all_words {
            parser.set_conjunction_by_default();
        }
        parser.parse_query_lenient(text).0
    }

    /// Runs a search. Malformed query syntax never fails: what can be understood is searched.
    pub fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let f = self.f;
        let staff = q.audience == Audience::Staff;
        let mut fields = vec![f.title, f.body, f.codes];
        if staff {
            fields.push(f.notes);
        }
        let text = segment_query(&self.jieba(), &q.text);
        // What the words match in the fields the audience may read (also what the snippets
        // highlight).
        let user = self.parse(&text, fields, q.match_all);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = if staff {
            // Staff may read every text field, so words match in `all`: one posting list per
            // word, where the per-field query intersects unions of three (the costly part of
            // a search for two frequent words over a million tickets). Title words rank
            // higher through an optional clause, as the title boost does for the others.
            vec![
                (
                    Occur::Must,
                    self.parse(&text, vec![f.all, f.codes], q.match_all),
                ),
                (Occur::Should, self.parse(&text, vec![f.title], false)),
            ]
        } else {
            vec![(Occur::Must, user.box_clone())]
        };
        if let Some(filter) = self.audience_filter(&q.audience) {
            clauses.push((Occur::Must, filter));
        }
        if !q.kinds.is_empty() {
            clauses.push((Occur::Must, self.any_of(f.kind, &q.kinds)));
        }
        if !q.statuses.is_empty() {
            clauses.push((Occur::Must, self.any_of(f.status, &q.statuses)));
        }
        if !q.types.is_empty() {
            clauses.push((Occur::Must, self.any_of(f.doc_type, &q.types)));
        }
        if let Some(c) = &q.customer_id {
            clauses.push((Occur::Must, self.term(f.customer, c)));
        }
        if q.created_from.is_some() || q.created_to.is_some() {
            let lo = q.created_from.unwrap_or(i64::MIN);
            let hi = q.created_to.unwrap_or(i64::MAX);
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    std::ops::Bound::Included(Term::from_field_i64(f.created, lo)),
                    std::ops::Bound::Excluded(Term::from_field_i64(f.created, hi)),
                )),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let limit = q.limit.clamp(1, 200);
        let (top, total) = searcher.search(
            &query,
            &(
                TopDocs::with_limit(limit)
                    .and_offset(q.offset)
                    .order_by_score(),
                Count,
            ),
        )?;
        let mut snippets = SnippetGenerator::create(&searcher, &*user, f.body)?;
        snippets.set_max_num_chars(160);
        let mut note_snippets = if q.audience == Audience::Staff {
            let mut g = SnippetGenerator::create(&searcher, &*user, f.notes)?;
            g.set_max_num_chars(160);
            Some(g)
        } else {
            None
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            hits.push(self.hit(&searcher, addr, score, &snippets, note_snippets.as_mut())?);
        }
        Ok(SearchResults { total, hits })
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        addr: DocAddress,
        score: f32,
        snippets: &SnippetGenerator,
        note_snippets: Option<&mut SnippetGenerator>,
    ) -> Result<Hit, SearchError> {
        let f = self.f;
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let mut snippet = snippets.snippet_from_doc(&doc);
        if snippet.is_empty()
            && let Some(g) = note_snippets
        {
            snippet = g.snippet_from_doc(&doc);
        }
        let snippet = if snippet.is_empty() {
            // No match in the body (title or code hit): its opening instead.
            escape(&text(f.body).chars().take(160).collect::<String>())
        } else {
            snippet.to_html()
        };
        Ok(Hit {
            id: text(f.id),
            kind: text(f.kind),
            title: text(f.title),
            snippet,
            score,
            status: text(f.status),
            doc_type: text(f.doc_type),
            created: doc
                .get_first(f.created)
                .and_then(|v| v.as_i64())
                .unwrap_or_default(),
        })
    }
}

/// Registers the word tokenizer with `user_words` on `index` (tantivy's segment writers and
/// query parsers look it up by name when they start, so a new registration takes over).
fn register_words(index: &Index, user_words: &[String]) -> Arc<Jieba> {
    let jieba = Arc::new(crate::tokenizer::jieba_with(user_words));
    index.tokenizers().register(
        "kefu_words",
        TextAnalyzer::from(WordTokenizer::new(jieba.clone())),
    );
    jieba
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
