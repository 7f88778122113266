//! Storing a token response the way MSAL Python's `TokenCache.add` does, with two deliberate
//! differences that keep one current token per purpose: an access token replaces the account's
//! access tokens whose scopes overlap, and a refresh token replaces the account's other refresh
//! tokens for the same client.

use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use serde_json::{Map, Value};

use super::cache::{ACCESS_TOKEN, ACCOUNT, APP_METADATA, ID_TOKEN, REFRESH_TOKEN, TokenCache};
use super::entries::{
    AccessTokenEntry, AccountEntry, AppMetadataEntry, ExtraFields, IdTokenEntry, RefreshTokenEntry,
};
use super::response::{CacheContext, TokenResponse};
use crate::{Error, Result};

/// Lifetime MSAL assumes when a response says nothing (RFC 6749 §5.1 leaves it open).
const DEFAULT_EXPIRES_IN: i64 = 600;

/// Grants after which MSAL records `account_source` on the account.
const ACCOUNT_ESTABLISHING_GRANTS: [&str; 5] = [
    "broker",
    "authorization_code",
    "password",
    "urn:ietf:params:oauth:grant-type:device_code",
    "user_fic",
];

/// MSAL's cache keys (`<home account>-<environment>-<kind>-<client>-<realm>-<target>`, parts
/// that do not apply left empty); all but the app-metadata key are lowercased.
pub(crate) mod keys {
    fn join(parts: &[&str]) -> String {
        parts.join("-").to_lowercase()
    }

    /// Key of an access token.
    pub fn access_token(
        home: Option<&str>,
        env: &str,
        client: &str,
        realm: &str,
        target: &str,
    ) -> String {
        join(&[
            home.unwrap_or(""),
            env,
            "AccessToken",
            client,
            realm,
            target,
        ])
    }

    /// Key of a refresh token (cross-tenant: empty realm).
    pub fn refresh_token(home: Option<&str>, env: &str, client: &str, target: &str) -> String {
        join(&[home.unwrap_or(""), env, "RefreshToken", client, "", target])
    }

    /// Key of an id token (empty target).
    pub fn id_token(home: Option<&str>, env: &str, client: &str, realm: &str) -> String {
        join(&[home.unwrap_or(""), env, "IdToken", client, realm, ""])
    }

    /// Key of an account.
    pub fn account(home: Option<&str>, env: &str, realm: &str) -> String {
        join(&[home.unwrap_or(""), env, realm])
    }

    /// Key of application metadata.
    pub fn app_metadata(env: &str, client: &str) -> String {
        format!("appmetadata-{env}-{client}")
    }
}

/// A token response decoded and checked, with everything its entries are keyed by: the result
/// of the parse and validate steps, before anything is written.
struct Slot<'a> {
    /// The id token's claims (empty without an id token).
    claims: Map<String, Value>,
    home_account_id: Option<String>,
    /// Seconds since the Unix epoch at which the response was received.
    now: i64,
    /// The granted scopes, sorted.
    target: String,
    env: &'a str,
    client: &'a str,
    realm: &'a str,
}

impl<'a> Slot<'a> {
    /// Parse and validate: decodes the id token and `client_info` and derives the home account;
    /// errors (kind `Decode`) when either cannot be decoded or the id token has no `sub`.
    fn parse(response: &TokenResponse, ctx: &'a CacheContext, now: SystemTime) -> Result<Self> {
        let claims = response.id_token_claims()?;
        let home_account_id = home_account_id(response, &claims)?;
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Ok(Slot {
            claims,
            home_account_id,
            now,
            target: sorted_target(response, ctx),
            env: ctx.environment.as_str(),
            client: ctx.client_id.as_str(),
            realm: ctx.realm.as_str(),
        })
    }

    fn home(&self) -> Option<&str> {
        self.home_account_id.as_deref()
    }

    fn access_token(&self, response: &TokenResponse) -> AccessTokenEntry {
        let now = self.now;
        let expires_in = response.expires_in.unwrap_or_else(|| {
            response
                .expires_on
                .map_or(DEFAULT_EXPIRES_IN, |on| on.saturating_sub(now))
        });
        let ext_expires_in = response.ext_expires_in.unwrap_or(expires_in);
        AccessTokenEntry {
            credential_type: ACCESS_TOKEN.into(),
            secret: response.access_token.clone(),
            home_account_id: self.home_account_id.clone(),
            environment: self.env.into(),
            client_id: self.client.into(),
            target: self.target.clone(),
            realm: self.realm.into(),
            token_type: response
                .token_type
                .clone()
                .unwrap_or_else(|| "Bearer".into()),
            cached_at: now.to_string(),
            expires_on: now.saturating_add(expires_in).to_string(),
            extended_expires_on: now.saturating_add(ext_expires_in).to_string(),
            refresh_on: response
                .refresh_in
                .map(|r| now.saturating_add(r).to_string()),
            extra: ExtraFields::default(),
        }
    }

    /// The signed-in account; none for app-only responses.
    fn account(&self, grant_type: &str) -> Option<AccountEntry> {
        let claims = &self.claims;
        self.home_account_id.is_some().then(|| AccountEntry {
            home_account_id: self.home_account_id.clone(),
            environment: self.env.into(),
            realm: self.realm.into(),
            local_account_id: claim(claims, "oid").or_else(|| claim(claims, "sub")),
            username: claim(claims, "preferred_username")
                .or_else(|| claim(claims, "upn"))
                .unwrap_or_default(),
            authority_type: if self.realm == "adfs" {
                "ADFS"
            } else {
                "MSSTS"
            }
            .into(),
            account_source: ACCOUNT_ESTABLISHING_GRANTS
                .contains(&grant_type)
                .then(|| grant_type.to_owned()),
            extra: ExtraFields::default(),
        })
    }

    fn id_token(&self, secret: &SecretString) -> IdTokenEntry {
        IdTokenEntry {
            credential_type: ID_TOKEN.into(),
            secret: secret.clone(),
            home_account_id: self.home_account_id.clone(),
            environment: self.env.into(),
            realm: self.realm.into(),
            client_id: self.client.into(),
            extra: ExtraFields::default(),
        }
    }

    fn refresh_token(&self, secret: &SecretString, family_id: Option<String>) -> RefreshTokenEntry {
        RefreshTokenEntry {
            credential_type: REFRESH_TOKEN.into(),
            secret: secret.clone(),
            home_account_id: self.home_account_id.clone(),
            environment: self.env.into(),
            client_id: self.client.into(),
            target: Some(self.target.clone()),
            last_modification_time: Some(self.now.to_string()),
            family_id,
            extra: ExtraFields::default(),
        }
    }
}

impl TokenCache {
    /// Stores a token response received at `now`: access token, account, id token, refresh token
    /// and app metadata, keyed as MSAL keys them. Returns the account written (none for
    /// app-only responses, which have neither id token nor `client_info`).
    ///
    /// Errors (kind `Decode`) when the id token or `client_info` cannot be decoded; the cache is
    /// then unchanged.
    pub fn add_token_response(
        &mut self,
        response: &TokenResponse,
        ctx: &CacheContext,
        now: SystemTime,
    ) -> Result<Option<AccountEntry>> {
        let slot = Slot::parse(response, ctx, now)?;
        self.store_access_token(&slot, response);
        let account = slot.account(&ctx.grant_type);
        if let Some(account) = &account {
            self.touch_section(ACCOUNT);
            self.accounts.insert(
                keys::account(slot.home(), slot.env, slot.realm),
                account.clone(),
            );
        }
        if let Some(id_token) = &response.id_token {
            self.touch_section(ID_TOKEN);
            self.id_tokens.insert(
                keys::id_token(slot.home(), slot.env, slot.client, slot.realm),
                slot.id_token(id_token),
            );
        }
        if let Some(refresh_token) = &response.refresh_token {
            self.store_refresh_token(
                &slot,
                slot.refresh_token(refresh_token, response.foci.clone()),
            );
        }
        self.touch_section(APP_METADATA);
        self.app_metadata.insert(
            keys::app_metadata(slot.env, slot.client),
            AppMetadataEntry {
                client_id: slot.client.into(),
                environment: slot.env.into(),
                family_id: response.foci.clone(),
                extra: ExtraFields::default(),
            },
        );
        Ok(account)
    }

    /// Stores the access token, replacing the account's access tokens whose scopes overlap.
    fn store_access_token(&mut self, slot: &Slot<'_>, response: &TokenResponse) {
        let key = keys::access_token(slot.home(), slot.env, slot.client, slot.realm, &slot.target);
        let same_slot = |e: &AccessTokenEntry| {
            e.home_account_id == slot.home_account_id
                && e.environment == slot.env
                && e.client_id == slot.client
                && e.realm == slot.realm
        };
        let granted: Vec<&str> = slot.target.split_whitespace().collect();
        self.access_tokens.retain(|k, e| {
            *k == key || !(same_slot(e) && e.scopes().any(|s| granted.contains(&s)))
        });
        self.touch_section(ACCESS_TOKEN);
        self.access_tokens.insert(key, slot.access_token(response));
    }

    /// Stores the refresh token, replacing the account's other refresh tokens for the client.
    fn store_refresh_token(&mut self, slot: &Slot<'_>, entry: RefreshTokenEntry) {
        let key = keys::refresh_token(slot.home(), slot.env, slot.client, &slot.target);
        self.refresh_tokens.retain(|k, e| {
            *k == key
                || !(e.home_account_id == slot.home_account_id
                    && e.environment == slot.env
                    && e.client_id == slot.client)
        });
        self.touch_section(REFRESH_TOKEN);
        self.refresh_tokens.insert(key, entry);
    }
}

/// `uid.utid` from `client_info`, else the id token's `sub`, else none (app-only).
fn home_account_id(
    response: &TokenResponse,
    claims: &Map<String, Value>,
) -> Result<Option<String>> {
    if let Some(info) = response.client_info_claims()?
        && let (Some(uid), Some(utid)) = (claim(&info, "uid"), claim(&info, "utid"))
    {
        return Ok(Some(format!("{uid}.{utid}")));
    }
    if claims.is_empty() {
        return Ok(None);
    }
    claim(claims, "sub")
        .map(Some)
        .ok_or_else(|| Error::decode("the id token has no `sub` claim"))
}

/// The granted scopes (else the requested ones), sorted as MSAL sorts them.
fn sorted_target(response: &TokenResponse, ctx: &CacheContext) -> String {
    let mut scopes: Vec<&str> = match &response.scope {
        Some(scope) => scope.split_whitespace().collect(),
        None => ctx.requested_scopes.iter().map(String::as_str).collect(),
    };
    scopes.sort_unstable();
    scopes.join(" ")
}

/// A claim as a string (numbers are formatted, as Python's `str.format` would).
fn claim(claims: &Map<String, Value>, name: &str) -> Option<String> {
    match claims.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}
