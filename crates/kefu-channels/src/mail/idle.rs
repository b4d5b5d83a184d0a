//! Waiting for new mail with IMAP IDLE (RFC 2177): one connection sits in IDLE until the server
//! reports a change or the wait ends, so new mail is taken in within seconds instead of at the
//! next poll. Mail that arrived before IDLE began is seen by a search first, so nothing slips
//! between the last fetch and the wait.

use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::imap::{ImapConfig, ImapError, ImapSecurity, login, new_uids, tls_connect};

/// What the wait ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    /// The folder has messages after the caller's position (or was reset): fetch now.
    NewMail,
    /// The server reported a change that may be new mail (or a flag or expunge): fetch to see.
    Changed,
    /// Nothing happened within the wait.
    Quiet,
}

/// Waits up to `max_wait` for mail after `after_uid` in the configured folder. Fails with
/// [`ImapError::Protocol`] when the server does not offer IDLE (callers then rely on polling).
pub async fn wait_for_mail(
    c: &ImapConfig,
    after_uid: u32,
    known_validity: Option<u32>,
    max_wait: Duration,
) -> Result<Waited, ImapError> {
    let addr = format!("{}:{}", c.host, c.port);
    let work = async {
        let tcp = TcpStream::connect(&addr)
            .await
            .map_err(|e| ImapError::Connect(addr.clone(), e.to_string()))?;
        match c.security {
            ImapSecurity::None => session_wait(tcp, c, after_uid, known_validity, max_wait).await,
            ImapSecurity::Tls => {
                let tls = tls_connect(tcp, &c.host)
                    .await
                    .map_err(|e| ImapError::Connect(addr.clone(), e))?;
                session_wait(tls, c, after_uid, known_validity, max_wait).await
            }
        }
    };
    // The connection setup and the final commands have the usual limit on top of the wait.
    let limit = max_wait + c.timeout;
    tokio::time::timeout(limit, work)
        .await
        .map_err(|_| ImapError::Timeout(limit))?
}

async fn session_wait<S>(
    stream: S,
    c: &ImapConfig,
    after_uid: u32,
    known_validity: Option<u32>,
    max_wait: Duration,
) -> Result<Waited, ImapError>
where
    S: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let proto = |e: async_imap::error::Error| ImapError::Protocol(e.to_string());
    let mut session = login(stream, c).await?;
    let capabilities = session.capabilities().await.map_err(proto)?;
    if !capabilities.has_str("IDLE") {
        let _ = session.logout().await;
        return Err(ImapError::Protocol(
            "the server does not support IDLE".into(),
        ));
    }
    let folder = session.select(&c.folder).await.map_err(proto)?;
    let validity = folder.uid_validity.unwrap_or(0);
    if known_validity != Some(validity) || !new_uids(&mut session, after_uid).await?.is_empty() {
        let _ = session.logout().await;
        return Ok(Waited::NewMail);
    }
    let mut idle = session.idle();
    idle.init().await.map_err(proto)?;
    let (wait, _stop) = idle.wait_with_timeout(max_wait);
    let outcome = match wait.await.map_err(proto)? {
        IdleResponse::NewData(_) => Waited::Changed,
        IdleResponse::Timeout | IdleResponse::ManualInterrupt => Waited::Quiet,
    };
    // Leaving IDLE politely is a courtesy; the answer is known already.
    if let Ok(mut session) = idle.done().await {
        let _ = session.logout().await;
    }
    Ok(outcome)
}
