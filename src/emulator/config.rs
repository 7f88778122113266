//! What the emulator is configured with: registered applications, the test user, lifetimes.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

pub(crate) mod managed;

use managed::{FederatedCredential, ManagedIdentities};

/// Client id of the public application registered when no client is configured.
pub const PUBLIC_CLIENT_ID: &str = "9e5f94bc-e8a4-4e73-b8be-63364c29d753";
/// Client id of the confidential application registered when no client is configured.
pub const CONFIDENTIAL_CLIENT_ID: &str = "5c5e0a7b-1d2f-4a39-9c3e-0e365e3a1b0c";
/// Client secret of [`CONFIDENTIAL_CLIENT_ID`] (a test value, not a secret).
pub const CONFIDENTIAL_CLIENT_SECRET: &str = "emulator-secret~not.a.real.secret";
/// Redirect URIs registered for the default applications.
pub const DEFAULT_REDIRECT_URIS: [&str; 2] = [
    "http://localhost",
    "https://login.microsoftonline.com/common/oauth2/nativeclient",
];

/// An application registered with the emulated identity platform.
///
/// Without a secret or certificate it is a *public* client (it must not authenticate); with
/// either it is *confidential* (it must authenticate on every token request).
#[derive(Clone)]
pub struct ClientApp {
    pub(crate) client_id: String,
    pub(crate) secret: Option<SecretString>,
    pub(crate) certificate_pem: Option<String>,
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) granted_scopes: Option<Vec<String>>,
    pub(crate) federated_credentials: Vec<FederatedCredential>,
}

impl ClientApp {
    /// A public client with no redirect URI.
    pub fn public(client_id: impl Into<String>) -> ClientApp {
        ClientApp {
            client_id: client_id.into(),
            secret: None,
            certificate_pem: None,
            redirect_uris: Vec::new(),
            granted_scopes: None,
            federated_credentials: Vec::new(),
        }
    }

    /// A confidential client that authenticates with `secret`.
    pub fn confidential(client_id: impl Into<String>, secret: impl Into<String>) -> ClientApp {
        ClientApp::public(client_id).with_secret(secret)
    }

    /// Sets the client secret.
    pub fn with_secret(mut self, secret: impl Into<String>) -> ClientApp {
        self.secret = Some(SecretString::from(secret.into()));
        self
    }

    /// Registers a certificate (`CERTIFICATE` PEM) or RSA public key (`PUBLIC KEY` PEM) whose
    /// private key signs `client_assertion` JWTs (RS256 or PS256).
    pub fn with_certificate(mut self, pem: impl Into<String>) -> ClientApp {
        self.certificate_pem = Some(pem.into());
        self
    }

    /// Adds an allowed redirect URI (exact match, as Entra ID does, except that a loopback URI
    /// such as `http://localhost` accepts any port, as Entra ID does for native apps).
    pub fn with_redirect_uri(mut self, uri: impl Into<String>) -> ClientApp {
        self.redirect_uris.push(uri.into());
        self
    }

    /// Limits the delegated scopes consented for this client (e.g. `["User.Read", "Mail.Read"]`);
    /// asking for another scope fails with `AADSTS65001`. Without this every scope is granted.
    pub fn with_granted_scopes<I, S>(mut self, scopes: I) -> ClientApp
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.granted_scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Trusts federated tokens (workload identity federation) from `credential`'s issuer and
    /// subject as this client's `client_assertion`; the client becomes confidential.
    pub fn with_federated_credential(mut self, credential: FederatedCredential) -> ClientApp {
        self.federated_credentials.push(credential);
        self
    }

    /// The application (client) id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether the client must authenticate (has a secret, a certificate or a federated
    /// credential).
    pub fn is_confidential(&self) -> bool {
        self.secret.is_some()
            || self.certificate_pem.is_some()
            || !self.federated_credentials.is_empty()
    }

    /// Whether `uri` matches a registered redirect URI: exactly, or for loopback URIs
    /// (`http://localhost`, `http://127.0.0.1`) with any port and `/` for an empty path.
    pub(crate) fn accepts_redirect(&self, uri: &str) -> bool {
        let loopback = |u: &url::Url| {
            matches!(u.host_str(), Some("localhost" | "127.0.0.1")) && u.scheme() == "http"
        };
        let given = url::Url::parse(uri).ok().filter(loopback);
        self.redirect_uris.iter().any(|registered| {
            registered == uri
                || given.as_ref().is_some_and(|given| {
                    url::Url::parse(registered).is_ok_and(|r| {
                        loopback(&r)
                            && r.host_str() == given.host_str()
                            && r.path() == given.path()
                            && r.query() == given.query()
                    })
                })
        })
    }

    pub(crate) fn secret_matches(&self, given: &str) -> bool {
        self.secret
            .as_ref()
            .is_some_and(|s| s.expose_secret() == given)
    }
}

impl fmt::Debug for ClientApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientApp")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "[REDACTED]"))
            .field("certificate", &self.certificate_pem.is_some())
            .field("redirect_uris", &self.redirect_uris)
            .field("granted_scopes", &self.granted_scopes)
            .field("federated_credentials", &self.federated_credentials)
            .finish()
    }
}

/// The signed-in user of every delegated flow, and the owner of the seeded mailbox.
#[derive(Clone, Debug)]
pub struct TestUser {
    /// Object id (`oid` claim, Graph `id`).
    pub oid: String,
    /// Tenant id (`tid` claim).
    pub tid: String,
    /// Sign-in name (`preferred_username`, Graph `userPrincipalName` and `mail`).
    pub preferred_username: String,
    /// Display name (`name` claim).
    pub name: String,
    /// Password accepted by the ROPC (`password`) grant.
    pub password: SecretString,
}

impl Default for TestUser {
    fn default() -> TestUser {
        TestUser {
            oid: "8f3c2a61-5b7e-4d0a-9c1f-2e6d4b8a0c35".into(),
            tid: "72f988bf-0000-4e65-8d0c-0e365e3a7e57".into(),
            preferred_username: "AdeleV@contoso.onmicrosoft.com".into(),
            name: "Adele Vance".into(),
            password: SecretString::from("Emulator-P@ssw0rd"),
        }
    }
}

/// Device-code flow behaviour.
#[derive(Clone, Debug)]
pub(crate) struct DeviceSettings {
    pub polls_before_approval: u32,
    pub interval: Duration,
    pub lifetime: Duration,
}

/// Everything the builder collected.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub clients: Vec<ClientApp>,
    pub user: TestUser,
    pub access_token_lifetime: Duration,
    pub refresh_token_lifetime: Duration,
    pub device: DeviceSettings,
    /// The managed identities of the emulated host.
    pub managed: ManagedIdentities,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            clients: Vec::new(),
            user: TestUser::default(),
            access_token_lifetime: Duration::from_secs(3600),
            refresh_token_lifetime: Duration::from_secs(90 * 86_400),
            device: DeviceSettings {
                polls_before_approval: 1,
                interval: Duration::from_secs(5),
                lifetime: Duration::from_secs(900),
            },
            managed: ManagedIdentities::default(),
        }
    }
}

impl Config {
    /// Registers the two default applications when none was configured (the confidential one
    /// also trusts the emulator's federated tokens), and the default user-assigned identity.
    pub(crate) fn with_default_clients(mut self) -> Config {
        self.managed = self.managed.with_defaults();
        if self.clients.is_empty() {
            for app in [
                ClientApp::public(PUBLIC_CLIENT_ID),
                ClientApp::confidential(CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET)
                    .with_federated_credential(FederatedCredential::emulator()),
            ] {
                self.clients.push(
                    DEFAULT_REDIRECT_URIS
                        .iter()
                        .fold(app, |app, uri| app.with_redirect_uri(*uri)),
                );
            }
        }
        self
    }

    pub(crate) fn client(&self, client_id: &str) -> Option<&ClientApp> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_accept_any_port_other_uris_match_exactly() {
        let app = ClientApp::public("app")
            .with_redirect_uri("http://localhost")
            .with_redirect_uri("https://app.example/cb");
        assert!(app.accepts_redirect("http://localhost"));
        assert!(app.accepts_redirect("http://localhost:53817/"));
        assert!(!app.accepts_redirect("http://localhost:53817/other"));
        assert!(!app.accepts_redirect("https://localhost:53817/"));
        assert!(!app.accepts_redirect("http://127.0.0.1:53817/"));
        assert!(app.accepts_redirect("https://app.example/cb"));
        assert!(!app.accepts_redirect("https://app.example:8443/cb"));
    }
}
