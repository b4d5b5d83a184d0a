//! Import and export of articles as Markdown files (one file each, front matter for title,
//! state, category, tags and review date), singly or in a zip archive, or as rows of an XLSX
//! workbook (one article per row). An import is all or nothing: every problem is reported by
//! file and line (or row) and key, and nothing is written unless every file is good; a dry
//! run checks the same way and writes nothing.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};

use kefu_domain::access::{Actor, Permission};
use kefu_domain::kb::ArticleState;
use kefu_domain::kb::markdown_file::{self, MarkdownArticle};
use kefu_domain::kb::sheet;
use kefu_store::entity::{kb_article, kb_category};
use kefu_store::sea_orm::{EntityTrait, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use super::articles::{ArticleSave, insert_article, save_over};
use super::categories::{CategorySave, insert_category};
use super::strings;
use crate::{App, AppError, FieldError, require};

/// Most Markdown files (or spreadsheet rows) in one import.
const MAX_FILES: usize = 5000;
/// Largest total of uncompressed text in one import.
const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Articles read (Markdown files and spreadsheet rows).
    pub files: usize,
    /// Articles created.
    pub created: usize,
    /// Articles updated (an `id:` named an existing article).
    pub updated: usize,
    /// Categories created (named by `category:` and not there yet).
    pub categories_created: usize,
    /// Nothing was written.
    pub dry_run: bool,
}

fn is_markdown(name: &str) -> bool {
    let n = name.to_lowercase();
    n.ends_with(".md") || n.ends_with(".markdown")
}

/// Expands uploads into (name, text) Markdown files: `.md` as they are, `.zip` by its
/// Markdown entries; with the problems of the files that could not be read, named after the
/// file. Too much text at all is an error at once.
type Expanded = (Vec<(String, String)>, Vec<FieldError>);

fn expand(uploads: Vec<(String, Vec<u8>)>) -> Result<Expanded, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut total = 0u64;
    fn text(
        name: String,
        bytes: Vec<u8>,
        out: &mut Vec<(String, String)>,
        total: &mut u64,
        errors: &mut Vec<FieldError>,
    ) {
        *total += bytes.len() as u64;
        match String::from_utf8(bytes) {
            Ok(t) => out.push((name, t)),
            Err(_) => errors.push(FieldError::new(
                format!("{name}:1"),
                "encoding",
                "not UTF-8 text; save the file as UTF-8",
            )),
        }
    }
    for (name, bytes) in uploads {
        if name.to_lowercase().ends_with(".zip") {
            let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
                Ok(z) => z,
                Err(e) => {
                    errors.push(FieldError::new(
                        format!("{name}:1"),
                        "invalid",
                        format!("not a zip archive: {e}"),
                    ));
                    continue;
                }
            };
            for i in 0..zip.len() {
                let Ok(mut entry) = zip.by_index(i) else {
                    errors.push(FieldError::new(
                        format!("{name}:1"),
                        "invalid",
                        "damaged entry",
                    ));
                    continue;
                };
                let inner = match entry.name() {
                    Ok(n) => n.into_owned(),
                    Err(_) => {
                        errors.push(FieldError::new(
                            format!("{name}:1"),
                            "invalid",
                            "an entry name is not readable",
                        ));
                        continue;
                    }
                };
                if entry.is_dir() || !is_markdown(&inner) {
                    continue;
                }
                let entry_name = format!("{name}/{inner}");
                if entry.size() + total > MAX_TOTAL_BYTES {
                    errors.push(FieldError::new(
                        entry_name,
                        "too_large",
                        "the archive holds more than 64 MB of text",
                    ));
                    return Err(errors);
                }
                let mut buf = Vec::with_capacity(entry.size() as usize);
                if (&mut entry)
                    .take(MAX_TOTAL_BYTES)
                    .read_to_end(&mut buf)
                    .is_err()
                {
                    errors.push(FieldError::new(
                        format!("{entry_name}:1"),
                        "invalid",
                        "damaged entry",
                    ));
                    continue;
                }
                text(entry_name, buf, &mut out, &mut total, &mut errors);
            }
        } else if is_markdown(&name) {
            text(name, bytes, &mut out, &mut total, &mut errors);
        } else {
            errors.push(FieldError::new(
                format!("{name}:1"),
                "invalid",
                "only .md, .markdown and .zip files",
            ));
        }
        if total > MAX_TOTAL_BYTES {
            errors.push(FieldError::new(
                "files",
                "too_large",
                "more than 64 MB of text",
            ));
            return Err(errors);
        }
    }
    if out.len() > MAX_FILES {
        errors.push(FieldError::new(
            "files",
            "too_many",
            format!("at most {MAX_FILES} files"),
        ));
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "files",
            "required",
            "no Markdown file found",
        ));
    }
    Ok((out, errors))
}

/// Articles of XLSX uploads, each with its place (`file.xlsx:row`), and the problems.
async fn read_sheets(
    uploads: Vec<(String, Vec<u8>)>,
    parsed: &mut Vec<(String, MarkdownArticle)>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    for (name, bytes) in uploads {
        let rows = tokio::task::spawn_blocking(move || crate::sheets::read_xlsx(bytes))
            .await
            .map_err(anyhow::Error::from)?;
        let rows = match rows {
            Ok(r) => r,
            Err(message) => {
                errors.push(FieldError::new(format!("{name}:1"), "invalid", message));
                continue;
            }
        };
        match sheet::parse_rows(&rows) {
            Ok(list) => parsed.extend(list.into_iter().map(|(n, a)| (format!("{name}:{n}"), a))),
            Err(problems) => errors.extend(
                problems
                    .into_iter()
                    .map(|p| FieldError::new(format!("{name}:{}", p.line), p.column, p.message)),
            ),
        }
    }
    Ok(())
}

/// Imports Markdown files, zip archives of them and XLSX workbooks (editors).
pub async fn import_files(
    app: &App,
    actor: &Actor,
    uploads: Vec<(String, Vec<u8>)>,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    let (sheets, others): (Vec<_>, Vec<_>) = uploads
        .into_iter()
        .partition(|(name, _)| crate::sheets::is_xlsx(name));
    // Each article with where it came from: `file.md:1` or `file.xlsx:<row>`.
    let mut parsed: Vec<(String, MarkdownArticle)> = Vec::new();
    let mut errors = Vec::new();
    if !others.is_empty() || sheets.is_empty() {
        let (files, expand_errors) = expand(others).map_err(AppError::Invalid)?;
        errors = expand_errors;
        for (name, text) in files {
            match markdown_file::parse(&name, &text) {
                Ok(a) => parsed.push((format!("{name}:1"), a)),
                Err(problems) => {
                    errors.extend(problems.into_iter().map(|p| {
                        FieldError::new(format!("{name}:{}", p.line), p.column, p.message)
                    }))
                }
            }
        }
    }
    read_sheets(sheets, &mut parsed, &mut errors).await?;
    if parsed.len() > MAX_FILES {
        errors.push(FieldError::new(
            "files",
            "too_many",
            format!("at most {MAX_FILES} articles"),
        ));
    }
    let mut seen_ids = HashSet::new();
    for (loc, a) in &parsed {
        if let Some(id) = a.id
            && !seen_ids.insert(id)
        {
            errors.push(FieldError::new(
                loc.clone(),
                "id",
                "another file or row has the same id",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut report = ImportReport {
        files: parsed.len(),
        dry_run,
        ..Default::default()
    };
    let tx = app.store.begin().await?;
    let mut categories: HashMap<String, Uuid> = kb_category::Entity::find()
        .all(&tx)
        .await?
        .into_iter()
        .map(|c| (c.name.to_lowercase(), c.id))
        .collect();
    for (name, a) in parsed {
        let category_id = match &a.category {
            None => None,
            Some(c) => match categories.get(&c.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    let cat = insert_category(
                        &tx,
                        app,
                        &CategorySave {
                            name: c.clone(),
                            description: String::new(),
                            parent_id: None,
                            position: 0,
                        },
                    )
                    .await
                    .map_err(|e| at_place(&name, e))?;
                    categories.insert(c.to_lowercase(), cat.id);
                    report.categories_created += 1;
                    Some(cat.id)
                }
            },
        };
        let existing = match a.id {
            Some(id) => kb_article::Entity::find_by_id(id).one(&tx).await?,
            None => None,
        };
        let save = ArticleSave {
            title: a.title,
            body: a.body,
            state: Some(a.state.as_str().to_owned()),
            category_id,
            tags: a.tags,
            product_ids: existing
                .as_ref()
                .map(|e| super::uuids(&e.product_ids))
                .unwrap_or_default(),
            review_at: a.review_at,
            version: None,
        };
        match existing {
            Some(e) => {
                save_over(&tx, app, actor, e.id, &save, None)
                    .await
                    .map_err(|e| at_place(&name, e))?;
                report.updated += 1;
            }
            None => {
                insert_article(&tx, app, actor, a.id.unwrap_or_else(Uuid::now_v7), &save)
                    .await
                    .map_err(|e| at_place(&name, e))?;
                report.created += 1;
            }
        }
    }
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(report)
}

/// Names the file and line (or row) in a use case's field errors.
fn at_place(place: &str, e: AppError) -> AppError {
    match e {
        AppError::Invalid(errs) => AppError::Invalid(
            errs.into_iter()
                .map(|f| FieldError::new(place, f.field, f.message))
                .collect(),
        ),
        other => other,
    }
}

/// Every article, oldest id first, as its file form.
async fn all_articles(app: &App) -> Result<Vec<MarkdownArticle>, AppError> {
    let db = app.store.conn();
    let categories: HashMap<Uuid, String> = kb_category::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(kb_article::Entity::find()
        .order_by_asc(kb_article::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| MarkdownArticle {
            id: Some(a.id),
            category: a.category_id.and_then(|c| categories.get(&c).cloned()),
            state: ArticleState::parse(&a.state).unwrap_or(ArticleState::Draft),
            tags: strings(&a.tags),
            title: a.title,
            review_at: a.review_at,
            body: a.body,
        })
        .collect())
}

/// Every article as one row of an XLSX workbook (editors); [`import_files`] reads it back,
/// updating the articles by their ids.
pub async fn export_xlsx(app: &App, actor: &Actor) -> Result<Vec<u8>, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    let rows: Vec<Vec<String>> = all_articles(app).await?.iter().map(sheet::row_of).collect();
    let body_column = sheet::COLUMNS.len() - 1;
    tokio::task::spawn_blocking(move || {
        crate::sheets::write_xlsx("文章 articles", &sheet::header(), &rows, &[body_column])
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(AppError::Internal)
}

/// Every article as Markdown files in a zip archive, one folder per category (editors).
pub async fn export_zip(app: &App, actor: &Actor) -> Result<Vec<u8>, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    let articles = all_articles(app).await?;
    let mut files: Vec<(String, String)> = Vec::with_capacity(articles.len());
    let mut names = HashSet::new();
    for a in articles {
        let folder = a
            .category
            .as_deref()
            .map(markdown_file::file_name)
            .map(|f| f.trim_end_matches(".md").to_owned())
            .unwrap_or_else(|| "未分类".into());
        let base = markdown_file::file_name(&a.title);
        let stem = base.trim_end_matches(".md").to_owned();
        let mut path = format!("{folder}/{base}");
        let mut n = 2;
        while !names.insert(path.clone()) {
            path = format!("{folder}/{stem}-{n}.md");
            n += 1;
        }
        files.push((path, markdown_file::render(&a)));
    }
    tokio::task::spawn_blocking(move || -> Result<Vec<u8>, AppError> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (path, md) in files {
            w.start_file(path, opts).map_err(anyhow::Error::from)?;
            w.write_all(md.as_bytes()).map_err(anyhow::Error::from)?;
        }
        Ok(w.finish().map_err(anyhow::Error::from)?.into_inner())
    })
    .await
    .map_err(anyhow::Error::from)?
}
