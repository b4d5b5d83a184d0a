//! kefu's use cases. Every front door (REST API, pages, CLI, channels) calls these functions;
//! this is the only layer that opens transactions and reads the clock.

pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod calls;
pub mod care;
pub mod charges;
pub mod chat;
pub mod config;
pub mod customers;
pub mod demo;
pub mod demo_scale;
pub mod dispatch;
pub mod erp;
pub mod error;
pub mod export;
pub mod import;
pub mod intake;
pub mod kb;
pub mod mail;
pub mod maintenance;
pub mod notify;
pub mod parts;
pub mod products;
pub mod rma;
pub mod search;
pub mod sheets;
pub mod sla;
pub mod tickets;
pub mod users;
pub mod webhooks;
pub mod wechat;

mod clock;
mod config_cache;
mod http;
pub(crate) mod idempotency;
mod outbox;

use std::path::PathBuf;
use std::sync::Arc;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AppError, FieldError};
pub use idempotency::{IdempotentOutcome, KeyedResponse, idempotent_lookup};
pub use kefu_domain as domain;
pub use kefu_store::Store;

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// Where attachment files are stored (content-addressed).
    pub files_dir: PathBuf,
    /// Where the search index lives (rebuildable from the database).
    pub index_dir: PathBuf,
    /// Largest accepted attachment, in bytes.
    pub max_attachment_bytes: u64,
    /// Prefix of human ticket numbers (`SR` → `SR-202611-000123`).
    pub ticket_prefix: String,
    /// Lifetime of a login session, in hours.
    pub session_hours: i64,
    /// Where people reach kefu (no trailing slash), for links in mail and bot messages; empty
    /// leaves links out.
    pub public_url: String,
    /// Let bot and webhook addresses point at this machine (127.0.0.1, localhost). Off in
    /// production: an admin must not be able to make kefu call its own internal services.
    pub allow_loopback_webhooks: bool,
}

impl AppSettings {
    /// Settings for tests: files under `dir`.
    pub fn for_tests(dir: PathBuf) -> Self {
        AppSettings {
            index_dir: dir.with_file_name("index"),
            files_dir: dir,
            max_attachment_bytes: 10 * 1024 * 1024,
            ticket_prefix: "SR".into(),
            session_hours: 12,
            public_url: "http://kefu.test".into(),
            allow_loopback_webhooks: true,
        }
    }
}

/// The application: storage, settings and the clock, shared by every request.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub store: Store,
    /// Settings.
    pub settings: Arc<AppSettings>,
    /// Failed-login tracking.
    pub login_limiter: auth::rate_limit::LoginLimiter,
    clock: Arc<dyn Clock>,
    cache: config_cache::ConfigCache,
    tokens: auth::token_cache::TokenCache,
    counts: tickets::count_cache::CountCache,
    smtp: mail::SmtpPool,
    pub(crate) wechat_tokens: wechat::TokenCache,
    /// Wakes this process's chat connections when a chat changes.
    pub chat_hub: chat::ChatHub,
    pub(crate) chat_limiter: auth::rate_limit::LoginLimiter,
    /// Anonymous use of the bot, suggestions and votes, per client address.
    pub(crate) public_limiter: auth::rate_limit::LoginLimiter,
    pub(crate) mail_locks: mail::PollLocks,
    pub(crate) search: Arc<tokio::sync::OnceCell<Arc<kefu_search::SearchIndex>>>,
    /// Held by whoever writes the index (the outbox follower, a rebuild), so a rebuild's
    /// clear and the follower's commits never interleave; it guards what the follower has
    /// indexed above the index's committed position.
    pub(crate) search_write: Arc<tokio::sync::Mutex<search::Indexed>>,
    pub(crate) search_rebuild: search::RebuildTracker,
    /// Searches running at once (one per core; see `search::query`).
    pub(crate) search_slots: Arc<tokio::sync::Semaphore>,
}

impl App {
    /// Builds the application on the system clock.
    pub fn new(store: Store, settings: AppSettings) -> Self {
        Self::with_clock(store, settings, Arc::new(SystemClock))
    }

    /// Builds the application on a given clock (tests pass a [`FixedClock`]).
    pub fn with_clock(store: Store, settings: AppSettings, clock: Arc<dyn Clock>) -> Self {
        install_tls_provider();
        App {
            store,
            settings: Arc::new(settings),
            login_limiter: Default::default(),
            clock,
            cache: config_cache::ConfigCache::default(),
            tokens: Default::default(),
            counts: Default::default(),
            smtp: Default::default(),
            wechat_tokens: Default::default(),
            chat_hub: Default::default(),
            chat_limiter: Default::default(),
            public_limiter: auth::rate_limit::LoginLimiter::with_limit(
                kb::PUBLIC_REQUESTS,
                kb::PUBLIC_WINDOW,
            ),
            mail_locks: Default::default(),
            search: Default::default(),
            search_write: Default::default(),
            search_rebuild: Default::default(),
            search_slots: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
        }
    }

    /// The SMTP connection pool for `c`, reused while the settings stay the same.
    pub fn smtp_sender(
        &self,
        c: &kefu_channels::mail::SmtpConfig,
    ) -> Result<kefu_channels::mail::SmtpSender, kefu_channels::mail::SendError> {
        self.smtp.sender(c)
    }

    /// The current instant, read once per use case.
    /// Truncated to microseconds: PostgreSQL keeps no more, and ticket cursors carry
    /// microseconds, so both backends store exactly what a cursor can name.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::SubsecRound::trunc_subsecs(self.clock.now(), 6)
    }
}

/// Makes ring the process's rustls crypto provider (HTTPS clients, SMTP and IMAP over TLS).
/// Idempotent; [`App::with_clock`] calls it, binaries call it first thing.
pub fn install_tls_provider() {
    kefu_channels::tls::install_default_provider();
}

/// Refuses customers (portal users): staff only.
pub fn require_staff(actor: &domain::access::Actor) -> Result<(), AppError> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("staff only".into()))
    }
}

/// Refuses unless the actor holds `p`.
pub fn require(
    actor: &domain::access::Actor,
    p: domain::access::Permission,
) -> Result<(), AppError> {
    if actor.has(p) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "needs permission `{}`",
            p.as_str()
        )))
    }
}
