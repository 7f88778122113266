//! Time as a parameter. Pacing, retry back-off and token expiry read the time and sleep through a
//! [`Clock`], so tests run against a [`ManualClock`] and finish instantly, without pausing tokio's
//! clock (which would also fire the transport's own timeouts while a loopback reply is in flight).

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::BoxFuture;

/// A source of time and a way to wait.
pub trait Clock: Debug + Send + Sync + 'static {
    /// Monotonic now, for spacing and back-off.
    fn now(&self) -> Instant;
    /// Wall-clock now, for token expiry.
    fn system_now(&self) -> SystemTime;
    /// Completes at `deadline` (immediately if it has passed).
    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()>;
}

/// The real clock: `std` time and `tokio::time::sleep_until`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn system_now(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep_until(deadline.into()))
    }
}

/// A clock that only moves when something sleeps on it: a sleep jumps the time forward to its
/// deadline (never backwards) and records how long it asked to wait. Cheap to clone; clones
/// share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

#[derive(Debug)]
struct ManualState {
    start: Instant,
    start_system: SystemTime,
    offset: Duration,
    sleeps: Vec<Duration>,
    deadlines: Vec<Duration>,
}

impl ManualClock {
    /// A clock at the current wall-clock time.
    pub fn new() -> ManualClock {
        ManualClock::at(SystemTime::now())
    }

    /// A clock whose wall-clock time starts at `system`.
    pub fn at(system: SystemTime) -> ManualClock {
        ManualClock {
            state: Arc::new(Mutex::new(ManualState {
                start: Instant::now(),
                start_system: system,
                offset: Duration::ZERO,
                sleeps: Vec::new(),
                deadlines: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.lock().offset += by;
    }

    /// Time elapsed since the clock was created.
    pub fn elapsed(&self) -> Duration {
        self.lock().offset
    }

    /// Every non-zero wait requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    /// The deadline of every sleep so far, as time since the clock's start, in call order
    /// (including deadlines that had already passed when the sleep began).
    pub fn deadlines(&self) -> Vec<Duration> {
        self.lock().deadlines.clone()
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        let s = self.lock();
        s.start + s.offset
    }
    fn system_now(&self) -> SystemTime {
        let s = self.lock();
        s.start_system + s.offset
    }
    fn sleep_until(&self, deadline: Instant) -> BoxFuture<'static, ()> {
        {
            let mut s = self.lock();
            let target = deadline.saturating_duration_since(s.start);
            s.deadlines.push(target);
            if target > s.offset {
                let wait = target - s.offset;
                s.sleeps.push(wait);
                s.offset = target;
            }
        }
        Box::pin(tokio::task::yield_now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_clock_jumps_to_deadlines_and_never_back() {
        let clock = ManualClock::new();
        let t0 = clock.now();
        clock.sleep_until(t0 + Duration::from_millis(300)).await;
        clock.sleep_until(t0 + Duration::from_millis(100)).await;
        assert_eq!(clock.elapsed(), Duration::from_millis(300));
        assert_eq!(clock.sleeps(), vec![Duration::from_millis(300)]);
    }
}
