//! One SMTP connection pool per process, rebuilt when the settings change.

use std::sync::{Arc, Mutex};

use kefu_channels::mail::{SendError, SmtpConfig, SmtpSender};
use sha2::{Digest, Sha256};

/// A sender and the hash of the settings it was built from (no password kept twice).
type Keyed = Option<([u8; 32], SmtpSender)>;

/// The current sender, rebuilt when the settings change.
#[derive(Clone, Default)]
pub(crate) struct SmtpPool {
    current: Arc<Mutex<Keyed>>,
}

impl SmtpPool {
    pub(crate) fn sender(&self, c: &SmtpConfig) -> Result<SmtpSender, SendError> {
        let key: [u8; 32] = Sha256::new()
            .chain_update(c.host.as_bytes())
            .chain_update([0])
            .chain_update(c.port.to_be_bytes())
            .chain_update(format!("{:?}", c.security).as_bytes())
            .chain_update([0])
            .chain_update(c.username.as_deref().unwrap_or("").as_bytes())
            .chain_update([0])
            .chain_update(c.password.as_deref().unwrap_or("").as_bytes())
            .finalize()
            .into();
        let mut cur = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, s)) = cur.as_ref()
            && *k == key
        {
            return Ok(s.clone());
        }
        let s = SmtpSender::new(c)?;
        *cur = Some((key, s.clone()));
        Ok(s)
    }
}
