//! What signing in is made of, beneath the Connection: the application's credentials (client
//! id, secret, certificate, federated token, managed identity), the clouds and authorities, the
//! certificate assertion, the managed-identity endpoints, and the random values of the flows.
//! Nothing here sends a request or names the `Connection`.
//!
//! The flows themselves (`conn.sign_in().…`, refresh, the token endpoint) run on the
//! Connection's transport and live in `connection/sign_in/`; the public `o365::identity`
//! module (`src/lib.rs`) shows both together.

pub(crate) mod assertion;
mod cloud;
pub(crate) mod credentials;
pub(crate) mod managed;
pub(crate) mod random;

use std::time::Duration;

pub use crate::runtime::error::OAuthError;
pub use cloud::{Authority, Cloud};
pub use credentials::{
    AssertionAlgorithm, AuthFlow, AuthFlowType, CertificateCredential, Credentials,
};
pub use managed::{
    IMDS_ENDPOINT, ManagedIdentity, ManagedIdentitySource, SYSTEM_ASSIGNED_ID, UserAssignedId,
};
#[cfg(feature = "emulator")]
pub(crate) use random::{pkce_challenge, urlsafe_token, uuid4};

/// How long before expiry the pipeline refreshes an access token by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// Scopes every delegated sign-in asks for; never prefixed (the same constant as
/// [`protocol::RESERVED_SCOPES`](crate::protocol::RESERVED_SCOPES)).
pub use crate::protocol::RESERVED_SCOPES as DELEGATED_RESERVED_SCOPES;
