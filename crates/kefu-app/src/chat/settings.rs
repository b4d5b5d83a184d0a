//! The `chat` setting: whether the website widget is on, what it says, from which sites it may
//! be embedded, and whether live chat follows the service calendar.

use kefu_domain::access::{Actor, Permission};
use kefu_store::sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::sla::{get_setting, put_setting};
use crate::{App, AppError, FieldError, audit, require};

/// Web chat settings.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ChatSettings {
    /// The widget is served and accepts chats.
    pub enabled: bool,
    /// Live chat only while the default service calendar is open (else: leave a message).
    pub hours_only: bool,
    /// Title of the widget.
    pub title: String,
    /// First line the visitor reads.
    pub greeting: String,
    /// Sites that may embed the widget (`https://www.example.com`); empty allows any.
    pub allowed_origins: Vec<String>,
    /// The self-service bot answers the visitor's first question from public articles before
    /// a person is asked for; "talk to a person" (or an unsure bot) starts the chat as usual.
    pub bot_first: bool,
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings {
            enabled: false,
            hours_only: true,
            title: "在线客服 / Live support".into(),
            greeting: "您好，请问有什么可以帮您？/ Hello, how can we help?".into(),
            allowed_origins: Vec::new(),
            bot_first: false,
        }
    }
}

impl ChatSettings {
    /// The setting in force.
    pub async fn load(db: &impl ConnectionTrait) -> Result<ChatSettings, AppError> {
        Ok(get_setting(db, "chat")
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// The `frame-ancestors` source list for the widget's frame.
    pub fn frame_ancestors(&self) -> String {
        if self.allowed_origins.is_empty() {
            "*".into()
        } else {
            let mut s = String::from("'self'");
            for o in &self.allowed_origins {
                s.push(' ');
                s.push_str(o);
            }
            s
        }
    }
}

/// An origin as browsers send it: scheme, host and optional port, nothing else.
fn valid_origin(o: &str) -> bool {
    let Some(rest) = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
}

/// The settings (admins).
pub async fn get_chat_settings(app: &App, actor: &Actor) -> Result<ChatSettings, AppError> {
    require(actor, Permission::ConfigManage)?;
    ChatSettings::load(app.store.conn()).await
}

/// Saves the settings (admins).
pub async fn save_chat_settings(
    app: &App,
    actor: &Actor,
    mut s: ChatSettings,
) -> Result<ChatSettings, AppError> {
    require(actor, Permission::ConfigManage)?;
    let mut errors = Vec::new();
    s.title = s.title.trim().to_owned();
    s.greeting = s.greeting.trim().to_owned();
    if s.title.is_empty() || s.title.chars().count() > 60 {
        errors.push(FieldError::new("title", "invalid", "1 to 60 characters"));
    }
    if s.greeting.chars().count() > 500 {
        errors.push(FieldError::new(
            "greeting",
            "too_long",
            "at most 500 characters",
        ));
    }
    s.allowed_origins = s
        .allowed_origins
        .iter()
        .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
        .filter(|o| !o.is_empty())
        .collect();
    for (i, o) in s.allowed_origins.iter().enumerate() {
        if !valid_origin(o) {
            errors.push(FieldError::new(
                format!("allowed_origins[{i}]"),
                "invalid",
                "an origin such as https://www.example.com",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let tx = app.store.begin().await?;
    let value = serde_json::to_value(&s).map_err(anyhow::Error::from)?;
    put_setting(&tx, "chat", value.clone(), now).await?;
    audit::record(
        &tx,
        actor.user_ref(),
        "config.chat.save",
        "chat",
        None,
        value,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_port() {
        assert!(valid_origin("https://www.example.com"));
        assert!(valid_origin("http://127.0.0.1:8080"));
        assert!(!valid_origin("www.example.com"));
        assert!(!valid_origin("https://example.com/path"));
        assert!(!valid_origin("https://a.com; script-src *"));
        assert!(!valid_origin("https://"));
    }

    #[test]
    fn frame_ancestors_lists_origins_or_any() {
        let mut s = ChatSettings::default();
        assert_eq!(s.frame_ancestors(), "*");
        s.allowed_origins = vec!["https://a.example".into(), "https://b.example".into()];
        assert_eq!(
            s.frame_ancestors(),
            "'self' https://a.example https://b.example"
        );
    }
}
