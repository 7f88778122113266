//! `requests_delay`: a minimum start-to-start spacing between requests, shared by every clone
//! and every concurrent task of a [`Connection`](super::Connection).
//!
//! Each request reserves the next free slot under a short lock (never held across an await),
//! then sleeps until its slot. The first request never waits, and waiting tasks go in the order
//! they reserved.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::clock::Clock;

/// Hands out start slots at least `delay` apart.
#[derive(Debug)]
pub(crate) struct Pacer {
    delay: Duration,
    next_free: Mutex<Option<Instant>>,
}

impl Pacer {
    pub(crate) fn new(delay: Duration) -> Pacer {
        Pacer {
            delay,
            next_free: Mutex::new(None),
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
    async fn zero_delay_never_sleeps() {
        let clock = ManualClock::new();
        let pacer = Pacer::new(Duration::ZERO);
        for _ in 0..5 {
            pacer.wait_turn(&clock).await;
        }
        assert!(clock.sleeps().is_empty());
    }
}
