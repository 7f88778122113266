//! Helpers shared by the identity tests: token replies with id tokens and client_info, form
//! parsing, and Connections pointed at a loopback identity server.

#![allow(dead_code)]

use std::time::{Duration, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use o365::clock::ManualClock;
use o365::{AuthFlowType, Connection, ConnectionBuilder, Credentials};
use serde_json::{Value, json};

/// 2026-01-01T00:00:00Z, the start of every test's virtual clock.
pub const START: u64 = 1_767_225_600;
pub const TENANT: &str = "tenant-1";
pub const CLIENT: &str = "client-1";
pub const SECRET: &str = "s3cret-value";
pub const USER: &str = "adele@contoso.test";

pub fn clock() -> ManualClock {
    ManualClock::at(UNIX_EPOCH + Duration::from_secs(START))
}

/// An unsigned JWT carrying `claims` (the client never verifies id-token signatures, as MSAL).
pub fn jwt(claims: Value) -> String {
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.sig",
        enc(&json!({"alg": "RS256", "typ": "JWT"})),
        enc(&claims)
    )
}

/// A delegated token reply for USER (oid-1 in tid-1), with `nonce` in the id token.
pub fn user_reply(access: &str, refresh: &str, nonce: Option<&str>) -> Value {
    let mut claims = json!({"oid": "oid-1", "tid": "tid-1", "sub": "sub-1",
        "preferred_username": USER, "aud": CLIENT});
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    json!({
        "token_type": "Bearer",
        "scope": "Mail.Read User.Read openid profile email",
        "expires_in": 3600,
        "ext_expires_in": 3600,
        "access_token": access,
        "refresh_token": refresh,
        "id_token": jwt(claims),
        "client_info": URL_SAFE_NO_PAD.encode(json!({"uid": "oid-1", "utid": "tid-1"}).to_string()),
    })
}

/// An app-only token reply.
pub fn app_reply(access: &str) -> Value {
    json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access})
}

/// An OAuth error reply body.
pub fn oauth_error(code: &str, description: &str, aadsts: u32) -> Value {
    json!({"error": code, "error_description": description, "error_codes": [aadsts],
        "trace_id": "trace-1", "correlation_id": "corr-1"})
}

/// A form body as ordered pairs.
pub fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The names of a form's fields, in order.
pub fn names(form: &[(String, String)]) -> Vec<&str> {
    form.iter().map(|(k, _)| k.as_str()).collect()
}

/// The value of one form field.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A builder for `flow` against the identity server at `authority`, on `clock`, without pacing.
pub fn builder(
    authority: &str,
    flow: AuthFlowType,
    credentials: Credentials,
    clock: &ManualClock,
) -> ConnectionBuilder {
    Connection::builder(credentials)
        .auth_flow(flow)
        .tenant_id(TENANT)
        .authority(authority)
        .requests_delay(Duration::ZERO)
        .clock(clock.clone())
        .token_backend(o365::token::MemoryTokenBackend::new())
}

/// A cache (python-o365 format) for USER with an access token `access` cached at `cached_at`
/// expiring at `expires_on`, and refresh token `refresh` (if any), under environment `env`.
pub fn user_cache(
    env: &str,
    access: &str,
    cached_at: u64,
    expires_on: u64,
    refresh: Option<&str>,
) -> String {
    let home = "oid-1.tid-1";
    let mut cache = json!({
        "AccessToken": {
            format!("{home}-{env}-accesstoken-{CLIENT}-{TENANT}-email mail.read user.read"): {
                "credential_type": "AccessToken", "secret": access, "home_account_id": home,
                "environment": env, "client_id": CLIENT, "target": "email Mail.Read User.Read",
                "realm": TENANT, "token_type": "Bearer", "cached_at": cached_at.to_string(),
                "expires_on": expires_on.to_string(), "extended_expires_on": expires_on.to_string()
            }
        },
        "Account": {
            format!("{home}-{env}-{TENANT}"): {
                "home_account_id": home, "environment": env, "realm": TENANT,
                "local_account_id": "oid-1", "username": USER, "authority_type": "MSSTS",
                "account_source": "authorization_code"
            }
        },
        "IdToken": {},
        "RefreshToken": {},
        "AppMetadata": {}
    });
    if let Some(rt) = refresh {
        cache["RefreshToken"] = json!({
            format!("{home}-{env}-refreshtoken-{CLIENT}--email mail.read user.read"): {
                "credential_type": "RefreshToken", "secret": rt, "home_account_id": home,
                "environment": env, "client_id": CLIENT, "target": "email Mail.Read User.Read",
                "last_modification_time": cached_at.to_string()
            }
        });
    }
    cache.to_string()
}

/// The host:port of a loopback base URL, as the cache's `environment`.
pub fn env_of(base: &str) -> String {
    base.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}
