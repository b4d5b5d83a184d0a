//! TLS for every outgoing connection kefu makes (SMTP, IMAP, HTTPS to bots and WeChat): rustls
//! with the ring provider and the webpki root certificates. No OpenSSL, no aws-lc.

use std::sync::Arc;

pub use tokio_rustls::rustls;

/// Makes ring the process's default rustls provider. Idempotent; binaries call it first.
pub fn install_default_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client configuration trusting the webpki roots, on ring.
pub fn client_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}
