//! Tokens: the MSAL token cache python-o365 stores ([`TokenCache`]), where it is persisted
//! ([`TokenBackend`]: [`FileTokenBackend`], [`MemoryTokenBackend`], [`EnvTokenBackend`]) and the
//! two together as a Connection holds them ([`TokenStore`]).
//!
//! Files written here are byte-identical to what python-o365 2.1 writes for the same cache, so
//! both can share one token file.

mod add;
mod backend;
mod cache;
mod entries;
mod env;
mod file;
mod memory;
mod pyjson;
mod response;
mod store;

pub use backend::{RefreshDecision, RefreshGuard, TokenBackend, TokenCipher};
pub use cache::{AccountSelector, RESERVED_SCOPES, Section, TokenCache};
pub use entries::{
    AccessTokenEntry, AccountEntry, AppMetadataEntry, ExtraFields, IdTokenEntry, RefreshTokenEntry,
};
pub use env::{DEFAULT_TOKEN_ENV_NAME, EnvTokenBackend};
pub use file::{DEFAULT_TOKEN_FILENAME, FileTokenBackend};
pub use memory::MemoryTokenBackend;
pub use response::{CacheContext, TokenResponse};
pub use store::TokenStore;
