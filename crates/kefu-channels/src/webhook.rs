//! kefu's own outbound webhooks (to an ERP or any system): the endpoint check and the headers
//! of a signed delivery. Pure; the caller sends the request.
//!
//! A receiver checks `X-Kefu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
//! with its secret (see [`crate::bots::verify_webhook_signature`]), rejects old timestamps,
//! and uses `X-Kefu-Delivery` to drop a delivery it has already handled.

use std::net::IpAddr;

use url::{Host, Url};

/// Checks an endpoint: `https://` anywhere (an ERP on the company network too), `http://` only
/// to loopback and only with `allow_loopback` (tests, a local bridge); no credentials in the
/// URL; loopback and link-local addresses only with `allow_loopback`.
pub fn validate_endpoint(raw: &str, allow_loopback: bool) -> Result<Url, &'static str> {
    let url = Url::parse(raw.trim()).map_err(|_| "not a URL")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("no user name or password in the URL; the signature authenticates kefu");
    }
    let host = url.host().ok_or("the URL has no host")?;
    let local = match &host {
        Host::Domain(d) => *d == "localhost" || d.ends_with(".localhost"),
        Host::Ipv4(ip) => ip.is_loopback() || ip.is_link_local() || ip.is_unspecified(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback() || ip.is_unspecified(),
    };
    if local && !allow_loopback {
        return Err("loopback and link-local addresses are not allowed");
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if local => Ok(url),
        _ => Err("use https://"),
    }
}

/// The headers of one delivery: content type, event, delivery id and signature.
pub fn headers(
    secret: &[u8],
    event: &str,
    delivery_id: &str,
    body: &[u8],
    timestamp_s: i64,
) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/json".into()),
        ("user-agent", "kefu-webhooks/1".into()),
        ("x-kefu-event", event.into()),
        ("x-kefu-delivery", delivery_id.into()),
        (
            "x-kefu-signature",
            crate::bots::webhook_signature(secret, timestamp_s, body),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_allowed_loopback() {
        assert!(validate_endpoint("https://erp.example.cn/hooks/kefu", false).is_ok());
        assert!(validate_endpoint("https://10.0.0.8/hooks", false).is_ok());
        assert!(validate_endpoint("http://erp.example.cn/hooks", false).is_err());
        assert!(validate_endpoint("http://127.0.0.1:9000/h", false).is_err());
        assert!(validate_endpoint("http://127.0.0.1:9000/h", true).is_ok());
        assert!(validate_endpoint("https://169.254.169.254/latest", false).is_err());
        assert!(validate_endpoint("https://u:p@erp.example.cn/", false).is_err());
        assert!(validate_endpoint("erp.example.cn", false).is_err());
    }

    #[test]
    fn the_signature_header_verifies_with_the_secret() {
        let h = headers(b"whsec_x", "ticket.created", "d1", b"{}", 1_800_000_000);
        let sig = &h.iter().find(|(k, _)| *k == "x-kefu-signature").unwrap().1;
        assert!(
            crate::bots::verify_webhook_signature(b"whsec_x", sig, b"{}", 1_800_000_010, 300)
                .is_ok()
        );
        assert!(
            crate::bots::verify_webhook_signature(b"other", sig, b"{}", 1_800_000_010, 300)
                .is_err()
        );
    }
}
