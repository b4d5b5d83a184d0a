//! Uploads kept between the steps of an import in the browser (upload → map columns → dry run
//! → import): the file is stored under the importing user's own folder with a random token, and
//! removed once imported (uploads left for a day are removed when the user stages the next).

use std::path::PathBuf;

use kefu_domain::access::Actor;
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError};

/// A staged upload.
#[derive(Debug, Clone, Serialize)]
pub struct Staged {
    /// Token naming it in the next steps.
    pub token: Uuid,
    /// The uploaded file's name.
    pub file_name: String,
    /// Its header row.
    pub headers: Vec<String>,
}

fn dir(app: &App, actor: &Actor) -> PathBuf {
    app.settings
        .files_dir
        .join("imports")
        .join(actor.user_id.simple().to_string())
}

/// Keeps an upload and reads its header row (staff).
pub async fn stage(
    app: &App,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Staged, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("import.csv")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let headers = super::headers(&name, bytes.clone()).await?;
    let token = Uuid::new_v4();
    let d = dir(app, actor);
    tokio::fs::create_dir_all(&d)
        .await
        .map_err(anyhow::Error::from)?;
    forget_abandoned(&d).await;
    tokio::fs::write(d.join(token.simple().to_string()), &bytes)
        .await
        .map_err(anyhow::Error::from)?;
    tokio::fs::write(d.join(format!("{}.name", token.simple())), name.as_bytes())
        .await
        .map_err(anyhow::Error::from)?;
    Ok(Staged {
        token,
        file_name: name,
        headers,
    })
}

/// How long an upload that was never imported is kept.
const KEEP: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes this user's uploads older than [`KEEP`] (imports started and left).
async fn forget_abandoned(d: &std::path::Path) {
    let Ok(mut entries) = tokio::fs::read_dir(d).await else {
        return;
    };
    while let Ok(Some(e)) = entries.next_entry().await {
        let old = e
            .metadata()
            .await
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > KEEP);
        if old {
            let _ = tokio::fs::remove_file(e.path()).await;
        }
    }
}

/// The staged upload `token` of this user: file name and bytes.
pub async fn staged(app: &App, actor: &Actor, token: Uuid) -> Result<(String, Vec<u8>), AppError> {
    let d = dir(app, actor);
    let bytes = tokio::fs::read(d.join(token.simple().to_string()))
        .await
        .map_err(|_| AppError::NotFound("upload"))?;
    let name = tokio::fs::read_to_string(d.join(format!("{}.name", token.simple())))
        .await
        .map_err(|_| AppError::NotFound("upload"))?;
    Ok((name, bytes))
}

/// Forgets a staged upload (after it was imported).
pub async fn unstage(app: &App, actor: &Actor, token: Uuid) {
    let d = dir(app, actor);
    let _ = tokio::fs::remove_file(d.join(token.simple().to_string())).await;
    let _ = tokio::fs::remove_file(d.join(format!("{}.name", token.simple()))).await;
}
