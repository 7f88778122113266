//! Managed identity: tokens from the Azure host itself instead of the identity platform. On a VM
//! (and AKS node pools, Container Instances) the Instance Metadata Service answers
//! `GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…`
//! with `Metadata: true`; App Service and Functions publish their own endpoint in
//! `IDENTITY_ENDPOINT`, called with `api-version=2019-08-01` and the `X-IDENTITY-HEADER` secret
//! from `IDENTITY_HEADER`. A user-assigned identity is picked by its client id (`client_id=`),
//! its object (principal) id (IMDS `object_id=`, App Service `principal_id=`) or its Azure
//! resource id (IMDS `msi_res_id=`, App Service `mi_res_id=`).
//!
//! The token goes into the Connection's cache like a client-credentials token, so renewal before
//! expiry, once after a 401, and the single flight all apply.

use std::fmt;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::runtime::error::OAuthError;
use crate::{Error, Result};

/// The Instance Metadata Service's token endpoint.
pub const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// The cache's client id for a system-assigned identity (it has no client id of its own).
pub const SYSTEM_ASSIGNED_ID: &str = "system-assigned-managed-identity";

/// Where a managed identity's tokens come from.
#[derive(Clone)]
pub enum ManagedIdentitySource {
    /// The Instance Metadata Service (VMs, scale sets, AKS nodes).
    Imds {
        /// The token endpoint (default [`IMDS_ENDPOINT`]).
        endpoint: String,
    },
    /// The App Service / Functions endpoint (`IDENTITY_ENDPOINT`) and its secret header value
    /// (`IDENTITY_HEADER`).
    AppService {
        /// The token endpoint.
        endpoint: String,
        /// Sent as `X-IDENTITY-HEADER`.
        header: SecretString,
    },
}

impl fmt::Debug for ManagedIdentitySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManagedIdentitySource::Imds { endpoint } => {
                f.debug_struct("Imds").field("endpoint", endpoint).finish()
            }
            ManagedIdentitySource::AppService { endpoint, .. } => f
                .debug_struct("AppService")
                .field("endpoint", endpoint)
                .finish_non_exhaustive(),
        }
    }
}

/// How a user-assigned identity is named in the token request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserAssignedId {
    /// Its client (application) id.
    ClientId(String),
    /// Its object id, the id of its service principal.
    ObjectId(String),
    /// Its Azure resource id
    /// (`/subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/…`).
    ResourceId(String),
}

impl UserAssignedId {
    /// The id itself.
    pub fn as_str(&self) -> &str {
        match self {
            UserAssignedId::ClientId(id)
            | UserAssignedId::ObjectId(id)
            | UserAssignedId::ResourceId(id) => id,
        }
    }

    /// The query parameter naming it at `source`.
    fn parameter(&self, source: &ManagedIdentitySource) -> &'static str {
        let app_service = matches!(source, ManagedIdentitySource::AppService { .. });
        match (self, app_service) {
            (UserAssignedId::ClientId(_), _) => "client_id",
            (UserAssignedId::ObjectId(_), false) => "object_id",
            (UserAssignedId::ObjectId(_), true) => "principal_id",
            (UserAssignedId::ResourceId(_), false) => "msi_res_id",
            (UserAssignedId::ResourceId(_), true) => "mi_res_id",
        }
    }
}

/// A managed identity: system-assigned or user-assigned (by client, object or resource id),
/// and its source. Use it as `Credentials::managed_identity(…)` with the `credentials` auth
/// flow.
#[derive(Clone, Debug)]
pub struct ManagedIdentity {
    user_assigned: Option<UserAssignedId>,
    source: ManagedIdentitySource,
}

impl ManagedIdentity {
    /// The host's system-assigned identity, through IMDS.
    pub fn system_assigned() -> ManagedIdentity {
        ManagedIdentity {
            user_assigned: None,
            source: ManagedIdentitySource::Imds {
                endpoint: IMDS_ENDPOINT.to_owned(),
            },
        }
    }

    /// A user-assigned identity, by its client id, through IMDS.
    pub fn user_assigned(client_id: impl Into<String>) -> ManagedIdentity {
        ManagedIdentity::user_assigned_by(UserAssignedId::ClientId(client_id.into()))
    }

    /// A user-assigned identity named by its client, object or resource id, through IMDS.
    pub fn user_assigned_by(id: UserAssignedId) -> ManagedIdentity {
        ManagedIdentity {
            user_assigned: Some(id),
            ..ManagedIdentity::system_assigned()
        }
    }

    /// Uses IMDS at another address (tests, proxies).
    pub fn imds_endpoint(mut self, endpoint: impl Into<String>) -> ManagedIdentity {
        self.source = ManagedIdentitySource::Imds {
            endpoint: endpoint.into(),
        };
        self
    }

    /// Uses the App Service / Functions endpoint with its `X-IDENTITY-HEADER` value.
    pub fn app_service(
        mut self,
        endpoint: impl Into<String>,
        header: impl Into<String>,
    ) -> ManagedIdentity {
        self.source = ManagedIdentitySource::AppService {
            endpoint: endpoint.into(),
            header: SecretString::from(header.into()),
        };
        self
    }

    /// The source the environment describes: App Service when `IDENTITY_ENDPOINT` and
    /// `IDENTITY_HEADER` are set, else IMDS; user-assigned when `client_id` is given.
    pub fn from_env(client_id: Option<&str>) -> ManagedIdentity {
        ManagedIdentity::from_vars(client_id, |name| std::env::var(name).ok())
    }

    /// [`ManagedIdentity::from_env`] with the variables read by `var`.
    pub fn from_vars(
        client_id: Option<&str>,
        var: impl Fn(&str) -> Option<String>,
    ) -> ManagedIdentity {
        let base = match client_id {
            Some(id) => ManagedIdentity::user_assigned(id),
            None => ManagedIdentity::system_assigned(),
        };
        match (var("IDENTITY_ENDPOINT"), var("IDENTITY_HEADER")) {
            (Some(endpoint), Some(header)) if !endpoint.is_empty() => {
                base.app_service(endpoint, header)
            }
            _ => base,
        }
    }

    /// The user-assigned identity's client id, if it is named by one.
    pub fn client_id(&self) -> Option<&str> {
        match &self.user_assigned {
            Some(UserAssignedId::ClientId(id)) => Some(id),
            _ => None,
        }
    }

    /// How the user-assigned identity is named; `None` for the system-assigned one.
    pub fn user_assigned_id(&self) -> Option<&UserAssignedId> {
        self.user_assigned.as_ref()
    }

    /// Where the tokens come from.
    pub fn source(&self) -> &ManagedIdentitySource {
        &self.source
    }

    /// The id the token cache files the tokens under (the user-assigned identity's id, as it
    /// was given).
    pub(crate) fn cache_id(&self) -> &str {
        self.user_assigned
            .as_ref()
            .map_or(SYSTEM_ASSIGNED_ID, UserAssignedId::as_str)
    }
}

/// `https://graph.microsoft.com/.default` → `https://graph.microsoft.com` (managed identity
/// endpoints take a resource, not scopes).
fn resource_of(scopes: &[String]) -> Result<String> {
    let first = scopes.first().ok_or_else(|| {
        Error::invalid_input("a managed identity token needs a resource (a .default scope)")
    })?;
    Ok(first.strip_suffix("/.default").unwrap_or(first).to_owned())
}

impl ManagedIdentity {
    /// The token request's URL: the endpoint with its `api-version`, the resource of `scopes`
    /// and the user-assigned identity's parameter.
    pub(crate) fn token_url(&self, scopes: &[String]) -> Result<url::Url> {
        let resource = resource_of(scopes)?;
        let (endpoint, api_version) = match &self.source {
            ManagedIdentitySource::Imds { endpoint } => (endpoint, "2018-02-01"),
            ManagedIdentitySource::AppService { endpoint, .. } => (endpoint, "2019-08-01"),
        };
        let mut url = url::Url::parse(endpoint).map_err(|_| {
            Error::config(format!("invalid managed identity endpoint {endpoint:?}"))
        })?;
        let imds = matches!(self.source, ManagedIdentitySource::Imds { .. });
        super::cloud::check_identity_endpoint(&url, imds)?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("api-version", api_version);
            query.append_pair("resource", &resource);
            if let Some(id) = &self.user_assigned {
                query.append_pair(id.parameter(&self.source), id.as_str());
            }
        }
        Ok(url)
    }

    /// The header the host's endpoint wants: IMDS `Metadata: true`, App Service its secret
    /// `X-IDENTITY-HEADER` (marked sensitive).
    pub(crate) fn request_header(&self) -> Result<(&'static str, HeaderValue)> {
        match &self.source {
            ManagedIdentitySource::Imds { .. } => {
                Ok(("Metadata", HeaderValue::from_static("true")))
            }
            ManagedIdentitySource::AppService { header, .. } => {
                let mut value = HeaderValue::try_from(header.expose_secret())
                    .map_err(|_| Error::config("IDENTITY_HEADER is not a valid header value"))?;
                value.set_sensitive(true);
                Ok(("X-IDENTITY-HEADER", value))
            }
        }
    }
}

/// The typed error of a refused managed-identity token request: the OAuth error body IMDS
/// sends, App Service's own body, or the plain status.
pub(crate) fn refusal(status: reqwest::StatusCode, url: &url::Url, body: &[u8]) -> Error {
    match OAuthError::from_body(body).or_else(|| app_service_error(body)) {
        Some(oauth) => Error::oauth(
            "the managed identity endpoint refused the token request",
            Some(status),
            oauth,
        ),
        None => Error::from_status(status, url, body, None),
    }
}

/// App Service's error body, `{"statusCode", "message", "correlationId"}`, as an OAuth error
/// with MSAL's code for it, `managed_identity_request_failed`.
fn app_service_error(body: &[u8]) -> Option<OAuthError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct AppServiceError {
        message: String,
        #[serde(default)]
        correlation_id: Option<String>,
    }
    let error: AppServiceError = serde_json::from_slice(body).ok()?;
    Some(OAuthError {
        code: "managed_identity_request_failed".to_owned(),
        description: Some(error.message),
        correlation_id: error.correlation_id,
        ..OAuthError::default()
    })
}

/// The federated token of workload identity federation, read fresh (the file rotates).
pub(crate) fn read_federated_token(path: &std::path::Path) -> Result<SecretString> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::config(format!(
            "cannot read the federated token file {}",
            path.display()
        ))
        .with_source(e)
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::config(format!(
            "the federated token file {} is empty",
            path.display()
        )));
    }
    Ok(SecretString::from(token.to_owned()))
}
