//! Multipart page forms (replies and portal tickets with attachments): text fields and files,
//! read within the request body limit. The CSRF token travels in the htmx header, checked by
//! the `Staff` / `PortalUser` extractors.

use axum::extract::Multipart;
use kefu_app::AppError;
use kefu_app::tickets::NewAttachment;

/// A decoded multipart form.
#[derive(Default)]
pub struct Upload {
    /// Text fields, in order.
    pub fields: Vec<(String, String)>,
    /// Files (empty file inputs are skipped).
    pub files: Vec<NewAttachment>,
}

impl Upload {
    /// A text field, trimmed; empty when absent.
    pub fn get(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }
}

/// Reads every field; files from inputs named `files` are public unless `public` is false.
pub async fn read(mut form: Multipart, public: bool) -> Result<Upload, AppError> {
    let mut up = Upload::default();
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::invalid("files", "bad_multipart", e.body_text())
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "files" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let content_type = field.content_type().map(str::to_owned);
            let bytes = field.bytes().await.map_err(bad)?;
            if file_name.is_empty() && bytes.is_empty() {
                continue;
            }
            up.files.push(NewAttachment {
                file_name,
                content_type,
                bytes: bytes.to_vec(),
                public,
            });
        } else {
            let text = field.text().await.map_err(bad)?;
            up.fields.push((name, text));
        }
    }
    Ok(up)
}
