//! The token endpoint: client authentication, then one function per grant type.

use http::StatusCode;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::checks::{check_assertion_window, check_code, check_password, check_refresh};
use super::issue::Issue;
use super::{DEVICE_CODE_GRANT, Form, JWT_BEARER, OAuthError, OAuthResult, client};
use crate::emulator::config::ClientApp;
use crate::emulator::data::tokens::DevicePoll;
use crate::emulator::state::Shared;
use crate::emulator::wire::{Reply, Req};

/// `POST /{tenant}/oauth2/v2.0/token`: authenticates the client, then redeems the grant.
pub(super) fn token(shared: &Shared, tenant: &str, req: &Req) -> OAuthResult<Reply> {
    let form = Form(req.form());
    let grant_type = form.require("grant_type")?;
    shared
        .counters()
        .record_token_request(grant_type, form.get("claims"));
    let client = client(shared, form.require("client_id")?)?;
    let token_urls = [&shared.config.user.tid, tenant]
        .map(|t| format!("{}/{t}/oauth2/v2.0/token", shared.base_url));
    authenticate(client, &form, &token_urls, req.now)?;
    let mut issue = Issue {
        shared,
        client,
        tenant,
        user: Some(&shared.config.user),
        nonce: None,
        scope: form.get("scope").unwrap_or_default().to_owned(),
        now: req.now,
    };
    let body = match grant_type {
        "authorization_code" => authorization_code(&mut issue, &form)?,
        "refresh_token" => refresh_token(&mut issue, &form)?,
        "client_credentials" => client_credentials(&issue, &form)?,
        "password" => password(&issue, &form)?,
        DEVICE_CODE_GRANT => device_code(&mut issue, &form)?,
        other => {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                70_003,
                format!("The app requested an unsupported grant type '{other}'."),
            ));
        }
    };
    Ok(Reply::json(StatusCode::OK, &body).with_header("cache-control", "no-store, no-cache"))
}

/// Redeems an authorization code (once), checking its redirect URI and PKCE verifier.
fn authorization_code(issue: &mut Issue, form: &Form) -> OAuthResult<Value> {
    let code = form.require("code")?;
    let redirect_uri = form.require("redirect_uri")?;
    let mut state = issue.shared.state();
    let grant = check_code(
        &state,
        issue.client,
        code,
        redirect_uri,
        form.get("code_verifier"),
        issue.now,
    )?;
    state.tokens.mark_code_redeemed(code);
    if issue.scope.is_empty() {
        issue.scope = grant.scope;
    }
    issue.nonce = grant.nonce;
    issue.delegated(&mut state)
}

/// Redeems (and rotates) a refresh token; the scope defaults to the one it was issued for.
fn refresh_token(issue: &mut Issue, form: &Form) -> OAuthResult<Value> {
    let token = form.require("refresh_token")?;
    let mut state = issue.shared.state();
    let grant = check_refresh(&mut state, issue.client, token, issue.now)?;
    if issue.scope.is_empty() {
        issue.scope = grant.scope;
    }
    issue.delegated(&mut state)
}

/// An app-only token; only confidential clients may ask.
fn client_credentials(issue: &Issue, form: &Form) -> OAuthResult<Value> {
    if !issue.client.is_confidential() {
        return Err(OAuthError::invalid_client(
            7_000_218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ));
    }
    issue.app_only(&mut issue.shared.state(), form.require("scope")?)
}

/// Resource-owner password credentials for the test user.
fn password(issue: &Issue, form: &Form) -> OAuthResult<Value> {
    check_password(
        &issue.shared.config.user,
        form.require("username")?,
        form.require("password")?,
        issue.tenant,
    )?;
    issue.delegated(&mut issue.shared.state())
}

/// One poll of a device code: pending, slow down, expired, unknown, or the tokens.
fn device_code(issue: &mut Issue, form: &Form) -> OAuthResult<Value> {
    let device_code = form.require("device_code")?;
    let shared = issue.shared;
    let device = &shared.config.device;
    let mut state = shared.state();
    let poll = state.tokens.poll_device(
        device_code,
        &issue.client.client_id,
        shared.system_now(),
        device.interval,
        device.polls_before_approval,
    );
    issue.scope = match poll {
        DevicePoll::Approved(scope) => scope,
        pending => return Err(device_poll_error(pending)),
    };
    issue.delegated(&mut state)
}

/// The platform's answer to a device-code poll that yields no tokens.
fn device_poll_error(poll: DevicePoll) -> OAuthError {
    match poll {
        DevicePoll::Pending => OAuthError::new(
            "authorization_pending",
            70_016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        ),
        DevicePoll::SlowDown => OAuthError::new(
            "slow_down",
            70_016,
            "OAuth 2.0 device flow error. Polling faster than the interval: slow down.",
        ),
        DevicePoll::Expired => OAuthError::new(
            "expired_token",
            70_019,
            "The provided value for the input parameter 'device_code' is not valid. This verification code expired.",
        ),
        DevicePoll::Unknown | DevicePoll::Approved(_) => OAuthError::invalid_grant(
            9_002_313,
            "Invalid request. Request is malformed or invalid. (unknown device_code)",
        ),
    }
}

/// Checks the client's credential: none for public clients, a secret or a signed assertion for
/// confidential ones.
fn authenticate(
    client: &ClientApp,
    form: &Form,
    token_urls: &[String],
    now: i64,
) -> OAuthResult<()> {
    let assertion = form.get("client_assertion");
    let secret = form.get("client_secret");
    if !client.is_confidential() {
        return match assertion.or(secret) {
            Some(_) => Err(OAuthError::invalid_client(
                700_025,
                "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
            )),
            None => Ok(()),
        };
    }
    match (assertion, secret) {
        (Some(assertion), _) => {
            if form.get("client_assertion_type") != Some(JWT_BEARER) {
                return Err(OAuthError::missing("client_assertion_type"));
            }
            // An assertion the client did not issue itself is a federated token.
            let issuer = super::federated::assertion_issuer(assertion);
            if issuer.as_deref() != Some(client.client_id.as_str())
                && !client.federated_credentials.is_empty()
            {
                super::federated::verify_federated(client, assertion, now)
            } else {
                verify_assertion(client, assertion, token_urls, now)
            }
        }
        (None, Some(secret)) if client.secret_matches(secret) => Ok(()),
        (None, Some(_)) => Err(OAuthError::invalid_client(
            7_000_215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                client.client_id
            ),
        )),
        (None, None) => Err(OAuthError::invalid_client(
            7_000_218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )),
    }
}

/// Verifies a `client_assertion` JWT against the client's registered certificate.
fn verify_assertion(
    client: &ClientApp,
    assertion: &str,
    token_urls: &[String],
    now: i64,
) -> OAuthResult<()> {
    let invalid = |what: &str| {
        OAuthError::invalid_client(
            700_027,
            format!("Client assertion failed validation: {what}."),
        )
    };
    let pem = client
        .certificate_pem
        .as_deref()
        .ok_or_else(|| invalid("no certificate is registered for the application"))?;
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| OAuthError::invalid_client(50_027, "JWT token is invalid or malformed."))?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::PS256) {
        return Err(invalid("the signing algorithm must be RS256 or PS256"));
    }
    let key = DecodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|_| invalid("the registered certificate is not an RSA key"))?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    validation.set_audience(token_urls);
    validation.set_issuer(&[&client.client_id]);
    validation.sub = Some(client.client_id.clone());
    let claims = jsonwebtoken::decode::<Value>(assertion, &key, &validation)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            invalid(match e.kind() {
                K::InvalidSignature => "the signature does not match the registered certificate",
                K::InvalidAudience => "aud must be the token endpoint URL",
                K::InvalidIssuer => "iss must be the client id",
                K::InvalidSubject => "sub must be the client id",
                K::MissingRequiredClaim(_) => "a required claim (exp, aud, iss, sub) is missing",
                _ => "the assertion could not be verified",
            })
        })?
        .claims;
    check_assertion_window(&claims, now)
}
