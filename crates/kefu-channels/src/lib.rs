//! Wire formats of kefu's channels, free of storage and HTTP: inbound MIME mail (parsing,
//! threading keys, noise such as auto-replies and bounces, quoted-reply stripping, HTML
//! sanitizing). The use cases that act on them live in `kefu-app`.

pub mod bots;
pub mod mail;
pub mod tls;
pub mod webhook;
pub mod wechat;
