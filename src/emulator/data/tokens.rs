//! What the emulated identity platform has issued: authorization codes, access tokens, refresh
//! tokens (rotated on use) and device codes, each with its expiry.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;

use crate::emulator::util;

/// HS256 key of the id tokens and access tokens the emulator signs (a fixed test value).
pub const SIGNING_KEY: &[u8] = b"o365-emulator-fixed-test-signing-key";

/// Signs `claims` as an HS256 JWT with [`SIGNING_KEY`].
pub(crate) fn sign(claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("o365-emulator".into());
    // Serializing a JSON object with an HMAC key cannot fail.
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(SIGNING_KEY))
        .unwrap_or_default()
}

/// An authorization code waiting to be redeemed.
#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub expires_at: i64,
    pub redeemed: bool,
}

/// What an access token grants.
#[derive(Debug, Clone)]
pub(crate) struct AccessGrant {
    pub client_id: String,
    /// The signed-in user's oid; `None` for app-only (client credentials) tokens.
    pub user: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: i64,
}

/// Why a refresh token can no longer be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshState {
    Active,
    /// Already exchanged: rotation issued a newer one.
    Rotated,
    /// Revoked by the script.
    Revoked,
}

/// A refresh token.
#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub client_id: String,
    pub scope: String,
    pub expires_at: i64,
    pub state: RefreshState,
}

/// A pending device-code authorization.
#[derive(Debug, Clone)]
pub(crate) struct DeviceGrant {
    pub client_id: String,
    pub scope: String,
    pub expires_at: i64,
    pub polls: u32,
    pub last_poll: Option<SystemTime>,
    pub redeemed: bool,
}

/// The outcome of one device-code poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DevicePoll {
    Unknown,
    Expired,
    SlowDown,
    Pending,
    /// Approved: the scope string asked for at `/devicecode`.
    Approved(String),
}

/// All issued grants.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, AccessGrant>,
    refresh: HashMap<String, RefreshGrant>,
    devices: HashMap<String, DeviceGrant>,
}

impl Tokens {
    pub fn add_code(&mut self, code: AuthCode) -> String {
        let value = format!("1.AEmu{}", util::urlsafe_token(48));
        self.codes.insert(value.clone(), code);
        value
    }

    pub fn code(&self, code: &str) -> Option<&AuthCode> {
        self.codes.get(code)
    }

    /// Marks a code used: redeeming it again fails.
    pub fn mark_code_redeemed(&mut self, code: &str) {
        if let Some(entry) = self.codes.get_mut(code) {
            entry.redeemed = true;
        }
    }

    pub fn add_access(&mut self, token: String, grant: AccessGrant) {
        self.access.insert(token, grant);
    }

    pub fn access(&self, token: &str) -> Option<&AccessGrant> {
        self.access.get(token)
    }

    pub fn add_refresh(&mut self, grant: RefreshGrant) -> String {
        let value = format!("0.AEmu{}", util::urlsafe_token(64));
        self.refresh.insert(value.clone(), grant);
        value
    }

    /// Looks a refresh token up and rotates it (marks it used); returns it as it was before.
    pub fn rotate_refresh(&mut self, token: &str) -> Option<RefreshGrant> {
        let entry = self.refresh.get_mut(token)?;
        let before = entry.clone();
        if entry.state == RefreshState::Active {
            entry.state = RefreshState::Rotated;
        }
        Some(before)
    }

    pub fn expire_access_tokens(&mut self, now: i64) {
        for grant in self.access.values_mut() {
            grant.expires_at = grant.expires_at.min(now);
        }
    }

    pub fn revoke_refresh_tokens(&mut self) {
        for grant in self.refresh.values_mut() {
            grant.state = RefreshState::Revoked;
        }
    }

    pub fn add_device(&mut self, device_code: String, grant: DeviceGrant) {
        self.devices.insert(device_code, grant);
    }

    /// Polls a device code: unknown, expired, too fast, still pending, or approved (once).
    pub fn poll_device(
        &mut self,
        device_code: &str,
        client_id: &str,
        now: SystemTime,
        interval: Duration,
        polls_before_approval: u32,
    ) -> DevicePoll {
        let Some(grant) = self
            .devices
            .get_mut(device_code)
            .filter(|g| g.client_id == client_id && !g.redeemed)
        else {
            return DevicePoll::Unknown;
        };
        if util::epoch(now) >= grant.expires_at {
            return DevicePoll::Expired;
        }
        let too_fast = grant.last_poll.is_some_and(|last| {
            now.duration_since(last).unwrap_or_default() + Duration::from_millis(50) < interval
        });
        grant.last_poll = Some(now);
        if too_fast {
            return DevicePoll::SlowDown;
        }
        grant.polls += 1;
        if grant.polls <= polls_before_approval {
            return DevicePoll::Pending;
        }
        grant.redeemed = true;
        DevicePoll::Approved(grant.scope.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(expires_at: i64) -> DeviceGrant {
        DeviceGrant {
            client_id: "c".into(),
            scope: "User.Read".into(),
            expires_at,
            polls: 0,
            last_poll: None,
            redeemed: false,
        }
    }

    #[test]
    fn device_code_is_pending_then_slow_then_approved_once() {
        let mut t = Tokens::default();
        let t0 = util::from_epoch(1_000);
        t.add_device("d".into(), device(2_000));
        let i = Duration::from_secs(5);
        assert_eq!(t.poll_device("d", "c", t0, i, 1), DevicePoll::Pending);
        assert_eq!(t.poll_device("d", "c", t0, i, 1), DevicePoll::SlowDown);
        let t1 = t0 + i;
        assert_eq!(
            t.poll_device("d", "c", t1, i, 1),
            DevicePoll::Approved("User.Read".into())
        );
        assert_eq!(t.poll_device("d", "c", t1 + i, i, 1), DevicePoll::Unknown);
        assert_eq!(t.poll_device("x", "c", t1, i, 1), DevicePoll::Unknown);
        t.add_device("e".into(), device(1_000));
        assert_eq!(t.poll_device("e", "c", t0, i, 1), DevicePoll::Expired);
    }

    #[test]
    fn refresh_tokens_rotate_and_revoke() {
        let mut t = Tokens::default();
        let rt = t.add_refresh(RefreshGrant {
            client_id: "c".into(),
            scope: "s".into(),
            expires_at: 10,
            state: RefreshState::Active,
        });
        assert_eq!(t.rotate_refresh(&rt).unwrap().state, RefreshState::Active);
        assert_eq!(t.rotate_refresh(&rt).unwrap().state, RefreshState::Rotated);
        t.revoke_refresh_tokens();
        assert_eq!(t.rotate_refresh(&rt).unwrap().state, RefreshState::Revoked);
    }
}
