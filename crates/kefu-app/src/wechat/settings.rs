//! The `wechat` setting: the official account's credentials and message mode. Secrets (AppSecret,
//! Token, EncodingAESKey) are write-only: reads return them empty, an empty value on save
//! keeps the stored one.

use kefu_domain::access::{Actor, Permission};
use kefu_store::sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::sla::{get_setting, put_setting};
use crate::{App, AppError, FieldError, audit, require};

/// WeChat official account (微信公众号) settings.
#[derive(Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WeChatSettings {
    /// The callback accepts messages.
    pub enabled: bool,
    /// AppID (开发者ID).
    pub app_id: String,
    /// AppSecret (开发者密码), for the customer-service message API. Write-only.
    pub app_secret: String,
    /// Token (令牌) used to sign callbacks. Write-only.
    pub token: String,
    /// EncodingAESKey (消息加解密密钥), 43 characters, for safe mode. Write-only.
    pub encoding_aes_key: String,
    /// API address; the default is WeChat's. Tests point it at a local server.
    pub api_base: String,
}

impl std::fmt::Debug for WeChatSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeChatSettings")
            .field("enabled", &self.enabled)
            .field("app_id", &self.app_id)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

impl WeChatSettings {
    /// The setting in force.
    pub async fn load(db: &impl ConnectionTrait) -> Result<WeChatSettings, AppError> {
        Ok(get_setting(db, "wechat")
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }

    /// WeChat's API address, or the configured one.
    pub fn api_base(&self) -> &str {
        if self.api_base.is_empty() {
            kefu_channels::wechat::api::API_BASE
        } else {
            self.api_base.trim_end_matches('/')
        }
    }

    /// The settings without their secrets (for display).
    pub fn redacted(mut self) -> WeChatSettings {
        self.app_secret.clear();
        self.token.clear();
        self.encoding_aes_key.clear();
        self
    }
}

/// The settings as admins see them (secrets empty).
pub async fn get_wechat_settings(app: &App, actor: &Actor) -> Result<WeChatSettings, AppError> {
    require(actor, Permission::ConfigManage)?;
    Ok(WeChatSettings::load(app.store.conn()).await?.redacted())
}

/// Saves the settings (admins); empty secrets keep the stored ones.
pub async fn save_wechat_settings(
    app: &App,
    actor: &Actor,
    mut s: WeChatSettings,
) -> Result<WeChatSettings, AppError> {
    require(actor, Permission::ConfigManage)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let old = WeChatSettings::load(&tx).await?;
    for (new, old) in [
        (&mut s.app_secret, old.app_secret),
        (&mut s.token, old.token),
        (&mut s.encoding_aes_key, old.encoding_aes_key),
    ] {
        if new.is_empty() {
            *new = old;
        }
    }
    let mut errors = Vec::new();
    if s.enabled {
        if s.app_id.trim().is_empty() {
            errors.push(FieldError::new("app_id", "required", "the AppID"));
        }
        if s.token.len() < 3
            || s.token.len() > 32
            || !s.token.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            errors.push(FieldError::new(
                "token",
                "invalid",
                "3 to 32 letters or digits",
            ));
        }
    }
    if !s.encoding_aes_key.is_empty()
        && kefu_channels::wechat::AesKey::from_encoding_aes_key(&s.encoding_aes_key).is_err()
    {
        errors.push(FieldError::new(
            "encoding_aes_key",
            "invalid",
            "43 characters from the WeChat console",
        ));
    }
    let local_ok =
        app.settings.allow_loopback_webhooks && s.api_base.starts_with("http://127.0.0.1");
    let base_ok = s.api_base.is_empty() || s.api_base.starts_with("https://") || local_ok;
    if !base_ok {
        errors.push(FieldError::new(
            "api_base",
            "invalid",
            "an https:// address",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    s.app_id = s.app_id.trim().to_owned();
    let value = serde_json::to_value(&s).map_err(anyhow::Error::from)?;
    put_setting(&tx, "wechat", value, now).await?;
    audit::record(
        &tx,
        actor.user_ref(),
        "config.wechat.save",
        "wechat",
        None,
        serde_json::json!({"enabled": s.enabled, "app_id": s.app_id, "api_base": s.api_base}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(s.redacted())
}
