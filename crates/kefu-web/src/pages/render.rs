//! The template environment: every template is compiled into the binary, undefined variables
//! are errors (strict), and HTML is auto-escaped. Functions and filters give templates
//! translations (`t`), local times (`dt`) and business durations (`dur`).

use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use minijinja::{Environment, State, UndefinedBehavior, Value};

use super::i18n;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        /// (name, source) of every template.
        pub const TEMPLATES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../templates/", $name)))),*
        ];
    };
}

templates!(
    "base.html",
    "login.html",
    "error.html",
    "error_page.html",
    "macros.html",
    "profile.html",
    "agent/layout.html",
    "agent/queue.html",
    "agent/queue_rows.html",
    "agent/queue_counts.html",
    "agent/ticket.html",
    "agent/timeline.html",
    "agent/new_ticket.html",
    "agent/lookup.html",
    "agent/customers.html",
    "agent/approvals.html",
    "agent/tasks.html",
    "agent/tasks_list.html",
    "agent/survey_results.html",
    "admin/care.html",
    "survey.html",
    "agent/chat.html",
    "agent/customer.html",
    "agent/customer_form.html",
    "agent/kb.html",
    "agent/kb_edit.html",
    "agent/search.html",
    "agent/parts.html",
    "agent/ticket_parts.html",
    "agent/ticket_rmas.html",
    "agent/ticket_charges.html",
    "agent/charges.html",
    "agent/import.html",
    "agent/import_step.html",
    "admin/search.html",
    "admin/search_status.html",
    "admin/webhooks.html",
    "admin/webhook_log.html",
    "agent/suggestions.html",
    "admin/nav.html",
    "admin/index.html",
    "admin/users.html",
    "admin/tokens.html",
    "admin/types.html",
    "admin/workflow.html",
    "admin/teams.html",
    "admin/sla.html",
    "admin/routing.html",
    "admin/triggers.html",
    "admin/macros.html",
    "admin/canned.html",
    "admin/channels.html",
    "portal/layout.html",
    "portal/tickets.html",
    "portal/ticket.html",
    "portal/new_ticket.html",
    "portal/invite.html",
    "chat/embed.html",
    "help/layout.html",
    "help/index.html",
    "help/article.html",
);

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, src) in TEMPLATES {
        env.add_template(name, src)
            .unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env.add_function("t", |state: &State, key: &str| {
        i18n::translate(&locale_of(state), key)
    });
    env.add_filter("dt", |state: &State, value: Value| {
        format_time(state, &value)
    });
    env.add_filter("yuan", |fen: i64| {
        format!("¥{}", kefu_domain::charges::yuan(fen))
    });
    env.add_filter("dur", |state: &State, secs: i64| {
        format_duration(&locale_of(state), secs)
    });
    env
});

fn locale_of(state: &State) -> String {
    state
        .lookup("locale")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "zh-CN".into())
}

/// A time (RFC 3339 text, or Unix seconds) in the viewer's time zone.
fn format_time(state: &State, value: &Value) -> String {
    let t = if let Some(secs) = value.as_i64() {
        match DateTime::<Utc>::from_timestamp(secs, 0) {
            Some(t) => t,
            None => return String::new(),
        }
    } else {
        let Some(s) = value.as_str() else {
            return String::new();
        };
        let Ok(t) = s.parse::<DateTime<Utc>>() else {
            return s.to_owned();
        };
        t
    };
    let tz: chrono_tz::Tz = state
        .lookup("tz")
        .and_then(|v| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(chrono_tz::Asia::Shanghai);
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// `5400` → `1小时30分` / `1h 30m`; negative values are overdue amounts.
pub fn format_duration(locale: &str, secs: i64) -> String {
    let m = secs.abs() / 60;
    let (d, h, min) = (m / (24 * 60), (m / 60) % 24, m % 60);
    let en = i18n::pick(locale) == "en";
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(if en {
            format!("{d}d")
        } else {
            format!("{d}天")
        });
    }
    if h > 0 {
        parts.push(if en {
            format!("{h}h")
        } else {
            format!("{h}小时")
        });
    }
    if min > 0 || parts.is_empty() {
        parts.push(if en {
            format!("{min}m")
        } else {
            format!("{min}分")
        });
    }
    parts.join(if en { " " } else { "" })
}

/// Renders a template to a response; a template error is logged and shown as a 500 page.
pub fn render(name: &str, ctx: Value) -> Response {
    render_status(StatusCode::OK, name, ctx)
}

/// Renders with a status code.
pub fn render_status(status: StatusCode, name: &str, ctx: Value) -> Response {
    match ENV.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "template failed");
            if std::env::var("KEFU_DEBUG_TEMPLATES").is_ok() {
                eprintln!("template {name} failed: {e:#}");
            }
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>500</h1><p>页面渲染失败 / the page could not be rendered</p>"),
            )
                .into_response()
        }
    }
}

/// Every `t("…")` key used by the templates (for the catalog test).
#[cfg(test)]
pub fn used_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for (_, src) in TEMPLATES {
        let mut rest = *src;
        while let Some(i) = rest.find("t(\"") {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + 3..];
            // `default("x")` ends in `t("` too: only a bare `t(` is the function.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(k) = rest.split('"').next() {
                keys.push(k.to_owned());
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_every_key_is_translated() {
        LazyLock::force(&ENV);
        let zh = i18n::keys("zh-CN");
        let missing: Vec<_> = used_keys()
            .into_iter()
            // `t("queue." ~ code)` leaves a prefix: some key must carry it.
            .filter(|k| {
                if k.ends_with('.') || k.ends_with('_') {
                    !zh.iter().any(|z| z.starts_with(k.as_str()))
                } else {
                    zh.binary_search(k).is_err()
                }
            })
            .collect();
        assert!(
            missing.is_empty(),
            "keys missing from the catalogs: {missing:?}"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration("zh-CN", 5400), "1小时30分");
        assert_eq!(format_duration("en", 5400), "1h 30m");
        assert_eq!(format_duration("en", -90_000), "1d 1h");
        assert_eq!(format_duration("zh-CN", 30), "0分");
    }
}
