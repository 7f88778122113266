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
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::OAuthResult;
use super::issue::Issue;
use crate::emulator::config::ClientApp;
pub use crate::emulator::config::managed::{
    FEDERATED_AUDIENCE, FEDERATED_ISSUER, FEDERATED_SUBJECT, FederatedCredential, IDENTITY_HEADER,
    SYSTEM_ASSIGNED_CLIENT_ID, USER_ASSIGNED_CLIENT_ID, user_assigned_object_id,
    user_assigned_resource_id,
};
use crate::emulator::config::managed::{Selector, SelectorKind};
use crate::emulator::state::Shared;
use crate::emulator::wire::{Reply, Req};

/// Path of the emulated IMDS token endpoint.
pub const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
/// Path of the emulated App Service / Functions identity endpoint (`IDENTITY_ENDPOINT`).
pub const APP_SERVICE_PATH: &str = "/msi/token";

/// The resource the emulator issues tokens for (besides its own base URL).
const GRAPH: &str = "https://graph.microsoft.com";

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

    /// The host's 400 `invalid_request` reply.
    fn invalid_request(self, req: &Req, message: &str) -> Reply {
        self.error(req, StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// The host's token reply (numbers as strings, as the hosts send them).
    fn token_reply(self, body: &Value, client_id: &str, resource: &str, now: i64) -> Value {
        let lifetime = body["expires_in"].as_u64().unwrap_or_default();
        let expires_on = now + lifetime as i64;
        let access_token = body["access_token"].clone();
        match self {
            Host::Imds => json!({
                "access_token": access_token,
                "client_id": client_id,
                "expires_in": lifetime.to_string(),
                "expires_on": expires_on.to_string(),
                "ext_expires_in": lifetime.to_string(),
                "not_before": now.to_string(),
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

/// Answers a token request to `host`: its own error shape for a refused one.
fn token(shared: &Shared, host: Host, req: &Req) -> Reply {
    answer(shared, host, req).unwrap_or_else(|refused| refused)
}

/// The host's checks, the requested resource and identity, then the token.
fn answer(shared: &Shared, host: Host, req: &Req) -> Result<Reply, Reply> {
    if req.method != http::Method::GET {
        return Err(host.error(
            req,
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "The endpoint only accepts GET requests.",
        ));
    }
    match host {
        Host::Imds => check_imds(req)?,
        Host::AppService => check_app_service(shared, req)?,
    }
    let resource = resource(shared, host, req)?;
    let client_id = identity(shared, host, req)?;
    let body = issue(shared, client_id, &resource, req.now)
        .map_err(|e| host.error(req, StatusCode::BAD_REQUEST, e.error, &e.description))?;
    let reply = host.token_reply(&body, client_id, &resource, req.now);
    Ok(Reply::json(StatusCode::OK, &reply))
}

/// IMDS wants `Metadata: true` and a dated `api-version` from 2018-02-01 on.
fn check_imds(req: &Req) -> Result<(), Reply> {
    let host = Host::Imds;
    if req.header("metadata") != Some("true") {
        return Err(host.invalid_request(req, "Required metadata header not specified"));
    }
    match req.query_param("api-version") {
        None | Some("") => {
            Err(host.invalid_request(req, "Required query variable 'api-version' is missing"))
        }
        Some(v) if v < "2018-02-01" || v.len() != 10 => {
            Err(host.invalid_request(req, "Invalid api-version"))
        }
        Some(_) => Ok(()),
    }
}

/// App Service wants the configured `X-IDENTITY-HEADER` and `api-version=2019-08-01`.
fn check_app_service(shared: &Shared, req: &Req) -> Result<(), Reply> {
    let host = Host::AppService;
    let expected = shared.config.managed.identity_header.expose_secret();
    if req.header("x-identity-header") != Some(expected) {
        return Err(host.error(
            req,
            StatusCode::UNAUTHORIZED,
            "invalid_request",
            "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.",
        ));
    }
    if req.query_param("api-version") != Some("2019-08-01") {
        return Err(host.invalid_request(req, "The api-version must be 2019-08-01."));
    }
    Ok(())
}

/// The `resource` asked for: Graph, or the emulator itself (which Connections built for it use
/// as Graph's host).
fn resource(shared: &Shared, host: Host, req: &Req) -> Result<String, Reply> {
    let resource = req
        .query_param("resource")
        .filter(|r| !r.is_empty())
        .ok_or_else(|| host.invalid_request(req, "Required audience parameter not specified"))?;
    if ![GRAPH, shared.base_url.as_str()].contains(&resource.trim_end_matches('/')) {
        let tid = &shared.config.user.tid;
        return Err(host.error(
            req,
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            &format!(
                "AADSTS500011: The resource principal named {resource} was not found in the tenant named {tid}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
            ),
        ));
    }
    Ok(resource.to_owned())
}

/// The client id of the identity the request selects (the system-assigned one without a
/// selector).
fn identity<'a>(shared: &'a Shared, host: Host, req: &Req) -> Result<&'a str, Reply> {
    let requested = selector(host, req).map_err(|()| {
        host.invalid_request(
            req,
            "Only one of the user-assigned identity's client id, object id and resource id may be given",
        )
    })?;
    shared
        .config
        .managed
        .find(requested.as_ref())
        .ok_or_else(|| match host {
            Host::Imds => host.invalid_request(req, "Identity not found"),
            Host::AppService => {
                host.invalid_request(req, "Unable to load the proper Managed Identity.")
            }
        })
}

/// An app-only token for `resource`, recorded like a client-credentials one.
fn issue(shared: &Shared, client_id: &str, resource: &str, now: i64) -> OAuthResult<Value> {
    let app = ClientApp::public(client_id);
    let issue = Issue {
        shared,
        client: &app,
        tenant: &shared.config.user.tid,
        user: None,
        nonce: None,
        scope: String::new(),
        now,
    };
    let scope = format!("{}/.default", resource.trim_end_matches('/'));
    issue.app_only(&mut shared.state(), &scope)
}
