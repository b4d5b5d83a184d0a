//! The process's HTTP client for calls to outside services (group bots, WeChat).

use std::sync::OnceLock;
use std::time::Duration;

/// One shared client: rustls on ring with the webpki roots, 10 s timeout, no redirects.
pub(crate) fn client() -> reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .tls_backend_preconfigured(kefu_channels::tls::client_config())
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a static client configuration")
        })
        .clone()
}

/// What kind of failure a request had, without its text: request URLs carry keys and secrets
/// (bot tokens, the WeChat AppSecret), and reqwest's messages include the URL.
pub(crate) fn failure(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}
