//! Outbound webhooks for the ERP and other systems: subscriptions (admins), a delivery row
//! for every matching outbox event written in the dispatcher's transaction (so no event is
//! lost), and delivery passes that POST them signed with HMAC-SHA256, in order per ticket,
//! retrying with backoff, with a log and redelivery.

mod deliver;
mod fanout;
mod subscriptions;

pub use deliver::{
    DeliveryReport, DeliveryView, deliver_due, deliver_webhooks, list_deliveries, redeliver,
};
pub(crate) use fanout::fan_out;
pub use subscriptions::{
    WebhookInput, WebhookView, create_webhook, delete_webhook, list_webhooks, update_webhook,
};
