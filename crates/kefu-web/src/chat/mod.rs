//! Web chat over HTTP: the widget's public JSON API and WebSocket (a visitor is known only by
//! the secret token of their chat), and the agents' console WebSocket (session cookie, same
//! origin). Frames are JSON objects with a `type`; errors are `{"type":"error","code",…}`.

mod agent_ws;
mod visitor_api;
mod visitor_ws;

use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket};
use axum::routing::{get, post};
use kefu_app::AppError;
use serde_json::{Value, json};

use crate::AppState;

/// How often a connection re-reads the database even without a local signal (changes made by
/// another server process or the worker).
const RESYNC: Duration = Duration::from_secs(3);
/// How often an open connection tells the database its person is still there.
const HEARTBEAT: Duration = Duration::from_secs(20);
/// Largest frame a client may send.
const MAX_FRAME: usize = 16 * 1024;

/// The chat routes (widget API and both WebSockets).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/chat/api/offer", get(visitor_api::offer))
        .route("/chat/api/sessions", post(visitor_api::start))
        .route("/chat/api/leave", post(visitor_api::leave))
        .route("/chat/api/state", get(visitor_api::state))
        .route("/chat/api/messages", post(visitor_api::say))
        .route("/chat/api/end", post(visitor_api::end))
        .route("/chat/ws", get(visitor_ws::upgrade))
        .route("/chat/agent/ws", get(agent_ws::upgrade))
}

/// An error as a frame: a stable code and a readable detail (internal faults are logged and
/// shown as `internal` only).
fn error_frame(e: &AppError) -> Value {
    let (code, detail): (&str, String) = match e {
        AppError::NotFound(what) => ("not_found", format!("{what} not found")),
        AppError::Unauthenticated => ("unauthenticated", e.to_string()),
        AppError::Forbidden(m) => ("forbidden", m.clone()),
        AppError::Invalid(fields) => (
            "invalid",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        AppError::Conflict { code, message }
        | AppError::Rule { code, message }
        | AppError::Gone { code, message } => (code, message.clone()),
        AppError::RateLimited { retry_after_secs } => {
            ("rate_limited", format!("try again in {retry_after_secs} s"))
        }
        AppError::Internal(err) => {
            tracing::error!(error = %err, "chat connection failed");
            ("internal", "internal error".into())
        }
    };
    json!({"type": "error", "code": code, "detail": detail})
}

/// Sends a JSON frame; false when the peer is gone.
async fn send(socket: &mut WebSocket, frame: &Value) -> bool {
    socket
        .send(Message::Text(frame.to_string().into()))
        .await
        .is_ok()
}

/// The next JSON text frame from the peer: `None` when it closed or broke the protocol.
fn parse_frame(msg: Option<Result<Message, axum::Error>>) -> Frame {
    match msg {
        None | Some(Err(_)) | Some(Ok(Message::Close(_))) => Frame::Closed,
        Some(Ok(Message::Text(t))) => match serde_json::from_str::<Value>(t.as_str()) {
            Ok(v) if v.get("type").is_some_and(Value::is_string) => Frame::Json(v),
            _ => Frame::Bad,
        },
        Some(Ok(_)) => Frame::Other,
    }
}

enum Frame {
    Json(Value),
    Bad,
    Other,
    Closed,
}
