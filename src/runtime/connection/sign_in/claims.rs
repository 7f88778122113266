//! Continuous access evaluation (CAE): client capabilities and claims challenges.
//!
//! A Connection built with `.client_capabilities(["cp1"])` tells the identity platform, on every
//! token request, that it can handle claims challenges (`claims={"access_token":{"xms_cc":
//! {"values":["cp1"]}}}`), and the platform may then issue long-lived tokens that a resource
//! revokes early. A resource that does so answers `401` with
//! `WWW-Authenticate: Bearer error="insufficient_claims", claims="<base64 JSON>"`; the pipeline
//! then asks for a token carrying those claims (refresh token or client credentials) and retries
//! once. When no token can be had without the user (the platform answers `interaction_required`
//! or any other OAuth error), or the retried request is challenged again, the caller gets an
//! [`ErrorKind::ClaimsChallenge`](crate::ErrorKind::ClaimsChallenge) error whose
//! [`claims_challenge`](crate::Error::claims_challenge) is the JSON to pass to an interactive
//! sign-in.

use base64::Engine;
use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
use serde_json::{Map, Value, json};

use crate::runtime::connection::Connection;
use crate::{Error, ErrorKind, Result};

/// The claims JSON of an `insufficient_claims` challenge among `headers`, if there is one.
pub(crate) fn challenge(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(parse_challenge)
}

/// `Bearer realm="", error="insufficient_claims", claims="eyJ…"` → the decoded claims JSON.
fn parse_challenge(header: &str) -> Option<String> {
    let rest = header.trim_start().strip_prefix("Bearer")?;
    let (mut error, mut claims) = (None, None);
    for part in split_params(rest) {
        let (name, value) = part.split_once('=')?;
        let value = value.trim().trim_matches('"');
        match name.trim().to_ascii_lowercase().as_str() {
            "error" => error = Some(value.to_string()),
            "claims" => claims = Some(value.to_string()),
            _ => {}
        }
    }
    if error.as_deref() != Some("insufficient_claims") {
        return None;
    }
    let encoded = claims?;
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines.iter().find_map(|e| e.decode(&encoded).ok())?;
    let text = String::from_utf8(bytes).ok()?;
    serde_json::from_str::<Map<String, Value>>(&text).ok()?;
    Some(text)
}

/// Comma-separated `name="value"` parameters, commas inside quotes kept.
fn split_params(text: &str) -> Vec<&str> {
    let (mut parts, mut start, mut quoted) = (Vec::new(), 0, false);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// The `claims` form field: the challenge's claims with the client capabilities merged into
/// `access_token.xms_cc`; `None` when there is neither.
pub(crate) fn claims_parameter(capabilities: &[String], challenge: Option<&str>) -> Option<String> {
    let mut claims: Map<String, Value> = challenge
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    if claims.is_empty() && capabilities.is_empty() {
        return None;
    }
    if !capabilities.is_empty() {
        let access = claims
            .entry("access_token")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(access) = access {
            access.insert("xms_cc".into(), json!({ "values": capabilities }));
        }
    }
    Some(Value::Object(claims).to_string())
}

impl Connection {
    /// Gets a token carrying `claims` (one token request, under the refresh lock), or the
    /// claims-challenge error when only the user can satisfy them.
    pub(crate) async fn renew_for_claims(
        &self,
        claims: &str,
        username: Option<&str>,
    ) -> Result<()> {
        let identity = self.identity();
        let _turn = identity.refresh.lock().await;
        self.renew_with_claims(username, claims)
            .await
            .map_err(|err| match err.kind() {
                ErrorKind::Identity | ErrorKind::NotAuthenticated => {
                    Error::for_claims(claims, &err)
                }
                _ => err,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIMS: &str = r#"{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}"#;

    fn header(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(WWW_AUTHENTICATE, value.parse().unwrap());
        headers
    }

    #[test]
    fn an_insufficient_claims_challenge_is_decoded() {
        let encoded = base64::engine::general_purpose::STANDARD.encode(CLAIMS);
        let value = format!(
            r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="{encoded}""#
        );
        assert_eq!(challenge(&header(&value)).as_deref(), Some(CLAIMS));
    }

    #[test]
    fn other_challenges_and_bad_claims_are_not_claims_challenges() {
        assert_eq!(challenge(&header(r#"Bearer error="invalid_token""#)), None);
        assert_eq!(
            challenge(&header(
                r#"Bearer error="insufficient_claims", claims="not base64!""#
            )),
            None
        );
        assert_eq!(challenge(&header(r#"Basic realm="x""#)), None);
    }

    #[test]
    fn capabilities_merge_into_the_challenge() {
        assert_eq!(claims_parameter(&[], None), None);
        assert_eq!(
            claims_parameter(&["cp1".into()], None).as_deref(),
            Some(r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#)
        );
        assert_eq!(
            claims_parameter(&["cp1".into()], Some(CLAIMS)).as_deref(),
            Some(
                r#"{"access_token":{"nbf":{"essential":true,"value":"1604106651"},"xms_cc":{"values":["cp1"]}}}"#
            )
        );
    }
}
