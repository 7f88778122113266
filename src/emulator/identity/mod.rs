//! The Microsoft identity platform v2.0 endpoints: `/{tenant}/oauth2/v2.0/authorize`, `/token`,
//! `/devicecode`, and the OpenID configuration document.
//!
//! This file holds the dispatch and the OAuth error reply; `authorize.rs` the browser and
//! device-code endpoints, `token.rs` the token endpoint (one function per grant and the client
//! authentication), `checks.rs` the checks of codes, refresh tokens and passwords, `issue.rs`
//! the tokens themselves, `managed.rs` the managed-identity host endpoints (IMDS, App Service)
//! and `federated.rs` the checks of federated client assertions and the emulator's own
//! federated tokens.

use http::{Method, StatusCode};
use serde_json::json;

mod authorize;
mod checks;
mod federated;
mod issue;
mod managed;
mod token;

use super::config::ClientApp;
use super::state::Shared;
use super::util;
use super::wire::{Reply, Req};

pub(crate) use federated::federated_token;
pub(crate) use issue::issue_user_tokens;
pub(crate) use managed::handle as managed_identity;
pub use managed::{
    APP_SERVICE_PATH, FEDERATED_AUDIENCE, FEDERATED_ISSUER, FEDERATED_SUBJECT, FederatedCredential,
    IDENTITY_HEADER, IMDS_PATH, SYSTEM_ASSIGNED_CLIENT_ID, USER_ASSIGNED_CLIENT_ID,
    user_assigned_object_id, user_assigned_resource_id,
};

/// Graph's resource URI, stripped from delegated scopes in token responses.
const GRAPH_RESOURCE: &str = "https://graph.microsoft.com/";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// Authorization codes live this long (seconds).
const CODE_LIFETIME: i64 = 600;

/// An OAuth error as the identity platform reports it.
#[derive(Debug)]
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    description: String,
    suberror: Option<&'static str>,
}

type OAuthResult<T> = std::result::Result<T, OAuthError>;

impl OAuthError {
    fn new(error: &'static str, code: u32, description: impl Into<String>) -> OAuthError {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            code,
            description: description.into(),
            suberror: None,
        }
    }

    fn invalid_client(code: u32, description: impl Into<String>) -> OAuthError {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            ..OAuthError::new("invalid_client", code, description)
        }
    }

    fn missing(parameter: &str) -> OAuthError {
        OAuthError::new(
            "invalid_request",
            900_144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    fn invalid_grant(code: u32, description: impl Into<String>) -> OAuthError {
        OAuthError::new("invalid_grant", code, description)
    }

    fn reply(&self, req: &Req) -> Reply {
        let timestamp = util::iso(req.now).replace('T', " ");
        let mut body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {} Correlation ID: {} Timestamp: {timestamp}",
                self.code, self.description, req.request_id, req.client_request_id()
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": req.request_id,
            "correlation_id": req.client_request_id(),
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        if let Some(sub) = self.suberror {
            body["suberror"] = json!(sub);
        }
        Reply::json(self.status, &body)
    }
}

/// Form fields of a token request (first value per name).
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> OAuthResult<&str> {
        self.get(name).ok_or_else(|| OAuthError::missing(name))
    }
}

/// Dispatches `/{tenant}/oauth2/v2.0/{endpoint}`.
pub(crate) fn handle(shared: &Shared, tenant: &str, endpoint: &str, req: &Req) -> Option<Reply> {
    Some(match (endpoint, &req.method) {
        ("authorize", &Method::GET) => authorize::authorize(shared, req),
        ("token", &Method::POST) => {
            token::token(shared, tenant, req).unwrap_or_else(|e| e.reply(req))
        }
        ("devicecode", &Method::POST) => {
            authorize::devicecode(shared, req).unwrap_or_else(|e| e.reply(req))
        }
        ("token" | "devicecode", _) => OAuthError::new(
            "invalid_request",
            900_561,
            "The endpoint only accepts POST, OPTIONS requests.",
        )
        .reply(req),
        _ => return None,
    })
}

/// The OpenID Connect discovery document for `tenant`.
pub(crate) fn openid_configuration(shared: &Shared, tenant: &str) -> Reply {
    let base = &shared.base_url;
    let tid = &shared.config.user.tid;
    Reply::json(
        StatusCode::OK,
        &json!({
            "issuer": format!("{base}/{tid}/v2.0"),
            "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
            "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
            "device_authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/devicecode"),
            "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "code_challenge_methods_supported": ["S256"],
            "tenant_region_scope": "WW",
        }),
    )
}

fn client<'a>(shared: &'a Shared, client_id: &str) -> OAuthResult<&'a ClientApp> {
    shared.config.client(client_id).ok_or_else(|| {
        OAuthError::new(
            "unauthorized_client",
            700_016,
            format!("Application with identifier '{client_id}' was not found in the directory."),
        )
    })
}
