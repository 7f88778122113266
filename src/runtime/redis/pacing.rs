//! [`RedisPacing`]: `requests_delay` slots and throttle windows shared by every host, reserved
//! and read on the Redis clock.

use std::sync::LazyLock;
use std::time::Duration;

use futures_util::future::BoxFuture;

use super::Redis;
use crate::Result;
use crate::SharedPacing;

/// Reserves the next slot of `KEYS[1]`, `ARGV[1]` µs after the previous one, on the Redis clock;
/// returns how many µs from now the slot starts. The key expires 1 s after the slot it leaves
/// free (an idle application starts fresh).
static RESERVE_SLOT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = now
if free > now then slot = free end
local next_free = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', next_free), 'PX',
  math.floor((next_free - now) / 1000) + 1000)
return slot - now
",
    )
});

/// Opens the window `KEYS[1]` for `ARGV[1]` ms unless a longer one is open.
static RECORD_THROTTLE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
  return 1
end
return 0
",
    )
});

/// The request spacing and the throttle windows of one application, shared by every host
/// through Redis (`<prefix>:pace:<app>`, `<prefix>:throttle:<app>:<origin>`). Give it to
/// [`ConnectionBuilder::shared_pacing`](crate::ConnectionBuilder::shared_pacing); the builder's
/// `requests_delay` is the spacing (use the same value on every host).
#[derive(Clone, Debug)]
pub struct RedisPacing {
    redis: Redis,
    app: String,
    slot_key: String,
}

impl RedisPacing {
    /// The pacing state of `app` (see [`Redis::pacing`]).
    pub fn new(redis: Redis, app: &str) -> RedisPacing {
        RedisPacing {
            slot_key: redis.key("pace", &[app]),
            app: app.to_owned(),
            redis,
        }
    }

    /// The key of the next free slot.
    pub fn slot_key(&self) -> &str {
        &self.slot_key
    }

    /// The key of `origin`'s throttle window (`https://graph.microsoft.com`).
    pub fn throttle_key(&self, origin: &str) -> String {
        self.redis.key("throttle", &[&self.app, origin])
    }
}

impl SharedPacing for RedisPacing {
    fn reserve_slot(&self, delay: Duration) -> BoxFuture<'_, Result<Duration>> {
        Box::pin(async move {
            let key = self.slot_key.clone();
            let micros = u64::try_from(delay.as_micros()).unwrap_or(u64::MAX);
            let wait: i64 = self
                .redis
                .call("reserve a pacing slot", |mut con| async move {
                    RESERVE_SLOT
                        .key(&key)
                        .arg(micros)
                        .invoke_async(&mut con)
                        .await
                })
                .await?;
            Ok(Duration::from_micros(wait.max(0).unsigned_abs()))
        })
    }

    fn throttle_remaining(&self, origin: &str) -> BoxFuture<'_, Result<Duration>> {
        let key = self.throttle_key(origin);
        Box::pin(async move {
            let ttl: i64 = self
                .redis
                .call("read a throttle window", |mut con| async move {
                    redis::cmd("PTTL").arg(&key).query_async(&mut con).await
                })
                .await?;
            // -2: no window; -1: a key without expiry, which this crate never writes.
            Ok(Duration::from_millis(ttl.max(0).unsigned_abs()))
        })
    }

    fn record_throttle(&self, origin: &str, pause: Duration) -> BoxFuture<'_, Result<()>> {
        let key = self.throttle_key(origin);
        Box::pin(async move {
            let millis = u64::try_from(pause.as_millis()).unwrap_or(u64::MAX);
            if millis == 0 {
                return Ok(());
            }
            self.redis
                .call("record a throttle window", |mut con| async move {
                    RECORD_THROTTLE
                        .key(&key)
                        .arg(millis)
                        .invoke_async::<i64>(&mut con)
                        .await
                })
                .await
                .map(drop)
        })
    }
}
