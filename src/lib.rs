#![doc = include_str!("../README.md")]

mod runtime;

#[allow(missing_docs, clippy::all)]
pub mod generated;

pub use identity::{
    AuthorizationFlow, Cloud, ConsentMode, OAuthError, SignIn, oauth_authentication_flow,
};
pub use runtime::batch;
#[cfg(feature = "blocking")]
pub use runtime::blocking;
pub use runtime::clock;
pub use runtime::connection::{
    AuthFlow, AuthFlowType, Body, CertificateCredential, Connection, ConnectionBuilder,
    Credentials, Json, ProxyConfig, RequestBuilder, RequestOptions, Response, RetryPolicy,
};
pub use runtime::connection::{Http, SHARED_RETRY_AFTER, SharedPacing};
pub use runtime::delta;
#[cfg(feature = "codegen")]
pub mod drive_item;
pub use runtime::error::{Error, ErrorKind, GraphError, GraphErrorResponse, InnerError, Result};
/// Parsers of outside data with their invariants, for `fuzz/` and `tests/fuzz_corpus.rs`.
#[doc(hidden)]
pub use runtime::fuzzing;

/// Signing in: the OAuth 2.0 flows of the Microsoft identity platform, all on
/// [`SignIn`] (`conn.sign_in().…`), and the refresh policy the request pipeline applies.
///
/// - Authorization code + PKCE: [`SignIn::authorization_url`] then [`SignIn::request_token`]
///   (or [`SignIn::interactively`], which does both by pasting or with a loopback redirect;
///   [`oauth_authentication_flow`] is python-o365's one-call helper).
/// - Client credentials (secret or certificate): [`SignIn::client_credentials`].
/// - Password (ROPC): [`SignIn::password`].
/// - Device code: [`SignIn::device_code`].
/// - Managed identity (IMDS, App Service) and workload identity federation: the credentials
///   [`Credentials::managed_identity`](crate::Credentials::managed_identity) and
///   [`Credentials::federated_token`](crate::Credentials::federated_token) with the client
///   credentials flow.
/// - Continuous access evaluation: client capabilities and claims challenges (`claims.rs`).
/// - Refresh: automatic in the pipeline (before expiry, and once after a 401 or a token 403),
///   single-flight in the process and, with [`FileTokenBackend`](crate::token::FileTokenBackend),
///   across processes; or explicit with [`SignIn::renew`].
///
/// python-o365's names ([`Connection::get_authorization_url`](crate::Connection::get_authorization_url),
/// [`Connection::request_token`](crate::Connection::request_token),
/// [`Connection::refresh_token`](crate::Connection::refresh_token), …) stay on the Connection
/// and forward to [`SignIn`].
///
/// Identity requests use the Connection's HTTP client (proxy, TLS, timeouts, user agent) but not
/// the Graph pipeline's auth, pacing or retries.
///
/// In the source, the flows (`SignIn` and the token endpoint, on the Connection's transport) are
/// in `src/runtime/connection/sign_in/`, what they are made of (credentials, clouds, assertions,
/// managed identities) in `src/runtime/identity/`, beneath the Connection.
pub mod identity {
    pub use crate::runtime::connection::oauth_authentication_flow;
    pub use crate::runtime::connection::sign_in::{
        AuthorizationFlow, ConsentMode, DEFAULT_REDIRECT_URI, DeviceCodePrompt, SignIn, UrlHook,
    };
    pub use crate::runtime::identity::*;
}
pub use runtime::notifications;
pub use runtime::odata;
pub use runtime::protocol;
#[cfg(feature = "redis")]
pub use runtime::redis;
#[cfg(feature = "schemars")]
pub mod schema;
pub use runtime::token;
pub use runtime::typed;
pub use runtime::upload::{DEFAULT_UPLOAD_CHUNK, UPLOAD_CHUNK_UNIT, UploadSession};

#[cfg(feature = "emulator")]
pub mod emulator;
