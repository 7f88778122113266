//! Change notifications: subscriptions
//! ([`Connection::change_notifications`](crate::Connection::change_notifications)) and a [`Receiver`] for the
//! web server that receives them.
//!
//! The receiver is framework-agnostic: it takes an `http::Request<Bytes>` and gives back the
//! `http::Response<Bytes>` to send, plus what the request carried. It answers Graph's
//! `validationToken` handshake at once (`200`, `text/plain`, the token echoed), checks every
//! notification's `clientState` against the secret given at creation (notifications that do
//! not match are dropped and counted), and parses change notifications and lifecycle events
//! (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) into typed values. Answer
//! quickly: Graph expects the reply within seconds, so hand the events to a queue.
//!
//! ```no_run
//! # async fn example(conn: o365::Connection, request: http::Request<bytes::Bytes>) -> o365::Result<()> {
//! use o365::notifications::{ChangeType, Event, NewSubscription, Receiver};
//! let receiver = Receiver::new("a-long-random-secret");
//! // In the web server's handler:
//! let received = receiver.receive(request);
//! for event in &received.events {
//!     match event {
//!         Event::Change(n) => println!("{:?} {}", n.change_type, n.resource),
//!         Event::Lifecycle(l) => println!("lifecycle {:?}", l.event),
//!     }
//! }
//! let response = received.response; // send this back
//! // Elsewhere: subscribe (the service validates the URL against the receiver first).
//! let sub = conn.change_notifications().create(
//!     &NewSubscription::new("me/mailFolders('Inbox')/messages", "https://example.com/hook")
//!         .change_type(ChangeType::Created)
//!         .client_state("a-long-random-secret"),
//! ).await?;
//! # let _ = (response, sub); Ok(()) }
//! ```

mod subscriptions;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{Method, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use subscriptions::{
    NewSubscription, RENEWAL_RETRY, Subscription, Subscriptions, max_lifetime,
};

/// A kind of change a subscription notifies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeType {
    /// An item was created.
    Created,
    /// An item was updated.
    Updated,
    /// An item was deleted.
    Deleted,
}

impl ChangeType {
    /// The wire name (`created`, `updated`, `deleted`).
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeType::Created => "created",
            ChangeType::Updated => "updated",
            ChangeType::Deleted => "deleted",
        }
    }

    /// Parses one wire name.
    pub fn parse(text: &str) -> Option<ChangeType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "created" => Some(ChangeType::Created),
            "updated" => Some(ChangeType::Updated),
            "deleted" => Some(ChangeType::Deleted),
            _ => None,
        }
    }

    pub(crate) fn parse_list(text: &str) -> Vec<ChangeType> {
        text.split(',').filter_map(ChangeType::parse).collect()
    }

    pub(crate) fn join(types: &[ChangeType]) -> String {
        types
            .iter()
            .map(ChangeType::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The `resourceData` of a change notification (without resource data encryption: the id,
/// type and etag of the item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceData {
    /// The item's id.
    #[serde(default)]
    pub id: Option<String>,
    /// `@odata.type`, e.g. `#Microsoft.Graph.Message`.
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    /// `@odata.id`, the item's path.
    #[serde(rename = "@odata.id", default)]
    pub odata_id: Option<String>,
    /// `@odata.etag`.
    #[serde(rename = "@odata.etag", default)]
    pub etag: Option<String>,
}

/// A change to a watched resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeNotification {
    /// The subscription it belongs to.
    #[serde(rename = "subscriptionId")]
    pub subscription_id: String,
    /// When that subscription expires.
    #[serde(rename = "subscriptionExpirationDateTime", default)]
    pub subscription_expiration: Option<DateTime<Utc>>,
    /// What happened.
    #[serde(rename = "changeType")]
    pub change_type: ChangeType,
    /// The changed item's path, e.g. `Users/{id}/Messages/{id}`.
    pub resource: String,
    /// The changed item's id, type and etag.
    #[serde(rename = "resourceData", default)]
    pub resource_data: Option<ResourceData>,
    /// The tenant.
    #[serde(rename = "tenantId", default)]
    pub tenant_id: Option<String>,
}

/// What a lifecycle notification says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LifecycleEvent {
    /// The access token behind the subscription is about to expire: reauthorize (a PATCH of the
    /// subscription with a fresh token) or notifications stop.
    ReauthorizationRequired,
    /// The subscription was removed: create it again.
    SubscriptionRemoved,
    /// Notifications were missed: resynchronize (a delta query) to catch up.
    Missed,
}

/// A lifecycle notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifecycleNotification {
    /// The subscription it concerns.
    #[serde(rename = "subscriptionId")]
    pub subscription_id: String,
    /// What happened.
    #[serde(rename = "lifecycleEvent")]
    pub event: LifecycleEvent,
    /// When the subscription expires.
    #[serde(rename = "subscriptionExpirationDateTime", default)]
    pub subscription_expiration: Option<DateTime<Utc>>,
    /// The tenant.
    #[serde(rename = "tenantId", default)]
    pub tenant_id: Option<String>,
}

/// One entry of a notification delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Event {
    /// A change notification.
    Change(ChangeNotification),
    /// A lifecycle notification.
    Lifecycle(LifecycleNotification),
}

/// What a request to the receiver was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// The validation handshake of a subscription being created (answered with the token).
    Validation,
    /// A delivery of notifications (answered `202 Accepted`).
    Notifications,
    /// Something else (answered 400 or 405).
    Invalid,
}

/// What [`Receiver::receive`] made of a request.
#[derive(Debug)]
pub struct Received {
    /// The reply to send back.
    pub response: http::Response<Bytes>,
    /// What the request was.
    pub kind: RequestKind,
    /// The notifications whose `clientState` matched, in order.
    pub events: Vec<Event>,
    /// Entries dropped because their `clientState` did not match (or was missing).
    pub rejected: usize,
    /// Entries dropped because they were not notifications this crate understands.
    pub unreadable: usize,
}

/// Answers the requests Graph sends to a notification URL; see the [module docs](self).
pub struct Receiver {
    client_state: Option<SecretString>,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("checks_client_state", &self.client_state.is_some())
            .finish()
    }
}

/// Longest validation token echoed (Graph's are a few hundred characters).
const MAX_TOKEN_CHARS: usize = 4096;

impl Receiver {
    /// A receiver that accepts only notifications carrying `client_state`.
    pub fn new(client_state: impl Into<String>) -> Receiver {
        Receiver {
            client_state: Some(SecretString::from(client_state.into())),
        }
    }

    /// A receiver that does not check `clientState` (for subscriptions created without one).
    pub fn without_client_state() -> Receiver {
        Receiver { client_state: None }
    }

    /// Handles one request; never fails (bad requests get a 4xx response).
    pub fn receive(&self, request: http::Request<Bytes>) -> Received {
        if let Some(token) = validation_token(request.uri()) {
            return self.validation(&request, token);
        }
        if request.method() != Method::POST {
            return invalid(StatusCode::METHOD_NOT_ALLOWED);
        }
        let Ok(body) = serde_json::from_slice::<Value>(request.body()) else {
            return invalid(StatusCode::BAD_REQUEST);
        };
        let Some(entries) = body.get("value").and_then(Value::as_array) else {
            return invalid(StatusCode::BAD_REQUEST);
        };
        let (mut events, mut rejected, mut unreadable) = (Vec::new(), 0, 0);
        for entry in entries {
            if !self.state_matches(entry.get("clientState").and_then(Value::as_str)) {
                rejected += 1;
                continue;
            }
            let event = if entry.get("lifecycleEvent").is_some() {
                serde_json::from_value(entry.clone()).map(Event::Lifecycle)
            } else {
                serde_json::from_value(entry.clone()).map(Event::Change)
            };
            match event {
                Ok(event) => events.push(event),
                Err(_) => unreadable += 1,
            }
        }
        if rejected > 0 {
            tracing::warn!(
                rejected,
                "notifications with a wrong clientState were dropped"
            );
        }
        Received {
            response: response(StatusCode::ACCEPTED, None),
            kind: RequestKind::Notifications,
            events,
            rejected,
            unreadable,
        }
    }

    fn validation(&self, request: &http::Request<Bytes>, token: String) -> Received {
        if request.method() != Method::POST
            || token.is_empty()
            || token.chars().count() > MAX_TOKEN_CHARS
        {
            return invalid(StatusCode::BAD_REQUEST);
        }
        Received {
            response: response(StatusCode::OK, Some(token)),
            kind: RequestKind::Validation,
            events: Vec::new(),
            rejected: 0,
            unreadable: 0,
        }
    }

    fn state_matches(&self, given: Option<&str>) -> bool {
        let Some(expected) = &self.client_state else {
            return true;
        };
        let Some(given) = given else {
            return false;
        };
        constant_time_eq(expected.expose_secret().as_bytes(), given.as_bytes())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The decoded `validationToken` query parameter, if the request has one.
fn validation_token(uri: &http::Uri) -> Option<String> {
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "validationToken")
        .map(|(_, v)| v.into_owned())
}

fn response(status: StatusCode, text: Option<String>) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::from(text.clone().unwrap_or_default()));
    *response.status_mut() = status;
    if text.is_some() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    response
}

fn invalid(status: StatusCode) -> Received {
    Received {
        response: response(status, None),
        kind: RequestKind::Invalid,
        events: Vec::new(),
        rejected: 0,
        unreadable: 0,
    }
}
