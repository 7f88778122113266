#![doc = include_str!("../README.md")]

mod runtime;

#[allow(missing_docs, clippy::all)]
pub mod generated;

pub use runtime::batch;
#[cfg(feature = "blocking")]
pub use runtime::blocking;
pub use runtime::clock;
pub use runtime::connection::{
    AuthFlow, AuthFlowType, Body, CertificateCredential, Connection, ConnectionBuilder,
    Credentials, Json, ProxyConfig, RequestBuilder, RequestOptions, Response, RetryPolicy,
};
pub use runtime::connection::{SHARED_RETRY_AFTER, SharedPacing};
pub use runtime::delta;
pub use runtime::error::{Error, ErrorKind, GraphError, GraphErrorResponse, InnerError, Result};
/// Parsers of outside data with their invariants, for `fuzz/` and `tests/fuzz_corpus.rs`.
#[doc(hidden)]
pub use runtime::fuzzing;
pub use runtime::identity;
pub use runtime::identity::{
    AuthorizationFlow, Cloud, ConsentMode, OAuthError, SignIn, oauth_authentication_flow,
};
pub use runtime::notifications;
pub use runtime::odata;
pub use runtime::protocol;
#[cfg(feature = "redis")]
pub use runtime::redis;
#[cfg(feature = "schemars")]
pub use runtime::schema;
pub use runtime::token;
pub use runtime::typed;
pub use runtime::upload::{DEFAULT_UPLOAD_CHUNK, UPLOAD_CHUNK_UNIT, UploadSession};

#[cfg(feature = "emulator")]
pub mod emulator;
