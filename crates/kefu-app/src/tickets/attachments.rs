//! Attachments: files stored on disk by content hash (the same file uploaded twice is stored
//! once), with a row and a history event per upload.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{attachment, ticket_event};
use kefu_store::sea_orm::{EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::{events, visible_ticket};
use crate::auth::sha256_hex;
use crate::{App, AppError, require};

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// Original file name.
    pub file_name: String,
    /// Declared MIME type.
    pub content_type: Option<String>,
    /// Content.
    pub bytes: Vec<u8>,
    /// Visible to the customer (staff uploads may be internal).
    pub public: bool,
}

/// A stored attachment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    /// Id.
    pub id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
}

impl From<attachment::Model> for AttachmentView {
    fn from(a: attachment::Model) -> Self {
        AttachmentView {
            id: a.id,
            ticket_id: a.ticket_id,
            file_name: a.file_name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

fn path_for(app: &App, sha: &str) -> PathBuf {
    app.settings.files_dir.join(&sha[..2]).join(sha)
}

/// Writes `bytes` under the files directory by content hash (durably: written to a temporary
/// name, synced, renamed) unless already there, and returns the hash. Done before the row that
/// points at it, so a crash leaves at worst an unreferenced file.
pub(crate) async fn store_blob(app: &App, bytes: &[u8]) -> Result<String, AppError> {
    let sha = sha256_hex(bytes);
    let path = path_for(app, &sha);
    if tokio::fs::metadata(&path).await.is_err() {
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(anyhow::Error::from)?;
        let tmp = dir.join(format!(".{sha}.{}", Uuid::now_v7().simple()));
        let bytes = bytes.to_vec();
        let tmp2 = tmp.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            let mut file = std::fs::File::create(&tmp2)?;
            file.write_all(&bytes)?;
            file.sync_all()
        })
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(anyhow::Error::from)?;
    }
    Ok(sha)
}

/// Reads a stored file by its hash.
pub(crate) async fn read_blob(app: &App, sha: &str) -> Result<Vec<u8>, AppError> {
    if sha.len() < 3 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound("file"));
    }
    tokio::fs::read(path_for(app, sha))
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => AppError::NotFound("file"),
            _ => AppError::Internal(e.into()),
        })
}

pub(crate) fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

pub(crate) fn clean_type(t: Option<&str>) -> String {
    match t {
        Some(t)
            if t.len() < 100
                && t.split_once('/')
                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
                && t.is_ascii()
                && !t.contains(char::is_whitespace) =>
        {
            t.to_ascii_lowercase()
        }
        _ => "application/octet-stream".into(),
    }
}

/// Refuses an empty upload or one over the configured limit (ticket and article files).
pub(crate) fn check_size(app: &App, bytes: &[u8]) -> Result<(), AppError> {
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "empty", "the file is empty"));
    }
    if bytes.len() as u64 > app.settings.max_attachment_bytes {
        return Err(AppError::invalid(
            "file",
            "too_large",
            format!("at most {} bytes", app.settings.max_attachment_bytes),
        ));
    }
    Ok(())
}

/// Stores the file (durably, before the row that points at it) and records it on the ticket.
pub async fn add_attachment(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    f: NewAttachment,
) -> Result<AttachmentView, AppError> {
    require(actor, Permission::TicketUpdate)?;
    check_size(app, &f.bytes)?;
    visible_ticket(app.store.conn(), actor, ticket_id).await?;
    let sha = store_blob(app, &f.bytes).await?;
    let now = app.now();
    let public = f.public || !actor.role.is_staff();
    let tx = app.store.begin().await?;
    let id = Uuid::now_v7();
    let event_id = events::append(
        &tx,
        ticket_id,
        "attachment_added",
        Some(actor.user_id),
        public,
        json!({"attachment_id": id, "file_name": clean_name(&f.file_name), "size": f.bytes.len()}),
        now,
    )
    .await?;
    let m = attachment::Model {
        id,
        ticket_id,
        event_id: Some(event_id),
        file_name: clean_name(&f.file_name),
        content_type: clean_type(f.content_type.as_deref()),
        size: f.bytes.len() as i64,
        sha256: sha,
        created_by: Some(actor.user_id),
        created_at: now,
    };
    attachment::Entity::insert(attachment::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    kefu_store::entity::ticket::Entity::update_many()
        .col_expr(
            kefu_store::entity::ticket::Column::UpdatedAt,
            kefu_store::sea_orm::sea_query::Expr::value(now),
        )
        .filter(kefu_store::sea_orm::ColumnTrait::eq(
            &kefu_store::entity::ticket::Column::Id,
            ticket_id,
        ))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(m.into())
}

/// Reads an attachment the actor may see: its metadata and content.
pub async fn read_attachment(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<(AttachmentView, Vec<u8>), AppError> {
    require(actor, Permission::TicketRead)?;
    let db = app.store.conn();
    let a = attachment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("attachment"))?;
    visible_ticket(db, actor, a.ticket_id)
        .await
        .map_err(|e| e.when_not_found(AppError::NotFound("attachment")))?;
    if !actor.role.is_staff() {
        let public = match a.event_id {
            Some(eid) => ticket_event::Entity::find_by_id(eid)
                .one(db)
                .await?
                .is_some_and(|e| e.public),
            None => false,
        };
        if !public {
            return Err(AppError::NotFound("attachment"));
        }
    }
    let bytes = tokio::fs::read(path_for(app, &a.sha256))
        .await
        .map_err(anyhow::Error::from)?;
    Ok((a.into(), bytes))
}
