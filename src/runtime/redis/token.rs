//! [`RedisTokenBackend`]: the token cache text under one key, conditional saves by a Lua
//! compare-and-set, and the distributed refresh lock.

use std::fmt;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};

use super::Redis;
use crate::token::{RefreshGuard, TokenBackend};
use crate::{Error, Result};

/// Writes `ARGV[3]` to `KEYS[1]` only if it holds `ARGV[2]` (`ARGV[1]` = "1"), or nothing
/// (`ARGV[1]` = "0"); `ARGV[4]` > 0 sets an expiry in ms. Returns 1 when written.
static SAVE_IF_UNCHANGED: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
",
    )
});

/// Deletes the lock `KEYS[1]` only if its value is the owner's `ARGV[1]`.
static RELEASE_LOCK: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
",
    )
});

/// The default lifetime of the refresh lock: a holder that dies blocks the others this long.
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(30);

/// The token cache of one account of one application in Redis, shared by every host.
///
/// Stores exactly the text a [`FileTokenBackend`](crate::token::FileTokenBackend) would write
/// (MSAL-format JSON, or what the Connection's [`TokenCipher`](crate::token::TokenCipher)
/// makes of it) under `<prefix>:token:<app>:<account>`. Saves are conditional, so the
/// [`TokenStore`](crate::token::TokenStore) merges concurrent saves instead of overwriting
/// them; refreshes take the lock `<prefix>:lock:<app>:<account>`. See [the module](super).
#[derive(Clone)]
pub struct RedisTokenBackend {
    redis: Redis,
    key: String,
    lock_key: String,
    key_ttl: Option<Duration>,
    lock_ttl: Duration,
    lock_wait: Duration,
}

impl RedisTokenBackend {
    /// The cache of `account` of the application `app` (see [`Redis::token_backend`]).
    pub fn new(redis: Redis, app: &str, account: &str) -> RedisTokenBackend {
        RedisTokenBackend {
            key: redis.key("token", &[app, account]),
            lock_key: redis.key("lock", &[app, account]),
            redis,
            key_ttl: None,
            lock_ttl: DEFAULT_LOCK_TTL,
            lock_wait: DEFAULT_LOCK_TTL + Duration::from_secs(5),
        }
    }

    /// Lets the token key expire `ttl` after the last save (default: never), e.g. the refresh
    /// token's lifetime (90 days) so abandoned accounts disappear.
    pub fn with_key_ttl(mut self, ttl: Option<Duration>) -> RedisTokenBackend {
        self.key_ttl = ttl.filter(|ttl| !ttl.is_zero());
        self
    }

    /// How long the refresh lock lives if its holder does not release it (default 30 s); keep
    /// it above the longest token request. The wait for the lock becomes `ttl` + 5 s.
    pub fn with_lock_ttl(mut self, ttl: Duration) -> RedisTokenBackend {
        self.lock_ttl = ttl.max(Duration::from_millis(1));
        self.lock_wait = self.lock_ttl + Duration::from_secs(5);
        self
    }

    /// How long a refresh waits for another host's lock before it fails (default: the lock's
    /// TTL + 5 s).
    pub fn with_lock_wait(mut self, wait: Duration) -> RedisTokenBackend {
        self.lock_wait = wait;
        self
    }

    /// The key holding the cache.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The key of the refresh lock.
    pub fn lock_key(&self) -> &str {
        &self.lock_key
    }

    /// One attempt at the lock: `true` when it is now ours.
    async fn try_lock(&self, owner: &str) -> Result<bool> {
        let (key, owner, ttl) = (self.lock_key.clone(), owner.to_owned(), self.lock_ttl);
        let reply: Option<String> = self
            .redis
            .call("SET NX the refresh lock", |mut con| async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(&owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis(ttl))
                    .query_async(&mut con)
                    .await
            })
            .await?;
        Ok(reply.is_some())
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl fmt::Debug for RedisTokenBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenBackend")
            .field("redis", &self.redis)
            .field("key", &self.key)
            .field("lock_ttl", &self.lock_ttl)
            .finish()
    }
}

impl TokenBackend for RedisTokenBackend {
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>>> {
        Box::pin(async move {
            let key = self.key.clone();
            let text: Option<String> = self
                .redis
                .call("GET the token", |mut con| async move {
                    redis::cmd("GET").arg(&key).query_async(&mut con).await
                })
                .await?;
            Ok(text.map(SecretString::from))
        })
    }

    fn save(&self, data: SecretString) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let key = self.key.clone();
            let ttl = self.key_ttl;
            self.redis
                .call("SET the token", |mut con| async move {
                    let mut cmd = redis::cmd("SET");
                    cmd.arg(&key).arg(data.expose_secret());
                    if let Some(ttl) = ttl {
                        cmd.arg("PX").arg(millis(ttl));
                    }
                    cmd.query_async::<()>(&mut con).await
                })
                .await
        })
    }

    fn delete(&self) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let key = self.key.clone();
            let removed: i64 = self
                .redis
                .call("DEL the token", |mut con| async move {
                    redis::cmd("DEL").arg(&key).query_async(&mut con).await
                })
                .await?;
            Ok(removed > 0)
        })
    }

    fn check(&self) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let key = self.key.clone();
            let exists: i64 = self
                .redis
                .call("EXISTS the token", |mut con| async move {
                    redis::cmd("EXISTS").arg(&key).query_async(&mut con).await
                })
                .await?;
            Ok(exists > 0)
        })
    }

    fn location(&self) -> String {
        format!("{} key {}", self.redis.location, self.key)
    }

    fn supports_conditional_save(&self) -> bool {
        true
    }

    fn save_if_unchanged(
        &self,
        expected: Option<SecretString>,
        data: SecretString,
    ) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let key = self.key.clone();
            let ttl = self.key_ttl.map_or(0, millis);
            let written: i64 = self
                .redis
                .call("save the token if unchanged", |mut con| async move {
                    SAVE_IF_UNCHANGED
                        .key(&key)
                        .arg(if expected.is_some() { "1" } else { "0" })
                        .arg(expected.as_ref().map_or("", |e| e.expose_secret()))
                        .arg(data.expose_secret())
                        .arg(ttl)
                        .invoke_async(&mut con)
                        .await
                })
                .await?;
            Ok(written == 1)
        })
    }

    /// Takes `<prefix>:lock:<app>:<account>` with `SET NX PX` and a random owner value, polling
    /// (20 ms, doubling up to 250 ms) while another host holds it, up to the lock wait.
    fn lock_for_refresh(&self) -> BoxFuture<'_, Result<Option<Box<dyn RefreshGuard>>>> {
        Box::pin(async move {
            let owner = uuid::Uuid::new_v4().simple().to_string();
            let started = Instant::now();
            let mut pause = Duration::from_millis(20);
            loop {
                if self.try_lock(&owner).await? {
                    tracing::debug!(key = %self.lock_key, "took the refresh lock");
                    return Ok(Some(Box::new(LockGuard {
                        redis: self.redis.clone(),
                        key: self.lock_key.clone(),
                        owner,
                    }) as Box<dyn RefreshGuard>));
                }
                if started.elapsed() >= self.lock_wait {
                    return Err(Error::token_store(format!(
                        "another process held the refresh lock {} for more than {:?}",
                        self.lock_key, self.lock_wait
                    )));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(250));
            }
        })
    }
}

/// Owns the refresh lock; dropping it deletes the lock if it is still ours (in the background,
/// bounded by the timeout; if that fails the lock expires by itself).
struct LockGuard {
    redis: Redis,
    key: String,
    owner: String,
}

impl RefreshGuard for LockGuard {}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (redis, key, owner) = (
            self.redis.clone(),
            std::mem::take(&mut self.key),
            std::mem::take(&mut self.owner),
        );
        runtime.spawn(async move {
            let released = redis
                .call("release the refresh lock", |mut con| async move {
                    RELEASE_LOCK
                        .key(&key)
                        .arg(&owner)
                        .invoke_async::<i64>(&mut con)
                        .await
                })
                .await;
            if let Err(error) = released {
                tracing::warn!(%error, "could not release the refresh lock; it expires by itself");
            }
        });
    }
}
