//! [`RedisTokenBackend`]: the token cache text under one key, conditional saves by a Lua
//! compare-and-set, and the distributed refresh lock.

use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};

use super::Redis;
use crate::token::{RefreshGuard, TokenBackend};
use crate::{Error, Result};

/// Writes `ARGV[3]` to `KEYS[1]`: only if it holds `ARGV[2]` (`ARGV[1]` = "1"), only if it is
/// absent (`ARGV[1]` = "0"), or in any case (`ARGV[1]` = "2"); `ARGV[4]` > 0 sets an expiry in
/// ms. `ARGV[5]` > 0 is the fencing number of the refresh lock the writer holds: the write is
/// refused (-1) when the fence counter `KEYS[2]` has moved on, i.e. the lock expired and
/// another host has taken it since. Returns 1 when written, 0 when the stored text differs.
static SAVE_TOKEN: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if tonumber(ARGV[5]) > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[5]) then
  return -1
end
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
elseif ARGV[1] == '1' and current ~= ARGV[2] then
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

/// Takes the lock `KEYS[1]` if it is free: its value becomes the next number of the fence
/// counter `KEYS[2]`, with an expiry of `ARGV[1]` ms. Returns that number, or 0 when the lock
/// is held.
static TAKE_LOCK: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], fence, 'PX', ARGV[1])
return fence
",
    )
});

/// Deletes the lock `KEYS[1]` only if its value is the owner's fencing number `ARGV[1]`.
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
    fence_key: String,
    /// The fencing number of the refresh lock this backend holds, if any.
    fence: Arc<Mutex<Option<u64>>>,
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
            fence_key: redis.key("fence", &[app, account]),
            fence: Arc::default(),
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

    /// One attempt at the lock: its fencing number when it is now ours.
    async fn try_lock(&self) -> Result<Option<u64>> {
        let (key, fence_key, ttl) = (
            self.lock_key.clone(),
            self.fence_key.clone(),
            millis(self.lock_ttl),
        );
        let fence: u64 = self
            .redis
            .call("take the refresh lock", |mut con| async move {
                TAKE_LOCK
                    .key(&key)
                    .key(&fence_key)
                    .arg(ttl)
                    .invoke_async(&mut con)
                    .await
            })
            .await?;
        Ok((fence > 0).then_some(fence))
    }

    /// Writes `data` (`mode` as in [`SAVE_TOKEN`]) under the fence of the lock held, if any.
    async fn write(
        &self,
        mode: &str,
        expected: Option<SecretString>,
        data: SecretString,
    ) -> Result<bool> {
        let (key, fence_key) = (self.key.clone(), self.fence_key.clone());
        let ttl = self.key_ttl.map_or(0, millis);
        let fence = self
            .fence
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or(0);
        let mode = mode.to_owned();
        let written: i64 = self
            .redis
            .call("save the token", |mut con| async move {
                SAVE_TOKEN
                    .key(&key)
                    .key(&fence_key)
                    .arg(&mode)
                    .arg(expected.as_ref().map_or("", |e| e.expose_secret()))
                    .arg(data.expose_secret())
                    .arg(ttl)
                    .arg(fence)
                    .invoke_async(&mut con)
                    .await
            })
            .await?;
        if written < 0 {
            return Err(Error::token_store(format!(
                "the refresh lock {} expired before the save and another process has taken it \
                 since (fence {fence}); the token stays in memory, unsaved",
                self.lock_key
            )));
        }
        Ok(written == 1)
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
        Box::pin(async move { self.write("2", None, data).await.map(drop) })
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
        let mode = if expected.is_some() { "1" } else { "0" };
        Box::pin(self.write(mode, expected, data))
    }

    /// Takes `<prefix>:lock:<app>:<account>` (free: `SET … PX` with the next fencing number of
    /// `<prefix>:fence:<app>:<account>`, in one script), polling (20 ms, doubling up to 250 ms)
    /// while another host holds it, up to the lock wait. Saves made while it is held carry the
    /// number and are refused once another host has taken the lock since.
    fn lock_for_refresh(&self) -> BoxFuture<'_, Result<Option<Box<dyn RefreshGuard>>>> {
        Box::pin(async move {
            let started = Instant::now();
            let mut pause = Duration::from_millis(20);
            loop {
                if let Some(fence) = self.try_lock().await? {
                    tracing::debug!(key = %self.lock_key, fence, "took the refresh lock");
                    *self.fence.lock().unwrap_or_else(|e| e.into_inner()) = Some(fence);
                    return Ok(Some(Box::new(LockGuard {
                        redis: self.redis.clone(),
                        key: self.lock_key.clone(),
                        fence,
                        held: self.fence.clone(),
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
    fence: u64,
    held: Arc<Mutex<Option<u64>>>,
}

impl RefreshGuard for LockGuard {}

impl Drop for LockGuard {
    fn drop(&mut self) {
        {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            if *held == Some(self.fence) {
                *held = None;
            }
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (redis, key, fence) = (
            self.redis.clone(),
            std::mem::take(&mut self.key),
            self.fence,
        );
        runtime.spawn(async move {
            let released = redis
                .call("release the refresh lock", |mut con| async move {
                    RELEASE_LOCK
                        .key(&key)
                        .arg(fence)
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
