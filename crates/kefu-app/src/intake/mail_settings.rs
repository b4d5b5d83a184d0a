//! Inbound mail settings (setting `mail`): what a reply to a closed ticket does, how many
//! messages a sender may send per hour, and which domains are public mail providers (never
//! used to match a sender to a customer).

use kefu_domain::access::{Actor, Permission};
use kefu_store::sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::sla::{get_setting, put_setting};
use crate::{App, AppError, FieldError, audit, require};

/// The `mail` setting.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MailSettings {
    /// A reply to a closed ticket: `reopen` it, or open a `follow_up` ticket linked to it.
    pub closed_reply: String,
    /// Messages accepted from one sender per hour; more are kept but ignored.
    pub max_per_sender_per_hour: u32,
    /// Public mail domains: a sender there is matched by address only, never by domain.
    pub free_mail_domains: Vec<String>,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            closed_reply: "reopen".into(),
            max_per_sender_per_hour: 30,
            free_mail_domains: [
                "qq.com",
                "foxmail.com",
                "163.com",
                "126.com",
                "yeah.net",
                "sina.com",
                "sina.cn",
                "sohu.com",
                "139.com",
                "189.cn",
                "aliyun.com",
                "gmail.com",
                "outlook.com",
                "hotmail.com",
                "live.com",
                "yahoo.com",
                "icloud.com",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl MailSettings {
    /// The setting in force (defaults where unset).
    pub async fn load(db: &impl ConnectionTrait) -> Result<MailSettings, AppError> {
        Ok(get_setting(db, "mail")
            .await?
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default())
    }
}

/// Replaces the `mail` setting (admins), with an audit entry.
pub async fn save_mail_settings(
    app: &App,
    actor: &Actor,
    mut s: MailSettings,
) -> Result<MailSettings, AppError> {
    require(actor, Permission::ConfigManage)?;
    let mut errors = Vec::new();
    if !matches!(s.closed_reply.as_str(), "reopen" | "follow_up") {
        errors.push(FieldError::new(
            "closed_reply",
            "invalid",
            "reopen or follow_up",
        ));
    }
    if !(1..=10_000).contains(&s.max_per_sender_per_hour) {
        errors.push(FieldError::new(
            "max_per_sender_per_hour",
            "out_of_range",
            "1 to 10000",
        ));
    }
    s.free_mail_domains = s
        .free_mail_domains
        .iter()
        .map(|d| d.trim().trim_start_matches('@').to_lowercase())
        .filter(|d| !d.is_empty())
        .collect();
    for (i, d) in s.free_mail_domains.iter().enumerate() {
        if !d.contains('.') || d.contains(char::is_whitespace) || d.contains('@') {
            errors.push(FieldError::new(
                format!("free_mail_domains[{i}]"),
                "invalid",
                "a domain such as qq.com",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let tx = app.store.begin().await?;
    let value = serde_json::to_value(&s).map_err(anyhow::Error::from)?;
    put_setting(&tx, "mail", value.clone(), now).await?;
    audit::record(
        &tx,
        actor.user_ref(),
        "config.mail.save",
        "mail",
        None,
        value,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}
