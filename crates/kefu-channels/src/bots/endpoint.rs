//! Webhook URL checks: only the vendor's own HTTPS endpoint (or loopback) is accepted, so a
//! configured bot cannot be used to reach internal hosts (SSRF).

use std::net::IpAddr;

use url::{Host, Url};

use super::{BotError, BotKind};

/// Hosts each vendor serves its bot webhooks from.
fn vendor_hosts(kind: BotKind) -> &'static [&'static str] {
    match kind {
        BotKind::WeCom => &["qyapi.weixin.qq.com"],
        BotKind::DingTalk => &["oapi.dingtalk.com"],
        BotKind::Feishu => &["open.feishu.cn", "open.larksuite.com"],
    }
}

/// Parses and checks a bot webhook URL.
///
/// Accepted: `https` on the vendor's host and default port, with the vendor's webhook path and
/// token (`/cgi-bin/webhook/send?key=`, `/robot/send?access_token=`,
/// `/open-apis/bot/v2/hook/<token>`). With `allow_loopback`, also http(s) to `localhost`,
/// `127.0.0.0/8` or `::1` on any port and path (local test servers). No user info.
pub fn validate_webhook_url(
    kind: BotKind,
    raw: &str,
    allow_loopback: bool,
) -> Result<Url, BotError> {
    let url = Url::parse(raw.trim()).map_err(|_| BotError::InvalidUrl)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BotError::UrlCredentials);
    }
    let host = url.host().ok_or(BotError::InvalidUrl)?;
    let loopback = is_loopback(&host);
    match url.scheme() {
        "https" => {}
        "http" if loopback && allow_loopback => {}
        _ => return Err(BotError::InsecureScheme),
    }
    if loopback {
        return if allow_loopback {
            Ok(url)
        } else {
            Err(not_allowed(kind, &url))
        };
    }
    let vendor = matches!(&host, Host::Domain(d) if vendor_hosts(kind).contains(d));
    if !vendor || url.port().is_some() {
        return Err(not_allowed(kind, &url));
    }
    if !has_webhook_path(kind, &url) {
        return Err(BotError::UnexpectedPath { kind });
    }
    Ok(url)
}

fn not_allowed(kind: BotKind, url: &Url) -> BotError {
    let host = url.host_str().unwrap_or_default();
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    BotError::HostNotAllowed { kind, host }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => *d == "localhost",
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

fn has_webhook_path(kind: BotKind, url: &Url) -> bool {
    let has_param = |name: &str| url.query_pairs().any(|(k, v)| k == name && !v.is_empty());
    match kind {
        BotKind::WeCom => url.path() == "/cgi-bin/webhook/send" && has_param("key"),
        BotKind::DingTalk => url.path() == "/robot/send" && has_param("access_token"),
        BotKind::Feishu => url
            .path()
            .strip_prefix("/open-apis/bot/v2/hook/")
            .is_some_and(|token| !token.is_empty() && !token.contains('/')),
    }
}

/// `url` with `pairs` set as query parameters, replacing earlier ones of the same names.
pub(crate) fn with_query(mut url: Url, pairs: &[(&str, &str)]) -> Url {
    let stale = url
        .query_pairs()
        .any(|(k, _)| pairs.iter().any(|(name, _)| k == *name));
    if stale {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !pairs.iter().any(|(name, _)| k == *name))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    // Form encoding, like Python's `quote_plus` in the vendors' samples.
    url.query_pairs_mut().extend_pairs(pairs);
    url
}
