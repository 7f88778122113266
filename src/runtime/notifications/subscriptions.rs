//! Subscriptions (`/subscriptions`): create, renew, list, get, delete, with Graph's longest
//! lifetime per resource checked before anything is sent.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use futures_util::stream::{self, BoxStream};
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

use super::ChangeType;
use crate::runtime::connection::Connection;
use crate::typed::encode_path;
use crate::{Error, Result};

/// The longest lifetime Graph allows a subscription to `resource` (its documented limits:
/// under 7 days for Outlook mail, events and contacts, 29 days for directory objects, 30 days
/// for drive and list items and security alerts, 3 days for Teams, To Do and call records,
/// 1 hour for presence). Unknown resources get the shortest common limit, 3 days.
pub fn max_lifetime(resource: &str) -> Duration {
    const MINUTE: u64 = 60;
    let r = resource.trim_start_matches('/').to_ascii_lowercase();
    let minutes = if r.starts_with("communications/presences") {
        60
    } else if r.contains("/todo/") || r.starts_with("communications/callrecords") {
        4_230
    } else if r.starts_with("chats")
        || r.starts_with("teams")
        || r.contains("/chats")
        || r.starts_with("appcatalogs")
    {
        4_320
    } else if r.contains("messages")
        || r.contains("events")
        || r.contains("contacts")
        || r.contains("mailfolders")
    {
        10_080
    } else if r.starts_with("security/alerts") {
        43_200
    } else if r.contains("drive") || r.contains("/lists/") {
        42_300
    } else if r.starts_with("users")
        || r.starts_with("groups")
        || r.starts_with("directory")
        || r.starts_with("me")
    {
        41_760
    } else {
        4_320
    };
    Duration::from_secs(minutes * MINUTE)
}

fn write_time<S: Serializer>(t: &DateTime<Utc>, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn read_change_types<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<ChangeType>, D::Error> {
    let text = String::deserialize(d)?;
    Ok(ChangeType::parse_list(&text))
}

fn write_change_types<S: Serializer>(
    types: &[ChangeType],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&ChangeType::join(types))
}

/// A subscription as Graph returns it. `client_state` is never shown by `Debug`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    /// The subscription's id.
    pub id: String,
    /// The resource watched, e.g. `me/mailFolders('Inbox')/messages`.
    pub resource: String,
    /// The changes notified.
    #[serde(
        rename = "changeType",
        deserialize_with = "read_change_types",
        serialize_with = "write_change_types"
    )]
    pub change_types: Vec<ChangeType>,
    /// Where notifications are posted.
    #[serde(rename = "notificationUrl")]
    pub notification_url: String,
    /// Where lifecycle events are posted, when set.
    #[serde(
        rename = "lifecycleNotificationUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub lifecycle_notification_url: Option<String>,
    /// When the subscription ends unless renewed.
    #[serde(rename = "expirationDateTime", serialize_with = "write_time")]
    pub expiration: DateTime<Utc>,
    /// The secret every notification carries back.
    #[serde(
        rename = "clientState",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_state: Option<String>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("resource", &self.resource)
            .field("change_types", &self.change_types)
            .field("notification_url", &self.notification_url)
            .field(
                "lifecycle_notification_url",
                &self.lifecycle_notification_url,
            )
            .field("expiration", &self.expiration)
            .field(
                "client_state",
                &self.client_state.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A subscription to create: [`NewSubscription::new`], then the options, then
/// [`Subscriptions::create`].
#[derive(Clone)]
pub struct NewSubscription {
    resource: String,
    notification_url: String,
    change_types: Vec<ChangeType>,
    lifecycle_notification_url: Option<String>,
    lifetime: Option<Duration>,
    client_state: Option<String>,
}

impl std::fmt::Debug for NewSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSubscription")
            .field("resource", &self.resource)
            .field("notification_url", &self.notification_url)
            .field("change_types", &self.change_types)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl NewSubscription {
    /// Notifications about `resource` posted to `notification_url` (default change type:
    /// `created`, default lifetime: the longest the resource allows, minus a minute).
    pub fn new(resource: impl Into<String>, notification_url: impl Into<String>) -> Self {
        NewSubscription {
            resource: resource.into(),
            notification_url: notification_url.into(),
            change_types: Vec::new(),
            lifecycle_notification_url: None,
            lifetime: None,
            client_state: None,
        }
    }

    /// Adds a change type to notify.
    pub fn change_type(mut self, change: ChangeType) -> Self {
        if !self.change_types.contains(&change) {
            self.change_types.push(change);
        }
        self
    }

    /// Where lifecycle events (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) go.
    pub fn lifecycle_notification_url(mut self, url: impl Into<String>) -> Self {
        self.lifecycle_notification_url = Some(url.into());
        self
    }

    /// How long the subscription lasts (at most [`max_lifetime`] of the resource).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// The secret (at most 128 characters) the service sends back with every notification,
    /// checked by the [`Receiver`](super::Receiver).
    pub fn client_state(mut self, secret: impl Into<String>) -> Self {
        self.client_state = Some(secret.into());
        self
    }

    fn body(&self, now: SystemTime) -> Result<Value> {
        if self.resource.trim().is_empty() {
            return Err(Error::invalid_input("a subscription needs a resource"));
        }
        let url = url::Url::parse(&self.notification_url).map_err(|_| {
            Error::invalid_input("the notification URL of a subscription must be an absolute URL")
        })?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(Error::invalid_input(
                "the notification URL of a subscription must be http(s)",
            ));
        }
        if let Some(state) = &self.client_state
            && (state.is_empty() || state.chars().count() > 128)
        {
            return Err(Error::invalid_input(
                "clientState must be 1 to 128 characters long",
            ));
        }
        let max = max_lifetime(&self.resource);
        let lifetime = self
            .lifetime
            .unwrap_or(max.saturating_sub(Duration::from_secs(60)));
        check_lifetime(&self.resource, lifetime)?;
        let types = if self.change_types.is_empty() {
            vec![ChangeType::Created]
        } else {
            self.change_types.clone()
        };
        let mut body = json!({
            "changeType": ChangeType::join(&types),
            "notificationUrl": self.notification_url,
            "resource": self.resource,
            "expirationDateTime": expiry(now, lifetime)?,
        });
        if let Some(url) = &self.lifecycle_notification_url {
            body["lifecycleNotificationUrl"] = json!(url);
        }
        if let Some(state) = &self.client_state {
            body["clientState"] = json!(state);
        }
        Ok(body)
    }
}

fn check_lifetime(resource: &str, lifetime: Duration) -> Result<()> {
    let max = max_lifetime(resource);
    if lifetime.is_zero() {
        return Err(Error::invalid_input(
            "a subscription must expire in the future",
        ));
    }
    if lifetime > max {
        return Err(Error::invalid_input(format!(
            "a subscription to {resource:?} can last at most {} minutes ({} asked)",
            max.as_secs() / 60,
            lifetime.as_secs() / 60
        )));
    }
    Ok(())
}

fn expiry(now: SystemTime, lifetime: Duration) -> Result<String> {
    let at: DateTime<Utc> = (now + lifetime).into();
    Ok(at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// After a renewal failed for a reason that may pass (the service or the network, a throttle),
/// how long [`Subscriptions::keep_renewed`] waits before it tries again.
pub const RENEWAL_RETRY: Duration = Duration::from_secs(60);

/// Whether a failed renewal may succeed if tried again later.
fn may_pass(error: &Error) -> bool {
    use crate::ErrorKind;
    match error.kind() {
        ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::Identity => true,
        ErrorKind::Status => error
            .status()
            .is_some_and(|s| s.as_u16() == 429 || s.is_server_error()),
        _ => false,
    }
}

/// The subscription operations of a Connection (from [`Connection::change_notifications`]).
#[derive(Debug, Clone, Copy)]
pub struct Subscriptions<'a> {
    connection: &'a Connection,
}

impl Connection {
    /// Change-notification subscriptions (`/subscriptions`) with lifetime checks and
    /// renewal; the generated `graph-subscriptions` workload (`conn.subscriptions()`) has the
    /// raw operations.
    pub fn change_notifications(&self) -> Subscriptions<'_> {
        Subscriptions { connection: self }
    }
}

impl Subscriptions<'_> {
    /// Creates a subscription (the service first checks the notification URL with a
    /// validation request, which a [`Receiver`](super::Receiver) answers).
    pub async fn create(&self, new: &NewSubscription) -> Result<Subscription> {
        let body = new.body(self.connection.clock().system_now())?;
        self.connection
            .request(Method::POST, "subscriptions")
            .json(&body)
            .send_json()
            .await
    }

    /// Moves the expiry of the subscription `id` to `lifetime` from now (checked against the
    /// resource's limit when `resource` is given).
    pub async fn renew(
        &self,
        id: &str,
        resource: Option<&str>,
        lifetime: Duration,
    ) -> Result<Subscription> {
        match resource {
            Some(resource) => check_lifetime(resource, lifetime)?,
            None if lifetime.is_zero() => check_lifetime("", lifetime)?,
            None => {}
        }
        let at = expiry(self.connection.clock().system_now(), lifetime)?;
        self.connection
            .request(Method::PATCH, &format!("subscriptions/{}", encode_path(id)))
            .json(&json!({ "expirationDateTime": at }))
            .send_json()
            .await
    }

    /// Keeps `subscription` alive for as long as the stream is polled (spawn it beside the
    /// receiver): on the Connection's clock it waits until shortly before the subscription
    /// expires (a quarter of `lifetime`, at most an hour), renews it for `lifetime` (default:
    /// the resource's longest, less a minute) and yields the renewed subscription, again and
    /// again. A renewal that fails for a reason that may pass (network, 5xx, 429, the identity
    /// platform) is tried again every [`RENEWAL_RETRY`] while the subscription lasts; any other
    /// failure (a 404: the subscription was deleted or expired) is yielded and ends the stream.
    pub fn keep_renewed(
        &self,
        subscription: Subscription,
        lifetime: Option<Duration>,
    ) -> BoxStream<'static, Result<Subscription>> {
        let lifetime = lifetime.unwrap_or_else(|| {
            max_lifetime(&subscription.resource).saturating_sub(Duration::from_secs(60))
        });
        let margin = (lifetime / 4).min(Duration::from_secs(3600));
        let state = Some((self.connection.clone(), subscription));
        Box::pin(stream::unfold(state, move |state| async move {
            let (connection, current) = state?;
            let clock = connection.clock();
            let expires = SystemTime::from(current.expiration);
            let due = expires
                .checked_sub(margin)
                .unwrap_or(SystemTime::UNIX_EPOCH);
            let mut wait = due
                .duration_since(clock.system_now())
                .unwrap_or(Duration::ZERO);
            loop {
                if !wait.is_zero() {
                    clock.sleep_until(clock.now() + wait).await;
                }
                let renewed = connection
                    .change_notifications()
                    .renew(&current.id, Some(&current.resource), lifetime)
                    .await;
                match renewed {
                    Ok(renewed) => return Some((Ok(renewed.clone()), Some((connection, renewed)))),
                    Err(error)
                        if may_pass(&error) && clock.system_now() + RENEWAL_RETRY < expires =>
                    {
                        tracing::warn!(%error, id = %current.id, "subscription renewal failed; trying again");
                        wait = RENEWAL_RETRY;
                    }
                    Err(error) => return Some((Err(error), None)),
                }
            }
        }))
    }

    /// Every subscription of the application (across pages).
    pub async fn list(&self) -> Result<Vec<Subscription>> {
        self.connection
            .items::<Subscription, _>("subscriptions", &(), None)?
            .try_collect()
            .await
    }

    /// One subscription.
    pub async fn get(&self, id: &str) -> Result<Subscription> {
        self.connection
            .request(Method::GET, &format!("subscriptions/{}", encode_path(id)))
            .send_json()
            .await
    }

    /// Deletes a subscription.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.connection
            .request(
                Method::DELETE,
                &format!("subscriptions/{}", encode_path(id)),
            )
            .send()
            .await
            .map(|_| ())
    }
}
