//! Shared state for an application that runs on several hosts (feature `redis`): the token
//! cache, the refresh lock, the `requests_delay` spacing and the throttle windows, all in one
//! Redis.
//!
//! ```no_run
//! # async fn run() -> o365::Result<()> {
//! use o365::redis::Redis;
//! use o365::{Connection, Credentials};
//!
//! let redis = Redis::open("redis://10.0.0.5:6379/0")?;
//! let conn = Connection::builder(Credentials::client_secret("client-id", "secret"))
//!     .tenant_id("contoso.onmicrosoft.com")
//!     .auth_flow(o365::AuthFlowType::Credentials)
//!     .token_backend(redis.token_backend("client-id", "app"))
//!     .shared_pacing(redis.pacing("client-id"))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! # Keys
//!
//! Every key starts with the prefix (default `o365`, see [`Redis::with_prefix`]):
//!
//! | key | holds | expiry |
//! | --- | --- | --- |
//! | `<prefix>:token:<app>:<account>` | the MSAL-format cache JSON (python-o365's token file; encrypted when the Connection has a cipher) | none (or [`RedisTokenBackend::with_key_ttl`], renewed by every save) |
//! | `<prefix>:lock:<app>:<account>` | the refresh lock: its holder's fencing number | [`RedisTokenBackend::with_lock_ttl`] (default 30 s) |
//! | `<prefix>:fence:<app>:<account>` | the last fencing number handed out (a counter) | none |
//! | `<prefix>:pace:<app>` | the start of the next free request slot, in µs of the Redis clock | one `requests_delay` plus 1 s after the last slot |
//! | `<prefix>:throttle:<app>:<origin>` | an open throttle window of that origin (`https://graph.microsoft.com`) | the window's length |
//!
//! # Guarantees
//!
//! * **Saves never lose a rotation.** A save reads the stored cache, merges this host's cache
//!   into it account by account (the side with the newer access token wins, with its refresh
//!   token) and writes only if the stored text is still what it read (a Lua compare-and-set);
//!   otherwise it reads and merges again.
//! * **One refresh for all hosts.** Before refreshing an expired token a Connection takes the
//!   refresh lock (set only if free, with an expiry; its value is the next number of a fence
//!   counter), reloads the cache (another host may just have refreshed: then it stops) and
//!   refreshes and saves under the lock. Only the owner releases it (a compare-and-delete
//!   script); if the owner dies, the lock expires after its TTL. A save made under the lock
//!   carries its fencing number and is refused if another host has taken the lock since (a
//!   holder that stalled past the TTL cannot overwrite the newer holder's token; its token stays
//!   in memory, unsaved). A host that waits longer than [`RedisTokenBackend::with_lock_wait`]
//!   gets an error.
//! * **Pacing across hosts.** Each request start reserves a slot in one Lua script that reads the
//!   Redis clock (`TIME`) and returns how long to wait; no lock is held while waiting, and host
//!   clocks need not agree. A 429/503 `Retry-After` one host receives is stored with that expiry;
//!   every host checks it before it starts a request to that origin.
//!
//! # When Redis is unreachable
//!
//! Every Redis call is bounded by [`Redis::with_timeout`] (default 2 s), so nothing hangs.
//!
//! * Token operations (load, save, lock) fail with an error of kind
//!   [`ErrorKind::TokenStore`](crate::ErrorKind::TokenStore) naming the Redis host (never the
//!   password); the Redis error is its source. A request that needs a refresh fails with it; a
//!   valid access token already in memory keeps working. A token that could not be saved stays in
//!   memory, marked unsaved, and the next save writes it: it is never lost.
//! * Pacing and throttle windows fall back to the Connection's local state (logged at `warn`) for
//!   [`SHARED_RETRY_AFTER`](crate::SHARED_RETRY_AFTER), then Redis is tried again: requests go on,
//!   spaced per host only.

mod pacing;
mod token;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

pub use pacing::RedisPacing;
pub use token::RedisTokenBackend;

use crate::{Error, Result};

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "o365";

/// The default bound of every Redis call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// A Redis server (or a URL of one) shared by the hosts of an application; makes the token
/// backends and the pacing stores. Cheap to clone: clones share one multiplexed connection,
/// which is opened on first use and reopened after a failure.
#[derive(Clone)]
pub struct Redis {
    client: redis::Client,
    manager: Arc<OnceCell<ConnectionManager>>,
    prefix: String,
    timeout: Duration,
    location: Arc<str>,
}

impl Redis {
    /// A Redis at `url` (`redis://[:password@]host[:port][/db]`, `rediss://` for TLS is not
    /// compiled in). Does not connect yet; a malformed URL is a configuration error.
    pub fn open(url: &str) -> Result<Redis> {
        let location = redacted(url);
        let client = redis::Client::open(url).map_err(|e| {
            Error::config(format!("invalid Redis URL {location}: {}", e.category()))
        })?;
        Ok(Redis {
            client,
            manager: Arc::new(OnceCell::new()),
            prefix: DEFAULT_PREFIX.into(),
            timeout: DEFAULT_TIMEOUT,
            location: location.into(),
        })
    }

    /// Starts every key with `prefix` instead of `o365` (one prefix per environment sharing a
    /// Redis).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Redis {
        self.prefix = prefix.into();
        self
    }

    /// Bounds every Redis call, connecting included (default 2 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Redis {
        self.timeout = timeout;
        // A manager made with the old timeout must not be reused.
        self.manager = Arc::new(OnceCell::new());
        self
    }

    /// The token cache of `account` (any name: a user name, `app` for app-only tokens) of the
    /// application `app` (usually its client id).
    pub fn token_backend(&self, app: &str, account: &str) -> RedisTokenBackend {
        RedisTokenBackend::new(self.clone(), app, account)
    }

    /// The request spacing and throttle windows of the application `app`, for
    /// [`ConnectionBuilder::shared_pacing`](crate::ConnectionBuilder::shared_pacing).
    pub fn pacing(&self, app: &str) -> RedisPacing {
        RedisPacing::new(self.clone(), app)
    }

    /// `<prefix>:<kind>:<parts…>`.
    fn key(&self, kind: &str, parts: &[&str]) -> String {
        let mut key = format!("{}:{kind}", self.prefix);
        for part in parts {
            key.push(':');
            key.push_str(part);
        }
        key
    }

    /// Runs `call` on the shared connection within the timeout; `what` names the operation in
    /// errors.
    async fn call<T, F, Fut>(&self, what: &str, call: F) -> Result<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let run = async {
            let manager = self
                .manager
                .get_or_try_init(|| async {
                    let config = ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(self.timeout))
                        .set_response_timeout(Some(self.timeout))
                        .set_number_of_retries(1);
                    ConnectionManager::new_lazy_with_config(self.client.clone(), config)
                })
                .await?
                .clone();
            call(manager).await
        };
        match tokio::time::timeout(self.timeout, run).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(Error::token_store(format!(
                "Redis at {} failed ({what}): {}",
                self.location,
                describe(&err)
            ))
            .with_source(err)),
            Err(_) => Err(Error::token_store(format!(
                "Redis at {} did not answer within {:?} ({what})",
                self.location, self.timeout
            ))),
        }
    }
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("location", &self.location)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The kind of a Redis error, plus the server's own message for server errors (they never hold
/// values, only the command's complaint).
fn describe(err: &redis::RedisError) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connection_refusal() {
        "connection refused".into()
    } else if err.is_io_error() || err.is_connection_dropped() {
        "connection lost".into()
    } else {
        err.category().into()
    }
}

/// The URL without its user name and password, for messages.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => {
            let host = parsed.host_str().unwrap_or("");
            match parsed.port() {
                Some(port) => format!("{}://{host}:{port}{}", parsed.scheme(), parsed.path()),
                None => format!("{}://{host}{}", parsed.scheme(), parsed.path()),
            }
        }
        Err(_) => "(unparsable URL)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_never_shows_the_password() {
        assert_eq!(
            redacted("redis://user:hunter2@10.0.0.5:6380/2"),
            "redis://10.0.0.5:6380/2"
        );
        assert_eq!(redacted("redis://:pw@cache"), "redis://cache");
        let redis = Redis::open("redis://:hunter2@127.0.0.1:1/0").unwrap();
        assert!(!format!("{redis:?}").contains("hunter2"));
    }

    #[test]
    fn keys_carry_the_prefix_app_and_account() {
        let redis = Redis::open("redis://127.0.0.1:1")
            .unwrap()
            .with_prefix("prod");
        assert_eq!(
            redis.key("token", &["client-1", "adele"]),
            "prod:token:client-1:adele"
        );
    }

    #[test]
    fn a_malformed_url_is_a_configuration_error() {
        let err = Redis::open("http://:secret@host").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Config);
        assert!(!err.to_string().contains("secret"));
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_a_token_store_error_within_the_timeout() {
        // Port 1 on loopback: nothing listens there.
        let redis = Redis::open("redis://127.0.0.1:1")
            .unwrap()
            .with_timeout(Duration::from_millis(500));
        let started = std::time::Instant::now();
        let err = redis
            .call("GET", |mut con| async move {
                redis::cmd("GET")
                    .arg("k")
                    .query_async::<Option<String>>(&mut con)
                    .await
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::TokenStore);
        assert!(err.to_string().contains("redis://127.0.0.1:1"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
