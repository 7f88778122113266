//! Who the application is (client id, secret or certificate) and which OAuth flow it signs in with.

use std::fmt;

use secrecy::SecretString;

/// Which signature and thumbprint header a certificate assertion uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AssertionAlgorithm {
    /// RS256 with `x5t` (SHA-1 thumbprint): what MSAL sends by default. The default.
    #[default]
    Rs256,
    /// PS256 with `x5t#S256` (SHA-256 thumbprint), which newer Entra ID tenants prefer.
    Ps256,
}

/// The OAuth flow a [`Connection`](crate::Connection) uses. python-o365's `auth_flow_type`;
/// an unknown flow is unrepresentable here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AuthFlowType {
    /// Authorization code with PKCE, confidential client (secret or certificate). The default.
    #[default]
    Authorization,
    /// Authorization code with PKCE, public client (client id only).
    Public,
    /// Client credentials (app-only), secret or certificate; needs a tenant.
    Credentials,
    /// Resource owner password (ROPC), public client; needs a tenant.
    Password,
    /// Device code (RFC 8628), public client; for machines without a browser.
    DeviceCode,
}

/// The former name of [`AuthFlowType`], kept so that existing code compiles (it read too much like
/// [`AuthorizationFlow`](crate::AuthorizationFlow), the pending authorization-code sign-in).
pub type AuthFlow = AuthFlowType;

impl AuthFlowType {
    /// The flow's name as python-o365 spells it (`authorization`, `public`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthFlowType::Authorization => "authorization",
            AuthFlowType::Public => "public",
            AuthFlowType::Credentials => "credentials",
            AuthFlowType::Password => "password",
            AuthFlowType::DeviceCode => "device_code",
        }
    }

    /// Whether the flow signs in as the application itself (no user).
    pub fn is_app_only(self) -> bool {
        self == AuthFlowType::Credentials
    }

    /// Whether the flow needs a client secret or certificate (confidential client).
    pub fn is_confidential(self) -> bool {
        matches!(
            self,
            AuthFlowType::Authorization | AuthFlowType::Credentials
        )
    }
}

impl fmt::Display for AuthFlowType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A certificate credential for a confidential client: the private key signs a JWT client
/// assertion instead of sending a secret.
#[derive(Clone)]
pub struct CertificateCredential {
    /// PEM-encoded private key (PKCS#8 or PKCS#1 RSA).
    pub private_key_pem: SecretString,
    /// PEM-encoded public certificate; its thumbprints go into the assertion header.
    pub certificate_pem: String,
    /// RS256 + `x5t` (default, as MSAL) or PS256 + `x5t#S256`.
    pub algorithm: AssertionAlgorithm,
}

impl CertificateCredential {
    /// Signs with `algorithm` instead of the default RS256.
    pub fn with_algorithm(mut self, algorithm: AssertionAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }
}

impl fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateCredential")
            .field("private_key_pem", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// The application's credentials (python-o365's `credentials` tuple).
#[derive(Clone)]
pub enum Credentials {
    /// Client id only: public and password flows.
    ClientId(String),
    /// Client id and secret: confidential authorization or client-credentials flows.
    ClientSecret {
        /// The application (client) id.
        client_id: String,
        /// The client secret.
        secret: SecretString,
    },
    /// Client id and a certificate: confidential flows without a shared secret.
    Certificate {
        /// The application (client) id.
        client_id: String,
        /// The certificate and its private key.
        certificate: CertificateCredential,
    },
    /// Workload identity federation: the token in `token_file` (as AKS and GitHub Actions
    /// provide, re-read for every request since it rotates) is sent as the `client_assertion`
    /// of the client-credentials grant.
    FederatedToken {
        /// The application (client) id.
        client_id: String,
        /// The federated token file (`AZURE_FEDERATED_TOKEN_FILE` on AKS).
        token_file: std::path::PathBuf,
    },
    /// A managed identity (IMDS or App Service), with the client-credentials flow: tokens come
    /// from the host, not the identity platform.
    ManagedIdentity(super::ManagedIdentity),
}

impl Credentials {
    /// Client id only (public / password / device-code flows).
    pub fn client_id(client_id: impl Into<String>) -> Credentials {
        Credentials::ClientId(client_id.into())
    }

    /// Client id and secret.
    pub fn client_secret(client_id: impl Into<String>, secret: impl Into<String>) -> Credentials {
        Credentials::ClientSecret {
            client_id: client_id.into(),
            secret: SecretString::from(secret.into()),
        }
    }

    /// Client id and a certificate credential.
    pub fn certificate(
        client_id: impl Into<String>,
        private_key_pem: impl Into<String>,
        certificate_pem: impl Into<String>,
    ) -> Credentials {
        Credentials::Certificate {
            client_id: client_id.into(),
            certificate: CertificateCredential {
                private_key_pem: SecretString::from(private_key_pem.into()),
                certificate_pem: certificate_pem.into(),
                algorithm: Default::default(),
            },
        }
    }

    /// Workload identity federation: `client_id` with the federated token in `token_file`.
    pub fn federated_token(
        client_id: impl Into<String>,
        token_file: impl Into<std::path::PathBuf>,
    ) -> Credentials {
        Credentials::FederatedToken {
            client_id: client_id.into(),
            token_file: token_file.into(),
        }
    }

    /// Workload identity federation as AKS sets it up: `AZURE_CLIENT_ID` and
    /// `AZURE_FEDERATED_TOKEN_FILE` (the tenant is in `AZURE_TENANT_ID`).
    pub fn federated_token_from_env() -> crate::Result<Credentials> {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| crate::Error::config(format!("{name} is not set")))
        };
        Ok(Credentials::federated_token(
            var("AZURE_CLIENT_ID")?,
            var("AZURE_FEDERATED_TOKEN_FILE")?,
        ))
    }

    /// A managed identity (use it with the `credentials` auth flow).
    pub fn managed_identity(identity: super::ManagedIdentity) -> Credentials {
        Credentials::ManagedIdentity(identity)
    }

    /// The application (client) id.
    pub fn id(&self) -> &str {
        match self {
            Credentials::ClientId(id) => id,
            Credentials::ClientSecret { client_id, .. }
            | Credentials::Certificate { client_id, .. }
            | Credentials::FederatedToken { client_id, .. } => client_id,
            Credentials::ManagedIdentity(identity) => identity.cache_id(),
        }
    }

    /// Checks the credentials against the flow (python-o365's rules for which credentials each flow needs, made stricter where
    /// python accepted an empty client id or secret).
    pub(crate) fn validate(&self, flow: AuthFlowType) -> crate::Result<()> {
        use secrecy::ExposeSecret;
        if self.id().trim().is_empty() {
            return Err(crate::Error::config(
                "Provide valid auth credentials: the client id is empty",
            ));
        }
        match (flow.is_confidential(), self) {
            (false, Credentials::ClientId(_)) => Ok(()),
            (false, _) => Err(crate::Error::config(format!(
                "Provide client id only for public or password flow credentials (flow \"{flow}\" got a secret or certificate)"
            ))),
            (true, Credentials::ClientId(_)) => Err(crate::Error::config(format!(
                "Provide valid auth credentials: flow \"{flow}\" needs a client secret or certificate"
            ))),
            (true, Credentials::ClientSecret { secret, .. })
                if secret.expose_secret().is_empty() =>
            {
                Err(crate::Error::config(
                    "Provide valid auth credentials: the client secret is empty",
                ))
            }
            (true, _) => Ok(()),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Credentials::ClientId(_) => "ClientId",
            Credentials::ClientSecret { .. } => "ClientSecret",
            Credentials::Certificate { .. } => "Certificate",
            Credentials::FederatedToken { .. } => "FederatedToken",
            Credentials::ManagedIdentity(_) => "ManagedIdentity",
        };
        f.debug_struct(kind)
            .field("client_id", &self.id())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_flows_take_client_id_only() {
        assert!(
            Credentials::client_id("id")
                .validate(AuthFlowType::Public)
                .is_ok()
        );
        assert!(
            Credentials::client_id("id")
                .validate(AuthFlowType::Password)
                .is_ok()
        );
        let err = Credentials::client_secret("id", "s")
            .validate(AuthFlowType::Public)
            .unwrap_err();
        assert!(err.is_config());
        assert!(err.to_string().contains("client id only"), "{err}");
    }

    #[test]
    fn confidential_flows_need_a_secret_or_certificate() {
        assert!(
            Credentials::client_secret("id", "s")
                .validate(AuthFlowType::Authorization)
                .is_ok()
        );
        assert!(
            Credentials::certificate("id", "k", "c")
                .validate(AuthFlowType::Credentials)
                .is_ok()
        );
        assert!(
            Credentials::client_id("id")
                .validate(AuthFlowType::Credentials)
                .unwrap_err()
                .is_config()
        );
        assert!(
            Credentials::client_secret("id", "")
                .validate(AuthFlowType::Credentials)
                .is_err()
        );
        assert!(
            Credentials::client_secret(" ", "s")
                .validate(AuthFlowType::Credentials)
                .is_err()
        );
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::client_secret("app", "hunter2-secret");
        let k = Credentials::certificate("app", "-----BEGIN PRIVATE KEY----- sekrit", "cert");
        for text in [format!("{c:?}"), format!("{k:?}")] {
            assert!(text.contains("app"));
            assert!(
                !text.contains("hunter2") && !text.contains("sekrit"),
                "{text}"
            );
        }
    }
}
