//! kefu's HTTP front door: the JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`,
//! Swagger UI at `/api/docs`) and the operational endpoints.

mod api;
mod chat;
mod error;
mod extract;
mod ops;
mod pages;
mod router;
mod wechat;

pub use error::ApiError;
pub use router::{openapi, router};

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            max_body_bytes: 2 * 1024 * 1024,
            secure_cookies: false,
        }
    }
}

/// State shared by handlers.
#[derive(Clone)]
pub struct AppState {
    /// The application.
    pub app: kefu_app::App,
    /// HTTP settings.
    pub settings: std::sync::Arc<WebSettings>,
    /// Prometheus exposition.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}
