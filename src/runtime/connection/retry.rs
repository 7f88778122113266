//! When a failed attempt is tried again, and how long to wait first.
//!
//! Rules: 429 and 503 are retried for every method whose body can be replayed (the service did
//! not process a throttled request); 500/502/504, timeouts and connection errors only for
//! idempotent methods. `Retry-After` (delta-seconds or HTTP-date) wins over the exponential
//! back-off; single waits and the total time spent waiting are capped.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

/// Retry settings of a [`Connection`](super::Connection).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_total_wait: Duration,
    jitter: bool,
    wait_on_throttle: bool,
}

impl Default for RetryPolicy {
    /// 3 retries (4 attempts), back-off from 500 ms doubling with jitter, at most 60 s per wait
    /// and 180 s of waiting in total.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_total_wait: Duration::from_secs(180),
            jitter: true,
            wait_on_throttle: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy::default().max_retries(0)
    }

    /// Retries after the first attempt (python-o365's `request_retries`).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// First back-off wait; each later one doubles.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Longest single wait, back-off or `Retry-After`. A longer `Retry-After` ends the retries
    /// and the error carries the requested wait.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Budget for all waits of one request; a retry that would exceed it is not made.
    pub fn max_total_wait(mut self, budget: Duration) -> Self {
        self.max_total_wait = budget;
        self
    }

    /// Randomise back-off waits (on by default) so that clients do not retry in lockstep.
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Whether throttling (429, 503) is waited out in memory (on by default). Off, such a reply
    /// is handed back at once as the typed error with its `Retry-After`
    /// ([`Error::retry_after`](crate::Error::retry_after)), and sibling requests are not held
    /// back: for workers that requeue throttled work themselves (one tenant's throttling must
    /// not stall the others). Other failures are still retried.
    pub fn wait_on_throttle(mut self, on: bool) -> Self {
        self.wait_on_throttle = on;
        self
    }

    /// Whether a single `Retry-After` pause this long is one the policy waits out (not beyond
    /// the per-wait cap). Only such pauses become throttle windows for sibling requests: a
    /// longer one ends the call with the typed error instead of holding everything back.
    pub(crate) fn waits_for(&self, pause: Duration) -> bool {
        self.wait_on_throttle && pause <= self.max_delay
    }

    /// The configured number of retries after the first attempt (set with
    /// [`RetryPolicy::max_retries`]).
    pub fn max_retries_allowed(&self) -> u32 {
        self.max_retries
    }

    /// The former name of [`RetryPolicy::max_retries_allowed`].
    pub fn retries(&self) -> u32 {
        self.max_retries_allowed()
    }

    /// The back-off before retry number `retry` (0-based): `base * 2^retry`, capped, and with
    /// jitter drawn from the upper half (`[d/2, d]`).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(16));
        let full = self.base_delay.saturating_mul(factor).min(self.max_delay);
        if !self.jitter || full.is_zero() {
            return full;
        }
        let half = full / 2;
        half + half.mul_f64(rand::random::<f64>())
    }

    /// Decides whether attempt `retry` (0-based count of retries made so far) may be retried
    /// after `outcome`, given the waits already spent. Returns the wait before the next attempt.
    pub(crate) fn next_wait(
        &self,
        outcome: Outcome,
        method: &Method,
        replayable: bool,
        retry: u32,
        waited: Duration,
    ) -> Option<Duration> {
        if retry >= self.max_retries || !replayable || !outcome.is_retryable(method) {
            return None;
        }
        if !self.wait_on_throttle && outcome.is_throttling() {
            return None;
        }
        let wait = match outcome {
            Outcome::Status {
                retry_after: Some(after),
                ..
            } => {
                if after > self.max_delay {
                    return None;
                }
                after
            }
            _ => self.backoff(retry),
        };
        (waited + wait <= self.max_total_wait).then_some(wait)
    }
}

/// What an attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Outcome {
    /// A reply with a non-success status.
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
    },
    /// The request timed out.
    Timeout,
    /// The connection could not be made or broke.
    Connection,
}

impl Outcome {
    /// A throttling reply: 429, or 503 with `Retry-After` (as
    /// [`Error::is_throttled`](crate::Error::is_throttled) counts them).
    fn is_throttling(self) -> bool {
        match self {
            Outcome::Status {
                status,
                retry_after,
            } => status.as_u16() == 429 || (status.as_u16() == 503 && retry_after.is_some()),
            _ => false,
        }
    }

    fn is_retryable(self, method: &Method) -> bool {
        match self {
            Outcome::Status { status, .. } => match status.as_u16() {
                429 | 503 => true,
                500 | 502 | 504 => is_idempotent(method),
                _ => false,
            },
            Outcome::Timeout | Outcome::Connection => is_idempotent(method),
        }
    }
}

/// GET, PUT, DELETE, HEAD and OPTIONS may be repeated without changing the outcome.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
    )
}

/// Reads `Retry-After` as delta-seconds or an HTTP-date (relative to `now`; a past date is 0).
pub(crate) fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        // `try_`: a value too large for a Duration (`1e300`) is no wait at all, not a panic.
        return Duration::try_from_secs_f64(secs).ok();
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn status(code: u16, after: Option<u64>) -> Outcome {
        Outcome::Status {
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: after.map(Duration::from_secs),
        }
    }

    #[test]
    fn retry_rules_by_method_and_status() {
        let p = RetryPolicy::default().jitter(false);
        let cases = [
            (Method::GET, 429, true),
            (Method::POST, 429, true),
            (Method::PATCH, 503, true),
            (Method::GET, 500, true),
            (Method::PUT, 502, true),
            (Method::DELETE, 504, true),
            (Method::POST, 500, false),
            (Method::PATCH, 502, false),
            (Method::POST, 504, false),
            (Method::GET, 404, false),
            (Method::GET, 501, false),
            (Method::GET, 401, false),
        ];
        for (method, code, retried) in cases {
            let got = p.next_wait(status(code, None), &method, true, 0, Duration::ZERO);
            assert_eq!(got.is_some(), retried, "{method} {code}");
        }
        assert!(
            p.next_wait(Outcome::Timeout, &Method::GET, true, 0, Duration::ZERO)
                .is_some()
        );
        assert!(
            p.next_wait(Outcome::Timeout, &Method::POST, true, 0, Duration::ZERO)
                .is_none()
        );
        assert!(
            p.next_wait(Outcome::Connection, &Method::PATCH, true, 0, Duration::ZERO)
                .is_none()
        );
    }

    #[test]
    fn stream_bodies_and_exhausted_retries_are_not_retried() {
        let p = RetryPolicy::default();
        assert!(
            p.next_wait(status(429, None), &Method::POST, false, 0, Duration::ZERO)
                .is_none()
        );
        assert!(
            p.next_wait(status(429, None), &Method::GET, true, 3, Duration::ZERO)
                .is_none()
        );
        assert!(
            p.next_wait(status(429, None), &Method::GET, true, 2, Duration::ZERO)
                .is_some()
        );
    }

    #[test]
    fn backoff_doubles_and_caps_and_jitters_in_upper_half() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_secs(1))
            .max_delay(Duration::from_secs(5))
            .jitter(false);
        let waits: Vec<_> = (0..5).map(|n| p.backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5, 5]);
        let p = p.jitter(true);
        for _ in 0..100 {
            let w = p.backoff(2);
            assert!(
                w >= Duration::from_secs(2) && w <= Duration::from_secs(4),
                "{w:?}"
            );
        }
    }

    #[test]
    fn retry_after_wins_and_is_capped_and_budgeted() {
        let p = RetryPolicy::default()
            .max_delay(Duration::from_secs(30))
            .max_total_wait(Duration::from_secs(40));
        let w = p.next_wait(status(429, Some(7)), &Method::GET, true, 0, Duration::ZERO);
        assert_eq!(w, Some(Duration::from_secs(7)));
        assert_eq!(
            p.next_wait(status(429, Some(31)), &Method::GET, true, 0, Duration::ZERO),
            None
        );
        let spent = Duration::from_secs(35);
        assert_eq!(
            p.next_wait(status(429, Some(7)), &Method::GET, true, 1, spent),
            None
        );
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(120)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:50:07 GMT"),
        );
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(30)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:00:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("-3"));
        assert_eq!(parse_retry_after(&h, now), None);
        for huge in ["1e300", "inf", "NaN", "-0.5"] {
            h.insert(RETRY_AFTER, HeaderValue::from_static(huge));
            assert_eq!(parse_retry_after(&h, now), None, "{huge}");
        }
        h.insert(RETRY_AFTER, HeaderValue::from_static("1.5"));
        assert_eq!(
            parse_retry_after(&h, now),
            Some(Duration::from_millis(1500))
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn parse(value: &str, now: SystemTime) -> Option<Duration> {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, HeaderValue::from_str(value).ok()?);
            parse_retry_after(&headers, now)
        }

        proptest! {
            #[test]
            fn whole_seconds_are_read_exactly(secs in any::<u64>()) {
                prop_assert_eq!(parse(&secs.to_string(), SystemTime::UNIX_EPOCH), Some(Duration::from_secs(secs)));
            }

            #[test]
            fn an_http_date_is_the_time_until_it_and_never_negative(
                now in 784_111_777u64..4_000_000_000,
                ahead in -86_400i64..86_400,
            ) {
                let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now);
                let at = if ahead >= 0 {
                    now + Duration::from_secs(ahead as u64)
                } else {
                    now - Duration::from_secs(ahead.unsigned_abs())
                };
                let wait = parse(&httpdate::fmt_http_date(at), now);
                prop_assert_eq!(wait, Some(Duration::from_secs(ahead.max(0) as u64)));
            }

            #[test]
            fn any_header_text_gives_a_wait_or_none_without_panicking(value in "[ -~]{0,40}") {
                let _ = parse(&value, SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600));
            }
        }
    }
}
