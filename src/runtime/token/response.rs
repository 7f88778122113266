//! The identity platform's token response, the context it is stored under, and the unverified
//! decoding of `client_info` and id-token claims that MSAL does.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Error, Result};

/// A successful reply of the token endpoint (`/oauth2/v2.0/token`).
#[derive(Clone, Debug, Deserialize)]
pub struct TokenResponse {
    /// Usually `Bearer`; MSAL assumes `Bearer` when absent.
    #[serde(default)]
    pub token_type: Option<String>,
    /// The granted scopes, space separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// Lifetime of the access token in seconds (a number, or a string on AAD v1-like endpoints).
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub expires_in: Option<i64>,
    /// Extended lifetime in seconds.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub ext_expires_in: Option<i64>,
    /// Seconds after which the server suggests refreshing early.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub refresh_in: Option<i64>,
    /// Absolute expiry (epoch seconds) that some endpoints (managed identity) send instead of
    /// `expires_in`.
    #[serde(default, deserialize_with = "lenient_seconds")]
    pub expires_on: Option<i64>,
    /// The access token.
    #[serde(deserialize_with = "secret")]
    pub access_token: SecretString,
    /// The refresh token, when `offline_access` was granted.
    #[serde(default, deserialize_with = "optional_secret")]
    pub refresh_token: Option<SecretString>,
    /// The id token (a JWT), for delegated sign-ins.
    #[serde(default, deserialize_with = "optional_secret")]
    pub id_token: Option<SecretString>,
    /// base64url JSON `{"uid", "utid"}` (sent because the request carries `client_info=1`).
    #[serde(default)]
    pub client_info: Option<String>,
    /// Family-of-client-ids marker (`"1"`).
    #[serde(default)]
    pub foci: Option<String>,
}

/// Where a token response is stored: which app, which identity host, which tenant segment, and
/// what was asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheContext {
    /// The application (client) id.
    pub client_id: String,
    /// Identity-platform host, e.g. `login.microsoftonline.com`.
    pub environment: String,
    /// Tenant segment of the token endpoint (`common`, `organizations`, a tenant id, …).
    pub realm: String,
    /// The OAuth grant that produced the response (`authorization_code`, `password`,
    /// `refresh_token`, `client_credentials`, …); decides the account's `account_source`.
    pub grant_type: String,
    /// The scopes requested; used as the target when the response carries no `scope`.
    pub requested_scopes: Vec<String>,
}

impl TokenResponse {
    /// The id token's claims, decoded without verification (as MSAL does); empty without an id
    /// token. A malformed id token is an error.
    pub fn id_token_claims(&self) -> Result<Map<String, Value>> {
        match &self.id_token {
            None => Ok(Map::new()),
            Some(jwt) => {
                let payload = jwt.expose_secret().split('.').nth(1).ok_or_else(|| {
                    Error::decode("the id token in the token response is not a JWT")
                })?;
                decode_json_part(payload)
                    .ok_or_else(|| Error::decode("the id token's claims are not base64url JSON"))
            }
        }
    }

    /// The decoded `client_info` object, if the response has one.
    pub fn client_info_claims(&self) -> Result<Option<Map<String, Value>>> {
        match &self.client_info {
            None => Ok(None),
            Some(text) => decode_json_part(text).map(Some).ok_or_else(|| {
                Error::decode("the token response's client_info is not base64url JSON")
            }),
        }
    }
}

/// Decodes one base64url (padding optional) part holding a JSON object.
fn decode_json_part(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
    String::deserialize(deserializer).map(SecretString::from)
}

fn optional_secret<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(SecretString::from))
}

/// Seconds as a JSON number (fractions truncated, as Python's `int()`) or a numeric string.
fn lenient_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| de::Error::custom("a number of seconds is out of range")),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom("a number of seconds is not an integer")),
        Some(_) => Err(de::Error::custom("a number of seconds has the wrong type")),
    }
}
