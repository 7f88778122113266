//! Managed identity and workload identity federation.
//!
//! Two host endpoints that hand out app-only tokens without any client credential:
//!
//! * IMDS, as on an Azure VM: `GET /metadata/identity/oauth2/token?api-version=2018-02-01&
//!   resource=…[&client_id=…]` with `Metadata: true`. Errors are IMDS's `{"error",
//!   "error_description"}` with 400; the numbers of a reply are strings, as IMDS sends them.
//! * App Service / Functions: `GET /msi/token?api-version=2019-08-01&resource=…[&client_id=…]`
//!   with `X-IDENTITY-HEADER` equal to the configured secret. Errors are App Service's
//!   `{"statusCode", "message", "correlationId"}`: 401 for a missing or wrong header, 400 for
//!   the rest.
//!
//! Without a selector the system-assigned identity answers; with one, one of the configured
//! user-assigned identities, named by its client id (`client_id`), its object id (IMDS
//! `object_id`, App Service `principal_id`; see [`user_assigned_object_id`]) or its resource id
//! (IMDS `msi_res_id`, App Service `mi_res_id`; see [`user_assigned_resource_id`]). An unknown
//! identity, or more than one selector, is refused as the hosts refuse it. The token is an
//! app-only Graph token, recorded like a client-credentials token, so the Graph routes accept it.
//!
//! Workload identity federation: a `client_assertion` whose issuer is not the client itself is a
//! federated token (what AKS or GitHub Actions write to a file). It is accepted when its `iss`
//! and `sub` match one of the client's federated credentials, its `aud` holds that credential's
//! audience (`api://AzureADTokenExchange`), it has not expired (`exp`) and is already valid
//! (`nbf`, five minutes of skew). For the emulator's own issuer ([`FEDERATED_ISSUER`]) the HS256
//! signature is also checked with [`SIGNING_KEY`](crate::emulator::SIGNING_KEY); the emulator
//! cannot fetch another issuer's keys, so for those the signature is not checked.

use http::StatusCode;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::checks::check_assertion_window;
use super::issue::Issue;
use super::{OAuthError, OAuthResult};
use crate::emulator::config::ClientApp;
use crate::emulator::data::tokens;
use crate::emulator::state::Shared;
use crate::emulator::wire::{Reply, Req};

/// Path of the emulated IMDS token endpoint.
pub const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
/// Path of the emulated App Service / Functions identity endpoint (`IDENTITY_ENDPOINT`).
pub const APP_SERVICE_PATH: &str = "/msi/token";
/// Client id of the emulator's system-assigned managed identity.
pub const SYSTEM_ASSIGNED_CLIENT_ID: &str = "0d7a3f52-6c1e-4b8a-9f21-5a7e3c9b1d46";
/// Client id of the user-assigned identity configured when none is.
pub const USER_ASSIGNED_CLIENT_ID: &str = "b2c4e6f8-1a3d-4c5e-8f70-92a4b6c8d0e1";
/// The App Service `IDENTITY_HEADER` value configured by default (a test value, not a secret).
pub const IDENTITY_HEADER: &str = "emulator-identity-header~not.a.real.secret";
/// The issuer of the federated tokens [`Emulator::federated_token`](crate::emulator::Emulator::federated_token)
/// signs, registered as a federated credential of the default confidential application.
pub const FEDERATED_ISSUER: &str = "https://oidc.emulator.invalid/o365";
/// The subject of those federated tokens (a Kubernetes service account, as AKS writes it).
pub const FEDERATED_SUBJECT: &str = "system:serviceaccount:default:o365-workload";
/// The audience Entra ID expects in federated tokens.
pub const FEDERATED_AUDIENCE: &str = "api://AzureADTokenExchange";

/// The resource the emulator issues tokens for (besides its own base URL).
const GRAPH: &str = "https://graph.microsoft.com";

/// The managed identities the emulated host has.
#[derive(Clone)]
pub(crate) struct ManagedIdentities {
    pub system_assigned: Option<String>,
    pub user_assigned: Vec<String>,
    pub identity_header: SecretString,
}

impl Default for ManagedIdentities {
    fn default() -> Self {
        ManagedIdentities {
            system_assigned: Some(SYSTEM_ASSIGNED_CLIENT_ID.to_owned()),
            user_assigned: Vec::new(),
            identity_header: SecretString::from(IDENTITY_HEADER),
        }
    }
}

impl std::fmt::Debug for ManagedIdentities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagedIdentities")
            .field("system_assigned", &self.system_assigned)
            .field("user_assigned", &self.user_assigned)
            .finish_non_exhaustive()
    }
}

impl ManagedIdentities {
    /// With [`USER_ASSIGNED_CLIENT_ID`] when no user-assigned identity was configured.
    pub(crate) fn with_defaults(mut self) -> Self {
        if self.user_assigned.is_empty() {
            self.user_assigned.push(USER_ASSIGNED_CLIENT_ID.to_owned());
        }
        self
    }

    /// The client id of the identity `selector` names (`None`: the system-assigned one).
    fn find(&self, selector: Option<&Selector>) -> Option<&str> {
        let Some(selector) = selector else {
            return self.system_assigned.as_deref();
        };
        self.user_assigned
            .iter()
            .find(|client_id| {
                let id = match selector.kind {
                    SelectorKind::Client => (*client_id).clone(),
                    SelectorKind::Object => user_assigned_object_id(client_id),
                    SelectorKind::Resource => user_assigned_resource_id(client_id),
                };
                id.eq_ignore_ascii_case(&selector.value)
            })
            .map(String::as_str)
    }
}

/// The object (principal) id the emulator gives the user-assigned identity `client_id`: the
/// client id's characters in reverse order (GUID-shaped and stable).
pub fn user_assigned_object_id(client_id: &str) -> String {
    client_id.chars().rev().collect()
}

/// The Azure resource id the emulator gives the user-assigned identity `client_id`.
pub fn user_assigned_resource_id(client_id: &str) -> String {
    format!(
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/o365-emulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{client_id}"
    )
}

/// Which id of a user-assigned identity a token request names.
enum SelectorKind {
    Client,
    Object,
    Resource,
}

/// A user-assigned identity as a token request names it.
struct Selector {
    kind: SelectorKind,
    value: String,
}

/// The selector of a token request: at most one of the host's parameters (empty ones do not
/// count); `Err` when several are given.
fn selector(host: Host, req: &Req) -> Result<Option<Selector>, ()> {
    let names = match host {
        Host::Imds => ["client_id", "object_id", "msi_res_id"],
        Host::AppService => ["client_id", "principal_id", "mi_res_id"],
    };
    let kinds = [
        SelectorKind::Client,
        SelectorKind::Object,
        SelectorKind::Resource,
    ];
    let mut given = names
        .iter()
        .zip(kinds)
        .filter_map(|(name, kind)| {
            let value = req.query_param(name).filter(|v| !v.is_empty())?;
            Some(Selector {
                kind,
                value: value.to_owned(),
            })
        })
        .collect::<Vec<_>>();
    match given.len() {
        0 => Ok(None),
        1 => Ok(given.pop()),
        _ => Err(()),
    }
}

/// A federated identity credential of an application: which external tokens it trusts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FederatedCredential {
    /// The external issuer (`iss`), e.g. an AKS cluster's OIDC issuer URL.
    pub issuer: String,
    /// The subject (`sub`), e.g. `system:serviceaccount:NAMESPACE:NAME`.
    pub subject: String,
    /// The audience the token must carry (default [`FEDERATED_AUDIENCE`]).
    pub audience: String,
}

impl FederatedCredential {
    /// Trusts tokens from `issuer` for `subject` with the default audience.
    pub fn new(issuer: impl Into<String>, subject: impl Into<String>) -> FederatedCredential {
        FederatedCredential {
            issuer: issuer.into(),
            subject: subject.into(),
            audience: FEDERATED_AUDIENCE.to_owned(),
        }
    }

    /// The emulator's own issuer and subject (see [`FEDERATED_ISSUER`]).
    pub fn emulator() -> FederatedCredential {
        FederatedCredential::new(FEDERATED_ISSUER, FEDERATED_SUBJECT)
    }
}

/// Which host endpoint a request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Host {
    Imds,
    AppService,
}

impl Host {
    fn name(self) -> &'static str {
        match self {
            Host::Imds => "imds",
            Host::AppService => "app_service",
        }
    }

    /// The host's error reply.
    fn error(self, req: &Req, status: StatusCode, error: &str, message: &str) -> Reply {
        match self {
            Host::Imds => Reply::json(
                StatusCode::BAD_REQUEST,
                &json!({"error": error, "error_description": message}),
            ),
            Host::AppService => Reply::json(
                status,
                &json!({
                    "statusCode": status.as_u16(),
                    "message": message,
                    "correlationId": req.request_id,
                }),
            ),
        }
    }
}

/// Routes a managed-identity path; `None` for other paths.
pub(crate) fn handle(shared: &Shared, req: &Req) -> Option<Reply> {
    let host = match req.path.trim_end_matches('/') {
        IMDS_PATH => Host::Imds,
        APP_SERVICE_PATH => Host::AppService,
        _ => return None,
    };
    shared
        .counters()
        .record_managed_identity_request(host.name(), &req.query);
    Some(token(shared, host, req))
}

fn token(shared: &Shared, host: Host, req: &Req) -> Reply {
    let bad = StatusCode::BAD_REQUEST;
    if req.method != http::Method::GET {
        return host.error(
            req,
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "The endpoint only accepts GET requests.",
        );
    }
    match host {
        Host::Imds => {
            if req.header("metadata") != Some("true") {
                return host.error(
                    req,
                    bad,
                    "invalid_request",
                    "Required metadata header not specified",
                );
            }
            match req.query_param("api-version") {
                None | Some("") => {
                    return host.error(
                        req,
                        bad,
                        "invalid_request",
                        "Required query variable 'api-version' is missing",
                    );
                }
                // IMDS versions are dates; the token endpoint exists from 2018-02-01 on.
                Some(v) if v < "2018-02-01" || v.len() != 10 => {
                    return host.error(req, bad, "invalid_request", "Invalid api-version");
                }
                Some(_) => {}
            }
        }
        Host::AppService => {
            let expected = shared.config.managed.identity_header.expose_secret();
            if req.header("x-identity-header") != Some(expected) {
                return host.error(
                    req,
                    StatusCode::UNAUTHORIZED,
                    "invalid_request",
                    "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.",
                );
            }
            if req.query_param("api-version") != Some("2019-08-01") {
                return host.error(
                    req,
                    bad,
                    "invalid_request",
                    "The api-version must be 2019-08-01.",
                );
            }
        }
    }
    let resource = match req.query_param("resource").filter(|r| !r.is_empty()) {
        Some(r) => r.to_owned(),
        None => {
            return host.error(
                req,
                bad,
                "invalid_request",
                "Required audience parameter not specified",
            );
        }
    };
    // Graph, or the emulator itself (which Connections built for it use as Graph's host).
    if ![GRAPH, shared.base_url.as_str()].contains(&resource.trim_end_matches('/')) {
        let tid = &shared.config.user.tid;
        return host.error(
            req,
            bad,
            "invalid_resource",
            &format!(
                "AADSTS500011: The resource principal named {resource} was not found in the tenant named {tid}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
            ),
        );
    }
    let Ok(requested) = selector(host, req) else {
        return host.error(
            req,
            bad,
            "invalid_request",
            "Only one of the user-assigned identity's client id, object id and resource id may be given",
        );
    };
    let Some(client_id) = shared.config.managed.find(requested.as_ref()) else {
        return match host {
            Host::Imds => host.error(req, bad, "invalid_request", "Identity not found"),
            Host::AppService => host.error(
                req,
                bad,
                "invalid_request",
                "Unable to load the proper Managed Identity.",
            ),
        };
    };
    let app = ClientApp::public(client_id);
    let issue = Issue {
        shared,
        client: &app,
        tenant: &shared.config.user.tid,
        user: None,
        nonce: None,
        scope: String::new(),
        now: req.now,
    };
    let scope = format!("{}/.default", resource.trim_end_matches('/'));
    let body = match issue.app_only(&mut shared.state(), &scope) {
        Ok(body) => body,
        Err(e) => return host.error(req, bad, e.error, &e.description),
    };
    let lifetime = body["expires_in"].as_u64().unwrap_or_default();
    let expires_on = req.now + lifetime as i64;
    let access_token = body["access_token"].clone();
    let reply = match host {
        Host::Imds => json!({
            "access_token": access_token,
            "client_id": client_id,
            "expires_in": lifetime.to_string(),
            "expires_on": expires_on.to_string(),
            "ext_expires_in": lifetime.to_string(),
            "not_before": req.now.to_string(),
            "resource": resource,
            "token_type": "Bearer",
        }),
        Host::AppService => json!({
            "access_token": access_token,
            "expires_on": expires_on.to_string(),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": client_id,
        }),
    };
    Reply::json(StatusCode::OK, &reply)
}

/// The unverified `iss` of a JWT, if it has one.
pub(super) fn assertion_issuer(assertion: &str) -> Option<String> {
    let payload = assertion.split('.').nth(1)?;
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        payload.trim_end_matches('='),
    )
    .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims["iss"].as_str().map(str::to_owned)
}

/// Checks a federated `client_assertion` against the client's federated credentials.
pub(super) fn verify_federated(client: &ClientApp, assertion: &str, now: i64) -> OAuthResult<()> {
    let malformed = || OAuthError::invalid_client(50_027, "JWT token is invalid or malformed.");
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| malformed())?;
    let payload = assertion.split('.').nth(1).ok_or_else(malformed)?;
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        payload.trim_end_matches('='),
    )
    .map_err(|_| malformed())?;
    let claims: Value = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    let text = |name: &str| claims[name].as_str().unwrap_or_default().to_owned();
    let (issuer, subject) = (text("iss"), text("sub"));
    let audiences: Vec<String> = match &claims["aud"] {
        Value::String(a) => vec![a.clone()],
        Value::Array(list) => list
            .iter()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
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
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        if header.alg != Algorithm::HS256
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
