//! `/import`: importing a spreadsheet in the browser. Upload a file for a list; map each of its
//! columns to a field (pre-selected from the header, as the import reads it); try it (a dry run
//! reports every bad row by file, row and field and writes nothing); then import.

use std::collections::HashMap;

use axum::extract::{Multipart, State};
use axum::response::Response;
use kefu_app::AppError;
use kefu_app::import::{AssetImport, ImportKind};
use serde::Serialize;
use uuid::Uuid;

use super::base;
use super::errors::page_error;
use super::form::{Pairs, get, uuid};
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;

/// One column of the uploaded file and the field it fills.
#[derive(Serialize)]
struct Col {
    header: String,
    field: String,
}

/// A problem of the last run.
#[derive(Serialize)]
struct Line {
    at: String,
    field: String,
    message: String,
}

fn kinds() -> Vec<&'static str> {
    ImportKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// `GET /import`.
pub async fn page(Staff(v): Staff) -> Response {
    render(
        "agent/import.html",
        ctx!(base(&v); section => "import", kinds => kinds()),
    )
}

#[allow(clippy::too_many_arguments)]
fn step(
    v: &Viewer,
    kind: ImportKind,
    token: Uuid,
    file_name: &str,
    cols: Vec<Col>,
    report: Option<kefu_app::import::ImportReport>,
    problems: Vec<Line>,
    error: Option<String>,
) -> Response {
    let fields: Vec<(&str, bool)> = kind.fields();
    render(
        "agent/import_step.html",
        ctx!(base(v); kind => kind.as_str(), token, file_name, cols, fields, report, problems, error),
    )
}

/// `POST /import/preview` (multipart `kind`, `file`): stages the file, shows its columns.
pub async fn preview(State(s): State<AppState>, Staff(v): Staff, mut form: Multipart) -> Response {
    let r = async {
        let mut kind = None;
        let mut file = None;
        while let Some(f) = form
            .next_field()
            .await
            .map_err(|e| AppError::invalid("file", "bad_multipart", e.body_text()))?
        {
            match f.name().unwrap_or("") {
                "kind" => kind = ImportKind::parse(f.text().await.unwrap_or_default().trim()),
                "file" => {
                    let name = f.file_name().unwrap_or("import.csv").to_owned();
                    let bytes = f
                        .bytes()
                        .await
                        .map_err(|e| AppError::invalid("file", "bad_multipart", e.body_text()))?;
                    file = Some((name, bytes.to_vec()));
                }
                _ => {}
            }
        }
        let kind = kind.ok_or_else(|| AppError::invalid("kind", "required", "pick a list"))?;
        let (name, bytes) = file
            .filter(|f| !f.1.is_empty())
            .ok_or_else(|| AppError::invalid("file", "required", "a .xlsx or .csv file"))?;
        let st = kefu_app::import::stage(&s.app, &v.actor, &name, bytes).await?;
        Ok::<_, AppError>((kind, st))
    }
    .await;
    match r {
        Ok((kind, st)) => {
            let cols = st
                .headers
                .iter()
                .map(|h| Col {
                    header: h.clone(),
                    field: kind.guess(h).unwrap_or("").to_owned(),
                })
                .collect();
            step(
                &v,
                kind,
                st.token,
                &st.file_name,
                cols,
                None,
                Vec::new(),
                None,
            )
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /import/run`: `kind`, `token`, `dry_run`, and per column `h<i>` (its header) and
/// `f<i>` (the field, empty to ignore it).
pub async fn run(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let (Some(kind), Some(token)) = (ImportKind::parse(get(&p, "kind")), uuid(&p, "token")) else {
        return page_error(
            AppError::invalid("token", "invalid", "upload the file again"),
            v.locale(),
        );
    };
    let dry_run = get(&p, "dry_run") == "1";
    let mut cols = Vec::new();
    let mut mapping = HashMap::new();
    for i in super::form::rows(&p, "h") {
        let header = get(&p, &format!("h{i}")).to_owned();
        let field = get(&p, &format!("f{i}")).to_owned();
        mapping.insert(header.clone(), field.clone());
        cols.push(Col { header, field });
    }
    let (file_name, bytes) = match kefu_app::import::staged(&s.app, &v.actor, token).await {
        Ok(x) => x,
        Err(e) => return page_error(e, v.locale()),
    };
    let imp = AssetImport {
        file_name: file_name.clone(),
        bytes,
        mapping,
        dry_run,
    };
    match kefu_app::import::run(&s.app, &v.actor, kind, imp, &|_, _| {}).await {
        Ok(report) => {
            if !dry_run {
                kefu_app::import::unstage(&s.app, &v.actor, token).await;
            }
            step(
                &v,
                kind,
                token,
                &file_name,
                cols,
                Some(report),
                Vec::new(),
                None,
            )
        }
        Err(AppError::Invalid(errors)) => {
            let problems = errors
                .into_iter()
                .map(|e| Line {
                    at: e.field,
                    field: e.code,
                    message: e.message,
                })
                .collect();
            step(&v, kind, token, &file_name, cols, None, problems, None)
        }
        Err(e) => {
            let text = super::errors::describe(e, v.locale()).1;
            step(
                &v,
                kind,
                token,
                &file_name,
                cols,
                None,
                Vec::new(),
                Some(text),
            )
        }
    }
}
