//! The agent's live console. On connect and whenever something changes the server sends a
//! `console` frame (availability, waiting chats, mine, colleagues', recently ended); for the
//! chat the agent opened it streams `messages` frames. The agent sends `presence`, `open`,
//! `accept`, `say`, `end` and `ping`. Authenticated by the session cookie; the handshake must
//! come from kefu's own pages (Origin checked), so another site cannot ride the session.

use axum::extract::State;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::AppError;
use kefu_domain::access::Actor;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{MissedTickBehavior, interval};
use uuid::Uuid;

use super::{Frame, HEARTBEAT, MAX_FRAME, RESYNC, error_frame, parse_frame, send};
use crate::extract::Auth;
use crate::{ApiError, AppState};

/// Whether the handshake's Origin names the host it was sent to.
fn same_origin(h: &HeaderMap) -> bool {
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = h.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .is_some_and(|o| o.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

/// `GET /chat/agent/ws`.
pub async fn upgrade(
    State(s): State<AppState>,
    Auth(actor): Auth,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !same_origin(&headers) {
        return ApiError::problem(
            StatusCode::FORBIDDEN,
            "origin",
            "the chat console connects from kefu's own pages",
        );
    }
    if let Err(e) = kefu_app::chat::may_answer(&actor) {
        return ApiError(e).into_response();
    }
    ws.max_message_size(MAX_FRAME)
        .on_upgrade(move |socket| run(s, actor, socket))
}

/// The chat the agent has open and the last line sent of it.
struct Open {
    id: Uuid,
    seq: i32,
}

struct Conn {
    s: AppState,
    actor: Actor,
    console: String,
    open: Option<Open>,
}

impl Conn {
    /// The console frame if it differs from the last one sent.
    async fn console(&mut self) -> Result<Option<Value>, AppError> {
        let c = kefu_app::chat::console(&self.s.app, &self.actor).await?;
        let mut v = serde_json::to_value(&c).map_err(|e| AppError::Internal(e.into()))?;
        v["type"] = json!("console");
        let text = v.to_string();
        if text == self.console {
            return Ok(None);
        }
        self.console = text;
        Ok(Some(v))
    }

    /// New lines of the open chat, if any.
    async fn lines(&mut self) -> Result<Option<Value>, AppError> {
        let Some(o) = &mut self.open else {
            return Ok(None);
        };
        let lines = kefu_app::chat::chat_messages(&self.s.app, &self.actor, o.id, o.seq).await?;
        let Some(last) = lines.last() else {
            return Ok(None);
        };
        o.seq = last.seq;
        Ok(Some(
            json!({"type": "messages", "id": o.id, "messages": lines}),
        ))
    }

    /// Carries out one frame from the agent.
    async fn act(&mut self, f: &Value) -> Result<(), AppError> {
        let app = &self.s.app;
        let id = || {
            f["id"]
                .as_str()
                .and_then(|s| s.parse::<Uuid>().ok())
                .ok_or_else(|| AppError::invalid("id", "invalid", "a chat id"))
        };
        match f["type"].as_str() {
            Some("presence") => {
                let available = f["available"].as_bool().unwrap_or(false);
                kefu_app::chat::set_presence(app, &self.actor, Some(available)).await?;
            }
            Some("open") => {
                let id = id()?;
                kefu_app::chat::get_chat(app, &self.actor, id).await?;
                let seq = f["after"]
                    .as_i64()
                    .and_then(|a| i32::try_from(a).ok())
                    .unwrap_or(0)
                    .max(0);
                self.open = Some(Open { id, seq });
            }
            Some("accept") => {
                kefu_app::chat::accept_chat(app, &self.actor, id()?).await?;
            }
            Some("say") => {
                let body = f["body"].as_str().unwrap_or("");
                kefu_app::chat::agent_say(app, &self.actor, id()?, body).await?;
            }
            Some("end") => {
                let resolved = f["resolved"].as_bool().unwrap_or(false);
                kefu_app::chat::end_chat(app, &self.actor, id()?, resolved).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Sends whatever changed; false when the peer is gone.
    async fn push(&mut self, socket: &mut WebSocket) -> bool {
        for step in [true, false] {
            let r = if step {
                self.console().await
            } else {
                self.lines().await
            };
            let frame = match r {
                Ok(Some(f)) => f,
                Ok(None) => continue,
                Err(e) => error_frame(&e),
            };
            if !send(socket, &frame).await {
                return false;
            }
        }
        true
    }
}

async fn run(s: AppState, actor: Actor, mut socket: WebSocket) {
    let mut c = Conn {
        s,
        actor,
        console: String::new(),
        open: None,
    };
    if let Err(e) = kefu_app::chat::set_presence(&c.s.app, &c.actor, None).await {
        send(&mut socket, &error_frame(&e)).await;
        return;
    }
    if !c.push(&mut socket).await {
        return;
    }
    let mut signals = c.s.app.chat_hub.subscribe();
    let mut resync = interval(RESYNC);
    resync.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut heartbeat = interval(HEARTBEAT);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            m = socket.recv() => match parse_frame(m) {
                Frame::Closed => return,
                Frame::Other => continue,
                Frame::Bad => {
                    if !send(&mut socket, &json!({"type": "error", "code": "bad_frame", "detail": "frames are JSON objects with a type"})).await {
                        return;
                    }
                    continue;
                }
                Frame::Json(f) => {
                    if let Err(e) = c.act(&f).await
                        && !send(&mut socket, &error_frame(&e)).await
                    {
                        return;
                    }
                }
            },
            sig = signals.recv() => match sig {
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            _ = resync.tick() => {}
            _ = heartbeat.tick() => {
                if let Err(e) = kefu_app::chat::set_presence(&c.s.app, &c.actor, None).await {
                    tracing::warn!(error = %e, "chat presence not recorded");
                }
                continue;
            }
        }
        if !c.push(&mut socket).await {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(host: &str, origin: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, o.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_kefus_own_pages_may_open_the_console() {
        assert!(same_origin(&headers(
            "kefu.test:8080",
            Some("http://kefu.test:8080")
        )));
        assert!(same_origin(&headers(
            "kefu.test",
            Some("https://kefu.test")
        )));
        assert!(!same_origin(&headers(
            "kefu.test",
            Some("https://evil.test")
        )));
        assert!(!same_origin(&headers(
            "kefu.test",
            Some("https://kefu.test.evil.test")
        )));
        assert!(!same_origin(&headers("kefu.test", None)));
    }
}
