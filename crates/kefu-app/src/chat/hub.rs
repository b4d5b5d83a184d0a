//! Wakes the chat connections of this process when a session changed. Carries only the
//! session id: receivers read what changed from the database, so a missed signal costs a
//! little delay (their periodic re-read), never a message.

use tokio::sync::broadcast;
use uuid::Uuid;

/// Signals "session X changed" to every open chat connection of this process.
#[derive(Clone, Debug)]
pub struct ChatHub {
    tx: broadcast::Sender<Uuid>,
}

impl Default for ChatHub {
    fn default() -> Self {
        ChatHub {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl ChatHub {
    /// Tells listeners that `session` has a new message or status.
    pub fn notify(&self, session: Uuid) {
        // No receiver is fine: nobody is watching right now.
        let _ = self.tx.send(session);
    }

    /// A receiver for the changes from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        self.tx.subscribe()
    }
}
