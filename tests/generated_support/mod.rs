//! Shared setup of the `generated_*` tests: a Connection with a seeded, valid token.

#![allow(dead_code)]

use std::time::{Duration, UNIX_EPOCH};

use o365::clock::ManualClock;
use o365::protocol::Protocol;
use o365::token::{MemoryTokenBackend, TokenBackend};
use o365::{Connection, Credentials, RetryPolicy};
use secrecy::SecretString;

use crate::support::{self, ScriptedServer};

/// 2026-01-01T00:00:00Z, the start of every test's virtual clock.
pub const START: u64 = 1_767_225_600;

/// A scripted server and a Graph Connection on it (`<server>/v1.0/`) whose cached token is valid
/// for an hour (no pacing, jitter-free retries). `seeded: false` gives a Connection with an empty token cache.
pub async fn setup(seeded: bool) -> (ScriptedServer, Connection) {
    setup_with(seeded, RetryPolicy::default().jitter(false)).await
}

/// [`setup`] with another retry policy.
pub async fn setup_with(seeded: bool, retries: RetryPolicy) -> (ScriptedServer, Connection) {
    setup_on(seeded, retries, Protocol::graph_for_host).await
}

/// [`setup`] on another protocol, made from the server's base URL (`http://127.0.0.1:port`),
/// e.g. Outlook REST's PascalCase or Business Central's `/api/v2.0/` service URL.
pub async fn setup_protocol(
    protocol: impl FnOnce(&str) -> Protocol,
) -> (ScriptedServer, Connection) {
    setup_on(true, RetryPolicy::default().jitter(false), protocol).await
}

async fn setup_on(
    seeded: bool,
    retries: RetryPolicy,
    protocol: impl FnOnce(&str) -> Protocol,
) -> (ScriptedServer, Connection) {
    let clock = ManualClock::at(UNIX_EPOCH + Duration::from_secs(START));
    let server = ScriptedServer::start(clock.clone()).await;
    let backend = MemoryTokenBackend::new();
    if seeded {
        let cache = support::token_cache_json(START + 3600);
        backend.save(SecretString::from(cache)).await.unwrap();
    }
    let conn = Connection::builder(Credentials::client_secret("client-1", "s3cret-value"))
        .protocol(protocol(&server.base))
        .token_backend(backend)
        .clock(clock)
        .requests_delay(Duration::ZERO)
        .retry_policy(retries)
        .build()
        .unwrap();
    (server, conn)
}
