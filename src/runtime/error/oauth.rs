//! [`OAuthError`]: the error body of the identity platform's token and device-code endpoints
//! (RFC 6749 §5.2 plus Microsoft's `error_codes`), carried by `ErrorKind::Identity` errors.

use serde::{Deserialize, Serialize};

/// An OAuth error reply, e.g. `invalid_grant` with `AADSTS700082: The refresh token has expired…`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OAuthError {
    /// The OAuth error code (`invalid_grant`, `invalid_client`, `consent_required`, …).
    #[serde(rename = "error")]
    pub code: String,
    /// The human-readable description; Microsoft starts it with `AADSTSnnnnn:`.
    #[serde(default, rename = "error_description")]
    pub description: Option<String>,
    /// Microsoft's numeric `error_codes` (the AADSTS numbers).
    #[serde(default)]
    pub error_codes: Vec<u32>,
    /// Microsoft's correlation id, to quote to support.
    #[serde(default)]
    pub correlation_id: Option<String>,
    /// Microsoft's trace id.
    #[serde(default)]
    pub trace_id: Option<String>,
}

impl OAuthError {
    /// Parses an OAuth error body; `None` when the body is not one.
    pub fn from_body(body: &[u8]) -> Option<OAuthError> {
        serde_json::from_slice::<OAuthError>(body)
            .ok()
            .filter(|e| !e.code.is_empty())
    }

    /// The AADSTS number: the first of `error_codes`, else the `AADSTSnnnnn` in the description.
    pub fn aadsts(&self) -> Option<u32> {
        if let Some(code) = self.error_codes.first() {
            return Some(*code);
        }
        let text = self.description.as_deref()?;
        let digits = &text[text.find("AADSTS")? + "AADSTS".len()..];
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        digits[..end].parse().ok()
    }

    /// `invalid_grant`: the code, refresh token or credentials are no longer valid (expired,
    /// revoked, password changed, 90 days of inactivity — AADSTS700082); sign in again.
    pub fn is_invalid_grant(&self) -> bool {
        self.code == "invalid_grant"
    }

    /// `invalid_client`: the client secret or certificate is wrong or expired.
    pub fn is_invalid_client(&self) -> bool {
        self.code == "invalid_client"
    }

    /// The user or an admin has not consented to the scopes (AADSTS65001).
    pub fn is_consent_required(&self) -> bool {
        self.code == "consent_required" || self.aadsts() == Some(65001)
    }

    /// The user must sign in interactively (MFA, conditional access, consent).
    pub fn is_interaction_required(&self) -> bool {
        self.code == "interaction_required" || self.is_consent_required()
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code)?;
        if let Some(description) = &self.description {
            // Microsoft appends trace/correlation ids and a timestamp on new lines.
            let first = description.lines().next().unwrap_or_default();
            write!(f, ": {first}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadsts_comes_from_codes_or_description() {
        let body = br#"{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: t\r\nCorrelation ID: c","error_codes":[700082],"trace_id":"t","correlation_id":"c"}"#;
        let e = OAuthError::from_body(body).unwrap();
        assert!(e.is_invalid_grant());
        assert_eq!(e.aadsts(), Some(700082));
        assert_eq!(
            e.to_string(),
            "invalid_grant: AADSTS700082: The refresh token has expired due to inactivity."
        );
        let e = OAuthError::from_body(
            br#"{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented"}"#,
        )
        .unwrap();
        assert_eq!(e.aadsts(), Some(65001));
        assert!(e.is_consent_required() && e.is_interaction_required());
        assert!(OAuthError::from_body(b"<html>").is_none());
        assert!(OAuthError::from_body(br#"{"error":{"code":"x"}}"#).is_none());
    }
}
