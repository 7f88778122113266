//! [`TokenCache`]: the parsed MSAL token-cache JSON that python-o365 stores, its (de)serialization
//! in python-o365's exact layout, and python-o365's query helpers.

use std::fmt;
use std::time::SystemTime;

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::entries::{
    AccessTokenEntry, AccountEntry, AppMetadataEntry, IdTokenEntry, RefreshTokenEntry,
};
use super::pyjson::to_python_json;
use crate::{Error, Result};

/// Scopes MSAL adds to every delegated request; `get_token_scopes(.., true)` leaves them out.
pub use crate::protocol::RESERVED_SCOPES;

/// Names of the five sections, in the order MSAL creates them.
pub(crate) const ACCESS_TOKEN: &str = "AccessToken";
pub(crate) const ACCOUNT: &str = "Account";
pub(crate) const ID_TOKEN: &str = "IdToken";
pub(crate) const REFRESH_TOKEN: &str = "RefreshToken";
pub(crate) const APP_METADATA: &str = "AppMetadata";

/// Entries of one section, keyed by MSAL cache key, in insertion order.
pub type Section<T> = IndexMap<String, T>;

/// The MSAL token cache (the content of python-o365's `o365_token.txt`).
///
/// Keys and entry field order are kept, unknown sections and fields round-trip, and
/// [`to_json`](TokenCache::to_json) writes what python-o365 would write for the same cache.
/// Unlike MSAL, looking things up never deletes expired access tokens.
#[derive(Clone, Default)]
pub struct TokenCache {
    pub(crate) access_tokens: Section<AccessTokenEntry>,
    pub(crate) accounts: Section<AccountEntry>,
    pub(crate) id_tokens: Section<IdTokenEntry>,
    pub(crate) refresh_tokens: Section<RefreshTokenEntry>,
    pub(crate) app_metadata: Section<AppMetadataEntry>,
    /// Top-level keys this crate does not model, with their values.
    other_sections: Map<String, Value>,
    /// Top-level keys in file order (known and unknown); new sections are appended.
    layout: Vec<String>,
}

/// Which account [`TokenCache::get_account`] looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountSelector<'a> {
    /// The first account.
    First,
    /// The first account with this `username`.
    Username(&'a str),
    /// The account with this `home_account_id`.
    HomeAccountId(&'a str),
}

impl TokenCache {
    /// Parses serialized cache text. Empty or whitespace-only text is an empty cache.
    ///
    /// Errors (kind `TokenStore`) for text that is not JSON (with line and column, never the
    /// content), for a pre-2.1 python-o365 token, and for entries without the MSAL shape.
    pub fn from_json(text: &str) -> Result<TokenCache> {
        TokenCache::parse(text).map_err(Error::token_store)
    }

    /// Like [`from_json`](TokenCache::from_json) with the error as a bare message, so a store can
    /// say where the text came from.
    pub(crate) fn parse(text: &str) -> std::result::Result<TokenCache, String> {
        if text.trim().is_empty() {
            return Ok(TokenCache::default());
        }
        let top: Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "the token cache is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            )
        })?;
        let Value::Object(top) = top else {
            return Err("the token cache is not a JSON object".into());
        };
        if top.contains_key("access_token") {
            return Err(
                "this is a token saved by python-o365 before 2.1 (oauthlib format), which \
                        cannot be used anymore: delete it and sign in again"
                    .into(),
            );
        }
        let mut cache = TokenCache::default();
        for (name, value) in top {
            match name.as_str() {
                ACCESS_TOKEN => cache.access_tokens = section(&name, value)?,
                ACCOUNT => cache.accounts = section(&name, value)?,
                ID_TOKEN => cache.id_tokens = section(&name, value)?,
                REFRESH_TOKEN => cache.refresh_tokens = section(&name, value)?,
                APP_METADATA => cache.app_metadata = section(&name, value)?,
                _ => {
                    cache.other_sections.insert(name.clone(), value);
                }
            }
            cache.layout.push(name);
        }
        Ok(cache)
    }

    /// The cache as text, laid out exactly like python-o365's `json.dumps(cache, indent=4)`.
    pub fn to_json(&self) -> String {
        to_python_json(self)
    }

    /// Whether the cache holds anything at all (python's `bool(_cache)`: a cache whose sections
    /// were emptied still counts, so that saving it overwrites the stored tokens).
    pub fn has_data(&self) -> bool {
        !self.layout.is_empty()
    }

    /// All access tokens, by cache key.
    pub fn access_tokens(&self) -> &Section<AccessTokenEntry> {
        &self.access_tokens
    }

    /// All refresh tokens, by cache key.
    pub fn refresh_tokens(&self) -> &Section<RefreshTokenEntry> {
        &self.refresh_tokens
    }

    /// All id tokens, by cache key.
    pub fn id_tokens(&self) -> &Section<IdTokenEntry> {
        &self.id_tokens
    }

    /// All accounts, by cache key.
    pub fn accounts(&self) -> &Section<AccountEntry> {
        &self.accounts
    }

    /// All application metadata, by cache key.
    pub fn app_metadata(&self) -> &Section<AppMetadataEntry> {
        &self.app_metadata
    }

    /// All accounts, in cache order.
    pub fn all_accounts(&self) -> Vec<&AccountEntry> {
        self.accounts.values().collect()
    }

    /// python-o365's name for [`TokenCache::all_accounts`].
    pub fn get_all_accounts(&self) -> Vec<&AccountEntry> {
        self.all_accounts()
    }

    /// The first account matching `selector`.
    pub fn account(&self, selector: AccountSelector<'_>) -> Option<&AccountEntry> {
        self.accounts.values().find(|account| match selector {
            AccountSelector::First => true,
            AccountSelector::Username(name) => account.username == name,
            AccountSelector::HomeAccountId(id) => account.home_account_id.as_deref() == Some(id),
        })
    }

    /// python-o365's name for [`TokenCache::account`].
    pub fn get_account(&self, selector: AccountSelector<'_>) -> Option<&AccountEntry> {
        self.account(selector)
    }

    /// The access token of the user's account (`username` `None`: of the first entry's
    /// account). When the account holds several (e.g. for different scopes), the one that
    /// expires last; python-o365 returns the first, which may be a stale one.
    pub fn access_token(&self, username: Option<&str>) -> Option<&AccessTokenEntry> {
        let first = self.first_of_user(&self.access_tokens, username, |e| &e.home_account_id)?;
        let home = first.home_account_id.as_deref();
        self.access_tokens
            .values()
            .filter(|e| !std::ptr::eq(*e, first) && e.home_account_id.as_deref() == home)
            .fold(first, |best, e| {
                if e.expires_on_time() > best.expires_on_time() {
                    e
                } else {
                    best
                }
            })
            .into()
    }

    /// Merges `other` (a cache that was never saved) into this one (freshly loaded), account by
    /// account: where `other` holds the newer access token of an account (by `cached_at`), or
    /// the account is unknown here, that account's access, refresh and id tokens and its account
    /// entry come from `other`; otherwise this cache's entries stay (another process renewed
    /// later and holds the newest refresh token). App metadata is unioned.
    pub fn merge_newer(&mut self, other: &TokenCache) {
        for home in other.homes() {
            if self.knows(home) && other.newest(home) <= self.newest(home) {
                continue;
            }
            self.take_account(other, home);
        }
        for (key, entry) in &other.app_metadata {
            self.app_metadata
                .entry(key.clone())
                .or_insert_with(|| entry.clone());
        }
        for section in [ACCESS_TOKEN, ACCOUNT, ID_TOKEN, REFRESH_TOKEN, APP_METADATA] {
            if !self.layout.iter().any(|s| s == section)
                && other.layout.iter().any(|s| s == section)
            {
                self.layout.push(section.to_string());
            }
        }
    }

    /// The home account ids this cache holds entries of (access, refresh, account), in order.
    fn homes(&self) -> Vec<Option<&str>> {
        let mut homes: Vec<Option<&str>> = Vec::new();
        let all = self
            .access_tokens
            .values()
            .map(|e| e.home_account_id.as_deref())
            .chain(
                self.refresh_tokens
                    .values()
                    .map(|e| e.home_account_id.as_deref()),
            )
            .chain(self.accounts.values().map(|e| e.home_account_id.as_deref()));
        for home in all {
            if !homes.contains(&home) {
                homes.push(home);
            }
        }
        homes
    }

    /// Whether this cache holds an access or refresh token of the account `home`.
    fn knows(&self, home: Option<&str>) -> bool {
        let of_home = |id: &Option<String>| id.as_deref() == home;
        self.access_tokens
            .values()
            .any(|e| of_home(&e.home_account_id))
            || self
                .refresh_tokens
                .values()
                .any(|e| of_home(&e.home_account_id))
    }

    /// When the newest access token of the account `home` was cached.
    fn newest(&self, home: Option<&str>) -> Option<SystemTime> {
        self.access_tokens
            .values()
            .filter(|e| e.home_account_id.as_deref() == home)
            .filter_map(AccessTokenEntry::cached_at_time)
            .max()
    }

    /// Replaces every entry of the account `home` with `other`'s.
    fn take_account(&mut self, other: &TokenCache, home: Option<&str>) {
        replace_account(&mut self.access_tokens, &other.access_tokens, home, |e| {
            &e.home_account_id
        });
        replace_account(&mut self.refresh_tokens, &other.refresh_tokens, home, |e| {
            &e.home_account_id
        });
        replace_account(&mut self.id_tokens, &other.id_tokens, home, |e| {
            &e.home_account_id
        });
        replace_account(&mut self.accounts, &other.accounts, home, |e| {
            &e.home_account_id
        });
    }

    /// python-o365's name for [`TokenCache::access_token`].
    pub fn get_access_token(&self, username: Option<&str>) -> Option<&AccessTokenEntry> {
        self.access_token(username)
    }

    /// The first refresh token, or the first one of that user's account.
    pub fn refresh_token(&self, username: Option<&str>) -> Option<&RefreshTokenEntry> {
        self.first_of_user(&self.refresh_tokens, username, |e| &e.home_account_id)
    }

    /// python-o365's name for [`TokenCache::refresh_token`].
    pub fn get_refresh_token(&self, username: Option<&str>) -> Option<&RefreshTokenEntry> {
        self.refresh_token(username)
    }

    /// The first id token, or the first one of that user's account.
    pub fn id_token(&self, username: Option<&str>) -> Option<&IdTokenEntry> {
        self.first_of_user(&self.id_tokens, username, |e| &e.home_account_id)
    }

    /// python-o365's name for [`TokenCache::id_token`].
    pub fn get_id_token(&self, username: Option<&str>) -> Option<&IdTokenEntry> {
        self.id_token(username)
    }

    /// When the user's (or the first) access token expires; `None` without one.
    pub fn token_expiration(&self, username: Option<&str>) -> Option<SystemTime> {
        self.get_access_token(username)?.expires_on_time()
    }

    /// Whether the access token is past its expiry at `now`; `true` when there is none.
    pub fn token_is_expired(&self, username: Option<&str>, now: SystemTime) -> bool {
        self.token_expiration(username)
            .is_none_or(|expires| now > expires)
    }

    /// Whether there is a refresh token, i.e. the sign-in outlives the access token.
    pub fn token_is_long_lived(&self, username: Option<&str>) -> bool {
        self.get_refresh_token(username).is_some()
    }

    /// The scopes of the refresh token (else of the access token), optionally without
    /// [`RESERVED_SCOPES`]; `None` when neither has any.
    pub fn token_scopes(
        &self,
        username: Option<&str>,
        remove_reserved: bool,
    ) -> Option<Vec<String>> {
        let target = match self.get_refresh_token(username) {
            Some(rt) => rt.target.as_deref(),
            None => self.get_access_token(username).map(|at| at.target.as_str()),
        }
        .filter(|target| !target.is_empty())?;
        Some(
            target
                .split(' ')
                .filter(|scope| !(remove_reserved && RESERVED_SCOPES.contains(scope)))
                .map(str::to_owned)
                .collect(),
        )
    }

    /// python-o365's name for [`TokenCache::token_scopes`].
    pub fn get_token_scopes(
        &self,
        username: Option<&str>,
        remove_reserved: bool,
    ) -> Option<Vec<String>> {
        self.token_scopes(username, remove_reserved)
    }

    /// Removes the user's id tokens, access tokens, refresh tokens and accounts; `false` when the
    /// user is unknown.
    pub fn remove_data(&mut self, username: &str) -> bool {
        let Some(home) = self.home_account_id(username).map(str::to_owned) else {
            return false;
        };
        let mine = |id: &Option<String>| id.as_deref() == Some(home.as_str());
        self.id_tokens.retain(|_, e| !mine(&e.home_account_id));
        self.access_tokens.retain(|_, e| !mine(&e.home_account_id));
        self.refresh_tokens.retain(|_, e| !mine(&e.home_account_id));
        self.accounts.retain(|_, e| !mine(&e.home_account_id));
        true
    }

    /// The `home_account_id` of the first account with this username.
    fn home_account_id(&self, username: &str) -> Option<&str> {
        self.get_account(AccountSelector::Username(username))?
            .home_account_id
            .as_deref()
            .filter(|id| !id.is_empty())
    }

    fn first_of_user<'a, T>(
        &'a self,
        section: &'a Section<T>,
        username: Option<&str>,
        home_of: impl Fn(&T) -> &Option<String>,
    ) -> Option<&'a T> {
        match username {
            None => section.values().next(),
            Some(name) => {
                let home = self.home_account_id(name)?;
                section
                    .values()
                    .find(|e| home_of(e).as_deref() == Some(home))
            }
        }
    }

    /// Records that the section `name` exists (appended to the layout on first use).
    pub(crate) fn touch_section(&mut self, name: &str) {
        if !self.layout.iter().any(|n| n == name) {
            self.layout.push(name.to_owned());
        }
    }
}

fn section<T: DeserializeOwned>(
    name: &str,
    value: Value,
) -> std::result::Result<Section<T>, String> {
    // serde's message may quote the offending value (a token): report only where it is.
    serde_json::from_value(value)
        .map_err(|_| format!("the token cache's `{name}` section does not have the MSAL shape"))
}

impl Serialize for TokenCache {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.layout.len()))?;
        for name in &self.layout {
            match name.as_str() {
                ACCESS_TOKEN => map.serialize_entry(name, &self.access_tokens)?,
                ACCOUNT => map.serialize_entry(name, &self.accounts)?,
                ID_TOKEN => map.serialize_entry(name, &self.id_tokens)?,
                REFRESH_TOKEN => map.serialize_entry(name, &self.refresh_tokens)?,
                APP_METADATA => map.serialize_entry(name, &self.app_metadata)?,
                _ => map.serialize_entry(name, &self.other_sections[name])?,
            }
        }
        map.end()
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("access_tokens", &self.access_tokens)
            .field("accounts", &self.accounts)
            .field("id_tokens", &self.id_tokens)
            .field("refresh_tokens", &self.refresh_tokens)
            .field("app_metadata", &self.app_metadata)
            .field("other_sections", &self.other_sections.keys())
            .finish()
    }
}

/// Replaces the entries of account `home` in `mine` with those of `theirs`.
fn replace_account<T: Clone>(
    mine: &mut Section<T>,
    theirs: &Section<T>,
    home: Option<&str>,
    home_of: fn(&T) -> &Option<String>,
) {
    mine.retain(|_, e| home_of(e).as_deref() != home);
    for (key, entry) in theirs {
        if home_of(entry).as_deref() == home {
            mine.insert(key.clone(), entry.clone());
        }
    }
}
