//! Layered configuration: defaults, then `kefu.toml`, then `KEFU_…__…` environment variables,
//! then command-line flags. Unknown keys are errors. Each crate gets its own settings struct.
//!
//! The field docs below are the configuration reference; `kefu print-config` shows the
//! effective values and `kefu.example.toml` at the repository root shows the defaults.

mod render;
mod secret;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub use render::render_toml;
pub use secret::Secret;

/// The file read when neither `--config` nor `KEFU_CONFIG` names one (only if it exists).
pub const DEFAULT_CONFIG_FILE: &str = "kefu.toml";

/// Everything `kefu` can be configured with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[server]`: the HTTP listener.
    pub server: ServerConfig,
    /// `[database]`: SQLite (default) or PostgreSQL.
    pub database: DatabaseConfig,
    /// `[storage]`: where local data lives.
    pub storage: StorageConfig,
    /// `[tickets]`: ticket numbering.
    pub tickets: TicketsConfig,
    /// `[auth]`: login sessions.
    pub auth: AuthConfig,
    /// `[log]`: log output.
    pub log: LogConfig,
}

/// `[server]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address and port to listen on (`KEFU_SERVER__BIND`).
    pub bind: SocketAddr,
    /// Largest accepted request body, in bytes (uploads included).
    pub max_body_bytes: usize,
    /// Mark session cookies `Secure`; turn on when kefu is served over HTTPS.
    pub secure_cookies: bool,
    /// The address people reach kefu at (e.g. `https://kefu.example.com`), for links in mail
    /// and chat-bot notifications; empty leaves links out.
    pub public_url: String,
    /// Allow bot webhooks to 127.0.0.1/localhost (tests and local relays only).
    pub allow_loopback_webhooks: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 2 * 1024 * 1024,
            secure_cookies: false,
            public_url: String::new(),
            allow_loopback_webhooks: false,
        }
    }
}

/// `[database]`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://…` or `postgres://user:password@host/db` (`KEFU_DATABASE__URL`). When unset,
    /// `sqlite://<storage.data_dir>/kefu.db?mode=rwc`.
    pub url: Option<Secret>,
    /// Connection pool size; defaults to 1 for SQLite and 16 for PostgreSQL.
    pub max_connections: Option<u32>,
}

/// `[storage]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Directory for the SQLite database and attachments (`files/`); created on start.
    pub data_dir: PathBuf,
    /// Largest accepted attachment, in MiB.
    pub max_attachment_mb: u64,
    /// Search index directory (default `<data_dir>/index`). Each process needs its own: when
    /// several share `data_dir` on shared storage, point this at local disk.
    pub index_dir: Option<PathBuf>,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            data_dir: PathBuf::from("./kefu-data"),
            max_attachment_mb: 20,
            index_dir: None,
        }
    }
}

/// `[tickets]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TicketsConfig {
    /// Prefix of ticket numbers (`SR` gives `SR-202611-000123`).
    pub number_prefix: String,
}

impl Default for TicketsConfig {
    fn default() -> Self {
        TicketsConfig {
            number_prefix: "SR".into(),
        }
    }
}

/// `[auth]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Lifetime of a login session, in hours.
    pub session_hours: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig { session_hours: 12 }
    }
}

/// `[log]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `json` (one object per line, for collectors) or `pretty` (for people).
    pub format: LogFormat,
    /// Filter directives such as `info` or `info,kefu_store=debug`; `RUST_LOG` wins when set.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Json,
            level: "info".into(),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable, coloured when on a terminal.
    Pretty,
}

impl LogFormat {
    /// The configuration spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Json => "json",
            LogFormat::Pretty => "pretty",
        }
    }
}

/// Values from the command line, the last and strongest layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `serve --bind`.
    pub bind: Option<SocketAddr>,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--config`/`KEFU_CONFIG` names a file that is not there.
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    /// One or more keys or values were refused.
    #[error("invalid configuration:\n{0}")]
    Invalid(String),
}

impl Config {
    /// Loads the layers. `file` is `--config`/`KEFU_CONFIG`; without it `./kefu.toml` is read
    /// when present.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let figment = Self::figment(file, overrides)?;
        figment
            .extract::<Config>()
            .map_err(|e| ConfigError::Invalid(describe(&figment, e)))
    }

    /// The layered sources, before extraction.
    pub fn figment(file: Option<&Path>, overrides: &Overrides) -> Result<Figment, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.is_file() => return Err(ConfigError::MissingFile(path.into())),
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE));
            }
            None => {}
        }
        // Only `KEFU_SECTION__KEY` names are configuration; single-segment names such as
        // `KEFU_CONFIG` or `KEFU_TEST_PG_URL` belong to someone else and are left alone.
        let env = Env::prefixed("KEFU_")
            .filter(|key| key.as_str().contains("__"))
            .split("__");
        figment = figment.merge(env);
        if let Some(bind) = overrides.bind {
            figment = figment.merge(("server.bind", bind.to_string()));
        }
        Ok(figment)
    }

    /// The database URL to connect to: the configured one, or SQLite under `data_dir`.
    pub fn database_url(&self) -> Secret {
        match &self.database.url {
            Some(url) => url.clone(),
            None => Secret::new(format!(
                "sqlite://{}?mode=rwc",
                self.sqlite_default_path().display()
            )),
        }
    }

    /// Where the default SQLite database lives.
    pub fn sqlite_default_path(&self) -> PathBuf {
        self.storage.data_dir.join("kefu.db")
    }

    /// Where attachments are stored.
    pub fn files_dir(&self) -> PathBuf {
        self.storage.data_dir.join("files")
    }

    /// Settings for the use cases.
    pub fn app_settings(&self) -> kefu_app::AppSettings {
        kefu_app::AppSettings {
            files_dir: self.files_dir(),
            index_dir: self
                .storage
                .index_dir
                .clone()
                .unwrap_or_else(|| self.storage.data_dir.join("index")),
            max_attachment_bytes: self.storage.max_attachment_mb.saturating_mul(1024 * 1024),
            ticket_prefix: self.tickets.number_prefix.clone(),
            session_hours: i64::from(self.auth.session_hours),
            public_url: self.server.public_url.trim_end_matches('/').to_owned(),
            allow_loopback_webhooks: self.server.allow_loopback_webhooks,
        }
    }

    /// Settings for the HTTP layer.
    pub fn web_settings(&self) -> kefu_web::WebSettings {
        kefu_web::WebSettings {
            max_body_bytes: self.server.max_body_bytes,
            secure_cookies: self.server.secure_cookies,
        }
    }
}

/// Renders every error of `err`, naming unknown keys in full and the layer they came from.
fn describe(figment: &Figment, err: figment::Error) -> String {
    let lines: Vec<String> = err
        .into_iter()
        .map(|e| match &e.kind {
            figment::error::Kind::UnknownField(field, expected) => {
                // The path usually ends with the unknown key itself.
                let mut key = e.path.clone();
                if key.last() != Some(field) {
                    key.push(field.clone());
                }
                let key = key.join(".");
                let origin = figment
                    .find_metadata(&key)
                    .map(|md| match &md.source {
                        Some(source) => format!(" (from {} {})", md.name, source),
                        None => format!(" (from {})", md.name),
                    })
                    .unwrap_or_default();
                format!(
                    "  - unknown configuration key `{key}`{origin}; expected one of: {}",
                    expected.join(", ")
                )
            }
            _ => format!("  - {e}"),
        })
        .collect();
    lines.join("\n")
}
