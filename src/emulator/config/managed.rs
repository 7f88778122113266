//! The managed identities of the emulated host and the federated credentials of applications:
//! what the managed-identity endpoints and the token endpoint's federated client assertions are
//! checked against (the routes are in `emulator/identity/managed.rs` and `federated.rs`).

use secrecy::SecretString;

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
    pub(crate) fn find(&self, selector: Option<&Selector>) -> Option<&str> {
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
pub(crate) enum SelectorKind {
    Client,
    Object,
    Resource,
}

/// A user-assigned identity as a token request names it.
pub(crate) struct Selector {
    pub(crate) kind: SelectorKind,
    pub(crate) value: String,
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
