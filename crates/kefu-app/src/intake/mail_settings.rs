//! Inbound mail settings (setting `mail`): what a reply to a closed ticket does, how many
//! messages a sender may send per hour, and which domains are public mail providers (never
//! used to match a sender to a customer).

use kefu_store::sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};

use crate::AppError;
use crate::sla::get_setting;

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
