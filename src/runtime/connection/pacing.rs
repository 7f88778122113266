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

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::clock::Clock;

/// Hands out start slots at least `delay` apart, and holds requests back during throttle windows.
#[derive(Debug)]
pub(crate) struct Pacer {
    delay: Duration,
    next_free: Mutex<Option<Instant>>,
    /// Origin (`https://graph.microsoft.com`) → end of its throttle window.
    throttled: Mutex<HashMap<String, Instant>>,
}

impl Pacer {
    pub(crate) fn new(delay: Duration) -> Pacer {
        Pacer {
            delay,
            next_free: Mutex::new(None),
            throttled: Mutex::new(HashMap::new()),
        }
    }

    /// Records that the origin of `url` asked for a pause until `until` (a later window wins).
    pub(crate) fn throttle(&self, url: &url::Url, until: Instant) {
        let origin = url.origin().ascii_serialization();
        let mut windows = self.throttled.lock().unwrap_or_else(|p| p.into_inner());
        let end = windows.entry(origin).or_insert(until);
        *end = (*end).max(until);
    }

    /// Waits out the throttle window of `url`'s origin, if one is open (the lock is not held
    /// while waiting). Costs one uncontended lock when no window is open.
    pub(crate) async fn wait_throttle(&self, url: &url::Url, clock: &dyn Clock) {
        let until = {
            let mut windows = self.throttled.lock().unwrap_or_else(|p| p.into_inner());
            if windows.is_empty() {
                return;
            }
            let now = clock.now();
            windows.retain(|_, end| *end > now);
            windows.get(&url.origin().ascii_serialization()).copied()
        };
        if let Some(until) = until {
            tracing::debug!(wait = ?until.saturating_duration_since(clock.now()), "throttled");
            clock.sleep_until(until).await;
        }
    }

    /// Reserves a slot and waits for it.
    pub(crate) async fn wait_turn(&self, clock: &dyn Clock) {
        if self.delay.is_zero() {
            return;
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
