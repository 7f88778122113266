//! The checks Graph makes of a new subscription: change types, an https notification URL (or
//! http on a loopback host, for tests), `clientState` length, and the expiry within the
//! resource's limit.

use http::StatusCode;
use serde_json::Value;

use crate::emulator::data::changes::Versions;
use crate::emulator::data::subscriptions::EmuSubscription;
use crate::emulator::data::tokens::AccessGrant;
use crate::emulator::graph::GraphErr;
use crate::emulator::util;

/// Graph's 400 for a subscription request it refuses.
pub(super) fn invalid(message: impl Into<String>) -> GraphErr {
    GraphErr::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
}

/// Graph's 404 for a subscription that does not exist (or belongs to another application).
pub(super) fn not_found() -> GraphErr {
    GraphErr::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "The object was not found.",
    )
}

/// The fields of a subscription request, checked.
pub(super) struct Requested {
    pub(super) resource: String,
    pub(super) change_types: Vec<String>,
    pub(super) notification_url: String,
    pub(super) lifecycle_url: Option<String>,
    pub(super) client_state: Option<String>,
    pub(super) expiration: i64,
    /// The signed-in user (none for app-only tokens).
    pub(super) owner: Option<String>,
}

impl Requested {
    /// The subscription this request creates, for application `app`, watching a collection
    /// that stands at `versions` now.
    pub(super) fn into_subscription(self, app: String, versions: Versions) -> EmuSubscription {
        EmuSubscription {
            id: util::uuid4(),
            resource: self.resource,
            change_types: self.change_types,
            notification_url: self.notification_url,
            lifecycle_url: self.lifecycle_url,
            expiration: self.expiration,
            client_state: self.client_state,
            app,
            owner: self.owner,
            versions,
        }
    }
}

/// Reads and checks a subscription request's body, in the order Graph checks it.
pub(super) fn requested(
    body: &Value,
    grant: &AccessGrant,
    now: i64,
) -> Result<Requested, GraphErr> {
    let resource = body["resource"]
        .as_str()
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| invalid("resource is required."))?
        .to_owned();
    let change_types = change_types(body)?;
    let notification_url = body["notificationUrl"]
        .as_str()
        .ok_or_else(|| invalid("notificationUrl is required."))?
        .to_owned();
    check_url(&notification_url, "notificationUrl")?;
    let lifecycle_url = body["lifecycleNotificationUrl"].as_str().map(str::to_owned);
    if let Some(url) = &lifecycle_url {
        check_url(url, "lifecycleNotificationUrl")?;
    }
    let client_state = body["clientState"].as_str().map(str::to_owned);
    if client_state
        .as_ref()
        .is_some_and(|s| s.chars().count() > 128)
    {
        return Err(invalid("clientState cannot be longer than 128 characters."));
    }
    let expiration = expiration(body, &resource, now)?;
    let owner = grant.user.clone();
    if resource.trim_start_matches('/').starts_with("me") && owner.is_none() {
        return Err(invalid(
            "/me request is only valid with delegated authentication flow.",
        ));
    }
    Ok(Requested {
        resource,
        change_types,
        notification_url,
        lifecycle_url,
        client_state,
        expiration,
        owner,
    })
}

/// The comma-separated `changeType`: one or more of created, updated, deleted.
fn change_types(body: &Value) -> Result<Vec<String>, GraphErr> {
    let change_types: Vec<String> = body["changeType"]
        .as_str()
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if change_types.is_empty()
        || change_types
            .iter()
            .any(|t| !matches!(t.as_str(), "created" | "updated" | "deleted"))
    {
        return Err(invalid(
            "changeType must be one or more of created, updated, deleted.",
        ));
    }
    Ok(change_types)
}

/// The expiry in `body`, checked against the resource's limit.
pub(super) fn expiration(
    body: &Value,
    resource: &str,
    now: i64,
) -> std::result::Result<i64, GraphErr> {
    let at = body["expirationDateTime"]
        .as_str()
        .and_then(util::parse_iso)
        .ok_or_else(|| invalid("expirationDateTime is required and must be a date-time."))?;
    if at <= now {
        return Err(invalid("Subscription expiration must be in the future."));
    }
    let max = crate::notifications::max_lifetime(resource).as_secs() as i64;
    if at - now > max {
        return Err(invalid(format!(
            "Subscription expiration can only be {} minutes in the future.",
            max / 60
        )));
    }
    Ok(at)
}

/// Checks a receiver URL: https, or http on a loopback host.
fn check_url(url: &str, what: &str) -> std::result::Result<(), GraphErr> {
    let parsed = url::Url::parse(url).map_err(|_| invalid(format!("Invalid {what}.")))?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(invalid(format!("The {what} must be an https URL."))),
    }
}
