//! Files and images of an article, stored by content hash like ticket attachments; readable
//! by whoever may read the article. Markdown links them as `/kb/files/<id>`.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::kb_attachment;
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::tickets::{NewAttachment, check_size, clean_name, clean_type, read_blob, store_blob};
use crate::{App, AppError, require};

/// An article's file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KbFileView {
    /// Id.
    pub id: Uuid,
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Where it is served (`/kb/files/<id>`), for Markdown links and images.
    pub url: String,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

impl From<kb_attachment::Model> for KbFileView {
    fn from(a: kb_attachment::Model) -> Self {
        KbFileView {
            url: format!("/kb/files/{}", a.id),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            created_at: a.created_at,
        }
    }
}

pub(super) async fn files_of(
    db: &impl ConnectionTrait,
    article: Uuid,
) -> Result<Vec<KbFileView>, AppError> {
    Ok(kb_attachment::Entity::find()
        .filter(kb_attachment::Column::ArticleId.eq(article))
        .order_by_asc(kb_attachment::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(KbFileView::from)
        .collect())
}

/// Adds a file to an article (editors); stored durably before its row.
pub async fn add_article_file(
    app: &App,
    actor: &Actor,
    article: Uuid,
    f: NewAttachment,
) -> Result<KbFileView, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    check_size(app, &f.bytes)?;
    let db = app.store.conn();
    super::read::readable_row(db, Some(actor), article).await?;
    let sha = store_blob(app, &f.bytes).await?;
    let m = kb_attachment::Model {
        id: Uuid::now_v7(),
        article_id: article,
        file_name: clean_name(&f.file_name),
        content_type: clean_type(f.content_type.as_deref()),
        size: f.bytes.len() as i64,
        sha256: sha,
        created_by: actor.user_ref(),
        created_at: app.now(),
    };
    kb_attachment::Entity::insert(kb_attachment::ActiveModel::from(m.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(m.into())
}

/// A file and its content, if the reader may read its article.
pub async fn read_article_file(
    app: &App,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<(KbFileView, Vec<u8>), AppError> {
    let a = kb_attachment::Entity::find_by_id(id)
        .one(app.store.conn())
        .await?
        .ok_or(AppError::NotFound("file"))?;
    super::read::readable_row(app.store.conn(), actor, a.article_id)
        .await
        .map_err(|_| AppError::NotFound("file"))?;
    let bytes = read_blob(app, &a.sha256).await?;
    Ok((a.into(), bytes))
}
