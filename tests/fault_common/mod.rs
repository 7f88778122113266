//! What the fault tests share: a Connection on a `ManualClock` whose cached access token is valid
//! for an hour, with no pacing and jitter-free retries (back-off waits of 500 ms, 1 s, 2 s).

#![allow(dead_code)]

use std::time::{Duration, UNIX_EPOCH};

use o365::clock::ManualClock;
use o365::{Connection, ConnectionBuilder};

use crate::support::ScriptedServer;

/// 2026-01-01T00:00:00Z, the start of every test's virtual clock.
pub const START: u64 = 1_767_225_600;
/// The client secret of every fault test's Connection.
pub const CLIENT_SECRET: &str = "s3cret-client-value";

pub fn clock() -> ManualClock {
    ManualClock::at(UNIX_EPOCH + Duration::from_secs(START))
}

/// A fresh `clock()` and a scripted loopback server on it.
pub async fn clock_and_server() -> (ManualClock, ScriptedServer) {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    (clock, server)
}

/// A Connection whose cached token (support::ACCESS_TOKEN) expires an hour after START.
pub async fn connection(
    clock: &ManualClock,
    tune: impl FnOnce(ConnectionBuilder) -> ConnectionBuilder,
) -> Connection {
    let builder = crate::support::seeded_builder(clock, CLIENT_SECRET, START + 3600).await;
    tune(builder).build().unwrap()
}

/// A Graph error body with a request id.
pub fn graph_error(code: &str, message: &str, request_id: &str) -> serde_json::Value {
    serde_json::json!({"error": {"code": code, "message": message,
        "innerError": {"request-id": request_id, "date": "2026-01-01T00:00:00"}}})
}
