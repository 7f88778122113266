//! `requests_delay`: a minimum start-to-start spacing between requests, shared by every clone
//! and every concurrent task of a [`Connection`](super::Connection).
//!
//! Each request reserves the next free slot under a short lock (never held across an await),
//! then sleeps until its slot. The first request never waits, and waiting tasks go in the order
//! they reserved.
//!
//! The pacer also keeps the throttle windows the service announced: after a 429 or 503 with
//! `Retry-After` (no longer than the retry policy's per-wait cap), no request of the Connection
//! (any clone, any task) to that origin (scheme, host and port) starts before the window ends,
//! so siblings wait instead of collecting 429s of their own. Other origins (upload URLs, another
//! service) are not held back.
//!
//! With a [`SharedPacing`] (for example Redis, feature `redis`) the slots and the throttle
//! windows are shared by every process of the application: the slot is reserved in the shared
//! store, a window one process sees is published there, and every process checks it before it
//! starts a request. When the shared store fails, the pacer logs a warning and falls back to its
//! own local slots and windows for [`SHARED_RETRY_AFTER`], then tries the store again: pacing
//! degrades, requests never fail or hang because of it.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use crate::Result;
use crate::clock::Clock;

/// After a failure of the shared pacing store, how long the pacer uses its local state only.
pub const SHARED_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Pacing slots and throttle windows shared with the other processes (hosts) of an application.
///
/// Durations are measured by the shared store's own clock and handed back as "wait this long
/// from now", so the hosts' clocks need not agree. Implementations bound every call with a
/// timeout: an error (never a hang) makes the Connection use its local pacing for a while.
pub trait SharedPacing: Debug + Send + Sync {
    /// Reserves the next start slot, at least `delay` after the slot reserved before it by any
    /// process, and returns how long to wait for it (zero: start now).
    fn reserve_slot(&self, delay: Duration) -> BoxFuture<'_, Result<Duration>>;

    /// How much longer the throttle window of `origin` (`https://graph.microsoft.com`) is open;
    /// zero when there is none.
    fn throttle_remaining(&self, origin: &str) -> BoxFuture<'_, Result<Duration>>;

    /// Opens the throttle window of `origin` for `pause` from now for every process (a longer
    /// window already open is kept).
    fn record_throttle(&self, origin: &str, pause: Duration) -> BoxFuture<'_, Result<()>>;
}

/// Hands out start slots at least `delay` apart, and holds requests back during throttle windows.
#[derive(Debug)]
pub(crate) struct Pacer {
    delay: Duration,
    next_free: Mutex<Option<Instant>>,
    /// Origin (`https://graph.microsoft.com`) → end of its throttle window.
    throttled: Mutex<HashMap<String, Instant>>,
    shared: Option<Shared>,
}

/// The shared store, the clock that converts between windows and durations, and until when the
/// store is skipped after a failure.
#[derive(Debug)]
struct Shared {
    store: Arc<dyn SharedPacing>,
    clock: Arc<dyn Clock>,
    skip_until: Mutex<Option<Instant>>,
}

impl Shared {
    /// Whether the store may be asked now (not within [`SHARED_RETRY_AFTER`] of a failure).
    fn usable(&self) -> bool {
        let skip = self.skip_until.lock().unwrap_or_else(|p| p.into_inner());
        skip.is_none_or(|until| self.clock.now() >= until)
    }

    /// Unwraps an answer of the store; a failure is logged and switches to local state.
    fn answer<T>(&self, what: &str, result: Result<T>) -> Option<T> {
        match result {
            Ok(value) => {
                *self.skip_until.lock().unwrap_or_else(|p| p.into_inner()) = None;
                Some(value)
            }
            Err(error) => {
                tracing::warn!(
                    %error,
                    "shared pacing store failed ({what}); pacing locally for {:?}",
                    SHARED_RETRY_AFTER
                );
                *self.skip_until.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(self.clock.now() + SHARED_RETRY_AFTER);
                None
            }
        }
    }
}

impl Pacer {
    pub(crate) fn new(delay: Duration) -> Pacer {
        Pacer {
            delay,
            next_free: Mutex::new(None),
            throttled: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// Shares slots and throttle windows through `store`; `clock` is the Connection's clock.
    pub(crate) fn with_shared(
        mut self,
        store: Arc<dyn SharedPacing>,
        clock: Arc<dyn Clock>,
    ) -> Pacer {
        self.shared = Some(Shared {
            store,
            clock,
            skip_until: Mutex::new(None),
        });
        self
    }

    /// Records that the origin of `url` asked for a pause until `until` (a later window wins),
    /// and publishes the window to the shared store, if any (in the background: the caller is
    /// about to wait anyway).
    pub(crate) fn throttle(&self, url: &url::Url, until: Instant) {
        let origin = url.origin().ascii_serialization();
        {
            let mut windows = self.throttled.lock().unwrap_or_else(|p| p.into_inner());
            let end = windows.entry(origin.clone()).or_insert(until);
            *end = (*end).max(until);
        }
        let Some(shared) = &self.shared else { return };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let pause = until.saturating_duration_since(shared.clock.now());
        let store = shared.store.clone();
        runtime.spawn(async move {
            if let Err(error) = store.record_throttle(&origin, pause).await {
                tracing::warn!(%error, "could not share a throttle window");
            }
        });
    }

    /// Waits out the throttle window of `url`'s origin, if one is open (the lock is not held
    /// while waiting). Costs one uncontended lock when no window is open — plus one call to the
    /// shared store, if any.
    /// Returns how long it waited.
    pub(crate) async fn wait_throttle(&self, url: &url::Url, clock: &dyn Clock) -> Duration {
        let mut waited = Duration::ZERO;
        let local = {
            let mut windows = self.throttled.lock().unwrap_or_else(|p| p.into_inner());
            if windows.is_empty() {
                None
            } else {
                let now = clock.now();
                windows.retain(|_, end| *end > now);
                windows.get(&url.origin().ascii_serialization()).copied()
            }
        };
        if let Some(until) = local {
            let wait = until.saturating_duration_since(clock.now());
            tracing::debug!(?wait, "throttled");
            clock.sleep_until(until).await;
            waited += wait;
        }
        let Some(shared) = self.shared.as_ref().filter(|s| s.usable()) else {
            return waited;
        };
        let origin = url.origin().ascii_serialization();
        let remaining = shared.store.throttle_remaining(&origin).await;
        if let Some(wait) = shared.answer("throttle window", remaining)
            && !wait.is_zero()
        {
            tracing::debug!(?wait, "throttled by another process");
            clock.sleep_until(clock.now() + wait).await;
            waited += wait;
        }
        waited
    }

    /// Whether a request may start now without asking anything: no spacing, no shared store
    /// and no throttle window open (one uncontended lock). Most requests take only this path.
    pub(crate) fn is_idle(&self) -> bool {
        self.delay.is_zero()
            && self.shared.is_none()
            && self
                .throttled
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_empty()
    }

    /// Waits out the throttle window of `url`'s origin, then for a slot; returns how long the
    /// throttle window held the request back.
    pub(crate) async fn pace(&self, url: &url::Url, clock: &dyn Clock) -> Duration {
        let throttled = self.wait_throttle(url, clock).await;
        self.wait_turn(clock).await;
        throttled
    }

    /// Reserves a slot and waits for it.
    pub(crate) async fn wait_turn(&self, clock: &dyn Clock) {
        if self.delay.is_zero() {
            return;
        }
        if let Some(shared) = self.shared.as_ref().filter(|s| s.usable()) {
            let reserved = shared.store.reserve_slot(self.delay).await;
            if let Some(wait) = shared.answer("pacing slot", reserved) {
                if !wait.is_zero() {
                    clock.sleep_until(clock.now() + wait).await;
                }
                return;
            }
        }
        let now = clock.now();
        let slot = {
            let mut next = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
            let slot = next.map_or(now, |free| free.max(now));
            *next = Some(slot + self.delay);
            slot
        };
        if slot > now {
            clock.sleep_until(slot).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[tokio::test]
    async fn first_request_never_waits_then_slots_are_spaced() {
        let clock = ManualClock::new();
        let pacer = Pacer::new(Duration::from_millis(200));
        pacer.wait_turn(&clock).await;
        assert_eq!(clock.elapsed(), Duration::ZERO);
        pacer.wait_turn(&clock).await;
        pacer.wait_turn(&clock).await;
        assert_eq!(clock.elapsed(), Duration::from_millis(400));
        clock.advance(Duration::from_secs(5));
        pacer.wait_turn(&clock).await;
        assert_eq!(
            clock.elapsed(),
            Duration::from_millis(5400),
            "an idle gap resets the spacing"
        );
    }

    #[tokio::test]
    async fn a_throttle_window_holds_back_its_origin_only() {
        let clock = ManualClock::new();
        let pacer = Pacer::new(Duration::ZERO);
        let graph = url::Url::parse("https://graph.microsoft.com/v1.0/me").unwrap();
        let other = url::Url::parse("https://graph.microsoft.com:8443/v1.0/me").unwrap();
        let sharepoint = url::Url::parse("https://contoso.sharepoint.com/upload").unwrap();
        pacer.throttle(&graph, clock.now() + Duration::from_secs(3));
        pacer.throttle(&graph, clock.now() + Duration::from_secs(2));
        pacer.wait_throttle(&sharepoint, &clock).await;
        pacer.wait_throttle(&other, &clock).await;
        assert_eq!(clock.elapsed(), Duration::ZERO, "other origins go on");
        pacer.wait_throttle(&graph, &clock).await;
        assert_eq!(
            clock.elapsed(),
            Duration::from_secs(3),
            "the later window wins"
        );
        pacer.wait_throttle(&graph, &clock).await;
        assert_eq!(
            clock.elapsed(),
            Duration::from_secs(3),
            "a closed window is forgotten"
        );
    }

    /// A shared store in memory: slots by its own "time" (the test's clock), windows by
    /// origin, and a switch to make it fail.
    #[derive(Debug)]
    struct FakeShared {
        clock: ManualClock,
        next_free: Mutex<Option<Instant>>,
        windows: Mutex<HashMap<String, Instant>>,
        failing: std::sync::atomic::AtomicBool,
        calls: std::sync::atomic::AtomicUsize,
    }

    impl FakeShared {
        fn new(clock: &ManualClock) -> Arc<FakeShared> {
            Arc::new(FakeShared {
                clock: clock.clone(),
                next_free: Mutex::new(None),
                windows: Mutex::new(HashMap::new()),
                failing: Default::default(),
                calls: Default::default(),
            })
        }
        fn check(&self) -> Result<()> {
            self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            match self.failing.load(std::sync::atomic::Ordering::SeqCst) {
                true => Err(crate::Error::token_store("the shared store is down")),
                false => Ok(()),
            }
        }
    }

    impl SharedPacing for Arc<FakeShared> {
        fn reserve_slot(&self, delay: Duration) -> BoxFuture<'_, Result<Duration>> {
            Box::pin(async move {
                self.check()?;
                let now = self.clock.now();
                let mut next = self.next_free.lock().unwrap();
                let slot = next.map_or(now, |free| free.max(now));
                *next = Some(slot + delay);
                Ok(slot - now)
            })
        }
        fn throttle_remaining(&self, origin: &str) -> BoxFuture<'_, Result<Duration>> {
            let origin = origin.to_owned();
            Box::pin(async move {
                self.check()?;
                let end = self.windows.lock().unwrap().get(&origin).copied();
                Ok(end.map_or(Duration::ZERO, |end| {
                    end.saturating_duration_since(self.clock.now())
                }))
            })
        }
        fn record_throttle(&self, origin: &str, pause: Duration) -> BoxFuture<'_, Result<()>> {
            let origin = origin.to_owned();
            Box::pin(async move {
                self.check()?;
                let until = self.clock.now() + pause;
                let mut windows = self.windows.lock().unwrap();
                let end = windows.entry(origin).or_insert(until);
                *end = (*end).max(until);
                Ok(())
            })
        }
    }

    #[tokio::test]
    async fn two_pacers_sharing_a_store_space_their_requests_together() {
        let clock = ManualClock::new();
        let store = FakeShared::new(&clock);
        let shared = |store: &Arc<FakeShared>| {
            Pacer::new(Duration::from_millis(200)).with_shared(
                Arc::new(store.clone()),
                Arc::new(clock.clone()) as Arc<dyn Clock>,
            )
        };
        let (a, b) = (shared(&store), shared(&store));
        a.wait_turn(&clock).await;
        b.wait_turn(&clock).await;
        a.wait_turn(&clock).await;
        assert_eq!(
            clock.sleeps(),
            [Duration::from_millis(200), Duration::from_millis(200)],
            "each pacer waits for the slot the other reserved"
        );
    }

    #[tokio::test]
    async fn a_window_one_pacer_records_holds_back_the_other() {
        let clock = ManualClock::new();
        let store = FakeShared::new(&clock);
        let dyn_clock = Arc::new(clock.clone()) as Arc<dyn Clock>;
        let a = Pacer::new(Duration::ZERO).with_shared(Arc::new(store.clone()), dyn_clock.clone());
        let b = Pacer::new(Duration::ZERO).with_shared(Arc::new(store.clone()), dyn_clock);
        let graph = url::Url::parse("https://graph.microsoft.com/v1.0/me").unwrap();
        let sharepoint = url::Url::parse("https://contoso.sharepoint.com/x").unwrap();
        a.throttle(&graph, clock.now() + Duration::from_secs(7));
        // The window is published by a spawned task.
        for _ in 0..100 {
            if !store.windows.lock().unwrap().is_empty() {
                break;
            }
            tokio::task::yield_now().await;
        }
        b.wait_throttle(&sharepoint, &clock).await;
        assert_eq!(clock.elapsed(), Duration::ZERO, "other origins go on");
        b.wait_throttle(&graph, &clock).await;
        assert_eq!(clock.elapsed(), Duration::from_secs(7));
    }

    #[tokio::test]
    async fn a_failing_store_falls_back_to_local_pacing_then_is_tried_again() {
        let clock = ManualClock::new();
        let store = FakeShared::new(&clock);
        store
            .failing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let pacer = Pacer::new(Duration::from_millis(200)).with_shared(
            Arc::new(store.clone()),
            Arc::new(clock.clone()) as Arc<dyn Clock>,
        );
        pacer.wait_turn(&clock).await;
        pacer.wait_turn(&clock).await;
        pacer.wait_turn(&clock).await;
        assert_eq!(clock.elapsed(), Duration::from_millis(400), "local spacing");
        assert_eq!(
            store.calls.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "the store is skipped after a failure"
        );
        store
            .failing
            .store(false, std::sync::atomic::Ordering::SeqCst);
        clock.advance(SHARED_RETRY_AFTER);
        pacer.wait_turn(&clock).await;
        assert_eq!(store.calls.load(std::sync::atomic::Ordering::SeqCst), 2);
        pacer.wait_turn(&clock).await;
        assert_eq!(store.calls.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn zero_delay_never_sleeps() {
        let clock = ManualClock::new();
        let pacer = Pacer::new(Duration::ZERO);
        for _ in 0..5 {
            pacer.wait_turn(&clock).await;
        }
        assert!(clock.sleeps().is_empty());
    }
}
