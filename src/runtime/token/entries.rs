//! The entries of an MSAL token cache, field for field as MSAL Python writes them (the
//! `AccessToken`, `RefreshToken`, `IdToken`, `Account` and `AppMetadata` sections). Times are strings of epoch seconds on the wire; the `*_time` accessors parse
//! them. Fields this crate does not know are kept in order and written back unchanged.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Fields of an entry that this crate does not model, kept so they round-trip. Debug shows only
/// their names (an unknown field may hold anything).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExtraFields(pub Map<String, Value>);

impl fmt::Debug for ExtraFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// An access token (`AccessToken` section).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessTokenEntry {
    /// Always `"AccessToken"`.
    pub credential_type: String,
    /// The bearer token itself.
    #[serde(serialize_with = "expose", deserialize_with = "secret")]
    pub secret: SecretString,
    /// `"{uid}.{utid}"` of the signed-in account; `None` for app-only (client credentials) tokens.
    #[serde(default)]
    pub home_account_id: Option<String>,
    /// Identity-platform host, e.g. `login.microsoftonline.com`.
    pub environment: String,
    /// The application (client) id.
    pub client_id: String,
    /// Granted scopes, sorted, separated by one space.
    pub target: String,
    /// Tenant segment of the token endpoint (`common`, `organizations`, a tenant id, …).
    pub realm: String,
    /// Usually `Bearer`.
    pub token_type: String,
    /// When the token was stored (epoch seconds as a string).
    pub cached_at: String,
    /// When the token expires (epoch seconds as a string).
    pub expires_on: String,
    /// Extended expiry for outages (epoch seconds as a string).
    pub extended_expires_on: String,
    /// When the server suggests refreshing early (epoch seconds as a string), if it said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_on: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl AccessTokenEntry {
    /// Expiry time; `None` when the stored value is not a number.
    pub fn expires_on_time(&self) -> Option<SystemTime> {
        epoch_seconds(&self.expires_on)
    }

    /// Extended expiry time.
    pub fn extended_expires_on_time(&self) -> Option<SystemTime> {
        epoch_seconds(&self.extended_expires_on)
    }

    /// The server's suggested early-refresh time, if any.
    pub fn refresh_on_time(&self) -> Option<SystemTime> {
        self.refresh_on.as_deref().and_then(epoch_seconds)
    }

    /// When the token was stored.
    pub fn cached_at_time(&self) -> Option<SystemTime> {
        epoch_seconds(&self.cached_at)
    }

    /// The granted scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.target.split_whitespace()
    }
}

/// A refresh token (`RefreshToken` section).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RefreshTokenEntry {
    /// Always `"RefreshToken"`.
    pub credential_type: String,
    /// The refresh token itself.
    #[serde(serialize_with = "expose", deserialize_with = "secret")]
    pub secret: SecretString,
    /// `"{uid}.{utid}"` of the account.
    #[serde(default)]
    pub home_account_id: Option<String>,
    /// Identity-platform host.
    pub environment: String,
    /// The application (client) id.
    pub client_id: String,
    /// Scopes granted when the token was issued, sorted, separated by one space.
    #[serde(default)]
    pub target: Option<String>,
    /// When the entry was written (epoch seconds as a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modification_time: Option<String>,
    /// The family-of-client-ids (FOCI) id, when the server sent `foci`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_id: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

impl RefreshTokenEntry {
    /// When the entry was written.
    pub fn last_modification_at(&self) -> Option<SystemTime> {
        self.last_modification_time
            .as_deref()
            .and_then(epoch_seconds)
    }

    /// The scopes recorded with the token.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.target
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
    }
}

/// An id token (`IdToken` section); the secret is the raw JWT.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IdTokenEntry {
    /// Always `"IdToken"`.
    pub credential_type: String,
    /// The raw JWT.
    #[serde(serialize_with = "expose", deserialize_with = "secret")]
    pub secret: SecretString,
    /// `"{uid}.{utid}"` of the account.
    #[serde(default)]
    pub home_account_id: Option<String>,
    /// Identity-platform host.
    pub environment: String,
    /// Tenant segment of the token endpoint.
    pub realm: String,
    /// The application (client) id.
    pub client_id: String,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// A signed-in account (`Account` section).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountEntry {
    /// `"{uid}.{utid}"`, the key that ties tokens to the account.
    #[serde(default)]
    pub home_account_id: Option<String>,
    /// Identity-platform host.
    pub environment: String,
    /// Tenant segment of the token endpoint.
    pub realm: String,
    /// The object id (`oid`, else `sub`) from the id token.
    #[serde(default)]
    pub local_account_id: Option<String>,
    /// `preferred_username` (or `upn`) from the id token; `""` when unknown.
    #[serde(default)]
    pub username: String,
    /// `MSSTS` (or `ADFS`).
    pub authority_type: String,
    /// The grant that established the account (`authorization_code`, `password`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_source: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// Per-application metadata (`AppMetadata` section).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppMetadataEntry {
    /// The application (client) id.
    pub client_id: String,
    /// Identity-platform host.
    pub environment: String,
    /// The FOCI family id, when the server sent `foci`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_id: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: ExtraFields,
}

/// Parses a string of epoch seconds.
/// Every request reads a few of these, so plain digits (what MSAL writes) take a short path.
pub(crate) fn epoch_seconds(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    let seconds = if !bytes.is_empty() && bytes.len() <= 19 && bytes.iter().all(u8::is_ascii_digit)
    {
        bytes
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'))
    } else {
        text.trim().parse().ok()?
    };
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

fn expose<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(secret.expose_secret())
}

fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
    String::deserialize(deserializer).map(SecretString::from)
}

#[cfg(test)]
mod epoch_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_short_path_agrees_with_parse(text in "[0-9]{0,19}|[ 0-9a-z+-]{0,22}") {
            let slow = text
                .trim()
                .parse::<u64>()
                .ok()
                .and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s)));
            prop_assert_eq!(epoch_seconds(&text), slow);
        }
    }
}
