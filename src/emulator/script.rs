//! Scripted misbehaviour (throttling, delays, dropped connections, token expiry/revocation) and
//! the request counters tests assert on.

use std::collections::BTreeMap;
use std::time::Duration;

use http::{HeaderMap, StatusCode};

/// Path prefix of every Graph request; the default scope of scripted faults.
pub const GRAPH_PATHS: &str = "/v1.0/";

/// What a scripted rule does to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Answer `status` with `Retry-After: secs` instead of handling the request.
    Throttle {
        status: StatusCode,
        retry_after: u64,
    },
    /// Wait before handling the request.
    Delay(Duration),
    /// Close the connection without answering.
    Drop,
    /// Answer `401` with a continuous-access-evaluation claims challenge.
    ClaimsChallenge,
}

#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) path_prefix: String,
    pub(crate) remaining: u32,
    pub(crate) action: Action,
}

/// What the server must do with one request, as decided by the script.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Decision {
    pub delay: Option<Duration>,
    pub drop: bool,
    /// `(status, Retry-After seconds)`.
    pub throttle: Option<(StatusCode, u64)>,
    /// Answer with a claims challenge.
    pub claims_challenge: bool,
}

/// The script's mutable state.
#[derive(Debug, Default)]
pub(crate) struct ScriptState {
    pub(crate) rules: Vec<Rule>,
    pub(crate) every: Option<(u64, StatusCode, u64)>,
    pub(crate) graph_requests_seen: u64,
}

impl ScriptState {
    /// Consumes the rules that apply to a request for `path`.
    pub(crate) fn decide(&mut self, path: &str) -> Decision {
        let mut decision = Decision::default();
        for rule in self
            .rules
            .iter_mut()
            .filter(|r| r.remaining > 0 && path.starts_with(&r.path_prefix))
        {
            let taken = match rule.action {
                Action::Delay(d) if decision.delay.is_none() => {
                    decision.delay = Some(d);
                    true
                }
                Action::Drop if !decision.drop => {
                    decision.drop = true;
                    true
                }
                Action::ClaimsChallenge if !decision.claims_challenge => {
                    decision.claims_challenge = true;
                    true
                }
                Action::Throttle {
                    status,
                    retry_after,
                } if decision.throttle.is_none() => {
                    decision.throttle = Some((status, retry_after));
                    true
                }
                _ => false,
            };
            if taken {
                rule.remaining -= 1;
            }
        }
        self.rules.retain(|r| r.remaining > 0);
        if path.starts_with(GRAPH_PATHS) {
            self.graph_requests_seen += 1;
            if let Some((n, status, retry_after)) = self.every
                && decision.throttle.is_none()
                && self.graph_requests_seen.is_multiple_of(n)
            {
                decision.throttle = Some((status, retry_after));
            }
        }
        decision
    }
}

/// A snapshot of what the emulator has seen (from [`Emulator::counters`](super::Emulator::counters)).
#[derive(Debug, Clone, Default)]
pub struct Counters {
    requests: BTreeMap<String, u64>,
    token_requests: BTreeMap<String, u64>,
    throttled: u64,
    dropped: u64,
    last_request_headers: Option<HeaderMap>,
    token_claims: Vec<String>,
    managed_identity: BTreeMap<String, u64>,
    managed_identity_queries: Vec<Vec<(String, String)>>,
}

impl Counters {
    /// Requests received for `method` and exact `path` (no query), e.g. `("GET", "/v1.0/me")`.
    pub fn requests(&self, method: &str, path: &str) -> u64 {
        self.requests
            .get(&format!("{method} {path}"))
            .copied()
            .unwrap_or(0)
    }

    /// Every request counted, keyed `"METHOD /path"`.
    pub fn all_requests(&self) -> &BTreeMap<String, u64> {
        &self.requests
    }

    /// All requests received (including throttled and dropped ones).
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    /// Requests whose path is under `/v1.0/`.
    pub fn graph_requests(&self) -> u64 {
        self.requests
            .iter()
            .filter(|(k, _)| {
                k.split_once(' ')
                    .is_some_and(|(_, p)| p.starts_with(GRAPH_PATHS))
            })
            .map(|(_, n)| n)
            .sum()
    }

    /// Token-endpoint requests with this exact `grant_type` (e.g. `"refresh_token"`,
    /// `"urn:ietf:params:oauth:grant-type:device_code"`).
    pub fn token_requests(&self, grant_type: &str) -> u64 {
        self.token_requests.get(grant_type).copied().unwrap_or(0)
    }

    /// Requests answered by a scripted 429/503.
    pub fn throttled(&self) -> u64 {
        self.throttled
    }

    /// Connections closed without a response by the script.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The `claims` parameter of every token request that carried one, in order.
    pub fn token_claims(&self) -> &[String] {
        &self.token_claims
    }

    /// Managed identity token requests the endpoint answered: `"imds"` or `"app_service"`
    /// (refused ones included; those the script throttled or dropped count only in
    /// [`requests`](Self::requests)).
    pub fn managed_identity_requests(&self, endpoint: &str) -> u64 {
        self.managed_identity.get(endpoint).copied().unwrap_or(0)
    }

    /// The decoded query of every managed identity token request, in order.
    pub fn managed_identity_queries(&self) -> &[Vec<(String, String)>] {
        &self.managed_identity_queries
    }

    /// Headers of the most recent request.
    pub fn last_request_headers(&self) -> Option<&HeaderMap> {
        self.last_request_headers.as_ref()
    }

    pub(crate) fn record_request(&mut self, method: &str, path: &str, headers: &HeaderMap) {
        *self.requests.entry(format!("{method} {path}")).or_default() += 1;
        self.last_request_headers = Some(headers.clone());
    }

    pub(crate) fn record_token_request(&mut self, grant_type: &str, claims: Option<&str>) {
        *self
            .token_requests
            .entry(grant_type.to_owned())
            .or_default() += 1;
        self.token_claims.extend(claims.map(str::to_owned));
    }

    pub(crate) fn record_managed_identity_request(
        &mut self,
        endpoint: &str,
        query: &[(String, String)],
    ) {
        *self
            .managed_identity
            .entry(endpoint.to_owned())
            .or_default() += 1;
        self.managed_identity_queries.push(query.to_vec());
    }

    pub(crate) fn record_fault(&mut self, decision: &Decision) {
        self.throttled += u64::from(decision.throttle.is_some() && !decision.drop);
        self.dropped += u64::from(decision.drop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_rules_run_out_and_every_nth_counts_graph_only() {
        let mut s = ScriptState::default();
        s.rules.push(Rule {
            path_prefix: "/v1.0/me".into(),
            remaining: 2,
            action: Action::Drop,
        });
        s.every = Some((3, StatusCode::TOO_MANY_REQUESTS, 7));
        assert!(s.decide("/v1.0/me/messages").drop);
        assert!(!s.decide("/common/oauth2/v2.0/token").drop);
        assert!(s.decide("/v1.0/me").drop);
        let third = s.decide("/v1.0/users");
        assert!(!third.drop);
        assert_eq!(third.throttle, Some((StatusCode::TOO_MANY_REQUESTS, 7)));
        assert_eq!(s.decide("/v1.0/me"), Decision::default());
    }
}
