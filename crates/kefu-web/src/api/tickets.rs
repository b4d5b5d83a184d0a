//! Tickets: create (idempotent), list, get, update, transition, reply, note, assign, merge,
//! split, history, attachments.

use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::AppError;
use kefu_app::tickets::{
    AssignInput, AttachmentView, EventView, MergeInput, NewAttachment, NewTicket, ReplyInput,
    SplitInput, TicketListQuery, TicketPage, TicketPatch, TicketView, TransitionInput,
};
use uuid::Uuid;

use super::{ApiResult, if_match};
use crate::extract::{Auth, Json, Path, Query, parse_json};
use crate::{ApiError, AppState};

/// Opens a ticket. With `Idempotency-Key`, a retry returns the first response.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = NewTicket,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry-safe key")),
    responses((status = 201, body = TicketView), (status = 422, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn create_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return ApiError::problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send Content-Type: application/json",
        );
    }
    let req: NewTicket = match parse_json(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let (status, json, replayed, id) = match &key {
        Some(k) => match kefu_app::tickets::open_ticket_once(&s.app, &a, k, &body, req).await {
            Ok(r) => {
                let id = serde_json::from_str::<serde_json::Value>(&r.body)
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_owned));
                (r.status, r.body, r.replayed, id)
            }
            Err(e) => return ApiError(e).into_response(),
        },
        None => match kefu_app::tickets::open_ticket(&s.app, &a, req).await {
            Ok(view) => match serde_json::to_string(&view) {
                Ok(j) => (201, j, false, Some(view.id.to_string())),
                Err(e) => return ApiError(AppError::Internal(e.into())).into_response(),
            },
            Err(e) => return ApiError(e).into_response(),
        },
    };
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED),
        json,
    )
        .into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if replayed {
        h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if let Some(v) = id.and_then(|id| HeaderValue::from_str(&format!("/api/v1/tickets/{id}")).ok())
    {
        h.insert(header::LOCATION, v);
    }
    r
}

/// Lists tickets, newest first, with filters and a cursor.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(TicketListQuery), responses((status = 200, body = TicketPage)))]
pub async fn list_tickets(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<TicketListQuery>,
) -> ApiResult<axum::Json<TicketPage>> {
    Ok(axum::Json(
        kefu_app::tickets::list_tickets(&s.app, &a, q).await?,
    ))
}

fn with_etag(v: TicketView) -> Response {
    let etag = format!("\"{}\"", v.version);
    let mut r = axum::Json(v).into_response();
    if let Ok(h) = HeaderValue::from_str(&etag) {
        r.headers_mut().insert(header::ETAG, h);
    }
    r
}

/// One ticket with its SLA clock; `ETag` is its version.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = Uuid, Path)), responses((status = 200, body = TicketView), (status = 404, body = crate::error::Problem)))]
pub async fn get_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    Ok(with_etag(
        kefu_app::tickets::get_ticket(&s.app, &a, id).await?,
    ))
}

/// One ticket by number (`SR-202611-000123`).
#[utoipa::path(get, path = "/api/v1/tickets/by-number/{number}", tag = "tickets", params(("number" = String, Path)), responses((status = 200, body = TicketView)))]
pub async fn get_ticket_by_number(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(number): Path<String>,
) -> ApiResult<Response> {
    Ok(with_etag(
        kefu_app::tickets::get_ticket_by_number(&s.app, &a, &number).await?,
    ))
}

/// Changes fields; needs the current version (`If-Match` or `version`), else 409 on a stale one.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = Uuid, Path)), request_body = TicketPatch, responses((status = 200, body = TicketView), (status = 409, body = crate::error::Problem)))]
pub async fn update_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(mut req): Json<TicketPatch>,
) -> ApiResult<Response> {
    req.version = req.version.or(if_match(&headers));
    Ok(with_etag(
        kefu_app::tickets::update_ticket(&s.app, &a, id, req).await?,
    ))
}

/// Changes status as the workflow allows.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/transition", tag = "tickets", params(("id" = Uuid, Path)), request_body = TransitionInput, responses((status = 200, body = TicketView), (status = 422, body = crate::error::Problem)))]
pub async fn transition_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(mut req): Json<TransitionInput>,
) -> ApiResult<Response> {
    req.version = req.version.or(if_match(&headers));
    Ok(with_etag(
        kefu_app::tickets::transition_ticket(&s.app, &a, id, req).await?,
    ))
}

/// Adds a public reply.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/replies", tag = "tickets", params(("id" = Uuid, Path)), request_body = ReplyInput, responses((status = 200, body = TicketView)))]
pub async fn reply_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<ReplyInput>,
) -> ApiResult<Response> {
    Ok(with_etag(
        kefu_app::tickets::add_reply(&s.app, &a, id, req).await?,
    ))
}

/// Adds an internal note.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/notes", tag = "tickets", params(("id" = Uuid, Path)), request_body = ReplyInput, responses((status = 200, body = TicketView)))]
pub async fn note_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<ReplyInput>,
) -> ApiResult<Response> {
    Ok(with_etag(
        kefu_app::tickets::add_note(&s.app, &a, id, req).await?,
    ))
}

/// Assigns to a person and/or team.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "tickets", params(("id" = Uuid, Path)), request_body = AssignInput, responses((status = 200, body = TicketView)))]
pub async fn assign_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(mut req): Json<AssignInput>,
) -> ApiResult<Response> {
    req.version = req.version.or(if_match(&headers));
    Ok(with_etag(
        kefu_app::tickets::assign_ticket(&s.app, &a, id, req).await?,
    ))
}

/// Merges this ticket into another.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/merge", tag = "tickets", params(("id" = Uuid, Path)), request_body = MergeInput, responses((status = 200, body = TicketView)))]
pub async fn merge_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(mut req): Json<MergeInput>,
) -> ApiResult<Response> {
    req.version = req.version.or(if_match(&headers));
    Ok(with_etag(
        kefu_app::tickets::merge_ticket(&s.app, &a, id, req).await?,
    ))
}

/// Splits a new ticket off this one.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/split", tag = "tickets", params(("id" = Uuid, Path)), request_body = SplitInput, responses((status = 201, body = TicketView)))]
pub async fn split_ticket(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(req): Json<SplitInput>,
) -> ApiResult<(StatusCode, axum::Json<TicketView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::tickets::split_ticket(&s.app, &a, id, req).await?),
    ))
}

/// The ticket's history, oldest first.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/history", tag = "tickets", params(("id" = Uuid, Path)), responses((status = 200, body = Vec<EventView>)))]
pub async fn ticket_history(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<EventView>>> {
    Ok(axum::Json(
        kefu_app::tickets::ticket_history(&s.app, &a, id).await?,
    ))
}

/// Uploads an attachment (multipart field `file`; optional field `public` = `false` for internal).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/attachments", tag = "tickets", params(("id" = Uuid, Path)), responses((status = 201, body = AttachmentView), (status = 413, body = crate::error::Problem)))]
pub async fn upload_attachment(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    form: Multipart,
) -> Result<(StatusCode, axum::Json<AttachmentView>), Response> {
    let file = read_upload(form).await?;
    let v = kefu_app::tickets::add_attachment(&s.app, &a, id, file)
        .await
        .map_err(|e| ApiError(e).into_response())?;
    Ok((StatusCode::CREATED, axum::Json(v)))
}

/// The uploaded file of a multipart body: field `file` (required) and the optional field
/// `public` (`false` for an internal file).
pub(crate) async fn read_upload(mut form: Multipart) -> Result<NewAttachment, Response> {
    let mut file = None;
    let mut public = true;
    while let Some(field) = form.next_field().await.map_err(multipart_problem)? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("file").to_owned();
                let ct = field.content_type().map(str::to_owned);
                let bytes = field.bytes().await.map_err(multipart_problem)?;
                file = Some((name, ct, bytes.to_vec()));
            }
            Some("public") => public = field.text().await.unwrap_or_default().trim() != "false",
            _ => {}
        }
    }
    let (file_name, content_type, bytes) = file.ok_or_else(|| {
        ApiError(AppError::invalid(
            "file",
            "required",
            "a multipart field `file` is required",
        ))
        .into_response()
    })?;
    Ok(NewAttachment {
        file_name,
        content_type,
        bytes,
        public,
    })
}

/// A broken or oversized multipart body as a problem (413 when over the body limit).
pub(crate) fn multipart_problem(e: axum::extract::multipart::MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::problem(e.status(), "payload_too_large", e.body_text());
    }
    ApiError(AppError::invalid("file", "bad_multipart", e.body_text())).into_response()
}

/// Downloads an attachment.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "tickets", params(("id" = Uuid, Path)), responses((status = 200, content_type = "application/octet-stream")))]
pub async fn download_attachment(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let (meta, bytes) = kefu_app::tickets::read_attachment(&s.app, &a, id).await?;
    Ok(super::file_response(
        &meta.content_type,
        &meta.file_name,
        bytes,
        false,
    ))
}

/// Ticket types.
#[utoipa::path(get, path = "/api/v1/ticket-types", tag = "tickets", responses((status = 200, body = Vec<kefu_app::tickets::TicketTypeView>)))]
pub async fn list_ticket_types(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<kefu_app::tickets::TicketTypeView>>> {
    Ok(axum::Json(
        kefu_app::tickets::list_ticket_types(&s.app, &a).await?,
    ))
}

/// Applies a macro: all its changes in one transaction, or none (`If-Match` optional).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/macros/{macro_id}", tag = "tickets", params(("id" = Uuid, Path), ("macro_id" = Uuid, Path)), responses((status = 200, body = TicketView), (status = 422, body = crate::error::Problem)))]
pub async fn apply_macro(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, macro_id)): Path<(Uuid, Uuid)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    Ok(with_etag(
        kefu_app::tickets::apply_macro(&s.app, &a, id, macro_id, if_match(&headers)).await?,
    ))
}
