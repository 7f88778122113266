//! [`Script`]: the test's handle on a running emulator's faults and issued tokens.

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use super::script::{Action, Rule, ScriptState};
use super::state::Shared;

/// Handle for scripting the running emulator (from [`Emulator::script`](super::Emulator::script)).
///
/// Rules with a count apply to the next `count` matching requests, in the order they were added;
/// a request matches when its path starts with `path_prefix` ([`GRAPH_PATHS`](super::GRAPH_PATHS) = every Graph
/// request, `"/"` = every request including the identity endpoints).
#[derive(Clone)]
pub struct Script {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Script").finish_non_exhaustive()
    }
}

impl Script {
    fn push(&self, path_prefix: &str, count: u32, action: Action) {
        self.shared.script().rules.push(Rule {
            path_prefix: path_prefix.to_owned(),
            remaining: count,
            action,
        });
    }

    /// Answers every `n`-th Graph request (counted from now) with `status` (429 or 503) and
    /// `Retry-After: retry_after` (whole seconds). `n = 0` turns this off.
    pub fn throttle_every(&self, n: u32, status: StatusCode, retry_after: Duration) {
        let mut script = self.shared.script();
        script.graph_requests_seen = 0;
        script.every = (n > 0).then_some((u64::from(n), status, retry_after.as_secs()));
    }

    /// Answers the next `count` requests under `path_prefix` with `status` and `Retry-After`.
    pub fn throttle_next(
        &self,
        count: u32,
        path_prefix: &str,
        status: StatusCode,
        retry_after: Duration,
    ) {
        let action = Action::Throttle {
            status,
            retry_after: retry_after.as_secs(),
        };
        self.push(path_prefix, count, action);
    }

    /// Delays the next `count` requests under `path_prefix` by `delay` (real time).
    pub fn delay_next(&self, count: u32, path_prefix: &str, delay: Duration) {
        self.push(path_prefix, count, Action::Delay(delay));
    }

    /// Closes the connection without a response for the next `count` requests under `path_prefix`.
    pub fn drop_next(&self, count: u32, path_prefix: &str) {
        self.push(path_prefix, count, Action::Drop);
    }

    /// Answers the next `count` requests under `path_prefix` with `401` and a continuous access
    /// evaluation claims challenge (`WWW-Authenticate: Bearer error="insufficient_claims",
    /// claims="…"`); the token endpoint records the `claims` it is then sent
    /// ([`Counters::token_claims`](super::Counters::token_claims)).
    pub fn claims_challenge_next(&self, count: u32, path_prefix: &str) {
        self.push(path_prefix, count, Action::ClaimsChallenge);
    }

    /// Forgets every pending rule and `throttle_every`.
    pub fn clear(&self) {
        *self.shared.script() = ScriptState::default();
    }

    /// Makes every access token issued so far expired: Graph answers 401 for them.
    pub fn expire_access_tokens(&self) {
        let now = self.shared.now();
        self.shared.state().tokens.expire_access_tokens(now);
    }

    /// Revokes every refresh token issued so far: redeeming one fails with `AADSTS50173`.
    pub fn revoke_refresh_tokens(&self) {
        self.shared.state().tokens.revoke_refresh_tokens();
    }
}
