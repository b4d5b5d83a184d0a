//! Sending rendered mail over SMTP (lettre, rustls with ring, webpki roots).

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// No encryption (a relay on the same machine or network; tests).
    None,
}

impl SmtpSecurity {
    /// Parses `tls`, `starttls` or `none`.
    pub fn parse(s: &str) -> Option<SmtpSecurity> {
        Some(match s {
            "tls" => SmtpSecurity::Tls,
            "starttls" => SmtpSecurity::StartTls,
            "none" => SmtpSecurity::None,
            _ => return None,
        })
    }
}

/// Where and how to send.
#[derive(Clone)]
pub struct SmtpConfig {
    /// Server host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Connection security.
    pub security: SmtpSecurity,
    /// Login, when the server wants one.
    pub username: Option<String>,
    /// Password (never logged: this type's Debug hides it).
    pub password: Option<String>,
    /// Connect and command timeout.
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Why sending failed, and whether trying again can help.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server refused for good (5xx) or an address is invalid: do not retry.
    #[error("permanent: {0}")]
    Permanent(String),
    /// Connection, timeout or a 4xx answer: try again later.
    #[error("transient: {0}")]
    Transient(String),
}

impl SendError {
    /// Whether a retry may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, SendError::Transient(_))
    }
}

/// A connection pool to one SMTP server (cheap to clone).
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpSender {
    /// Builds the transport; connects lazily on the first send.
    pub fn new(c: &SmtpConfig) -> Result<SmtpSender, SendError> {
        let builder = match c.security {
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host),
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host),
            SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                c.host.clone(),
            )),
        }
        .map_err(|e| SendError::Permanent(format!("SMTP host {}: {e}", c.host)))?;
        let mut builder = builder.port(c.port).timeout(Some(c.timeout));
        if let Some(user) = c.username.as_deref().filter(|u| !u.is_empty()) {
            builder = builder.credentials(Credentials::new(
                user.to_owned(),
                c.password.clone().unwrap_or_default(),
            ));
        }
        Ok(SmtpSender {
            transport: builder.build(),
        })
    }

    /// Sends `raw` (from [`super::compose`]) from `from` to `to`.
    pub async fn send(&self, from: &str, to: &[String], raw: &[u8]) -> Result<(), SendError> {
        let addr = |a: &str| {
            a.parse::<Address>()
                .map_err(|e| SendError::Permanent(format!("address {a:?}: {e}")))
        };
        let rcpt = to.iter().map(|t| addr(t)).collect::<Result<Vec<_>, _>>()?;
        let envelope = Envelope::new(Some(addr(from)?), rcpt)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send_raw(&envelope, raw).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}
