//! Fetching new mail from an IMAP folder (async-imap on tokio; TLS by rustls with webpki
//! roots). Position is the caller's: it passes the last UID it stored and the folder's
//! UIDVALIDITY, and gets the messages after it. Fetched messages are flagged `\Seen` and left
//! in place, so a person looking at the mailbox sees what kefu took.

use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapSecurity {
    /// TLS from the first byte (port 993).
    Tls,
    /// No encryption (a server on the same machine; tests).
    None,
}

impl ImapSecurity {
    /// Parses `tls` or `none`.
    pub fn parse(s: &str) -> Option<ImapSecurity> {
        Some(match s {
            "tls" => ImapSecurity::Tls,
            "none" => ImapSecurity::None,
            _ => return None,
        })
    }
}

/// Where to fetch from.
#[derive(Clone)]
pub struct ImapConfig {
    /// Server host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Connection security.
    pub security: ImapSecurity,
    /// Login.
    pub username: String,
    /// Password (never logged: this type's Debug hides it).
    pub password: String,
    /// Folder, e.g. `INBOX`.
    pub folder: String,
    /// Limit for the whole fetch.
    pub timeout: Duration,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

/// One fetched message.
#[derive(Debug, Clone)]
pub struct FetchedMail {
    /// Its UID in the folder.
    pub uid: u32,
    /// The raw RFC 5322 bytes.
    pub raw: Vec<u8>,
}

/// What one fetch found.
#[derive(Debug, Clone)]
pub struct FetchBatch {
    /// The folder's UIDVALIDITY; when it differs from the caller's, UIDs restarted and the
    /// batch starts from the beginning of the folder.
    pub uid_validity: u32,
    /// New messages, oldest first.
    pub messages: Vec<FetchedMail>,
    /// More new messages wait beyond `limit`.
    pub more: bool,
}

/// Why a fetch failed (all are worth retrying at the next poll).
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// Could not connect or the connection broke.
    #[error("connection to {0} failed: {1}")]
    Connect(String, String),
    /// Login refused.
    #[error("login refused: {0}")]
    Login(String),
    /// The server answered a command with an error.
    #[error("IMAP error: {0}")]
    Protocol(String),
    /// The whole fetch took longer than the timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
}

/// Fetches up to `limit` messages with a UID above `after_uid` (from the start of the folder
/// when `known_validity` differs from the folder's).
pub async fn fetch_new(
    c: &ImapConfig,
    after_uid: u32,
    known_validity: Option<u32>,
    limit: usize,
) -> Result<FetchBatch, ImapError> {
    let addr = format!("{}:{}", c.host, c.port);
    let work = async {
        let tcp = TcpStream::connect(&addr)
            .await
            .map_err(|e| ImapError::Connect(addr.clone(), e.to_string()))?;
        match c.security {
            ImapSecurity::None => session_fetch(tcp, c, after_uid, known_validity, limit).await,
            ImapSecurity::Tls => {
                let tls = tls_connect(tcp, &c.host)
                    .await
                    .map_err(|e| ImapError::Connect(addr.clone(), e))?;
                session_fetch(tls, c, after_uid, known_validity, limit).await
            }
        }
    };
    tokio::time::timeout(c.timeout, work)
        .await
        .map_err(|_| ImapError::Timeout(c.timeout))?
}

pub(super) async fn tls_connect(
    tcp: TcpStream,
    host: &str,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, String> {
    let config = crate::tls::client_config();
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| e.to_string())?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())
}

/// Connects the IMAP protocol over `stream`: greeting, then login.
pub(super) async fn login<S>(stream: S, c: &ImapConfig) -> Result<async_imap::Session<S>, ImapError>
where
    S: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    client
        .read_response()
        .await
        .map_err(|e| ImapError::Connect(c.host.clone(), e.to_string()))?
        .ok_or_else(|| ImapError::Connect(c.host.clone(), "no greeting".into()))?;
    client
        .login(&c.username, &c.password)
        .await
        .map_err(|(e, _)| ImapError::Login(e.to_string()))
}

/// UIDs above `after` in the selected folder, ascending.
pub(super) async fn new_uids<S>(
    session: &mut async_imap::Session<S>,
    after: u32,
) -> Result<Vec<u32>, ImapError>
where
    S: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    // `UID n:*` always matches the newest message, even below n: filter.
    let mut uids: Vec<u32> = session
        .uid_search(format!("UID {}:*", after.saturating_add(1)))
        .await
        .map_err(|e| ImapError::Protocol(e.to_string()))?
        .into_iter()
        .filter(|u| *u > after)
        .collect();
    uids.sort_unstable();
    Ok(uids)
}

async fn session_fetch<S>(
    stream: S,
    c: &ImapConfig,
    after_uid: u32,
    known_validity: Option<u32>,
    limit: usize,
) -> Result<FetchBatch, ImapError>
where
    S: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let proto = |e: async_imap::error::Error| ImapError::Protocol(e.to_string());
    let mut session = login(stream, c).await?;
    let folder = session.select(&c.folder).await.map_err(proto)?;
    let uid_validity = folder.uid_validity.unwrap_or(0);
    let after = if known_validity == Some(uid_validity) {
        after_uid
    } else {
        0
    };
    let mut uids = new_uids(&mut session, after).await?;
    let more = uids.len() > limit;
    uids.truncate(limit);
    let mut messages = Vec::with_capacity(uids.len());
    if !uids.is_empty() {
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let fetches: Vec<_> = session
            .uid_fetch(&set, "(UID BODY.PEEK[])")
            .await
            .map_err(proto)?
            .try_collect()
            .await
            .map_err(proto)?;
        for f in &fetches {
            if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                messages.push(FetchedMail {
                    uid,
                    raw: body.to_vec(),
                });
            }
        }
        messages.sort_by_key(|m| m.uid);
        let seen: Vec<_> = session
            .uid_store(&set, "+FLAGS.SILENT (\\Seen)")
            .await
            .map_err(proto)?
            .try_collect()
            .await
            .map_err(proto)?;
        drop(seen);
    }
    session.logout().await.map_err(proto)?;
    Ok(FetchBatch {
        uid_validity,
        messages,
        more,
    })
}
