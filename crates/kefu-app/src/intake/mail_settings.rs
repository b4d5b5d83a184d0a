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
    /// Sending: SMTP server, sender and which customer notifications go out.
    pub outbound: OutboundSettings,
}

/// Outbound mail (part of the `mail` setting).
#[derive(Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutboundSettings {
    /// Mail is sent at all; off, nothing is queued.
    pub enabled: bool,
    /// Sender address (also the domain of our Message-IDs), e.g. `support@example.com`.
    pub from_address: String,
    /// Sender name, e.g. `某某公司客服`.
    pub from_name: String,
    /// SMTP host.
    pub smtp_host: String,
    /// SMTP port.
    pub smtp_port: u16,
    /// `tls`, `starttls` or `none`.
    pub smtp_security: String,
    /// SMTP login, empty for none.
    pub smtp_username: String,
    /// SMTP password (write-only: the API never returns it).
    pub smtp_password: String,
    /// Language of customer mail: `zh-CN` or `en`.
    pub language: String,
    /// Acknowledge a new ticket filed by a customer.
    pub notify_received: bool,
    /// Mail the customer each public agent reply.
    pub notify_agent_reply: bool,
    /// Statuses whose reaching is mailed to the customer (e.g. `resolved`).
    pub notify_statuses: Vec<String>,
    /// Attempts before a message is given up (retries back off from 30 s to 1 h).
    pub max_attempts: i32,
}

impl Default for OutboundSettings {
    fn default() -> Self {
        OutboundSettings {
            enabled: false,
            from_address: String::new(),
            from_name: "客服中心".into(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            language: "zh-CN".into(),
            notify_received: true,
            notify_agent_reply: true,
            notify_statuses: vec!["resolved".into()],
            max_attempts: 8,
        }
    }
}

impl std::fmt::Debug for OutboundSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboundSettings")
            .field("enabled", &self.enabled)
            .field("from_address", &self.from_address)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .finish_non_exhaustive()
    }
}

impl OutboundSettings {
    /// Ready to send: enabled with a server and a sender.
    pub fn ready(&self) -> bool {
        self.enabled && !self.smtp_host.is_empty() && self.from_address.contains('@')
    }

    /// The SMTP connection settings.
    pub fn smtp(&self) -> kefu_channels::mail::SmtpConfig {
        kefu_channels::mail::SmtpConfig {
            host: self.smtp_host.clone(),
            port: self.smtp_port,
            security: kefu_channels::mail::SmtpSecurity::parse(&self.smtp_security)
                .unwrap_or(kefu_channels::mail::SmtpSecurity::StartTls),
            username: Some(self.smtp_username.clone()).filter(|u| !u.is_empty()),
            password: Some(self.smtp_password.clone()).filter(|p| !p.is_empty()),
            timeout: std::time::Duration::from_secs(30),
        }
    }

    /// The domain of the sender address (for Message-IDs).
    pub fn domain(&self) -> &str {
        self.from_address
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or("kefu.invalid")
    }
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
            outbound: OutboundSettings::default(),
        }
    }
}

impl MailSettings {
    /// The settings as shown outside: the SMTP password left out (it is write-only).
    pub fn redacted(mut self) -> MailSettings {
        self.outbound.smtp_password.clear();
        self
    }

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
    check_outbound(&s.outbound, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let tx = app.store.begin().await?;
    // An empty password means "keep the stored one" (forms never show it).
    if s.outbound.smtp_password.is_empty() {
        s.outbound.smtp_password = MailSettings::load(&tx).await?.outbound.smtp_password;
    }
    let value = serde_json::to_value(&s).map_err(anyhow::Error::from)?;
    put_setting(&tx, "mail", value.clone(), now).await?;
    let mut logged = value;
    if let Some(p) = logged.pointer_mut("/outbound/smtp_password") {
        *p = serde_json::Value::String("***".into());
    }
    audit::record(
        &tx,
        actor.user_ref(),
        "config.mail.save",
        "mail",
        None,
        logged,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(s.redacted())
}

fn check_outbound(o: &OutboundSettings, errors: &mut Vec<FieldError>) {
    let mut bad = |field: &str, code: &str, msg: &str| {
        errors.push(FieldError::new(format!("outbound.{field}"), code, msg));
    };
    if kefu_channels::mail::SmtpSecurity::parse(&o.smtp_security).is_none() {
        bad("smtp_security", "invalid", "tls, starttls or none");
    }
    if !matches!(o.language.as_str(), "zh-CN" | "en") {
        bad("language", "invalid", "zh-CN or en");
    }
    if !(1..=50).contains(&o.max_attempts) {
        bad("max_attempts", "out_of_range", "1 to 50");
    }
    if o.enabled {
        if o.smtp_host.trim().is_empty() {
            bad("smtp_host", "required", "needed to send mail");
        }
        if o.smtp_port == 0 {
            bad("smtp_port", "out_of_range", "1 to 65535");
        }
        let addr_ok = o
            .from_address
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains(' '));
        if !addr_ok {
            bad(
                "from_address",
                "invalid",
                "an address such as support@example.com",
            );
        }
    }
}
