//! The knowledge base over the API: categories, articles (read with the caller's rights,
//! anonymous callers read public ones), versions, files, "was this helpful" votes, import and
//! export, suggestions, deflections, and the self-service bot.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::AppError;
use kefu_app::kb::bot::BotReply;
use kefu_app::kb::{
    ArticleFilter, ArticlePage, ArticleSave, ArticleView, CategorySave, CategoryView,
    DeflectionStats, ImportReport, KbFileView, SuggestedArticle, Suggestions, VersionView,
    VoteOutcome,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::tickets::{multipart_problem, read_upload};
use super::{ApiResult, file_response, if_match};
use crate::extract::{Auth, Json, MaybeAuth, Path, Query, cookie_in};
use crate::{ApiError, AppState};

/// Counts an anonymous request against its address's limit (`429` with `Retry-After` when
/// over it); signed-in callers pass.
fn throttle(
    s: &AppState,
    a: Option<&kefu_domain::access::Actor>,
    addr: SocketAddr,
) -> Result<(), ApiError> {
    kefu_app::kb::throttle_anonymous(&s.app, a, &addr.ip().to_string()).map_err(ApiError)
}

/// Categories in order, with the caller's article counts.
#[utoipa::path(get, path = "/api/v1/kb/categories", tag = "kb", responses((status = 200, body = Vec<CategoryView>)), security((), ("bearer" = [])))]
pub async fn list_categories(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
) -> ApiResult<axum::Json<Vec<CategoryView>>> {
    Ok(axum::Json(
        kefu_app::kb::list_categories(&s.app, a.as_ref()).await?,
    ))
}

/// Creates a category (`kb.manage`).
#[utoipa::path(post, path = "/api/v1/kb/categories", tag = "kb", request_body = CategorySave, responses((status = 201, body = CategoryView)))]
pub async fn create_category(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<CategorySave>,
) -> ApiResult<(StatusCode, axum::Json<CategoryView>)> {
    let c = kefu_app::kb::create_category(&s.app, &a, b).await?;
    Ok((StatusCode::CREATED, axum::Json(c)))
}

/// Changes a category (`kb.manage`).
#[utoipa::path(put, path = "/api/v1/kb/categories/{id}", tag = "kb", params(("id" = Uuid, Path)), request_body = CategorySave, responses((status = 200, body = CategoryView)))]
pub async fn update_category(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<CategorySave>,
) -> ApiResult<axum::Json<CategoryView>> {
    Ok(axum::Json(
        kefu_app::kb::update_category(&s.app, &a, id, b).await?,
    ))
}

/// Deletes an empty category (`kb.manage`).
#[utoipa::path(delete, path = "/api/v1/kb/categories/{id}", tag = "kb", params(("id" = Uuid, Path)), responses((status = 204)))]
pub async fn delete_category(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    kefu_app::kb::delete_category(&s.app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Articles the caller may read, most recently saved first.
#[utoipa::path(get, path = "/api/v1/kb/articles", tag = "kb", params(ArticleFilter), responses((status = 200, body = ArticlePage)), security((), ("bearer" = [])))]
pub async fn list_articles(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
    Query(f): Query<ArticleFilter>,
) -> ApiResult<axum::Json<ArticlePage>> {
    Ok(axum::Json(
        kefu_app::kb::list_articles(&s.app, a.as_ref(), f).await?,
    ))
}

/// Creates an article (`kb.manage`).
#[utoipa::path(post, path = "/api/v1/kb/articles", tag = "kb", request_body = ArticleSave, responses((status = 201, body = ArticleView), (status = 422, body = crate::error::Problem)))]
pub async fn create_article(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<ArticleSave>,
) -> ApiResult<(StatusCode, axum::Json<ArticleView>)> {
    let v = kefu_app::kb::create_article(&s.app, &a, b).await?;
    Ok((StatusCode::CREATED, axum::Json(v)))
}

/// Whether reading counts as a view.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReadQuery {
    /// Count this read in the article's views (pages and widgets do; scripts need not).
    #[serde(default)]
    pub count_view: bool,
}

/// One article the caller may read (others are 404).
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", tag = "kb", params(("id" = Uuid, Path), ReadQuery), responses((status = 200, body = ArticleView)), security((), ("bearer" = [])))]
pub async fn get_article(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
    Path(id): Path<Uuid>,
    Query(q): Query<ReadQuery>,
) -> ApiResult<axum::Json<ArticleView>> {
    Ok(axum::Json(
        kefu_app::kb::get_article(&s.app, a.as_ref(), id, q.count_view).await?,
    ))
}

/// Saves a change (`kb.manage`); the version edited comes in the body or `If-Match`, and a
/// save based on an older version is refused with 409.
#[utoipa::path(put, path = "/api/v1/kb/articles/{id}", tag = "kb", params(("id" = Uuid, Path)), request_body = ArticleSave, responses((status = 200, body = ArticleView), (status = 409, body = crate::error::Problem)))]
pub async fn update_article(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(mut b): Json<ArticleSave>,
) -> ApiResult<axum::Json<ArticleView>> {
    b.version = b.version.or(if_match(&headers));
    Ok(axum::Json(
        kefu_app::kb::update_article(&s.app, &a, id, b).await?,
    ))
}

/// Every saved version, newest first (staff).
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}/versions", tag = "kb", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<VersionView>)))]
pub async fn list_versions(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<VersionView>>> {
    Ok(axum::Json(
        kefu_app::kb::article_versions(&s.app, &a, id).await?,
    ))
}

/// Makes an old version current again, as a new version (`kb.manage`).
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/versions/{version}/restore", tag = "kb", params(("id" = Uuid, Path), ("version" = i32, Path)), responses((status = 200, body = ArticleView)))]
pub async fn restore_version(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, version)): Path<(Uuid, i32)>,
) -> ApiResult<axum::Json<ArticleView>> {
    Ok(axum::Json(
        kefu_app::kb::restore_version(&s.app, &a, id, version).await?,
    ))
}

/// Adds a file or image to an article (multipart field `file`; `kb.manage`). Link it in the
/// Markdown as `![](/kb/files/<id>)`.
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/files", tag = "kb", params(("id" = Uuid, Path)), responses((status = 201, body = KbFileView)))]
pub async fn upload_file(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    form: Multipart,
) -> Result<(StatusCode, axum::Json<KbFileView>), Response> {
    let f = read_upload(form).await?;
    let v = kefu_app::kb::add_article_file(&s.app, &a, id, f)
        .await
        .map_err(|e| ApiError(e).into_response())?;
    Ok((StatusCode::CREATED, axum::Json(v)))
}

/// An article's file, for whoever may read the article (images are shown inline).
#[utoipa::path(get, path = "/kb/files/{id}", tag = "kb", params(("id" = Uuid, Path)), responses((status = 200, content_type = "application/octet-stream")), security((), ("bearer" = [])))]
pub async fn download_file(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let (meta, bytes) = kefu_app::kb::read_article_file(&s.app, a.as_ref(), id).await?;
    Ok(file_response(
        &meta.content_type,
        &meta.file_name,
        bytes,
        true,
    ))
}

/// A vote.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VoteInput {
    /// Did the article help?
    pub helpful: bool,
    /// What was missing (optional).
    #[serde(default)]
    pub comment: Option<String>,
}

/// The cookie that keeps an anonymous reader's vote theirs (a second vote replaces the first).
const VOTER_COOKIE: &str = "kefu_voter";

/// "Was this helpful?" — one vote per reader and article; signed-in readers by account,
/// anonymous ones by a browser cookie.
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/feedback", tag = "kb", params(("id" = Uuid, Path)), request_body = VoteInput, responses((status = 200, body = VoteOutcome)), security((), ("bearer" = [])))]
pub async fn vote(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(b): Json<VoteInput>,
) -> ApiResult<Response> {
    throttle(&s, a.as_ref(), addr)?;
    let (voter, fresh) = match cookie_in(&headers, VOTER_COOKIE) {
        Some(v) if v.len() >= 16 && v.len() <= 64 => (v.to_owned(), false),
        _ => (Uuid::new_v4().simple().to_string(), true),
    };
    let out = kefu_app::kb::vote(&s.app, a.as_ref(), id, b.helpful, b.comment, &voter).await?;
    let mut r = axum::Json(out).into_response();
    if fresh
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{VOTER_COOKIE}={voter}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
        ))
    {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// Import options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Check everything, write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Imports Markdown files, zip archives of them and XLSX workbooks (multipart, any number of
/// `files`; `kb.manage`). All or nothing: 422 lists every problem as `file:line` (or
/// `file.xlsx:row`) with the key.
#[utoipa::path(post, path = "/api/v1/kb/import", tag = "kb", params(ImportQuery), responses((status = 200, body = ImportReport), (status = 422, body = crate::error::Problem)))]
pub async fn import(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<ImportQuery>,
    mut form: Multipart,
) -> Result<axum::Json<ImportReport>, Response> {
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(multipart_problem)? {
        let name = field.file_name().unwrap_or("file.md").to_owned();
        let bytes = field.bytes().await.map_err(multipart_problem)?;
        files.push((name, bytes.to_vec()));
    }
    kefu_app::kb::import_files(&s.app, &a, files, q.dry_run)
        .await
        .map(axum::Json)
        .map_err(|e| ApiError(e).into_response())
}

/// Export options.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `zip` (Markdown files, default) or `xlsx` (one row per article).
    #[serde(default)]
    pub format: Option<String>,
}

/// Every article as Markdown files in a zip archive, or as rows of an XLSX workbook
/// (`kb.manage`). Both import back, updating articles by their ids.
#[utoipa::path(get, path = "/api/v1/kb/export", tag = "kb", params(ExportQuery), responses((status = 200, content_type = "application/zip"), (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    match q.format.as_deref().unwrap_or("zip") {
        "zip" => Ok(file_response(
            "application/zip",
            "kefu-kb.zip",
            kefu_app::kb::export_zip(&s.app, &a).await?,
            false,
        )),
        "xlsx" => Ok(file_response(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "kefu-kb.xlsx",
            kefu_app::kb::export_xlsx(&s.app, &a).await?,
            false,
        )),
        _ => Err(AppError::invalid("format", "invalid", "zip or xlsx").into()),
    }
}

/// The text being written.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SuggestQuery {
    /// What the customer has typed so far.
    #[serde(default)]
    pub q: String,
}

/// Public articles that may answer what a customer is writing (portal form, chat).
#[utoipa::path(get, path = "/api/v1/kb/suggest", tag = "kb", params(SuggestQuery), responses((status = 200, body = Vec<SuggestedArticle>)), security((), ("bearer" = [])))]
pub async fn suggest(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Query(q): Query<SuggestQuery>,
) -> ApiResult<axum::Json<Vec<SuggestedArticle>>> {
    throttle(&s, a.as_ref(), addr)?;
    Ok(axum::Json(kefu_app::kb::for_customer(&s.app, &q.q).await?))
}

/// Articles and solved tickets like this ticket, with the text one click inserts (staff).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/suggestions", tag = "kb", params(("id" = Uuid, Path)), responses((status = 200, body = Suggestions)))]
pub async fn ticket_suggestions(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Suggestions>> {
    Ok(axum::Json(kefu_app::kb::for_ticket(&s.app, &a, id).await?))
}

/// A suggested article being opened.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OpenInput {
    /// `portal`, `chat`, `help` or `bot`.
    pub channel: String,
    /// What the customer had typed.
    #[serde(default)]
    pub q: String,
}

/// The deflection recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deflection {
    /// Send it back with the ticket if the customer files anyway, or to `…/solved`.
    pub deflection_id: Uuid,
}

/// A customer about to file opened a suggested public article (counts the view).
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/open", tag = "kb", params(("id" = Uuid, Path)), request_body = OpenInput, responses((status = 201, body = Deflection)), security((), ("bearer" = [])))]
pub async fn open_suggested(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<Uuid>,
    Json(b): Json<OpenInput>,
) -> ApiResult<(StatusCode, axum::Json<Deflection>)> {
    throttle(&s, a.as_ref(), addr)?;
    let d = kefu_app::kb::open_suggested(&s.app, a.as_ref(), id, &b.channel, &b.q).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Deflection { deflection_id: d }),
    ))
}

/// The customer says the article solved their problem.
#[utoipa::path(post, path = "/api/v1/kb/deflections/{id}/solved", tag = "kb", params(("id" = Uuid, Path)), responses((status = 204)), security((), ("bearer" = [])))]
pub async fn mark_solved(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    throttle(&s, a.as_ref(), addr)?;
    kefu_app::kb::mark_solved(&s.app, a.as_ref(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deflection counts per article (staff).
#[utoipa::path(get, path = "/api/v1/kb/deflections", tag = "kb", responses((status = 200, body = Vec<DeflectionStats>)))]
pub async fn deflections(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<DeflectionStats>>> {
    Ok(axum::Json(
        kefu_app::kb::deflection_stats(&s.app, &a, None).await?,
    ))
}

/// A question for the bot.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AskInput {
    /// The question (1–500 characters).
    pub question: String,
    /// `zh-CN` (default) or `en`.
    #[serde(default)]
    pub locale: Option<String>,
    /// `portal` or `chat` (default).
    #[serde(default)]
    pub channel: Option<String>,
}

/// The self-service bot answers from public articles, or hands over.
#[utoipa::path(post, path = "/api/v1/bot/ask", tag = "kb", request_body = AskInput, responses((status = 200, body = BotReply)), security((), ("bearer" = [])))]
pub async fn ask_bot(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(b): Json<AskInput>,
) -> ApiResult<axum::Json<BotReply>> {
    throttle(&s, a.as_ref(), addr)?;
    let n = b.question.trim().chars().count();
    if n == 0 || n > 500 {
        return Err(AppError::invalid("question", "invalid", "1 to 500 characters").into());
    }
    let ctx = kefu_app::kb::bot::BotContext {
        chat_session_id: None,
        customer_id: a.as_ref().and_then(|a| a.customer_id),
    };
    Ok(axum::Json(
        kefu_app::kb::bot::ask(
            &s.app,
            b.channel.as_deref().unwrap_or("chat"),
            &b.question,
            b.locale.as_deref().unwrap_or("zh-CN"),
            ctx,
        )
        .await?,
    ))
}

/// A rating of a bot answer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RateInput {
    /// Did it help?
    pub helpful: bool,
}

/// Rates a bot answer (once).
#[utoipa::path(post, path = "/api/v1/bot/answers/{id}/rating", tag = "kb", params(("id" = Uuid, Path)), request_body = RateInput, responses((status = 204)), security((), ("bearer" = [])))]
pub async fn rate_bot(
    State(s): State<AppState>,
    MaybeAuth(a): MaybeAuth,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<Uuid>,
    Json(b): Json<RateInput>,
) -> ApiResult<StatusCode> {
    throttle(&s, a.as_ref(), addr)?;
    kefu_app::kb::bot::rate(&s.app, id, b.helpful).await?;
    Ok(StatusCode::NO_CONTENT)
}
