//! Renders a [`Config`] as commented TOML, credentials masked (`kefu print-config`).

use std::fmt::Write as _;

use super::Config;

/// The configuration as a commented `kefu.toml`. Secrets appear masked, so the output is safe
/// to paste into an issue but not to use as-is when it holds a masked password.
pub fn render_toml(cfg: &Config) -> String {
    let mut out = String::new();
    let w = &mut out;
    line(
        w,
        "# kefu configuration. Every key may also be set as an environment variable:",
    );
    line(
        w,
        "# KEFU_<SECTION>__<KEY>, e.g. KEFU_SERVER__BIND or KEFU_DATABASE__URL.",
    );
    line(w, "");

    line(w, "[server]");
    line(w, "# Address and port to listen on.");
    kv(w, "bind", &string(&cfg.server.bind.to_string()));
    line(w, "# Largest accepted request body, in bytes.");
    kv(w, "max_body_bytes", &cfg.server.max_body_bytes.to_string());
    line(w, "# Mark session cookies Secure; turn on behind HTTPS.");
    kv(w, "secure_cookies", &cfg.server.secure_cookies.to_string());
    line(
        w,
        "# Where people reach kefu, for links in mail and chat-bot messages.",
    );
    kv(w, "public_url", &string(&cfg.server.public_url));
    line(
        w,
        "# Let bot webhooks call 127.0.0.1/localhost (tests only).",
    );
    kv(
        w,
        "allow_loopback_webhooks",
        &cfg.server.allow_loopback_webhooks.to_string(),
    );
    line(w, "");

    line(w, "[database]");
    line(w, "# sqlite://… or postgres://user:password@host:5432/db");
    match &cfg.database.url {
        Some(url) => kv(w, "url", &string(&url.masked())),
        None => {
            line(w, "# Unset: SQLite under storage.data_dir, i.e.");
            line(
                w,
                &format!("# url = {}", string(&cfg.database_url().masked())),
            );
        }
    }
    line(
        w,
        "# Connection pool size; unset = 1 for SQLite, 16 for PostgreSQL.",
    );
    match cfg.database.max_connections {
        Some(n) => kv(w, "max_connections", &n.to_string()),
        None => line(w, "# max_connections = 16"),
    }
    line(w, "");

    line(w, "[storage]");
    line(
        w,
        "# Directory for the SQLite database and attachments (files/).",
    );
    kv(
        w,
        "data_dir",
        &string(&cfg.storage.data_dir.display().to_string()),
    );
    line(w, "# Largest accepted attachment, in MiB.");
    kv(
        w,
        "max_attachment_mb",
        &cfg.storage.max_attachment_mb.to_string(),
    );
    line(
        w,
        "# Search index (rebuildable); on local disk, one per process. Unset: <data_dir>/index.",
    );
    match &cfg.storage.index_dir {
        Some(d) => kv(w, "index_dir", &string(&d.display().to_string())),
        None => line(w, "# index_dir = \"/var/lib/kefu/index\""),
    }
    line(w, "");

    line(w, "[tickets]");
    line(w, "# Prefix of ticket numbers: SR gives SR-202611-000123.");
    kv(w, "number_prefix", &string(&cfg.tickets.number_prefix));
    line(w, "");

    line(w, "[auth]");
    line(w, "# Lifetime of a login session, in hours.");
    kv(w, "session_hours", &cfg.auth.session_hours.to_string());
    line(w, "");

    line(w, "[log]");
    line(w, "# json (one object per line) or pretty.");
    kv(w, "format", &string(cfg.log.format.as_str()));
    line(
        w,
        "# Filter directives, e.g. info or info,kefu_store=debug; RUST_LOG wins when set.",
    );
    kv(w, "level", &string(&cfg.log.level));
    out
}

fn line(w: &mut String, s: &str) {
    w.push_str(s);
    w.push('\n');
}

fn kv(w: &mut String, key: &str, value: &str) {
    let _ = writeln!(w, "{key} = {value}");
}

/// A TOML basic string.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
