//! Workload identity federation: a `client_assertion` whose issuer is not the client itself is
//! checked against the client's federated credentials (see `managed.rs` for the rules), and the
//! emulator signs federated tokens of its own issuer.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use super::checks::check_assertion_window;
use super::{OAuthError, OAuthResult};
use crate::emulator::config::ClientApp;
use crate::emulator::config::managed::FEDERATED_ISSUER;
use crate::emulator::data::tokens;

/// The unverified claims of a JWT.
fn claims_of(assertion: &str) -> Option<Value> {
    let payload = assertion.split('.').nth(1)?;
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        payload.trim_end_matches('='),
    )
    .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The unverified `iss` of a JWT, if it has one.
pub(super) fn assertion_issuer(assertion: &str) -> Option<String> {
    claims_of(assertion)?["iss"].as_str().map(str::to_owned)
}

/// A JWT's `aud`: one string or a list.
fn audiences(claims: &Value) -> Vec<String> {
    match &claims["aud"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(list) => list
            .iter()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Checks the HS256 signature of a token from the emulator's own issuer.
fn check_own_signature(alg: Algorithm, assertion: &str) -> OAuthResult<()> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    if alg != Algorithm::HS256
        || jsonwebtoken::decode::<Value>(
            assertion,
            &DecodingKey::from_secret(tokens::SIGNING_KEY),
            &validation,
        )
        .is_err()
    {
        return Err(OAuthError::invalid_client(
            5_002_738,
            "The federated token's signature could not be verified with the issuer's key.",
        ));
    }
    Ok(())
}

/// Checks a federated `client_assertion` against the client's federated credentials.
pub(super) fn verify_federated(client: &ClientApp, assertion: &str, now: i64) -> OAuthResult<()> {
    let malformed = || OAuthError::invalid_client(50_027, "JWT token is invalid or malformed.");
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| malformed())?;
    let claims = claims_of(assertion).ok_or_else(malformed)?;
    let text = |name: &str| claims[name].as_str().unwrap_or_default().to_owned();
    let (issuer, subject) = (text("iss"), text("sub"));
    let audiences = audiences(&claims);
    let Some(credential) = client
        .federated_credentials
        .iter()
        .find(|c| c.issuer == issuer && c.subject == subject)
    else {
        return Err(OAuthError::invalid_client(
            70_021,
            format!(
                "No matching federated identity record found for presented assertion. Assertion Issuer: '{issuer}'. Assertion Subject: '{subject}'. Assertion Audience: '{}'.",
                audiences.join(",")
            ),
        ));
    };
    if !audiences.contains(&credential.audience) {
        return Err(OAuthError::invalid_client(
            700_212,
            format!(
                "No matching federated identity record found for presented assertion audience '{}'.",
                audiences.join(",")
            ),
        ));
    }
    if issuer == FEDERATED_ISSUER {
        check_own_signature(header.alg, assertion)?;
    }
    check_assertion_window(&claims, now)
}

/// A federated token from the emulator's own issuer for `subject`, valid for `lifetime` seconds
/// from `now` (negative: already expired).
pub(crate) fn federated_token(subject: &str, audience: &str, now: i64, lifetime: i64) -> String {
    tokens::sign(&json!({
        "iss": FEDERATED_ISSUER,
        "sub": subject,
        "aud": [audience],
        "iat": now,
        "nbf": now.min(now + lifetime),
        "exp": now + lifetime,
        "kubernetes.io": {"namespace": "default", "serviceaccount": {"name": "o365-workload"}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::config::managed::{
        FEDERATED_AUDIENCE, FEDERATED_SUBJECT, FederatedCredential,
    };

    #[test]
    fn the_issuer_of_an_assertion_is_read_without_verification() {
        let token = federated_token(FEDERATED_SUBJECT, FEDERATED_AUDIENCE, 1_000, 60);
        assert_eq!(assertion_issuer(&token).as_deref(), Some(FEDERATED_ISSUER));
        assert_eq!(assertion_issuer("not-a-jwt"), None);
        assert_eq!(assertion_issuer("a.b.c"), None);
    }

    #[test]
    fn federated_tokens_are_checked_for_issuer_subject_audience_signature_and_time() {
        let app = ClientApp::confidential("app", "s")
            .with_federated_credential(FederatedCredential::emulator());
        let ok = federated_token(FEDERATED_SUBJECT, FEDERATED_AUDIENCE, 1_000, 600);
        assert!(verify_federated(&app, &ok, 1_100).is_ok());
        let code = |t: &str, now| verify_federated(&app, t, now).unwrap_err().code;
        assert_eq!(code(&ok, 1_600), 700_024, "expired");
        assert_eq!(code(&ok, 600), 700_024, "not yet valid");
        let other_subject =
            federated_token("system:serviceaccount:x:y", FEDERATED_AUDIENCE, 1_000, 600);
        assert_eq!(code(&other_subject, 1_100), 70_021);
        let other_audience = federated_token(FEDERATED_SUBJECT, "api://other", 1_000, 600);
        assert_eq!(code(&other_audience, 1_100), 700_212);
        let mut forged: Vec<&str> = ok.split('.').collect();
        forged[2] = "AAAA";
        assert_eq!(code(&forged.join("."), 1_100), 5_002_738);
        assert_eq!(code("garbage", 1_100), 50_027);
    }
}
