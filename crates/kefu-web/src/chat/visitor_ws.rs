//! The visitor's live connection. The first frame is `{"type":"hello","token","after"}`; the
//! server answers with `state` frames (status, agent, ticket number and the lines not yet
//! sent) whenever the chat changes. The visitor sends `say`, `end` and `ping`.

use axum::extract::State;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::response::Response;
use kefu_app::chat::{self, VisitorState};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{MissedTickBehavior, interval, timeout};
use uuid::Uuid;

use super::{Frame, HEARTBEAT, MAX_FRAME, RESYNC, error_frame, parse_frame, send};
use crate::AppState;

/// `GET /chat/ws`.
pub async fn upgrade(State(s): State<AppState>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_FRAME)
        .on_upgrade(move |socket| run(s, socket))
}

/// What the visitor has been sent so far.
struct Sent {
    seq: i32,
    status: String,
    agent: Option<String>,
    ticket: Option<String>,
}

impl Sent {
    /// The frame for `st` if anything in it is new, and remembers it.
    fn frame(&mut self, st: VisitorState) -> Option<Value> {
        let changed = !st.messages.is_empty()
            || st.status != self.status
            || st.agent_name != self.agent
            || st.ticket_number != self.ticket;
        if !changed {
            return None;
        }
        if let Some(last) = st.messages.last() {
            self.seq = self.seq.max(last.seq);
        }
        self.status.clone_from(&st.status);
        self.agent.clone_from(&st.agent_name);
        self.ticket.clone_from(&st.ticket_number);
        Some(json!({
            "type": "state",
            "status": st.status,
            "agent_name": st.agent_name,
            "ticket_number": st.ticket_number,
            "messages": st.messages,
        }))
    }
}

async fn run(s: AppState, mut socket: WebSocket) {
    let app = &s.app;
    let hello = match timeout(RESYNC * 3, socket.recv()).await {
        Ok(m) => parse_frame(m),
        Err(_) => return,
    };
    let Frame::Json(hello) = hello else { return };
    let token = match (hello["type"].as_str(), hello["token"].as_str()) {
        (Some("hello"), Some(t)) => t.to_owned(),
        _ => {
            send(&mut socket, &json!({"type": "error", "code": "hello", "detail": "say hello with the chat token first"})).await;
            return;
        }
    };
    let after = hello["after"]
        .as_i64()
        .and_then(|a| i32::try_from(a).ok())
        .unwrap_or(0)
        .max(0);
    let mut sent = Sent {
        seq: after,
        status: String::new(),
        agent: None,
        ticket: None,
    };
    let session_id: Uuid = match chat::visitor_state(app, &token, after).await {
        Ok(st) => {
            let id = st.session_id;
            let frame = sent.frame(st);
            if let Some(f) = frame
                && !send(&mut socket, &f).await
            {
                return;
            }
            id
        }
        Err(e) => {
            send(&mut socket, &error_frame(&e)).await;
            return;
        }
    };
    let mut signals = app.chat_hub.subscribe();
    let mut resync = interval(RESYNC);
    resync.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut heartbeat = interval(HEARTBEAT);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let mut refresh = false;
        tokio::select! {
            m = socket.recv() => match parse_frame(m) {
                Frame::Closed => return,
                Frame::Other => {}
                Frame::Bad => {
                    if !send(&mut socket, &json!({"type": "error", "code": "bad_frame", "detail": "frames are JSON objects with a type"})).await {
                        return;
                    }
                }
                Frame::Json(f) => {
                    let result = match f["type"].as_str() {
                        Some("say") => chat::visitor_say(app, &token, f["body"].as_str().unwrap_or("")).await.map(|_| ()),
                        Some("end") => chat::visitor_end(app, &token).await.map(|_| ()),
                        Some("ping") => chat::visitor_seen(app, session_id).await,
                        _ => Ok(()),
                    };
                    if let Err(e) = result
                        && !send(&mut socket, &error_frame(&e)).await
                    {
                        return;
                    }
                    refresh = true;
                }
            },
            sig = signals.recv() => match sig {
                Ok(id) => refresh = id == session_id,
                Err(RecvError::Lagged(_)) => refresh = true,
                Err(RecvError::Closed) => return,
            },
            _ = resync.tick() => refresh = true,
            _ = heartbeat.tick() => {
                if let Err(e) = chat::visitor_seen(app, session_id).await {
                    tracing::warn!(error = %e, "chat heartbeat not recorded");
                }
            }
        }
        if refresh {
            match chat::visitor_state(app, &token, sent.seq).await {
                Ok(st) => {
                    let ended = st.status == "ended";
                    if let Some(f) = sent.frame(st)
                        && !send(&mut socket, &f).await
                    {
                        return;
                    }
                    if ended {
                        return;
                    }
                }
                Err(e) => {
                    send(&mut socket, &error_frame(&e)).await;
                    return;
                }
            }
        }
    }
}
