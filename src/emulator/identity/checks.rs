//! Checks of what a token request redeems: an authorization code (with its PKCE verifier), a
//! refresh token (rotation and revocation), a password.

use super::{OAuthError, OAuthResult};
use crate::emulator::config::{ClientApp, TestUser};
use crate::emulator::data::tokens::{AuthCode, RefreshGrant, RefreshState};
use crate::emulator::state::State;
use crate::emulator::util;
use crate::runtime::identity::pkce_challenge;

pub(super) fn check_code(
    state: &State,
    client: &ClientApp,
    code: &str,
    redirect_uri: &str,
    verifier: Option<&str>,
    now: i64,
) -> OAuthResult<AuthCode> {
    let grant = state
        .tokens
        .code(code)
        .filter(|c| c.client_id == client.client_id)
        .ok_or_else(|| {
            OAuthError::invalid_grant(
                70_000,
                "The provided value for the 'code' parameter is not valid.",
            )
        })?;
    if grant.redeemed {
        return Err(OAuthError::invalid_grant(
            54_005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        ));
    }
    if grant.expires_at <= now {
        return Err(OAuthError::invalid_grant(
            70_008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        ));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            50_011,
            format!(
                "The redirect URI '{redirect_uri}' does not match the one used in the authorization request."
            ),
        ));
    }
    if let Some(challenge) = &grant.code_challenge {
        let verifier = verifier.ok_or_else(|| OAuthError::missing("code_verifier"))?;
        if pkce_challenge(verifier) != *challenge {
            return Err(OAuthError::invalid_grant(
                501_481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            ));
        }
    }
    Ok(grant.clone())
}

pub(super) fn check_refresh(
    state: &mut State,
    client: &ClientApp,
    token: &str,
    now: i64,
) -> OAuthResult<RefreshGrant> {
    let grant = state
        .tokens
        .rotate_refresh(token)
        .filter(|g| g.client_id == client.client_id)
        .ok_or_else(|| {
            OAuthError::invalid_grant(
                9_002_313,
                "Invalid request. Request is malformed or invalid. (unknown refresh_token)",
            )
        })?;
    match grant.state {
        RefreshState::Revoked => Err(OAuthError::invalid_grant(
            50_173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
        )),
        RefreshState::Rotated => Err(OAuthError::invalid_grant(
            70_008,
            "The refresh token has expired or was already used: the emulator rotates refresh tokens on every redemption.",
        )),
        RefreshState::Active if grant.expires_at <= now => Err(OAuthError::invalid_grant(
            70_008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        )),
        RefreshState::Active => Ok(grant),
    }
}

pub(super) fn check_password(
    user: &TestUser,
    username: &str,
    password: &str,
    tenant: &str,
) -> OAuthResult<()> {
    use secrecy::ExposeSecret;
    if !username.eq_ignore_ascii_case(&user.preferred_username) {
        return Err(OAuthError::invalid_grant(
            50_034,
            format!("The user account {{EmailHidden}} does not exist in the {tenant} directory."),
        ));
    }
    if user.password.expose_secret() != password {
        return Err(OAuthError::invalid_grant(
            50_126,
            "Error validating credentials due to invalid username or password.",
        ));
    }
    Ok(())
}

/// Checks that a client assertion is valid at `now` (`exp` passed, or `nbf` more than five
/// minutes ahead, is AADSTS700024); the error names the assertion's window.
pub(super) fn check_assertion_window(claims: &serde_json::Value, now: i64) -> OAuthResult<()> {
    let exp = claims["exp"].as_i64().unwrap_or(0);
    let nbf = claims["nbf"].as_i64();
    if exp > now && nbf.is_none_or(|nbf| nbf <= now + 300) {
        return Ok(());
    }
    let from = nbf.map_or_else(|| "-".to_owned(), util::iso);
    Err(OAuthError::invalid_client(
        700_024,
        format!(
            "Client assertion is not within its valid time range. Current time: {}, assertion valid from {from} to {}.",
            util::iso(now),
            util::iso(exp)
        ),
    ))
}
