//! The change-notification subscriptions of every application, and the queue of their
//! deliveries.

use serde_json::Value;

use super::changes::Versions;

/// A change-notification subscription.
#[derive(Debug, Clone)]
pub(crate) struct EmuSubscription {
    pub id: String,
    pub resource: String,
    pub change_types: Vec<String>,
    pub notification_url: String,
    pub lifecycle_url: Option<String>,
    /// Epoch seconds.
    pub expiration: i64,
    pub client_state: Option<String>,
    /// The application that created it.
    pub app: String,
    /// The signed-in user it was created for (`me/…` resources), if any.
    pub owner: Option<String>,
    /// The watched collection as last notified.
    pub versions: Versions,
}

/// The subscriptions of every application.
#[derive(Debug, Default)]
pub(crate) struct SubscriptionStore {
    pub subscriptions: Vec<EmuSubscription>,
    /// Deliveries (notification URL, body), posted in order by one task.
    pub outbox: Option<tokio::sync::mpsc::UnboundedSender<(String, Value)>>,
}

impl SubscriptionStore {
    pub fn get(&self, id: &str) -> Option<&EmuSubscription> {
        self.subscriptions.iter().find(|s| s.id == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut EmuSubscription> {
        self.subscriptions.iter_mut().find(|s| s.id == id)
    }

    pub fn remove(&mut self, id: &str) -> Option<EmuSubscription> {
        let at = self.subscriptions.iter().position(|s| s.id == id)?;
        Some(self.subscriptions.remove(at))
    }
}
